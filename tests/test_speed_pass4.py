"""Issue 13, fourth pass: each speed change gives what the code it replaces gave.

- rule explanations read with libyaml read as with PyYAML's pure-Python reader;
- the Q.diagonal questions answered without SymPy's SAT solver get SymPy's own answers, and a
  gradient no longer imports that solver;
"""
from __future__ import annotations

import subprocess
from fractions import Fraction
import sys
from pathlib import Path

import pytest

from exact_values import same_exactly

ROOT = Path(__file__).resolve().parents[1]


def test_explanations_read_with_libyaml_read_as_the_python_reader():
    import yaml

    from derive.rules import base

    here = Path(base.__file__).resolve().parent
    files = [here.parent / "explanations.yaml", *(here / name for name in base.EXTRA_EXPLANATIONS)]
    for path in files:
        assert base._read_yaml(path) == yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    assert "differentiate" in base.explanations() or base.explanations()


def _diagonal_cases():
    from sympy import MatrixSymbol, Rational, S, Symbol
    from sympy.tensor.array.expressions import ArrayAdd, ArrayContraction, ArrayTensorProduct

    n, d = Symbol("n", positive=True, integer=True), Symbol("d", positive=True, integer=True)
    X, w, t = MatrixSymbol("X", n, d), MatrixSymbol("w", d, 1), MatrixSymbol("t", n, 1)
    lam, x = Symbol("lambda", positive=True), Symbol("x")
    return [X, w, t, MatrixSymbol("A", d, d), MatrixSymbol("B", 1, 1), MatrixSymbol("C", 2, 3),
            MatrixSymbol("D", 3, 3), MatrixSymbol("E", 1, 2), MatrixSymbol("Z", 0, 0), MatrixSymbol("s", n, n),
            lam, x, Rational(1, 2), 1 / n, S.NegativeOne, S(3), lam + x, 2 * lam / n,
            ArrayAdd(ArrayContraction(ArrayTensorProduct(X, w), (1, 2)), ArrayTensorProduct(-1, t))]


def test_diagonal_questions_answered_without_the_sat_solver_are_sympys():
    from sympy import Q, ask

    from derive.sympy_asks import handler_answer

    for arg in _diagonal_cases():
        known, answer = handler_answer(Q.diagonal(arg))
        assert known, arg
        assert answer == ask(Q.diagonal(arg)), arg
        assert answer is ask(Q.diagonal(arg)), arg        # None stays None, True stays True
    from sympy import MatrixSymbol, Symbol

    n = Symbol("n", positive=True, integer=True)
    A = MatrixSymbol("A", n, n)
    for other in (Q.diagonal(A.T), Q.diagonal(A * A), Q.symmetric(A), Q.positive(n)):
        assert handler_answer(other) == (False, None)     # left to SymPy's ask


def test_remembered_asks_with_handler_answers_give_the_same_gradients(monkeypatch):
    from sympy import MatrixSymbol, Symbol, ask
    from sympy.tensor.array.expressions import from_array_to_matrix

    from derive import sympy_asks
    from derive.rules.calculus import gradient

    n, d = Symbol("n", positive=True, integer=True), Symbol("d", positive=True, integer=True)
    X, w, t = MatrixSymbol("X", n, d), MatrixSymbol("w", d, 1), MatrixSymbol("t", n, 1)
    lam = Symbol("lambda", positive=True)
    objectives = [lam * w.T * w + (1 / (2 * n)) * (X * w - t).T * (X * w - t), w.T * X.T * t,
                  (X * w - t).T * (X * w - t) / n + lam * w.T * w]
    sympy_asks.remember_diagonal_asks()
    sympy_asks._ASKED.clear()
    with_memo = [gradient(f, w) for f in objectives]
    assert sympy_asks._ASKED                                         # it was asked
    for prop, answer in sympy_asks._ASKED.items():
        assert answer is ask(prop)
    monkeypatch.setattr(from_array_to_matrix, "ask", ask)           # SymPy's own
    assert [gradient(f, w) for f in objectives] == with_memo


def test_a_gradient_does_not_import_the_sat_solver():
    code = ("import sys\n"
            "from sympy import MatrixSymbol, Symbol\n"
            "from derive.rules.calculus import gradient\n"
            "n, d = Symbol('n', positive=True, integer=True), Symbol('d', positive=True, integer=True)\n"
            "X, w, t = MatrixSymbol('X', n, d), MatrixSymbol('w', d, 1), MatrixSymbol('t', n, 1)\n"
            "lam = Symbol('lambda', positive=True)\n"
            "g = gradient(lam * w.T * w + (X * w - t).T * (X * w - t) / (2 * n), w)\n"
            "print(g.shape == w.shape, 'sympy.assumptions.satask' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["True", "False"]


def _old_matmul(values):
    """``Evaluator._MatMul`` before the fourth pass: factor by factor, left to right."""
    from derive.numeric import Mat, mmul, mscale

    out = Fraction(1)
    for v in values:
        if isinstance(v, Exception):
            raise v
        if isinstance(v, Mat):
            out = mmul(out, v) if isinstance(out, Mat) else mscale(out, v)
        else:
            out = mscale(v, out) if isinstance(out, Mat) else out * v
    return out




def _random_factor(rng, rows, cols):
    import mpmath

    from derive.numeric import Dual, EvalError, Singular, mat

    def entry():
        roll = rng.random()
        if roll < 0.05:
            return Dual(Fraction(rng.randint(-5, 5), rng.randint(1, 4)), Fraction(rng.randint(-3, 3)))
        if roll < 0.07:
            return mpmath.mpf(rng.randint(-9, 9)) / 7
        return Fraction(rng.randint(-9, 9), rng.randint(1, 6))

    roll = rng.random()
    if roll < 0.03:
        return rng.choice([Singular("singular matrix"), EvalError("no value for x")])
    if roll < 0.3:
        return entry()
    return mat([[entry() for _ in range(cols)] for _ in range(rows)])


def test_matmul_in_the_cheapest_order_gives_the_old_values_and_errors():
    import random
    from types import SimpleNamespace

    from derive.numeric import Evaluator

    class Given(Evaluator):
        def __init__(self, values):
            super().__init__({})
            self.values = values
            self.asked = []

        def eval(self, key):
            self.asked.append(key)
            v = self.values[key]
            if isinstance(v, Exception):
                raise v
            return v

    rng = random.Random(13)
    checked = 0
    for _ in range(3000):
        k = rng.randint(1, 6)
        dims = [rng.randint(1, 4) for _ in range(k + 1)]
        values = []
        for i in range(k):
            rows, cols = dims[i], dims[i + 1]
            if rng.random() < 0.05:
                rows = rng.randint(1, 4)            # now and then a factor that does not fit
            values.append(_random_factor(rng, rows, cols))
        try:
            want = ("value", _old_matmul(values))
        except Exception as err:  # noqa: BLE001 - the error is part of the behaviour
            want = ("error", type(err), str(err))
        ev = Given(values)
        try:
            got = ("value", ev._MatMul(SimpleNamespace(args=tuple(range(k)))))
        except Exception as err:  # noqa: BLE001
            got = ("error", type(err), str(err))
        assert got[0] == want[0], (values, got, want)
        if got[0] == "value":
            assert same_exactly(got[1], want[1]), (values, got, want)
            checked += 1
        else:
            assert got[1:] == want[1:], (values, got, want)
        assert ev.asked == sorted(ev.asked)          # factors evaluated in order, each once
    assert checked > 1500


def test_chain_product_is_the_left_to_right_product():
    import random

    from derive.numeric import chain_product, mat, mmul

    rng = random.Random(5)
    for _ in range(300):
        k = rng.randint(1, 6)
        dims = [rng.randint(1, 4) for _ in range(k + 1)]
        mats = [mat([[Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(dims[i + 1])]
                     for _ in range(dims[i])]) for i in range(k)]
        want = mats[0]
        for m in mats[1:]:
            want = mmul(want, m)
        assert same_exactly(chain_product(mats), want)


def test_proximal_certificate_holding_the_fixed_parts_says_what_it_said(monkeypatch):
    """``no_worse_than_neighbours`` keeps the parts free of the unknown (``holding``) as
    ``_minimize`` does: the certificates of the problems that use it are as without."""
    from derive import holding as holding_module
    from derive.bank import entries
    from derive.engine import derive
    from derive.spec import load_spec

    def certificates():
        path = next(e.path for e in entries() if e.id == "prox-steps")
        d = derive(load_spec(path))
        return [(p.id, p.error, p.certificate, [s.certified_by for s in p.steps]) for p in d.parts]

    held = certificates()
    monkeypatch.setattr(holding_module, "holding", lambda ev, fixed: ev)
    assert certificates() == held
    assert any("no worse" in str(c) or "random instances" in str(c) for c in held)


def test_integer_powers_of_rationals_are_the_repeated_products():
    import random

    from derive.numeric import Singular, power

    def old(base, k):
        if k < 0:
            if base == 0:
                raise Singular("division by zero")
            return Fraction(1) / old(base, -k)
        out = Fraction(1)
        for _ in range(k):
            out = out * base
        return out

    rng = random.Random(3)
    for _ in range(2000):
        base = Fraction(rng.randint(-20, 20), rng.randint(1, 9))
        k = rng.randint(-6, 9)
        if base == 0 and k < 0:
            with pytest.raises(Singular):
                power(base, Fraction(k))
            continue
        got = power(base, Fraction(k))
        assert type(got) is Fraction and got == old(base, k)


def test_settling_the_imports_freezes_once_and_renders_the_same():
    code = ("import gc, sys\n"
            "from derive import service\n"
            "service.settle_imports()\n"
            "frozen = gc.get_freeze_count()\n"
            "junk = [[object()] for _ in range(1000)]\n"
            "service.settle_imports()\n"
            "print('sympy' in sys.modules, 'derive.engine' in sys.modules, frozen > 10000, gc.get_freeze_count() == frozen)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["True", "True", "True", "True"]


def test_a_cold_command_prints_what_it_printed_without_freezing(tmp_path):
    """The same text with and without ``settle_imports`` (each a fresh process, no cache)."""
    run = ("import sys\n"
           "from derive import service\n"
           "if sys.argv[1] == 'plain':\n"
           "    service.settle_imports = lambda: None\n"
           "sys.stdout.write(service.render_checked('ridge-fgm', 'latex', use_cache=False).text)\n")
    texts = [subprocess.run([sys.executable, "-c", run, mode], capture_output=True, text=True, cwd=ROOT,
                            check=True).stdout for mode in ("plain", "settled")]
    assert texts[0] == texts[1] and "\\begin{document}" in texts[0]


def test_gradients_at_a_point_free_of_the_unknown_are_held_and_give_the_same_values():
    import random

    from sympy import MatrixSymbol, Symbol
    from sympy.core.symbol import Dummy

    from derive.certificate import held_gradients
    from derive.expr.objects import Grad, Scalar
    from derive.holding import Holding, fixed_parts
    from derive.numeric import Evaluator, mat

    d = Symbol("d", positive=True, integer=True)
    w, x, y = MatrixSymbol("w", d, 1), MatrixSymbol("x", d, 1), MatrixSymbol("y", d, 1)
    v = MatrixSymbol(Dummy("v").name, d, 1)
    alpha = Symbol("alpha", positive=True)
    F = lambda z: Scalar(z.T * z) ** 2 + Scalar(x.T * z)          # noqa: E731
    at_w = Grad(F(v), v, w)
    at_moving = Grad(F(v), v, w - alpha * x)
    at_itself = Grad(Scalar(y.T * y) * Scalar(y.T * x), y)     # ∇ at y itself: y's value matters
    f = F(w - alpha * at_w) + Scalar(at_moving.T * x) + Scalar(at_itself.T * x)
    held = held_gradients([f], [alpha])
    assert held == {at_w}
    assert not (held & fixed_parts([f], [alpha]))              # fixed_parts leaves it out
    rng = random.Random(2)
    for _ in range(5):
        k = rng.randint(2, 4)
        env = {d: Fraction(k), w: mat([[Fraction(rng.randint(-5, 5), 3)] for _ in range(k)]),
               x: mat([[Fraction(rng.randint(-5, 5), 2)] for _ in range(k)]),
               y: mat([[Fraction(rng.randint(-5, 5), 4)] for _ in range(k)])}
        ev = Holding(dict(env), None, fixed_parts([f], [alpha]) | held)
        for a in (Fraction(1, 3), Fraction(2), Fraction(-5, 7)):
            ev.env[alpha] = a
            assert same_exactly(ev.eval(f), Evaluator({**env, alpha: a}).eval(f))
        assert at_w in ev.held


def test_line_search_certificate_with_held_gradients_says_what_it_said(monkeypatch):
    from derive import certificate
    from derive.bank import entries
    from derive.engine import derive
    from derive.spec import load_spec

    def certificates():
        path = next(e.path for e in entries() if e.id == "exact-line-search")
        d = derive(load_spec(path))
        return [(p.id, p.error, p.certificate, [s.certified_by for s in p.steps]) for p in d.parts]

    held = certificates()
    monkeypatch.setattr(certificate, "held_gradients", lambda exprs, varying: frozenset())
    assert certificates() == held
    assert all(not error for _, error, _, _ in held)

"""Issue 13, third pass: each speed change gives what the code it replaces gave.

- values shared by the evaluations at one drawn instance (``instance_values.py``) equal fresh
  evaluations, and are never used once the env differs from the drawn instance;
- extra symbols the table draws anyway do not change the instances;
- ``rules/solve._roots`` returns what ``sympy.solve`` returns;
- a spec read with libyaml reads as with PyYAML's pure-Python reader.
"""
from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _find(problem):
    from derive.bank import entries

    return next(e.path for e in entries() if e.id == problem)


def _step_expressions(problem):
    from derive.engine import derive
    from derive.rules.base import _value
    from derive.spec import load_spec

    spec = load_spec(_find(problem))
    d = derive(spec)
    out = []
    for part in d.parts:
        for st in part.steps:
            for side in (st.before, st.after):
                try:
                    out.append(_value(side))
                except Exception:  # noqa: BLE001 - a relation without a value
                    continue
    return spec, out


@pytest.mark.parametrize("problem", ["ridge-fgm", "dropout-average", "minibatch-gradient-covariance"])
def test_shared_values_equal_fresh_evaluations(problem):
    from derive.equivalence import Context
    from derive.moments import make_moments
    from derive.numeric import EvalError, Evaluator
    from derive.sampling import instances

    spec, exprs = _step_expressions(problem)
    table = spec.parts[-1].table
    assert exprs
    for shared_env, _shown in instances(table, 12345, (), frozenset(), 3):
        plain = dict(shared_env)
        moments = make_moments(table)
        for first in (True, False):                # filling the table, then reading it
            for e in exprs:
                try:
                    want = Evaluator(dict(plain), moments).eval(e)
                except (EvalError, ZeroDivisionError, TypeError, ValueError):
                    continue
                ev = Context(table).evaluator(shared_env)
                assert ev.shared is not None
                assert ev.eval(e) == want


def test_a_changed_env_does_not_read_or_fill_the_shared_values():
    from sympy import Symbol

    from derive.instance_values import Instance, Values
    from derive.numeric import Evaluator

    x, y = Symbol("x"), Symbol("y")
    expr = (x + 1) * (y + 2)
    moments = lambda *a: None  # noqa: E731 - stands for the table's moments
    values = Values()
    drawn = {x: Fraction(1), y: Fraction(2)}
    env = Instance(drawn, values)
    assert Evaluator(env, moments).eval(expr) == 8
    assert values.table[expr] == 8
    env[x] = Fraction(3)                              # a judge sets a variable
    assert env.changed == {x}
    assert Evaluator(env, moments).eval(expr) == 16    # not the remembered 8
    assert values.table[expr] == 8                     # and 16 is not remembered
    env[x] = drawn[x]                                  # the drawn value back
    assert not env.changed
    env.pop(y)
    assert env.changed == {y}
    env.update({y: drawn[y]})
    assert not env.changed
    env[Symbol("z")] = Fraction(5)                     # a value the instance did not have
    assert env.changed
    fresh = Instance(drawn, values)                    # another copy starts as drawn
    assert not fresh.changed and Evaluator(fresh, moments).eval(expr) == 8


def test_only_plain_evaluators_with_moments_share():
    from derive.instance_values import Instance, Values
    from derive.moments import RandomEvaluator
    from derive.numeric import Evaluator

    env = Instance({}, Values())
    assert Evaluator(env).shared is None                         # no moments: E cannot be evaluated
    assert Evaluator(env, lambda *a: None).shared is not None
    assert RandomEvaluator(env, {}).shared is None                # other values (random polynomials)
    assert Evaluator({}, lambda *a: None).shared is None          # a plain dict


def test_extra_symbols_drawn_anyway_leave_the_instances_as_they_were():
    from derive.sampling import _always_drawn, instances, sample
    from derive.spec import load_spec

    for problem in ("ridge-fgm", "dropout-average", "mirror-descent-kl"):
        table = load_spec(_find(problem)).table
        drawn = sorted(_always_drawn(table), key=str)
        assert drawn
        for seed in (0, 5):
            rng = random.Random(seed)
            fresh = [sample(table, rng, extra_symbols=drawn) for _ in range(4)]
            rng = random.Random(seed)
            bare = [sample(table, rng) for _ in range(4)]
            assert [(e, s) for e, s in fresh] == [(e, s) for e, s in bare]
            got = list(instances(table, seed, drawn, frozenset(), 4))
            assert [(dict(e), s) for e, s in got] == [(e, s) for e, s in bare]


def test_roots_are_sympys(monkeypatch):
    import sympy

    from derive.engine import derive
    from derive.rules import solve as solve_rule
    from derive.spec import load_spec

    seen = []
    real = solve_rule._roots

    def both(num, u, undo, table):
        got = real(num, u, undo, table)
        seen.append((got, sympy.solve(num, u, dict=False)))
        return got

    monkeypatch.setattr(solve_rule, "_roots", both)
    for problem in ("mirror-descent-kl", "ridge-fgm", "dropout-average", "minibatch-mean-estimation"):
        d = derive(load_spec(_find(problem)))
        assert not d.failed
    assert len(seen) >= 5
    for got, want in seen:
        assert got == want


def test_libyaml_reads_as_the_python_reader():
    import yaml

    from derive import yamlsrc

    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML without libyaml")
    for path in sorted((ROOT / "problems").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        c = yamlsrc._compose_libyaml(text)
        py = yaml.compose(text, Loader=yaml.SafeLoader)
        assert repr(c) == repr(py)
    # a tab after a colon: libyaml reads it, PyYAML refuses it, and the spec is refused as before
    from derive.errors import SpecError

    with pytest.raises(SpecError):
        yamlsrc.load("a:\tb\n", "f.yaml")


def test_remembered_mexpand_is_mexpand():
    from sympy.core.symbol import Dummy

    from derive.rules import matrix

    _spec, exprs = _step_expressions("ridge-fgm")
    _spec2, more = _step_expressions("one-step-convexity-ridge")
    table = _spec.table
    for e in exprs + more:
        for prefer in (None, table["w"].obj):
            count = Dummy._count
            want = matrix._mexpand(e, prefer)
            assert Dummy._count == count            # expanding creates no Dummy
            assert matrix.mexpand(e, prefer) == want
            assert matrix.mexpand(e, prefer) == want   # and remembered


def test_remembered_asks_are_sympys_and_give_the_same_gradients(monkeypatch):
    from sympy import MatrixSymbol, Q, Symbol, assuming, ask
    from sympy.tensor.array.expressions import from_array_to_matrix

    from derive import sympy_asks
    from derive.rules.calculus import gradient

    n, d = Symbol("n", positive=True, integer=True), Symbol("d", positive=True, integer=True)
    X, w, t = MatrixSymbol("X", n, d), MatrixSymbol("w", d, 1), MatrixSymbol("t", n, 1)
    lam = Symbol("lambda", positive=True)
    objectives = [lam * w.T * w + (1 / (2 * n)) * (X * w - t).T * (X * w - t),
                  (X * w - t).T * (X * w - t) / n, w.T * X.T * t]
    sympy_asks.remember_diagonal_asks()
    remembering = from_array_to_matrix.ask
    assert getattr(remembering, "remembers", False)
    with_memo = [gradient(f, w) for f in objectives]
    monkeypatch.setattr(from_array_to_matrix, "ask", ask)           # SymPy's own
    assert [gradient(f, w) for f in objectives] == with_memo
    for prop in list(sympy_asks._ASKED)[:20]:
        assert remembering(prop) == ask(prop)
    A = MatrixSymbol("A", d, d)
    assert remembering(Q.diagonal(A)) is None
    with assuming(Q.diagonal(A)):                                   # global assumptions: asked afresh
        assert remembering(Q.diagonal(A)) is True
    assert remembering(Q.diagonal(A)) is None


def test_remembered_tidy_is_tidy_and_makes_the_same_dummies():
    from sympy.core.symbol import Dummy

    from derive.rules import tidy as tidy_rule

    _spec, exprs = _step_expressions("dropout-average")
    _spec2, more = _step_expressions("mirror-descent-kl")
    scalars = [e for e in exprs + more if not getattr(e, "is_Matrix", False)]
    assert scalars
    for e in scalars:
        tidy_rule.tidy(e)                       # SymPy's own caches warm
        tidy_rule._TIDIED.clear()
        before = Dummy._count
        first = tidy_rule.tidy(e)               # computed
        made = Dummy._count - before
        before = Dummy._count
        again = tidy_rule.tidy(e)               # remembered, if its rewriting made no Dummy
        assert Dummy._count - before == made    # the same Dummies made either way
        assert again == first
        prepared = tidy_rule.signs_simplified(tidy_rule.pull_constants_out_of_sums(e))
        assert tidy_rule._tidy_frozen(*tidy_rule.freeze(prepared)) == first

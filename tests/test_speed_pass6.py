"""Issue 13, sixth pass: each speed change gives what the code it replaces gave.

- SymPy's shuffle of related facts in an assumption query is drawn exactly as ``Random.shuffle``
  draws it (the same permutations, the generator left in the same state);
- ``tidy`` skips the sign and sum rewritings only where they would return the expression
  unchanged;
- an expectation's polynomial evaluates each repeated subexpression once, with the values and
  types of the plain evaluation, and never where something binds a variable;
- ``Holding`` never keeps the value of a matrix sum's body, whose index the sum sets (a bug:
  Σ_j M^j q came out as three times its first term);
- a cold ``derive PROBLEM`` finds the spec once and renders what it rendered before, the
  second freeze happens once, and the collector is off only while SymPy and the engine are
  imported.
"""
from __future__ import annotations

import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from exact_values import same_exactly

ROOT = Path(__file__).resolve().parents[1]


# -- SymPy's assumption shuffle -------------------------------------------------------------------

def test_the_assumption_shuffle_draws_the_same_permutations_as_random_shuffle():
    from derive.expr.sympy_speed import _shuffler

    for seed in range(300):
        plain, ours = random.Random(seed), random.Random(seed)
        shuffle = _shuffler(ours)
        for n in [0, 1, 2, 3, 2, 1, 5, 4, 2, 9, 17, 3, 2, 64]:
            x, y = list(range(n)), list(range(n))
            plain.shuffle(x)
            shuffle(y)
            assert x == y
        assert plain.getstate() == ours.getstate()


def test_the_assumption_shuffle_is_installed_on_sympys_generator():
    from importlib import import_module

    import derive.expr.objects  # noqa: F401 - installs it
    from derive.expr.sympy_speed import _shuffler

    assumptions = import_module("sympy.core.assumptions")
    rng = import_module("sympy.core.random")._assumptions_rng
    assert assumptions.shuffle.__qualname__ == "_shuffler.<locals>.shuffle"
    state = rng.getstate()
    try:
        x = list(range(7))
        assumptions.shuffle(x)
        rng.setstate(state)
        y = list(range(7))
        rng.shuffle(y)
        assert x == y
    finally:
        rng.setstate(state)

    class Other(random.Random):
        def random(self):
            return 0.5

    odd = Other(1)
    assert _shuffler(odd) == odd.shuffle            # another way of drawing: its own shuffle


def test_derivations_with_a_seeded_assumption_generator_are_reproducible():
    """The same derivation, twice in fresh processes with SymPy's assumption generator seeded
    alike (and its Dummy numbers' base fixed, as bench/answers.py fixes it), is the same text:
    the shuffle draws from that generator and nothing else."""
    code = ("import sys, importlib\n"
            "import sympy\n"
            "sympy.Dummy._base_dummy_index = 1_000_003\n"
            "importlib.import_module('sympy.core.random')._assumptions_rng.seed(5)\n"
            "from derive import service\n"
            "sys.stdout.write(service.render_checked('one-step-convexity', 'json', use_cache=False).text)\n")
    env = {"PYTHONHASHSEED": "0", "PATH": "/usr/bin:/bin"}
    texts = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                            check=True).stdout for _ in range(2)]
    assert texts[0] == texts[1] and '"parts"' in texts[0]


# -- tidy -------------------------------------------------------------------------------------------

def _tidy_inputs():
    from sympy import Abs, Idx, IndexedBase, Rational, Sum, Symbol, exp, log, sign

    x, y = Symbol("x", real=True), Symbol("y", positive=True)
    j, n = Symbol("j", integer=True), Symbol("n", integer=True, positive=True)
    a = IndexedBase("a")
    return [x, x + 1, x * y / (x + y), exp(x) * log(y) - 3, Rational(1, 3) * x ** 2,
            x / sign(y), 1 / sign(x + 1), sign(y) * y, x * sign(x) + 1, Abs(x) * sign(x),
            Sum(2 * x * a[j], (j, 1, n)), Sum(a[j] + x, (j, 1, n)) * y, Sum(sign(x) * a[j], (j, 1, n)),
            Sum(3, (j, 1, n)), Sum(a[j] ** 2, (j, 1, n)) / sign(y)]


def test_tidy_skips_the_sign_and_sum_rewritings_only_where_they_change_nothing():
    from derive.rules.tidy import _signs_and_sums, pull_constants_out_of_sums, signs_simplified

    for e in _tidy_inputs():
        plain = signs_simplified(pull_constants_out_of_sums(e))
        got = _signs_and_sums(e)
        assert got == plain and type(got) is type(plain)
        if plain is e:
            assert got is e


def test_tidy_gives_what_it_gave_with_both_rewritings_always_run(monkeypatch):
    from derive.rules import tidy as T

    fresh = []
    for e in _tidy_inputs():
        T._TIDIED.clear()
        fresh.append(T.tidy(e))
    monkeypatch.setattr(T, "_signs_and_sums", lambda e: T.signs_simplified(T.pull_constants_out_of_sums(e)))
    for e, got in zip(_tidy_inputs(), fresh):
        T._TIDIED.clear()
        assert T.tidy(e) == got


# -- expectations: each repeated subexpression once --------------------------------------------------

def _moment_cases():
    from derive import service
    from derive.expr.build import Builder
    from derive.expr.parse import parse

    spec = service.load("input-noise-ridge-vector")
    table = spec.table
    texts = ["norm((F + Xi) @ v - y)**2", "(v.T @ (u + e) - s)**2", "norm(Xi @ v)**2 + (v.T @ Xi.T @ y)**2",
             "norm((F + Xi) @ v - y)**4"]
    return table, [Builder(table, t).build(parse(t)).expr for t in texts]


def test_expectations_remembering_repeated_parts_give_the_plain_values(monkeypatch):
    from derive import moments
    from derive.expr.objects import E, Scalar, Var
    from derive.numeric import Dual, Evaluator
    from derive.sampling import instances

    table, exprs = _moment_cases()
    cases = []
    for expr in exprs:
        inner = Scalar(expr) if getattr(expr, "is_Matrix", False) else expr
        cases += [E(inner), Var(inner)]
    assert all(moments.binds_nothing(c.args[0]) for c in cases)

    def values():
        out = []
        for env, _ in instances(table, 11, attempts=3):
            ev = Evaluator(env, moments.make_moments(table))
            out += [ev.eval(c) for c in cases]
            v = table["v"].obj
            env[v] = type(env[v])(tuple((Dual(x, Fraction(1)),) for (x,) in env[v]))   # a dual seed, as a gradient check sets
            out += [ev.eval(c) for c in cases[:2]]
        return out

    remembered = values()
    monkeypatch.setattr(moments, "binds_nothing", lambda expr: False)
    plain = values()
    assert len(plain) == len(remembered) == 3 * (len(cases) + 2)
    for a, b in zip(remembered, plain):
        assert same_exactly(a, b)


def test_an_expression_that_binds_a_variable_is_never_remembered():
    from sympy import Derivative, Integer, MatrixSymbol, Subs, Sum, Symbol

    from derive.expr.objects import Grad, MatSum
    from derive.moments import binds_nothing

    x, j = Symbol("x"), Symbol("j", integer=True)
    M, q = MatrixSymbol("M", 2, 2), MatrixSymbol("q", 2, 1)
    assert binds_nothing(x ** 2 + 1) and binds_nothing((M * q).T * (M * q))
    assert not binds_nothing(Sum(x * j, (j, 1, 3)) + 1)
    assert not binds_nothing(Derivative(x ** 3, x) * 2)
    assert not binds_nothing(Subs(x ** 2, x, 1) + x)
    assert not binds_nothing(MatSum(M ** j * q, j, Integer(0), Integer(2)))
    w = MatrixSymbol("w", 2, 1)
    assert not binds_nothing(Grad((w.T * w)[0, 0], w, q))


# -- Holding and a matrix sum --------------------------------------------------------------------------

def test_holding_fixed_parts_leaves_a_matrix_sums_body_to_its_index():
    from sympy import Integer, MatPow, MatrixSymbol, Symbol

    from derive.expr.objects import MatSum
    from derive.holding import Holding, fixed_parts
    from derive.numeric import Evaluator, mat

    M, q, w = MatrixSymbol("M", 2, 2), MatrixSymbol("q", 2, 1), MatrixSymbol("w", 2, 1)
    j = Symbol("j", integer=True)
    e = MatSum(MatPow(M, j) * q, j, Integer(0), Integer(2)) + w
    env = {M: mat([[Fraction(1), Fraction(1)], [Fraction(0), Fraction(1)]]), q: mat([[Fraction(1)], [Fraction(1)]])}
    fixed = fixed_parts([e], [w])
    assert MatPow(M, j) not in fixed and MatPow(M, j) * q not in fixed
    for k in range(3):
        env[w] = mat([[Fraction(k)], [Fraction(-k, 2)]])
        held = Holding(dict(env), None, fixed)
        assert same_exactly(held.eval(e), Evaluator(dict(env)).eval(e))
    env[w] = mat([[Fraction(0)], [Fraction(0)]])
    assert same_exactly(Holding(dict(env), None, fixed).eval(e), mat([[Fraction(6)], [Fraction(3)]]))   # Σ_j M^j q


# -- the cold command ------------------------------------------------------------------------------------

def test_a_cold_render_finds_the_spec_once_and_renders_the_same(tmp_path, monkeypatch):
    from derive import service

    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DERIVE_NO_CACHE", raising=False)
    plain = service.render_checked("ridge-fgm", "text", use_cache=False)
    calls = []
    real = service.find
    monkeypatch.setattr(service, "find", lambda problem: calls.append(problem) or real(problem))
    cached = service.render_checked("ridge-fgm", "text")
    assert calls[0] == "ridge-fgm" and all(c == "ridge-fgm" or c.endswith("ridge-fgm.yaml") for c in calls)
    assert sum(1 for c in calls if c == "ridge-fgm") == 1
    assert cached == plain
    assert service.render_checked("ridge-fgm", "text") == plain       # the cache's copy


def test_a_cold_command_freezes_again_once_and_prints_the_same():
    code = ("import gc, sys\n"
            "from derive import service\n"
            "if sys.argv[1] == 'plain':\n"
            "    service.settle_derived = lambda: None\n"
            "text = service.render_checked('ridge-fgm', 'latex', use_cache=False).text\n"
            "frozen = gc.get_freeze_count()\n"
            "service.settle_derived()\n"
            "print(frozen, gc.get_freeze_count() == frozen)\n"
            "sys.stdout.write(text)\n")
    outs = [subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True, cwd=ROOT,
                           check=True).stdout for mode in ("plain", "settled")]
    (plain_count, _), (count, same) = (o.split("\n", 1)[0].split() for o in outs)
    assert same == "True" and int(count) > int(plain_count)
    assert outs[0].split("\n", 1)[1] == outs[1].split("\n", 1)[1]
    assert "\\begin{document}" in outs[1]


def test_settling_the_imports_collects_nothing_while_importing_and_leaves_the_collector_as_it_was():
    code = ("import gc, sys\n"
            "collections = []\n"
            "gc.callbacks.append(lambda phase, info: collections.append(info['generation']) if phase == 'start' else None)\n"
            "if sys.argv[1] == 'off':\n"
            "    gc.disable()\n"
            "from derive import service\n"
            "before = len(collections)\n"
            "service.settle_imports()\n"
            "print('sympy' in sys.modules, 'derive.engine' in sys.modules, gc.get_freeze_count() > 10000,\n"
            "      len(collections) == before, gc.isenabled())\n")
    for mode, enabled in (("on", "True"), ("off", "False")):
        out = subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True, cwd=ROOT, check=True)
        assert out.stdout.split() == ["True", "True", "True", "True", enabled]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

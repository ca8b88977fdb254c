"""Issue 13's speed changes give exactly what the code they replace gives (no timing here)."""
from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_matmul_minus_sign_is_mul_s_answer():
    from sympy import Mul, Rational, Symbol, Transpose
    from sympy.matrices.expressions import MatMul, MatrixSymbol

    import derive.expr.objects  # noqa: F401  (installs the faster method)

    n, d = Symbol("n", positive=True, integer=True), Symbol("d", positive=True, integer=True)
    X, w = MatrixSymbol("X", n, d), MatrixSymbol("w", d, 1)
    lam = Symbol("lambda", positive=True)
    cases = [MatMul(X, w), MatMul(-1, X, w), MatMul(Rational(-1, 2), X, w), MatMul(2, X, w),
             MatMul(lam, X, w), MatMul(-lam, X, w), MatMul(Transpose(w), Transpose(X), X, w),
             MatMul(-3, Transpose(w), w, evaluate=False)]
    for e in cases:
        assert bool(e.could_extract_minus_sign()) == bool(Mul.could_extract_minus_sign(e)), e


def test_units_stand_in_is_scoped():
    """Solving imports no sympy.physics.units, leaves no stand-in behind, and a later import of
    the real module works."""
    code = textwrap.dedent("""
        import sys
        from derive.engine import derive
        from derive.spec import load_spec
        from derive.bank import find
        d = derive(load_spec(find("ridge-fgm")))
        assert not d.failed
        assert "sympy.physics.units" not in sys.modules and "sympy.physics" not in sys.modules
        from sympy.physics.units import Quantity, meter
        assert Quantity.__name__ == "Quantity" and isinstance(meter, Quantity)
        from derive.expr.sympy_speed import units_unused
        with units_unused():
            from sympy.physics.units import Quantity as inside
        assert inside is Quantity
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]


def test_simplify_and_solve_inside_the_stand_in_agree():
    from sympy import Symbol, simplify, solve, sqrt

    from derive.expr.sympy_speed import units_unused

    x, p = Symbol("x"), Symbol("p", positive=True)
    exprs = [(x ** 2 - p) / (x - sqrt(p)), x * (p * x - 1) ** 2]
    outside = [(simplify(e), solve(e, x)) for e in exprs]
    with units_unused():
        inside = [(simplify(e), solve(e, x)) for e in exprs]
    assert inside == outside


def test_instances_are_a_fresh_draw():
    from derive.bank import find
    from derive.sampling import instances, sample
    from derive.spec import load_spec

    for problem in ("ridge-fgm", "dropout-average", "minibatch-gradient-covariance"):
        table = load_spec(find(problem)).table
        extra = sorted({s for info in table.symbols.values() for s in [info.obj] if getattr(s, "is_Symbol", False)},
                       key=str)
        for seed in (0, 7):
            for positive in (frozenset(), frozenset({"lambda"})):
                rng = random.Random(seed)
                fresh = [sample(table, rng, extra_symbols=extra, positive=positive) for _ in range(6)]
                for _ in range(2):      # drawn, then remembered
                    got = list(instances(table, seed, extra, positive, 6))
                    assert [(dict(e), s) for e, s in got] == [(dict(e), s) for e, s in fresh]
                got[0][0][next(iter(got[0][0]))] = Fraction(99)     # a judge's change stays its own
                again = next(iter(instances(table, seed, extra, positive, 1)))
                assert dict(again[0]) == dict(fresh[0][0])


def test_yaml_one_pass_reads_as_two():
    import yaml

    from derive import yamlsrc
    from derive.errors import SpecError

    def two_pass(text, file):
        node = yamlsrc._compose_twice(text, file)
        scalars = yaml.SafeLoader("")
        lines = yamlsrc.Lines()
        return yamlsrc._convert(node, (), lines, file, scalars), lines

    files = sorted((ROOT / "problems").rglob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        data, lines = yamlsrc.load(text, str(path))
        assert (data, dict(lines)) == tuple(x if i == 0 else dict(x) for i, x in enumerate(two_pass(text, str(path))))
    for bad in ("a: &x 1\nb: *x\n", "a: [1, 2\n", "a: 1\n---\nb: 2\n", "a:\tb\n", "a: \x00\n"):
        with pytest.raises(SpecError) as one:
            yamlsrc.load(bad, "f.yaml")
        with pytest.raises(SpecError) as two:
            two_pass(bad, "f.yaml")
        assert str(one.value) == str(two.value)


def test_holding_evaluates_as_the_evaluator():
    """Values remembered while only the unknown changes are the plain evaluator's, also with
    sums and derivatives whose variables the evaluator assigns itself."""
    from sympy import Derivative, IndexedBase, Inverse, MatrixSymbol, Sum, Symbol, Transpose
    from sympy.matrices.expressions import Identity

    from derive.holding import fixed_parts, holding
    from derive.numeric import Evaluator, mat

    n, d = 3, 2
    X, w, t = MatrixSymbol("X", n, d), MatrixSymbol("w", d, 1), MatrixSymbol("t", n, 1)
    lam, s, k = Symbol("lambda", positive=True), Symbol("s"), Symbol("k", integer=True)
    a, i = IndexedBase("a"), Symbol("i", integer=True)
    A = Transpose(X) * X + lam * Identity(d)
    exprs = [A * w - Transpose(X) * t, Inverse(A) * w,
             lam * Sum(a[i] * s ** i, (i, 1, 3)) + Derivative(s ** 3 * lam + k * s, s)]
    rng = random.Random(3)
    for _ in range(5):
        env = {X: mat([[Fraction(rng.randint(-3, 3)) for _ in range(d)] for _ in range(n)]),
               t: mat([[Fraction(rng.randint(-3, 3))] for _ in range(n)]),
               lam: Fraction(rng.randint(1, 5), 2), s: Fraction(rng.randint(-4, 4), 3), k: Fraction(2),
               a.label: {j: Fraction(rng.randint(-5, 5)) for j in range(1, 4)}}
        plain = Evaluator(env)
        held = holding(Evaluator(env), fixed_parts(exprs, [w, s]))
        for point in ([[1], [0]], [[0], [1]], [[2], [-3]]):
            env[w], env[s] = mat([[Fraction(x) for x in row] for row in point]), Fraction(point[0][0] + 1, 2)
            assert [held.eval(e) for e in exprs] == [plain.eval(e) for e in exprs]
        assert held.held          # something was remembered


def test_units_are_imported_where_the_checker_forks_workers():
    """A process running the checker derives with the real units module, so that the workers it
    forks inherit it rather than each importing it."""
    code = textwrap.dedent("""
        import sys
        import derive.check.batch
        from derive.engine import derive
        from derive.spec import load_spec
        from derive.bank import find
        derive(load_spec(find("ridge-fgm")))          # 1.2.3 solves for ε
        print("sympy.physics.units" in sys.modules and "real")
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.stdout.strip() == "real", done.stderr[-2000:]

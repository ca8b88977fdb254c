"""The equivalence module: verdicts, counterexamples that really separate the two sides, and
the non-commutative and assumption-dependent traps."""
from fractions import Fraction

import pytest
import sympy as sp

from derive.equivalence import Context, same_solutions, same_value, satisfies
from derive.expr.build import Builder
from derive.expr.parse import parse

SPEC = """
id: eq
title: Equivalence fixtures
source: {course: C}
symbols:
  X: {kind: matrix, shape: [n, d]}
  A: {kind: matrix, shape: [d, d]}
  B: {kind: matrix, shape: [d, d]}
  w: {kind: vector, shape: [d]}
  t: {kind: vector, shape: [n]}
  lam: {kind: scalar, assume: [positive]}
  p: {kind: scalar, assume: {interval: [0, 1], open: true}}
  x: {kind: scalar}
  y: {kind: scalar}
  q: {kind: scalar}
parts:
  - {id: a, goal: {simplify: 'x'}}
"""


@pytest.fixture(scope="module")
def table(spec_table):
    return spec_table(SPEC)


def expr(table, text):
    return Builder(table, text).build(parse(text)).expr


@pytest.mark.parametrize("a, b", [
    ("inv(A @ B)", "inv(B) @ inv(A)"),
    ("(X @ w - t).T @ (X @ w - t)", "w.T @ X.T @ X @ w - 2 * t.T @ X @ w + t.T @ t"),
    ("inv(X.T @ X + lam*I) @ X.T @ t", "X.T @ inv(X @ X.T + lam*I) @ t"),
    ("grad(norm(X @ w - t)**2, w)", "2 * X.T @ (X @ w - t)"),
    ("(x + y + 1)**40", "(1 + y + x)**40"),
    ("sqrt(p**2)", "p"),
    ("p * (1 - p) / p**2", "(1 - p) / p"),
])
def test_equivalent_pairs(table, a, b):
    v = same_value(expr(table, a), expr(table, b), Context(table))
    assert v.status == "equivalent", v


@pytest.mark.parametrize("a, b", [
    ("inv(A @ B)", "inv(A) @ inv(B)"),
    ("inv(X.T @ X + lam*I) @ X.T @ t", "X.T @ t / (lam + 1)"),
    ("A @ B @ w", "B @ A @ w"),
    ("grad(norm(X @ w - t)**2, w)", "X.T @ (X @ w - t)"),
    ("w.T @ w * lam", "w.T @ w"),
    ("x**2 - y**2", "(x - y)**2"),
])
def test_non_equivalent_pairs_come_with_a_real_counterexample(table, a, b):
    ea, eb = expr(table, a), expr(table, b)
    v = same_value(ea, eb, Context(table))
    assert v.status == "not-equivalent", v
    ce = v.counterexample
    assert ce is not None and ce.left != ce.right
    assert ce.values  # the instance is shown


def test_counterexample_recomputed_independently_with_sympy(table):
    a, b = expr(table, "x**2 - y**2"), expr(table, "(x - y)**2")
    v = same_value(a, b, Context(table))
    vals = {table[k].obj: sp.Rational(Fraction(v.counterexample.values[k])) for k in ("x", "y")}
    left, right = a.subs(vals), b.subs(vals)
    assert left != right
    assert str(left) == v.counterexample.left and str(right) == v.counterexample.right


def test_xtx_versus_xxt_shape_trap(table):
    # X^T X w is d×1; X X^T w does not even type-check: a swapped product is a shape error here.
    from derive.errors import ParseError

    with pytest.raises(ParseError, match="cannot multiply"):
        expr(table, "X @ X.T @ w")


def test_assumption_dependent_identity_is_named(table):
    v = same_value(expr(table, "sqrt(q**2)"), expr(table, "q"), Context(table))
    assert v.status == "equivalent-under" and v.condition == "q > 0"


def test_same_solutions_of_linear_matrix_equations(table):
    w = table["w"].obj
    e1 = expr(table, "X.T @ (X @ w - t) / 2 + lam * w = 0")
    good = expr(table, "w = inv(X.T @ X + 2*lam*I) @ X.T @ t")
    bad = expr(table, "w = inv(X.T @ X + lam*I) @ X.T @ t")
    assert same_solutions(e1, good, w, Context(table)).status == "equivalent"
    v = same_solutions(e1, bad, w, Context(table))
    assert v.status == "not-equivalent" and v.counterexample.left != v.counterexample.right


def test_satisfies_checks_a_root_by_substitution(table):
    x = table["x"].obj
    eq = expr(table, "x**2 * lam = 4 * lam")
    assert satisfies(eq, x, sp.Integer(2), Context(table)).status == "equivalent"
    assert satisfies(eq, x, sp.Integer(3), Context(table)).status == "not-equivalent"


def test_singular_instances_are_resampled_not_misjudged(table):
    # inv(X.T @ X) is singular whenever n < d; those draws are skipped, never counted as proof.
    v = same_value(expr(table, "inv(X.T @ X) @ X.T @ X @ w"), expr(table, "w"), Context(table))
    assert v.status in ("equivalent", "unknown")


def test_definitions_that_grow_without_bound_are_refused_quickly():
    """A student's names can feed each other (a = b² + b, b = a² + a); expanding them must stop
    with a clear error instead of building an expression of 2¹² copies (a fuzzed file ran for
    minutes in the final-answer comparison)."""
    import time

    from derive.equivalence import MAX_NODES, TooLarge

    a, b, x = sp.symbols("a b x")
    ctx = Context(table=None, definitions={a: b**2 + b + x, b: a**2 + a - x})
    start = time.perf_counter()
    with pytest.raises(TooLarge, match=f"{MAX_NODES:,}"):
        ctx.expand_definitions(a + 1)
    assert time.perf_counter() - start < 5
    small = Context(table=None, definitions={a: b + 1, b: x})
    assert small.expand_definitions(a * 2) == 2 * (x + 1)


def test_counterexample_values_too_long_to_print_are_shown_by_magnitude():
    """exp(exp(e¹⁰)) evaluates to an mpf whose full digits took minutes to print (fuzz input
    48731); a counterexample shows its order of magnitude instead, at once."""
    import time

    import mpmath

    from derive.numeric import show

    start = time.perf_counter()
    huge = mpmath.exp(mpmath.exp(mpmath.exp(10)))
    assert show(huge).startswith("≈ 10^") and show(-huge).startswith("≈ −10^")
    assert show(Fraction(3, 7)) == "3/7" and show(Fraction(-(10 ** 200), 3)).startswith("≈ −10^")
    assert show(mpmath.mpf("2.5")) == "2.5"
    assert time.perf_counter() - start < 2


def test_a_long_fraction_of_modest_size_shows_its_leading_digits():
    """An exact value whose numerator and denominator are long but whose size is ordinary (a
    rational instance pushed through several steps) shows its digits, so two different values
    never print alike as '≈ −10^0'."""
    from derive.numeric import show

    near_minus_2_6, near_minus_6_6 = Fraction(-13 * 3 ** 300, 5 * 3 ** 300 + 1), Fraction(-33 * 7 ** 200, 5 * 7 ** 200 - 1)
    assert show(near_minus_2_6) == "≈ −2.6" and show(near_minus_6_6) == "≈ −6.6"
    assert show(Fraction(10 ** 200 + 1, 3)).startswith("≈ 10^")

"""Each rule on its own, on tables of cases. Results are checked by value (the equivalence
module's exact evaluation) and by the structure the rule promises."""
import pytest
import sympy as sp

from derive.equivalence import Context, same_solutions, same_value
from derive.errors import RuleError
from derive.expr.build import Builder
from derive.expr.objects import E
from derive.expr.parse import parse
from derive.rules import calculus, forms, matrix, moments
from derive.rules.solve import solve_scalar

SPEC = """
id: rules
title: Rule fixtures
source: {course: C}
symbols:
  j: {kind: index, range: [1, D]}
  X: {kind: matrix, shape: [n, d]}
  A: {kind: matrix, shape: [d, d]}
  w: {kind: vector, shape: [d]}
  t: {kind: vector, shape: [n]}
  a: {kind: vector, shape: [n]}
  lam: {kind: scalar, assume: [positive]}
  eps: {kind: scalar, assume: [positive]}
  x: {kind: scalar}
  s: {kind: scalar}
  p: {kind: scalar, assume: {interval: [0, 1], open: true}}
  sigma: {kind: scalar, assume: [positive]}
  c: {kind: scalar, index: j}
  m: {kind: random, dist: 'bernoulli(p)', index: j}
  g: {kind: random, dist: 'normal(0, sigma**2)', index: j}
  z: {kind: random, dist: 'normal(0, sigma**2)'}
parts:
  - {id: a, goal: {simplify: 'x'}}
"""


@pytest.fixture(scope="module")
def table(spec_table):
    return spec_table(SPEC)


@pytest.fixture(scope="module")
def ctx(table):
    return Context(table)


def ex(table, text):
    return Builder(table, text).build(parse(text)).expr


def test_mexpand_combines_transposed_cross_terms(table, ctx):
    before = ex(table, "norm(X @ w - t)**2")
    after = matrix.mexpand(before, table["w"].obj)
    assert len(after.args) == 3  # wᵀXᵀXw, −2 wᵀXᵀt, tᵀt: the two cross terms became one
    assert same_value(before, after, ctx).ok


@pytest.mark.parametrize("eq_text, coeff_text", [
    ("X.T @ (X @ w - t) / n + 2*lam*w = 0", "X.T @ X / n + 2*lam*I"),
    ("A @ w + w = A @ A @ w + X.T @ t", "A + I - A @ A"),
    ("lam * w = X.T @ t", "lam * I + 0 * A"),
])
def test_collect_keeps_factor_order(table, ctx, eq_text, coeff_text):
    w = table["w"].obj
    eq = ex(table, eq_text)
    collected, a, b = matrix.collect(eq, w)
    assert same_value(a, ex(table, coeff_text), ctx).ok
    assert same_solutions(eq, collected, w, ctx).ok


def test_collect_refuses_a_term_it_cannot_write_as_A_times_w(table):
    with pytest.raises(RuleError, match="not of the form"):
        matrix.collect(ex(table, "w @ w.T @ A @ w = X.T @ t"), table["w"].obj)


def test_solve_linear_keeps_the_inverse_on_the_left(table, ctx):
    w = table["w"].obj
    a, b = ex(table, "X.T @ X + lam*I"), ex(table, "X.T @ t")
    sol = matrix.solve_linear(a, b, w)
    assert isinstance(sol.rhs.args[0], sp.Inverse)
    assert same_solutions(sp.Eq(sp.MatMul(a, w), b), sol, w, ctx).ok


def test_absorb_scalar_moves_the_factor_inside_the_inverse(table, ctx):
    e = ex(table, "inv(X.T @ X / n + 2*lam*I) @ X.T @ t / n")
    new, factor = matrix.absorb_scalar(e)
    assert factor == 1 / table["n"].obj
    assert same_value(e, new, ctx).ok
    assert not new.has(1 / table["n"].obj)


@pytest.mark.parametrize("text, gram", [
    ("a.T @ X @ X.T @ a", True), ("X.T @ X", True), ("a.T @ a", True), ("w.T @ A @ w", False), ("w.T @ A.T @ A @ w", True),
])
def test_is_gram(table, text, gram):
    assert forms.is_gram(ex(table, text)) is gram


@pytest.mark.parametrize("text, definite", [
    ("X.T @ X + lam*I", True), ("X.T @ X / n + 2*lam*I", True), ("X.T @ X", False), ("A + lam*I", False), ("X.T @ X + x*I", False),
])
def test_positive_definite_reason(table, text, definite):
    assert (forms.positive_definite_reason(ex(table, text)) is not None) is definite


def test_gradient_refuses_what_sympy_gets_silently_wrong(table):
    w = table["w"].obj
    with pytest.raises(RuleError, match="refusing to differentiate"):
        calculus.gradient(sp.MatMul(sp.Trace(sp.MatMul(w, w.T)), sp.Identity(1)), w)


def test_gradient_is_right(table, ctx):
    from derive.expr.objects import Grad

    f = ex(table, "norm(X @ w - t)**2 / (2*n) + lam * norm(w)**2")
    g = calculus.gradient(f, table["w"].obj)
    assert same_value(Grad(f, table["w"].obj), g, ctx).ok  # dual-number gradient, independent of SymPy


def test_solve_scalar_states_branches_and_sign_conditions(table, ctx):
    eps, x, lam, s = (table[k].obj for k in ("eps", "x", "lam", "s"))
    w = x * s / (x ** 2 + 2 * lam)
    sol = solve_scalar(sp.Eq(w * x - eps * w ** 2, 0), eps, table["eps"], str, table)
    assert sp.simplify(sol.value - (x ** 2 + 2 * lam) / s) == 0
    assert set(map(str, sol.degenerate)) == {"x", "s"}
    assert [str(rel) for rel, _ in sol.conditions] == ["s > 0"]


def test_solve_scalar_drops_the_root_outside_the_interval_domain(table):
    sigma, p = table["sigma"].obj, table["p"].obj
    sol = solve_scalar(sp.Eq(sigma ** 2, (1 - p) / p), sigma, table["sigma"], str, table)
    assert len(sol.dropped) == 1 and sol.dropped[0][1] == "sigma > 0"
    assert sol.value.subs(p, sp.Rational(1, 4)) == sp.sqrt(3)


@pytest.mark.parametrize("rule, before", [
    (moments.linearity, "E(3 * sum(c[j] * m[j], j) + x)"),
    (moments.bias_variance, "E((sum(c[j] * m[j], j) - x)**2)"),
    (moments.variance_scaling, "Var(x * m[j] + s)"),
    (moments.independence, "E(m[j] * z)"),
    (moments.variance_of_product, "Var(m[j] * z)"),
])
def test_moment_rules_preserve_the_exact_value(table, ctx, rule, before):
    e = ex(table, before)
    after = rule(e, moments.RandomVars(table))
    assert after is not None and after != e
    assert same_value(e, after, ctx).ok  # exact moments by enumeration, independent of the rule


def test_variance_of_sum_needs_independent_terms(table, ctx):
    rv = moments.RandomVars(table)
    out, index = moments.variance_of_sum(ex(table, "Var(sum(c[j] * m[j], j))"), rv)
    assert index == "j" and same_value(ex(table, "Var(sum(c[j] * m[j], j))"), out, ctx).ok
    shared, _ = moments.variance_of_sum(ex(table, "Var(sum(c[j] * z, j))"), rv)
    assert shared is None  # the same z in every term: not independent


@pytest.mark.parametrize("text, value", [
    ("E(m[j])", "p"), ("Var(m[j])", "p*(1 - p)"), ("E(g[j]**2)", "sigma**2"), ("Var(z)", "sigma**2"),
])
def test_distribution_moments(table, ctx, text, value):
    out, facts = moments.moments(ex(table, text), moments.RandomVars(table))
    assert facts
    assert same_value(out, ex(table, value), ctx).ok


def test_half_moment_of_relu(table, ctx):
    from derive.expr.objects import relu

    e = E(relu(table["z"].obj) ** 2)
    out = moments.half_moment(e, moments.RandomVars(table))
    assert sp.simplify(out - table["sigma"].obj ** 2 / 2) == 0
    assert same_value(e, out, ctx).ok


def test_scalarize_turns_a_1x1_matrix_result_into_scalar_algebra(table):
    n, d = table["n"].obj, table["d"].obj
    x, lam, s = (table[k].obj for k in ("x", "lam", "s"))
    e = ex(table, "inv(X.T @ X + 2*n*lam*I) @ X.T @ t").subs({n: 1, d: 1})
    out = matrix.scalarize(e, {n: 1, d: 1}, {"X": "x", "t": "s"}, {"x": x, "s": s})
    assert sp.simplify(out - x * s / (x ** 2 + 2 * lam)) == 0


def test_regroup_uses_the_abbreviation(table, ctx):
    a = table["a"].obj
    value = ex(table, "X @ w - t")
    e = ex(table, "X @ (w - lam * X.T @ (X @ w - t)) - t")
    out = matrix.regroup(e, a, value)
    assert not out.has(table["t"].obj) and out.has(a)
    assert same_value(e, out, Context(table, {a: value})).ok


def test_to_scalar_bridges_1x1_products(table):
    e = ex(table, "lam * a.T @ a + 2 * a.T @ X @ w")
    s = calculus.to_scalar(e)
    assert not getattr(s, "is_Matrix", False)
    assert same_value(e, s, Context(table)).ok

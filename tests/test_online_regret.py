"""MIT 6.790 HW4 question 4(d) (the regret bound of online gradient descent, by a telescoping sum)
and 4(e) (a step size from coarse information), with their cousins. Checked against a direct
simulation of online gradient descent on the logistic loss in NumPy (the losses, gradients and
distances of the simulated run put into the derived bound), never against a typed formula; and
the telescoping rule on a table of summands checked by summing in exact fractions."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy

from bank_values import answer, evaluate, parts_of

SPEC = "mit-6790-hw4-online-regret"


def loss(v, x, y, lam=1.0):
    return np.log1p(np.exp(-y * v @ x)) + lam * v @ v


def loss_grad(v, x, y, lam=1.0):
    return -y * x * np.exp(-np.logaddexp(0, y * v @ x)) + 2 * lam * v


def simulate(rng, n, p, eta, scale=1.0):
    """Online gradient descent on n random examples: iterates w⁽¹⁾..w⁽ⁿ⁺¹⁾, the gradients, and a
    comparator w* (the minimiser of the summed loss, by plain gradient descent)."""
    X = rng.normal(size=(n, p)) * scale
    Y = rng.choice([-1.0, 1.0], size=n)
    w = [np.zeros(p) + rng.normal(size=p) * 0.3]
    grads = []
    for i in range(n):
        g = loss_grad(w[-1], X[i], Y[i])
        grads.append(g)
        w.append(w[-1] - eta * g)
    ws = np.zeros(p)
    for _ in range(3000):
        ws -= 0.05 * sum(loss_grad(ws, X[i], Y[i]) for i in range(n)) / n
    return X, Y, w, grads, ws


def interpolating(values):
    """A SymPy function through (k, values[k-1]) for k = 1..len(values): a stand-in for r(k)."""
    z = sympy.Symbol("z")
    poly = sympy.interpolate([(k + 1, sympy.Float(v, 30)) for k, v in enumerate(values)], z)
    return lambda arg: poly.subs(z, arg)


@pytest.mark.parametrize("seed", range(4))
def test_regret_bound_holds_on_a_simulated_run_and_matches_the_sheet(seed):
    rng = np.random.default_rng(seed)
    n, p, eta = int(rng.integers(3, 7)), 3, float(rng.uniform(0.05, 0.4))
    X, Y, w, grads, ws = simulate(rng, n, p, eta)
    L_n = np.mean([loss(w[i], X[i], Y[i]) for i in range(n)])
    L_star = np.mean([loss(ws, X[i], Y[i]) for i in range(n)])
    G = [g @ g for g in grads]
    dist = [np.linalg.norm(wk - ws) for wk in w]                        # r(1), …, r(n + 1)
    rel = answer(SPEC, "4d")
    assert isinstance(rel, sympy.LessThan)
    bound = evaluate(rel.rhs, functions={"r": interpolating(dist)}, n=n, eta=eta, G=G)
    sheet = (dist[0] ** 2 / eta + eta * sum(G)) / (2 * n)              # the sheet's right side
    assert bound == pytest.approx(sheet, rel=1e-9)
    assert L_n - L_star <= bound + 1e-12


@pytest.mark.parametrize("seed", range(3))
def test_the_specs_per_example_facts_hold_on_the_simulation(seed):
    """The spec states 4(c) as the slope identity and 4(b) as a gap c_i ≥ 0: both are checked on
    a simulated run, and the spec's comparator loss ℓᵢ(w*) = ℓᵢ(w⁽ⁱ⁾) − slope + cᵢ reproduced."""
    rng = np.random.default_rng(20 + seed)
    n, p, eta = 5, 4, 0.2
    X, Y, w, grads, ws = simulate(rng, n, p, eta)
    for i in range(n):
        slope = grads[i] @ (w[i] - ws)
        D, D1 = (w[i] - ws) @ (w[i] - ws), (w[i + 1] - ws) @ (w[i + 1] - ws)
        assert slope == pytest.approx((D - D1 + eta ** 2 * grads[i] @ grads[i]) / (2 * eta), rel=1e-9)
        gap = loss(ws, X[i], Y[i]) - loss(w[i], X[i], Y[i]) + slope
        assert gap >= -1e-12


def test_the_chain_telescopes_and_drops_two_signed_terms():
    rules = [s.rule for s in parts_of(SPEC)["4d"].steps]
    assert "telescope" in rules and "drop-signed-terms" in rules
    assert rules.index("telescope") < rules.index("drop-signed-terms")


SUMMANDS = {"a[i]": lambda a, b, r, i: a[i], "a[i - 1]": lambda a, b, r, i: a[i - 1],
            "r(i)**2": lambda a, b, r, i: r(i) ** 2, "i*a[i]": lambda a, b, r, i: i * a[i],
            "a[i]*b[i]": lambda a, b, r, i: a[i] * b[i]}


@pytest.mark.parametrize("summand", sorted(SUMMANDS))
def test_telescope_rule_on_a_table_of_summands(summand):
    """f(i) summed minus f(i + 1) summed is f(lo) − f(hi + 1), checked in exact fractions."""
    from sympy import Function, IndexedBase, Sum, Symbol

    from derive.rules.bounds import _telescope

    i, n = Symbol("i", integer=True), Symbol("n", integer=True, positive=True)
    a, b, r = IndexedBase("a"), IndexedBase("b"), Function("r")
    f = SUMMANDS[summand](a, b, r, i)
    e = 3 * Sum(f, (i, 2, n)) - 3 * Sum(f.xreplace({i: i + 1}), (i, 2, n)) + 7
    out = _telescope(e)
    assert out is not None
    rng = np.random.default_rng(0)
    vals = {k: Fraction(int(rng.integers(-9, 9)), int(rng.integers(1, 5))) for k in range(0, 12)}
    wals = {k: Fraction(int(rng.integers(-9, 9)), int(rng.integers(1, 5))) for k in range(0, 12)}
    nn = 6

    def num(expr):
        expr = expr.xreplace({n: nn}).doit()
        expr = expr.replace(lambda e: isinstance(e, sympy.Indexed),
                            lambda e: sympy.Rational(str((vals if e.base == a else wals)[int(e.indices[0])])))
        expr = expr.replace(lambda e: isinstance(e, sympy.core.function.AppliedUndef),
                            lambda e: sympy.Rational(int(e.args[0]) ** 2 - 5, 3))
        return sympy.nsimplify(expr)

    direct = 7 + 3 * sum(num(f.xreplace({i: k})) - num(f.xreplace({i: k + 1})) for k in range(2, nn + 1))
    assert num(out) == direct


def test_telescope_rule_refuses_a_shift_by_two():
    from sympy import IndexedBase, Sum, Symbol

    from derive.rules.bounds import _telescope

    i, n = Symbol("i", integer=True), Symbol("n", integer=True, positive=True)
    a = IndexedBase("a")
    assert _telescope(Sum(a[i], (i, 1, n)) - Sum(a[i + 2], (i, 1, n))) is None


STEP = "mit-6790-hw4-online-stepsize"


def test_gradient_norm_bound_against_central_differences():
    rel = answer(STEP, "4e-gradient")
    assert isinstance(rel, sympy.LessThan)
    rng = np.random.default_rng(5)
    for _ in range(40):
        p = 3
        w, x = rng.normal(size=p) * 2, rng.normal(size=p) * 3
        y = float(rng.choice([-1, 1]))
        h = 1e-6
        g = np.array([(loss(w + h * e, x, y) - loss(w - h * e, x, y)) / (2 * h) for e in np.eye(p)])
        bound = evaluate(rel.rhs, w=w.reshape(-1, 1), x=x.reshape(-1, 1), p=p)
        assert np.linalg.norm(g) <= bound + 1e-6
    rules = [s.rule for s in parts_of(STEP)["4e-gradient"].steps]
    assert "triangle" in rules and "unit-factors" in rules


@pytest.mark.parametrize("seed", range(3))
def test_iterate_norms_stay_below_the_unrolled_bound_in_a_simulation(seed):
    """The unrolled recurrence bounds ‖w⁽ᵏ⁺¹⁾‖ along a real run with ‖x‖ ≤ X, and stays ≤ X/2."""
    rng = np.random.default_rng(30 + seed)
    p, Xb, eta = 3, 77.0, float(rng.uniform(0.01, 0.5))
    w = np.zeros(p)
    bound = answer(STEP, "4e-iterates")
    for k in range(1, 40):
        x = rng.normal(size=p)
        x *= Xb * rng.uniform(0.5, 1) / np.linalg.norm(x)
        w = w - eta * loss_grad(w, x, float(rng.choice([-1, 1])))
        b = evaluate(bound.rhs if isinstance(bound, sympy.Equality) else bound, Xb=Xb, eta=eta, k=k)
        assert np.linalg.norm(w) <= float(b) + 1e-9 <= Xb / 2 + 1e-9


def test_chosen_step_size_minimises_the_bound_numerically():
    for n in (1, 10, 1000):
        eta = float(evaluate(answer(STEP, "4e").rhs, n=n))
        grid = np.geomspace(eta / 100, eta * 100, 20001)
        bound = 1 / (2 * n * grid) + grid * 154 ** 2 / 2
        assert grid[np.argmin(bound)] == pytest.approx(eta, rel=1e-3)


def test_cousin_total_regret_on_a_simulated_run_with_a_prior_loss():
    """ogd-regret-total: OGD on softplus(−yθᵀz) + μ‖θ − c‖² against a random comparator u; the
    derived bound, fed the run's own distances and gradients, bounds the run's total regret; and
    the derived gradient bound holds against central differences."""
    rng = np.random.default_rng(4)
    p, T, gamma, mu = 3, 6, 0.15, 0.7
    c = rng.normal(size=p)
    Z, Y = rng.normal(size=(T, p)) * 2, rng.choice([-1.0, 1.0], size=T)

    def f(th, j):
        return np.logaddexp(0, -Y[j] * th @ Z[j]) + mu * (th - c) @ (th - c)

    def fg(th, j):
        return -Y[j] * Z[j] * np.exp(-np.logaddexp(0, Y[j] * th @ Z[j])) + 2 * mu * (th - c)

    th, u = [rng.normal(size=p)], rng.normal(size=p)
    grads = []
    for j in range(T):
        grads.append(fg(th[-1], j))
        th.append(th[-1] - gamma * grads[-1])
    regret = sum(f(th[j], j) - f(u, j) for j in range(T))
    rel = answer("ogd-regret-total", "regret")
    dist = [np.linalg.norm(t - u) for t in th]
    bound = evaluate(rel.rhs, functions={"e": interpolating(dist)}, T=T, gamma=gamma, Q=[g @ g for g in grads])
    assert bound == pytest.approx(dist[0] ** 2 / (2 * gamma) + gamma / 2 * sum(g @ g for g in grads), rel=1e-9)
    assert regret <= bound + 1e-12
    gb = answer("ogd-regret-total", "gradient-bound")
    for j in range(T):
        t = rng.normal(size=p) * 2
        num = np.array([(f(t + 1e-6 * e, j) - f(t - 1e-6 * e, j)) / 2e-6 for e in np.eye(p)])
        right = evaluate(gb.rhs, theta=col(t), z=col(Z[j]), c=col(c), mu=mu, p=p)
        assert np.linalg.norm(num) <= right + 1e-6


def col(v):
    return v.reshape(-1, 1)

"""Issue 9: weight normalisation with weight decay, and proximal (mirror-descent) steps, against
finite differences and direct numerical minimisation. Unknown functions (kind: function) are
replaced by concrete smooth functions, once in SymPy for the derived answer and once in numpy for
the independent computation."""
from __future__ import annotations

import numpy as np
import pytest
import sympy

from bank_values import num, answer, evaluate, golden_min, holds, numeric_gradient, sides, value_of

SEEDS = range(3)

# a concrete loss of the output, in SymPy (for the derived answer) and numpy (for the reference)
L_SYM = lambda z: z ** 3 / 3 + sympy.sin(z) + 2 * z  # noqa: E731
L_NUM = lambda z: z ** 3 / 3 + np.sin(z) + 2 * z  # noqa: E731


def _wn_instance(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(2, 5))
    return d, rng.normal(size=(d, 1)), rng.normal(size=(d, 1)), num(rng.uniform(0.1, 1.5)), num(rng.uniform(0.05, 0.5))


def _y(w, x):
    return num(w.T @ x) / np.linalg.norm(w)


# == weightnorm-decay (Seminar 5, 2a-2c) ========================================================

@pytest.mark.parametrize("seed", SEEDS)
def test_weightnorm_step_identity_and_scale_invariance(seed):
    d, x, w0, lam, alpha = _wn_instance(seed)
    vals = dict(d=d, x=x, w0=w0, w=w0, alpha=alpha, c=2.5, **{"lambda": lam})
    total = lambda w: L_NUM(_y(w, x)) + lam / 2 * num(w.T @ w)  # noqa: E731
    step = w0 - alpha * numeric_gradient(total, w0)
    split = (1 - alpha * lam) * w0 - alpha * numeric_gradient(lambda w: L_NUM(_y(w, x)), w0)
    np.testing.assert_allclose(step, split, rtol=1e-6, atol=1e-8)
    lhs, rhs = sides(answer("weightnorm-decay", "2a", 0))
    for side in (lhs, rhs):
        np.testing.assert_allclose(np.asarray(evaluate(side, functions={"L": L_SYM}, **vals), float).reshape(d, 1),
                                   step, rtol=1e-6, atol=1e-8)
    lhs, rhs = sides(answer("weightnorm-decay", "2a", 1))
    for side in (lhs, rhs):
        assert num(evaluate(side, **vals)) == pytest.approx(_y(w0, x), rel=1e-12)
    assert _y(2.5 * w0, x) == pytest.approx(_y(w0, x), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_weightnorm_output_gradient_and_orthogonality(seed):
    d, x, w, lam, alpha = _wn_instance(seed)
    vals = dict(d=d, x=x, w=w, **{"lambda": lam})
    grad = evaluate(value_of(answer("weightnorm-decay", "2b-grad")), **vals)
    np.testing.assert_allclose(np.asarray(grad, float).reshape(d, 1), numeric_gradient(lambda v: _y(v, x), w), rtol=1e-6, atol=1e-8)
    g = numeric_gradient(lambda v: L_NUM(_y(v, x)), w)
    assert num(w.T @ g) == pytest.approx(0.0, abs=1e-6)
    for k, direct in ((0, num(w.T @ g)), (1, num((lam * w).T @ g))):
        for side in sides(answer("weightnorm-decay", "2b", k)):
            assert num(evaluate(side, functions={"L": L_SYM}, **vals)) == pytest.approx(direct, abs=1e-6)


@pytest.mark.parametrize("a,lam", [(0.5, 1.0), (2.0, 0.3), (1.0, 1.0)])
def test_weightnorm_norm_decrease_condition(a, lam):
    cond = answer("weightnorm-decay", "2c")
    for alpha in np.linspace(0.01, 4.0, 57):
        w1 = np.array([1.0, 0.0]) - alpha * (np.array([0.0, a]) + lam * np.array([1.0, 0.0]))
        direct = num(w1 @ w1) < 1
        if abs(num(w1 @ w1) - 1) < 1e-9:
            continue
        assert holds(cond, alpha=alpha, a=a, **{"lambda": lam}) == direct, f"α = {alpha}, a = {a}, λ = {lam}"


# == cousins of Seminar 5, 2a-2c ================================================================

@pytest.mark.parametrize("seed", SEEDS)
def test_quartic_penalty_step(seed):
    k, z, v0, mu, beta = _wn_instance(seed)
    vals = dict(k=k, z=z, v0=v0, mu=mu, beta=beta)
    penalty = lambda v: mu / 4 * num(v.T @ v) ** 2  # noqa: E731
    total = lambda v: L_NUM(_y(v, z)) + penalty(v)  # noqa: E731
    step = v0 - beta * numeric_gradient(total, v0)
    for side in sides(answer("weightnorm-quartic-decay", "step")):
        np.testing.assert_allclose(np.asarray(evaluate(side, functions={"ell": L_SYM}, **vals), float).reshape(k, 1),
                                   step, rtol=1e-6, atol=1e-8)
    shrink = evaluate(value_of(answer("weightnorm-quartic-decay", "shrink-factor")), **vals)
    np.testing.assert_allclose(np.asarray(shrink, float).reshape(k, 1), v0 - beta * numeric_gradient(penalty, v0), rtol=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_ratio_gradient_and_orthogonality(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 5))
    v, a, b = rng.normal(size=(k, 1)), rng.normal(size=(k, 1)), rng.normal(size=(k, 1))
    q = lambda u: num(a.T @ u) / num(b.T @ u)  # noqa: E731
    g = evaluate(value_of(answer("ratio-scale-invariance", "gradient")), k=k, v=v, a=a, b=b)
    np.testing.assert_allclose(np.asarray(g, float).reshape(k, 1), numeric_gradient(q, v), rtol=1e-5, atol=1e-7)
    for side in sides(answer("ratio-scale-invariance", "orthogonal")):
        assert num(evaluate(side, k=k, v=v, a=a, b=b)) == pytest.approx(num(v.T @ numeric_gradient(q, v)), abs=1e-5)


@pytest.mark.parametrize("rho,h,mu", [(0.5, 1.0, 2.0), (2.0, 0.3, 0.4), (1.0, 1.0, 1.0)])
def test_radius_condition(rho, h, mu):
    cond = answer("weightnorm-radius-condition", "shrink")
    for beta in np.linspace(0.01, 5.0, 61):
        v1 = np.array([rho, 0.0]) - beta * (np.array([0.0, h]) + mu * np.array([rho, 0.0]))
        if abs(num(v1 @ v1) - rho ** 2) < 1e-9:
            continue
        assert holds(cond, beta=beta, rho=rho, h=h, mu=mu) == (num(v1 @ v1) < rho ** 2)


# == mirror-descent-kl (Seminar 5, 3a-3b) and its cousins =======================================

F_SYM = lambda z: z ** 2 + sympy.sin(3 * z)  # noqa: E731
F_NUM = lambda z: z ** 2 + np.sin(3 * z)  # noqa: E731


def _fprime(z):
    return (F_NUM(z + 1e-6) - F_NUM(z - 1e-6)) / 2e-6


def _kl(x, x0):
    return x * np.log(x / x0) + (1 - x) * np.log((1 - x) / (1 - x0))


@pytest.mark.parametrize("x0,eps", [(0.2, 0.5), (0.7, 1.3), (0.95, 0.1)])
def test_bernoulli_kl_proximal_step_minimises_the_objective(x0, eps):
    objective = lambda x: _fprime(x0) * (x - x0) + _kl(x, x0) / eps  # noqa: E731
    best = golden_min(objective, 1e-12, 1 - 1e-12)
    got = num(evaluate(value_of(answer("mirror-descent-kl", "3a")), functions={"f": F_SYM}, x0=x0, epsilon=eps))
    assert got == pytest.approx(best, abs=1e-6)
    ratio = x0 * np.exp(-eps * _fprime(x0)) / (x0 * np.exp(-eps * _fprime(x0)) + 1 - x0)
    for side in sides(answer("mirror-descent-kl", "3a-ratio")):
        assert num(evaluate(side, functions={"f": F_SYM}, x0=x0, epsilon=eps)) == pytest.approx(ratio, rel=1e-6)


@pytest.mark.parametrize("eta0,eps", [(-1.0, 0.5), (0.3, 1.3), (2.0, 0.1)])
def test_bernoulli_kl_step_in_logits(eta0, eps):
    sig = lambda e: 1 / (1 + np.exp(-e))  # noqa: E731
    x0 = sig(eta0)
    objective = lambda e1: _fprime(x0) * (sig(e1) - x0) + _kl(sig(e1), x0) / eps  # noqa: E731
    best = golden_min(objective, -30, 30)
    got = num(evaluate(value_of(answer("mirror-descent-kl", "3b")), functions={"f": F_SYM}, eta0=eta0, epsilon=eps))
    assert got == pytest.approx(best, abs=1e-5)


@pytest.mark.parametrize("u0,kappa", [(0.3, 0.5), (2.0, 0.2), (5.0, 0.05)])
def test_entropy_proximal_step(u0, kappa):
    objective = lambda u: _fprime(u0) * (u - u0) + (u * np.log(u / u0) - u + u0) / kappa  # noqa: E731
    best = golden_min(objective, 1e-12, 100.0)
    got = num(evaluate(value_of(answer("mirror-descent-entropy", "prox")), functions={"h": F_SYM}, u0=u0, kappa=kappa))
    assert got == pytest.approx(best, rel=1e-6)


@pytest.mark.parametrize("theta0,kappa", [(-1.0, 0.5), (0.5, 0.2), (1.5, 0.05)])
def test_entropy_step_in_log_coordinates(theta0, kappa):
    u0 = np.exp(theta0)
    objective = lambda t1: _fprime(u0) * (np.exp(t1) - u0) + (np.exp(t1) * (t1 - theta0) - np.exp(t1) + u0) / kappa  # noqa: E731
    best = golden_min(objective, -20, 10)
    got = num(evaluate(value_of(answer("mirror-descent-log-coords", "log-step")), functions={"h": F_SYM}, theta0=theta0, kappa=kappa))
    assert got == pytest.approx(best, abs=1e-5)


@pytest.mark.parametrize("seed", SEEDS)
def test_euclidean_proximal_step(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    u0, p, kappa = rng.normal(size=(k, 1)), rng.normal(size=(k, 1)), num(rng.uniform(0.1, 2))
    objective = lambda u: num(p.T @ (u - u0)) + num(np.sum((u - u0) ** 2)) / (2 * kappa)  # noqa: E731
    u = np.asarray(evaluate(value_of(answer("prox-euclidean", "prox")), k=k, u0=u0, p=p, kappa=kappa), float).reshape(k, 1)
    assert np.linalg.norm(numeric_gradient(objective, u)) < 1e-7
    for _ in range(50):
        assert objective(u) <= objective(u + rng.normal(scale=0.1, size=u.shape)) + 1e-12

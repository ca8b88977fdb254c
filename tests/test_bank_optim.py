"""Issue 9: minimum-norm solutions, SGD/RMSProp/Adagrad, one-step losses, weight decay and momentum,
against numpy linear algebra, finite differences and simulated optimisers."""
from __future__ import annotations

import numpy as np
import pytest

from bank_values import (num, answer, evaluate, numeric_gradient, parabola_vertex, second_derivative, sides,
                         value_of)

CASES = [(5, 3, 0), (3, 5, 1), (7, 2, 2)]  # (n, d, seed), n ≠ d both ways
WIDE = [(2, 4, 0), (3, 7, 1), (1, 3, 2)]   # n < d


def _col(v, k):
    return np.asarray(v, float).reshape(k, 1)


# == minnorm-sgd (CSC413 2022 HW2 1.1.1) ========================================================

@pytest.mark.parametrize("n,d,seed", WIDE)
def test_min_norm_fit_is_the_pseudo_inverse_solution_and_sgd_reaches_it(n, d, seed):
    rng = np.random.default_rng(seed)
    X, t = rng.normal(size=(n, d)), rng.normal(size=(n, 1))
    w = _col(evaluate(value_of(answer("minnorm-sgd", "1.1.1a")), n=n, d=d, X=X, t=t), d)
    np.testing.assert_allclose(w, np.linalg.pinv(X) @ t, rtol=1e-9, atol=1e-12)
    # 1.1.1c reports the fit w = Xᵀc it finds (answer_as): an exact fit, and the minimum-norm one
    fit = _col(evaluate(value_of(answer("minnorm-sgd", "1.1.1c")), n=n, d=d, X=X, t=t), d)
    np.testing.assert_allclose(X @ fit, t, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fit, w, rtol=1e-9, atol=1e-12)
    # mini-batch SGD from zero, simulated
    v, lr = np.zeros((d, 1)), 0.5 / np.linalg.norm(X, 2) ** 2
    for _ in range(20000):
        batch = rng.choice(n, size=max(1, n - 1), replace=False)
        v -= lr / len(batch) * sum(2 * X[[j]].T @ (X[[j]] @ v - t[[j]]) for j in batch)
    np.testing.assert_allclose(v, w, atol=1e-6)


@pytest.mark.parametrize("n,d,seed", CASES)
def test_minibatch_gradient_is_in_the_row_space(n, d, seed):
    rng = np.random.default_rng(seed)
    X, t, w = rng.normal(size=(n, d)), rng.normal(size=(n, 1)), rng.normal(size=(d, 1))
    S = np.diag(rng.integers(0, 2, size=n).astype(float))
    b = num(max(1.0, S.sum()))
    grad = numeric_gradient(lambda v: num(np.sum((S @ (X @ v - t)) ** 2)) / b, w)
    for side in sides(answer("minnorm-sgd", "1.1.1b")):
        np.testing.assert_allclose(_col(evaluate(side, n=n, d=d, X=X, t=t, w=w, S=S, b=b), d), grad, rtol=1e-6, atol=1e-8)
    coef = np.linalg.lstsq(X.T, grad, rcond=None)[0]
    np.testing.assert_allclose(X.T @ coef, grad, atol=1e-6)  # in the row space


# == rmsprop-minnorm (CSC413 2022 HW2 1.2.1) and adagrad-toy ===================================

def _adaptive(a, t, eta, beta, steps, adagrad=False):
    w, v, path = np.zeros(2), np.zeros(2), []
    for _ in range(steps):
        g = 2 * (a @ w - t) * a
        v = v + g * g if adagrad else beta * v + (1 - beta) * g * g
        w = w - eta * g / np.sqrt(v)
        path.append(w.copy())
    return np.array(path)


@pytest.mark.parametrize("eta,beta", [(0.01, 0.9), (0.1, 0.5), (0.001, 0.99)])
def test_rmsprop_first_step(eta, beta):
    first = _adaptive(np.array([2.0, 1.0]), 2.0, eta, beta, 1)[0]
    got = evaluate(value_of(answer("rmsprop-minnorm", "1.2.1a")), eta=eta, beta=beta)
    np.testing.assert_allclose(np.asarray(got, float).ravel(), first, rtol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_rmsprop_normalised_gradients_coincide(seed):
    rng = np.random.default_rng(seed)
    vals = dict(a1=num(rng.uniform(0.2, 3)), a2=num(rng.uniform(0.2, 3)), t=num(rng.normal()),
                w1=num(rng.normal()), w2=num(rng.normal()), beta=num(rng.uniform(0.1, 0.95)), V=num(rng.uniform(0.1, 3)))
    loss = lambda u: (vals["a1"] * u[0] + vals["a2"] * u[1] - vals["t"]) ** 2  # noqa: E731
    g = numeric_gradient(loss, np.array([vals["w1"], vals["w2"]]))
    direct = [g[i] / np.sqrt(vals["beta"] * vals[f"a{i + 1}"] ** 2 * vals["V"] + (1 - vals["beta"]) * g[i] ** 2) for i in (0, 1)]
    assert direct[0] == pytest.approx(direct[1], rel=1e-6)
    for side in sides(answer("rmsprop-minnorm", "1.2.1b")):  # g1, g2 may stay folded in the identity
        assert num(evaluate(side, g1=g[0], g2=g[1], **vals)) == pytest.approx(direct[0], rel=1e-6)


def test_rmsprop_limit_versus_min_norm():
    path = _adaptive(np.array([2.0, 1.0]), 2.0, 1e-3, 0.9, 4000)
    assert np.abs(path[:, 0] - path[:, 1]).max() < 1e-12, "RMSProp left the diagonal"
    s = num(evaluate(value_of(answer("rmsprop-minnorm", "1.2.1c"))))
    assert s == pytest.approx(path[-1, 0], abs=5e-3)
    wmin = np.asarray(evaluate(value_of(answer("rmsprop-minnorm", "1.2.1d"))), float).ravel()
    np.testing.assert_allclose(wmin, (np.linalg.pinv(np.array([[2.0, 1.0]])) @ np.array([2.0])).ravel(), atol=1e-12)
    gap = evaluate(value_of(answer("rmsprop-minnorm", "1.2.1e")))
    assert num(gap) == pytest.approx(num(path[-1] @ path[-1] - wmin @ wmin), abs=2e-2)
    assert num(gap) > 0


def test_adagrad_first_step_limit_and_gap():
    a = np.array([1.0, 3.0])
    for rho in (0.01, 0.2):
        got = evaluate(value_of(answer("adagrad-toy", "first-step")), rho=rho)
        np.testing.assert_allclose(np.asarray(got, float).ravel(), _adaptive(a, 3.0, rho, 0, 1, adagrad=True)[0], rtol=1e-12)
    path = _adaptive(a, 3.0, 0.05, 0, 20000, adagrad=True)
    assert np.abs(path[:, 0] - path[:, 1]).max() < 1e-12
    r = num(evaluate(value_of(answer("adagrad-toy", "limit"))))
    assert r == pytest.approx(path[-1, 0], abs=1e-6)
    umin = np.asarray(evaluate(value_of(answer("adagrad-toy", "minnorm"))), float).ravel()
    np.testing.assert_allclose(umin, (np.linalg.pinv(a[None, :]) @ np.array([3.0])).ravel(), atol=1e-12)
    gap = num(evaluate(value_of(answer("adagrad-toy", "gap"))))
    assert gap == pytest.approx(num(path[-1] @ path[-1] - umin @ umin), abs=1e-5)


# == one-step-convexity (2.2.2) and one-step-convexity-ridge ====================================

@pytest.mark.parametrize("n,d,seed", CASES)
def test_second_derivative_of_loss_after_one_step(n, d, seed):
    rng = np.random.default_rng(seed)
    X, t, w0 = rng.normal(size=(n, d)), rng.normal(size=(n, 1)), rng.normal(size=(d, 1))
    loss = lambda w: num(np.sum((X @ w - t) ** 2)) / n  # noqa: E731
    g = numeric_gradient(loss, w0)
    L1 = lambda eta: loss(w0 - eta * g)  # noqa: E731
    got = num(evaluate(value_of(answer("one-step-convexity", "2.2.2")), n=n, d=d, X=X, t=t, w0=w0, eta=0.3))
    assert got == pytest.approx(second_derivative(L1, 0.3), rel=1e-4)
    assert got >= 0


@pytest.mark.parametrize("m,q,seed", CASES)
def test_second_derivative_of_ridge_loss_after_one_step(m, q, seed):
    rng = np.random.default_rng(seed)
    A, b, v0, kappa = rng.normal(size=(m, q)), rng.normal(size=(m, 1)), rng.normal(size=(q, 1)), num(rng.uniform(0.1, 2))
    J = lambda v: 0.5 * num(np.sum((A @ v - b) ** 2)) + kappa / 2 * num(np.sum(v ** 2))  # noqa: E731
    g = numeric_gradient(J, v0)
    got = num(evaluate(value_of(answer("one-step-convexity-ridge", "curvature")), m=m, q=q, A=A, b=b, v0=v0, kappa=kappa, rho=0.2))
    assert got == pytest.approx(second_derivative(lambda r: J(v0 - r * g), 0.2), rel=1e-4)
    assert got >= 0


# == weight-decay-l2 (2.3.1, 2.3.2) and weight-decay-match-half ================================

@pytest.mark.parametrize("n,d,seed", CASES)
def test_penalised_and_decayed_steps(n, d, seed):
    rng = np.random.default_rng(seed)
    X, t, w0 = rng.normal(size=(n, d)), rng.normal(size=(n, 1)), rng.normal(size=(d, 1))
    eta, lam, lamt = 0.1, 0.05, 0.7
    loss = lambda w: num(np.sum((X @ w - t) ** 2)) / n  # noqa: E731
    vals = dict(n=n, d=d, X=X, t=t, w0=w0, eta=eta, lamt=lamt, **{"lambda": lam})
    pen = w0 - eta * numeric_gradient(lambda w: loss(w) + lamt * num(np.sum(w ** 2)), w0)
    dec = (1 - lam) * w0 - eta * numeric_gradient(loss, w0)
    np.testing.assert_allclose(_col(evaluate(value_of(answer("weight-decay-l2", "2.3.1", 0)), **vals), d), pen, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(_col(evaluate(value_of(answer("weight-decay-l2", "2.3.1", 1)), **vals), d), dec, rtol=1e-6, atol=1e-8)
    match = num(evaluate(value_of(answer("weight-decay-l2", "2.3.2")), eta=eta, **{"lambda": lam}))
    for _ in range(3):
        w = rng.normal(size=(d, 1))
        np.testing.assert_allclose(w - eta * numeric_gradient(lambda v: loss(v) + match * num(np.sum(v ** 2)), w),
                                   (1 - lam) * w - eta * numeric_gradient(loss, w), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("m,q,seed", CASES)
def test_halved_convention_match(m, q, seed):
    rng = np.random.default_rng(seed)
    A, b = rng.normal(size=(m, q)), rng.normal(size=(m, 1))
    rho, delta = 0.2, 0.03
    J = lambda v: num(np.sum((A @ v - b) ** 2)) / (2 * m)  # noqa: E731
    kappa = num(evaluate(value_of(answer("weight-decay-match-half", "match")), rho=rho, delta=delta))
    for _ in range(3):
        v = rng.normal(size=(q, 1))
        np.testing.assert_allclose(v - rho * numeric_gradient(lambda u: J(u) + kappa / 2 * num(np.sum(u ** 2)), v),
                                   (1 - delta) * v - rho * numeric_gradient(J, v), rtol=1e-6, atol=1e-8)


# == minnorm-weighted (cousin of 1.1.1) =========================================================

@pytest.mark.parametrize("m,q,seed", WIDE)
def test_weighted_min_norm_fit_against_kkt(m, q, seed):
    rng = np.random.default_rng(seed)
    A, b = rng.normal(size=(m, q)), rng.normal(size=(m, 1))
    R = rng.normal(size=(q, q))
    P = R @ R.T + q * np.eye(q)
    K = np.block([[2 * P, A.T], [A, np.zeros((m, m))]])
    ref = np.linalg.solve(K, np.vstack([np.zeros((q, 1)), b]))[:q]
    v = _col(evaluate(value_of(answer("minnorm-weighted", "weighted-minnorm")), m=m, q=q, A=A, b=b, P=P), q)
    np.testing.assert_allclose(v, ref, rtol=1e-8, atol=1e-10)
    u = rng.normal(size=(q, 1))
    direct = np.linalg.solve(P, numeric_gradient(lambda x: num(np.sum((A @ x - b) ** 2)), u))
    for side in sides(answer("minnorm-weighted", "preconditioned-step")):
        np.testing.assert_allclose(_col(evaluate(side, m=m, q=q, A=A, b=b, P=P, v=u), q), direct, rtol=1e-6, atol=1e-8)


# == momentum-nesterov-step, elastic-net-step, exact-line-search ================================

@pytest.mark.parametrize("seed", range(3))
def test_heavy_ball_and_nesterov_steps(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 5))
    R = rng.normal(size=(k, k))
    Q, c, v0, m0 = R + R.T, rng.normal(size=(k, 1)), rng.normal(size=(k, 1)), rng.normal(size=(k, 1))
    mu, rho = 0.9, 0.1
    F = lambda v: 0.5 * num(v.T @ Q @ v) - num(c.T @ v)  # noqa: E731
    heavy = v0 + mu * m0 - rho * numeric_gradient(F, v0)
    nest = v0 + mu * m0 - rho * numeric_gradient(F, v0 + mu * m0)
    vals = dict(k=k, Q=Q, c=c, v0=v0, m0=m0, mu=mu, rho=rho)
    np.testing.assert_allclose(_col(evaluate(value_of(answer("momentum-nesterov-step", "heavy-ball")), **vals), k), heavy, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(_col(evaluate(value_of(answer("momentum-nesterov-step", "nesterov")), **vals), k), nest, rtol=1e-6, atol=1e-8)
    for side in sides(answer("momentum-nesterov-step", "difference")):
        np.testing.assert_allclose(_col(evaluate(side, **vals), k), nest - heavy, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("m,q,seed", CASES)
def test_elastic_net_step(m, q, seed):
    rng = np.random.default_rng(seed)
    A, b, v0 = rng.normal(size=(m, q)), rng.normal(size=(m, 1)), rng.normal(size=(q, 1))
    v0[np.abs(v0) < 0.1] = 0.5
    gamma, kappa, rho = 0.3, 0.2, 0.1
    J = lambda v: num(np.sum((A @ v - b) ** 2)) / (2 * m) + gamma * num(np.abs(v).sum()) + kappa / 2 * num(np.sum(v ** 2))  # noqa: E731
    got = evaluate(value_of(answer("elastic-net-step", "step")), m=m, q=q, A=A, b=b, v0=v0, gamma=gamma, kappa=kappa, rho=rho)
    np.testing.assert_allclose(_col(got, q), v0 - rho * numeric_gradient(J, v0, h=1e-7), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("seed", range(3))
def test_exact_line_search(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    R = rng.normal(size=(k, k))
    Q, c, v0 = R @ R.T + np.eye(k), rng.normal(size=(k, 1)), rng.normal(size=(k, 1))
    F = lambda v: 0.5 * num(v.T @ Q @ v) - num(c.T @ v)  # noqa: E731
    g = numeric_gradient(F, v0)
    for rho in (0.0, 0.3):
        got = evaluate(value_of(answer("exact-line-search", "step")), k=k, Q=Q, c=c, v0=v0, rho=rho)
        np.testing.assert_allclose(_col(got, k), v0 - rho * g, rtol=1e-6, atol=1e-8)
    best = num(evaluate(value_of(answer("exact-line-search", "best-rate")), k=k, Q=Q, c=c, v0=v0, p=Q @ v0 - c))
    assert best == pytest.approx(parabola_vertex(lambda r: F(v0 - r * g)), rel=1e-6)

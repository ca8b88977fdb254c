"""Issue 9: ridge regression and minimum-norm fits on small data sets, against independent numerics."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from bank_values import num, answer, evaluate, numeric_gradient, value_of

TOY_X = np.array([[1.0, 1.0], [-1.0, -1.0]])
TOY_T = np.array([[1.0], [-1.0]])


def _lstsq_ridge(X, t, lam, D=None, scale=1.0):
    """argmin scale·‖Xw − t‖² + λ‖Dw‖² as least squares on an augmented system."""
    d = X.shape[1]
    D = np.eye(d) if D is None else D
    A = np.vstack([np.sqrt(scale) * X, np.sqrt(lam) * D])
    b = np.vstack([np.sqrt(scale) * t, np.zeros((d, 1))])
    return np.linalg.lstsq(A, b, rcond=None)[0]


def _min_norm_fit(A, b, P=None):
    """The solution of Av = b minimising vᵀPv, from the KKT system solved by numpy."""
    q, m = A.shape[1], A.shape[0]
    P = np.eye(q) if P is None else P
    K = np.block([[2 * P, A.T], [A, np.zeros((m, m))]])
    rhs = np.vstack([np.zeros((q, 1)), b])
    return np.linalg.lstsq(K, rhs, rcond=None)[0][:q]


@pytest.mark.parametrize("lam", [0.05, 0.5, 1.0, 3.0])
def test_toy_ridge_solution_matches_least_squares(lam):
    w = evaluate(value_of(answer("ridge-toy-lambda", "1.2.1c")), **{"lambda": lam})
    ref = _lstsq_ridge(TOY_X, TOY_T, lam, scale=1 / (2 * 2))
    np.testing.assert_allclose(np.asarray(w, float).reshape(2, 1), ref, rtol=1e-9)
    objective = lambda v: num(np.sum((TOY_X @ v - TOY_T) ** 2) / 4 + lam * np.sum(v ** 2))  # noqa: E731
    assert np.linalg.norm(numeric_gradient(objective, ref)) < 1e-7


def test_toy_min_norm_fit_and_contour_value():
    w = np.asarray(evaluate(value_of(answer("ridge-toy-lambda", "1.2.1d"))), float).reshape(2, 1)
    np.testing.assert_allclose(TOY_X @ w, TOY_T, atol=1e-12)
    np.testing.assert_allclose(w, _min_norm_fit(TOY_X, TOY_T), atol=1e-12)
    # brute force along the line of exact fits w = (s, 1 − s)
    s = np.linspace(-3, 3, 600001)
    best = (s ** 2 + (1 - s) ** 2).min()
    c = evaluate(value_of(answer("ridge-toy-lambda", "1.2.1e")))
    assert num(c) == pytest.approx(best, abs=1e-9)
    assert num(c) == pytest.approx(num(w.T @ w), abs=1e-12)


@pytest.mark.parametrize("lam", [0.1, 1.0, 4.0])
def test_weighted_toy_ridge_matches_least_squares(lam):
    D = np.diag([1.0, 2.0])  # uᵀ diag(1, 4) u = ‖Du‖²
    u = evaluate(value_of(answer("ridge-weighted-toy", "weighted-ridge")), lam=lam)
    np.testing.assert_allclose(np.asarray(u, float).reshape(2, 1), _lstsq_ridge(TOY_X, TOY_T, lam, D=D), rtol=1e-9)


def test_weighted_toy_limit_is_the_small_lambda_ridge_solution():
    u = np.asarray(evaluate(value_of(answer("ridge-weighted-toy", "weighted-limit"))), float).reshape(2, 1)
    np.testing.assert_allclose(u, _min_norm_fit(np.array([[1.0, 1.0]]), np.array([[1.0]]), P=np.diag([1.0, 4.0])), atol=1e-12)
    np.testing.assert_allclose(u, _lstsq_ridge(TOY_X, TOY_T, 1e-9, D=np.diag([1.0, 2.0])), atol=1e-6)


def test_three_weight_min_norm_fit_and_contour():
    A = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    b = np.array([[1.0], [2.0]])
    v = np.asarray(evaluate(value_of(answer("minnorm-plane-toy", "minnorm"))), float).reshape(3, 1)
    np.testing.assert_allclose(v, np.linalg.pinv(A) @ b, atol=1e-12)
    c = evaluate(value_of(answer("minnorm-plane-toy", "sqnorm")))
    assert c == pytest.approx(num(np.sum((np.linalg.pinv(A) @ b) ** 2)), abs=1e-12)
    assert Fraction(str(c)) == Fraction(2) or num(c) == pytest.approx(2.0)


@pytest.mark.parametrize("m,q,seed", [(5, 3, 0), (3, 5, 1), (7, 2, 2)])
def test_tikhonov_ridge_matches_least_squares(m, q, seed):
    rng = np.random.default_rng(seed)
    A, b = rng.normal(size=(m, q)), rng.normal(size=(m, 1))
    D = rng.normal(size=(q, q)) + 2 * np.eye(q)
    kappa = num(rng.uniform(0.1, 2.0))
    v = evaluate(value_of(answer("ridge-weighted-penalty", "solution")), m=m, q=q, A=A, b=b, D=D, kappa=kappa)
    ref = _lstsq_ridge(A, b, kappa, D=D, scale=1 / (2 * m))
    np.testing.assert_allclose(np.asarray(v, float).reshape(q, 1), ref, rtol=1e-8)

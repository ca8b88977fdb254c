"""MIT 6.790 HW4 question 5 (an adversarial input against a sigmoid unit, through the hinge
max(0, σ(Wᵀx + W₀) − 1/2)) and its cousin. Every answer is checked against NumPy: the gradient by
central differences away from the kink (and its shape d × 1), the hinge's two sides, the
threshold on α by evaluating J itself at x* and at the nearest boundary point, and the claim that
going past the boundary never helps by a brute-force search along random directions."""
from __future__ import annotations

import numpy as np
import pytest
import sympy

from bank_values import answer, evaluate

SPEC = "mit-6790-hw4-adversarial"


def sig(z):
    return 1 / (1 + np.exp(-z))


def J(x, xs, W, W0, alpha):
    return alpha * (x - xs) @ (x - xs) + max(0.0, sig(W @ x + W0) - 0.5)


def instance(rng, d=3):
    W, xs = rng.normal(size=d), rng.normal(size=d)
    zs = float(rng.uniform(0.2, 3))
    return W, xs, zs, zs - W @ xs                                     # W0 makes the logit of x* zs


def col(v):
    return v.reshape(-1, 1)


@pytest.mark.parametrize("part", ["5c", "5c-positive", "5c-negative"])
def test_gradient_matches_central_differences_on_each_side(part):
    rng = np.random.default_rng(1)
    checked = {True: 0, False: 0}
    for _ in range(60):
        d = 3
        W, xs, zs, W0 = instance(rng, d)
        alpha = float(rng.uniform(0.1, 2))
        x = xs + rng.normal(size=d) * 2
        z = W @ x + W0
        if abs(z) < 1e-3:
            continue
        positive = z > 0
        if (part == "5c-positive" and not positive) or (part == "5c-negative" and positive):
            continue
        h = 1e-6
        num = np.array([(J(x + h * e, xs, W, W0, alpha) - J(x - h * e, xs, W, W0, alpha)) / (2 * h) for e in np.eye(d)])
        got = evaluate(answer(SPEC, part), x=col(x), x_star=col(xs), W=col(W), zs=zs, alpha=alpha, d=d)
        assert np.shape(got) == (d, 1), "∇ₓJ is a d × 1 column, like x (5b)"
        assert np.allclose(np.ravel(got), num, atol=1e-5)
        checked[bool(positive)] += 1
    assert sum(checked.values()) > 10


def test_hinge_is_active_exactly_for_a_positive_logit():
    ident = answer(SPEC, "5c-active")
    for z in np.linspace(-6, 6, 121):
        left = float(evaluate(ident.lhs, z=z))
        assert left == pytest.approx(sig(z) - 0.5, abs=1e-12)
        assert float(evaluate(ident.rhs, z=z)) == pytest.approx(left, abs=1e-12)
        assert (left > 0) == (z > 0)


@pytest.mark.parametrize("seed", range(4))
def test_alpha_threshold_against_J_at_the_boundary_point_and_at_x_star(seed):
    rng = np.random.default_rng(seed)
    W, xs, zs, W0 = instance(rng)
    omega = np.linalg.norm(W)
    xB = xs - zs / omega ** 2 * W                                      # the nearest point with logit 0
    assert W @ xB + W0 == pytest.approx(0, abs=1e-12)
    small, large = answer(SPEC, "5d"), answer(SPEC, "5e")
    assert isinstance(small, sympy.StrictLessThan) and isinstance(large, sympy.StrictGreaterThan)
    threshold = float(evaluate(small.rhs, omega=omega, zs=zs))
    assert float(evaluate(large.rhs, omega=omega, zs=zs)) == pytest.approx(threshold)
    for alpha in threshold * np.array([0.2, 0.9, 1.1, 5]):
        crossing_pays = J(xB, xs, W, W0, alpha) < J(xs, xs, W, W0, alpha)
        assert crossing_pays == (alpha < threshold)


def test_going_past_the_boundary_never_lowers_J():
    rng = np.random.default_rng(9)
    rel = answer(SPEC, "5d-beyond")
    assert isinstance(rel, sympy.GreaterThan)
    for _ in range(20):
        W, xs, zs, W0 = instance(rng)
        alpha = float(rng.uniform(0.01, 3))
        omega = np.linalg.norm(W)
        xB = xs - zs / omega ** 2 * W
        for _ in range(50):                                            # any point with logit ≤ 0
            x = xs + rng.normal(size=3) * 3
            if W @ x + W0 <= 0:
                assert J(x, xs, W, W0, alpha) >= J(xB, xs, W, W0, alpha) - 1e-12
        for u in (0.0, 0.3, 2.0):                                       # the spec's φ along the ray
            phi = lambda t: J(xs - t * W / omega, xs, W, W0, alpha)  # noqa: E731
            lhs = evaluate(rel.lhs, alpha=alpha, zs=zs, omega=omega, u=u)
            assert float(lhs) == pytest.approx(phi(zs / omega + u), rel=1e-9, abs=1e-12)


def test_cousin_tanh_unit_gradient_threshold_and_past_the_boundary():
    """adversarial-tanh-margin: K(u) = β‖u − u₀‖² + max(0, tanh(aᵀu + b))."""
    rng = np.random.default_rng(11)
    name = "adversarial-tanh-margin"

    def K(u, u0, a, b, beta):
        return beta * (u - u0) @ (u - u0) + max(0.0, np.tanh(a @ u + b))

    for _ in range(30):
        a, u0 = rng.normal(size=3), rng.normal(size=3)
        m, beta = float(rng.uniform(0.2, 2)), float(rng.uniform(0.05, 2))
        b = m - a @ u0
        u = u0 + rng.normal(size=3) * 2
        if abs(a @ u + b) > 1e-3:
            num = np.array([(K(u + 1e-6 * e, u0, a, b, beta) - K(u - 1e-6 * e, u0, a, b, beta)) / 2e-6 for e in np.eye(3)])
            got = evaluate(answer(name, "gradient"), u=col(u), u0=col(u0), a=col(a), m=m, beta=beta, k=3)
            assert np.shape(got) == (3, 1) and np.allclose(np.ravel(got), num, atol=1e-5)
        rho = np.linalg.norm(a)
        uB = u0 - m / rho ** 2 * a
        threshold = float(evaluate(answer(name, "small-beta").rhs, rho=rho, m=m))
        assert (K(uB, u0, a, b, beta) < K(u0, u0, a, b, beta)) == (beta < threshold)
        for _ in range(20):
            x = u0 + rng.normal(size=3) * 3
            if a @ x + b <= 0:
                assert K(x, u0, a, b, beta) >= K(uB, u0, a, b, beta) - 1e-12
    ident = answer(name, "active")
    for q in np.linspace(-4, 4, 33):
        assert float(evaluate(ident.rhs, q=q)) == pytest.approx(np.tanh(q), abs=1e-12)

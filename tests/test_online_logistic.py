"""MIT 6.790 HW4 question 4(a)–(c) and the cousin tangent-plane-bounds: the online update, the
convexity inequality (certified) and its reverse (a certified counterexample), and the
expansion of the distance to w*. Checked against NumPy: central differences of the loss, the
inequalities at many random points, the counterexample's own numbers, and a direct simulation of
one step of online gradient descent."""
from __future__ import annotations

import numpy as np
import pytest
import sympy

from bank_values import answer, evaluate, parts_of

SPEC = "mit-6790-hw4-online-logistic"


def loss(v, x, y):
    return np.log1p(np.exp(-y * v @ x)) + v @ v


def grad(f, v, h=1e-6):
    out = np.zeros_like(v)
    for k in range(len(v)):
        e = np.zeros_like(v)
        e[k] = h
        out[k] = (f(v + e) - f(v - e)) / (2 * h)
    return out


def numeric(expr, values: dict):
    """A derived vector or scalar in floats (tests/bank_values.evaluate, column vectors)."""
    out = evaluate(expr, **{k: (v.reshape(-1, 1) if isinstance(v, np.ndarray) else v) for k, v in values.items()})
    return np.asarray(out, dtype=float).ravel() if np.ndim(out) else float(out)


@pytest.mark.parametrize("seed", range(5))
def test_online_update_is_one_step_along_the_numerical_gradient(seed):
    rng = np.random.default_rng(seed)
    p = 3
    w, x = rng.normal(size=p), rng.normal(size=p)
    y, eta = float(rng.choice([-1, 1])), float(rng.uniform(0.01, 0.5))
    got = numeric(answer(SPEC, "4a"), {"w": w, "x": x, "y": y, "eta": eta, "p": p})
    want = w - eta * grad(lambda v: loss(v, x, y), w)
    assert np.allclose(got, want, rtol=1e-6, atol=1e-8)


def test_convexity_inequality_holds_at_many_points_and_its_reverse_fails_at_the_answer():
    rng = np.random.default_rng(0)
    for _ in range(300):
        p = int(rng.integers(1, 5))
        w, ws, x = rng.normal(size=p) * 3, rng.normal(size=p) * 3, rng.normal(size=p) * 3
        y = float(rng.choice([-1, 1]))
        d = np.linalg.norm(ws - w)
        left = (loss(ws, x, y) - loss(w, x, y)) / d
        right = grad(lambda v: loss(v, x, y), w) @ (ws - w) / d
        assert left >= right - 1e-6
    assert isinstance(answer(SPEC, "4b"), sympy.GreaterThan)
    rules = [s.rule for s in parts_of(SPEC)["4b"].steps]
    assert rules == ["clear-positive-factor", "convex-first-order"]
    ce = answer(SPEC, "4b-other")
    values = {str(a.lhs): a.rhs for a in ce.args if isinstance(a, sympy.Equality)}
    w, ws, x = (np.array(values[k], dtype=float).ravel() for k in ("w", "w_star", "x"))
    y = float(values["y"])
    assert y in (-1.0, 1.0)
    d = np.linalg.norm(ws - w)
    left = (loss(ws, x, y) - loss(w, x, y)) / d
    right = grad(lambda v: loss(v, x, y), w) @ (ws - w) / d
    assert left > right + 1e-3, "the counterexample really breaks the reverse inequality"


@pytest.mark.parametrize("seed", range(4))
def test_distance_expansion_matches_a_simulated_step(seed):
    rng = np.random.default_rng(10 + seed)
    p = 4
    w, ws, x = rng.normal(size=p), rng.normal(size=p), rng.normal(size=p)
    y, eta = 1.0, float(rng.uniform(0.05, 1))
    g = grad(lambda v: loss(v, x, y), w)
    w_next = w - eta * g                                        # the online step, simulated
    change = np.linalg.norm(w_next - ws) ** 2 - np.linalg.norm(w - ws) ** 2
    ident = answer(SPEC, "4c")
    got = numeric(ident.rhs, {"g": g, "w": w, "w_star": ws, "eta": eta, "p": p})
    assert got == pytest.approx(change, rel=1e-9, abs=1e-12)


def test_cousin_exponential_loss_tangent_plane():
    rng = np.random.default_rng(3)

    def f(u, a, c, mu):
        return np.exp(-c * a @ u) + mu * u @ u

    for _ in range(200):
        k = int(rng.integers(1, 4))
        a, b, z = (rng.normal(size=k) for _ in range(3))
        c, mu = float(rng.normal()), float(rng.uniform(0, 2))
        assert f(z, a, c, mu) - f(b, a, c, mu) >= grad(lambda u: f(u, a, c, mu), b) @ (z - b) - 1e-6
    assert isinstance(answer("tangent-plane-bounds", "above"), sympy.GreaterThan)
    ce = answer("tangent-plane-bounds", "below")
    v = {str(e.lhs): e.rhs for e in ce.args if isinstance(e, sympy.Equality)}
    a, b, z = (np.array(v[k], dtype=float).ravel() for k in ("a", "b", "z"))
    c, mu = float(v["c"]), float(v["mu"])
    assert f(z, a, c, mu) - f(b, a, c, mu) > grad(lambda u: f(u, a, c, mu), b) @ (z - b) + 1e-6

"""Issue 9: adversarial perturbations (FGSM/FGM) and trust regions, against independent numerics."""
from __future__ import annotations

import numpy as np
import pytest

from bank_values import num, answer, derivative, evaluate, golden_min, numeric_gradient, sides, value_of

SEEDS = range(4)


def _instance(seed, d=None):
    rng = np.random.default_rng(seed)
    d = d or int(rng.integers(2, 6))
    w = rng.normal(size=(d, 1))
    w[np.abs(w) < 0.1] = 0.7
    return rng, d, w, rng.normal(size=(d, 1)), num(rng.uniform(0.1, 2.0))


# == fgsm-linf (CSC413 2021 HW3 1.1.1) ==========================================================

@pytest.mark.parametrize("seed", SEEDS)
def test_fgsm_linf_norms_match_numpy(seed):
    rng, d, w, x, eps = _instance(seed)
    grad = numeric_gradient(lambda v: num(w.T @ v), x)
    delta1, delta2 = eps * np.sign(grad), eps * grad
    n1 = evaluate(value_of(answer("fgsm-linf", "1.1.1", 0)), d=d, w=w, x=x, epsilon=eps)
    n2 = evaluate(value_of(answer("fgsm-linf", "1.1.1", 1)), d=d, w=w, x=x, epsilon=eps)
    assert num(n1) == pytest.approx(np.abs(delta1).max(), rel=1e-9)
    assert num(n2) == pytest.approx(np.abs(delta2).max(), rel=1e-6)


@pytest.mark.parametrize("scale", [0.5, 1.0, 2.0])
def test_fgsm_linf_equality_identity_holds_and_vanishes_exactly_at_unit_max_weight(scale):
    rng, d, w, x, eps = _instance(int(scale * 10), d=4)
    w = scale * w / np.abs(w).max()  # ‖w‖∞ = scale
    lhs, rhs = sides(answer("fgsm-linf", "1.1.1", 2))
    delta1, delta2 = eps * np.sign(w), eps * w
    direct = eps * np.abs(np.sign(w)).max() - eps * np.abs(w).max()
    for side in (lhs, rhs):
        value = evaluate(side, d=d, w=w, x=x, epsilon=eps, delta1=delta1, delta2=delta2)  # δ's may stay folded
        assert num(value) == pytest.approx(direct, abs=1e-9)
    assert (abs(direct) < 1e-12) == (scale == 1.0)


# == fgsm-weight-decay (CSC413 2021 HW3 1.2.4) ==================================================

def _fgsm_1d_instance(seed):
    rng = np.random.default_rng(seed)
    x = num(rng.choice([-1, 1]) * rng.uniform(0.2, 3.0))
    return x, num(rng.uniform(0.1, 3.0)), num(rng.uniform(0.05, 2.0))


@pytest.mark.parametrize("seed", SEEDS)
def test_fgsm_1d_ridge_weight_minimises_the_objective(seed):
    x, t, lam = _fgsm_1d_instance(seed)
    w = num(evaluate(value_of(answer("fgsm-weight-decay", "1.2.4a")), x=x, t=t, **{"lambda": lam}))
    objective = lambda v: 0.5 * (x * v - t) ** 2 + lam * v ** 2  # noqa: E731
    assert w == pytest.approx(golden_min(objective, -10, 10), abs=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_fgsm_step_zeroes_the_attacked_output_and_ignores_lambda(seed):
    x, t, lam = _fgsm_1d_instance(seed)
    eps = num(evaluate(value_of(answer("fgsm-weight-decay", "1.2.4b")), x=x, t=t, **{"lambda": lam}))
    for lam_other in (lam, 10 * lam):
        w = golden_min(lambda v: 0.5 * (x * v - t) ** 2 + lam_other * v ** 2, -10, 10)
        slope = derivative(lambda z: w * z, x)
        assert w * (x - eps * np.sign(slope)) == pytest.approx(0.0, abs=1e-6), (
            f"ε = {eps} does not zero the FGSM-attacked output for λ = {lam_other}")
    dl = evaluate(value_of(answer("fgsm-weight-decay", "1.2.4c")), x=x, t=t, **{"lambda": lam})
    assert num(dl) == pytest.approx(0.0, abs=1e-12)


# == fgsm-norm-bounds (cousin of 1.1.1) =========================================================

@pytest.mark.parametrize("seed", SEEDS)
def test_sign_perturbation_norms(seed):
    rng, k, v, _, r = _instance(seed)
    p = r * np.sign(v)
    got = {pid: num(evaluate(value_of(answer("fgsm-norm-bounds", pid)), k=k, v=v, r=r)) for pid in ("l1", "l2", "ratio")}
    assert got["l1"] == pytest.approx(np.abs(p).sum(), rel=1e-9)
    assert got["l2"] == pytest.approx(np.linalg.norm(p), rel=1e-9)
    assert got["ratio"] == pytest.approx(np.abs(p).sum() / np.abs(r * v).sum(), rel=1e-9)


# == fgsm-scaled-weights (cousin of 1.2.4) ======================================================

@pytest.mark.parametrize("seed", SEEDS)
def test_sign_attack_step_is_independent_of_shrinkage(seed):
    rng, k, u, z, c = _instance(seed)
    if num(u.T @ z) < 0:
        z = -z
    s = num(evaluate(value_of(answer("fgsm-scaled-weights", "step")), k=k, u=u, z=z, c=c))
    for cc in (c, 0.1 * c, 5 * c):
        score = lambda v: num(cc * u.T @ v)  # noqa: E731
        attacked = z - s * np.sign(numeric_gradient(score, z))
        assert score(attacked) == pytest.approx(0.0, abs=1e-9)
    assert num(evaluate(value_of(answer("fgsm-scaled-weights", "shrink")), k=k, u=u, z=z, c=c)) == pytest.approx(0.0, abs=1e-12)


# == fgm-logistic (cousin of ridge-fgm) =========================================================

@pytest.mark.parametrize("seed", SEEDS)
def test_fgm_logistic_logit_and_zeroing_step(seed):
    rng, k, v, z, s = _instance(seed)
    prob = lambda q: 1 / (1 + np.exp(-num(v.T @ q)))  # noqa: E731
    attacked = lambda step: num(v.T @ (z - step * numeric_gradient(prob, z)))  # noqa: E731
    got = evaluate(value_of(answer("fgm-logistic", "attacked-logit")), k=k, v=v, z=z, s=s)
    assert num(got) == pytest.approx(attacked(s), rel=1e-6, abs=1e-9)
    if num(v.T @ z) < 0:
        z = -z
    s0 = num(evaluate(value_of(answer("fgm-logistic", "zeroing-step")), k=k, v=v, z=z))
    assert s0 > 0 and attacked(s0) == pytest.approx(0.0, abs=1e-6)


# == trust-region-l1 (cousin of trust-region) ===================================================

@pytest.mark.parametrize("r", [0.3, 1.0, 2.5])
def test_l1_ball_minimiser_beats_every_vertex_and_random_feasible_point(r):
    p = np.array([[1.0], [-3.0], [2.0]])
    delta = evaluate(value_of(answer("trust-region-l1", "l1-ball")), r=r)
    delta = np.asarray(delta, dtype=float).reshape(3, 1)
    assert np.abs(delta).sum() <= r + 1e-12, f"δ = {delta.ravel()} is outside the ℓ1 ball of radius {r}"
    vertices = [r * s * np.eye(3)[:, [i]] for i in range(3) for s in (-1, 1)]
    best = min(num(p.T @ v) for v in vertices)
    assert num(p.T @ delta) == pytest.approx(best, rel=1e-12)
    rng = np.random.default_rng(0)
    pts = rng.normal(size=(3, 3000))
    pts *= r * rng.random(3000) / np.abs(pts).sum(axis=0)
    assert num(p.T @ delta) <= (p.ravel() @ pts).min() + 1e-12

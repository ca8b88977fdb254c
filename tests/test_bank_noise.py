"""Issue 9: gradient noise, dropout, Gaussian noise and initialisation scales, against exact
enumeration, closed-form moments computed here from scratch, and Monte Carlo."""
from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy

from bank_values import num, answer, evaluate, fractions, parabola_vertex, value_of


# == nqm-batch (CSC413 2021 HW3 2.1.1(a)) =======================================================

def _nqm_step_loss_mc(a, w, sigma, B, eta, rng, samples=400_000):
    noise = rng.normal(0.0, sigma, size=(samples, B)).mean(axis=1)
    g = a * w + noise
    return g, 0.5 * a * (w - eta * g) ** 2


def _nqm_expected_loss(a, w, sigma, B, eta):
    """E[½a(w − η g_B)²] by Gauss–Hermite quadrature over g_B ~ N(aw, σ²/B)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)
    g = a * w + np.sqrt(sigma ** 2 / B) * nodes
    return num(np.sum(weights * 0.5 * a * (w - eta * g) ** 2) / np.sqrt(2 * np.pi))


@pytest.mark.parametrize("a,w,sigma,B", [(1.0, 0.8, 0.5, 1), (2.5, -1.2, 1.5, 4), (0.4, 2.0, 3.0, 16)])
def test_nqm_minibatch_gradient_moments_and_best_rate(a, w, sigma, B):
    rng = np.random.default_rng(B)
    vals = dict(a=a, w=w, sigma=sigma, B=B)
    g, _ = _nqm_step_loss_mc(a, w, sigma, B, 0.0, rng)
    mean = num(evaluate(value_of(answer("nqm-batch", "2.1.1a-mean")), **vals))
    var = num(evaluate(value_of(answer("nqm-batch", "2.1.1a-var")), **vals))
    se = g.std() / np.sqrt(g.size)
    assert abs(g.mean() - mean) < 5 * se
    assert var == pytest.approx(g.var(), rel=0.02)
    eta = num(evaluate(value_of(answer("nqm-batch", "2.1.1a-lr")), **vals))
    best = parabola_vertex(lambda e: _nqm_expected_loss(a, w, sigma, B, e))
    assert eta == pytest.approx(best, rel=1e-9)


@pytest.mark.parametrize("B", [1, 3, 10])
def test_nqm_best_rate_grows_with_batch_size(B):
    vals = dict(a=1.3, w=0.7, sigma=0.9)
    def rate(b):
        return parabola_vertex(lambda e: _nqm_expected_loss(vals["a"], vals["w"], vals["sigma"], b, e))

    slope = num(evaluate(value_of(answer("nqm-batch", "2.1.1a-trend")), B=B, **vals))
    assert slope > 0
    assert slope == pytest.approx((rate(B + 1e-3) - rate(B - 1e-3)) / 2e-3, rel=1e-3)


# == dropout-average (CSC413 2021 HW3 3.1, 3.2 over N examples) =================================

def _dropout_loss_enumerated(p, w, x, t):
    """E[(1/2N) Σ_i (ỹ_i − t_i)²] by exact enumeration of every example's masks."""
    N, d = len(x), len(w)
    total = Fraction(0)
    for i in range(N):
        for mask in itertools.product((0, 1), repeat=d):
            kept = sum(mask)
            prob = p ** kept * (1 - p) ** (d - kept)
            y = sum(m * wj * xj for m, wj, xj in zip(mask, w, x[i])) / p
            total += prob * (y - t[i]) ** 2
    return total / (2 * N)


def _gauss_loss(sigma2, w, x, t):
    """Each ỹ_i is Gaussian with mean Σ_j w_j x_ij and variance σ² Σ_j (w_j x_ij)²."""
    N = len(x)
    total = 0
    for i in range(N):
        terms = [wj * xj for wj, xj in zip(w, x[i])]
        total += (sum(terms) - t[i]) ** 2 + sigma2 * sum(c * c for c in terms)
    return total / (2 * N)


@pytest.mark.parametrize("N,d,p,seed", [(1, 2, Fraction(1, 2), 0), (3, 2, Fraction(1, 3), 1), (2, 4, Fraction(4, 5), 2)])
def test_dropout_over_examples_matches_enumeration(N, d, p, seed):
    rng = np.random.default_rng(seed)
    w = fractions(rng, d)
    x = [fractions(rng, d) for _ in range(N)]
    t = fractions(rng, N)
    exact = _dropout_loss_enumerated(p, w, x, t)
    got = evaluate(value_of(answer("dropout-average", "3.1")), N=N, d=d, p=p, w=w, x=x, t=t)
    assert got == sympy.Rational(exact.numerator, exact.denominator)
    sigma = Fraction(3, 2)
    got_g = evaluate(value_of(answer("dropout-average", "3.2a")), N=N, d=d, sigma=sigma, w=w, x=x, t=t)
    ref_g = _gauss_loss(sigma ** 2, w, x, t)
    assert got_g == sympy.Rational(ref_g.numerator, ref_g.denominator)


def test_dropout_over_examples_gaussian_monte_carlo():
    rng = np.random.default_rng(5)
    N, d, sigma, n = 3, 3, 0.7, 200_000
    w, x, t = rng.normal(size=d), rng.normal(size=(N, d)), rng.normal(size=N)
    pi = rng.normal(0, sigma, size=(n, N, d))
    losses = ((((1 + pi) * w * x).sum(axis=2) - t) ** 2).sum(axis=1) / (2 * N)
    got = num(evaluate(value_of(answer("dropout-average", "3.2a")), N=N, d=d, sigma=sigma, w=list(w), x=x, t=list(t)))
    assert abs(losses.mean() - got) < 5 * losses.std() / np.sqrt(n)


@pytest.mark.parametrize("p", [Fraction(1, 10), Fraction(1, 2), Fraction(9, 10)])
def test_dropout_over_examples_noise_level_equalises_losses(p):
    rng = np.random.default_rng(int(p * 10))
    N, d = 2, 3
    w = fractions(rng, d, nonzero=True)
    x = [fractions(rng, d, nonzero=True) for _ in range(N)]
    t = fractions(rng, N)
    sigma = num(evaluate(value_of(answer("dropout-average", "3.2b")), p=p))
    assert sigma > 0
    assert num(_gauss_loss(sigma ** 2, [num(v) for v in w], [[num(v) for v in r] for r in x], [num(v) for v in t])) \
        == pytest.approx(num(_dropout_loss_enumerated(p, w, x, t)), rel=1e-12)


# == minibatch-mean-estimation (cousin of 2.1.1(a)) =============================================

@pytest.mark.parametrize("K,v,mu,s", [(1, 2.0, 0.5, 1.0), (5, -1.0, 0.3, 2.0), (20, 0.4, -0.6, 0.8)])
def test_mean_estimation_variance_and_rate(K, v, mu, s):
    rng = np.random.default_rng(K)
    z = rng.normal(mu, s, size=(300_000, K))
    h = (v - z).mean(axis=1)
    var = num(evaluate(value_of(answer("minibatch-mean-estimation", "variance")), K=K, v=v, mu=mu, s=s))
    assert var == pytest.approx(h.var(), rel=0.02)
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)
    hq = (v - mu) + (s / np.sqrt(K)) * nodes  # h_K ~ N(v − μ, s²/K)
    risk = lambda rho: num(np.sum(weights * (v - rho * hq - mu) ** 2) / np.sqrt(2 * np.pi))  # noqa: E731
    rho = num(evaluate(value_of(answer("minibatch-mean-estimation", "rate")), K=K, v=v, mu=mu, s=s))
    assert rho == pytest.approx(parabola_vertex(risk), rel=1e-9)


# == dropout-unscaled, input-noise-ridge, dropout-gaussian-mean-one (cousins of 3.1, 3.2) =======

def _enumerate(q, b, c, y, scale=1):
    total = Fraction(0)
    for mask in itertools.product((0, 1), repeat=len(b)):
        kept = sum(mask)
        prob = q ** kept * (1 - q) ** (len(b) - kept)
        total += prob * (scale * sum(m * bk * ck for m, bk, ck in zip(mask, b, c)) - y) ** 2
    return total


@pytest.mark.parametrize("K,q,seed", [(1, Fraction(1, 2), 0), (3, Fraction(1, 3), 1), (5, Fraction(7, 8), 2)])
def test_unscaled_dropout_matches_enumeration(K, q, seed):
    rng = np.random.default_rng(seed)
    b, c, y = fractions(rng, K), fractions(rng, K), fractions(rng, 1)[0]
    exact = _enumerate(q, b, c, y)
    got = evaluate(value_of(answer("dropout-unscaled", "bias-variance")), K=K, q=q, b=b, c=c, y=y)
    assert got == sympy.Rational(exact.numerator, exact.denominator)


@pytest.mark.parametrize("K,seed", [(2, 0), (4, 1)])
def test_additive_input_noise_monte_carlo_and_ridge_match(K, seed):
    rng = np.random.default_rng(seed)
    b, c, y, tau, kappa = rng.normal(size=K), rng.normal(size=K), num(rng.normal()), 0.6, 0.8
    xi = rng.normal(0, tau, size=(300_000, K))
    err = (((c + xi) * b).sum(axis=1) - y) ** 2
    got = num(evaluate(value_of(answer("input-noise-ridge", "expected-loss")), K=K, b=list(b), c=list(c), y=y, tau=tau))
    assert abs(err.mean() - got) < 5 * err.std() / np.sqrt(err.size)
    t_star = num(evaluate(value_of(answer("input-noise-ridge", "noise-level")), K=K, b=list(b), c=list(c), y=y, kappa=kappa))
    xi = rng.normal(0, t_star, size=(300_000, K))
    err = (((c + xi) * b).sum(axis=1) - y) ** 2
    ridge = (num(b @ c) - y) ** 2 + kappa * num(b @ b)
    assert abs(err.mean() - ridge) < 5 * err.std() / np.sqrt(err.size)


@pytest.mark.parametrize("q", [Fraction(1, 5), Fraction(2, 3)])
def test_gaussian_multipliers_centred_at_one(q):
    rng = np.random.default_rng(int(q * 15))
    K = 3
    b, c, y = fractions(rng, K, nonzero=True), fractions(rng, K, nonzero=True), fractions(rng, 1)[0]
    s = Fraction(1, 2)
    terms = [bk * ck for bk, ck in zip(b, c)]
    ref = (sum(terms) - y) ** 2 + s ** 2 * sum(v * v for v in terms)  # mean and variance of a Gaussian sum
    got = evaluate(value_of(answer("dropout-gaussian-mean-one", "gauss-error")), K=K, s=s, b=b, c=c, y=y)
    assert got == sympy.Rational(ref.numerator, ref.denominator)
    s_star = num(evaluate(value_of(answer("dropout-gaussian-mean-one", "match")), q=q))
    gauss = num((sum(terms) - y) ** 2) + s_star ** 2 * num(sum(v * v for v in terms))
    assert gauss == pytest.approx(num(_enumerate(q, b, c, y, scale=1 / q)), rel=1e-12)


# == linear-init-lecun, relu-init-fanout (cousins of relu-init) =================================

@pytest.mark.parametrize("K,s", [(4, 0.5), (25, 2.0)])
def test_lecun_scale_preserves_variance(K, s):
    e = num(evaluate(value_of(answer("linear-init-lecun", "scale")), K=K, s=s))
    rng = np.random.default_rng(K)
    out = (rng.normal(0, e, size=(200_000, K)) * rng.normal(0, s, size=(200_000, K))).sum(axis=1)
    assert out.var() / s ** 2 == pytest.approx(1.0, abs=0.03)


@pytest.mark.parametrize("N,s,r", [(4, 0.5, 1.0), (16, 2.0, 0.3)])
def test_he_fan_out_scale_preserves_gradient_variance(N, s, r):
    e = num(evaluate(value_of(answer("relu-init-fanout", "fan-out")), N=N, s=s, r=r))
    rng = np.random.default_rng(N)
    n = 400_000
    a = rng.normal(0, r, size=n)
    back = (a > 0) * (rng.normal(0, e, size=(n, N)) * rng.normal(0, s, size=(n, N))).sum(axis=1)
    assert back.var() / s ** 2 == pytest.approx(1.0, abs=0.03)

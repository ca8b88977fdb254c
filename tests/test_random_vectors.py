"""Random vectors and matrices in specs (issue 9): x ~ N(μ, Σ), N(μ, σ²I), matrices with i.i.d.
entries and the mean of B i.i.d. draws.

Every derived answer is checked against NumPy Monte Carlo with a fixed seed (tolerance: five
standard errors of the sample mean) or against exact moments computed here from scratch with
fractions; the certifier's exact moments are checked the same way. Spec errors name the file,
the line and what to do.
"""
from __future__ import annotations

import json
import random
from fractions import Fraction

import numpy as np
import pytest

from bank_values import answer, evaluate, value_of

from derive.errors import CertificationError, SpecError
from derive.spec import load_spec

SAMPLES = 200_000


def _spd(rng, k):
    """Σ = LLᵀ + I: symmetric positive definite."""
    lower = rng.normal(size=(k, k))
    return lower @ lower.T + np.eye(k)


def _agrees(samples, value, sigmas=5.0):
    """``value`` is within ``sigmas`` standard errors of the mean of ``samples``."""
    se = samples.std() / np.sqrt(samples.size)
    return abs(samples.mean() - value) <= sigmas * se + 1e-12 * (1 + abs(value))


# == gaussian-vector-moments =====================================================================

@pytest.fixture(scope="module", params=[0, 1])
def gauss(request):
    rng = np.random.default_rng(100 + request.param)
    k = 3 + request.param
    vals = dict(k=k, a=rng.normal(size=k), r=rng.normal(size=k), m=rng.normal(size=k), C=_spd(rng, k),
                Q=rng.normal(size=(k, k)), y=float(rng.normal()))
    z = rng.multivariate_normal(vals["m"], vals["C"], size=SAMPLES)
    return vals, z


def test_mean_and_variance_of_a_linear_form_match_monte_carlo(gauss):
    vals, z = gauss
    lin = z @ vals["a"]
    assert _agrees(lin, evaluate(value_of(answer("gaussian-vector-moments", "mean-linear")), **vals))
    var = evaluate(value_of(answer("gaussian-vector-moments", "var-linear")), **vals)
    assert var == pytest.approx(lin.var(), rel=0.02)


def test_mean_of_quadratic_form_matches_monte_carlo_and_exact_sum(gauss):
    vals, z = gauss
    got = evaluate(value_of(answer("gaussian-vector-moments", "mean-quadratic")), **vals)
    assert _agrees(np.einsum("si,ij,sj->s", z, vals["Q"], z), got)
    Q, C, m = vals["Q"], vals["C"], vals["m"]
    k = vals["k"]
    by_entries = sum(Q[i, j] * (C[i, j] + m[i] * m[j]) for i in range(k) for j in range(k))
    assert got == pytest.approx(by_entries, rel=1e-9)


@pytest.mark.parametrize("part,sample", [
    ("mean-distance", lambda z, v: ((z - v["r"]) ** 2).sum(axis=1)),
    ("mean-loss", lambda z, v: (z @ v["a"] - v["y"]) ** 2),
])
def test_expected_squared_distance_and_loss_match_monte_carlo(gauss, part, sample):
    vals, z = gauss
    assert _agrees(sample(z, vals), evaluate(value_of(answer("gaussian-vector-moments", part)), **vals))


# == input-noise-ridge-vector ======================================================================

@pytest.fixture(scope="module")
def noisy():
    rng = np.random.default_rng(7)
    p, N = 3, 4
    return rng, dict(p=p, N=N, u=rng.normal(size=p), v=rng.normal(size=p), s=0.7, F=rng.normal(size=(N, p)),
                     y=rng.normal(size=N), tau=0.6)


def test_expected_error_under_isotropic_input_noise_matches_monte_carlo(noisy):
    rng, vals = noisy
    e = rng.normal(0.0, vals["tau"], size=(SAMPLES, vals["p"]))
    errors = ((vals["u"] + e) @ vals["v"] - vals["s"]) ** 2
    assert _agrees(errors, evaluate(value_of(answer("input-noise-ridge-vector", "one-example")), **vals))


def test_expected_error_with_noise_on_every_entry_matches_monte_carlo(noisy):
    rng, vals = noisy
    noise = rng.normal(0.0, vals["tau"], size=(SAMPLES, vals["N"], vals["p"]))
    residual = np.einsum("snp,p->sn", vals["F"] + noise, vals["v"]) - vals["y"]
    got = evaluate(value_of(answer("input-noise-ridge-vector", "data-set")), **vals)
    assert _agrees((residual ** 2).sum(axis=1), got)


def test_noise_weights_are_least_squares_on_many_noisy_copies(noisy):
    rng, vals = noisy
    copies = 40_000
    noise = rng.normal(0.0, vals["tau"], size=(copies, vals["N"], vals["p"]))
    design = (vals["F"] + noise).reshape(-1, vals["p"])
    targets = np.tile(vals["y"], copies)
    fitted = np.linalg.lstsq(design, targets, rcond=None)[0]
    got = np.asarray(evaluate(value_of(answer("input-noise-ridge-vector", "weights")), **vals)).ravel()
    assert np.allclose(got, fitted, atol=0.02)


# == minibatch-gradient-covariance ===================================================================

@pytest.fixture(scope="module", params=[2, 5])
def batch(request):
    B = request.param
    rng = np.random.default_rng(B)
    D = 3
    vals = dict(D=D, B=B, h=rng.normal(size=D), S=_spd(rng, D), q=rng.normal(size=D), theta=rng.normal(size=D),
                P=(lambda a: a + a.T)(rng.normal(size=(D, D))), alpha=0.3)
    draws = rng.multivariate_normal(vals["h"], vals["S"], size=(SAMPLES // 2, B))
    return vals, draws.mean(axis=1)


def test_trace_of_minibatch_covariance_shrinks_as_one_over_b(batch):
    vals, g = batch
    got = evaluate(value_of(answer("minibatch-gradient-covariance", "total-variance")), **vals)
    assert _agrees(((g - vals["h"]) ** 2).sum(axis=1), got)


def test_minibatch_variance_along_a_direction_matches_monte_carlo(batch):
    vals, g = batch
    got = evaluate(value_of(answer("minibatch-gradient-covariance", "direction")), **vals)
    assert got == pytest.approx((g @ vals["q"]).var(), rel=0.03)


def test_expected_loss_after_one_minibatch_step_matches_monte_carlo(batch):
    vals, g = batch
    after = vals["theta"] - vals["alpha"] * g
    losses = 0.5 * np.einsum("si,ij,sj->s", after, vals["P"], after)
    assert _agrees(losses, evaluate(value_of(answer("minibatch-gradient-covariance", "step-loss")), **vals))


# == the certifier's exact moments ==================================================================

def _exact_instance(path, seed):
    from derive.moments import make_moments
    from derive.numeric import Evaluator
    from derive.sampling import sample

    spec = load_spec(path)
    env, _ = sample(spec.table, random.Random(seed))
    return spec, env, Evaluator(env, make_moments(spec.table))


def _frac_matrix(m):
    return [[Fraction(x) for x in row] for row in m]


@pytest.mark.parametrize("seed", range(4))
def test_certifier_moments_of_a_gaussian_vector_are_exact(seed):
    from derive.expr.objects import E, Scalar, Var

    spec, env, ev = _exact_instance("problems/examples/gaussian-vector-moments.yaml", seed)
    t = spec.table
    z, Q, a = t["z"].obj, t["Q"].obj, t["a"].obj
    C, m, Qv, av = (_frac_matrix(env[t[n].obj]) for n in ("C", "m", "Q", "a"))
    k = len(C)
    mean_quadratic = sum(Qv[i][j] * (C[i][j] + m[i][0] * m[j][0]) for i in range(k) for j in range(k))
    variance_linear = sum(av[i][0] * C[i][j] * av[j][0] for i in range(k) for j in range(k))
    assert ev.eval(E(Scalar(z.T * Q * z))) == mean_quadratic
    assert ev.eval(Var(Scalar(a.T * z))) == variance_linear


@pytest.mark.parametrize("seed", range(3))
def test_certifier_covariance_of_a_mean_of_draws_is_exact(seed):
    from derive.expr.objects import Cov, Mean

    spec, env, ev = _exact_instance("problems/examples/minibatch-gradient-covariance.yaml", seed)
    t = spec.table
    B = env[t["B"].obj]
    S = _frac_matrix(env[t["S"].obj])
    got = ev.eval(Cov(t["gB"].obj))
    assert [list(r) for r in got] == [[x / B for x in row] for row in S]
    assert [list(r) for r in ev.eval(Mean(t["gB"].obj))] == _frac_matrix(env[t["h"].obj])


@pytest.mark.parametrize("seed", range(3))
def test_certifier_second_moment_of_an_iid_matrix_is_exact(seed):
    from derive.expr.objects import E, Scalar

    spec, env, ev = _exact_instance("problems/examples/input-noise-ridge-vector.yaml", seed)
    t = spec.table
    Xi, v = t["Xi"].obj, t["v"].obj
    N, tau = env[t["N"].obj], env[t["tau"].obj]
    vv = sum(x * x for (x,) in _frac_matrix(env[v]))
    assert ev.eval(E(Scalar(v.T * Xi.T * Xi * v))) == N * tau ** 2 * vv


def test_a_wrong_moment_fails_the_end_to_end_certificate():
    from sympy import Trace

    from derive.certificate import certify_answer
    from derive.expr.objects import Scalar

    spec = load_spec("problems/examples/gaussian-vector-moments.yaml")
    part = spec.part("mean-quadratic")
    t = spec.table
    without_trace = Scalar(t["m"].obj.T * t["Q"].obj * t["m"].obj)
    with pytest.raises(CertificationError):
        certify_answer(part.goal, without_trace, part.table, {})
    right = without_trace + Trace(t["Q"].obj * t["C"].obj)
    assert "exact expectation" in certify_answer(part.goal, right, part.table, {})


# == spec errors =====================================================================================

SPEC = """\
id: rv
title: random vectors
source: {course: TEST}
symbols:
  mu:    {kind: vector, shape: [d]}
  nu:    {kind: vector, shape: [n]}
  Sigma: {kind: matrix, shape: [d, d], assume: [symmetric, positive_definite]}
  R:     {kind: matrix, shape: [d, n]}
  G:     {kind: matrix, shape: [n, n], assume: [symmetric, positive_definite]}
  A:     {kind: matrix, shape: [d, d]}
  s:     {kind: scalar, assume: [positive]}
  x:     {kind: random, %s}
parts:
  - id: a
    goal: {mean: 'mu.T @ mu'}
"""


@pytest.mark.parametrize("decl,words", [
    ("shape: [d], dist: 'normal(nu, Sigma)'", "has shape [n], but 'x' has shape [d]"),
    ("shape: [d], dist: 'normal(mu, R)'", "must be square"),
    ("shape: [d], dist: 'normal(mu, G)'", "must be [d, d] to match its shape [d]"),
    ("shape: [d], dist: 'normal(mu, A)'", "must be declared with assume: [symmetric, positive_definite]"),
    ("shape: [d], dist: 'normal(1, Sigma)'", "must be 0 or a vector of shape [d]"),
    ("shape: [d], dist: 'bernoulli(s)'", "takes dist: normal(mean, covariance)"),
    ("shape: [d], dist: 'normal(mu, -s**2)'", "cannot be negative"),
    ("shape: [n, d], dist: 'normal(0, Sigma)'", "a random matrix takes normal(mean, s**2)"),
    ("shape: [n, d], dist: 'normal(0, s**2)', mean_of: 4", "mean_of: is for a random vector"),
    ("dist: 'normal(0, s**2)', mean_of: 4", "has mean_of: but no shape"),
    ("shape: [d], dist: 'normal(mu, Sigma)', index: j", "has both shape: and index:"),
    ("shape: [d, d, d], dist: 'normal(0, s**2)'", "needs shape: [d] for a vector or [n, d] for a matrix"),
    ("dist: 'normal(mu, s**2)'", "parameters of a scalar random symbol are scalars"),
    ("shape: [d], dist: 'normal(mu, Sigmma)'", "Did you mean 'Sigma'?"),
])
def test_bad_random_vectors_are_refused_with_file_and_line(tmp_path, decl, words):
    path = tmp_path / "rv.yaml"
    text = SPEC % decl
    if "index: j" in decl:
        text = text.replace("symbols:\n", "symbols:\n  j:     {kind: index, range: [1, d]}\n")
    path.write_text(text)
    with pytest.raises(SpecError) as err:
        load_spec(path)
    message = str(err.value)
    assert words in message, message
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("  x:"))
    assert f"line {line}" in message, message


def test_mean_of_on_a_vector_symbol_is_refused(tmp_path):
    path = tmp_path / "rv.yaml"
    path.write_text((SPEC % "shape: [d], dist: 'normal(mu, Sigma)'").replace(
        "  mu:    {kind: vector, shape: [d]}", "  mu:    {kind: vector, shape: [d], mean_of: 3}"))
    with pytest.raises(SpecError, match="only a kind: random vector is a mean of draws"):
        load_spec(path)


def test_valid_random_vector_declarations_load(tmp_path):
    for decl in ("shape: [d], dist: 'normal(mu, Sigma)'", "shape: [d], dist: 'normal(0, s**2)'",
                 "shape: [n, d], dist: 'normal(R.T, s**2)'", "shape: [d], dist: 'normal(mu, Sigma)', mean_of: B"):
        path = tmp_path / "rv.yaml"
        path.write_text(SPEC % decl)
        info = load_spec(path).table["x"]
        assert info.shape is not None and info.dist[0] == "normal"


# == documents ======================================================================================

@pytest.mark.parametrize("name,words", [
    ("gaussian-vector-moments", "𝒩(m, C)"),
    ("input-noise-ridge-vector", "i.i.d. entries 𝒩(0, τ²)"),
    ("minibatch-gradient-covariance", "mean of B i.i.d. draws of 𝒩(h, S)"),
])
def test_symbol_tables_state_the_distribution_in_notation(name, words):
    from click.testing import CliRunner

    from derive.cli import main

    runner = CliRunner()
    shown = runner.invoke(main, [name, "--no-cache"])
    assert shown.exit_code == 0, shown.output
    assert words in shown.output and "normal(" not in shown.output
    data = json.loads(runner.invoke(main, [name, "--json", "--no-cache"]).output)
    assert all(p["error"] is None for p in data["parts"])
    assert any(words in s["assumptions"] for s in data["symbols"])
    latex = runner.invoke(main, [name, "--latex", "--no-cache"]).output
    assert r"\mathscr{N}" in latex and "normal(" not in latex

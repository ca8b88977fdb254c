"""Issue 9: one step of a named update rule (``step:`` goals) and the closed form of an affine
recurrence (``unroll:`` goals). Every answer is compared with an independent computation (numpy
finite differences, a numerical minimisation, the recurrence iterated in exact fractions), never
with a typed formula; then the spec errors, the schema and the renderers."""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import jsonschema
import numpy as np
import pytest
import sympy
import yaml
from click.testing import CliRunner

from bank_values import answer, evaluate, numeric_gradient, parts_of, spec_path
from derive.errors import CertificationError, SpecError
from derive.spec import load_spec

SCHEMA = json.loads((Path(__file__).parents[1] / "derive" / "spec.schema.json").read_text())


def _col(v, k):
    return np.asarray(v, float).reshape(k, 1)


# == decoupled-decay-step: gradient and weight-decay steps on the logistic loss =================

@pytest.mark.parametrize("p,seed", [(2, 0), (3, 1), (5, 2)])
def test_gradient_and_weight_decay_steps_match_finite_differences(p, seed):
    rng = np.random.default_rng(seed)
    a, theta0 = rng.normal(size=(p, 1)), rng.normal(size=(p, 1))
    s, alpha, beta = float(rng.choice([-1, 1])), 0.3 + rng.random(), 0.1 + rng.random()
    loss = lambda th: float(np.log1p(np.exp(-s * (a.T @ th.reshape(p, 1))[0, 0])))  # noqa: E731
    g = numeric_gradient(loss, theta0.ravel()).reshape(p, 1)
    vals = dict(p=p, a=a, s=s, theta0=theta0, alpha=alpha, beta=beta)
    want = {"plain": theta0 - alpha * g, "decoupled": (1 - alpha * beta) * theta0 - alpha * g,
            "coupled": (1 - beta) * theta0 - alpha * g}
    for pid, w in want.items():
        got = _col(evaluate(answer("decoupled-decay-step", pid), **vals), p)
        np.testing.assert_allclose(got, w, rtol=1e-6, atol=1e-8, err_msg=pid)


def test_weight_decay_seed_steps_are_stated_by_rule_name():
    spec = load_spec(spec_path("weight-decay-l2"))
    goals = spec.part("2.3.1").goals
    assert [(g.kind, g.rule) for g in goals] == [("step", "gradient"), ("step", "weight-decay")]


# == prox-steps: proximal gradient steps ===========================================================

def _minimise(f, x0, iters=4000, lr=0.02):
    """Plain numpy gradient descent with finite-difference gradients (an independent minimiser)."""
    x = np.array(x0, float)
    for _ in range(iters):
        x = x - lr * numeric_gradient(f, x)
    return x


@pytest.mark.parametrize("m,seed", [(2, 0), (3, 1), (4, 2)])
def test_ridge_proximal_step_minimises_the_proximal_objective(m, seed):
    rng = np.random.default_rng(seed)
    B = rng.normal(size=(m, m))
    H, g, u0 = (B + B.T) / 2, rng.normal(size=(m, 1)), rng.normal(size=(m, 1))
    mu, tau = 0.5 + rng.random(), 0.5 + rng.random()
    F = lambda u: float(0.5 * u @ H @ u - g.ravel() @ u)  # noqa: E731
    grad0 = numeric_gradient(F, u0.ravel())

    def prox(u):
        d = u - u0.ravel()
        return float(grad0 @ d + d @ d / (2 * tau) + mu / 2 * u @ u)

    best = _minimise(prox, u0.ravel(), iters=3000, lr=0.5 / (1 / tau + mu))
    got = _col(evaluate(answer("prox-steps", "ridge"), m=m, H=H, g=g, u0=u0, mu=mu, tau=tau), m)
    np.testing.assert_allclose(got.ravel(), best, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("c,y,z0,nu,tau", [
    (1.5, 2.0, 0.3, 0.2, 0.5),     # moves to the right, above the threshold
    (1.0, -3.0, 0.5, 0.1, 0.4),    # crosses to negative values
    (0.5, 0.1, 0.05, 2.0, 1.0),    # lands inside the threshold: exactly 0
    (-2.0, 1.0, -0.4, 0.3, 0.25),
])
def test_lasso_proximal_step_is_the_brute_force_minimiser(c, y, z0, nu, tau):
    g = c * (c * z0 - y)                       # d/dz (cz − y)²/2 at z0, by hand from the loss
    fd = (((c * (z0 + 1e-6) - y) ** 2 - (c * (z0 - 1e-6) - y) ** 2) / 2) / 2e-6
    assert abs(fd - g) < 1e-6
    grid = np.linspace(-20, 20, 400001)
    objective = g * (grid - z0) + (grid - z0) ** 2 / (2 * tau) + nu * np.abs(grid)
    best = grid[np.argmin(objective)]
    got = float(evaluate(answer("prox-steps", "lasso-1d"), c=c, y=y, z0=z0, nu=nu, tau=tau))
    assert abs(got - best) < 2e-4


def test_lasso_step_says_when_it_is_exactly_zero():
    notes = parts_of("prox-steps")["lasso-1d"].notes
    assert any(n.kind == "remark" and "exactly 0" in n.text for n in notes)


# == unroll: gd-quadratic-unrolled and scalar-recurrences ==========================================

@pytest.mark.parametrize("r,seed", [(2, 0), (3, 1), (4, 2)])
def test_unrolled_gradient_descent_matches_iterating_it(r, seed):
    rng = np.random.default_rng(seed)
    B = rng.normal(size=(r, r))
    P, q, v0 = B @ B.T + r * np.eye(r), rng.normal(size=(r, 1)), rng.normal(size=(r, 1))
    rho = 0.5 / np.linalg.norm(P, 2)
    closed = answer("gd-quadratic-unrolled", "unrolled")
    v = v0.copy()
    for k in range(7):
        got = _col(evaluate(closed, r=r, P=P, q=q, v0=v0, rho=rho, k=k), r)
        np.testing.assert_allclose(got, v, rtol=1e-8, atol=1e-10, err_msg=f"k = {k}")
        v = v - rho * (P @ v - q)


def _iterate(step, x0, k):
    x = x0
    for _ in range(k):
        x = step(x)
    return x


F = Fraction
SCALAR_CASES = {
    "ema": (lambda v: (lambda m: v["gamma"] * m + (1 - v["gamma"]) * v["h"]), "m0",
            [dict(gamma=F(3, 4), h=F(-2, 3), m0=F(5)), dict(gamma=F(1, 5), h=F(7), m0=F(-1, 2))]),
    "affine": (lambda v: (lambda x: v["b"] * x + v["e"]), "x0",
               [dict(b=F(-3, 2), e=F(2, 5), x0=F(1, 3)), dict(b=F(2), e=F(-1), x0=F(4)), dict(b=F(0), e=F(3), x0=F(9))]),
    "decay-1d": (lambda v: (lambda z: (1 - v["eta"] * v["kappa"]) * z - v["eta"] * (z - v["y"])), "z0",
                 [dict(eta=F(1, 10), kappa=F(1, 2), y=F(3), z0=F(-2)), dict(eta=F(3, 2), kappa=F(2), y=F(-1, 4), z0=F(1))]),
}


@pytest.mark.parametrize("pid", sorted(SCALAR_CASES))
def test_scalar_recurrence_closed_forms_match_exact_iteration(pid):
    make_step, start, cases = SCALAR_CASES[pid]
    closed = answer("scalar-recurrences", pid)
    for values in cases:
        step = make_step(values)
        for k in range(8):
            want = _iterate(step, values[start], k)
            got = evaluate(closed, k=k, **values)
            assert sympy.Rational(got) == sympy.Rational(want.numerator, want.denominator), (pid, values, k)


def test_affine_recurrence_states_the_condition_and_the_special_case():
    notes = parts_of("scalar-recurrences")["affine"].notes
    assert any(n.kind == "condition" and "≠ 1" in n.text for n in notes)
    special = [n for n in notes if n.kind == "dropped"]
    assert len(special) == 1 and "= 1" in special[0].text
    # the special case b = 1 is x0 + k e: check it against iteration, by value
    e, x0 = F(2, 7), F(-3)
    assert _iterate(lambda x: x + e, x0, 5) == x0 + 5 * e
    assert "ek + x₀" in special[0].text or "x₀ + ek" in special[0].text


def test_no_condition_when_the_ratio_cannot_be_one():
    for pid in ("ema", "decay-1d"):
        assert not [n for n in parts_of("scalar-recurrences")[pid].notes if n.kind in ("condition", "dropped")]


# == certificates: a wrong answer is refused ========================================================

def _certify(name, pid, wrong):
    from derive.certificate import certify_answer
    from derive.engine import part_definitions

    spec = load_spec(spec_path(name))
    part = spec.part(pid)
    definitions, _ = part_definitions(spec, part, {})
    return certify_answer(part.goal, wrong, part.table, definitions)


def test_certificate_refuses_an_off_by_one_power():
    spec = load_spec(spec_path("scalar-recurrences"))
    t = spec.part("affine").table
    b, e, x0, k = (t[n].obj for n in ("b", "e", "x0", "k"))
    with pytest.raises(CertificationError):
        _certify("scalar-recurrences", "affine", b ** (k + 1) * x0 + e * (1 - b ** k) / (1 - b))
    right = b ** k * x0 + e * (1 - b ** k) / (1 - b)
    assert "recurrence" in _certify("scalar-recurrences", "affine", right)


def test_certificate_refuses_a_step_without_the_decay():
    good = answer("decoupled-decay-step", "plain")
    with pytest.raises(CertificationError):
        _certify("decoupled-decay-step", "decoupled", good)


def test_certificate_refuses_soft_thresholding_without_the_threshold():
    from derive.expr.objects import relu

    ans = answer("prox-steps", "lasso-1d")
    unthresholded = ans.replace(lambda e: isinstance(e, relu), lambda e: e.args[0] + 1) if ans.has(relu) else None
    assert unthresholded is not None
    with pytest.raises(CertificationError):
        _certify("prox-steps", "lasso-1d", unthresholded)


# == spec errors (file and line) and the schema ====================================================

BASE = {
    "id": "steps", "title": "update steps", "source": {"course": "TEST"},
    "symbols": {
        "w": {"kind": "vector", "shape": ["d"]}, "w0": {"kind": "vector", "shape": ["d"]},
        "A": {"kind": "matrix", "shape": ["d", "d"]}, "eta": {"kind": "scalar"}, "lam": {"kind": "scalar"},
        "k": {"kind": "scalar", "assume": ["integer", "nonnegative"]}, "r": {"kind": "scalar"},
    },
    "parts": [
        {"id": "a", "goal": {"step": "norm(A @ w)**2", "rule": "gradient", "wrt": "w", "from": "w0", "rate": "eta"}},
        {"id": "b", "goal": {"unroll": "A @ w + w0", "state": "w", "from": "w0", "steps": "k"}},
    ],
}


def _with(part, **changes):
    def mutate(spec):
        goal = spec["parts"][part]["goal"]
        for key, value in changes.items():
            if value is None:
                goal.pop(key, None)
            else:
                goal[key] = value
    return mutate


INVALID = {
    "unknown rule": (_with(0, rule="gradiant"), "Did you mean 'gradient'?"),
    "decay on a gradient step": (_with(0, decay="lam"), "'decay' belongs to the weight-decay rule"),
    "weight decay without decay": (_with(0, rule="weight-decay"), "missing the required field 'decay'"),
    "penalty on weight decay": (_with(0, rule="weight-decay", decay="lam", penalty="lam"), "'penalty' belongs to the proximal rule"),
    "proximal without penalty": (_with(0, rule="proximal"), "missing the required field 'penalty'"),
    "start of the wrong shape": (_with(0, **{"from": "eta"}), "must be shape d × 1"),
    "vector rate": (_with(0, rate="w0"), "the step size 'w0' must be a scalar"),
    "vector loss": (_with(0, step="A @ w"), "the loss 'A @ w' must be a scalar"),
    "matrix parameter": (_with(0, wrt="A", **{"from": "A"}), "must be a declared scalar or vector"),
    "no rate": (_with(0, rate=None), "missing the required field 'rate'"),
    "steps not an integer": (_with(1, steps="r"), "steps must name a scalar declared with assume: [integer, nonnegative]"),
    "steps inside the map": (_with(1, unroll="k * w"), "cannot appear in 'unroll'"),
    "map of the wrong shape": (_with(1, unroll="w.T @ w0"), "the update map 'w.T @ w0' must be shape d × 1"),
    "unknown key": (_with(1, rate="eta"), "unknown key 'rate' in a unroll goal"),
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_bad_step_and_unroll_goals_name_the_file_and_line(tmp_path, name):
    import copy

    mutate, words = INVALID[name]
    spec = copy.deepcopy(BASE)
    mutate(spec)
    path = tmp_path / "steps.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    with pytest.raises(SpecError) as err:
        load_spec(path)
    message = str(err.value)
    assert words in message, message
    assert "steps.yaml, line " in message, message


def test_base_spec_loads_and_validates(tmp_path):
    path = tmp_path / "steps.yaml"
    path.write_text(yaml.safe_dump(BASE, sort_keys=False))
    load_spec(path)
    jsonschema.validate(BASE, SCHEMA)


@pytest.mark.parametrize("name", ["unknown rule", "decay on a gradient step", "weight decay without decay",
                                  "proximal without penalty", "no rate", "unknown key"])
def test_schema_refuses_what_the_loader_refuses(name):
    import copy

    spec = copy.deepcopy(BASE)
    INVALID[name][0](spec)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(spec, SCHEMA)


# == renderers ======================================================================================

NEW = ["decoupled-decay-step", "prox-steps", "gd-quadratic-unrolled", "scalar-recurrences"]


@pytest.mark.parametrize("name", NEW)
def test_new_problems_render_as_text_latex_and_json(name, tmp_path, monkeypatch):
    from derive.cli import main

    monkeypatch.setenv("DERIVE_NO_CACHE", "1")
    runner = CliRunner()
    path = str(spec_path(name))
    text = runner.invoke(main, [path])
    assert text.exit_code == 0, text.output
    assert "NOT DERIVED" not in text.output and "Subs(" not in text.output and "Derivative(" not in text.output
    latex = runner.invoke(main, [path, "--latex"])
    assert latex.exit_code == 0 and "\\begin{document}" in latex.output
    data = json.loads(runner.invoke(main, [path, "--json"]).output)
    assert all(p["error"] is None and p["answer"]["srepr"] for p in data["parts"])

"""Certified means correct: each part's answer is checked end to end against the goal as the
spec states it, a wrong answer can never come out with every step ✓, and one failing part never
hides the others. The regression cases are the ones seen when derive was tried on new specs."""
import json
import time

import numpy as np
import pytest
import sympy as sp
import yaml
from click.testing import CliRunner

from derive import certificate
from derive.bank import entries
from derive.cli import main
from derive.engine import derive
from derive.errors import CertificationError
from derive.rules import constrained
from derive.spec import load_spec

CENTRED = {
    "id": "centred", "title": "Linearised loss over a ball around the current point", "source": {"course": "TEST"},
    "symbols": {
        "theta": {"kind": "vector", "shape": ["m"]}, "theta_t": {"kind": "vector", "shape": ["m"]},
        "g": {"kind": "vector", "shape": ["m"]}, "eps": {"kind": "scalar", "assume": ["positive"]},
        "L_t": {"kind": "scalar"},
    },
    "parts": [
        {"id": "ball", "goal": {"minimize": "L_t + g.T @ (theta - theta_t)", "wrt": "theta",
                                "subject_to": "norm(theta - theta_t) <= eps"}},
        {"id": "box", "goal": {"minimize": "L_t + g.T @ (theta - theta_t)", "wrt": "theta",
                               "subject_to": "norm(theta - theta_t, inf) <= eps"}},
    ],
}


def write(tmp_path, spec, name="spec.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def numeric(expr, **values):
    """A derived SymPy value at concrete numpy values (by substitution, not derive's evaluator)."""
    subs = {}
    for m in expr.atoms(sp.MatrixSymbol):
        subs[m] = sp.ImmutableMatrix(values[m.name])
    for s in expr.free_symbols:
        if isinstance(s, sp.Symbol) and s.name in values:
            subs[s] = sp.Float(values[s.name], 30)
    out = expr.xreplace(subs).doit()
    from derive.expr.objects import Scalar, Sgn
    out = out.replace(lambda e: isinstance(e, Scalar), lambda e: e.args[0].as_explicit()[0, 0])
    out = out.replace(lambda e: isinstance(e, Sgn), lambda e: e.args[0].as_explicit().applyfunc(sp.sign))
    return np.array(sp.N(out.doit().as_explicit() if hasattr(out, "as_explicit") else out), dtype=float)


# -- observation 1: a centred constraint ------------------------------------------------------

@pytest.mark.parametrize("seed", range(3))
def test_a_ball_centred_away_from_the_origin_keeps_its_centre(tmp_path, seed):
    parts = {p.id: p for p in derive(load_spec(write(tmp_path, CENTRED))).parts}
    assert not parts["ball"].error and not parts["box"].error
    rng = np.random.default_rng(seed)
    m = 4
    g, theta_t, eps = rng.normal(size=(m, 1)), rng.normal(size=(m, 1)) * 3, float(rng.uniform(0.2, 2))
    values = {"g": g, "theta_t": theta_t, "eps": eps, "L_t": 0.7, "m": m}
    ball = numeric(parts["ball"].answer.rhs.subs(sp.Symbol("m", integer=True, positive=True), m), **values)
    # independent: the best of many points of the ball, and the closed form θᵗ − εg/‖g‖
    np.testing.assert_allclose(ball, theta_t - eps * g / np.linalg.norm(g), rtol=1e-10)
    box = numeric(parts["box"].answer.rhs.subs(sp.Symbol("m", integer=True, positive=True), m), **values)
    assert np.max(np.abs(box - theta_t)) == pytest.approx(eps)
    corners = theta_t + eps * np.array(np.meshgrid(*[[-1, 1]] * m)).reshape(m, -1)
    assert (g.T @ box).item() == pytest.approx((g.T @ corners).min())


@pytest.mark.parametrize("seed", range(2))
def test_the_bank_cousin_with_a_centred_trust_region(seed):
    from derive.bank import find
    parts = {p.id: p for p in derive(load_spec(find("trust-region-centred"))).parts}
    rng = np.random.default_rng(10 + seed)
    k = 5
    v, u0, r = rng.normal(size=(k, 1)), rng.normal(size=(k, 1)), float(rng.uniform(0.1, 3))
    vals = {"v": v, "u0": u0, "r": r, "l0": -1.0}
    kk = {sp.Symbol("k", integer=True, positive=True): k}
    ball = numeric(parts["tr-ball"].answer.rhs.subs(kk), **vals)
    dirs = rng.normal(size=(k, 5000))
    dirs *= r / np.linalg.norm(dirs, axis=0)
    assert (v.T @ (ball - u0)).item() <= (v.T @ dirs).min() + 1e-9
    assert np.linalg.norm(ball - u0) == pytest.approx(r)
    box = numeric(parts["tr-box"].answer.rhs.subs(kk), **vals)
    assert (v.T @ (box - u0)).item() == pytest.approx(-r * np.abs(v).sum())


def test_the_old_restatement_bug_now_fails_loudly(tmp_path, monkeypatch):
    """Re-create the bug (drop the centre before solving): the end-to-end certificate catches it."""
    real = constrained.minimize_constrained

    def forgetful(run, f, unknown, goal):
        from sympy import ZeroMatrix
        centred = f.xreplace({run.table["theta_t"].obj: ZeroMatrix(*unknown.shape)})
        return constrained._ball(run, centred, unknown, run.build(goal.subject_to.right), goal)

    monkeypatch.setattr(constrained, "minimize_constrained", forgetful)
    part = derive(load_spec(write(tmp_path, CENTRED)), ["ball"]).parts[0]
    monkeypatch.setattr(constrained, "minimize_constrained", real)
    assert part.answer is None
    assert "end-to-end check against the goal as stated" in part.error


def test_every_bank_part_carries_an_end_to_end_certificate():
    count = 0
    for e in entries():
        for part in derive(load_spec(e.path)).parts:
            assert not part.error, (e.id, part.id, part.error)
            assert part.certificate.startswith("Answer checked against the goal as stated"), (e.id, part.id)
            for v in part.variants:
                assert v.certificate, (e.id, part.id, v.name)
            count += 1
    assert count >= 15


def test_the_certificate_rejects_a_wrong_solve_answer_with_values():
    from derive.bank import find
    spec = load_spec(find("relu-init"))
    part = spec.parts[0]
    d = derive(spec)
    good = d.parts[0].answer
    from derive.engine import part_definitions
    defs, _ = part_definitions(spec, part, {})
    with pytest.raises(CertificationError) as err:
        certificate.certify_answer(part.goal, sp.Eq(good.lhs, 2 * good.rhs), part.table, defs)
    assert "end-to-end" in str(err.value) and "=" in str(err.value)


# -- observation 4: one failing part hides nothing -----------------------------------------

MIXED = {
    "id": "mixed", "title": "One good part and one that cannot be derived", "source": {"course": "TEST"},
    "symbols": {"x": {"kind": "scalar"}, "a": {"kind": "scalar", "assume": ["positive"]}},
    "parts": [
        {"id": "good", "goal": {"minimize": "a*x**2 - 2*x", "wrt": "x"}},
        {"id": "bad", "goal": {"solve": "exp(x) + x = 3", "for": "x"}},
        {"id": "after", "uses": {"y": "bad"}, "goal": {"simplify": "y + 1"}},
    ],
}


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "latex"])
def test_partial_output_in_every_format(tmp_path, fmt, monkeypatch):
    monkeypatch.setenv("DERIVE_NO_CACHE", "1")
    path = write(tmp_path, MIXED)
    result = CliRunner().invoke(main, [str(path), f"--{fmt}"])
    assert result.exit_code == 1
    out = result.output
    assert "could not be derived: bad, after" in out
    if fmt == "json":
        data = json.loads(out[:out.rindex("}") + 1])
        parts = {p["id"]: p for p in data["parts"]}
        assert parts["good"]["error"] is None and parts["good"]["answer"]["text"] == "x = 1/a"
        assert parts["good"]["certificate"].startswith("Answer checked")
        assert "LambertW" in parts["bad"]["error"] or "cannot" in parts["bad"]["error"]
        assert parts["after"]["error"] == "part after uses part bad, which failed"
    else:
        assert ("NOT DERIVED" in out) or ("Not derived" in out)
        assert "1/a" in out or "\\frac{1}{a}" in out
        assert "part after uses part bad, which failed" in out


def test_a_failed_derivation_is_never_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DERIVE_NO_CACHE", raising=False)
    path = write(tmp_path, MIXED)
    for _ in range(2):
        result = CliRunner().invoke(main, [str(path)])
        assert result.exit_code == 1


# -- observation 5 and the time budget ------------------------------------------------------

def test_a_part_past_its_budget_ends_with_the_part_and_rule_named(tmp_path, monkeypatch):
    from derive import strategies

    real = strategies.Run.solve_equation

    def slow(self, *args, **kw):
        time.sleep(5)
        return real(self, *args, **kw)

    monkeypatch.setattr(strategies.Run, "solve_equation", slow)
    monkeypatch.setenv("DERIVE_NO_CACHE", "1")
    start = time.monotonic()
    result = CliRunner().invoke(main, [str(write(tmp_path, MIXED)), "--timeout", "0.5", "--part", "good"])
    assert time.monotonic() - start < 4
    assert result.exit_code == 1
    assert "part good ran past its time budget of 0.5 s" in result.output
    assert "strategies." in result.output  # where it was


@pytest.mark.parametrize("value", ["0", "-1", "inf", "nan", "soon"])
def test_timeout_values_are_validated(value):
    result = CliRunner().invoke(main, ["relu-init", "--timeout", value])
    assert result.exit_code == 2 and "--timeout" in result.output


def test_a_scalar_unknown_inside_vector_products_is_solved(tmp_path):
    spec = {"id": "inner", "title": "t", "source": {"course": "TEST"},
            "symbols": {"w": {"kind": "vector", "shape": ["d"]}, "x": {"kind": "vector", "shape": ["d"]},
                        "A": {"kind": "matrix", "shape": ["n", "d"]}, "t": {"kind": "vector", "shape": ["n"]},
                        "c": {"kind": "scalar"}, "lam": {"kind": "scalar", "assume": ["positive"]}},
            "parts": [{"id": "a", "goal": {"solve": "w.T @ (x - c * w) = 0", "for": "c"}},
                      {"id": "b", "goal": {"minimize": "norm(A @ (x - c * w) - t)**2 + lam * c**2", "wrt": "c"}}]}
    start = time.monotonic()
    parts = {p.id: p for p in derive(load_spec(write(tmp_path, spec))).parts}
    assert time.monotonic() - start < 10
    rng = np.random.default_rng(1)
    w, x, A, t = rng.normal(size=(3, 1)), rng.normal(size=(3, 1)), rng.normal(size=(4, 3)), rng.normal(size=(4, 1))
    vals = {"w": w, "x": x, "A": A, "t": t, "lam": 0.3}
    dims = {sp.Symbol("d", integer=True, positive=True): 3, sp.Symbol("n", integer=True, positive=True): 4}
    a = float(numeric(parts["a"].answer.rhs.subs(dims), **vals))
    assert (w.T @ (x - a * w)).item() == pytest.approx(0, abs=1e-10)
    b = float(numeric(parts["b"].answer.rhs.subs(dims), **vals))
    cs = np.linspace(b - 1, b + 1, 2001)
    loss = [np.sum((A @ (x - c * w) - t) ** 2) + 0.3 * c * c for c in cs]
    assert abs(cs[int(np.argmin(loss))] - b) < 2e-3

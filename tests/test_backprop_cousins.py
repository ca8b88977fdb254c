"""Issue 11: the other backpropagation specs (MIT 6.790 HW4 1.1k and 1.2a) and the cousins in
problems/examples/, each against its own forward pass in plain Python: finite differences of the
forward pass for total derivatives, of each node's own equation for local derivatives, and exact
fractions where the sheet's numbers make every value exact."""
from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest
import sympy

from bank_values import answer, parts_of
from test_backprop import forward, local_derivative, numeric, total_derivative


def sig(z):
    return 1 / (1 + math.exp(-z))


def relu(z):
    return z if z > 0 else 0 * z


def point_for(equations, names, seed, keep_away=()):
    rng = random.Random(seed)
    while True:
        p = {k: rng.uniform(-2, 2) for k in names}
        v = forward(p, equations)
        if all(abs(v[z]) > 0.05 for z in keep_away):
            return v


# == MIT 6.790 HW4 1.2a: two outputs =============================================================
MULTI = {
    "z1": ((), lambda v: v["w1"] * v["x"]),
    "a1": ((), lambda v: relu(v["z1"])),
    "y1": ((), lambda v: sig(v["w2"] * v["a1"])),
    "y2": ((), lambda v: sig(v["w3"] * v["a1"])),
    "E": ((), lambda v: ((v["y1"] - v["t1"]) ** 2 + (v["y2"] - v["t2"]) ** 2) / 2),
}


@pytest.mark.parametrize("seed", range(4))
def test_two_outputs_sum_two_paths_to_the_total_derivative(seed):
    v = point_for(MULTI, ("w1", "w2", "w3", "x", "t1", "t2"), seed, keep_away=("z1",))
    want = total_derivative(v, "w1", equations=MULTI)
    chain = answer("mit-6790-hw4-multi-output", "1.2a")
    assert len(chain.args) == 2                                     # one term per path
    assert numeric(chain, v, MULTI) == pytest.approx(want, rel=1e-6, abs=1e-9)
    assert numeric(answer("mit-6790-hw4-multi-output", "1.2a-closed"), v, MULTI) == pytest.approx(want, rel=1e-6, abs=1e-9)


# == MIT 6.790 HW4 1.1k: leaky relu ==============================================================
def leaky_equations(alpha):
    return {
        "z1": ((), lambda v: v["w1"] * v["x"]),
        "a1": ((), lambda v: v["z1"] if v["z1"] > 0 else alpha * v["z1"]),
        "z2": ((), lambda v: v["w2"] * v["a1"] + 0.2),
        "y": ((), lambda v: sig(v["z2"])),
        "E": ((), lambda v: (v["y"] - v["t"]) ** 2 / 2),
    }


@pytest.mark.parametrize("alpha,t", [(0.01, 1.0), (0.3, 0.0), (0.5, -2.0)])
def test_leaky_relu_gradient_is_alive_where_relu_was_dead(alpha, t):
    eqs = leaky_equations(alpha)
    v = forward({"w1": -0.1, "w2": -1.0, "x": 2.0, "t": t}, eqs)
    want = total_derivative(v, "w1", equations=eqs)
    assert abs(want) > 1e-6
    from bank_values import evaluate

    got = float(evaluate(answer("mit-6790-hw4-leaky-relu", "1.1k"), alpha=alpha, t=t))
    assert got == pytest.approx(want, rel=1e-6)
    eta = 0.7
    update = float(evaluate(answer("mit-6790-hw4-leaky-relu", "1.1k-update"), alpha=alpha, t=t, eta=eta))
    assert update == pytest.approx(-0.1 - eta * want, rel=1e-6)
    local = numeric(answer("mit-6790-hw4-leaky-relu", "1.1k-local"), {**v, "alpha": alpha}, eqs)
    assert local == pytest.approx(local_derivative("a1", "z1", v, eqs), rel=1e-6)
    stuck = answer("mit-6790-hw4-leaky-relu", "1.1k-stuck").rhs
    assert float(evaluate(stuck, alpha=alpha)) == pytest.approx(v["y"], rel=1e-12)


# == cousin: tanh hidden unit, cross-entropy =====================================================
TANH = {
    "s": ((), lambda v: v["u"] * v["x"] + v["c"]),
    "h": ((), lambda v: math.tanh(v["s"]) if not isinstance(v["s"], Fraction) else Fraction(0) if v["s"] == 0 else None),
    "r": ((), lambda v: v["v"] * v["h"] + v["b"]),
    "p": ((), lambda v: sig(v["r"]) if not isinstance(v["r"], Fraction) else Fraction(1, 2) if v["r"] == 0 else None),
    "L": ((), lambda v: -(v["t"] * math.log(v["p"]) + (1 - v["t"]) * math.log(1 - v["p"]))),
}
COUSIN = "tanh-cross-entropy-backprop"
GIVEN = {"u": 1.0, "c": -2.0, "v": 3.0, "b": 0.0, "x": 2.0, "t": 1.0}


@pytest.mark.parametrize("seed", range(4))
def test_tanh_cross_entropy_chain_and_closed_form(seed):
    v = point_for(TANH, ("u", "c", "v", "b", "x", "t"), 10 + seed)
    want = total_derivative(v, "u", out="L", equations=TANH)
    for pid in ("chain", "closed"):
        assert numeric(answer(COUSIN, pid), v, TANH) == pytest.approx(want, rel=1e-6, abs=1e-9), pid


def test_tanh_cross_entropy_values_at_the_given_weights():
    v = forward(GIVEN, TANH)
    grad = total_derivative(v, "u", out="L", equations=TANH)
    assert answer(COUSIN, "value") == sympy.Integer(round(grad))
    assert abs(grad - round(grad)) < 1e-6
    assert float(answer(COUSIN, "loss")) == pytest.approx(v["L"]) and answer(COUSIN, "loss").is_number
    eta = sympy.Rational(2, 7)
    step = answer(COUSIN, "update").subs(sympy.Symbol("eta", positive=True), eta)
    assert float(step) == pytest.approx(GIVEN["u"] - float(eta) * grad)


# == cousin: two relu units, gradient with respect to the input ==================================
TWO = {
    "z1": ((), lambda v: v["a"] * v["x"]),
    "z2": ((), lambda v: v["b"] * v["x"]),
    "h1": ((), lambda v: relu(v["z1"])),
    "h2": ((), lambda v: relu(v["z2"])),
    "y": ((), lambda v: v["c1"] * v["h1"] + v["c2"] * v["h2"]),
    "E": ((), lambda v: (v["y"] - v["t"]) ** 2 / 2),
}
TWO_ID = "two-hidden-units-backprop"


@pytest.mark.parametrize("seed", range(4))
def test_input_gradient_sums_both_units(seed):
    v = point_for(TWO, ("a", "b", "c1", "c2", "x", "t"), 20 + seed, keep_away=("z1", "z2"))
    want = total_derivative(v, "x", equations=TWO)
    chain = answer(TWO_ID, "input-chain")
    assert len(chain.args) == 2
    for pid in ("input-chain", "input-closed"):
        assert numeric(answer(TWO_ID, pid), v, TWO) == pytest.approx(want, rel=1e-6, abs=1e-9), pid


def test_dead_unit_gets_no_gradient_exactly():
    exact = {"a": Fraction(1), "b": Fraction(-1), "c1": Fraction(1, 3), "c2": Fraction(2), "x": Fraction(3), "t": Fraction(2)}
    v = forward(exact, TWO)
    backprop_x = (v["y"] - v["t"]) * (v["c1"] * (v["z1"] > 0) * v["a"] + v["c2"] * (v["z2"] > 0) * v["b"])
    assert answer(TWO_ID, "input-value") == sympy.Rational(backprop_x.numerator, backprop_x.denominator)
    assert answer(TWO_ID, "dead-weight") == 0 == (v["y"] - v["t"]) * v["h2"]
    notes = [n.text for n in parts_of(TWO_ID)["dead-weight"].notes]
    assert any("z₂ = −3 < 0" in n for n in notes) and any(n.startswith("At c₂ = 2 the derivative") for n in notes)

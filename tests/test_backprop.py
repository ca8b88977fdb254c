"""Issue 11, backpropagation as a derivation (MIT 6.790 HW4 question 1 and its cousins).

Every derived answer is compared with a computation written here from scratch: a forward and a
backward pass in exact fractions (where σ is only ever taken at 0), the same passes in floats, and
central finite differences of the forward pass. Abstract answers (products of local derivatives
∂F/∂v) are evaluated by giving each local derivative the finite difference of its own equation,
so the chain rule itself is checked against the total derivative, never against typed text.
"""
from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest
import sympy

from bank_values import answer, parts_of

SPEC = "mit-6790-hw4-backprop"
GIVEN = {"w1": Fraction(1, 10), "w2": Fraction(-1), "x": Fraction(2), "t": Fraction(1)}


def sigma(z):
    if isinstance(z, Fraction):
        assert z == 0, "the exact pass only ever needs σ(0)"
        return Fraction(1, 2)
    return 1 / (1 + math.exp(-z))


def relu(z):
    return z if z > 0 else 0 * z


# -- the network of question 1.1, written here as plain Python ---------------------------------
EQUATIONS = {            # node: (its inputs, its equation)
    "z1": (("w1", "x"), lambda v: v["w1"] * v["x"]),
    "a1": (("z1",), lambda v: relu(v["z1"])),
    "z2": (("w2", "a1"), lambda v: v["w2"] * v["a1"] + Fraction(1, 5)),
    "y": (("z2",), lambda v: sigma(v["z2"])),
    "E": (("y", "t"), lambda v: (v["y"] - v["t"]) ** 2 / 2),
}


def forward(values, equations=EQUATIONS):
    v = dict(values)
    for node, (_, eq) in equations.items():
        v[node] = eq(v)
    return v


def backward_w1(v):
    """dE/dw1 by hand-written backpropagation (relu' = 1 on z > 0, 0 on z < 0)."""
    d_y = v["y"] - v["t"]
    d_z2 = d_y * v["y"] * (1 - v["y"])
    d_a1 = d_z2 * v["w2"]
    d_z1 = d_a1 * (1 if v["z1"] > 0 else 0)
    return d_z1 * v["x"]


def total_derivative(values, wrt, out="E", equations=EQUATIONS, h=1e-6):
    def f(s):
        return float(forward({**values, wrt: s}, equations)[out])
    return (f(values[wrt] + h) - f(values[wrt] - h)) / (2 * h)


def local_derivative(node, var, point, equations=EQUATIONS, h=1e-6):
    """∂node/∂var of the node's own equation, the other inputs held at the forward values."""
    eq = equations[node][1]
    up, down = dict(point), dict(point)
    up[var] += h
    down[var] -= h
    return (float(eq(up)) - float(eq(down))) / (2 * h)


def numeric(expr, point, equations=EQUATIONS):
    """A derived expression in floats: network quantities and inputs from ``point``, each
    abstract local derivative ∂F/∂v by finite differences of F's equation."""
    from derive.expr.objects import Partial, heaviside, relu as relu_cls, sigmoid as sigmoid_cls

    partials = {p: local_derivative(str(p.expr), str(p.variables[0]), point, equations) for p in expr.atoms(Partial)}
    e = expr.xreplace({p: sympy.Float(v, 30) for p, v in partials.items()})
    e = e.replace(lambda a: isinstance(a, heaviside), lambda a: sympy.Heaviside(a.args[0]))
    e = e.replace(lambda a: isinstance(a, relu_cls), lambda a: sympy.Max(0, a.args[0]))
    e = e.replace(lambda a: isinstance(a, sigmoid_cls), lambda a: 1 / (1 + sympy.exp(-a.args[0])))
    return float(e.subs({s: float(point[s.name]) for s in e.free_symbols}).evalf(30))


def random_point(rng, names=("w1", "w2", "x", "t")):
    p = {k: rng.uniform(-2, 2) for k in names}
    if abs(p.get("w1", 1) * p.get("x", 1)) < 0.05:      # away from relu's kink
        p["x"] += 0.5
    return p


# == forward pass (1.1a–c, h) ===================================================================

def test_forward_pass_is_exact_at_the_given_weights():
    v = forward(GIVEN)
    assert answer(SPEC, "1.1a") == sympy.Rational(1, 5) == v["a1"]
    assert answer(SPEC, "1.1b") == sympy.Rational(1, 2) == v["y"]
    assert answer(SPEC, "1.1c") == sympy.Rational(1, 8) == v["E"]


def test_output_after_the_weight_turns_negative_is_sigma_of_one_fifth_kept_exact():
    ans = answer(SPEC, "1.1h")
    assert ans.is_number and not ans.atoms(sympy.Float)            # exact, no decimals
    v = forward({k: float(x) for k, x in {**GIVEN, "w1": Fraction(-1, 10)}.items()})
    assert float(ans) == pytest.approx(v["y"], rel=1e-14)
    assert v["z2"] == pytest.approx(0.2)                            # the relu output is 0


# == the chain rule and the local derivatives (1.1d, e) =========================================

@pytest.mark.parametrize("seed", range(4))
def test_abstract_chain_rule_equals_the_total_derivative(seed):
    point = forward(random_point(random.Random(seed)))
    chain = answer(SPEC, "1.1d")
    from derive.expr.objects import Partial

    assert len(chain.atoms(Partial)) == 5
    assert numeric(chain, point) == pytest.approx(total_derivative(point, "w1"), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_each_local_derivative_matches_its_own_equation(seed):
    point = forward(random_point(random.Random(100 + seed)))
    pairs = [("E", "y"), ("y", "z2"), ("z2", "a1"), ("a1", "z1"), ("z1", "w1")]
    for k, (node, var) in enumerate(pairs):
        got = numeric(answer(SPEC, "1.1e", k), point)
        assert got == pytest.approx(local_derivative(node, var, point), rel=1e-6, abs=1e-9), (node, var)


# == the number, the update, the dead relu (1.1f, g, i) =========================================

def test_derivative_at_the_given_weights_is_the_backward_pass_exactly():
    v = forward(GIVEN)
    assert answer(SPEC, "1.1f") == sympy.Rational(1, 4) == backward_w1(v)
    assert float(answer(SPEC, "1.1f")) == pytest.approx(total_derivative({k: float(x) for k, x in GIVEN.items()}, "w1"))


@pytest.mark.parametrize("eta", [Fraction(1, 3), Fraction(2), Fraction(7, 10)])
def test_update_is_one_gradient_step(eta):
    update = answer(SPEC, "1.1g").subs(sympy.Symbol("eta", positive=True), sympy.Rational(eta.numerator, eta.denominator))
    assert update == GIVEN["w1"] - eta * backward_w1(forward(GIVEN))


@pytest.mark.parametrize("t", [Fraction(1), Fraction(0), Fraction(-3, 2), Fraction(5)])
def test_dead_relu_update_leaves_the_weight_for_every_target(t):
    ans = answer(SPEC, "1.1i")
    assert ans.free_symbols == set() and ans == sympy.Rational(-1, 10)
    point = {**GIVEN, "w1": Fraction(-1, 10), "t": t}
    v = forward({k: float(x) for k, x in point.items()})
    assert backward_w1(v) == 0
    assert total_derivative(v, "w1") == pytest.approx(0, abs=1e-9)


def test_dead_relu_is_explained_and_the_conclusion_is_drawn():
    part = parts_of(SPEC)["1.1i"]
    texts = [n.text for n in part.notes]
    assert any("flat side" in t and "H(z₁) = 0" in t for t in texts)
    assert any(t.startswith("The update leaves w₁ at −1/10 for every") and "t" in t for t in texts)
    live = [n.text for n in parts_of(SPEC)["1.1f"].notes]
    assert any("linear side" in t and "H(z₁) = 1" in t for t in live)


def test_steps_are_the_chain_rule_then_local_derivatives_then_the_forward_pass():
    rules = [s.rule for s in parts_of(SPEC)["1.1f"].steps]
    assert rules == ["chain-rule", "local-derivatives", "forward-pass", "substitute-values"]
    assert [s.rule for s in parts_of(SPEC)["1.1d"].steps] == ["chain-rule"]

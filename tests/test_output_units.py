"""MIT 6.790 HW4 1.1(j) and 1.2(b): a relu output unit and softmax against sigmoids. Checked
against a plain-Python forward pass (finite differences) and direct sums of exponentials."""
from __future__ import annotations

import math
import random

import pytest
import sympy

from bank_values import answer, parts_of

SPEC = "mit-6790-hw4-output-units"


def loss(w1, w2, x, t):
    a1 = max(0.0, w1 * x)
    y = max(0.0, w2 * a1 + 0.2)
    return (y - t) ** 2 / 2


@pytest.mark.parametrize("t", [-2.0, 0.0, 0.7, 5.0])
def test_a_dead_relu_output_passes_no_gradient_to_either_weight(t):
    h = 1e-6
    point = {"w1": 0.5, "w2": -1.0, "x": 2.0, "t": t}
    for k, wrt in ((0, "w2"), (1, "w1")):
        up, down = dict(point), dict(point)
        up[wrt] += h
        down[wrt] -= h
        fd = (loss(**up) - loss(**down)) / (2 * h)
        assert fd == pytest.approx(0, abs=1e-12)
        assert answer(SPEC, "1.1j", k) == 0
    notes = [n.text for n in parts_of(SPEC)["1.1j"].notes]
    assert any("flat side" in n for n in notes)


@pytest.mark.parametrize("seed", range(4))
def test_softmax_outputs_sum_to_one_and_the_identity_is_what_was_shown(seed):
    rng = random.Random(seed)
    s = [rng.uniform(-5, 5) for _ in range(4)]
    z = sum(math.exp(v) for v in s)
    assert sum(math.exp(v) / z for v in s) == pytest.approx(1)
    ident = answer(SPEC, "1.2b", 0)
    assert isinstance(ident, sympy.Equality) and ident.rhs == 1


def test_four_sigmoids_at_zero_sum_to_two_not_one():
    assert float(answer(SPEC, "1.2b", 1)) == sum(1 / (1 + math.exp(-0.0)) for _ in range(4)) == 2

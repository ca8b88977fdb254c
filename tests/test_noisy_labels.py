"""Issue 11, label noise (MIT 6.790 HW4 question 2 and its cousins).

Each derived answer is compared with a computation written here from scratch: the law of the
observed label by enumerating the four joint outcomes of (true label, noise coin) in exact
fractions, the negative log-likelihood as −log of that probability, and the gradient and the
update by central finite differences of a plain-Python forward pass. Never against typed text.
"""
from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction

import pytest
import sympy

from bank_values import answer, parts_of


def to_float(expr, values: dict) -> float:
    """A derived expression in floats; derive's own atoms (σ) lowered to plain SymPy."""
    from derive.expr.objects import sigmoid

    e = expr.replace(lambda a: isinstance(a, sigmoid), lambda a: 1 / (1 + sympy.exp(-a.args[0])))
    return float(e.subs({s: values[s.name] for s in e.free_symbols}).evalf(30))


def law(p, flips):
    """P(observed = 1) by enumeration: ``flips(y, coins)`` gives the observed label from the
    true label y ~ Bernoulli(p) and independent coins [(probability, …)]."""
    total = Fraction(0)
    probs = [c for c in flips.coins]
    for y in (0, 1):
        for outcome in itertools.product((0, 1), repeat=len(probs)):
            weight = (p if y else 1 - p)
            for c, o in zip(probs, outcome):
                weight *= c if o else 1 - c
            total += weight * flips(y, outcome)
    return total


class Xor:
    def __init__(self, eps):
        self.coins = [eps]

    def __call__(self, y, outcome):
        return y ^ outcome[0]


class ClassNoise:
    def __init__(self, alpha, beta):
        self.coins = [beta, alpha]            # m (miss a positive), g (mark a negative)

    def __call__(self, y, outcome):
        m, g = outcome
        return (1 - m) if y else g


def fractions(rng, k):
    return [Fraction(rng.randint(1, 8), 9) for _ in range(k)]


# == 2(a) and its cousin: the law of the observed label and its negative log-likelihood ========

@pytest.mark.parametrize("seed", range(5))
def test_probability_of_an_observed_one_is_the_enumerated_law(seed):
    h, eps = fractions(random.Random(seed), 2)
    got = answer("mit-6790-hw4-noisy-targets", "2a-q")
    vals = {"h": sympy.Rational(h.numerator, h.denominator), "epsilon": sympy.Rational(eps.numerator, eps.denominator)}
    assert got.subs({s: vals[s.name] for s in got.free_symbols}) == law(h, Xor(eps))
    p, alpha, beta = fractions(random.Random(50 + seed), 3)
    got = answer("asymmetric-label-noise", "rate")
    vals = {"p": p, "alpha": alpha, "beta": beta}
    assert got.subs({s: sympy.Rational(vals[s.name].numerator, vals[s.name].denominator) for s in got.free_symbols}) \
        == law(p, ClassNoise(alpha, beta))


@pytest.mark.parametrize("t", [0, 1])
@pytest.mark.parametrize("seed", range(3))
def test_negative_log_likelihood_is_minus_log_of_the_enumerated_probability(seed, t):
    h, eps = fractions(random.Random(seed), 2)
    q = law(h, Xor(eps))
    want = -math.log(q if t else 1 - q)
    got = answer("mit-6790-hw4-noisy-targets", "2a")
    assert to_float(got, {"h": float(h), "epsilon": float(eps), "t": t}) == pytest.approx(want, rel=1e-12)
    p, alpha, beta = fractions(random.Random(70 + seed), 3)
    rho = law(p, ClassNoise(alpha, beta))
    got = answer("asymmetric-label-noise", "nll")
    assert to_float(got, {"p": float(p), "alpha": float(alpha), "beta": float(beta), "u": t}) == \
        pytest.approx(-math.log(rho if t else 1 - rho), rel=1e-12)


@pytest.mark.parametrize("spec, pid, names", [("mit-6790-hw4-noisy-targets", "2a-cross-entropy", ("h", "t")),
                                              ("asymmetric-label-noise", "clean", ("p", "u"))])
def test_without_noise_the_error_is_the_cross_entropy(spec, pid, names):
    lhs, rhs = answer(spec, pid).lhs, answer(spec, pid).rhs
    prob, label = names
    for t in (0, 1):
        for pr in (0.1, 0.5, 0.83):
            want = -math.log(pr) if t else -math.log(1 - pr)      # cross-entropy, computed here
            assert to_float(rhs, {prob: pr, label: t}) == pytest.approx(want, rel=1e-12)
    assert not parts_of(spec)[pid].error and "Yes:" in parts_of(spec)[pid].notes[-1].text
    assert " = 0" in parts_of(spec)[pid].notes[-1].text                 # says where it holds


# == 2(b), 2(c) and the cousin: backpropagation through the noisy likelihood ====================

def forward(v, noisy):
    """The network of 2(b) (or its cousin) in plain Python: returns the loss and its nodes."""
    a = v["w"] * v["z"] + v["r"] if "w" in v else v["v"] * v["x"] + v["b"]
    h = 1 / (1 + math.exp(-a))
    q = noisy(h, v)
    t = v["t"] if "t" in v else v["u"]
    loss = -t * math.log(q) - (1 - t) * math.log(1 - q)
    return loss, {"a": a, "h": h, "q": q, "s": a, "p": h, "rho": q}


def flip(h, v):
    return (1 - v["epsilon"]) * h + v["epsilon"] * (1 - h)


def classwise(h, v):
    return (1 - v["beta"]) * h + v["alpha"] * (1 - h)


def central(v, wrt, noisy, step=1e-6):
    up, down = dict(v), dict(v)
    up[wrt] += step
    down[wrt] -= step
    return (forward(up, noisy)[0] - forward(down, noisy)[0]) / (2 * step)


CASES = [  # spec, gradient part, parameter, noise model, its symbols
    ("mit-6790-hw4-noisy-gradient", "2b", "w", flip, ("w", "z", "r", "epsilon", "t")),
    ("label-noise-bias-gradient", "grad", "b", classwise, ("v", "x", "b", "alpha", "beta", "u")),
]


def point(rng, names):
    v = {k: rng.uniform(-2, 2) for k in names}
    for k in ("epsilon", "alpha", "beta"):
        if k in v:
            v[k] = rng.uniform(0, 0.45)
    for k in ("t", "u"):
        if k in v:
            v[k] = rng.randint(0, 1)
    return v


@pytest.mark.parametrize("spec, pid, wrt, noisy, names", CASES)
@pytest.mark.parametrize("seed", range(4))
def test_gradient_matches_finite_differences(spec, pid, wrt, noisy, names, seed):
    v = point(random.Random(seed), names)
    nodes = forward(v, noisy)[1]
    got = to_float(answer(spec, pid), {**v, **nodes})
    assert got == pytest.approx(central(v, wrt, noisy), rel=1e-6, abs=1e-9)


STEPS = [  # spec, part, parameter, rate, noise model, symbols, the part's values
    ("mit-6790-hw4-noisy-gradient", "2c", "w", "eta", flip, ("w", "z", "r", "t"), {"epsilon": 0.1}),
    ("mit-6790-hw4-noisy-gradient", "2c-clean", "w", "eta", flip, ("w", "z", "r", "t"), {"epsilon": 0.0}),
    ("label-noise-bias-gradient", "step", "b", "gamma", classwise, ("v", "x", "b", "u"), {"alpha": 0.2, "beta": 0.1}),
    ("label-noise-bias-gradient", "step-clean", "b", "gamma", classwise, ("v", "x", "b", "u"), {"alpha": 0.0, "beta": 0.0}),
]


@pytest.mark.parametrize("spec, pid, wrt, rate, noisy, names, given", STEPS)
@pytest.mark.parametrize("seed", range(3))
def test_update_is_one_step_along_the_finite_difference_gradient(spec, pid, wrt, rate, noisy, names, given, seed):
    rng = random.Random(10 + seed)
    v = {**point(rng, names), **given, rate: rng.uniform(0.1, 2)}
    nodes = forward(v, noisy)[1]
    got = to_float(answer(spec, pid), {**v, **nodes})
    assert got == pytest.approx(v[wrt] - v[rate] * central(v, wrt, noisy), rel=1e-6, abs=1e-9)
    free = {s.name for s in answer(spec, pid).free_symbols}
    assert not free & set(given), "the part's values are put in"


def test_a_confidently_wrong_label_moves_the_weight_less_under_noise():
    """The point of 2(c): at h near 1 with t = 0 the clean step is about −ηz, the noisy one
    shrinks towards 0 (checked on the derived updates, against the forward pass)."""
    v = {"w": 3.0, "z": 2.0, "r": 1.0, "t": 0, "eta": 1.0}
    noisy = to_float(answer("mit-6790-hw4-noisy-gradient", "2c"), {**v, **forward({**v, "epsilon": 0.1}, flip)[1]})
    clean = to_float(answer("mit-6790-hw4-noisy-gradient", "2c-clean"), {**v, **forward({**v, "epsilon": 0.0}, flip)[1]})
    assert abs(noisy - v["w"]) < 0.05 * abs(clean - v["w"])

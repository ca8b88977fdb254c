"""Counting on a stack of layers: neurons, parameters and receptive fields by the general
formula of each layer type, then the layer sizes, then the arithmetic (the ``count`` goal).

Formulas (layer ℓ maps H_{ℓ−1} × W_{ℓ−1} × C_{ℓ−1} to H_ℓ × W_ℓ × C_ℓ):

- output size of a k × k window with padding p and stride s: H_ℓ = ⌊(H_{ℓ−1} + 2p − k)/s⌋ + 1;
- neurons: Σ_ℓ H_ℓ W_ℓ C_ℓ;
- parameters: a convolution (k_ℓ² C_{ℓ−1} + 1) C_ℓ, a dense layer (H_{ℓ−1} W_{ℓ−1} C_{ℓ−1} + 1) n_ℓ,
  pooling none;
- receptive field: r_ℓ = r_{ℓ−1} + (k_ℓ − 1) j_{ℓ−1} with jumps j_ℓ = j_{ℓ−1} s_ℓ, r_0 = j_0 = 1.

The certifier evaluates the ``Count`` object by enumeration (``architecture.py``), never by
these formulas. Wording in ``explanations_structured.yaml``.
"""
from __future__ import annotations

from sympy import Add, Integer, Mul, Pow, Symbol

from ..architecture import Count, shapes
from ..equivalence import Context
from ..errors import RuleError
from .base import with_context


def _sym(name: str, layer: int) -> Symbol:
    return Symbol(f"{name}_{layer}", integer=True, positive=True)


def formula(count: Count):
    """(symbolic total, {symbol: value}) for the count's kind."""
    sizes = [tuple(count.input_shape)] + shapes(count.input_shape, count.layers)
    values, terms = {}, []

    def h(l_):
        return _sym("H", l_), _sym("W", l_), _sym("C", l_)

    for l_, layer in enumerate(count.layers, start=1):
        for name, v in zip("HWC", sizes[l_ - 1]):
            values[_sym(name, l_ - 1)] = Integer(v)
        for name, v in zip("HWC", sizes[l_]):
            values[_sym(name, l_)] = Integer(v)
        H, W, C = h(l_)
        Hp, Wp, Cp = h(l_ - 1)
        if count.kind == "neurons":
            terms.append(H * W * C)
        elif count.kind == "parameters":
            if layer[0] == "conv":
                k = _sym("k", l_)
                values[k] = Integer(layer[1])
                terms.append((k ** 2 * Cp + 1) * C)
            elif layer[0] == "dense":
                terms.append((Hp * Wp * Cp + 1) * H * W * C)
        else:
            if layer[0] == "dense":
                raise RuleError("a fully connected layer sees the whole input: its receptive field is the input")
            k, s = _sym("k", l_), _sym("s", l_)
            values[k], values[s] = Integer(layer[1]), Integer(layer[-1])
            jump = Mul(*[_sym("s", m) for m in range(1, l_)])
            for m in range(1, l_):
                values[_sym("s", m)] = Integer(count.layers[m - 1][-1])
            terms.append((k - 1) * jump)
    if count.kind == "receptive_field":
        terms.insert(0, Integer(1))
    return Add(*terms, evaluate=False), values


def substituted(expr, values):
    """The formula with the numbers put in, the arithmetic not yet done."""
    def walk(e):
        if e in values:
            return values[e]
        if e.is_Add or e.is_Mul or e.is_Pow:
            return e.func(*[walk(a) for a in e.args], evaluate=False)
        return e
    return walk(expr)


def count_goal(run, goal):
    count = Count(goal.count, goal.input_shape, goal.layers)
    total, values = formula(count)
    ctx = Context(run.ctx.table, {**run.ctx.definitions, **values}, seed=run.ctx.seed, trials=run.ctx.trials)
    rule = {"neurons": "count-neurons", "parameters": "count-parameters", "receptive_field": "receptive-field"}[goal.count]
    with_context(run, ctx, lambda: run.rec.step(rule, count, total, layers=len(count.layers)))
    numbers = substituted(total, values)
    sizes = "; ".join(f"layer {l_}: {h} × {w} × {c}" for l_, (h, w, c) in
                      enumerate(shapes(count.input_shape, count.layers), start=1))
    with_context(run, ctx, lambda: run.rec.step("layer-sizes", total, numbers, sizes=sizes))
    answer = Integer(int(numbers.doit()))
    run.rec.step("arithmetic", numbers, answer)
    if goal.count == "receptive_field":
        run.rec.note("remark", f"A unit there sees a {answer} × {answer} square of the input.", None)
    return answer

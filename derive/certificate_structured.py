"""End-to-end certificate of a ``weight_matrix`` goal (called from ``certificate.py``).

The answer M is the weight matrix of the goal's expression f(x) when M holds no entry of x and
M x = f(x) at random exact instances, with f rebuilt from the spec's text and evaluated by its
own definition (a convolution by the certifier's scatter over the input, ``expr/conv.py``).
"""
from __future__ import annotations

from sympy import ImmutableMatrix, MatMul

from .equivalence import Verdict, same_value
from .expr.build import Builder


def weight_matrix(goal, answer, table, ctx, dropped):
    x = table[goal.wrt].obj
    original = Builder(table).build(goal.expr).expr
    if not isinstance(answer, ImmutableMatrix):
        return Verdict("not-equivalent", reason="the answer is not an explicit matrix"), ""
    if answer.has(x) or any(str(s).startswith(f"{x.name}_") for s in answer.free_symbols):
        return Verdict("not-equivalent", reason=f"the matrix depends on the input {goal.wrt}"), ""
    if answer.shape != (original.shape[0], x.shape[0]):
        return Verdict("not-equivalent", reason=f"the matrix is {answer.shape[0]} × {answer.shape[1]}, not "
                                                f"{original.shape[0]} × {x.shape[0]}"), ""
    verdict = same_value(MatMul(answer, x), original, ctx, symbolic=False)
    return verdict, f"it does not depend on {goal.wrt}, and its product with random inputs equals the original expression computed directly"


def count(goal, answer, table, ctx, dropped):
    """A count on a stack of layers equals the certifier's enumeration (``architecture.py``)."""
    from .architecture import Count

    verdict = same_value(Count(goal.count, goal.input_shape, goal.layers), answer, ctx, symbolic=False)
    what = {"neurons": "it equals the units counted one by one, layer by layer",
            "parameters": "it equals the weights and biases listed one by one, layer by layer",
            "receptive_field": "it equals the span of the input positions that reach one output unit, "
                               "tracked back window by window"}[goal.count]
    return verdict, what

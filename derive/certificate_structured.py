"""End-to-end certificate of a ``weight_matrix`` goal (called from ``certificate.py``).

The answer M is the weight matrix of the goal's expression f(x) when M holds nothing that varies
with x and M x = f(x) at random exact instances, with f rebuilt from the spec's text and evaluated
by its own definition (a convolution by the certifier's scatter over the input, ``expr/conv.py``;
a softmax and a sine by theirs, ``expr/attention.py``):

- ``of:`` a vector x: M holds no entry of x, and M x = f(x);
- ``of:`` a matrix X (tokens as rows): M holds no entry of X, and M rows(X) = rows(f(X));
- ``of:`` a vector given v (functions of some symbols, e.g. an encoding r_n): M holds none of
  those symbols, and M v = f.

An answer that says no matrix exists (an ``And`` of values and relations) is checked as a proof:
at those values the input vector is exactly 0, so M·0 = 0 for every M, while f is not 0.
"""
from __future__ import annotations

from sympy import And, Eq, ImmutableMatrix, MatMul, Ne, Symbol

from .equivalence import Verdict, same_value
from .expr.build import Builder


def weight_matrix(goal, answer, table, ctx, dropped):
    info = table[goal.wrt]
    x = info.obj
    original = Builder(table).build(goal.expr).expr
    if isinstance(answer, And):
        return _no_matrix(answer, x, original, ctx)
    if not isinstance(answer, ImmutableMatrix):
        return Verdict("not-equivalent", reason="the answer is not an explicit matrix"), ""
    varying = ctx.expand_definitions(x).free_symbols if info.kind == "defined" else {x}
    if any(answer.has(v) for v in varying) or any(str(s).startswith(f"{x.name}_") for s in answer.free_symbols):
        return Verdict("not-equivalent", reason=f"the matrix depends on the input {goal.wrt}"), ""
    matrix_input = info.kind != "defined" and x.shape[1] != 1
    if matrix_input:
        from .expr.attention import Rows

        lhs, rhs, cols = MatMul(answer, Rows(x)), Rows(original), x.shape[0] * x.shape[1]
    else:
        lhs, rhs, cols = MatMul(answer, x), original, x.shape[0]
    if answer.shape != (rhs.shape[0], cols):
        return Verdict("not-equivalent", reason=f"the matrix is {answer.shape[0]} × {answer.shape[1]}, not "
                                                f"{rhs.shape[0]} × {cols}"), ""
    verdict = same_value(lhs, rhs, ctx, symbolic=False)
    if matrix_input:
        what = (f"it does not depend on {goal.wrt}, and its product with the rows of random inputs, written one after "
                "another, equals the original expression's rows computed directly")
    elif info.kind == "defined":
        names = ", ".join(sorted(str(v) for v in varying))
        what = (f"it does not depend on {names}, and its product with {goal.wrt} equals the original expression "
                f"at random values of {names} and of the other symbols")
    else:
        what = f"it does not depend on {goal.wrt}, and its product with random inputs equals the original expression computed directly"
    return verdict, what


def _no_matrix(answer, x, original, ctx):
    """And(s₁ = v₁, …, x = 0, f ≠ 0): x vanishes there and f does not, so no M gives M x = f."""
    from .numeric import Evaluator, Mat, close

    values = {a.lhs: a.rhs for a in answer.args if isinstance(a, Eq) and isinstance(a.lhs, Symbol)}
    if not values:
        return Verdict("not-equivalent", reason="the counterexample gives no values"), ""
    env = {s: _fraction(v) for s, v in values.items()}
    ev = Evaluator(env)
    try:
        vx = ev.eval(ctx.expand_definitions(x))
        vf = ev.eval(ctx.expand_definitions(original))
    except Exception as e:  # noqa: BLE001 - an instance that cannot be evaluated proves nothing
        return Verdict("not-equivalent", reason=f"the counterexample cannot be evaluated: {e}"), ""
    if not isinstance(vx, Mat) or not isinstance(vf, Mat):
        return Verdict("not-equivalent", reason="the counterexample does not give vectors"), ""
    exact_zero = all(v == 0 and not hasattr(v, "_mpf_") for row in vx for v in row)
    if not exact_zero:
        return Verdict("not-equivalent", reason="the input vector is not exactly 0 at the counterexample"), ""
    if all(close(v, 0) for row in vf for v in row):
        return Verdict("not-equivalent", reason="the expression is 0 at the counterexample too"), ""
    relations = [a for a in answer.args if not (isinstance(a, Eq) and isinstance(a.lhs, Symbol))]
    zero = [a for a in relations if isinstance(a, Eq) and a.lhs == x and getattr(a.rhs, "is_ZeroMatrix", False)]
    nonzero = [a for a in relations if isinstance(a, Ne) and getattr(a.rhs, "is_ZeroMatrix", False)]
    if len(relations) != 2 or len(zero) != 1 or len(nonzero) != 1:
        return Verdict("not-equivalent", reason="a counterexample states the input = 0 and the value ≠ 0"), ""
    try:
        shown_value = ev.eval(nonzero[0].lhs)
    except Exception as e:  # noqa: BLE001
        return Verdict("not-equivalent", reason=f"the stated value cannot be evaluated: {e}"), ""
    if not isinstance(shown_value, Mat) or shown_value.shape != vf.shape or \
            not all(close(a, b) for ra, rb in zip(shown_value, vf) for a, b in zip(ra, rb)):
        return Verdict("not-equivalent", reason="the stated value is not the expression at the counterexample"), ""
    shown = ", ".join(f"{s} = {v}" for s, v in values.items())
    return (Verdict("equivalent", "exact instance", trials=1),
            f"at the instance {shown} the input vector is exactly 0, so every matrix maps it to 0, while the "
            "expression there is not 0 (evaluated from its definition): no matrix can exist")


def _fraction(v):
    from fractions import Fraction

    return Fraction(int(v.p), int(v.q))


def count(goal, answer, table, ctx, dropped):
    """A count on a stack of layers equals the certifier's enumeration (``architecture.py``)."""
    from .architecture import Count

    verdict = same_value(Count(goal.count, goal.input_shape, goal.layers), answer, ctx, symbolic=False)
    what = {"neurons": "it equals the units counted one by one, layer by layer",
            "parameters": "it equals the weights and biases listed one by one, layer by layer",
            "receptive_field": "it equals the span of the input positions that reach one output unit, "
                               "tracked back window by window"}[goal.count]
    return verdict, what

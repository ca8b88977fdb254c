"""End-to-end certificate of a ``shape`` goal (called from ``certificate.py``).

The answer r × c is checked twice against the goal rebuilt from the spec's text:

- typed: the builder's shapes (checked as the expression is built) give the shape by the
  definition of the derivative's layout: a scalar by a vector or matrix v has v's shape, an
  m × 1 column by a d × 1 column is m × d, anything by a scalar keeps its own shape;
- numeric: at random instances with random sizes (n ≠ d), the expression, or the array of its
  partial derivatives computed entry by entry with dual numbers (``shapes.derivative_array``),
  is evaluated and its shape read, and must equal r × c at those sizes.
"""
from __future__ import annotations

from sympy import Integer, simplify

from .equivalence import Verdict, same_value
from .expr.build import Builder
from .expr.objects import Grad
from .shapes import Dims, Jacobian, ShapeOf


def shape(goal, answer, table, ctx, dropped):
    if not isinstance(answer, Dims):
        return Verdict("not-equivalent", reason="the answer is not a shape r × c"), ""
    built = Builder(table).build(goal.expr)
    f, fshape = built.expr, _typed(built.shape)
    var = table[goal.wrt].obj if goal.wrt else None
    at = var
    if var is None and isinstance(f, Grad):      # grad(f, v): f in a fresh v, taken at a point
        var, at, f = f.var, f.at, f.expr
        fshape = (Integer(1), Integer(1))        # the builder refuses grad of a non-scalar
    if var is None:
        target, want, what = ShapeOf(f), fshape, "the expression's shape"
    else:
        vshape = _typed(var.shape if getattr(var, "is_Matrix", False) else None)
        gradient = fshape == (1, 1) and getattr(var, "is_Matrix", False)
        target = ShapeOf(Grad(f, var, at)) if gradient else ShapeOf(Jacobian(f, var))
        want = _layout(fshape, vshape)
        what = "the shape of the array of partial derivatives (each by a dual number)"
    if want is None:
        return Verdict("not-equivalent", reason="the derivative has more than two indices"), ""
    if any(simplify(a - b) != 0 for a, b in zip(want, answer.args)):
        return Verdict("not-equivalent", reason=f"the typed expression gives {want[0]} × {want[1]}, "
                                                f"not {answer.rows} × {answer.cols}"), ""
    verdict = same_value(ShapeOf(ctx.expand_definitions(target.expr)), answer, ctx, symbolic=False)
    return verdict, f"it is the shape the typed expression gives, and {what} at random sizes"


def _typed(shape) -> tuple:
    return (Integer(1), Integer(1)) if shape is None else tuple(shape)


def _layout(fshape, vshape):
    """The shape of ∂f/∂v by the definition of the layout, or None (more than two indices)."""
    if vshape == (1, 1):
        return fshape
    if fshape == (1, 1):
        return vshape
    if fshape[1] == 1 and vshape[1] == 1:
        return (fshape[0], vshape[0])
    return None

"""The ``shape`` goal: the dimensions of an expression, or of its derivative with respect to a
declared symbol (``shape: EXPR``, ``shape: EXPR, wrt: v``, or ``shape: 'grad(f, v)'``).

Two steps, each ``ShapeOf(·) = Dims(r, c)`` and certified by the ``equal`` claim, which evaluates
both sides at random instances with random sizes (``derive/shapes.py``: the certifier reads the
shape of the value, and of a derivative the shape of the array of partial derivatives it fills):

- ``shape-of-expression``: the shape of EXPR read off as it is built (the matrix products and
  their sizes; sums, transposes and scalar functions);
- with a variable v: ``shape-of-gradient`` (a scalar by a vector or matrix: the shape of v),
  ``shape-of-jacobian`` (an m × 1 column by a d × 1 column: m × d) or ``shape-by-scalar`` (by a
  scalar: the shape of EXPR). A matrix by a vector or matrix has more than two indices: refused.

Wording is in ``explanations_shapes.yaml``.
"""
from __future__ import annotations


from ..errors import RuleError
from ..shapes import Dims, Jacobian, ShapeOf

MAX_PRODUCTS = 4


def shape_goal(run, goal, expr):
    from ..expr.objects import Grad

    var = run.table[goal.wrt].obj if goal.wrt else None
    f, at = expr, None
    if var is None and isinstance(expr, Grad):          # shape: 'grad(f, v)', f in a fresh v taken at a point
        f, var, at = expr.expr, expr.var, expr.at
    shown = f if at is None else f.xreplace({var: at})
    fshape = shape_of(f)
    run.rec.step("shape-of-expression", ShapeOf(shown), Dims(*fshape), what=run.show(shown),
                 products=_products(run, shown), shape=_text(run, fshape))
    if var is None:
        return Dims(*fshape)
    vshape = shape_of(var)
    fields = dict(var=run.show(var if at is None else at), vshape=_text(run, vshape), fshape=_text(run, fshape))
    if fshape == (1, 1) and getattr(var, "is_Matrix", False):
        rule, before, answer = "shape-of-gradient", Grad(f, var, at), vshape
    elif not getattr(var, "is_Matrix", False):
        rule, before, answer = "shape-by-scalar", Jacobian(f, var), fshape
    elif fshape[1] == 1 and vshape[1] == 1:
        rule, before, answer = "shape-of-jacobian", Jacobian(f, var), (fshape[0], vshape[0])
    else:
        raise RuleError(f"the derivative of a {_text(run, fshape)} expression with respect to the "
                        f"{_text(run, vshape)} {run.show(var)} has more than two indices: no matrix shape")
    run.rec.step(rule, ShapeOf(before), Dims(*answer), shape=_text(run, answer), **fields)
    return Dims(*answer)


def shape_of(e) -> tuple:
    """(rows, cols) of a SymPy expression; a scalar is 1 × 1."""
    from sympy import Integer

    if getattr(e, "is_Matrix", False):
        return tuple(e.shape)
    return (Integer(1), Integer(1))


def _products(run, f) -> str:
    """The matrix products in f with the sizes that meet: 'Wx: (n × d)(d × 1) = n × 1', …"""
    from sympy import MatMul, preorder_traversal

    out = []
    for node in preorder_traversal(f):
        if not isinstance(node, MatMul):
            continue
        mats = [a for a in node.args if getattr(a, "is_Matrix", False)]
        if len(mats) < 2:
            continue
        sizes = "".join(f"({_text(run, m.shape)})" for m in mats)
        item = f"{run.show(MatMul(*mats))}: {sizes} = {_text(run, node.shape)}"
        if item not in out:
            out.append(item)
        if len(out) >= MAX_PRODUCTS:
            break
    if out:
        return "; ".join(out)
    symbols = sorted((s for s in f.free_symbols if getattr(s, "is_Matrix", False)), key=str)
    if symbols:
        return "no matrix products; " + ", ".join(f"{run.show(s)} is {_text(run, s.shape)}" for s in symbols)
    return "no vectors or matrices"


def _text(run, shape) -> str:
    return f"{run.show(shape[0])} × {run.show(shape[1])}"

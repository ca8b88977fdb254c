"""Shapes as SymPy objects, for the ``shape`` goal: ``Dims(r, c)`` (an r × c shape),
``ShapeOf(e)`` (the shape of e) and ``Jacobian(f, v)`` (∂f/∂v of a vector f, or of anything by a
scalar v).

Where it sits: ``rules/shapes.py`` writes steps ``ShapeOf(e) = Dims(r, c)``; the certifier
evaluates both sides by ``_numeric`` at random instances, with matrix sizes drawn at random
(n ≠ d), so the step is checked by reading the shape of a number, never the rule's reasoning:

- ``Dims(r, c)`` evaluates to the pair (r, c) at the instance's sizes;
- ``ShapeOf(e)`` evaluates e and reads its shape (a scalar is 1 × 1);
- ``ShapeOf(Grad(f, v))`` and ``ShapeOf(Jacobian(f, v))`` compute the derivative itself, entry by
  entry with dual numbers (``derivative_array``), and read the shape of the array it fills: the
  layout is the definition, ∂f/∂vᵢⱼ at v's position (i, j) for a scalar f, ∂fᵢ/∂vⱼ at (i, j) for
  a column f and a column v, ∂fᵢⱼ/∂v at (i, j) for a scalar v.
"""
from __future__ import annotations

from fractions import Fraction

from sympy import Basic, Integer, sympify


class Dims(Basic):
    """An r × c shape (r, c: sizes, numbers or dimension symbols)."""

    def __new__(cls, rows, cols):
        return Basic.__new__(cls, sympify(rows), sympify(cols))

    rows = property(lambda self: self.args[0])
    cols = property(lambda self: self.args[1])

    def _numeric(self, ev):
        from .numeric import mat

        return mat([[_size(ev.eval(self.rows)), _size(ev.eval(self.cols))]])

    def _latex(self, printer):
        return rf"{printer._print(self.rows)} \times {printer._print(self.cols)}"

    def _derive_text(self, printer):
        return f"{printer._print(self.rows)} × {printer._print(self.cols)}"


class ShapeOf(Basic):
    """The shape of an expression (of a derivative: of the array of its partial derivatives)."""

    def __new__(cls, expr):
        return Basic.__new__(cls, expr)

    expr = property(lambda self: self.args[0])

    def _numeric(self, ev):
        from .expr.objects import Grad
        from .numeric import Mat, mat

        e = self.expr
        if isinstance(e, Grad):
            value = derivative_array(ev, e.expr, e.var, e.at, scalar_only=True)
        elif isinstance(e, Jacobian):
            value = derivative_array(ev, e.expr, e.var, e.var)
        else:
            value = ev.eval(e)
        rows, cols = value.shape if isinstance(value, Mat) else (1, 1)
        return mat([[Fraction(rows), Fraction(cols)]])

    def _latex(self, printer):
        return rf"\operatorname{{shape}}\left({printer._print(self.expr)}\right)"

    def _derive_text(self, printer):
        return f"shape({printer._print(self.expr)})"


class Jacobian(Basic):
    """∂f/∂v: the Jacobian of a column f by a column v, or the derivative of f by a scalar v."""

    def __new__(cls, expr, var):
        return Basic.__new__(cls, expr, var)

    expr = property(lambda self: self.args[0])
    var = property(lambda self: self.args[1])

    def _latex(self, printer):
        return rf"\frac{{\partial \left({printer._print(self.expr)}\right)}}{{\partial {printer._print(self.var)}}}"

    def _derive_text(self, printer):
        return f"∂({printer._print(self.expr)})/∂{printer._print(self.var)}"


def derivative_array(ev, f, var, at, scalar_only=False):
    """The array of partial derivatives of f with respect to the entries of ``var`` (taken at
    ``at``), each exact by a dual number, laid out by the definition (module docstring). Raises
    ``EvalError`` when f's value is not a scalar and ``scalar_only`` (a gradient), or when the
    layout would need more than two indices."""
    from .numeric import Dual, EvalError, Mat, _dual, mat

    point = ev.eval(at)
    entries = [(r, c) for r in range(point.shape[0]) for c in range(point.shape[1])] if isinstance(point, Mat) else [None]
    saved = ev.env.get(var)
    partials, shape = {}, None
    try:
        for k in entries:
            if k is None:
                ev.env[var] = Dual(_plain(point), Fraction(1))
            else:
                ev.env[var] = mat([[Dual(_plain(x), Fraction(int((r, c) == k))) for c, x in enumerate(row)]
                                   for r, row in enumerate(point)])
            value = ev.eval(f)
            got = value.shape if isinstance(value, Mat) else (1, 1)
            if shape is not None and got != shape:
                raise EvalError("the expression changes shape as its input moves")
            shape = got
            partials[k] = ([[_dual(x).b for x in row] for row in value] if isinstance(value, Mat)
                           else [[_dual(value).b]])
    finally:
        if saved is None:
            ev.env.pop(var, None)
        else:
            ev.env[var] = saved
    if shape == (1, 1):                           # a scalar: the array has the input's layout
        if entries == [None]:
            return partials[None][0][0]
        return mat([[partials[(r, c)][0][0] for c in range(point.shape[1])] for r in range(point.shape[0])])
    if scalar_only:
        raise EvalError(f"a gradient needs a scalar, and this expression is {shape[0]} × {shape[1]}")
    if entries == [None]:                         # by a scalar: the expression's own layout
        return mat(partials[None])
    if shape[1] == 1 and point.shape[1] == 1:     # a column by a column: ∂fᵢ/∂vⱼ at (i, j)
        return mat([[partials[(j, 0)][i][0] for j in range(point.shape[0])] for i in range(shape[0])])
    raise EvalError(f"the derivative of a {shape[0]} × {shape[1]} expression by a {point.shape[0]} × "
                    f"{point.shape[1]} one has more than two indices")


def _plain(x):
    from .numeric import Dual

    return x.a if isinstance(x, Dual) else x


def _size(x):
    from .numeric import EvalError

    v = Fraction(x) if isinstance(x, (int, Integer)) else x
    if not isinstance(v, Fraction) or v.denominator != 1 or v < 1:
        raise EvalError(f"a size must be a positive whole number, not {v}")
    return v

"""Differentiation with guards against SymPy's silent wrong answers, and 1×1 bridging.

SymPy returns 0 for the derivative of sums containing ``Trace`` or matrix elements, and for
``log(det A)``; such inputs are refused here rather than differentiated wrongly. Every result is
certified numerically by the caller anyway (dual numbers in ``numeric.py``).
"""
from __future__ import annotations

from ..errors import RuleError


def _guard(f):
    from sympy import Determinant, Trace
    from sympy.matrices.expressions.matexpr import MatrixElement

    from ..expr.objects import Scalar, Sgn

    bad = f.atoms(Trace, Determinant, MatrixElement, Scalar, Sgn)
    if bad:
        raise RuleError(f"refusing to differentiate an expression containing {sorted(map(str, bad))[0]}: "
                        "SymPy silently returns wrong derivatives for it")


def gradient(f, var):
    """∇_var f for a scalar-valued (1×1) matrix expression f and a column vector var."""
    _guard(f)
    g = f.diff(var)
    g = g.doit()
    if getattr(g, "shape", None) != var.shape:
        raise RuleError(f"the derivative of {f} with respect to {var} has shape {getattr(g, 'shape', None)}")
    return g


def to_scalar(m):
    """A 1×1 matrix expression as scalar algebra over ``Scalar`` atoms: c·M → c·Scalar(M)."""
    from sympy import Add, Identity, MatAdd, MatMul, S, ZeroMatrix

    from ..expr.objects import Scalar

    if not getattr(m, "is_Matrix", False):
        return m
    if isinstance(m, MatAdd):
        return Add(*[to_scalar(a) for a in m.args])
    if isinstance(m, ZeroMatrix):
        return S.Zero
    if isinstance(m, Identity):
        return S.One
    if isinstance(m, MatMul):
        coeff, mats = m.as_coeff_matrices()
        if all(isinstance(x, Identity) for x in mats):
            return coeff
        mats = [x for x in mats if not isinstance(x, Identity)]
        return coeff * Scalar(MatMul(*mats) if len(mats) > 1 else mats[0])
    return Scalar(m)


def expose_scalar(e, u):
    """Rewrite every 1×1 product that contains the scalar ``u`` (every one, if u is None) as
    scalar algebra in which ``u`` stands outside the products:
    Scalar(wᵀ(x − u·w)) → Scalar(wᵀx) − u·Scalar(wᵀw)."""
    from ..expr.objects import Scalar
    from .matrix import mexpand

    for _ in range(8):
        inner = [a for a in e.atoms(Scalar) if u is None or a.has(u)]
        new = e.xreplace({a: to_scalar(mexpand(a.args[0])) for a in inner})
        if new == e:
            return e
        e = new
    return e


def scalar_derivative(f, var):
    """d f / d var for a scalar symbol var; f may be a 1×1 matrix expression."""
    from sympy import diff

    if getattr(f, "is_Matrix", False):
        _guard(f)
        return to_scalar(f.diff(var).doit())
    return diff(f, var)

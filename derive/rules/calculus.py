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


def freeze_explicit(e, var=None):
    """Explicit constant matrices (mat(...), vec(...)) as named matrix symbols, which SymPy's
    matrix calculus handles (it recurses without end on explicit matrices); returns (e, undo)."""
    from sympy import ImmutableMatrix, MatrixSymbol

    mapping = {}
    for k, m in enumerate(sorted(e.atoms(ImmutableMatrix), key=str)):
        if var is not None and m.has(var):
            continue
        mapping[m] = MatrixSymbol(f"_K{k}", *m.shape)
    return (e.xreplace(mapping) if mapping else e), {v: k for k, v in mapping.items()}


def gradient(f, var):
    """∇_var f for a scalar-valued (1×1) matrix expression f and a column vector var."""
    from ..sympy_asks import remember_diagonal_asks

    _guard(f)
    remember_diagonal_asks()
    f, undo = freeze_explicit(f, var)
    g = f.diff(var)
    g = g.doit()
    if undo:
        g = g.xreplace(undo)
    if getattr(g, "shape", None) != var.shape:
        raise RuleError(f"the derivative of {f} with respect to {var} has shape {getattr(g, 'shape', None)}")
    return g


def scalar_if_1x1(x):
    """``to_scalar(x)`` for a 1×1 matrix expression; anything else as it is."""
    return to_scalar(x) if getattr(x, "shape", None) == (1, 1) else x


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


def to_matrix(e):
    """Scalar algebra over 1×1 products back to a 1×1 matrix expression (linear in the products):
    c·Scalar(M) + k → c·M + k·I₁. Products of two 1×1 products are refused."""
    from sympy import Add, Identity, MatAdd, MatMul, Mul

    from ..expr.objects import Scalar

    if getattr(e, "is_Matrix", False):
        return e
    if isinstance(e, Add):
        return MatAdd(*[to_matrix(a) for a in e.args]).doit()
    if isinstance(e, Scalar):
        return e.args[0]
    if isinstance(e, Mul):
        inner = [a for a in e.args if isinstance(a, Scalar)]
        if len(inner) > 1:
            raise RuleError(f"{e} is not linear in its inner products")
        if inner:
            coeff = Mul(*[a for a in e.args if not isinstance(a, Scalar)])
            return MatMul(coeff, inner[0].args[0]).doit()
    if e.atoms(Scalar):
        raise RuleError(f"{e} is not linear in its inner products")
    return MatMul(e, Identity(1)).doit()


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
    """d f / d var for a scalar symbol var; f may be a 1×1 matrix expression. SymPy's own step
    function (from max) is written as derive's heaviside, which prints and evaluates as H."""
    from sympy import Heaviside, diff

    from ..expr.objects import heaviside

    if getattr(f, "is_Matrix", False):
        from ..sympy_asks import remember_diagonal_asks

        _guard(f)
        remember_diagonal_asks()
        out = to_scalar(f.diff(var).doit())
    else:
        out = diff(f, var)
    return out.replace(lambda e: isinstance(e, Heaviside), lambda e: heaviside(e.args[0]))

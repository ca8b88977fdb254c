"""Rules for vector norms: a scalar factor comes out as its absolute value (‖c·v‖ = |c|‖v‖, for
the 1-, 2- and ∞-norms alike), and the sign vector of a nonzero v has ‖sgn(v)‖∞ = 1."""
from __future__ import annotations


def _scaled(v):
    """(c, rest) for a vector written c·rest with a scalar c ≠ 1, else None."""
    from sympy import MatMul

    if not isinstance(v, MatMul):
        return None
    coeff, mats = v.as_coeff_matrices()
    if coeff == 1 or not mats:
        return None
    return coeff, (MatMul(*mats) if len(mats) > 1 else mats[0])


def pull_scalars(e):
    """‖c·v‖_p → |c|·‖v‖_p for every norm in ``e``; None when nothing changes."""
    from sympy import Abs

    from ..expr.objects import norm1, norminf

    def rewrite(n):
        split = _scaled(n.args[0])
        return n if split is None else Abs(split[0]) * type(n)(split[1])

    out = e.replace(lambda x: isinstance(x, (norm1, norminf)), rewrite)
    return None if out == e else out


def sign_vector(e):
    """‖sgn(v)‖∞ → 1 (v ≠ 0 has a coordinate of nonzero sign); None when nothing changes."""
    from sympy import S

    from ..expr.objects import Sgn, norminf

    out = e.replace(lambda x: isinstance(x, norminf) and isinstance(x.args[0], Sgn), lambda x: S.One)
    return None if out == e else out


def sign_scaling(e):
    """sgn(c·v) → sgn(v) for a positive scalar c (and → −sgn(v) for a negative one)."""
    from sympy import MatMul

    from ..expr.objects import Sgn

    def rewrite(x):
        split = _scaled(x.args[0])
        if split is None:
            return x
        coeff, rest = split
        if coeff.is_positive:
            return Sgn(rest)
        if coeff.is_negative:
            return MatMul(-1, Sgn(rest))
        return x

    out = e.replace(lambda x: isinstance(x, Sgn), rewrite)
    return None if out == e else out


def sign_inner_product(e):
    """sgn(v)ᵀv → ‖v‖₁ (and vᵀsgn(v) → ‖v‖₁)."""
    from sympy import MatMul, Transpose

    from ..expr.objects import Scalar, Sgn, norm1

    def vector_of(x):
        """v when x is Scalar(sgn(v)ᵀv) or Scalar(vᵀsgn(v)), else None."""
        m = x.args[0]
        if not (isinstance(m, MatMul) and len(m.args) == 2 and isinstance(m.args[0], Transpose)):
            return None
        left, right = m.args[0].arg, m.args[1]
        if isinstance(left, Sgn) and left.args[0] == right:
            return right
        if isinstance(right, Sgn) and right.args[0] == left:
            return left
        return None

    out = e.replace(lambda x: isinstance(x, Scalar) and vector_of(x) is not None, lambda x: norm1(vector_of(x)))
    return None if out == e else out

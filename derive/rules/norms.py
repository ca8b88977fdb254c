"""Rules for vector norms: a scalar factor comes out as its absolute value (‖c·v‖ = |c|‖v‖, for
the 1-, 2- and ∞-norms alike), and the sign vector of a nonzero v has ‖sgn(v)‖∞ = 1."""
from __future__ import annotations


def pull_scalars(e):
    """‖c·v‖_p → |c|·‖v‖_p for every norm in ``e``; None when nothing changes."""
    from sympy import Abs, MatMul

    from ..expr.objects import Scalar, norm1, norminf

    def rewrite(n):
        v = n.args[0]
        if not isinstance(v, MatMul):
            return n
        coeff, mats = v.as_coeff_matrices()
        if coeff == 1 or not mats:
            return n
        rest = MatMul(*mats) if len(mats) > 1 else mats[0]
        return Abs(coeff) * type(n)(rest)

    out = e.replace(lambda x: isinstance(x, (norm1, norminf)), rewrite)
    return None if out == e else out


def sign_vector(e):
    """‖sgn(v)‖∞ → 1 (v ≠ 0 has a coordinate of nonzero sign); None when nothing changes."""
    from sympy import S

    from ..expr.objects import Sgn, norminf

    out = e.replace(lambda x: isinstance(x, norminf) and isinstance(x.args[0], Sgn), lambda x: S.One)
    return None if out == e else out


def sign_scaling(e, table=None):
    """sgn(c·v) → sgn(v) for a positive scalar c (and → −sgn(v) for a negative one)."""
    from sympy import MatMul

    from ..expr.objects import Sgn

    def rewrite(x):
        v = x.args[0]
        if not isinstance(v, MatMul):
            return x
        coeff, mats = v.as_coeff_matrices()
        rest = MatMul(*mats) if len(mats) > 1 else mats[0]
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

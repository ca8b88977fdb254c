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

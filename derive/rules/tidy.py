"""Scalar simplification that treats sums, expectations and 1×1 products as atoms, so that
SymPy's rational-function algebra (cancel, factor) never reaches inside them."""
from __future__ import annotations


def _atoms(e):
    from sympy import Sum

    from ..expr.objects import E, Scalar, Var, relu

    return [a for a in e.atoms(Sum, E, Var, Scalar, relu)]


def freeze(e):
    """Replace opaque subexpressions by dummies; returns (frozen, undo mapping)."""
    from sympy import Dummy

    mapping = {}
    for a in sorted(_atoms(e), key=lambda x: -len(str(x))):
        if a in mapping:
            continue
        mapping[a] = Dummy("z", real=True, nonnegative=True if getattr(a, "is_nonnegative", False) else None)
    return e.xreplace(mapping), {v: k for k, v in mapping.items()}


def pull_constants_out_of_sums(e):
    """Σ_j c·f(j) → c·Σ_j f(j) for factors c free of j."""
    from sympy import Mul, Sum

    def rewrite(s):
        body = s.function
        (var, lo, hi), = s.limits
        inside, outside = [], []
        for f in Mul.make_args(body):
            (inside if f.has(var) else outside).append(f)
        if not outside:
            return s
        if not inside:
            return Mul(*outside) * (hi - lo + 1)
        return Mul(*outside) * Sum(Mul(*inside), (var, lo, hi))

    return e.replace(lambda x: isinstance(x, Sum), rewrite)


def tidy(e):
    """A compact form of a scalar expression: cancel, then factor if that is shorter."""
    from sympy import cancel, count_ops, factor, expand

    if getattr(e, "is_Matrix", False):
        return e
    e = pull_constants_out_of_sums(e)
    frozen, undo = freeze(e)
    candidates = [frozen]
    for f in (cancel, factor, expand):
        try:
            candidates.append(f(frozen))
        except Exception:  # noqa: BLE001 - a failed rewrite just keeps the other candidates
            pass
    best = min(candidates, key=lambda c: (count_ops(c), len(str(c))))
    return best.xreplace(undo)

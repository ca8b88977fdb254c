"""Scalar simplification that treats sums, expectations and 1×1 products as atoms, so that
SymPy's rational-function algebra (cancel, factor) never reaches inside them."""
from __future__ import annotations


def _atoms(e):
    from sympy import Sum, sign

    from ..expr.objects import E, Scalar, Var, norm1, norminf, relu

    return [a for a in e.atoms(Sum, E, Var, Scalar, relu, sign, norm1, norminf)]


def freeze(e):
    """Replace opaque subexpressions by dummies; returns (frozen, undo mapping)."""
    from sympy import Dummy

    mapping = {}
    for a in sorted(_atoms(e), key=lambda x: -len(str(x))):
        if a in mapping:
            continue
        mapping[a] = Dummy("z", real=True, nonnegative=True if getattr(a, "is_nonnegative", False) else None,
                           nonzero=True if getattr(a, "is_nonzero", False) else None)
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


def signs_simplified(e):
    """1/sgn(a) → sgn(a) and a·sgn(a) → |a| for a nonzero a (sgn(a) is ±1)."""
    from sympy import Abs, Mul, Pow, sign

    e = e.replace(lambda x: isinstance(x, Pow) and isinstance(x.base, sign) and x.exp == -1
                  and x.base.args[0].is_nonzero, lambda x: x.base)

    def absorb(m):
        args = list(m.args)
        for s_ in [a for a in args if isinstance(a, sign)]:
            if s_.args[0] in args:
                args.remove(s_)
                args.remove(s_.args[0])
                args.append(Abs(s_.args[0]))
        return Mul(*args)

    return e.replace(lambda x: isinstance(x, Mul) and any(isinstance(a, sign) and a.args[0] in x.args for a in x.args), absorb)


def tidy(e):
    """A compact form of a scalar expression: cancel, then factor if that is shorter."""
    from sympy import cancel, count_ops, factor, expand

    if getattr(e, "is_Matrix", False):
        return e
    e = signs_simplified(pull_constants_out_of_sums(e))
    frozen, undo = freeze(e)
    candidates = [frozen]
    for f in (cancel, factor, expand):
        try:
            candidates.append(f(frozen))
        except Exception:  # noqa: BLE001 - a failed rewrite just keeps the other candidates
            pass
    best = min(candidates, key=lambda c: (count_ops(c), len(str(c))))
    return best.xreplace(undo)

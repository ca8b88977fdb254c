"""Certifying inequalities, independently of the rules that propose them (the certifier's side of
``rules/bounds.py``). A step ``before ≤ after`` (or ≥) is accepted only with both:

- **numbers**: the inequality holds at random exact instances (``holds``);
- **a reason**: the difference has a sign the declared assumptions fix (``sign``: sums and
  products of nonnegative factors, norms, even powers, families declared nonnegative), or, for
  the first-order condition of convexity, the function is convex by composition (``curvature``)
  and the right side is its exact linearisation.

A false inequality is answered by a counterexample: one instance, evaluated exactly, at which it
fails (``violated_at``).
"""
from __future__ import annotations


from .equivalence import COMPARE, Context, Counterexample, Verdict, _relevant, _trials
from .numeric import Mat, _mp, show

TOLERANCE = 10 ** -25


def _scalar_value(v):
    return v[0][0] if isinstance(v, Mat) else v


def holds(lhs, rhs, op: str, ctx: Context) -> Verdict:
    """``lhs op rhs`` at random exact instances (mpmath for logs and exponentials)."""
    lhs, rhs = ctx.expand_definitions(lhs), ctx.expand_definitions(rhs)
    compare = COMPARE[op]

    def judge(env, ev, shown):
        a, b = _mp(_scalar_value(ev.eval(lhs))), _mp(_scalar_value(ev.eval(rhs)))
        if compare(a, b) or abs(a - b) <= TOLERANCE * (abs(a) + abs(b) + 1):
            return None
        ce = Counterexample(_relevant(shown, [lhs, rhs]), show(a), show(b))
        return Verdict("not-equivalent", f"numeric: the inequality {op} fails", counterexample=ce)

    return _trials(ctx, [lhs, rhs], judge, "numeric: holds at {n} random instances (exact)")


def violated_at(lhs, rhs, op: str, ctx: Context, env: dict, expanded=None):
    """(left value, right value) when ``lhs op rhs`` fails at the instance ``env``; else None.
    ``expanded``: the two sides with the definitions already expanded (``ctx.expand_definitions``),
    for a caller that tries many instances. The evaluator works on a copy of ``env`` (a drawn
    instance's copy shares the values computed at it)."""
    lhs, rhs = expanded if expanded is not None else (ctx.expand_definitions(lhs), ctx.expand_definitions(rhs))
    ev = ctx.evaluator(env.copy())
    a, b = _mp(_scalar_value(ev.eval(lhs))), _mp(_scalar_value(ev.eval(rhs)))
    if COMPARE[op](a, b) or abs(a - b) <= TOLERANCE * (abs(a) + abs(b) + 1):
        return None
    return a, b


# -- signs from the assumptions -----------------------------------------------------------------
def sign(e, table) -> int | None:
    """+1 when e ≥ 0 follows from the assumptions, −1 when e ≤ 0, else None."""
    from sympy import Add, Indexed, Mul, Pow, Sum, sqrt  # noqa: F401

    from .expr.objects import Scalar

    if e.is_number:
        return 1 if e >= 0 else -1
    if e.is_nonnegative:
        return 1
    if e.is_nonpositive:
        return -1
    viewed = _through_domains(e, table)             # 1 − 2η ≥ 0 for η declared in (0, 1/2]
    if viewed is not None:
        return viewed
    if isinstance(e, Indexed):
        info = table.get(str(e.base.label))
        words = set(getattr(info, "assumptions", ()))
        dom = getattr(info, "domain", None)
        if words & {"positive", "nonnegative"} or (dom is not None and dom.lower is not None and dom.lower >= 0):
            return 1
        if words & {"negative", "nonpositive"}:
            return -1
        return None
    if isinstance(e, Scalar):
        return 1 if _is_gram(e.args[0]) else None
    if isinstance(e, Sum):
        return sign(e.function, table)
    if isinstance(e, Add):
        bounded = _number_minus_unit(e, table)
        if bounded is not None:
            return bounded
        signs = {sign(a, table) for a in e.args}
        if len(signs) == 1 and None not in signs:
            return signs.pop()
        from sympy import factor_terms

        common = factor_terms(e)                    # √a − c·√a  →  √a·(1 − c)
        return sign(common, table) if isinstance(common, Mul) else None
    if isinstance(e, Mul):
        total = 1
        for a in e.args:
            s = sign(a, table)
            if s is None:
                return None
            total *= s
        return total
    if isinstance(e, Pow):
        if e.exp.is_integer and e.exp.is_even:
            return 1
        if e.exp.is_Rational and e.exp.q == 2:           # a square root (or its powers) is ≥ 0 where defined
            return 1
        base = sign(e.base, table)
        if base == 1:
            return 1
        return None
    return None


def _through_domains(e, table):
    """The sign SymPy finds once each interval-bounded scalar is written through a positive
    parameter (lo ≤ s ≤ hi as lo + (hi − lo)·u/(1 + u), u > 0, closed ends included by limits)."""
    from sympy import Dummy

    if table is None or not getattr(e, "free_symbols", None):
        return None
    mapping = {}
    for info in table.symbols.values():
        dom = getattr(info, "domain", None)
        if dom is None or info.obj not in e.free_symbols or dom.lower is None or dom.upper is None:
            continue
        u = Dummy("u", nonnegative=True)
        mapping[info.obj] = dom.lower + (dom.upper - dom.lower) * u / (1 + u)
    if not mapping:
        return None
    from sympy import together

    viewed = together(e.xreplace(mapping))
    return 1 if viewed.is_nonnegative else -1 if viewed.is_nonpositive else None


def in_unit_interval(f, table) -> bool:
    """f ∈ [0, 1] by its form: σ(·), H(·), 1/(1 + q) with q ≥ 0, |s| or s for a scalar declared
    inside [−1, 1] (resp. [0, 1]), a number in [0, 1], or a product of such factors."""
    from sympy import Abs, Add, Mul, Pow

    from .expr.objects import heaviside, sigmoid

    if f.is_number:
        return bool(0 <= f <= 1)
    if isinstance(f, (sigmoid, heaviside)):
        return True
    if isinstance(f, Mul):
        return all(in_unit_interval(a, table) for a in f.args)
    if isinstance(f, Pow) and f.exp == -1 and isinstance(f.base, Add) and 1 in f.base.args:
        return sign(f.base - 1, table) == 1
    inner, low = (f.args[0], -1) if isinstance(f, Abs) else (f, 0)
    info = table.get(str(inner)) if table is not None and getattr(inner, "is_Symbol", False) else None
    dom = getattr(info, "domain", None)
    return dom is not None and dom.lower is not None and dom.upper is not None and dom.lower >= low \
        and dom.upper <= 1


def _number_minus_unit(e, table):
    """+1 for a − k·P with numbers a ≥ k ≥ 0 and P ∈ [0, 1]; −1 for k·P − a likewise; else None."""
    from sympy import Mul

    numbers = [a for a in e.args if a.is_number]
    rest = [a for a in e.args if not a.is_number]
    if len(numbers) != 1 or len(rest) != 1:
        return None
    a = numbers[0]
    k, factors = rest[0].as_coeff_mul()
    unit = Mul(*factors)
    if not (k.is_number and in_unit_interval(unit, table)):
        return None
    if k < 0 and a >= -k:
        return 1
    if k > 0 and a <= -k:
        return -1
    return None


def _is_gram(m) -> bool:
    """mᵀm (or a nonnegative multiple): a squared norm."""
    from sympy import MatMul, Transpose

    args = [a for a in getattr(m, "args", ()) if getattr(a, "is_Matrix", False)]
    scalars = [a for a in getattr(m, "args", ()) if not getattr(a, "is_Matrix", False)]
    if not isinstance(m, MatMul) or len(args) != 2 or any(not (s.is_nonnegative) for s in scalars):
        return False
    a, b = args
    return isinstance(a, Transpose) and a.arg == b or (isinstance(b, Transpose) and b.arg == a)


# -- convexity by composition ----------------------------------------------------------------
def curvature(e, v) -> str | None:
    """'affine', 'convex' or 'concave' for a scalar expression in the vector v (scalar algebra
    over 1×1 products), by the composition rules; None when the rules cannot tell."""
    from sympy import Add, Mul, exp, log

    from .expr.objects import Scalar, softplus

    if not e.has(v):
        return "affine"
    if isinstance(e, Scalar):
        return _curvature_of_product(e.args[0], v)
    if isinstance(e, Add):
        kinds = {curvature(a, v) for a in e.args}
        if None in kinds or {"convex", "concave"} <= kinds:
            return None
        return "convex" if "convex" in kinds else "concave" if "concave" in kinds else "affine"
    if isinstance(e, Mul):
        coeff = [a for a in e.args if not a.has(v)]
        rest = [a for a in e.args if a.has(v)]
        if len(rest) != 1:
            return None
        inner = curvature(rest[0], v)
        c = Mul(*coeff)
        if inner in ("affine", None):
            return "affine"
        if c.is_nonnegative:
            return inner
        if c.is_nonpositive:
            return {"convex": "concave", "concave": "convex"}[inner]
        return None
    if isinstance(e, (exp, softplus)) and curvature(e.args[0], v) == "affine":
        return "convex"
    if isinstance(e, log) and isinstance(e.args[0], Add):                       # log(1 + exp(a))
        terms = e.args[0].args
        ones = [t for t in terms if t == 1]
        exps = [t for t in terms if isinstance(t, exp)]
        if len(ones) == 1 and len(exps) == 1 and len(terms) == 2 and curvature(exps[0].args[0], v) == "affine":
            return "convex"
    return None


def _curvature_of_product(m, v) -> str | None:
    from sympy import MatAdd, MatMul, Mul, Transpose

    from .rules.matrix import mexpand

    kinds = set()
    for t in (mexpand(m).args if isinstance(mexpand(m), MatAdd) else (mexpand(m),)):
        factors = t.args if isinstance(t, MatMul) else (t,)
        count = sum(1 for f in factors if f == v or (isinstance(f, Transpose) and f.arg == v))
        deep = any(f.has(v) and f != v and not (isinstance(f, Transpose) and f.arg == v) for f in factors)
        if deep:
            return None
        if count <= 1:
            kinds.add("affine")
            continue
        scalars = [f for f in factors if not getattr(f, "is_Matrix", False)]
        mats = [f for f in factors if getattr(f, "is_Matrix", False)]
        c = Mul(*scalars)
        if count == 2 and len(mats) == 2 and _is_gram(MatMul(*mats)):
            if getattr(c, "is_nonnegative", False):
                kinds.add("convex")
                continue
            if getattr(c, "is_nonpositive", False):
                kinds.add("concave")
                continue
        return None
    if {"convex", "concave"} <= kinds:
        return None
    return "convex" if "convex" in kinds else "concave" if "concave" in kinds else "affine"

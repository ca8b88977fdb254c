"""Solving a scalar equation for one unknown under the declared assumptions.

SymPy's ``solve`` drops degenerate branches silently and states no sign conditions, so this
rule does it: the numerator is factored, factors free of the unknown become degenerate cases,
roots outside the unknown's domain are dropped with the reason, and a sign assumption on the
unknown turns into a condition on the other symbols (ε > 0 needs t > 0).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import RuleError
from ..expr.sympy_speed import without_units
from .tidy import freeze, tidy


@dataclass
class Solution:
    value: object
    dropped: list = field(default_factory=list)       # (root, reason)
    degenerate: list = field(default_factory=list)    # expressions that, when zero, make every value a solution
    conditions: list = field(default_factory=list)    # (relation, words)


def positive_view(expr, table):
    """``expr`` with every interval-bounded scalar written through a positive parameter
    (lo < p < hi  ->  p = lo + (hi - lo)·u/(1 + u), u > 0), so SymPy can decide signs."""
    from sympy import Dummy

    if table is None:
        return expr
    mapping = {}
    for info in table.symbols.values():
        dom = info.domain
        if dom is None or info.obj is None or not getattr(info.obj, "is_Symbol", False):
            continue
        u = Dummy(info.name + "_u", positive=True)
        if dom.lower is not None and dom.upper is not None:
            mapping[info.obj] = dom.lower + (dom.upper - dom.lower) * u / (1 + u)
        elif dom.lower is not None:
            mapping[info.obj] = dom.lower + u
        elif dom.upper is not None:
            mapping[info.obj] = dom.upper - u
    return expr.xreplace(mapping) if mapping else expr


@without_units
def solve_scalar(eq, unknown, info=None, printer=str, table=None) -> Solution:
    from sympy import Dummy, Mul, fraction, factor, solve, together

    lhs = eq.lhs - eq.rhs
    frozen, undo = freeze(lhs)
    u = Dummy(str(unknown), real=True)
    frozen = frozen.xreplace({unknown: u})
    num, den = fraction(together(frozen))
    num = factor(num)
    degenerate = []
    for f in Mul.make_args(num):
        base = f.base if f.is_Pow else f
        if not base.has(u) and not base.is_number and base.is_positive is not True and base.is_negative is not True:
            degenerate.append(base.xreplace(undo))
    try:
        roots = _roots(num, u, undo, table) if table is not None else solve(num, u, dict=False)
    except NotImplementedError as err:
        raise RuleError(f"cannot solve for {unknown}: {err}") from None
    roots = [r for r in roots if not (den.xreplace({u: r}) == 0)]
    kept, dropped = [], []
    for r in roots:
        reason = _violates(positive_view(r.xreplace(undo), table), unknown, info, printer)
        if reason:
            dropped.append((tidy(r.xreplace(undo)), reason))
        else:
            kept.append(r)
    if not kept:
        raise RuleError(f"no admissible solution for {unknown}" + (f" (dropped: {', '.join(printer(d) for d, _ in dropped)})" if dropped else ""))
    if len(kept) > 1:
        raise RuleError(f"{len(kept)} admissible solutions for {unknown}; the spec must add an assumption to choose one")
    value = tidy(kept[0].xreplace(undo))
    sol = Solution(value, dropped, degenerate)
    sol.conditions = sign_conditions(value, unknown, info, printer, table)
    return sol


ROOT_SEED = 7919        # the instances a candidate root is checked at


def _roots(num, u, undo, table) -> list:
    """``solve(num, u)``: the same roots in the same order, each candidate checked by exact
    evaluation instead of SymPy's ``checksol``.

    ``solve`` finds its candidates and simplifies them, then keeps those that ``checksol``
    does not prove wrong and that do not contradict ``u``'s assumptions (real); ``checksol``
    simplifies ``num`` at each candidate, which was most of the time of a logarithmic equation
    (mirror-descent-kl 3b). Here ``solve`` returns its candidates unchecked (``check=False``:
    found and simplified the same way), a candidate that contradicts the assumptions is dropped
    as before, and the rest are decided by evaluating ``num`` at the candidate exactly at random
    instances of the table: zero at every one, it is a root (a denominator that vanished would
    have left no instance to evaluate); nonzero at one, it is not. Only where the numbers decide
    nothing (no instance can be evaluated, or it holds only for positive values of something)
    does SymPy's own check decide, as before."""
    from sympy import S, solve
    from sympy.core.assumptions import check_assumptions

    candidates = solve(num, u, dict=False, check=False)
    return [r for r in candidates
            if check_assumptions(r, **u.assumptions0) is not False and _is_root(num, u, r, undo, table)]


def _is_root(num, u, r, undo, table) -> bool:
    from sympy import S
    from sympy.solvers.solvers import _simple_dens, checksol

    from ..equivalence import Context, same_value

    verdict = same_value(num.xreplace({u: r}).xreplace(undo), S.Zero, Context(table, {}, seed=ROOT_SEED),
                         symbolic=False)
    if verdict.status == "equivalent":
        return True
    if verdict.status == "not-equivalent":
        return False
    return (not any(checksol(d, {u: r}) for d in _simple_dens(num, [u]))
            and checksol(num, {u: r}) is not False)


def _violates(root, unknown, info, printer) -> str:
    """Why ``root`` is not admissible for ``unknown`` ('' if it may be)."""
    from sympy import simplify

    if root.is_nonpositive is None and root.is_nonnegative is None and root.count_ops() < 40:
        root = simplify(root)
    if unknown.is_positive and root.is_nonpositive:
        return f"{printer(unknown)} > 0"
    if unknown.is_nonnegative and root.is_negative:
        return f"{printer(unknown)} ≥ 0"
    if unknown.is_negative and root.is_nonnegative:
        return f"{printer(unknown)} < 0"
    dom = getattr(info, "domain", None)
    if dom is not None and root.is_number and not dom.contains(root):
        return dom.describe(printer(unknown))
    return ""


def sign_conditions(value, unknown, info, printer, table=None) -> list:
    """For an unknown declared positive (or negative), the condition on the other symbols."""
    from sympy import Gt, Lt, Mul, fraction

    if not (unknown.is_positive or unknown.is_negative):
        return []
    view = positive_view(value, table)
    if (unknown.is_positive and view.is_positive) or (unknown.is_negative and view.is_negative):
        return []
    num, den = fraction(value)
    unknown_sign = [f for f in Mul.make_args(num) + Mul.make_args(den)
                    if f.is_positive is not True and f.is_negative is not True and not f.is_number]
    if len(unknown_sign) != 1:
        if unknown_sign:
            rel = Gt(value, 0) if unknown.is_positive else Lt(value, 0)
            return [(rel, f"{printer(unknown)} {'> 0' if unknown.is_positive else '< 0'} requires {printer(rel)}")]
        return []
    f = unknown_sign[0]
    known_negative = sum(1 for g in Mul.make_args(num) + Mul.make_args(den) if g.is_negative) + (1 if value.could_extract_minus_sign() and False else 0)
    want_positive = unknown.is_positive if known_negative % 2 == 0 else not unknown.is_positive
    rel = Gt(f, 0) if want_positive else Lt(f, 0)
    return [(rel, f"{printer(unknown)} {'> 0' if unknown.is_positive else '< 0'} requires {printer(rel)}")]

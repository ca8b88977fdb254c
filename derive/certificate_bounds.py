"""Certificates for inequalities (the ``bound`` goal and the steps of ``rules/bounds.py``), each
from the step's own two sides, independently of the rule that proposed it:

- ``signed_step``: before ≤ after (or ≥) at random exact instances, and the difference has the
  sign the assumptions fix (``inequalities.sign``);
- ``first_order_bound``: before ≥ after at random instances; the function is convex by
  composition (``inequalities.curvature``); before is F(v) − F(u) and after ∇F(u)ᵀ(v − u), the
  gradient taken exactly by dual numbers;
- ``same_direction``: two inequalities whose residuals have the same sign at every instance, and
  whose ratio is a factor of known positive sign;
- ``refutes``: an instance (And(symbol = value, …, reversed relation)) at which the stated
  inequality fails, evaluated exactly;
- ``bound``: the end-to-end check of a ``bound`` goal: the stated inequality holds at random
  instances (when the answer is the inequality), or fails at the answer's instance.
"""
from __future__ import annotations

from .equivalence import Verdict, same_value
from .expr.build import Builder
from .inequalities import curvature, holds, sign, violated_at


def _scalar(e):
    from .rules import calculus

    return calculus.expose_scalar(e, None) if hasattr(e, "atoms") else e


def signed_step(before, after, op, ctx) -> Verdict:
    from .rules.tidy import tidy

    verdict = holds(before, after, op, ctx)
    if not verdict.ok:
        return verdict
    gap = tidy(ctx.expand_definitions(_scalar(after) - _scalar(before)))
    want = 1 if op == "<=" else -1
    if sign(gap, ctx.table) != want:
        return Verdict("not-equivalent", reason="the assumptions do not fix the sign of the difference "
                                                f"{gap}, so the bound is not proved")
    return verdict


def dropped_terms_step(before, after, op, ctx) -> Verdict:
    """A signed step that only drops terms: every term of before − after is a term of before
    (multiplied out), and the dropped part has the sign the direction needs (``signed_step``)."""
    from sympy import Add, expand

    from .rules.tidy import pull_constants_out_of_sums

    def terms(e):
        return set(Add.make_args(pull_constants_out_of_sums(expand(_scalar(e)))))

    dropped = terms(_scalar(before) - _scalar(after))
    if not dropped <= terms(before):
        return Verdict("not-equivalent", reason="the step does more than drop terms of the side")
    return signed_step(before, after, op, ctx)


def triangle_step(before, after, ctx) -> Verdict:
    """before ≤ after at random instances, and after is before with one norm of a sum ‖Σtᵢ‖
    replaced by Σ‖tᵢ‖ (the triangle inequality), the norms of the terms built here."""
    from sympy import Add

    from .rules.norm_bounds import _norms, norm_argument, norm_of, sum_terms

    for n in _norms(before):                      # the norms as written, not multiplied out
        terms = sum_terms(norm_argument(n))
        if terms is None:
            continue
        instance = before.xreplace({n: Add(*[norm_of(t) for t in terms])})
        if same_value(after, instance, ctx).ok:
            return holds(before, after, "<=", ctx)
    return Verdict("not-equivalent", reason="the step is not the triangle inequality applied to one norm of a sum")


def first_order_bound(before, after, f, u, v, ctx) -> Verdict:
    from sympy import MatAdd, MatMul

    from .rules.tidy import tidy

    if curvature(f, u) != "convex":
        return Verdict("not-equivalent", reason="the function is not convex by the composition rules")
    if tidy(_scalar(before) - (f.xreplace({u: v}) - f)) != 0:
        same = same_value(before, f.xreplace({u: v}) - f, ctx)
        if not same.ok:
            return Verdict("not-equivalent", reason="the left side is not F(v) − F(u)",
                           counterexample=same.counterexample)
    from sympy import Derivative, Dummy, Subs

    xi = Dummy("xi", real=True)               # the slope along v − u: d/dξ F(u + ξ(v − u)) at ξ = 0
    moved = f.xreplace({u: MatAdd(u, MatMul(xi, MatAdd(v, MatMul(-1, u))))})
    tangent = Subs(Derivative(moved, xi, evaluate=False), xi, 0)
    same = same_value(after, tangent, ctx)
    if not same.ok:
        return Verdict("not-equivalent", reason="the right side is not ∇F(u)ᵀ(v − u)", counterexample=same.counterexample)
    return holds(before, after, ">=", ctx)


def same_direction(before, after, ctx) -> Verdict:
    """Two inequalities a ≥ b (or ≤) whose residuals, each written as "≥ 0", differ by a factor
    the assumptions make positive: r_before = c·r_after with c > 0."""
    from sympy import cancel

    r1, r2 = (_scalar(_residual(r)) for r in (before, after))
    ratio = cancel(r1 / r2)
    if ratio.is_zero or sign(ratio, ctx.table) != 1:
        return Verdict("not-equivalent", reason=f"the factor {ratio} between the two inequalities has no known sign")
    return same_value(r1, ratio * r2, ctx)


def _residual(rel):
    """rel as r ≥ 0: a − b for a ≥ b, b − a for a ≤ b."""
    return rel.lhs - rel.rhs if rel.rel_op in (">=", ">") else rel.rhs - rel.lhs


def refutes(lhs, rhs, op, answer, ctx) -> Verdict:
    """``answer`` = And(symbol = value, …, reversed relation): the relation fails there."""
    from sympy import And, Equality

    from .numeric import Mat, mat
    from fractions import Fraction

    if not isinstance(answer, And):
        return Verdict("not-equivalent", reason="the answer is neither the inequality nor a counterexample")
    env = {}
    for a in answer.args:
        if isinstance(a, Equality):
            value = a.rhs
            if getattr(value, "is_Matrix", False):
                env[a.lhs] = mat([[Fraction(int(x.p), int(x.q)) for x in value.row(i)] for i in range(value.rows)])
            else:
                env[a.lhs] = Fraction(int(value.p), int(value.q))
    reverse = [a for a in answer.args if not isinstance(a, Equality)]
    if len(reverse) != 1 or reverse[0].rel_op != {">=": "<", "<=": ">"}[op] or \
            not same_value(reverse[0].lhs, lhs, ctx).ok or not same_value(reverse[0].rhs, rhs, ctx).ok:
        return Verdict("not-equivalent", reason="the answer's relation is not the stated one reversed")
    bad = violated_at(lhs, rhs, op, ctx, env)
    if bad is None:
        return Verdict("not-equivalent", reason="the stated inequality holds at the answer's instance")
    return Verdict("equivalent", "exact evaluation at the instance", trials=1)


def bound(goal, answer, table, ctx, dropped):
    rel = Builder(table).build(goal.expr).expr
    op = rel.rel_op
    if getattr(answer, "is_Relational", False):
        if answer.rel_op != op or not same_value(answer.lhs, rel.lhs, ctx).ok or \
                not same_value(answer.rhs, rel.rhs, ctx).ok:
            return Verdict("not-equivalent", reason="the answer is not the stated inequality"), ""
        return holds(rel.lhs, rel.rhs, op, ctx), "the stated inequality holds"
    return refutes(rel.lhs, rel.rhs, op, answer, ctx), "the stated inequality fails at the answer's instance, exactly"

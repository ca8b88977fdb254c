"""Inequalities as certified chains (``bound: 'LHS <= RHS'`` or ``>=``).

The strategy first looks for a counterexample: if the inequality fails at some random exact
instance, that instance is the answer (``counterexample``), with both sides' values. Otherwise
it writes a chain from LHS towards RHS, each link an equality or a bound in the goal's direction:

- ``clear-positive-factor``: both sides share a positive factor (a norm in the denominator): the
  inequality between what is left;
- ``convex-first-order``: F(v) − F(u) ≥ ∇F(u)ᵀ(v − u) for F convex by composition (a sum of
  softplus/exp of affine functions and nonnegative multiples of ‖·‖²);
- ``substitute-definition`` and ``simplify``: equalities;
- ``drop-signed-terms``: terms whose sign the assumptions fix, dropped in the goal's direction
  (a nonnegative family member, a norm);
- ``telescope``: Σᵢ (f(i) − f(i + 1)) = f(lo) − f(hi + 1) for any summand f (``telescope.py``,
  with the sums split and constants pulled out);
- ``regroup-in-norm``, ``triangle``, ``unit-factors``: norm bounds (``norm_bounds.py``).

Each bound is certified by ``derive/inequalities.py``: at random exact instances and by a reason
the certifier checks itself (a sign from the assumptions, or convexity). Wording is in
``explanations_bounds.yaml``.
"""
from __future__ import annotations

from sympy import And, Eq, Ge, Le

from ..errors import RuleError
from .telescope import split_sums as _split_sums
from .telescope import telescope as _telescope
from .telescope import terms_apart as _terms_apart
from .tidy import tidy


def bound_goal(run, goal, rel):
    op = ">=" if rel.rel_op == ">=" else "<="
    found = counterexample(run, rel, op)
    if found is not None:
        return found
    from . import calculus

    lhs, rhs = (calculus.expose_scalar(side, None) for side in (rel.lhs, rel.rhs))
    if any(a.has(_grad()) for a in (lhs, rhs)) and not _grad_in_norm(lhs, rhs):
        return _convexity(run, rel, lhs, rhs, op)
    return _chain(run, rel, op)


def _grad_in_norm(*sides):
    """A gradient inside a 2-norm (‖∇F‖ ≤ …): a chain of norm bounds, not the tangent plane."""
    from .norm_bounds import _norms

    return any(n.has(_grad()) for side in sides for n in _norms(side))


def _grad():
    from ..expr.objects import Grad

    return Grad


# -- a false inequality: one instance where it fails ---------------------------------------------
def counterexample(run, rel, op):
    """The first random instance at which ``rel`` fails, as And(symbol = value, …, reversed
    relation); None when it holds at every instance tried."""
    from sympy import Gt, Lt

    from ..inequalities import violated_at

    ctx = run.rec.ctx
    full = [ctx.expand_definitions(side) for side in (rel.lhs, rel.rhs)]
    symbols = sorted(set().union(*(e.free_symbols for e in full)), key=str)
    for k, (env, shown) in enumerate(ctx.instances(full)):
        if k >= 40:
            break
        try:
            bad = violated_at(rel.lhs, rel.rhs, op, ctx, env, expanded=full)
        except Exception:  # noqa: BLE001 - an instance that cannot be evaluated is skipped
            continue
        if bad is None:
            continue
        env, bad = _simpler(rel, op, ctx, env, bad, full, symbols)
        values = [Eq(s, _sympy_value(env[s]), evaluate=False) for s in symbols if s in env]
        dims = sorted({d for s in symbols if getattr(s, "is_Matrix", False) for d in s.shape if d.is_Symbol}, key=str)
        values = [Eq(d, _sympy_value(env[d]), evaluate=False) for d in dims] + values
        reverse = (Lt if op == ">=" else Gt)(rel.lhs, rel.rhs)
        answer = And(*values, reverse, evaluate=False)
        from ..numeric import show

        run.rec.step("counterexample", rel, answer, "custom", extra=_still_violated(run, op), relation="→",
                     values=", ".join(f"{run.show(v.lhs)} = {run.show(v.rhs)}" for v in values),
                     left=show(bad[0]), right=show(bad[1]))
        return answer
    return None


_SIMPLE = (0, 1, -1, 2)


def _simpler(rel, op, ctx, env, bad, full, symbols):
    """The instance made as plain as it stays a counterexample: each scalar, and each entry of a
    vector or matrix, tried at 0, 1, −1 and 2 in turn (within its declared domain), one at a time,
    keeping every change after which the inequality still fails (a TA's b = 0, z = 1, μ = 0,
    not 10-digit sides). The values stay exact; (env, the two sides there)."""
    from fractions import Fraction

    from ..equivalence import _outside_domain
    from ..inequalities import violated_at
    from ..numeric import Mat, mat

    plain = dict(env)                   # no values shared with the drawn instance: they would go stale

    def fails(trial):
        try:
            return violated_at(rel.lhs, rel.rhs, op, ctx, trial, expanded=full)
        except Exception:  # noqa: BLE001 - a value the sides cannot be evaluated at is no simplification
            return None

    def slots():                        # (symbol, entry or None): every scalar and every small matrix's entries
        for sym in symbols:
            value = plain.get(sym)
            if isinstance(value, Fraction):
                yield sym, None
            elif isinstance(value, Mat) and value.shape[0] * value.shape[1] <= 16:
                yield from ((sym, (i, j)) for i in range(value.shape[0]) for j in range(value.shape[1]))

    def put(sym, at, c):
        if at is None:
            return {**plain, sym: c}
        rows = [list(r) for r in plain[sym]]
        rows[at[0]][at[1]] = c
        return {**plain, sym: mat(rows)}

    for sym, at in list(slots()):
        for c in map(Fraction, _SIMPLE):                # simplest first: stop at the value it already has
            if (plain[sym] if at is None else plain[sym][at[0]][at[1]]) == c:
                break
            if at is None and (_outside_domain(sym, c, ctx.table) or c == 0 and getattr(sym, "is_nonzero", None)):
                continue                                # a label y ∈ {−1, 1} is never 0
            if (found := fails(trial := put(sym, at, c))) is not None:
                plain, bad = trial, found
                break
    return plain, bad


def _still_violated(run, op):
    def check(before, after):
        from ..certificate_bounds import refutes

        return refutes(before.lhs, before.rhs, op, after, run.rec.ctx)

    return check


def _sympy_value(v):
    from fractions import Fraction

    from sympy import ImmutableMatrix, Rational

    from ..numeric import Mat

    if isinstance(v, Mat):
        return ImmutableMatrix([[_sympy_value(x) for x in row] for row in v])
    if isinstance(v, Fraction):
        return Rational(v.numerator, v.denominator)
    return v


# -- convexity: F(v) − F(u) ≥ ∇F(u)ᵀ(v − u) ---------------------------------------------------
def _convexity(run, rel, lhs, rhs, op):
    from sympy import fraction, together

    from ..inequalities import curvature

    big, small = (lhs, rhs) if op == ">=" else (rhs, lhs)
    (nb, db), (ns, ds) = fraction(together(big)), fraction(together(small))
    if tidy(db - ds) != 0:                       # no common factor to clear: the sides as they are
        (nb, db), (ns, ds) = (big, 1), (small, 1)
    cleared = Ge(nb, ns, evaluate=False) if op == ">=" else Le(ns, nb, evaluate=False)
    if db != 1:
        run.rec.step("clear-positive-factor", rel, cleared, "custom", extra=_same_sign(run), relation="⇔",
                     factor=run.show(db))
    points = {g.at for g in ns.atoms(_grad())}
    v, u, f = _difference_of_values(nb, run, points)
    if curvature(f, u) != "convex":
        raise RuleError(f"cannot show that {run.show(f)} is convex in {run.show(u)} by the composition rules")
    run.rec.step("convex-first-order", nb, ns, "custom", extra=_first_order(run, f, u, v), relation="≥",
                 f=run.show(f), u=run.show(u), v=run.show(v))
    return rel


def _difference_of_values(e, run, points):
    """F(v) − F(u), u the point the gradient is taken at: the vectors v and u, and F in u."""
    from sympy import Add

    vectors = sorted({s for s in e.free_symbols if getattr(s, "is_Matrix", False)}, key=str)
    table_vectors = [s for s in vectors if any(i.obj == s for i in run.table.symbols.values())]
    for v in table_vectors:
        for u in table_vectors:
            if u == v or u not in points:
                continue
            at_v = Add(*[t for t in Add.make_args(e) if t.has(v) and not t.has(u)])
            at_u = Add(*[t for t in Add.make_args(e) if t.has(u) and not t.has(v)])
            rest = tidy(e - at_v - at_u)
            if at_v != 0 and rest == 0 and tidy(at_v.xreplace({v: u}) + at_u) == 0:
                return v, u, tidy(-at_u)
    raise RuleError(f"{run.show(e)} is not a difference F(v) − F(u) of one function at two points")


def _first_order(run, f, u, v):
    def check(before, after):
        from ..certificate_bounds import first_order_bound

        return first_order_bound(before, after, f, u, v, run.rec.ctx)

    return check


def _same_sign(run):
    def check(before, after):
        from ..certificate_bounds import same_direction

        return same_direction(before, after, run.rec.ctx)

    return check


# -- chains of equalities and signed drops ------------------------------------------------------
def _chain(run, rel, op):
    target = tidy(_scalar(rel.rhs))
    cur = _scalar(rel.lhs)
    cur = run.differentiate_all(run.substitute_all(cur))
    for _ in range(12):
        if tidy(cur - target) == 0 or tidy(_scalar(cur) - target) == 0:
            break
        after = _telescope(cur)
        if after is not None:
            split = _terms_apart(cur)
            if split != cur:                 # show the two sums that telescope, side by side
                run.rec.step("split-sums", cur, split)
                cur = split
            run.rec.step("telescope", cur, after)
            cur = after
            continue
        if _norm_bound(run, cur, op, rel.rhs) is not None:         # the target's norms as written
            cur = run.rec.steps[-1].after
            continue
        dropped = _drop_signed(cur, op, run, target)
        if dropped is not None:
            apart = _terms_apart(cur)
            if len(apart.args if apart.is_Add else (apart,)) > len(cur.args if cur.is_Add else (cur,)):
                run.rec.step("expand-terms", cur, apart)      # the terms to be dropped, one by one
                cur = apart
            after, terms = dropped
            run.rec.step("drop-signed-terms", cur, after, "custom", extra=_dropped(run, op),
                         relation="≤" if op == "<=" else "≥", terms=terms,
                         direction="each is ≤ 0, so the side can only grow (≤)" if op == "<="
                         else "each is ≥ 0, so the side can only shrink (≥)")
            cur = after
            continue
        after = _split_sums(cur)
        if after is not None and after != cur:
            run.rec.step("simplify", cur, after)
            cur = after
            continue
        raise RuleError(f"no rule brings {run.show(cur)} to {run.show(target)}")
    else:
        raise RuleError("the chain of bounds did not finish within the step limit")
    if cur != target:
        run.rec.step("simplify", cur, target)
    return rel


def _norm_bound(run, cur, op, target):
    """One link of ``norm_bounds`` (upper bounds only): the terms of a norm's sum regrouped along
    the target's norms, the triangle inequality, else factors in [0, 1] replaced by 1. Records the
    step and returns its result, or None."""
    from . import norm_bounds

    if op != "<=":
        return None
    after = norm_bounds.regroup(cur, target)
    if after is not None:
        run.rec.step("regroup-in-norm", cur, after)
        return after
    after = norm_bounds.triangle(cur, target)
    if after is not None:
        after = tidy(after)
        run.rec.step("triangle", cur, after, "custom", extra=_triangle(run), relation="≤")
        return after
    found = norm_bounds.unit_factors(_terms_apart(cur), run.table)
    if found is not None:
        after, factors = found
        after = tidy(after)
        run.rec.step("unit-factors", cur, after, "custom", extra=_bounded(run, op), relation="≤",
                     factors=", ".join(run.show(f) for f in factors))
        return after
    return None


def _triangle(run):
    def check(before, after):
        from ..certificate_bounds import triangle_step

        return triangle_step(before, after, run.rec.ctx)

    return check


def _scalar(e):
    from . import calculus

    return calculus.expose_scalar(e, None) if hasattr(e, "atoms") else e


def _drop_signed(e, op, run, target=0):
    """Drop the terms whose sign the assumptions fix and that can only make the side smaller
    (for ≤: terms ≤ 0) or larger (for ≥: terms ≥ 0); terms the target itself has are kept.
    Returns (after, the terms as text)."""
    from sympy import Add

    from ..inequalities import sign

    wanted = set(Add.make_args(_terms_apart(target)))
    split = _terms_apart(e)                                   # term by term, not one fraction
    want = -1 if op == "<=" else 1
    keep, drop = [], []
    for t in Add.make_args(split):
        (drop if t.free_symbols and t not in wanted and sign(t, run.table) == want else keep).append(t)
    if not drop:
        return None
    return tidy(Add(*keep)), ", ".join(run.show(t) for t in drop)


def _dropped(run, op):
    def check(before, after):
        from ..certificate_bounds import dropped_terms_step

        return dropped_terms_step(before, after, op, run.rec.ctx)

    return check


def _bounded(run, op):
    def check(before, after):
        from ..certificate_bounds import signed_step

        return signed_step(before, after, op, run.rec.ctx)

    return check

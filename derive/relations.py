"""Certifying claims about relations and derivatives at random exact instances: two
inequalities true for the same values of a scalar, a matrix of partial derivatives, and the
coefficient of a vector in an identity. Each check sees only the step's two sides."""
from __future__ import annotations

import random
from fractions import Fraction

from .equivalence import Context, Counterexample, Verdict, _relevant, _trials, residual
from .numeric import Dual, Mat, _dual, _mp, all_close, difference, mat, mscale, show

POINTS = 16


def truth(rel, ev) -> bool | None:
    """The truth of a relation at the current instance (None when too close to call)."""
    import mpmath

    a, b = ev.eval(rel.lhs), ev.eval(rel.rhs)
    a, b = (a[0][0] if isinstance(a, Mat) else a), (b[0][0] if isinstance(b, Mat) else b)
    d = _mp(a) - _mp(b)
    if abs(d) <= (abs(_mp(a)) + abs(_mp(b)) + 1) * mpmath.mpf(10) ** -30:
        return None if rel.rel_op != "==" else True
    return {">": d > 0, ">=": d > 0, "<": d < 0, "<=": d < 0, "==": False}[rel.rel_op]


def _values_of(s, rng, around=()):
    """Values of the scalar s to try: spread out, plus points near the given boundaries."""
    out = [Fraction(rng.randint(-60, 60), rng.randint(1, 12)) for _ in range(POINTS)]
    for b in around:
        for step in (Fraction(1, 1000), Fraction(1, 10), Fraction(3)):
            out += [b + step, b - step]
    if s.is_positive or s.is_nonnegative:
        out = [abs(x) + Fraction(1, 97) for x in out]
    if s.is_negative or s.is_nonpositive:
        out = [-abs(x) - Fraction(1, 97) for x in out]
    return out


def same_truth(before, after, s, ctx: Context) -> Verdict:
    """Are ``before`` and ``after`` true for the same values of ``s`` at random instances?"""
    before, after = ctx.expand_definitions(before), ctx.expand_definitions(after)
    rng = random.Random(ctx.seed + 29)

    def judge(env, ev, shown):
        bounds = []
        for rel in (before, after):
            if getattr(rel, "lhs", None) == s and not rel.rhs.has(s):
                bound = ev.eval(rel.rhs)
                if isinstance(bound, Fraction):
                    bounds.append(bound)
        for value in _values_of(s, rng, bounds):
            env[s] = value
            t1, t2 = truth(before, ev), truth(after, ev)
            if t1 is not None and t2 is not None and t1 != t2:
                ce = Counterexample({**_relevant(shown, [before, after]), str(s): show(value)},
                                    f"{'true' if t1 else 'false'}", f"{'true' if t2 else 'false'}")
                return Verdict("not-equivalent", "numeric: the relations disagree", counterexample=ce)
        env.pop(s, None)
        return None

    return _trials(ctx, [before, after], judge, "numeric: same truth at {n} random instances, 22+ values each")


def jacobian_matches(g, h, u, ctx: Context) -> Verdict:
    """Is ``h`` the matrix of partial derivatives ∂g/∂u (column i: derivative along uᵢ)?"""
    g, h = ctx.expand_definitions(g), ctx.expand_definitions(h)

    def judge(env, ev, shown):
        u0 = env[u]
        expected = ev.eval(h)
        for i in range(len(u0)):
            env[u] = mat([[Dual(x, Fraction(int(r == i))) for x in row] for r, row in enumerate(u0)])
            column = [[_dual(x).b for x in row] for row in ev.eval(g)]
            env[u] = u0
            mine = [[row[i]] for row in expected]
            if not all_close(mat(column), mat(mine)):
                ce = Counterexample(_relevant(shown, [g, h]), f"column {i + 1}: {show(mat(column))}", show(mat(mine)))
                return Verdict("not-equivalent", "numeric: partial derivatives differ", counterexample=ce)
        return None

    return _trials(ctx, [g, h], judge, "numeric: dual numbers at {n} random instances (exact)")


def coefficient_matches(identity, eq, v, ctx: Context) -> Verdict:
    """Is ``eq`` the statement 'coefficient of v in the identity's residual = 0'? The residual
    r(v) − r(0) must equal c·v, c the left side of ``eq``."""
    r = ctx.expand_definitions(residual(identity))
    c = ctx.expand_definitions(eq.lhs - eq.rhs)

    def judge(env, ev, shown):
        v0 = env[v]
        full = ev.eval(r)
        env[v] = mscale(Fraction(0), v0) if isinstance(v0, Mat) else Fraction(0)
        base = ev.eval(r)
        env[v] = v0
        coefficient = ev.eval(c)
        coefficient = coefficient[0][0] if isinstance(coefficient, Mat) else coefficient
        lhs = difference(full, base)
        rhs = mscale(coefficient, v0) if isinstance(v0, Mat) else coefficient * v0
        if all_close(lhs, rhs):
            return None
        ce = Counterexample(_relevant(shown, [r, c]), f"r(v) − r(0) = {show(lhs)}", f"c·v = {show(rhs)}")
        return Verdict("not-equivalent", "numeric: not the coefficient", counterexample=ce)

    return _trials(ctx, [r, c], judge, "numeric: coefficient at {n} random instances (exact)")

"""End-to-end certificates for the goal kinds beyond minimise/solve/moments (see
``certificate.py``): each rebuilds the goal from the spec's text and checks the answer at random
exact instances, independently of the rules that produced it."""
from __future__ import annotations

from fractions import Fraction

from .equivalence import Context, Counterexample, Verdict, _relevant, _trials, same_value
from .expr.build import Builder
from .numeric import Dual, Mat, _dual, _mp, show
from .relations import same_truth

H = Fraction(1, 10 ** 12)


def gradient(goal, answer, table, ctx, dropped):
    from sympy import Derivative

    from .expr.objects import Grad
    from .rules.calculus import to_scalar

    f = Builder(table).build(goal.expr).expr
    u = table[goal.wrt].obj
    if goal.order == 2:
        return _second_order(f, u, answer, ctx), "it matches central differences of the exact gradient"
    if getattr(u, "is_Matrix", False):
        return same_value(Grad(f, u), answer, ctx), "it equals the exact gradient of the original expression"
    fs = to_scalar(f) if getattr(f, "is_Matrix", False) else f
    return same_value(Derivative(fs, u), answer, ctx), "it equals the exact derivative of the original expression"


def _second_order(f, u, answer, ctx):
    """Second derivatives against central differences (step 10⁻¹²) of the exact first
    derivatives, which dual numbers give."""
    import mpmath

    f, answer = ctx.expand_definitions(f), ctx.expand_definitions(answer)

    def first(ev, env, point):
        out = []
        if isinstance(point, Mat):
            for i in range(len(point)):
                env[u] = Mat(tuple(tuple(Dual(x, Fraction(int(r == i))) for x in row) for r, row in enumerate(point)))
                v = ev.eval(f)
                out.append(_dual(v[0][0] if isinstance(v, Mat) else v).b)
        else:
            env[u] = Dual(point, Fraction(1))
            v = ev.eval(f)
            out.append(_dual(v[0][0] if isinstance(v, Mat) else v).b)
        env[u] = point
        return out

    def judge(env, ev, shown):
        point = env[u]
        want = ev.eval(answer)
        k = len(point) if isinstance(point, Mat) else 1
        for j in range(k):
            def moved(sign):
                if isinstance(point, Mat):
                    return Mat(tuple(tuple(x + sign * H * int(r == j) for x in row) for r, row in enumerate(point)))
                return point + sign * H
            up, down = first(ev, env, moved(1)), first(ev, env, moved(-1))
            for i in range(k):
                fd = (_mp(up[i]) - _mp(down[i])) / (2 * _mp(H))
                mine = want[i][j] if isinstance(want, Mat) else want
                if abs(fd - _mp(mine)) > (abs(fd) + 1) * mpmath.mpf(10) ** -9:
                    ce = Counterexample(_relevant(shown, [f, answer]), f"entry ({i + 1}, {j + 1}) is {show(mine)}",
                                        f"central differences give {show(fd)}")
                    return Verdict("not-equivalent", "numeric: second derivatives differ", counterexample=ce)
        return None

    return _trials(ctx, [f, answer], judge, "numeric: {n} random instances (central differences of exact gradients)")


def identity(goal, answer, table, ctx, dropped):
    """The answer must be the stated identity itself, and its two sides must agree."""
    rel = Builder(table).build(goal.expr).expr
    for mine, stated in ((getattr(answer, "lhs", None), rel.lhs), (getattr(answer, "rhs", None), rel.rhs)):
        if mine is None:
            return Verdict("not-equivalent", reason="the answer is not the identity that was to be shown"), ""
        if mine != stated:
            same = same_value(mine, stated, ctx)
            if not same.ok:
                return Verdict("not-equivalent", reason="the answer is not the identity that was to be shown",
                               counterexample=same.counterexample), ""
    return same_value(rel.lhs, rel.rhs, ctx), "the two sides of the identity are equal"


def condition(goal, answer, table, ctx, dropped):
    rel = Builder(table).build(goal.expr).expr
    s = table[goal.wrt].obj
    return same_truth(rel, answer, s, ctx), "it holds exactly where the original inequality holds"


def match(goal, answer, table, ctx, dropped):
    rel = Builder(table).build(goal.expr).expr
    s = table[goal.wrt].obj
    if getattr(answer, "lhs", None) != s:
        return Verdict("not-equivalent", reason=f"the answer does not give {goal.wrt}"), ""
    with_answer = Context(ctx.table, {**ctx.definitions, s: answer.rhs}, seed=ctx.seed)
    return same_value(rel.lhs, rel.rhs, with_answer), f"with it, the two sides agree for every {goal.every} tried"


class EqualityConstraint:
    """``lhs = rhs`` affine in the unknown: feasibility, and feasible points along its null
    space (u* + (I − Aᵀ(AAᵀ)⁻¹A)v), read numerically from the spec's own relation."""

    def __init__(self, r):
        self.r = r

    @classmethod
    def of(cls, node, table, ctx):
        from .equivalence import residual

        rel = Builder(table).build(node).expr
        return cls(ctx.expand_definitions(residual(rel)))

    def violation(self, ev, env, u, star) -> str:
        from .numeric import is_zero

        env[u] = star
        v = ev.eval(self.r)
        entries = [x for row in v for x in row] if isinstance(v, Mat) else [v]
        if not all(is_zero(x) for x in entries):
            return f"the answer {show(star)} breaks the constraint: its residual is {show(v)}"
        return ""

    def feasible_points(self, ev, env, u, star, rng):
        from .numeric import inverse, madd, mat, mmul, mscale, transpose

        k = len(star)
        env[u] = mscale(Fraction(0), star)
        r0 = _column(ev.eval(self.r))
        cols = []
        for i in range(k):
            env[u] = mat([[Fraction(int(j == i))] for j in range(k)])
            cols.append([a - b for a, b in zip(_column(ev.eval(self.r)), r0)])
        env[u] = star
        a = mat([[c[row] for c in cols] for row in range(len(r0))])
        gram_inv = inverse(mmul(a, transpose(a)))
        projector = madd(mat([[Fraction(int(i == j)) for j in range(k)] for i in range(k)]),
                         mscale(Fraction(-1), mmul(mmul(transpose(a), gram_inv), a)))
        out = []
        for scale in (Fraction(1, 100), Fraction(1), Fraction(10)):
            for _ in range(6):
                v = mat([[Fraction(rng.randint(-9, 9), rng.randint(1, 5))] for _ in range(k)])
                out.append(madd(star, mscale(scale, mmul(projector, v))))
        return out


def _column(v):
    return [x for row in v for x in row] if isinstance(v, Mat) else [v]

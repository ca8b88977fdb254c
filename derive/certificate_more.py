"""End-to-end certificates for the goal kinds beyond minimise/solve/moments (see
``certificate.py``): each rebuilds the goal from the spec's text and checks the answer at random
exact instances, independently of the rules that produced it."""
from __future__ import annotations

import re

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
    return _both_sides_of_kinks(same_value(Derivative(fs, u), answer, ctx)), \
        "it equals the exact derivative of the original expression"


def _both_sides_of_kinks(verdict):
    """A derivative that agrees only where some symbols are positive (one side of a relu's kink)
    is not the derivative: refuse it instead of accepting it under that condition."""
    if verdict.status == "equivalent-under":
        return Verdict("not-equivalent", verdict.method,
                       reason=f"it equals the derivative only when {verdict.condition}")
    return verdict


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
    every = re.sub(r"^([A-Za-z])(\d+)$", r"\1_\2", goal.every)      # w0 -> w_0, which prose sets as w₀
    return same_value(rel.lhs, rel.rhs, with_answer), f"with it, the two sides agree for every {every} tried"


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


# -- step: one update of a named rule ---------------------------------------------------------
def gradient_at(loss, u, at):
    """∇L at the point ``at`` (unevaluated: dual numbers evaluate it exactly), for a vector or a
    scalar parameter u that ``loss`` is written in."""
    from sympy import Derivative, Dummy, MatrixSymbol, Subs

    from .expr.objects import Grad
    from .rules.calculus import to_scalar

    if getattr(u, "is_Matrix", False):
        fresh = MatrixSymbol(Dummy(str(u)), *u.shape)
        return Grad(loss.xreplace({u: fresh}), fresh, at)
    xi = Dummy(str(u), real=True)
    f = to_scalar(loss) if getattr(loss, "is_Matrix", False) else loss
    return Subs(Derivative(f.xreplace({u: xi}), xi, evaluate=False), xi, at)


def update_reference(goal, table, build=None, ctx=None):
    """The rule's update from the spec's text: w₀ − η∇L(w₀), (1 − decay)w₀ − η∇L(w₀), or (for
    ``proximal``) the proximal objective ∇L(w₀)ᵀ(w − w₀) + ‖w − w₀‖²/(2η) + R(w) in w. With the
    definitions in force (``ctx``), a loss named by a given is first written out in w (every
    definition but w's own value expanded), so that the gradient sees w inside it."""
    from sympy import MatAdd, MatMul, Transpose

    build = build or (lambda node: Builder(table).build(node).expr)
    u, w0, rate = table[goal.wrt].obj, build(goal.start), build(goal.rate)
    loss = build(goal.expr)
    if ctx is not None:
        loss = Context(ctx.table, {k: v for k, v in ctx.definitions.items() if k != u}, seed=ctx.seed).expand_definitions(loss)
    g = gradient_at(loss, u, w0)
    vector = getattr(u, "is_Matrix", False)
    if goal.rule == "proximal":
        if not vector:
            return g * (u - w0) + (u - w0) ** 2 / (2 * rate) + _scalar_value(build(goal.penalty))
        d = MatAdd(u, MatMul(-1, w0))
        return MatAdd(MatMul(Transpose(g), d), MatMul(1 / (2 * rate), Transpose(d), d),
                      _one_by_one(build(goal.penalty)))
    keep = 1 - build(goal.decay) if goal.rule == "weight-decay" else 1
    if vector:
        return MatAdd(MatMul(keep, w0), MatMul(-rate, g))
    return keep * w0 - rate * g


def _scalar_value(e):
    from .rules.calculus import to_scalar

    return to_scalar(e) if getattr(e, "is_Matrix", False) else e


def _one_by_one(e):
    from sympy import Identity, MatMul

    return e if getattr(e, "is_Matrix", False) else MatMul(e, Identity(1))


def update_step(goal, answer, table, ctx, dropped):
    reference = update_reference(goal, table, ctx=ctx)
    if goal.rule != "proximal":
        return (same_value(reference, answer, ctx),
                f"it equals the {goal.rule} update computed from the loss (exact gradient by dual numbers)")
    u = table[goal.wrt].obj
    return (no_worse_than_neighbours(reference, u, answer, ctx),
            "it minimises the proximal objective: no worse than nearby and random points")


def constant_in(before, after, u, ctx):
    """``before − after`` does not depend on u (two objectives with the same minimisers)."""
    d = _scalar_value(before) - _scalar_value(after)
    return same_value(d, d.xreplace({u: 0}), ctx)


def no_worse_than_neighbours(objective, u, value, ctx):
    """The objective at u = value is no larger than at perturbations of it (scales 10⁻³ … 10)
    and at random points, and, where it is differentiable there, its derivative vanishes. For
    the convex proximal objectives this certifies the minimiser."""
    import random

    from .certificate import _fails, _max_partial, _perturbations, _random_points, _scalar, _tolerance
    from .numeric import EvalError

    from .certificate import held_gradients
    from .holding import fixed_parts, holding

    f, value = ctx.expand_definitions(objective), ctx.expand_definitions(value)
    rng = random.Random(ctx.seed + 5)
    fixed = fixed_parts([f], [u]) | held_gradients([f], [u])

    def judge(env, ev, shown):
        ev = holding(ev, fixed)             # only the unknown changes below, as in _minimize
        star = ev.eval(value)
        env[u] = star
        best = _mp(_scalar(ev.eval(f)))
        tolerance = _tolerance(best)        # once per instance: best is fixed below
        try:
            slope = _max_partial(ev, f, u, star)
        except EvalError:
            slope = None
        if slope is not None and _differentiable_at(f, u, ev, env) and abs(slope) > tolerance:
            return _fails(shown, [f, value], f"the objective's derivative at the answer is {show(slope)}, not 0")
        for p in _perturbations(star, rng) + _random_points(star, rng):
            env[u] = p
            val = _mp(_scalar(ev.eval(f)))
            if val < best - tolerance:
                return _fails(shown, [f, value], f"the point {show(p)} has a smaller objective ({show(val)} < {show(best)})")
        env[u] = star
        return None

    return _trials(ctx, [f, value], judge, "numeric: {n} random instances (exact)")


def _differentiable_at(f, u, ev, env) -> bool:
    """False when an |·| or ℓ1 norm in f has an argument that vanishes at the point (a kink)."""
    from sympy import Abs

    from .expr.objects import norm1
    from .numeric import is_zero

    for a in f.atoms(Abs, norm1):
        v = ev.eval(a.args[0])
        entries = [x for row in v for x in row] if isinstance(v, Mat) else [v]
        if any(is_zero(x) for x in entries):
            return False
    return True


# -- unroll: the closed form of a linear recurrence -------------------------------------------
RECURRENCE_STEPS = 5


def recurrence(goal, answer, table, ctx, dropped):
    build = Builder(table).build
    fmap, start = build(goal.expr).expr, build(goal.start).expr
    x, k = table[goal.state].obj, table[goal.steps].obj
    verdict = satisfies_recurrence(answer, fmap, x, start, k, ctx)
    return verdict, (f"it equals the start at {goal.steps} = 0 and satisfies the recurrence for "
                     f"{goal.steps} = 0, …, {RECURRENCE_STEPS - 1}")


def satisfies_recurrence(expr, fmap, x, start, k, ctx, first: int = 0):
    """``expr`` (a function of k) equals ``start`` at k = first (k = 1: the map applied once) and
    satisfies expr(k + 1) = fmap(expr(k)) for k = first … first + RECURRENCE_STEPS − 1, exactly."""
    from .numeric import all_close

    expr, fmap, start = (ctx.expand_definitions(e) for e in (expr, fmap, start))

    def judge(env, ev, shown):
        env[x] = ev.eval(start)
        initial = ev.eval(fmap) if first == 1 else env[x]
        values = []
        for kk in range(first, first + RECURRENCE_STEPS + 1):
            env[k] = Fraction(kk)
            values.append(ev.eval(expr))
        if not all_close(values[0], initial):
            return _differs(shown, [expr, start], f"at {k} = {first} it is {show(values[0])}",
                            f"the recurrence gives {show(initial)}")
        for i in range(RECURRENCE_STEPS):
            env[x] = values[i]
            want = ev.eval(fmap)
            if not all_close(values[i + 1], want):
                return _differs(shown, [expr, fmap], f"at {k} = {first + i + 1} it is {show(values[i + 1])}",
                                f"one step from {k} = {first + i} gives {show(want)}")
        return None

    return _trials(ctx, [expr, fmap, start], judge, "numeric: {n} random instances (exact, "
                   f"{RECURRENCE_STEPS} steps each)")


def _differs(shown, exprs, left, right):
    ce = Counterexample(_relevant(shown, exprs), left, right)
    return Verdict("not-equivalent", "numeric: breaks the recurrence", counterexample=ce)

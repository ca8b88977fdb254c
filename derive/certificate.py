"""The end-to-end certificate of a part: its final answer checked against the goal *as the spec
states it*, independently of every rule and of every restatement a rule made on the way.

The goal is rebuilt from the spec's own text, the definitions in force (givens and the results
of the parts it ``uses``) are expanded, and the answer is checked at random exact instances:

- ``simplify``: the answer equals the original expression;
- ``mean`` / ``variance``: the answer equals the exact moment of the original expression;
- ``solve``: the answer satisfies the original equation, and every dropped root is a root too;
- ``minimize``: the answer lies in the unknown's declared domain (its sign, its interval; a
  nonzero vector is not 0), and is feasible for the original constraint; without a constraint the
  original objective's derivative vanishes there (exactly, by dual numbers); and the objective
  there is no larger than at random points, at small perturbations of the answer, and (for a
  norm-ball or box constraint) at the centre, on the boundary and at its vertices.

``certify_answer`` returns a sentence for the documents, or raises ``CertificationError``.
"""
from __future__ import annotations

import random
from fractions import Fraction

from .equivalence import Context, Verdict, _relevant, _trials, same_value, satisfies
from .errors import CertificationError
from .expr import ast as A
from .expr.build import Builder
from .holding import fixed_parts, held_gradients, holding
from .numeric import Dual, Mat, _dual, _mp, madd, mat, mscale, show

SEED_OFFSET = 1009          # instances of its own, not the ones the steps were checked at
RANDOM_POINTS = 12
PERTURBATIONS = 12
SCALES = (Fraction(1, 1000), Fraction(1, 10), Fraction(1), Fraction(10))


def certify_answer(goal, answer, table, definitions, seed: int = 0, dropped=()) -> str:
    """Check ``answer`` against ``goal`` (a ``spec.Goal``) and say how; raise if it fails."""
    ctx = Context(table, dict(definitions), seed=seed + SEED_OFFSET)
    from . import certificate_more as more

    check = {"simplify": _simplify, "evaluate": _simplify, "mean": _moment, "variance": _moment, "solve": _solve,
             "minimize": _minimize, "gradient": more.gradient, "show": more.identity, "condition": more.condition,
             "match": more.match, "step": more.update_step, "unroll": more.recurrence, "bound": _bound,
             "weight_matrix": _weight_matrix, "count": _count, "shape": _shape}[goal.kind]
    verdict, what = check(goal, answer, table, ctx, dropped)
    if not verdict.ok:
        detail = _describe(verdict)
        raise CertificationError(f"the answer fails the end-to-end check against the goal as stated ({goal.text}): {detail}")
    plural = "instance" if verdict.trials == 1 else "instances"
    how = f"at {verdict.trials} random {plural}" if verdict.trials else "proved symbolically"
    text = f"Answer checked against the goal as stated: {what}" + ("" if "instance" in what else f", {how}")
    if verdict.condition:
        text += f", when {verdict.condition}"
    return text + "."


def _weight_matrix(goal, answer, table, ctx, dropped):
    from .certificate_structured import weight_matrix

    return weight_matrix(goal, answer, table, ctx, dropped)


def _count(goal, answer, table, ctx, dropped):
    from .certificate_structured import count

    return count(goal, answer, table, ctx, dropped)


def _shape(goal, answer, table, ctx, dropped):
    from .certificate_shapes import shape

    return shape(goal, answer, table, ctx, dropped)


def _bound(goal, answer, table, ctx, dropped):
    from .certificate_bounds import bound

    return bound(goal, answer, table, ctx, dropped)


# -- simplify, mean, variance ----------------------------------------------------------------
def _simplify(goal, answer, table, ctx, dropped):
    original = Builder(table).build(goal.expr).expr
    return same_value(original, _value(answer), ctx), "it equals the original expression"


def _moment(goal, answer, table, ctx, dropped):
    from .expr.objects import E, Var

    b = Builder(table)
    inner = b.as_scalar(b.build(goal.expr), goal.expr)
    original = (E if goal.kind == "mean" else Var)(inner)
    word = "expectation" if goal.kind == "mean" else "variance"
    return same_value(original, _value(answer), ctx), f"it equals the exact {word} of the original expression"


# -- solve ---------------------------------------------------------------------------------
def _solve(goal, answer, table, ctx, dropped):
    eq = Builder(table).build(goal.expr).expr
    u = table[goal.wrt].obj
    if getattr(answer, "lhs", None) != u:
        return Verdict("not-equivalent", reason=f"the answer does not give {goal.wrt}"), ""
    verdict = satisfies(eq, u, answer.rhs, ctx)
    if not verdict.ok:
        return verdict, ""
    for root, _reason in dropped:
        other = satisfies(eq, u, root, ctx, check_domain=False)
        if not other.ok:
            return Verdict("not-equivalent", reason=f"the dropped root {root} does not satisfy the equation"), ""
    what = "it satisfies the equation"
    if dropped:
        what += " (and so does the dropped root)" if len(dropped) == 1 else f" (and so do the {len(dropped)} dropped roots)"
    return verdict, what


# -- minimize --------------------------------------------------------------------------------
def _minimize(goal, answer, table, ctx, dropped):
    build = Builder(table).build
    f = ctx.expand_definitions(build(goal.expr).expr)
    u = table[goal.wrt].obj
    info = table[goal.wrt]
    if getattr(answer, "lhs", None) != u:
        return Verdict("not-equivalent", reason=f"the answer does not give {goal.wrt}"), ""
    value = ctx.expand_definitions(answer.rhs)
    constraint = None
    if goal.subject_to is not None:
        from .certificate_more import EqualityConstraint

        equality = getattr(goal.subject_to, "op", "") == "="
        constraint = (EqualityConstraint if equality else _Constraint).of(goal.subject_to, table, ctx)
    rng = random.Random(ctx.seed + 3)
    counted = {"points": 0}
    fixed = fixed_parts([f], [u]) | held_gradients([f], [u])

    def judge(env, ev, shown):
        ev = holding(ev, fixed)             # only the unknown changes below
        star = ev.eval(value)
        if not _admissible(info, star):          # the answer itself must lie in the unknown's declared domain
            return _fails(shown, [value], f"the answer {show(star)} is outside the declared domain of "
                                             f"{goal.wrt} ({_domain_words(info)})")
        env[u] = star
        best = _mp(_scalar(ev.eval(f)))
        tolerance = _tolerance(best)             # once per instance: best is fixed below
        if constraint is None:
            slope = _max_partial(ev, f, u, star)
            if slope is not None and abs(slope) > tolerance:
                return _fails(shown, [f, value], f"the objective's derivative at the answer is {show(slope)}, not 0")
            points = _perturbations(star, rng) + _random_points(star, rng)
            points = [p for p in points if _admissible(info, p)]
        else:
            bad = constraint.violation(ev, env, u, star)
            if bad:
                return _fails(shown, [f, value], bad)
            points = constraint.feasible_points(ev, env, u, star, rng)
            if points is None:
                return Verdict("unknown", reason="the constrained norm's argument is not affine in the unknown")
        counted["points"] = max(counted["points"], len(points))
        for p in points:
            env[u] = p
            val = _mp(_scalar(ev.eval(f)))
            if val < best - tolerance:
                return _fails(shown, [f, value], f"the point {show(p)} is admissible and has a smaller objective "
                                                  f"({show(val)} < {show(best)})")
        env[u] = star
        return None

    where = "feasible points" if constraint is not None else "nearby and random points"
    verdict = _trials(ctx, [f, value], judge, "numeric: {n} random instances (exact)")
    first = "it is feasible" if constraint is not None else "it is stationary"
    return verdict, f"{first} and no worse than {counted['points']} {where}"


class _Constraint:
    """``norm(h(u), p) <= r`` with h affine in u: feasibility and feasible points, from the spec's text."""

    def __init__(self, h, p, r, ctx):
        self.h, self.p, self.r, self.ctx = h, p, r, ctx

    @classmethod
    def of(cls, node, table, ctx):
        build = Builder(table).build
        norm = node.left
        p = 2
        if len(norm.args) == 2:
            p = "inf" if norm.args[1] == A.Name("inf") else int(Fraction(norm.args[1].value))
        h = ctx.expand_definitions(build(norm.args[0]).expr)
        return cls(h, p, ctx.expand_definitions(build(node.right).expr), ctx)

    def norm(self, ev, env, u, point):
        env[u] = point
        v = ev.eval(self.h)
        entries = [_mp(x) for row in _as_mat(v) for x in row]
        if self.p == "inf":
            return max(abs(x) for x in entries)
        if self.p == 1:
            return sum(abs(x) for x in entries)
        from mpmath import sqrt

        return sqrt(sum(x * x for x in entries))

    def violation(self, ev, env, u, star) -> str:
        radius = _mp(ev.eval(self.r))
        size = self.norm(ev, env, u, star)
        if size > radius + _tolerance(radius):
            return f"the answer {show(star)} is infeasible: the constrained norm is {show(size)} > {show(radius)}"
        return ""

    def centre(self, ev, env, u):
        from .equivalence import _solve_affine

        return _solve_affine(self.h, u, env, ev)

    def feasible_points(self, ev, env, u, star, rng):
        """The centre, points on the boundary and inside, small feasible moves from the answer,
        and (for a box) vertices: each rescaled towards the centre along its ray, which keeps h
        affine and the norm homogeneous."""
        from itertools import product

        radius = _mp(ev.eval(self.r))
        c = self.centre(ev, env, u)
        if c is None:
            return None
        c = _as_mat(c)
        k = len(c)
        out = [c]
        dirs = [_rand_vec(k, rng) for _ in range(RANDOM_POINTS)]
        if self.p == "inf" and k <= 6:
            dirs += [mat([[Fraction(s)] for s in signs]) for signs in product((-1, 1), repeat=k)]
        if self.p == 1:   # the vertices of the ℓ1 ball: ±r along each axis
            dirs += [mat([[Fraction(s * (r == i))] for r in range(k)]) for i in range(k) for s in (-1, 1)]
        for i, d in enumerate(dirs):
            rho = Fraction(1) if i % 2 == 0 or i >= RANDOM_POINTS else Fraction(rng.randint(1, 9), 10)
            out.append(self._onto(ev, env, u, c, madd(c, d), radius * _mp(rho)))
        for d in (_rand_vec(k, rng) for _ in range(PERTURBATIONS)):
            moved = madd(star, mscale(radius * _mp(Fraction(1, 100)), d))
            if self.norm(ev, env, u, moved) > radius:
                moved = self._onto(ev, env, u, c, moved, radius)
            out.append(moved)
        env[u] = star
        return out

    def _onto(self, ev, env, u, c, point, level):
        offset = madd(point, mscale(Fraction(-1), c))
        size = self.norm(ev, env, u, point)
        if size == 0:
            return c
        return madd(c, mscale(level / size, offset))


def _max_partial(ev, f, u, star):
    """The largest partial derivative of f at u = star: exact by dual numbers, or by central
    differences of the exact values where the objective cannot take dual numbers (expectations)."""
    from .numeric import EvalError

    try:
        return _dual_partial(ev, f, u, star)
    except (TypeError, EvalError):
        ev.env[u] = star
        return _difference_partial(ev, f, u, star)


def _difference_partial(ev, f, u, star):
    h = Fraction(1, 10 ** 15)
    worst = None
    basis = range(len(star)) if isinstance(star, Mat) else [None]
    for i in basis:
        def moved(sign):
            if i is None:
                return star + sign * h
            return mat([[x + sign * h * int(r == i) for x in row] for r, row in enumerate(star)])
        ev.env[u] = moved(1)
        up = _mp(_scalar(ev.eval(f)))
        ev.env[u] = moved(-1)
        down = _mp(_scalar(ev.eval(f)))
        d = (up - down) / (2 * _mp(h))
        worst = d if worst is None or abs(d) > abs(worst) else worst
    ev.env[u] = star
    return worst if worst is None or abs(worst) > _mp(Fraction(1, 10 ** 9)) * (1 + abs(worst)) else _mp(0)


def _dual_partial(ev, f, u, star):
    worst = None
    if isinstance(star, Mat):
        for i in range(len(star)):
            seeded = mat([[Dual(_plain(x), Fraction(int(r == i))) for x in row] for r, row in enumerate(star)])
            ev.env[u] = seeded
            d = _dual(_scalar(ev.eval(f))).b
            worst = d if worst is None or abs(_mp(d)) > abs(_mp(worst)) else worst
    else:
        ev.env[u] = Dual(_plain(star), Fraction(1))
        worst = _dual(_scalar(ev.eval(f))).b
    ev.env[u] = star
    return None if worst is None else _mp(worst)


def _perturbations(star, rng):
    out = []
    for scale in SCALES:
        for _ in range(PERTURBATIONS // len(SCALES)):
            if isinstance(star, Mat):
                out.append(madd(star, mscale(scale, _rand_vec(len(star), rng))))
            else:
                out.append(star + scale * Fraction(rng.choice([-3, -2, -1, 1, 2, 3]), rng.randint(1, 4)))
    return out


def _random_points(star, rng):
    if isinstance(star, Mat):
        return [_rand_vec(len(star), rng) for _ in range(RANDOM_POINTS)]
    return [Fraction(rng.randint(-40, 40), rng.randint(1, 8)) for _ in range(RANDOM_POINTS)]


def _admissible(info, point) -> bool:
    """Is a point inside the unknown's declared domain (its sign, interval; a nonzero vector)?"""
    if isinstance(point, Mat):
        return "nonzero" not in info.assumptions or any(_mp(_plain(x)) != 0 for row in point for x in row)
    obj = info.obj
    v = _mp(point)
    if obj.is_positive and not v > 0 or obj.is_nonnegative and not v >= 0:
        return False
    if obj.is_negative and not v < 0 or obj.is_nonpositive and not v <= 0:
        return False
    dom = info.domain
    if dom is not None:
        v = _mp(point)
        lo = None if dom.lower is None else _mp(Fraction(int(dom.lower.p), int(dom.lower.q)))
        hi = None if dom.upper is None else _mp(Fraction(int(dom.upper.p), int(dom.upper.q)))
        if lo is not None and (v < lo or (dom.lower_open and v == lo)):
            return False
        if hi is not None and (v > hi or (dom.upper_open and v == hi)):
            return False
    return True


def _domain_words(info) -> str:
    words = [w for w in info.assumptions if isinstance(w, str)]
    dom = info.domain
    if dom is not None:
        lo = "−∞" if dom.lower is None else str(dom.lower)
        hi = "∞" if dom.upper is None else str(dom.upper)
        words.append(f"{'(' if dom.lower_open else '['}{lo}, {hi}{')' if dom.upper_open else ']'}")
    return ", ".join(words) or "real"


def _rand_vec(k, rng):
    return mat([[Fraction(rng.randint(-9, 9), rng.randint(1, 5))] for _ in range(k)])


def _fails(shown, exprs, reason):
    from .equivalence import Counterexample

    ce = Counterexample(_relevant(shown, exprs), reason, "an optimal point")
    return Verdict("not-equivalent", "numeric: not optimal at a random instance", counterexample=ce, reason=reason)


def _describe(verdict) -> str:
    ce = verdict.counterexample
    if ce is None:
        return verdict.reason or verdict.status
    if verdict.reason:
        return f"{verdict.reason}, with " + ", ".join(f"{k} = {v}" for k, v in ce.values.items())
    return ce.describe()


def _tolerance(scale):
    import mpmath

    return (abs(_mp(scale)) + 1) * mpmath.mpf(10) ** -30


def _plain(x):
    return x.a if isinstance(x, Dual) else x


def _scalar(v):
    return v[0][0] if isinstance(v, Mat) else v


def _as_mat(v):
    return v if isinstance(v, Mat) else mat([[v]])


def _value(answer):
    return answer.rhs if hasattr(answer, "rhs") else answer

"""Constrained minimisation of a linear objective cᵀδ over a norm ball or a box.

Ball (‖δ‖ ≤ r): the minimum of a non-constant linear function over a ball lies on the sphere,
so the constraint is active; Lagrange conditions give δ = −c/(2μ), the constraint fixes
μ = ‖c‖/(2r) (the positive root; the negative one is the maximiser), and δ = −r c/‖c‖.
Box (‖δ‖∞ ≤ r): the problem decouples over coordinates and each coordinate goes to the end of
its interval opposite to the sign of its coefficient: δ = −r·sgn(c).

Each answer is certified by an independent optimality check: feasibility, and an objective no
larger than at random feasible points (and, for the box, at every vertex of a small instance).
"""
from __future__ import annotations

import random
from fractions import Fraction

from sympy import Eq, Identity, Le, MatAdd, MatMul, Symbol, Transpose, ZeroMatrix, sqrt

from ..equivalence import Context, Verdict
from ..errors import RuleError
from ..expr import ast as A
from ..expr.objects import Grad, Scalar, Sgn
from . import calculus, matrix
from .base import with_context


def linear_coefficient(f, unknown):
    """f = cᵀ·u (+ terms free of u): return the column vector c."""
    coeffs, _ = matrix.split_linear(matrix.mexpand(f, unknown), unknown)
    if not coeffs:
        raise RuleError(f"the objective does not depend on {unknown}")
    row = coeffs[0] if len(coeffs) == 1 else MatAdd(*coeffs)
    if row.shape[0] != 1:
        raise RuleError("the objective must be scalar-valued")
    return Transpose(row).doit()


def minimize_constrained(run, f, unknown, goal):
    """Minimise over ``norm(h) <= r``: when h = u − c with a centre c ≠ 0, change variables to
    Δ = u − c (a certified step), solve the centred problem for Δ, and substitute back."""
    node = goal.subject_to
    norm_args = node.left.args
    radius = run.build(node.right)
    kind = "ball"
    if len(norm_args) == 2 and norm_args[1] != A.Num("2"):
        kind = "box" if norm_args[1] == A.Name("inf") else "l1"
    h = run.substitute_all(run.build(norm_args[0]))
    offset = matrix.mexpand(MatAdd(h, MatMul(-1, unknown)).doit())
    if offset.has(unknown):
        raise RuleError(f"the constraint must bound norm({run.show(unknown)} − c) for a constant c; "
                        f"got norm({run.show(h)})")
    if offset == ZeroMatrix(*unknown.shape) or offset == 0:
        return SOLVERS[kind](run, f, unknown, radius, goal)
    return _centred(run, f, unknown, offset, radius, kind, goal)


def _centred(run, f, u, offset, r, kind, goal):
    """u = Δ − offset: rewrite objective and constraint in Δ, solve, substitute back."""
    from sympy import MatrixSymbol

    from ..expr.symbols import SymbolInfo

    name = next(n for n in ("Delta", "Delta_u", "Delta_step") if n not in run.table)
    delta = MatrixSymbol(name, *u.shape)
    table = run.table.copy()
    table.add(SymbolInfo(name, "vector", delta, shape=u.shape, latex=r"\boldsymbol{\Delta}"))
    centre = matrix.mexpand(MatMul(-1, offset).doit())
    shifted = MatAdd(delta, centre)
    moved = Context(table, {**run.ctx.definitions, u: shifted}, seed=run.ctx.seed)
    saved = run.table, run.rec.ctx
    run.table, run.rec.ctx = table, moved
    try:
        f_delta = matrix.mexpand(f.xreplace({u: shifted}).doit(), delta)
        norm = {"ball": "norm", "box": "∞-norm", "l1": "ℓ1-norm"}[kind]
        run.rec.step("change-of-variables", f, f_delta, name=run.show(delta), value=f"{run.show(u)} − {run.show(centre)}",
                     norm=norm)
        run.rec.ctx = Context(table, dict(saved[1].definitions), seed=run.ctx.seed)
        inner = SOLVERS[kind](run, f_delta, delta, r, goal)
        final = Eq(u, matrix.mexpand(MatAdd(centre, inner.rhs).doit()), evaluate=False)
        run.rec.ctx = Context(table, {**saved[1].definitions, delta: inner.rhs}, seed=run.ctx.seed)
        run.rec.step("back-substitute", Eq(u, shifted, evaluate=False), final, name=run.show(delta))
    finally:
        run.table, run.rec.ctx = saved
    return final


def _multiplier(run):
    for name in ("mu", "nu", "kappa"):
        if name not in run.table:
            return Symbol(name, positive=True)
    raise RuleError("no free name for the Lagrange multiplier")


def _ball(run, f, u, r, goal):
    from .solve import solve_scalar

    c = linear_coefficient(f, u)
    mu = _multiplier(run)
    norm_sq = MatMul(Transpose(u), u)
    active = Eq(Scalar(norm_sq), r ** 2, evaluate=False)
    # compute the answer first: the boundary step is certified by the optimality of the answer
    lag_extra = MatMul(mu, MatAdd(norm_sq, MatMul(-r ** 2, Identity(1)))).doit()
    lagrangian = MatAdd(f, lag_extra)
    g = calculus.gradient(lagrangian, u)
    eq0 = Eq(g, ZeroMatrix(*u.shape), evaluate=False)
    eq1, a, b = matrix.collect(eq0, u)
    sol_mu_form = matrix.solve_linear(a, b, u)
    plugged_lhs = calculus.to_scalar(matrix.mexpand(MatMul(Transpose(sol_mu_form.rhs), sol_mu_form.rhs).doit()))
    plugged = Eq(plugged_lhs, r ** 2, evaluate=False)
    mu_sol = solve_scalar(plugged, mu, None, run.show, run.table)
    final_value = matrix.mexpand(sol_mu_form.rhs.xreplace({mu: mu_sol.value}).doit())
    final = Eq(u, final_value, evaluate=False)
    run.rec.step("boundary", Le(sqrt(Scalar(norm_sq)), r, evaluate=False), active, "boundary",
                 constraint=f"{run.show(active)}")
    run.rec.note("assumption", f"The gradient {run.show(c)} is nonzero (otherwise every feasible point is optimal).", c)
    run.rec.step("lagrangian", f, lagrangian, "lagrangian", extra=lag_extra, mult=run.show(mu))
    run.rec.step("stationary", lagrangian, eq0, "stationary", extra=Grad(lagrangian, u), var=run.show(u))
    run.rec.step("collect", eq0, eq1, "same-solutions", unknown=u, var=run.show(u))
    run.rec.step("solve-linear-matrix", eq1, sol_mu_form, "same-solutions", unknown=u,
                 why=f"{run.show(a)} is a positive multiple of I ({run.show(mu)} > 0)")
    sub_ctx = Context(run.table, {**run.ctx.definitions, u: sol_mu_form.rhs}, seed=run.ctx.seed)
    with_context(run, sub_ctx, lambda: run.rec.step("substitute-into-constraint", active, plugged, name=run.show(u)))
    mu_eq = Eq(mu, mu_sol.value, evaluate=False)
    run.rec.step("solve-scalar", plugged, mu_eq, "solves", unknown=mu, var=run.show(mu),
                 using=" (the multiplier of an active constraint at a minimum is positive)")
    for root, reason in mu_sol.dropped:
        run.rec.note("dropped", f"The root {run.show(mu)} = {run.show(root)} is dropped because {reason}; "
                     "it gives the maximiser.", Eq(mu, root, evaluate=False))
    mu_ctx = Context(run.table, {**run.ctx.definitions, mu: mu_sol.value}, seed=run.ctx.seed)
    with_context(run, mu_ctx, lambda: run.rec.step("back-substitute", sol_mu_form, final, name=run.show(mu)))
    return final


def _box(run, f, u, r, goal):
    from sympy import Dummy, Sum
    from sympy.matrices.expressions.matexpr import MatrixElement

    c = linear_coefficient(f, u)
    i = Dummy("i", integer=True)
    k = u.shape[0]
    constant = calculus.to_scalar(matrix.mexpand(f.xreplace({u: ZeroMatrix(*u.shape)}).doit()))
    decoupled = Sum(MatrixElement(c, i, 0) * MatrixElement(u, i, 0), (i, 0, k - 1))
    if constant != 0:
        decoupled = constant + decoupled
    final = Eq(u, MatMul(-r, Sgn(c)).doit(), evaluate=False)
    coef, var = run.show(c), run.show(u)
    run.rec.step("decouple-box", f, decoupled, "equal", radius=run.show(r), coef=coef, var=var)
    run.rec.step("linear-on-interval", decoupled, final, "custom", radius=run.show(r), coef=coef, var=var,
                 extra=lambda before, after: _solves_for(after, u) or _optimality(run.rec.ctx, before, u, after.rhs, r, "box")())
    run.rec.note("remark", "Where a gradient coordinate is zero, every value in the interval is optimal; "
                 "sgn(0) = 0 picks the centre.")
    return final


def _solves_for(after, u):
    """None when ``after`` reads ``u = …``; else a failing verdict."""
    if getattr(after, "lhs", None) == u:
        return None
    return Verdict("not-equivalent", reason=f"the step must give {u} = …, not {after}")


def _l1(run, f, u, r, goal):
    """A linear objective over the ℓ1 ball ‖u‖₁ ≤ r is smallest at the vertex −r·sgn(c_k)e_k,
    k the coordinate of largest |c_k| (Hölder: cᵀu ≥ −‖c‖∞‖u‖₁)."""
    from ..expr.objects import PeakSign

    c = linear_coefficient(f, u)
    final = Eq(u, MatMul(-r, PeakSign(c)).doit(), evaluate=False)
    run.rec.step("l1-vertex", f, final, "custom", radius=run.show(r), coef=run.show(c), var=run.show(u),
                 extra=lambda before, after: _solves_for(after, u) or _optimality(run.rec.ctx, before, u, after.rhs, r, "l1")())
    run.rec.note("remark", f"k* is the coordinate where |({run.show(c)})ₖ| is largest; on a tie every point of the edge "
                 "between the tied vertices is optimal.")
    return final



def _optimality(ctx: Context, f, u, value, r, kind):
    """A callable returning a Verdict: the answer is feasible and no random feasible point (nor,
    for a box, any vertex) has a smaller objective, at several random instances."""
    from itertools import product

    from ..numeric import _mp, mat, show

    TOL = _mp(Fraction(1, 10 ** 40))  # a Python float 1e-30 would vanish next to 1

    f = ctx.expand_definitions(f)

    def check() -> Verdict:
        rng = random.Random(ctx.seed + 7)
        done = 0
        for env, shown in ctx.instances([f, value]):
            ev = ctx.evaluator(env)
            star = ev.eval(ctx.expand_definitions(value))
            radius = _mp(ev.eval(r))
            norm2 = sum(_mp(x) ** 2 for row in star for x in row)
            if kind == "ball" and norm2 > radius ** 2 * (1 + TOL):
                return Verdict("not-equivalent", reason=f"the answer lies outside the ball: {show(star)}")
            if kind == "box" and any(abs(_mp(x)) > radius * (1 + TOL) for row in star for x in row):
                return Verdict("not-equivalent", reason=f"the answer lies outside the box: {show(star)}")
            if kind == "l1" and sum(abs(_mp(x)) for row in star for x in row) > radius * (1 + TOL):
                return Verdict("not-equivalent", reason=f"the answer lies outside the ℓ1 ball: {show(star)}")
            env[u] = star
            best = _mp(_scalar(ev.eval(f)))
            candidates = []
            dim = len(star)
            for _ in range(20):
                v = [Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(dim)]
                if kind == "ball":
                    s = Fraction(rng.randint(1, 9), 10) / (1 + sum(x * x for x in v))
                    candidates.append(mat([[ _mp(x) * s * radius] for x in v]))
                elif kind == "l1":
                    s = Fraction(rng.randint(1, 10), 10) / (sum(abs(x) for x in v) or 1)
                    candidates.append(mat([[_mp(x) * s * radius] for x in v]))
                else:
                    candidates.append(mat([[radius * _mp(Fraction(rng.randint(-10, 10), 10))] for _ in range(dim)]))
            if kind == "l1":
                candidates += [mat([[radius * sgn * (r == i)] for r in range(dim)]) for i in range(dim) for sgn in (-1, 1)]
            if kind == "box" and dim <= 6:
                for signs in product((-1, 1), repeat=dim):
                    candidates.append(mat([[radius * s] for s in signs]))
            for cand in candidates:
                env[u] = cand
                val = _mp(_scalar(ev.eval(f)))
                if val < best - abs(best) * TOL - TOL:
                    return Verdict("not-equivalent", reason=f"the feasible point {show(cand)} has a smaller objective")
            env.pop(u, None)
            done += 1
            if done >= ctx.trials:
                return Verdict("equivalent", f"numeric: optimal against {len(candidates)} feasible points at {done} random instances")
        return Verdict("unknown", reason="no admissible instance")

    return check


def _scalar(v):
    from ..numeric import Mat

    return v[0][0] if isinstance(v, Mat) else v


SOLVERS = {"ball": _ball, "box": _box, "l1": _l1}

"""Minimisation under linear equality constraints A u = b, by Lagrange multipliers in matrix form.

For an objective whose gradient is affine in u, ∇f = P u − q (the minimum-norm and ridge-type
problems), stationarity of L = f + νᵀ(Au − b) gives P u = q − Aᵀν, so u = P⁻¹(q − Aᵀν); putting
that into the constraint gives (A P⁻¹ Aᵀ) ν = A P⁻¹ q − b, solved for ν and substituted back.
Every step is certified; the answer is then checked end to end (feasible, and no worse than
feasible points along the constraint's null space).
"""
from __future__ import annotations

from sympy import Eq, MatAdd, MatMul, MatrixSymbol, Transpose, ZeroMatrix

from ..equivalence import Context
from ..errors import RuleError
from ..expr.objects import Grad
from . import calculus, matrix
from .base import with_context
from .differentials import any_gradient


def minimize_equality(run, f, u, goal):
    relation = run.build(goal.subject_to)
    lhs, rhs = run.substitute_all(relation.lhs), run.substitute_all(relation.rhs)
    a, b = _affine(lhs, rhs, u, run)
    k = a.shape[0]
    name = next(n for n in ("nu", "nu_c", "lambda_c") if n not in run.table)
    nu = MatrixSymbol(name, k, 1)
    from ..expr.symbols import SymbolInfo

    table = run.table.copy()
    table.add(SymbolInfo(name, "vector", nu, shape=(k, 1), latex=r"\boldsymbol{\nu}"))
    saved = run.table, run.rec.ctx
    run.table = table
    run.rec.ctx = Context(table, dict(saved[1].definitions), seed=saved[1].seed)
    try:
        return _solve(run, f, u, a, b, nu)
    finally:
        run.table, run.rec.ctx = saved


def _affine(lhs, rhs, u, run):
    """A and b with lhs − rhs = A u − b (A has the constraint's rows)."""
    from sympy import Identity

    r = matrix.mexpand(MatAdd(_as_matrix(lhs), MatMul(-1, _as_matrix(rhs))).doit(), u)
    coeffs, rest = matrix.split_linear(r, u)
    if not coeffs:
        raise RuleError(f"the constraint does not involve {run.show(u)}")
    a = coeffs[0] if len(coeffs) == 1 else MatAdd(*coeffs).doit()
    if a.shape[1] != u.shape[0]:
        a = MatMul(a, Identity(u.shape[0])).doit()
    b = MatMul(-1, MatAdd(*rest)).doit() if rest else ZeroMatrix(a.shape[0], 1)
    return a, matrix.mexpand(b)


def _as_matrix(e):
    return calculus.to_matrix(e)


def _solve(run, f, u, a, b, nu):
    extra = MatMul(Transpose(nu), MatAdd(MatMul(a, u), MatMul(-1, b))).doit()
    lagrangian = MatAdd(_as_matrix(f), extra)
    run.rec.step("lagrangian-equality", f, lagrangian, "lagrangian", extra=extra, mult=run.show(nu))
    g = any_gradient(lagrangian, u)
    eq0 = Eq(g, ZeroMatrix(*u.shape), evaluate=False)
    run.rec.step("stationary", lagrangian, eq0, "stationary", extra=Grad(lagrangian, u), var=run.show(u))
    eq1, p, q = matrix.collect(eq0, u)
    run.rec.step("collect", eq0, eq1, "same-solutions", unknown=u, var=run.show(u))
    in_nu = matrix.solve_linear(p, q, u)
    from .forms import positive_definite_reason

    from .forms import explicit_invertible_reason

    why = positive_definite_reason(p, run.show) or _multiple_of_identity(p, run) or explicit_invertible_reason(p, run.show)
    run.rec.step("solve-linear-matrix", eq1, in_nu, "same-solutions", unknown=u,
                 why=why or "we assume it is (see the conditions)")
    plugged = Eq(matrix.mexpand(MatMul(a, in_nu.rhs).doit(), nu), b, evaluate=False)
    at_u = Context(run.table, {**run.rec.ctx.definitions, u: in_nu.rhs}, seed=run.rec.ctx.seed)
    constraint = Eq(MatMul(a, u), b, evaluate=False)
    with_context(run, at_u, lambda: run.rec.step("substitute-into-constraint", constraint, plugged, name=run.show(u)))
    eq2, m, c = matrix.collect(plugged, nu)
    run.rec.step("collect", plugged, eq2, "same-solutions", unknown=nu, var=run.show(nu))
    nu_sol = matrix.solve_linear(m, c, nu)
    from .forms import explicit_invertible_reason

    shown = explicit_invertible_reason(m, run.show) or (
        f"{run.show(a)} has full row rank, so {run.show(a)}{run.show(a)}ᵀ is invertible" if _full_row_rank(a, run) else "")
    run.rec.step("solve-linear-matrix", eq2, nu_sol, "same-solutions", unknown=nu,
                 why=shown or "we assume it is (see the conditions)")
    if not shown:
        run.rec.note("condition", "The answer needs this matrix to be invertible (the constraints independent).", m)
    final = Eq(u, matrix.mexpand(in_nu.rhs.xreplace({nu: nu_sol.rhs}).doit()), evaluate=False)
    at_nu = Context(run.table, {**run.rec.ctx.definitions, nu: nu_sol.rhs}, seed=run.rec.ctx.seed)
    with_context(run, at_nu, lambda: run.rec.step("back-substitute", in_nu, final, name=run.show(nu)))
    tidier = Eq(u, matrix.scalars_out_of_inverses(final.rhs), evaluate=False)
    if tidier != final:
        run.rec.step("simplify", final, tidier)
        final = tidier
    return final


def _multiple_of_identity(p, run) -> str:
    from sympy import Identity

    coeff, mats = p.as_coeff_matrices() if isinstance(p, MatMul) else (1, [p])
    if len(mats) == 1 and isinstance(mats[0], Identity) and getattr(coeff, "is_positive", False):
        return f"it is a positive multiple of I ({run.show(coeff)} > 0)"
    return ""


def _full_row_rank(a, run) -> bool:
    from .forms import declared

    return bool(declared(run.table, a, "full_row_rank"))

"""The closed form of an affine recurrence x ← f(x) unrolled k times (``unroll`` goals).

f is first written as M·x + c (a certified identity). A scalar recurrence is unrolled into
aᵏx₀ + Σ_{j<k} aʲc, then the geometric sum is summed, c(1 − aᵏ)/(1 − a), with the condition a ≠ 1
and the case a = 1 (x₀ + kc) stated separately. A vector recurrence goes in one step to
Mᵏx₀ + (I − M)⁻¹(I − Mᵏ)c, with I − M invertible; SymPy has no matrix-valued sum to show the
middle line. The unrolled lines are certified by the recurrence itself: they equal x₀ (or f(x₀))
at the first k and satisfy x_{k+1} = f(x_k) at the next ones, exactly.
"""
from __future__ import annotations

from sympy import Dummy, Integer, Sum

from ..errors import RuleError
from .tidy import tidy


def unroll_goal(run, goal, fmap):
    x, k = run.table[goal.state].obj, run.table[goal.steps].obj
    start = run.build(goal.start)
    f = run.differentiate_all(run.substitute_all(fmap))
    if getattr(x, "is_Matrix", False):
        return _unroll_vector(run, f, x, start, k)
    return _unroll_scalar(run, f, x, start, k)


def _check(run, f, x, start, k, first):
    from ..certificate_more import satisfies_recurrence

    return lambda before, after: satisfies_recurrence(after, f, x, start, k, run.rec.ctx, first=first)


def _unroll_scalar(run, f, x, start, k):
    from sympy import Ne, Poly

    from .calculus import to_scalar
    from .solve import positive_view

    f = to_scalar(f) if getattr(f, "is_Matrix", False) else f
    poly = Poly(tidy(f), x) if tidy(f).is_polynomial(x) else None
    if poly is None or poly.degree() > 1:
        raise RuleError(f"the update map {run.show(f)} is not affine in {run.name(x)}")
    a, c = tidy(f.diff(x)), tidy(f.subs(x, 0))
    affine = a * x + c
    if affine != f:
        run.rec.step("affine-map", f, affine, var=run.name(x))
    j = Dummy("j", integer=True, nonnegative=True)
    unrolled = a ** k * start + Sum(a ** j * c, (j, 0, k - 1))
    run.rec.step("unroll-recurrence", affine, unrolled, "custom", relation="→",
                 extra=_check(run, affine, x, start, k, 1), var=run.name(x), start=run.show(start), k=run.name(k))
    gap = tidy(1 - a)
    if c == 0:
        closed = a ** k * start
    else:
        closed = a ** k * start + tidy(c / gap) * (1 - a ** k)
    run.rec.step("geometric-sum", unrolled, closed, ratio=run.show(a))
    view = positive_view(gap, run.table)
    if c != 0 and not (view.is_positive or view.is_negative):
        run.rec.note("condition", f"The geometric sum needs {run.show(a)} ≠ 1.", Ne(a, 1))
        _special_case(run, a, c, f, x, start, k)
    return closed


def _special_case(run, a, c, f, x, start, k):
    """The case a = 1, when a is one symbol: k equal terms, x₀ + kc (certified on its own)."""
    from sympy import Eq

    from ..certificate_more import satisfies_recurrence
    from ..errors import CertificationError

    if not getattr(a, "is_Symbol", False):
        return
    at_one = {a: Integer(1)}
    value = start.xreplace(at_one) + k * c.xreplace(at_one)
    verdict = satisfies_recurrence(value, f.xreplace(at_one), x, start.xreplace(at_one), k, run.rec.ctx)
    if not verdict.ok:
        raise CertificationError(f"the special case {run.show(a)} = 1 fails the recurrence: {verdict.reason}")
    run.rec.note("dropped", f"The case {run.show(a)} = 1 is excluded from the formula: there every step adds "
                 f"{run.show(c.xreplace(at_one))}, and the k-th iterate is {run.show(value)}.",
                 Eq(a, 1, evaluate=False))


def _unroll_vector(run, f, x, start, k):
    from sympy import Identity, Inverse, MatAdd, MatMul, MatPow, ZeroMatrix

    from .differentials import collect_terms
    from .forms import invertible_reason, positive_definite_reason
    from .matrix import mexpand, scalars_out_of_inverses, split_linear

    expanded = mexpand(f, x)
    coeffs, rest = split_linear(expanded, x)
    if any(r.has(x) for r in rest):
        raise RuleError(f"the update map {run.show(f)} is not affine in {run.name(x)}")
    size = x.shape[0]
    m = collect_terms(MatAdd(*coeffs).doit()) if len(coeffs) > 1 else (coeffs[0] if coeffs else ZeroMatrix(size, size))
    c = collect_terms(MatAdd(*rest).doit()) if len(rest) > 1 else (rest[0] if rest else ZeroMatrix(*x.shape))
    affine = MatAdd(MatMul(m, x), c) if not isinstance(c, ZeroMatrix) else MatMul(m, x)
    if affine != f:
        run.rec.step("affine-map", f, affine, var=run.name(x))
    power = MatPow(m, k)
    head = MatMul(power, start) if not _is_zero(start) else None
    if isinstance(c, ZeroMatrix):
        closed = head if head is not None else ZeroMatrix(*x.shape)
        run.rec.step("unroll-linear", affine, closed, "custom", relation="→",
                     extra=_check(run, affine, x, start, k, 0), var=run.name(x), k=run.name(k))
        return closed
    gap = collect_terms(mexpand(MatAdd(Identity(size), MatMul(-1, m)).doit()))
    tail = scalars_out_of_inverses(MatMul(Inverse(gap), MatAdd(Identity(size), MatMul(-1, power)), c))
    tail = _cancel_scalars(tail)
    closed = MatAdd(head, tail) if head is not None else tail
    run.rec.step("unroll-geometric", affine, closed, "custom", relation="→",
                 extra=_check(run, affine, x, start, k, 0), var=run.name(x), k=run.name(k), gap=run.show(gap))
    why = positive_definite_reason(gap, run.show) or invertible_reason(gap, run.table, run.show)
    if not why:
        run.rec.note("condition", f"The geometric sum needs I − M = {run.show(gap)} to be invertible.", gap)
    else:
        run.rec.note("assumption", f"I − M = {run.show(gap)} is invertible: {why}.")
    return closed


def _cancel_scalars(e):
    """Combine the scalar factors of a product: (1/ρ)·A⁻¹·B·(ρ·q) → A⁻¹·B·q."""
    from sympy import MatMul

    if not isinstance(e, MatMul):
        return e
    scalars, mats = [], []
    for a in e.args:
        if getattr(a, "is_Matrix", False) and isinstance(a, MatMul):
            s, ms = a.as_coeff_matrices()
            scalars.append(s)
            mats.extend(ms)
        elif getattr(a, "is_Matrix", False):
            mats.append(a)
        else:
            scalars.append(a)
    from sympy import Mul

    coeff = tidy(Mul(*scalars))
    return MatMul(coeff, *mats) if coeff != 1 else MatMul(*mats)


def _is_zero(e) -> bool:
    from sympy import ZeroMatrix

    return e == 0 or isinstance(e, ZeroMatrix)

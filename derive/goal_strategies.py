"""Strategies for the goal kinds beyond minimise/solve/moments: a gradient or second derivative,
an exact evaluation, an identity to show, the condition under which an inequality holds, and the
scalar that makes an identity hold for every value of a vector (matching coefficients).

Each takes the ``strategies.Run`` (its recorder certifies every step) and returns the answer.
"""
from __future__ import annotations

from sympy import Eq

from .errors import RuleError
from .rules import calculus, differentials
from .rules.tidy import tidy


def gradient_goal(run, goal, expr):
    from sympy import Derivative

    from .expr.objects import Grad
    from .rules import network

    through_network = network.gradient(run, goal, expr)      # a network given as equations: backprop
    if through_network is not None:
        return through_network
    u = run.table[goal.wrt].obj
    f = run.norms(run.differentiate_all(run.norms(run.substitute_all(expr))))
    if getattr(u, "is_Matrix", False):
        g = differentials.gradient(f, u)
        run.rec.step("differentiate", Grad(f, u), g, var=run.name(u))
        g = run.symmetry(g)
        if goal.order == 2:
            h = _hessian(g, u)
            run.rec.step("hessian", g, h, "jacobian", unknown=u, var=run.name(u))
            return h
        return g
    fs = run.expose(calculus.to_scalar(f), u)
    d1 = tidy(calculus.scalar_derivative(fs, u))
    run.rec.step("differentiate-scalar", Derivative(fs, u), d1, var=run.name(u))
    if goal.order == 2:
        d2 = tidy(calculus.scalar_derivative(d1, u))
        run.rec.step("differentiate-scalar", Derivative(d1, u), d2, var=run.name(u))
        return d2
    return d1


def _hessian(g, u):
    """∂g/∂u for a gradient g: each term c(u)·v(u) gives v ∇cᵀ + c ∂v/∂u (v linear in u)."""
    from sympy import MatAdd, MatMul, Transpose, ZeroMatrix

    from .rules.matrix import split_linear

    terms = list(g.args) if isinstance(g, MatAdd) else [g]
    out = []
    for t in terms:
        scalars = [a for a in getattr(t, "args", ()) if not getattr(a, "is_Matrix", False)] if isinstance(t, MatMul) else []
        mats = [a for a in t.args if getattr(a, "is_Matrix", False)] if isinstance(t, MatMul) else [t]
        c = _product(scalars)
        v = MatMul(*mats).doit() if len(mats) > 1 else mats[0]
        if getattr(c, "has", lambda *_: False)(u):
            out.append(MatMul(v, Transpose(differentials.gradient(c, u))).doit())
        if v.has(u):
            coeffs, rest = split_linear(v, u)
            if any(r.has(u) for r in rest):
                raise RuleError(f"the Hessian needs {v} to be linear in {u}")
            a = coeffs[0] if len(coeffs) == 1 else MatAdd(*coeffs).doit()
            out.append(MatMul(c, a).doit() if c != 1 else a)
    if not out:
        return ZeroMatrix(u.shape[0], u.shape[0])
    return out[0] if len(out) == 1 else MatAdd(*out).doit()


def evaluate_goal(run, goal, expr):
    """Substitute definitions and compute; the part's values go in at the end (engine)."""
    from .rules import network
    from .rules.numbers import evaluate_exactly

    net = network.Network.of(run)
    if run.values and net.in_network(expr):          # a quantity of a network: the forward pass
        return network.forward_pass(run, net, expr)
    expr = run.norms(run.differentiate_all(run.substitute_all(expr)))
    from .expr.conv import Conv

    if expr.has(Conv):
        from .rules.convolution import evaluate_convolutions

        expr = evaluate_convolutions(run, expr)
    after = evaluate_exactly(expr)
    if after != expr:
        run.rec.step("evaluate", expr, after)
    return after


def show_goal(run, goal, relation):
    """Turn both sides into the same expression by certified steps; the answer is the identity."""
    lhs, rhs = relation.lhs, relation.rhs
    sides = []
    from .rules.numbers import evaluate_exactly

    for side in (lhs, rhs):
        e = run.differentiate_all(run.substitute_all(side))
        from .rules.attention import attention_identities   # softmax: full masks, permutations (issue 11)

        e = attention_identities(run, e)
        if run.values and e.has(*run.values):            # the part's values go in before comparing
            e = run.substitute_values(e)
        e = run.norms(evaluate_exactly(e))
        if getattr(e, "is_Matrix", False):
            from .rules.matrix import mexpand

            after = mexpand(e)
            if after.shape == (1, 1):        # an inner product: scalar algebra over 1×1 products
                after = tidy(calculus.expose_scalar(calculus.to_scalar(after), None))
        else:
            after = tidy(calculus.expose_scalar(e, None))
        if after != e:
            run.rec.step("expand" if getattr(e, "is_Matrix", False) else "simplify", e, after)
        sides.append(after)
    left, right = sides
    if _same_form(left, right):
        return Eq(lhs, rhs, evaluate=False)
    difference = _difference(left, right)
    run.rec.step("compare-sides", Eq(left, right, evaluate=False), Eq(difference, _zero_like(difference), evaluate=False))
    if not _is_zero(difference) and not getattr(difference, "is_Matrix", False):
        from sympy import cancel, exp, log, together

        rewritten = cancel(together(difference.rewrite(exp).rewrite(log)))
        if rewritten == 0:
            run.rec.step("rewrite-functions", Eq(difference, 0, evaluate=False), Eq(rewritten, 0, evaluate=False))
            difference = rewritten
    if not _is_zero(difference):
        raise RuleError(f"could not reduce the two sides to the same form; their difference is {run.show(difference)}")
    return Eq(lhs, rhs, evaluate=False)


def _same_form(a, b) -> bool:
    try:
        return a == b or (not getattr(a, "is_Matrix", False) and tidy(a - b) == 0)
    except Exception:  # noqa: BLE001
        return False


def _difference(a, b):
    from sympy import MatAdd, MatMul

    from .rules.matrix import mexpand

    if getattr(a, "is_Matrix", False) or getattr(b, "is_Matrix", False):
        from .rules.differentials import collect_terms

        return collect_terms(mexpand(MatAdd(a, MatMul(-1, b)).doit()))
    return tidy(a - b)


def _is_zero(e) -> bool:
    from sympy import ZeroMatrix

    return e == 0 or isinstance(e, ZeroMatrix)


def _zero_like(e):
    from sympy import ZeroMatrix

    return ZeroMatrix(*e.shape) if getattr(e, "is_Matrix", False) else 0


def condition_goal(run, goal, relation):
    """The values of a scalar s for which ``lhs REL rhs`` holds, under the declared assumptions:
    move everything to one side, factor, drop factors of known sign, solve the linear rest."""
    from sympy import Gt, Lt, Mul, factor, fraction, together

    from .rules.solve import positive_view

    s = run.table[goal.wrt].obj
    lhs = run.differentiate_all(run.substitute_all(relation.lhs))
    rhs = run.differentiate_all(run.substitute_all(relation.rhs))
    from .rules.numbers import evaluate_exactly

    lhs, rhs = evaluate_exactly(lhs.xreplace(run.values)), evaluate_exactly(rhs.xreplace(run.values))
    lhs, rhs = calculus.to_scalar(lhs), calculus.to_scalar(rhs)
    lhs, rhs = calculus.expose_scalar(lhs, s), calculus.expose_scalar(rhs, s)
    greater = relation.rel_op in (">", ">=")
    strict = relation.rel_op in (">", "<")
    diff = (lhs - rhs) if greater else (rhs - lhs)          # the relation is now diff > 0 (or ≥ 0)
    start = type(relation)(relation.lhs, relation.rhs)
    moved = Gt(tidy(diff), 0) if strict else __import__("sympy").Ge(tidy(diff), 0)
    run.rec.step("move-to-one-side", start, moved, "same-relation", unknown=s)
    num, den = fraction(together(factor(tidy(diff))))
    kept, flips, dropped = [], 0, []
    for f in Mul.make_args(num) + tuple(1 / d for d in Mul.make_args(den)):
        view = positive_view(f, run.table)
        if not f.has(s):
            if view.is_positive:
                dropped.append(f)
                continue
            if view.is_negative:
                flips += 1
                dropped.append(f)
                continue
            raise RuleError(f"the sign of {run.show(f)} is not known; add an assumption")
        if view.is_positive:
            dropped.append(f)
            continue
        kept.append(f)
    if len(kept) != 1:
        raise RuleError(f"cannot decide the inequality: {len(kept)} factors of unknown sign depend on {run.name(s)}")
    core = kept[0]
    poly = core.as_poly(s)
    if poly is None or poly.degree() != 1:
        raise RuleError(f"cannot decide the inequality: {run.show(core)} is not linear in {run.name(s)}")
    a, b = poly.all_coeffs()
    slope = positive_view(a, run.table)
    if not (slope.is_positive or slope.is_negative):
        raise RuleError(f"the sign of {run.show(a)} is not known; add an assumption")
    bound = tidy(-b / a)
    upward = bool(slope.is_positive) != bool(flips % 2)      # core·(sign) > 0  ⇔  s > bound when upward
    rel = {(True, True): Gt, (False, True): Lt}.get((upward, strict))
    if rel is None:
        from sympy import Ge, Le

        rel = Ge if upward else Le
    answer = rel(s, bound)
    run.rec.step("solve-inequality", moved, answer, "same-relation", unknown=s, var=run.name(s),
                 dropped=", ".join(run.show(d) for d in dropped) or "none")
    return answer


def match_goal(run, goal, relation):
    """The scalar s for which ``lhs = rhs`` holds for every value of v: the coefficient of v
    in lhs − rhs must vanish, and so must the rest."""
    from sympy import MatAdd, MatMul

    from .rules.matrix import mexpand, split_linear
    from .rules.solve import solve_scalar

    s, v = run.table[goal.wrt].obj, run.table[goal.every].obj
    lhs = run.differentiate_all(run.substitute_all(relation.lhs))
    rhs = run.differentiate_all(run.substitute_all(relation.rhs))
    if getattr(lhs, "is_Matrix", False):
        residual = mexpand(MatAdd(lhs, MatMul(-1, rhs)).doit(), v)
        coeffs, rest = split_linear(residual, v)
        if any(r.has(s) for r in rest) or any(r.has(v) for r in rest):
            raise RuleError(f"the terms without {run.name(v)} depend on {run.name(s)}; cannot match coefficients")
        coefficient = _identity_multiple(coeffs, run)
    else:
        residual = tidy(calculus.to_scalar(lhs) - calculus.to_scalar(rhs))
        coefficient = tidy(residual.diff(v)) if residual.is_polynomial(v) else None
        if coefficient is None or coefficient.has(v):
            raise RuleError(f"{run.show(residual)} is not linear in {run.name(v)}")
    eq = Eq(coefficient, 0, evaluate=False)
    run.rec.step("match-coefficients", Eq(lhs, rhs, evaluate=False), eq, "coefficient", unknown=v,
                 var=run.name(v))
    sol = solve_scalar(eq, s, run.table.get(goal.wrt), run.show, run.table)
    answer = Eq(s, sol.value, evaluate=False)
    run.rec.step("solve-scalar", eq, answer, "solves", unknown=s, var=run.name(s), using="")
    return answer


def _identity_multiple(coeffs, run):
    """The scalar c of a coefficient c·I (sums of scalar multiples of the identity)."""
    from sympy import Identity, MatMul

    total = 0
    for c in coeffs:
        if isinstance(c, Identity):
            total += 1
            continue
        if isinstance(c, MatMul):
            scalar, mats = c.as_coeff_matrices()
            if len(mats) == 1 and isinstance(mats[0], Identity):
                total += scalar
                continue
        raise RuleError(f"the coefficient {run.show(c)} is not a multiple of the identity; cannot match it to a scalar")
    return tidy(total)


def _product(xs):
    from sympy import Mul

    return Mul(*xs) if xs else 1

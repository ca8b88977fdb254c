"""One step of a named update rule (``step`` goals): a gradient step, a weight-decay step and a
proximal gradient step, each from the loss and the point the spec names.

The first recorded step instantiates the rule (certified against the rule's definition rebuilt
by ``certificate_more.update_reference``); the rest are the engine's ordinary certified steps:
substitution, differentiation, collecting the starting point, and, for a proximal step, the
stationary point of the proximal objective or soft-thresholding in one dimension.
"""
from __future__ import annotations

from sympy import Abs, Eq

from ..errors import RuleError
from .tidy import tidy


def step_goal(run, goal, loss):
    """The updated parameter, as an expression."""
    from ..certificate_more import gradient_at, update_reference

    from ..expr.objects import Partial
    from .network import Network, backprop

    u = run.table[goal.wrt].obj
    start, rate = run.build(goal.start), run.build(goal.rate)
    net = Network.of(run)
    through_network = start == u and goal.rule != "proximal" and net.applies(loss, u)
    grad = Partial(loss, u) if through_network else gradient_at(loss, u, start)
    names = {"rate": run.name(rate), "start": run.name(start), "var": run.name(u)}

    def matches_rule(before, after):
        from ..equivalence import same_value

        return same_value(after, update_reference(goal, run.table, run.build, run.rec.ctx), run.rec.ctx)

    if goal.rule == "proximal":
        penalty = run.build(goal.penalty)
        objective = _add(_inner(grad, _minus(u, start)), _half_square(_minus(u, start), rate), penalty)
        run.rec.step("proximal-step", start, objective, "custom", extra=matches_rule, relation="→",
                     penalty=run.name(penalty), **names)
        return proximal(run, objective, u, start, rate)
    shrink = 1 - run.build(goal.decay) if goal.rule == "weight-decay" else 1
    update = _add(_scale(shrink, start), _scale(-rate, grad))
    rule = "weight-decay-step" if goal.rule == "weight-decay" else "gradient-step"
    run.rec.step(rule, start, update, "custom", extra=matches_rule, relation="→",
                 shrink=run.name(shrink), **names)
    if through_network:                  # ∂E/∂w by backpropagation through the given equations
        return backprop(run, net, update)
    expr = run.norms(run.differentiate_all(run.norms(run.substitute_all(update))))
    return collect_start(run, expr, start)


def collect_start(run, expr, start):
    """Gather the terms in the starting point: w₀ − η(2λw₀ + g) → (1 − 2ηλ)w₀ − ηg."""
    from sympy import collect, expand

    if getattr(expr, "is_Matrix", False):
        from .differentials import collect_terms

        after = collect_terms(_distribute_scalars(expr))
    elif getattr(start, "is_Symbol", False):
        after = collect(expand(expr), start, evaluate=True)
        after = after.func(*[tidy(a) for a in after.args]) if after.is_Add else tidy(after)
    else:
        after = tidy(expr)
    if set(_terms(after)) == set(_terms(expr)) or run.show(after) == run.show(expr):   # nothing gathered
        return expr
    run.rec.step("collect-start", expr, after, start=run.name(start))
    return after


def _terms(e):
    from sympy import Add, MatAdd

    return e.args if isinstance(e, (Add, MatAdd)) else (e,)


def proximal(run, objective, u, start, rate):
    """argmin of the proximal objective: a quadratic one by its stationary point, and in one
    dimension with the penalty c·|u| by soft-thresholding."""
    objective = run.differentiate_all(run.substitute_all(objective))
    scalar = not getattr(u, "is_Matrix", False)
    if scalar and objective.has(Abs(u)):
        return soft_threshold(run, objective, u, rate)
    from ..expr.objects import norm1

    if any(a.args[0].has(u) for a in objective.atoms(norm1)):
        raise RuleError("the proximal step of an ℓ1 penalty on a vector soft-thresholds each coordinate, which "
                        "derive cannot write for a vector of symbolic size yet; state it in one dimension")
    solution = run.minimize_vector(objective, u) if not scalar else run.minimize_scalar(objective, u)
    return solution.rhs


def soft_threshold(run, objective, u, rate):
    """(u − q)²/(2τ) + c|u|  →  u = sgn(q)·max(|q| − τc, 0), after completing the square."""
    from ..certificate_more import constant_in, no_worse_than_neighbours
    from ..expr.objects import relu
    from .solve import positive_view

    if objective.has(u) and not objective.is_Add:
        raise RuleError("the proximal objective is not a sum of a smooth part and c·|u|")
    weight = sum((t.as_coefficient(Abs(u)) or 0) for t in objective.args if t.has(Abs(u)))
    smooth = tidy(objective - weight * Abs(u))
    if weight == 0 or weight.has(u) or smooth.has(Abs(u)):
        raise RuleError(f"the penalty is not a constant multiple of |{run.name(u)}|")
    if not positive_view(weight, run.table).is_positive:
        raise RuleError(f"soft-thresholding needs the weight {run.show(weight)} of |{run.name(u)}| to be positive")
    poly = smooth.as_poly(u)
    if poly is None or poly.degree() != 2:
        raise RuleError("the smooth part of the proximal objective is not quadratic in the parameter")
    a2, a1, _ = poly.all_coeffs()
    centre = tidy(-a1 / (2 * a2))
    square = a2 * (u - centre) ** 2 + weight * Abs(u)
    run.rec.step("complete-the-square", objective, square, "custom", relation="⇔",
                 extra=lambda before, after: constant_in(before, after, u, run.rec.ctx), var=run.name(u))
    threshold = tidy(weight / (2 * a2))
    value = _sign(centre) * relu(Abs(centre) - threshold)
    answer = Eq(u, value, evaluate=False)
    run.rec.step("soft-threshold", square, answer, "custom", relation="⇒",
                 extra=lambda before, after: no_worse_than_neighbours(before, u, after.rhs, run.rec.ctx),
                 var=run.name(u), threshold=run.show(threshold), centre=run.show(centre))
    run.rec.note("remark", f"{run.name(u)} is exactly 0 when |{run.show(centre)}| ≤ {run.show(threshold)}.")
    return value


def _sign(e):
    from sympy import sign

    return sign(e)


def _inner(g, d):
    from sympy import MatMul, Transpose

    if getattr(g, "is_Matrix", False):
        return MatMul(Transpose(g), d)
    return g * d


def _half_square(d, rate):
    from sympy import MatMul, Transpose

    if getattr(d, "is_Matrix", False):
        return MatMul(1 / (2 * rate), Transpose(d), d)
    return d ** 2 / (2 * rate)


def _minus(a, b):
    from sympy import MatAdd, MatMul

    if getattr(a, "is_Matrix", False):
        return MatAdd(a, MatMul(-1, b))
    return a - b


def _scale(c, v):
    from sympy import MatMul

    if c == 1:
        return v
    return MatMul(c, v) if getattr(v, "is_Matrix", False) else c * v


def _add(*terms):
    from sympy import Add, Identity, MatAdd, MatMul

    if any(getattr(t, "is_Matrix", False) and t.shape != (1, 1) for t in terms):
        return MatAdd(*terms)
    if any(getattr(t, "is_Matrix", False) for t in terms):
        return MatAdd(*[t if getattr(t, "is_Matrix", False) else MatMul(t, Identity(1)) for t in terms])
    return Add(*terms)


def _distribute_scalars(e):
    """c·(a + b) → c·a + c·b at the top level of a matrix sum (scalar factors only)."""
    from sympy import MatAdd, MatMul

    terms = list(e.args) if isinstance(e, MatAdd) else [e]
    out = []
    for t in terms:
        if isinstance(t, MatMul):
            scalars = [a for a in t.args if not getattr(a, "is_Matrix", False)]
            mats = [a for a in t.args if getattr(a, "is_Matrix", False)]
            if len(mats) == 1 and isinstance(mats[0], MatAdd):
                c = MatMul(*scalars).doit() if scalars else 1
                inner = _distribute_scalars(mats[0])
                out.extend(_scale(c, a) for a in (inner.args if isinstance(inner, MatAdd) else [inner]))
                continue
        out.append(t)
    return MatAdd(*out).doit() if len(out) > 1 else out[0]

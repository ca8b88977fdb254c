"""Strategies: one per goal kind, each a fixed composition of small general rules.

``Run.goal`` dispatches on the goal kind: simplify, minimize (vector or scalar unknown,
optionally over a norm ball or box), solve, mean, variance. Strategies know the order in which
rules are tried; rules know how to rewrite; the recorder certifies every step.
"""
from __future__ import annotations

from sympy import Eq

from .equivalence import Context
from .errors import RuleError
from .expr.build import Builder
from .rules import calculus, differentials, matrix, moments
from .rules.base import Recorder, with_context
from .rules.tidy import tidy

MAX_MOMENT_STEPS = 30


class Run:
    def __init__(self, ctx: Context, table, show, sources: dict, values=None):
        self.ctx, self.table, self.show, self.sources = ctx, table, show, sources
        self.values = dict(values or {})     # specialize values: substituted at the end, in one step
        self.rec = Recorder(ctx, printer=show)

    # -- helpers --------------------------------------------------------------------------
    def build(self, node):
        return Builder(self.table).build(node).expr

    def name(self, obj) -> str:
        return self.show(obj)

    def goal(self, goal):
        kind = goal.kind
        if kind == "count":
            from .rules.layers import count_goal

            return count_goal(self, goal)
        expr = self.build(goal.expr)
        if kind == "simplify":
            return self.simplify(expr, goal)
        if kind == "minimize":
            unknown = self.table[goal.wrt].obj
            expr = self.substitute_all(expr)
            if expr.has(*_moment_classes()):
                expr = self.moments(expr)
                if getattr(unknown, "is_Matrix", False) and not getattr(expr, "is_Matrix", False):
                    expr = calculus.to_matrix(expr)   # scalar algebra over 1×1 products, back to one product
            if goal.subject_to is not None and getattr(goal.subject_to, "op", "") == "=":
                from .rules.equality import minimize_equality

                return minimize_equality(self, expr, unknown, goal)
            if goal.subject_to is not None:
                from .rules.constrained import minimize_constrained

                return minimize_constrained(self, expr, unknown, goal)
            if getattr(unknown, "is_Matrix", False):
                return self.minimize_vector(expr, unknown)
            return self.minimize_scalar(expr, unknown)
        if kind == "solve":
            answer = self.solve(expr, self.table[goal.wrt])
            if goal.monotone_in:
                self.monotonicity(answer, self.table[goal.monotone_in].obj)
            return answer
        if kind == "step":
            from .rules.updates import step_goal

            return step_goal(self, goal, expr)
        if kind == "unroll":
            from .rules.recurrence import unroll_goal

            return unroll_goal(self, goal, expr)
        if kind == "bound":
            from .rules.bounds import bound_goal

            return bound_goal(self, goal, expr)
        if kind == "shape":
            from .rules.shapes import shape_goal

            return shape_goal(self, goal, expr)
        if kind == "weight_matrix":
            from .rules.convolution import weight_matrix_goal

            return weight_matrix_goal(self, goal, expr)
        if kind in ("gradient", "evaluate", "show", "condition", "match"):
            from . import goal_strategies

            return getattr(goal_strategies, f"{kind}_goal")(self, goal, expr)
        if kind in ("mean", "variance"):
            from .expr.objects import E, Var

            start = (E if kind == "mean" else Var)(Builder(self.table).as_scalar(Builder(self.table).build(goal.expr), goal.expr))
            return self.moments(start)
        raise RuleError(f"no strategy for goal kind '{kind}'")

    # -- substitution -----------------------------------------------------------------------
    def substitute_all(self, expr):
        """Substitute defined names one at a time, in order of appearance, as steps."""
        for _ in range(20):
            present = [s for s in self.ctx.definitions if _has(expr, s) and not self._is_abbreviation(s)
                       and s not in self.values]
            if not present:
                return expr
            sym = sorted(present, key=lambda s: str(expr).find(str(s)))[0]
            after = _xreplace(expr, {sym: self.ctx.definitions[sym]})
            if sym in self.sources:
                self.rec.step("substitute-result", expr, after, part=self.sources[sym],
                              name=f"{self.name(sym)} = {self.name(self.ctx.definitions[sym])}")
            else:
                self.rec.step("substitute-definition", expr, after, name=self.name(sym))
            expr = after
        raise RuleError("definitions refer to each other in a cycle")

    def _is_abbreviation(self, sym) -> bool:
        info = self.table.get(str(sym))
        return info is not None and "abbreviation" in info.assumptions

    def differentiate_all(self, expr):
        from .expr.objects import Grad

        from sympy import Derivative, Subs

        grads = expr.atoms(Grad) if hasattr(expr, "atoms") else set()
        scalar = {d for d in expr.atoms(Subs, Derivative) if not any(d in s.args for s in expr.atoms(Subs))} \
            if hasattr(expr, "atoms") else set()
        if not grads and not scalar:
            return expr
        mapping = {g: differentials.any_gradient(g.expr, g.var).xreplace({g.var: g.at}) for g in grads}
        mapping.update({d: calculus.scalar_derivative(d.expr, d.variables[0]) if isinstance(d, Derivative)
                        else d.doit() for d in scalar})
        after = _xreplace(expr, mapping)
        var = ", ".join(sorted({self.name(g.at) for g in grads} | {self.name(d.point[0] if isinstance(d, Subs) else d.variables[0]) for d in scalar}))
        self.rec.step("differentiate", expr, after, var=var)
        return self.symmetry(after)

    def symmetry(self, expr):
        """Aᵀ → A for every matrix declared symmetric (or positive (semi)definite)."""
        from sympy import Transpose

        mapping = {}
        for info in self.table.symbols.values():
            if info.kind == "matrix" and set(info.assumptions) & {"symmetric", "positive_definite", "positive_semidefinite"}:
                mapping[Transpose(info.obj)] = info.obj
        if not mapping or not getattr(expr, "has", lambda *a: False)(*mapping):
            return expr
        after = expr.xreplace(mapping)
        if getattr(after, "is_Matrix", False):
            from .rules.differentials import collect_terms
            from .rules.matrix import mexpand

            after = collect_terms(mexpand(after.doit()))
        names = ", ".join(sorted(self.name(v) for k, v in mapping.items() if expr.has(k)))
        self.rec.step("use-symmetry", expr, after, names=names)
        return after

    def norms(self, expr):
        """Scalar factors out of norms, and the max-norm of a sign vector (certified steps)."""
        from .rules import norms

        for rule, fn in (("norm-scaling", norms.pull_scalars), ("sign-scaling", norms.sign_scaling),
                         ("sign-inner-product", norms.sign_inner_product), ("norm-of-signs", norms.sign_vector)):
            out = fn(expr)
            if out is not None:
                self.rec.step(rule, expr, out)
                if rule == "norm-of-signs":
                    self.rec.note("assumption", "The vector inside sgn(·) is not zero, so its sign vector has an entry ±1.")
                expr = out
        return expr

    def labels(self, expr):
        """A function of a binary label split into its two cases (``rules/labels.py``)."""
        from .rules import labels

        after = labels.select(expr, self.table)
        if after is None:
            return expr
        names = sorted({self.name(t) for t in labels.binary_symbols(self.table) if expr.has(t)})
        self.rec.step("label-select", expr, after, label=", ".join(names))
        return after

    def expand(self, expr, prefer=None, only_if_shorter=False):
        from sympy import count_ops

        after = matrix.mexpand(expr, prefer) if getattr(expr, "is_Matrix", False) else tidy(expr)
        if only_if_shorter and count_ops(after) > count_ops(expr) + 1:
            return expr
        if after != expr:
            self.rec.step("expand" if getattr(expr, "is_Matrix", False) else "simplify", expr, after)
        return after

    def abbreviate(self, expr, goal):
        for name, node in goal.abbreviate.items():
            value = self.build(node)
            sym = self.table[name].obj if name in self.table else None
            if sym is None:
                from sympy import MatrixSymbol, Symbol

                sym = MatrixSymbol(name, *value.shape) if getattr(value, "is_Matrix", False) else Symbol(name, real=True)
            self.ctx.definitions[sym] = value
            after = matrix.regroup(expr, sym, value) if getattr(expr, "is_Matrix", False) else matrix.abbreviate(expr, sym, value)
            if after != expr:
                self.rec.step("abbreviate", expr, after, name=self.name(sym), value=self.name(value))
                expr = after
        return expr

    # -- simplify ---------------------------------------------------------------------------
    def simplify(self, expr, goal):
        expr = self.labels(self.substitute_all(self.labels(expr)))
        expr = self.norms(expr)
        expr = self.differentiate_all(expr)
        expr = self.norms(expr)
        if goal.abbreviate:
            expr = self.abbreviate(expr, goal)
        return self.expand(expr, only_if_shorter=not goal.abbreviate)

    # -- minimize ---------------------------------------------------------------------------
    def minimize_vector(self, f, w):
        from sympy import ZeroMatrix

        from .expr.objects import Grad
        from .rules.forms import explicit_invertible_reason, positive_definite_reason

        g = calculus.gradient(f, w)
        eq0 = Eq(g, ZeroMatrix(*w.shape), evaluate=False)
        self.rec.step("stationary", f, eq0, "stationary", extra=Grad(f, w), var=self.name(w))
        eq1, a, b = matrix.collect(eq0, w)
        self.rec.step("collect", eq0, eq1, "same-solutions", unknown=w, var=self.name(w))
        why = positive_definite_reason(a, self.show) or explicit_invertible_reason(a, self.show)
        sol = matrix.solve_linear(a, b, w)
        self.rec.step("solve-linear-matrix", eq1, sol, "same-solutions", unknown=w,
                      why=why or "we assume it is (see the conditions)")
        if not why:
            self.rec.note("condition", "The coefficient matrix must be invertible.", a)
        absorbed = matrix.absorb_scalar(sol.rhs)
        if absorbed is not None:
            new = Eq(w, absorbed[0], evaluate=False)
            self.rec.step("absorb-scalar", sol, new, "same-solutions", unknown=w, factor=self.show(absorbed[1]))
            sol = new
        self.second_order(g, w, a, why)
        return sol

    def second_order(self, g, w, hessian, why):
        """Record the Hessian (certified: H·w = ∇f(w) − ∇f(0) for a quadratic objective)."""
        from sympy import MatAdd, MatMul, ZeroMatrix

        from .equivalence import same_value

        def check(grad, h):
            return same_value(MatMul(h, w), MatAdd(grad, MatMul(-1, grad.subs(w, ZeroMatrix(*w.shape)))), self.rec.ctx)

        if why:
            self.rec.step("second-order", g, hessian, "custom", extra=check, var=self.name(w),
                          why="positive definite: " + why)
        else:
            self.rec.step("second-order", g, hessian, "custom", extra=check, var=self.name(w),
                          why="constant; the point is the unique minimiser when it is positive definite")

    def expose(self, expr, u):
        """Expand the 1×1 products that contain the scalar unknown, so it stands outside them:
        wᵀ(x − εw) → wᵀx − ε·wᵀw (a certified step)."""
        if isinstance(expr, Eq):
            after = Eq(*(calculus.expose_scalar(calculus.to_scalar(side), u) for side in (expr.lhs, expr.rhs)),
                       evaluate=False)
            if after == Eq(calculus.to_scalar(expr.lhs), calculus.to_scalar(expr.rhs), evaluate=False):
                return expr
        else:
            after = calculus.expose_scalar(expr, u)
        if after != expr:
            self.rec.step("expose-unknown", expr, after, var=self.name(u))
        return after

    def minimize_scalar(self, f, u):
        from sympy import Derivative

        f = self.expose(calculus.to_scalar(f), u)
        df = calculus.scalar_derivative(f, u)
        eq0 = Eq(tidy(df), 0, evaluate=False)
        fs = calculus.to_scalar(f) if getattr(f, "is_Matrix", False) else f
        self.rec.step("stationary", f, eq0, "stationary", extra=Derivative(fs, u), var=self.name(u))
        sol = self.solve_equation(eq0, self.table[str(u)] if str(u) in self.table else None, u)
        self.second_derivative_note(tidy(calculus.scalar_derivative(df, u)), u, sol)
        return sol

    def second_derivative_note(self, d2, u, sol):
        """Say what the second derivative shows: convexity where its sign follows from the
        assumptions and the declared intervals (1/(εx(1 − x)) for x in (0, 1)), else a local
        minimum where its value at the solution is positive, else what to check."""
        from sympy import Ge, Gt

        sign = _sign_word(d2, self.table)
        if sign:
            tail = "" if sign == "positive" else " (strictly, when it is not zero)"
            self.rec.note("condition", f"The second derivative {self.show(d2)} is {sign}, so the objective is convex in "
                          f"{self.name(u)} and the stationary point is its minimiser{tail}.",
                          None if d2.is_number else (Gt(d2, 0) if sign == "positive" else Ge(d2, 0)))
            return
        at = tidy(d2.xreplace({u: sol.rhs})) if getattr(sol, "lhs", None) == u else None
        if at is not None and _sign_word(at, self.table) == "positive":
            self.rec.note("condition", f"At the stationary point the second derivative is {self.show(at)}, which is "
                          f"positive, so the point is a (local) minimum.", None if at.is_number else Gt(at, 0))
            return
        self.rec.note("condition", f"Check the second derivative {self.show(d2)} > 0 for a minimum.", d2)

    # -- solve ------------------------------------------------------------------------------
    def solve(self, eq, info):
        eq = self.substitute_all(eq)
        eq = self.differentiate_all(eq)
        if eq.has(*_moment_classes()):
            eq = self.moments(eq, final_tidy=False)
        if getattr(info.obj, "is_Matrix", False):
            return self.solve_vector(eq, info.obj)
        exposed = self.expose(eq, info.obj)
        lhs, rhs = calculus.to_scalar(exposed.lhs), calculus.to_scalar(exposed.rhs)
        eq = exposed
        tidy_eq = Eq(tidy(lhs), tidy(rhs), evaluate=False)
        if tidy_eq != eq:
            self.rec.step("simplify", eq, tidy_eq)
            eq = tidy_eq
        return self.solve_equation(eq, info, info.obj)

    def solve_vector(self, eq, u):
        """A linear vector equation in u: collect A u = b, then u = A⁻¹ b (certified steps)."""
        from .rules.forms import explicit_invertible_reason, invertible_reason, positive_definite_reason

        eq1, a, b = matrix.collect(eq, u)
        if eq1 != eq:
            self.rec.step("collect", eq, eq1, "same-solutions", unknown=u, var=self.name(u))
        why = positive_definite_reason(a, self.show) or invertible_reason(a, self.table, self.show) \
            or explicit_invertible_reason(a, self.show)
        sol = matrix.solve_linear(a, b, u)
        self.rec.step("solve-linear-matrix", eq1, sol, "same-solutions", unknown=u,
                      why=why or "we assume it is (see the conditions)")
        if not why:
            self.rec.note("condition", "The coefficient matrix must be invertible.", a)
        return sol

    def solve_equation(self, eq, info, u):
        from .rules.solve import solve_scalar

        sol = solve_scalar(eq, u, info, self.show, self.table)
        after = Eq(u, sol.value, evaluate=False)
        using = ""
        if sol.dropped:
            using = " (keeping the root allowed by " + ", ".join(sorted({r for _, r in sol.dropped})) + ")"
        self.rec.step("solve-scalar", eq, after, "solves", unknown=u, var=self.name(u), using=using)
        from .rules.tidy import logits

        shorter = logits(after.rhs, self.table)
        if shorter is not None:
            new = Eq(u, shorter, evaluate=False)
            self.rec.step("logit-form", after, new)
            after = new
        dom = getattr(info, "domain", None)
        if dom is not None and dom.lower == 0 and dom.upper == 1:   # a probability: σ of its log-odds
            from .rules.tidy import sigmoid_form

            nicer = sigmoid_form(after.rhs, self.table)
            if nicer is not None:
                new = Eq(u, nicer, evaluate=False)
                self.rec.step("sigmoid-form", after, new)
                after = new
        for root, reason in sol.dropped:
            self.rec.note("dropped", f"The root {self.name(u)} = {self.show(root)} is dropped because {reason}.", Eq(u, root, evaluate=False))
        for d in sol.degenerate:
            self.rec.note("condition", f"If {self.show(d)} = 0 the equation holds for every {self.name(u)} (a degenerate case excluded here).",
                          Eq(d, 0, evaluate=False))
        for rel, words in sol.conditions:
            self.rec.note("condition", words + ".", rel)
        from sympy import fraction

        _, den = fraction(sol.value)
        if not den.is_number and den.is_positive is not True:
            from sympy import Ne

            from .rules.forms import gram_root
            from .expr.objects import Scalar

            grams = [a for a in den.atoms(Scalar) if gram_root(a.args[0]) is not None]
            if len(grams) == 1:
                root = gram_root(grams[0].args[0])
                self.rec.note("condition", f"The answer needs {self.show(root)} ≠ 0 (the denominator is {self.show(den)}).",
                              Ne(root, _zero_like(root)))
            else:
                self.rec.note("condition", f"The answer needs {self.show(den)} ≠ 0.", Ne(den, 0))
        return after

    def monotonicity(self, answer, var):
        """d(answer)/d(var) and the sign it has under the assumptions and side conditions."""
        from sympy import Derivative, Gt, Lt

        from .rules.solve import positive_view

        u, value = answer.lhs, answer.rhs
        derivative = tidy(value.diff(var))
        after = Eq(Derivative(u, var), derivative, evaluate=False)
        self.rec.step("monotonicity", answer, after, "custom", relation="⇒",
                      extra=lambda before, after: same_value_of(Derivative(before.rhs, var), after.rhs, self.rec.ctx)
                      if after.lhs == Derivative(before.lhs, var) else _not_the_derivative(after),
                      var=self.name(var))
        view = positive_view(derivative, self.table)
        conditions = [n.math for n in self.rec.notes if n.kind == "condition" and getattr(n.math, "is_Relational", False)]
        if view.is_positive:
            self.rec.note("remark", f"{self.name(u)} increases with {self.name(var)}.", Gt(derivative, 0))
        elif view.is_negative:
            self.rec.note("remark", f"{self.name(u)} decreases with {self.name(var)}.", Lt(derivative, 0))
        else:
            for c in conditions:
                assumed = view.xreplace({c.lhs: _positive_dummy()}) if isinstance(c, Gt) and c.rhs == 0 else None
                if assumed is not None and assumed.is_positive:
                    self.rec.note("remark", f"When {self.show(c)}, {self.name(u)} increases with {self.name(var)}.",
                                  Gt(derivative, 0))
                    break
                if assumed is not None and assumed.is_negative:
                    self.rec.note("remark", f"When {self.show(c)}, {self.name(u)} decreases with {self.name(var)}.",
                                  Lt(derivative, 0))
                    break

    # -- expectations -------------------------------------------------------------------------
    def moments(self, expr, final_tidy=True):
        rv = moments.RandomVars(self.table)
        expr = self.differentiate_all(self.substitute_all(expr))
        for _ in range(MAX_MOMENT_STEPS):
            changed = self._moment_step(expr, rv)
            if changed is None:
                break
            expr = changed
        else:
            raise RuleError("expectation rules did not finish within the step limit")
        if expr.has(*_moment_classes()):
            left = [str(a) for a in expr.atoms(*_moment_classes())]
            raise RuleError(f"no rule evaluates {left[0]}; declare its distribution or independence")
        if final_tidy:
            after = tidy(expr)
            if after != expr:
                self.rec.step("simplify", expr, after)
                expr = after
        return expr

    def _moment_step(self, expr, rv):
        from .rules import vector_steps

        arrays = vector_steps.arrays_of(self)
        if arrays:
            out = vector_steps.before_scalar_rules(self, expr, arrays)
            if out is not None:
                return out
        for rule, fn in (("bias-variance", moments.bias_variance), ("linearity-of-expectation", moments.linearity),
                         ("independence", moments.independence)):
            out = fn(expr, rv)
            if out is not None:
                self.rec.step(rule, expr, out)
                return out
        out = moments.second_moment_of_sum(expr, rv)
        if out is not None:
            self.rec.step("second-moment", expr, out)
            return out
        out, index = moments.variance_of_sum(expr, rv)
        if out is not None:
            self.rec.step("variance-of-sum", expr, out, index=index)
            return out
        for rule, fn in (("variance-scaling", moments.variance_scaling), ("variance-of-product", moments.variance_of_product)):
            out = fn(expr, rv)
            if out is not None:
                self.rec.step(rule, expr, out)
                return out
        if arrays:
            out = vector_steps.after_scalar_rules(self, expr, arrays)
            if out is not None:
                return out
        out, facts = moments.moments(expr, rv)
        if out is not None:
            words = "; ".join(f"{'𝔼' if k == 'E' else 'Var'}[{self.show(arg)}] = {self.show(v)}" for k, arg, v in facts)
            self.rec.step("moments", expr, out, facts=words)
            return out
        out = moments.half_moment(expr, rv)
        if out is not None:
            self.rec.step("gaussian-half-moment", expr, out)
            return out
        out, (index, count) = moments.sum_of_constant(expr)
        if out is not None:
            if index:
                self.rec.step("sum-of-constant", expr, out, index=index, count=self.show(count))
            else:
                self.rec.step("simplify", expr, out)
            return out
        return None

    def substitute_values(self, answer):
        """Put the part's given values into the answer and evaluate exactly (one certified step)."""
        from .rules.numbers import evaluate_exactly

        if isinstance(answer, Eq):
            after = Eq(answer.lhs, evaluate_exactly(answer.rhs.xreplace(self.values)), evaluate=False)
        else:
            after = evaluate_exactly(answer.xreplace(self.values))
        if after != answer:
            names = ", ".join(f"{self.name(k)} = {self.show(v)}" for k, v in self.values.items() if _has(answer, k))
            self.rec.step("substitute-values", answer, after, names=names or "the given values")
        return after

    # -- reporting -----------------------------------------------------------------------------
    def answer_as(self, answer, spec_answer_as):
        name, node = spec_answer_as
        target = self.table[name].obj
        expr = self.build(node)
        unknown, value = answer.lhs, answer.rhs
        reported = Context(self.table, {**self.ctx.definitions, unknown: value}).expand_definitions(expr)
        if reported.__class__.__name__ == "ImmutableDenseMatrix":
            reported = reported.applyfunc(tidy)
        after = Eq(target, reported, evaluate=False)
        ctx = Context(self.table, {**self.ctx.definitions, unknown: value}, seed=self.ctx.seed)
        with_context(self, ctx, lambda: self.rec.step("answer-as", Eq(target, expr, evaluate=False), after,
                                                      name=self.name(target)))
        return after


def _zero_like(m):
    from sympy import ZeroMatrix

    return ZeroMatrix(*m.shape) if getattr(m, "is_Matrix", False) else 0


def _not_the_derivative(after):
    from .equivalence import Verdict

    return Verdict("not-equivalent", reason=f"the left side {after.lhs} is not the derivative the step claims")


def same_value_of(a, b, ctx):
    from .equivalence import same_value

    return same_value(a, b, ctx)


def _sign_word(e, table) -> str:
    """'positive' or 'nonnegative' when that follows from the symbols' assumptions and declared
    intervals; '' when it does not."""
    from .inequalities import sign
    from .rules.solve import positive_view

    if e.is_positive or positive_view(e, table).is_positive:
        return "positive"
    if e.is_nonnegative or sign(e, table) == 1:
        return "nonnegative"
    return ""


def _positive_dummy():
    from sympy import Dummy

    return Dummy("pos", positive=True)


def _moment_classes():
    from .expr.objects import E, Cov, Mean, Var

    return (E, Var, Mean, Cov)


def _has(expr, sym) -> bool:
    return bool(getattr(expr, "has", lambda s: False)(sym))


def _xreplace(expr, mapping):
    return expr.xreplace(mapping)

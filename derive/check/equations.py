"""Equations in the unknown: what makes a student's equation follow (the same solutions as the
previous one, the gradient set to zero, the problem's own equation, the active constraint, the
derived solution, or consistency with the equations so far). A mixin of ``checker.PartChecker``."""
from __future__ import annotations

import re

from dataclasses import replace

from ..errors import ParseError
from ..equivalence import Context, Verdict, proportional, residual, same_solutions, same_value, satisfies
from ..expr import ast as A
from ..expr.build import Builder
from ..expr.symbols import SymbolInfo, make_scalar
from .algebra import (_is_zero_matrix, _isolated, _mentions, _scalar_equations_agree, _small_polynomial,
                      _small_polynomial_in, _solved_symbol, _zero)
from .results import StepResult


class EquationMoves:
    """``_equation`` and the tests it tries in turn."""

    # -- equations ------------------------------------------------------------------------------
    def _introduced(self, eq) -> list[str]:
        """Names the student introduces in this equation (new, undefined, in no earlier equation):
        the equation is their defining condition, or the form of the solution (w = Xᵀα)."""
        fresh = [n for n in self.line_new if n not in self.student_names and n in self.table
                 and eq.has(self.table[n].obj) and self.table[n].obj not in self.ctx.definitions]
        fresh = [n for n in fresh if not any(e.has(self.table[n].obj) for e in self.accepted)]
        if fresh or _mentions(eq, self.unknown):
            return fresh
        opened = [n for n in self.open_names if n in self.table and eq.has(self.table[n].obj)
                  and self.table[n].obj not in self.ctx.definitions]    # w = w* + v, then its condition Xv = 0
        if opened and (_solved_symbol(eq) is not None or self._system_verdict([eq]) is not None
                       or self._elimination(eq) is not None):
            return []           # α = (XXᵀ + 2nλI)⁻¹t, or 5c = 2 by the constraint: a value, so the line is checked
        return opened

    def _realise_null_space(self, eq, u) -> None:
        """``A u = 0`` for a new vector u: later lines are checked with u = (I − Aᵀ(AAᵀ)⁻¹A) z, z free,
        every such u when A has full row rank (an instance where AAᵀ is singular is redrawn)."""
        from sympy import Identity, MatMul, MatrixSymbol

        lhs, rhs = eq.lhs, eq.rhs
        if not (_is_zero_matrix(rhs) or rhs == 0) or not isinstance(lhs, MatMul) or lhs.args[-1] != u \
                or not getattr(u, "is_Matrix", False) or u.shape[1] != 1:
            return
        a = MatMul(*lhs.args[:-1])
        if a.has(u) or not getattr(a, "is_Matrix", False):
            return
        z = MatrixSymbol(f"{u.name}_free", *u.shape)
        self.table.add(SymbolInfo(z.name, "vector", z, shape=u.shape, latex=z.name))
        self.ctx.definitions[u] = (Identity(u.shape[0]) - a.T * (a * a.T).inverse() * a) * z
        self.ctx.held.add(u)

    def _equation(self, base, a, b, conditions, head=None) -> StepResult:
        from sympy import Eq

        from ..rules.calculus import to_scalar

        if getattr(a, "is_Matrix", False) != getattr(b, "is_Matrix", False):
            m, other = (a, b) if getattr(a, "is_Matrix", False) else (b, a)
            if m.shape == (1, 1):
                a, b = to_scalar(a), to_scalar(b)  # a 1×1 product against a scalar: compare as scalars
            elif other == 0:
                a, b = (m, _zero(m)) if m is a else (_zero(m), m)  # "= 0" for a vector means the zero vector
            else:
                rows, cols = m.shape
                return replace(base, status="unknown", move="equation",     # often a name read as a scalar
                               reason=f"one side is a {rows}×{cols} matrix and the other a scalar; cannot compare")
        eq = Eq(a, b, evaluate=False)
        if self.condition_answer is not None:      # a condition part: an equation in u is its boundary
            u, _, bound = self.condition_answer
            at = same_value(a.xreplace({u: bound}), b.xreplace({u: bound}), self.ctx)
            if at.ok:
                return replace(base, move="the boundary of the condition", reason=f"holds at {u} = the derived bound")
            if at.status == "not-equivalent":
                return replace(base, status="wrong", move="identity", counterexample=self._ce(same_value(a, b, self.ctx)),
                               reason="this neither holds for every value nor at the boundary of the derived condition")
        if (fresh := self._introduced(eq)):
            self.shown.append(eq)       # 'any other fit is ŵ + u with Xu = 0': a hypothesis on a new name
            self.accepted.append(eq)
            if len(fresh) == 1:
                self._realise_null_space(eq, self.table[fresh[0]].obj)
            if _mentions(eq, self.unknown):      # w = Xᵀα: the form of the solution, α found by later lines
                self.open_names = list(fresh)    # its condition may follow (w = w* + v with Xv = 0)
                self.state = ("equation", eq)    # 2Pv = Aᵀμ, then v = ½P⁻¹Aᵀμ: the same equation
                if _solved_symbol(eq) == self.unknown and not _mentions(eq.rhs, self.unknown):
                    self.forms[self.unknown] = eq.rhs      # ‖w‖² = ‖Xᵀc‖² + ‖r‖² is then read with w = Xᵀc + r
                return replace(base, move="a form for the solution", reason=f"introduces {', '.join(fresh)}; "
                               "the lines that follow must determine it")
            self.open_names = []
            return replace(base, move="a condition on a new name", reason=f"introduces {', '.join(fresh)} with this condition")
        state = self.state
        verdict, move = None, "equation"
        if state and state[0] == "objective":
            verdict, move = self._stationary(state[1], eq), "sets the gradient to zero"
            if not verdict.ok and (entry := self._entry_stationary(state[1], eq)) is not None:
                verdict, move = entry, "sets a partial derivative to zero"
        elif state and state[0] == "equation":
            verdict, move = self._same_equation(state[1], eq), "equivalent equation"
            if not verdict.ok:
                implied = self._implied(state[1], eq)
                if implied is not None and implied.ok:
                    verdict, move = implied, "follows from the previous equation"
        for fallback, words in ((self._consistent, "follows from the equations so far"),
                                (self._system_fallback, "follows from the equations so far"),
                                (self._eliminated, "the unknown eliminated between the equations so far"),
                                (self._stated_entry_stationary, "sets a partial derivative to zero"),
                                (self._matches_goal, "agrees with the problem's equation"),
                                (self._gives_answer, "gives the derived solution"),
                                (self._active_constraint, "the constraint is active at the optimum"),
                                (self._with_multiplier, "holds at the derived solution, with the multiplier the "
                                                        "lines before fix")):
            if verdict is not None and verdict.ok:
                break
            other = fallback(eq)
            if other is not None and other.ok:
                verdict, move = other, words
        if (verdict is None or not verdict.ok) and self._partial_of_own_function(a if head is None else head, b):
            verdict, move = Verdict("equivalent", "stationarity"), "sets a partial derivative of the stated function to zero"
        if verdict is None and (missed := self._residual_at_answer(eq)) is not None:
            self.state = ("equation", eq)       # the first equation in the unknown, and the solution fails it
            self.accepted.append(eq)
            return replace(base, status="wrong", move="equation", counterexample=self._ce(missed),
                           reason="the derived solution does not satisfy this equation, so it cannot lead there")
        if verdict is None:
            verdict, move = Verdict("unknown", reason="nothing to compare this equation with"), "equation"
        self.state = ("equation", eq)
        self.accepted.append(eq)
        target, solved = _solved_symbol(eq), eq
        if target is not None and target != self.unknown and _mentions(eq.rhs, self.unknown) \
                and str(target) not in self.new_symbols:
            target = None       # x = εw in the unknown ε: an equation to solve, not a new meaning of x
        if target is not None and target != self.unknown and _mentions(self.ctx.definitions.get(target), self.unknown):
            from sympy import Eq     # s = −v/(2ν) for the student's s := u − u₀: u − u₀ = −v/(2ν), not a new s

            shifted = Eq(self.ctx.definitions[target], eq.rhs, evaluate=False)
            if _isolated(shifted, self.unknown) is not None:
                target, solved = None, shifted
        if target is not None and (verdict.ok or verdict.status == "unknown"):
            self.ctx.definitions[target] = eq.rhs  # later lines may use it: substituting an earlier result
            self.ctx.held.add(target)
        elif verdict.ok and (isolated := _isolated(solved, self.unknown)) is not None:
            self.ctx.definitions[self.unknown] = isolated     # u − u₀ = −v/(2μ) gives u
            self.ctx.held.add(self.unknown)
        if verdict.ok:
            self.shown.append(eq)
            self._note_form(eq)
            if move == "equivalent equation" and _solved_symbol(eq) is not None:
                move = f"solves for {_solved_symbol(eq)}"
            return replace(base, move=move, condition=" and ".join(conditions + ([verdict.condition] if verdict.condition else [])))
        if verdict.status == "unknown":
            return replace(base, status="unknown", move=move, reason=verdict.reason or "could not relate it to the previous step")
        reason = {"sets the gradient to zero": "this is not the gradient of the objective set to zero",
                  "equivalent equation": "this equation does not have the same solutions as the previous one"}.get(move, "does not follow")
        if verdict.counterexample is None:
            at = self._residual_at_answer(eq)
            if at is None:       # no instance tells the two apart: say so rather than 'wrong'
                return replace(base, status="unknown", move=move, reason=reason.replace("this ", "could not show that this ")
                               + "; it holds at the derived solution")
            verdict, reason = at, reason + "; the derived solution does not satisfy it"
        return replace(base, status="wrong", move=move, reason=reason, counterexample=self._ce(verdict))

    def _named_solution(self, base, terms, ops):
        """``u₁ = (u₀ − τ(Hu₀ − g))/(1 + τμ)`` after an equation in u: a new name built on the
        unknown's (u₁, û, u_new) for the solution. The line is checked as ``u = …``, and the name
        then stands for that value. None for any other line."""
        u, wrt = self.unknown, self.part.goal.wrt
        if u is None or not wrt or not self.state or self.state[0] != "equation" or not _mentions(self.state[1], u) \
                or len(terms) < 2 or any(op != "=" for op in ops) or not isinstance(terms[0], A.Name):
            return None
        name = terms[0].id
        if name in self.table or not solution_name(name, wrt):
            return None
        if name[len(wrt):].lstrip("_").isdigit() and getattr(u, "shape", None) is not None \
                and all(str(n).isdigit() for n in u.shape):
            return None         # w_1 for a w of two entries is its first entry (a scalar z has none: z_1 is new)
        try:
            items = [self._build(t).expr for t in terms[1:]]
        except ParseError:
            return None
        if any(_mentions(x, u) for x in items) or getattr(items[0], "shape", None) != getattr(u, "shape", None) \
                or not all(same_value(a, b, self.ctx).ok for a, b in zip(items, items[1:])):
            return None
        from sympy import MatrixSymbol, Symbol

        result = self._equation(base, u, items[-1], [])
        obj = Symbol(name, real=True) if getattr(u, "shape", None) is None else MatrixSymbol(name, *u.shape)
        self.table.add(SymbolInfo(name, "defined", obj, shape=getattr(u, "shape", None), latex=name))
        self.ctx.definitions[obj] = items[-1]
        self.student_names.add(name)
        if result.status == "ok":
            result = replace(result, reason=(result.reason + "; " if result.reason else "") + f"{name} names the solution")
        return result, items[-1]

    def _note_form(self, eq) -> None:
        """``v(τ) = (1 − τ, 2 − τ, τ)`` accepted, with τ a parameter the write-up has not fixed: the
        form of every candidate, so ``‖v(τ)‖² = 3τ² − 6τ + 5`` later holds for it."""
        u = self.unknown
        if u is None or _solved_symbol(eq) != u or _mentions(eq.rhs, u):
            return
        from sympy import MatrixBase

        fresh = {self.table[n].obj for n in self.new_symbols if n in self.table} - set(self.ctx.definitions)
        params = fresh & getattr(eq.rhs, "free_symbols", set())
        if params and isinstance(eq.rhs, MatrixBase) and all(getattr(p, "is_Symbol", False) for p in params):
            self.forms[u] = eq.rhs      # written out entry by entry in scalar parameters (not v = ½P⁻¹Aᵀμ)

    def _follows_from_system(self, links) -> bool:
        v = self._system_verdict(links)
        return v is not None and v.ok

    def _system_verdict(self, links) -> Verdict | None:
        """``w₁ = w₂ = μ/2`` after ``2w₁ − μ = 0`` and ``2w₂ − μ = 0``: every link holds at every
        solution of the equations accepted so far (and an equality constraint of the problem),
        solved for the unknown's entries and the student's own names. Only small polynomial
        systems are solved; None when there is no such system, else the verdict (a failing link's
        counterexample when a solution of the system violates it)."""
        from sympy import Derivative, Dummy, Eq, Integer, Subs, solve
        from sympy.matrices.expressions.matexpr import MatrixElement

        from ..expr.objects import Grad
        from ..rules.calculus import scalar_if_1x1

        premises = [e for e in self.shown if not getattr(e.lhs, "is_Matrix", False) or e.lhs.shape == (1, 1)
                    or _small_explicit(e.lhs.shape)]      # w = c(2, 1): one equation per entry
        if (constraint := self._equality_constraint()) is not None:
            premises.append(constraint)
        premises = list(dict.fromkeys(premises))        # the constraint restated is one premise
        if not premises or len(premises) > 8:
            return None
        ctx = self._without_unknown()
        targets = {self.table[n].obj for n in self.new_symbols if self.table[n].obj is not None}
        residuals, n_system = [], 0
        for k, e in enumerate(premises + list(links)):
            r = ctx.expand_definitions(residual(Eq(*(scalar_if_1x1(x) for x in (e.lhs, e.rhs)), evaluate=False)))
            if getattr(r, "is_Matrix", False):
                if k >= len(premises) or not _small_explicit(r.shape):
                    return None
                try:
                    if r.has(Grad):                                          # ∇_w‖w‖² = μ(2, 1)ᵀ: 2w = μ(2, 1)ᵀ
                        from ..rules.differentials import any_gradient
                        r = r.replace(lambda x: isinstance(x, Grad), lambda x: any_gradient(*x.args))
                    entries = list(_entrywise(r.doit().as_explicit()))     # w = c(2, 1): per entry
                except Exception:  # noqa: BLE001 - a premise that cannot be split (∇ of a norm) is left out
                    continue
                residuals += entries
                n_system += len(entries)
                continue
            residuals.append(Integer(r) if isinstance(r, int) else r)
            n_system += k < len(premises)
        u = self.unknown
        if getattr(u, "is_Matrix", False) and all(getattr(n, "is_Integer", False) for n in u.shape):
            explicit = {u: u.as_explicit()}         # uᵀw = 1 with w known entry by entry: in its entries
            residuals = [_entrywise(r.xreplace(explicit)) for r in residuals]
        entries = {m for r in residuals for m in r.atoms(MatrixElement) if m.parent == u} if u is not None else set()
        dummies = {m: Dummy("c") for m in entries}
        if u is not None and not getattr(u, "is_Matrix", False):
            targets.add(u)
        unknowns = list(dummies.values()) + sorted(targets, key=str)
        residuals = [r.xreplace(dummies) for r in residuals]
        system, checks = residuals[:n_system], residuals[n_system:]
        if any(r.has(Derivative, Subs, Grad) for r in residuals):
            return None         # a solution substituted into a derivative's variable means nothing
        if not unknowns or not all(any(r.has(x) for x in unknowns) for r in checks):
            return None
        if not all(_small_polynomial_in(r, unknowns) for r in system):
            return None
        try:
            solutions = solve(system, unknowns, dict=True)
        except Exception:  # noqa: BLE001 - a system we cannot solve shows nothing
            return None
        if not solutions or len(solutions) > 4:
            return None
        verdict = None
        for sol in solutions:
            for r in checks:
                verdict = same_value(r.subs(sol), Integer(0), ctx)
                if not verdict.ok:
                    return verdict if verdict.status == "not-equivalent" else None
        return verdict

    def _equality_constraint(self):
        """The part's equality constraint (``Xw = t``) as an equation, or None."""
        from sympy import Eq

        node = self.part.goal.subject_to
        if node is None or getattr(node, "op", None) != "=":
            return None
        b = Builder(self.part.table)
        return Eq(b.build(node.left).expr, b.build(node.right).expr, evaluate=False)

    def _system_fallback(self, eq) -> Verdict | None:
        return Verdict("equivalent", "the equations so far") if self._follows_from_system([eq]) else None

    def _eliminated(self, eq) -> Verdict | None:
        verdict = self._elimination(eq)
        return verdict if verdict is not None and verdict.ok else None

    def _elimination(self, eq) -> Verdict | None:
        """``½XXᵀμ = t`` after ``2w = Xᵀμ``: an accepted equation gives the unknown in terms of
        one new name (w = ½Xᵀμ); put into the problem's equality constraint, or into another accepted
        equation in the unknown, it leaves an equation in that name. The verdict on whether this
        one has the same solutions (None when there is nothing to eliminate)."""
        from sympy import Eq

        u = self.unknown
        own = [self.table[n].obj for n in self.new_symbols if self.table[n].obj is not None and eq.has(self.table[n].obj)]
        if u is None or _mentions(eq, u) or len(own) != 1:
            return None
        var = own[0]
        forms = [f for e in self.accepted if (f := _scaled_isolation(e, u)) is not None and f.has(var)]
        constraint = self._equality_constraint()
        others = [e for e in self.accepted if _mentions(e, u) and _scaled_isolation(e, u) is None]
        ctx = self._without_unknown()
        failed = None
        for form in forms:
            for other in others + ([constraint] if constraint is not None else []):
                derived = Eq(other.lhs.xreplace({u: form}), other.rhs.xreplace({u: form}), evaluate=False)
                if getattr(var, "is_Matrix", False):
                    verdict = same_solutions(derived, eq, var, ctx)
                else:
                    verdict = _scalar_equations_agree(derived, eq, var, ctx)
                if verdict.ok:
                    return verdict
                if verdict.status == "not-equivalent":
                    failed = failed or verdict
        return failed

    def _residual_at_answer(self, eq) -> Verdict | None:
        """A counterexample for an equation judged wrong without one: the derived solution leaves a
        residual in it. None when the solution satisfies it (or nothing can be evaluated)."""
        u = self.unknown
        if u is None:
            return None
        ctx = self._without_unknown()
        for _, value in self.answers:
            if getattr(value, "shape", None) != getattr(u, "shape", None):
                continue
            try:
                v = satisfies(eq, u, value, ctx, check_domain=False)
            except Exception:  # noqa: BLE001 - mixed shapes and the like: no counterexample from here
                continue
            if v.status == "not-equivalent" and v.counterexample is not None:
                return v
            if v.ok:
                return None
        return None

    def _partial_of_own_function(self, a, b) -> bool:
        """∂𝓛/∂w₂ = 0 for a Lagrangian or objective the student stated: a stationarity
        condition in one of its variables (its value was checked as an identity already)."""
        from sympy import Derivative

        from ..expr.objects import Grad

        from sympy.matrices.expressions.matexpr import MatrixElement

        if isinstance(a, MatrixElement) and isinstance(a.parent, Grad):
            a = a.parent            # ∂𝓛/∂w₁: an entry of 𝓛's gradient
        if not isinstance(a, (Derivative, Grad)) or not (b == 0 or _is_zero_matrix(b)):
            return False
        if self.stated is not None and same_value(a.expr, self.stated[1], self.ctx).ok:
            return True
        return self._inline_lagrangian(a.expr)

    def _inline_lagrangian(self, f) -> bool:
        """∇_δ[gᵀδ + μ(‖δ‖² − ε²)]: the objective plus multiplier terms, written in place. With
        the student's new scalars (the multipliers) set to 0 it must be the problem's objective."""
        if self.part.goal.subject_to is None or not self.new_symbols or self._initial_state() is None:
            return False
        from sympy import ZeroMatrix

        multipliers = {self.table[n].obj: (0 if self.table[n].shape is None else ZeroMatrix(*self.table[n].shape))
                       for n in self.new_symbols if n in self.table}
        if not any(getattr(f, "has", lambda *x: False)(m) for m in multipliers):
            return False
        return same_value(f.xreplace(multipliers), self._initial_state()[1], self.ctx).ok

    def _stationary(self, objective, eq) -> Verdict:
        from sympy import Derivative, Eq

        from ..expr.objects import Grad
        from ..rules.calculus import to_scalar

        u = self.unknown
        if getattr(u, "is_Matrix", False):
            grad = Grad(objective, u)
        else:
            f = to_scalar(objective) if getattr(objective, "is_Matrix", False) else objective
            grad = Derivative(f, u)
        return proportional(eq, Eq(grad, 0 * grad if not getattr(grad, "is_Matrix", False) else _zero(grad), evaluate=False),
                            self.ctx, vary=[u])

    def _entry_stationary(self, objective, eq) -> Verdict | None:
        """``2u₁ = ν`` for 𝓛 = u₁² + u₂² − ν(u₁ + 3u₂ − 3): one entry of the gradient in the
        vector unknown set to zero (written without ∂). The verdict for the entry it matches, or None."""
        from sympy import Derivative, Eq

        from ..rules.calculus import scalar_if_1x1

        u = self.unknown
        if not getattr(u, "is_Matrix", False) or getattr(eq.lhs, "is_Matrix", False) or u.shape[1] != 1 \
                or not str(u.shape[0]).isdigit():
            return None
        f = self.ctx.expand_definitions(scalar_if_1x1(objective))
        if getattr(f, "is_Matrix", False) or not _mentions(self._expanded(eq), u):
            return None         # (a₁ + a₂)c = t is no condition on u: nothing to be proportional in
        for k in range(int(u.shape[0])):
            try:
                d = Derivative(f, u[k, 0]).doit()
            except Exception:  # noqa: BLE001 - an objective SymPy cannot differentiate entrywise
                return None
            if not _mentions(d, u):
                continue
            v = proportional(eq, Eq(d, 0, evaluate=False), self.ctx, vary=[u])
            if v.ok:
                return v
        return None

    def _stated_entry_stationary(self, eq) -> Verdict | None:
        """The next entry of the stated objective's gradient (2u₂ = 3ν after 2u₁ = ν)."""
        return self._entry_stationary(self.stated[1], eq) if self.stated and self.stated[0] == "objective" else None

    def _implied(self, prev, eq) -> Verdict | None:
        """``eq`` follows from ``prev``: it holds at prev's (unique, linear) solution."""
        u = self.unknown
        if not getattr(u, "is_Matrix", False) or not _mentions(eq, u):
            return None
        from ..equivalence import implied_by

        return implied_by(prev, eq, u, self.ctx)

    def _matches_goal(self, eq) -> Verdict | None:
        if self.part.goal.kind != "solve" or self.unknown is None or not _mentions(eq, self.unknown):
            return None
        goal = Builder(self.part.table).build(self.part.goal.expr).expr
        return _scalar_equations_agree(goal, eq, self.unknown, self.ctx)

    def _gives_answer(self, eq) -> Verdict | None:
        from sympy import Eq

        u = self.unknown
        if u is None or not self.answers or not (_mentions(eq, u) or _mentions(self._expanded(eq), u)):
            return None
        ctx = self._without_unknown()       # the student's own earlier solved form is not the answer
        for _, value in self.answers:
            if getattr(value, "shape", None) != getattr(u, "shape", None):
                continue
            answer = Eq(u, value, evaluate=False)
            if getattr(u, "is_Matrix", False) != getattr(eq.lhs, "is_Matrix", False):
                # δ_i = −ε sign(g_i) entrywise, or w = (1/2, 1/2) for a scalar unknown w₁ in w
                v = satisfies(eq, u, value, ctx, check_domain=False)
            elif getattr(u, "is_Matrix", False):
                v = same_solutions(answer, eq, u, ctx)
            else:
                v = _scalar_equations_agree(answer, eq, u, ctx)
                if not v.ok and not _small_polynomial(ctx.expand_definitions(residual(eq)), u):
                    v = satisfies(eq, u, value, ctx, check_domain=False)   # e^{θ₁} = u₀e^{−κg}: no roots to solve for
            if v.ok:
                return v
        return None

    def _with_multiplier(self, eq) -> Verdict | None:
        """``2u₁ = ν``, then ``8u₂ = ν`` with no Lagrangian stated (a constrained part): the
        multiplier ν the first introduced is fixed by the equations so far at the derived
        solution, and this one holds there too."""
        from sympy import S, solve

        u, fresh = self.unknown, [self.table[n].obj for n in self.new_symbols if n in self.table]
        fresh = [s for s in fresh if getattr(s, "is_Symbol", False) and eq.has(s)]
        if u is None or not fresh or self.part.goal.subject_to is None or not _mentions(eq, u):
            return None
        ctx = self._without_unknown()
        earlier = [e for e in self.accepted if any(e.has(s) for s in fresh)]
        for _, value in self.answers:
            if getattr(value, "shape", None) != getattr(u, "shape", None) or not earlier:
                continue
            at = lambda e: ctx.expand_definitions(residual(e)).xreplace({u: value}).doit()   # noqa: E731
            try:
                found = solve([at(e) for e in earlier], fresh, dict=True)
            except Exception:  # noqa: BLE001 - a system SymPy cannot solve fixes nothing
                continue
            if len(found) == 1 and set(found[0]) == set(fresh):
                v = same_value(at(eq).xreplace(found[0]), S.Zero, ctx)
                if v.ok:
                    return v
        return None

    def _without_unknown(self) -> Context:
        """The context without the unknown's own solved form (so that equations still mention it)."""
        defs = {k: v for k, v in self.ctx.definitions.items() if k != self.unknown}
        return Context(self.table, defs, seed=self.ctx.seed, held=self.ctx.held)

    def _expanded(self, eq):
        """``eq`` with the givens, the spec's answer_as and the student's definitions substituted."""
        return self._without_unknown().expand_definitions(residual(eq))

    def _active_constraint(self, eq) -> Verdict | None:
        """``‖δ‖ = ε`` (in any equivalent form, with the solved forms so far substituted)."""
        from sympy import Eq

        node = self.part.goal.subject_to
        if node is None or (getattr(node, "op", None) != "=" and len(getattr(node.left, "args", ())) != 1):
            return None         # an equality constraint (Xw = t) is the constraint itself
        b = Builder(self.part.table)
        active = Eq(b.build(node.left).expr, b.build(node.right).expr, evaluate=False)
        ctx, mapping = self._positive_new_symbols()
        vary = [ctx.table[n].obj for n in self.new_symbols] + [self.unknown]
        stated = Eq(eq.lhs.xreplace(mapping), eq.rhs.xreplace(mapping), evaluate=False)
        verdict = proportional(active, stated, ctx, vary=vary)
        if not verdict.ok and getattr(residual(active), "shape", (1, 1)) == (1, 1) and getattr(stated.lhs, "is_Matrix", False) \
                and getattr(stated.lhs, "shape", (1, 1)) != (1, 1):
            rows = self._constraint_rows(active, stated, ctx, vary)     # Xw = t whose rows all say w₁ + w₂ = 1
            verdict = rows if rows is not None else verdict
        if verdict.ok or getattr(node, "op", None) == "=" or getattr(active.lhs, "is_Matrix", False):
            return verdict
        squared = Eq(active.lhs ** 2, active.rhs ** 2, evaluate=False)   # ‖δ‖² = ε²: the same boundary
        other = proportional(squared, stated, ctx, vary=vary)
        return other if other.ok else verdict

    @staticmethod
    def _constraint_rows(active, stated, ctx, vary) -> Verdict | None:
        """A vector equation each of whose rows is the scalar constraint rescaled (the two rows of
        Xw = t for X = ((1, 1), (−1, −1)) both say w₁ + w₂ = 1): the constraint, written twice."""
        from sympy import Eq

        try:
            rows = [e for e in ctx.expand_definitions(residual(stated)).as_explicit() if e != 0]
        except Exception:  # noqa: BLE001 - rows that cannot be written out say nothing
            return None
        if not rows or len(rows) > 8:
            return None
        from ..rules.calculus import to_scalar

        scalar = Eq(to_scalar(residual(active)), 0, evaluate=False)
        verdicts = [proportional(scalar, Eq(e, 0, evaluate=False), ctx, vary=vary) for e in rows]
        return verdicts[0] if all(v.ok for v in verdicts) else None

    def _positive_new_symbols(self):
        """The context with the student's new scalars taken positive (multipliers at an active
        constraint, scale factors): used only for the constraint check."""
        table = self.table.copy()
        scalars = [n for n in self.new_symbols if self.table[n].shape is None]
        for name in scalars:
            info = table[name]
            table.symbols[name] = SymbolInfo(name, info.kind, make_scalar(name, ("positive",), None), latex=info.latex,
                                             assumptions=("positive",))
        mapping = {self.table[n].obj: table[n].obj for n in scalars}
        defs = {k.xreplace(mapping): v.xreplace(mapping) for k, v in self.ctx.definitions.items()}
        held = {mapping.get(h, h) for h in self.ctx.held}
        return Context(table, defs, seed=self.ctx.seed, held=held), mapping

    def _same_equation(self, prev, eq) -> Verdict:
        target = _solved_symbol(eq)
        if target is not None and target != self.unknown and not getattr(target, "is_Matrix", False):
            return _scalar_equations_agree(prev, eq, target, self.ctx)
        u = self.unknown
        if target is not None and getattr(target, "is_Matrix", False) and not _mentions(prev, u) \
                and not _mentions(eq, u) and _mentions(prev, target):
            u = target          # ½XXᵀμ = t, then μ = 2(XXᵀ)⁻¹t: an equation in the student's own vector
            u = self._defined_through(u)
        if getattr(u, "is_Matrix", False):
            v = same_solutions(prev, eq, u, self.ctx)
            return proportional(prev, eq, self.ctx, vary=[u]) if v.status == "unknown" else v
        return _scalar_equations_agree(prev, eq, u, self.ctx)

    def _defined_through(self, name):
        """The student's vector a name was defined through (α := λ/2 is an equation in λ once
        the definition is in force); else the name itself."""
        value = self.ctx.definitions.get(name)
        if value is None:
            return name
        inner = [s for s in getattr(value, "free_symbols", ()) if getattr(s, "is_Matrix", False)
                 and s.shape == name.shape and (str(s) in self.new_symbols or str(s) in self.student_names)]
        return inner[0] if len(inner) == 1 else name

    def _consistent(self, eq) -> Verdict | None:
        """For ``v = value``: substituting it satisfies every accepted equation that mentions v
        (after the solved forms accepted so far are substituted)."""
        lhs = _solved_symbol(eq)
        if lhs is None:
            return None
        solved = {e.lhs: e.rhs for e in self.accepted if _solved_symbol(e) not in (None, lhs)}
        ctx = Context(self.table, {**self.ctx.definitions, **solved}, seed=self.ctx.seed, held=self.ctx.held)
        checked = None
        for prev in self.accepted:
            expanded = ctx.expand_definitions(residual(prev))
            if not expanded.has(lhs):
                continue
            verdict = satisfies(prev, lhs, eq.rhs, ctx)
            if not verdict.ok:
                return verdict
            other = 2 * eq.rhs if getattr(eq.rhs, "is_Matrix", False) else eq.rhs + 1 + eq.rhs / 3
            if not satisfies(prev, lhs, other, ctx).ok:
                checked = verdict       # prev pins v down: another value fails it
        return checked                  # None when no equation so far constrains v

    def _carry_on(self, items) -> None:
        """A wrong link in ``f'(w) = a = 0``: the student goes on from their own equation a = 0, so
        the next line is compared with it, not with the objective."""
        from sympy import Eq

        a, b = items[-2], items[-1]
        if len(items) > 2 and self._is_equation(a, b) and not same_value(a, b, self.ctx).ok:
            eq = Eq(a, b, evaluate=False)
            self.state = ("equation", eq)
            self.accepted.append(eq)


_SOLUTION_NAME = re.compile(r"_?(\d+|hat|tilde|new|next|opt|star|plus|t_plus_1|k_plus_1|min|max|sol)")


def _scaled_isolation(eq, u):
    """``u`` from an equation whose only terms in u are scalar multiples of it (``2w = Xᵀμ``,
    ``λw + b = 0``): the value that solves it, or None."""
    from sympy import Add, MatAdd, MatMul, Mul

    try:
        r = residual(eq).expand()
    except Exception:  # noqa: BLE001 - a residual that cannot be expanded isolates nothing
        return None
    terms = r.args if isinstance(r, (Add, MatAdd)) else (r,)
    coeff, rest = 0, []
    for t in terms:
        if not _mentions(t, u):
            rest.append(t)
            continue
        factors = t.args if isinstance(t, (Mul, MatMul)) else (t,)
        if factors.count(u) != 1 or any(_mentions(f, u) or getattr(f, "is_Matrix", False) for f in factors if f != u):
            return None
        coeff += Mul(*[f for f in factors if f != u])
    if coeff == 0 or not rest:
        return None
    b = MatAdd(*rest) if getattr(u, "is_Matrix", False) else Add(*rest)
    return (-1 / coeff) * b


def _small_explicit(shape) -> bool:
    """A column of at most 9 entries with a numeric size: small enough to state entry by entry."""
    return len(shape) == 2 and all(getattr(n, "is_Integer", False) or isinstance(n, int) for n in shape) \
        and shape[1] == 1 and 1 < shape[0] <= 9


def _entrywise(expr):
    """An expression with explicit matrices multiplied out (a 1×1 result as its one entry)."""
    try:
        out = expr.doit()
    except Exception:  # noqa: BLE001 - left as it was
        return expr
    if getattr(out, "is_Matrix", False) and out.shape == (1, 1):
        return out[0, 0]
    from ..expr.objects import Scalar

    wrapped = {x: x.args[0][0, 0] for x in out.atoms(Scalar)
               if getattr(x.args[0], "is_explicit", lambda: False)() or hasattr(x.args[0], "tolist")}
    return out.xreplace(wrapped) if wrapped else out


def solution_name(name: str, wrt: str) -> bool:
    """Is ``name`` built on the unknown's (u₁, û, u_new, u_min for u), as a name for its solution?"""
    return bool(wrt) and name.startswith(wrt) and _SOLUTION_NAME.fullmatch(name[len(wrt):]) is not None

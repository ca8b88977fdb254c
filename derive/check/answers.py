"""Answers: chains that hold at the derived solution, and the verdict on a part's final answer
(a value, or an equation in the unknown compared by its solutions). A mixin of
``checker.PartChecker``."""
from __future__ import annotations

import re

from dataclasses import replace

from ..equivalence import same_solutions, same_value, satisfies
from ..errors import DeriveError, ParseError
from ..expr.build import Builder
from .algebra import _isolated, _mentions, _scalar_equations_agree, _solved_symbol
from .results import AnswerResult, StepResult, StepTimeout, _alarm, _disarm


_SQUARE = re.compile(r"^\s*(\d+)\s*(?:\\times|×|x)\s*\1\s*(?:\\text\{[^}]*\}|\s)*[.,]?\s*$")
_IN_REALS = re.compile(r"\\in\s*\\mathbb\s*\{?R\}?\s*\^\s*\{?([^{}]*)\}?\s*$")
_SIZES_ONLY = re.compile(r"^\s*\(?\s*([^()=]+?(?:\\times|×)[^()=]+?)\s*\)?\s*[.,]?\s*$")   # '(n \times d)' beside a display
_DIM_IS = re.compile(r"^\s*\\(?:dim|operatorname\{dim\}|mathrm\{dim\})\b.*?=\s*([^=]+?(?:\\times|×)[^=]+?)\s*[.,]?\s*$")


class AnswerMoves:
    """Chains at the derived solution and the final answer."""

    def _chain_at_answer(self, items) -> bool:
        """``w₁ = w₂ = 1/2``: a chain of equations, every link of which holds at the derived
        solution (and is not an identity)."""
        from sympy import Derivative, Eq

        from ..expr.objects import Grad
        from ..rules.calculus import scalar_if_1x1

        u = self.unknown
        if u is None or not self.answers or any(getattr(x, "has", lambda *a: False)(Derivative, Grad) for x in items):
            return False        # a wrong derivative set to zero can still vanish at the solution
        ctx = self._without_unknown()
        scalars = [scalar_if_1x1(x) for x in items]
        if len({bool(getattr(x, "is_Matrix", False)) for x in scalars}) > 1:
            return False
        links = [Eq(a, b, evaluate=False) for a, b in zip(scalars, scalars[1:])]
        for _, value in self.answers:
            if getattr(value, "shape", None) != getattr(u, "shape", None):
                continue
            if all(satisfies(eq, u, value, ctx, check_domain=False).ok for eq in links):
                return True
        return False

    def _case_of_answer(self, base, items):
        """``if g_i > 0, take δ_i = −ε``: an equation in the unknown stated under a condition
        holds at the derived solution wherever the condition holds. The result, or None."""
        from ..equivalence import same_value_where

        u = self.unknown
        if self.case is None or self.case[1] == "index" or u is None or len(items) < 2 \
                or not any(_mentions(x, u) for x in items):
            return None
        try:
            condition = tuple(self._build(t).expr for t in self.case[0])
        except ParseError:
            return None
        ctx, failed = self._without_unknown(), None
        for _, value in self.answers:
            if getattr(value, "shape", None) != getattr(u, "shape", None):
                continue
            at = [ctx.expand_definitions(x).xreplace({u: value}) if hasattr(x, "xreplace") else x for x in items]
            for a, b in zip(at, at[1:]):       # f(x') = w*(x − ε) = 0 under 'if x > 0': every link
                verdict = same_value_where(a, b, (condition[0], self.case[1], condition[1]), ctx)
                if not verdict.ok:
                    break
            if verdict.ok:
                return replace(base, move="a case of the solution",
                               reason="holds at the derived solution wherever the condition stated with it holds")
            failed = failed or (verdict if verdict.counterexample is not None else None)
        if failed is None:
            return None
        return replace(base, status="wrong", move="a case of the solution", counterexample=self._ce(failed),
                       reason="the derived solution does not satisfy this where the condition stated with it holds")

    def _system(self, base, items, move: str = "equations that hold at the derived solution"):
        from sympy import Eq

        from ..rules.calculus import scalar_if_1x1

        items = [scalar_if_1x1(x) for x in items]
        for a, b in zip(items, items[1:]):
            self.accepted.append(Eq(a, b, evaluate=False))
            self.shown.append(self.accepted[-1])
        return replace(base, move=move)

    # -- the final answer -----------------------------------------------------------------------
    def final_answer(self, line, value) -> AnswerResult:
        """The verdict on the final answer, under the same time limit and safety net as a line."""
        latex = line.latex
        if value is None:       # an inequality on its own has no value, but may state the bound
            stated = self._answer_bound(line) if (line.line, latex) in self.inequalities else self._answer_shape(line)
            return stated or AnswerResult(latex, "unknown", reason="the final line could not be read", line=line.line)
        armed = _alarm(self.step_seconds)
        try:
            return self._final_answer(latex, line, value)
        except StepTimeout:
            return AnswerResult(latex, "unknown", reason=f"timed out after {self.step_seconds:g} s", line=line.line)
        except DeriveError as err:
            return AnswerResult(latex, "unknown", reason=str(err), line=line.line)
        except (RecursionError, MemoryError):
            return AnswerResult(latex, "unknown", reason="too large to check", line=line.line)
        finally:
            _disarm(armed)

    def _answer_equation(self, line) -> AnswerResult | None:
        """A final line that is an equation in the unknown, not solved for it (``w₁ + w₂ = 1``
        for the best w₂): correct when it has the derived answer as its solution."""
        from sympy import Eq

        from ..rules.calculus import scalar_if_1x1

        eq = self.relations.get((line.line, line.latex))
        u = self.unknown
        if eq is None or u is None or _solved_symbol(eq) is not None:
            return None
        sides = [scalar_if_1x1(x) for x in (eq.lhs, eq.rhs)]
        if getattr(sides[0], "is_Matrix", False) != getattr(sides[1], "is_Matrix", False):
            return None
        eq = Eq(*sides, evaluate=False)
        isolated = _isolated(eq, u)
        if isolated is not None:
            eq = Eq(u, isolated, evaluate=False)
        if not (_mentions(eq, u) or _mentions(self._expanded(eq), u)):
            return None
        ctx = self._without_unknown()
        for name, expected in self.answers:
            if getattr(expected, "shape", None) != getattr(u, "shape", None):
                continue
            answer = Eq(u, expected, evaluate=False)
            v = (same_solutions(answer, eq, u, ctx) if getattr(u, "is_Matrix", False)
                 else _scalar_equations_agree(answer, eq, u, ctx))
            if v.ok:
                return AnswerResult(line.latex, "correct", convention=name, line=line.line)
        return None

    def _final_answer(self, latex, line, value) -> AnswerResult:
        stated = self._answer_equation(line) or self._answer_bound(line) or self._answer_shape(line) \
            or self._answer_square(line) or self._answer_applied(line, value)
        if stated is not None:
            return stated
        if (chained := self._entries_chained(line, value) or self._entries_stated(line, value)) is not None:
            return chained
        for name, expected in self.answers:     # every entry given on its own (w₁ = …, w₂ = …)
            if self.components and getattr(expected, "is_Matrix", False) and not getattr(value, "is_Matrix", False) \
                    and set(self.components) == set(range(expected.shape[0] * expected.shape[1])):
                return AnswerResult(latex, "correct", convention=name, line=line.line)
        entry = self._entry_index(value)
        for name, expected in self.answers:
            if entry is not None and getattr(expected, "is_Matrix", False) and expected.shape[1] == 1:
                expected = expected[entry - 1, 0]   # ∂y/∂w_k = …: entry k (from 1) of the gradient, for every k
            v = self._solution_for_all(same_value(value, expected, self.ctx), value, expected)
            if v.ok:
                return AnswerResult(latex, "correct", convention=name, line=line.line)
            if v.status == "unknown":
                return AnswerResult(latex, "unknown", reason=v.reason, line=line.line)
        v = self._solution_for_all(same_value(value, self.answers[0][1], self.ctx), value, self.answers[0][1])
        return AnswerResult(latex, "wrong", reason="differs from the derived answer", counterexample=self._ce(v), line=line.line)

    def _answer_applied(self, line, value) -> AnswerResult | None:
        """``q = M x`` in a weight-matrix part, with x the input's entries (the tokens one after
        another): correct when it is the derived matrix times that input, for every input."""
        from sympy import MatMul

        goal = self.part.goal
        if goal.kind != "weight_matrix" or not getattr(value, "is_Matrix", False) or value.shape[1] != 1:
            return None
        from ..expr.attention import Rows

        x = self.table[goal.wrt].obj
        differs = None
        for name, expected in self.answers:             # one per goal: the query, key and value projections
            if not getattr(expected, "is_Matrix", False) or expected.shape[0] != value.shape[0]:
                continue
            v = same_value(value, MatMul(expected, Rows(x) if x.shape[1] != 1 else x), self.ctx)
            if v.ok:
                return AnswerResult(line.latex, "correct", convention=name, line=line.line,
                                    reason="the derived matrix applied to the input")
            differs = differs or (v if v.status == "not-equivalent" else None)
        if differs is None:
            return None
        return AnswerResult(line.latex, "wrong", line=line.line, counterexample=self._ce(differs),
                            reason="differs from the derived matrix applied to the input")

    def _layer_output(self, base, head, value) -> StepResult | None:
        """``y₄ = a₁u₅ + a₂u₆ + a₃u₇`` in a weight-matrix part: the student's outputs y₁, y₂, … of
        the layer, written out in the input's entries. Once two earlier members of the family were
        the layer's outputs under one numbering (from 1 or from 0), a member that is not is wrong.
        None when the line is no such member (the definition stands as it is)."""
        from sympy import MatMul

        goal = self.part.goal
        m = re.fullmatch(r"([A-Za-z]+)(\d+)", getattr(head, "id", "") or "")
        if goal.kind != "weight_matrix" or m is None or getattr(value, "is_Matrix", False) \
                or not _mentions(value, self.table[goal.wrt].obj):
            return None
        x = self.table[goal.wrt].obj
        outputs = [MatMul(w, x).as_explicit() for _, w in self.answers
                   if getattr(w, "is_Matrix", False) and w.shape[1] == x.shape[0] and x.shape[1] == 1]
        if not outputs:
            return None
        family, k = m.group(1), int(m.group(2))
        seen = self.layer_outputs.setdefault(family, {1: [0, 0], 0: [0, 0]})   # numbering -> [matches, misses]
        verdicts = {}
        for start in (1, 0):
            i = k - start
            if not 0 <= i < outputs[0].shape[0]:
                seen[start][1] += 1
                continue
            verdicts[start] = [same_value(value, out[i, 0], self.ctx) for out in outputs]
            seen[start][0 if any(v.ok for v in verdicts[start]) else 1] += 1
        confirmed = [s for s in (1, 0) if seen[s][0] >= 2 and seen[s][1] == 0]
        for start in (1, 0):
            matches, misses = seen[start]
            if start in verdicts and not any(v.ok for v in verdicts[start]) and matches >= 2 and misses == 1 \
                    and not confirmed:
                bad = next((v for v in verdicts[start] if v.status == "not-equivalent"), None)
                if bad is not None:
                    return replace(base, status="wrong", move="an output of the layer", counterexample=self._ce(bad),
                                   reason=f"{family}_{k} is not output {k - start + 1} of the layer, though "
                                          f"{family}'s earlier members were its outputs (numbered from {start})")
        return None

    def _solution_for_all(self, verdict, value, expected):
        """``ε = x`` when the part solves for ε and the answer is |x|, or a gradient with H(ax)
        where the answer has H(bx): a value that agrees only where x > 0, which the problem does
        not assume, is not the answer, unless the write-up states conditions of its own ('for
        z₁ > 0 the relu's slope is one', '= 1 when z₁ > 0'): a gradient given case by case."""
        if self.part.goal.kind != "solve" and (self.standing or self.in_cases):
            return verdict
        return self._unassumed(verdict, value, expected)

    def _entry_verdict(self, value, i: int, j: int):
        """(verdict, convention) for ``value`` as entry (i, j), from 0, of the derived answer: the
        first convention it matches, else the last verdict that tells them apart (convention None),
        else (None, None) when no answer is a matrix that large."""
        verdict = None
        for name, answer in self.answers:
            if not getattr(answer, "is_Matrix", False) or i >= answer.shape[0] or j >= answer.shape[1]:
                continue
            verdict = same_value(value, answer[i, j], self.ctx)
            if verdict.ok:
                return verdict, name
        return verdict, None

    def _entries_chained(self, line, value) -> AnswerResult | None:
        """``w_1 = w_2 = \tfrac12`` for a w of two entries: every entry named in the chain, all
        equal to the value at its end; correct when that is each entry of the derived answer."""
        from sympy.matrices.expressions.matexpr import MatrixElement

        u, key = self.unknown, (line.line, line.latex)
        relation = self.relations.get(key)
        if not getattr(u, "is_Matrix", False) or relation is None or getattr(value, "is_Matrix", False):
            return None
        named = {x for x in (self.heads.get(key), relation.lhs) if isinstance(x, MatrixElement) and x.parent == u}
        if len(named) != u.shape[0] * u.shape[1]:
            return None
        for name, expected in self.answers:
            if getattr(expected, "shape", None) == u.shape and \
                    all(same_value(value, expected[int(x.i), int(x.j)], self.ctx).ok for x in named):
                return AnswerResult(line.latex, "correct", convention=name, line=line.line)
        return None

    def _entries_stated(self, line, value) -> AnswerResult | None:
        """``u₂ = 1/5, u₁ = 4/5`` ending a part whose unknown is the vector u: every entry was given
        a value free of the unknown on a line of its own; the answer is those values together."""
        from sympy import ImmutableMatrix
        from sympy.matrices.expressions.matexpr import MatrixElement

        u, relation = self.unknown, self.relations.get((line.line, line.latex))
        if not getattr(u, "is_Matrix", False) or getattr(value, "is_Matrix", False) or relation is None \
                or not (isinstance(relation.lhs, MatrixElement) and relation.lhs.parent == u):
            return None
        stated = {}
        for eq in self.relations.values():      # in the order the lines were read; the last value stands
            if isinstance(eq.lhs, MatrixElement) and eq.lhs.parent == u and not _mentions(eq.rhs, u):
                stated[(int(eq.lhs.i), int(eq.lhs.j))] = eq.rhs
        if len(stated) != u.shape[0] * u.shape[1]:
            return None
        given = ImmutableMatrix(u.shape[0], u.shape[1], lambda i, j: stated[(i, j)])
        for name, expected in self.answers:
            if getattr(expected, "shape", None) == u.shape and same_value(given, expected, self.ctx).ok:
                return AnswerResult(line.latex, "correct", convention=name, line=line.line,
                                    reason="every entry of the unknown given on a line of its own")
        v = same_value(given, self.answers[0][1], self.ctx)
        return AnswerResult(line.latex, "wrong", line=line.line, counterexample=self._ce(v),
                            reason="the entries given on lines of their own differ from the derived answer")

    def _answer_square(self, line) -> AnswerResult | None:
        """``14 \times 14`` for a square patch whose derived size is its side, 14 (or its area,
        196, which the product already is): correct when the side is the derived number."""
        m = _SQUARE.match(line.latex)
        if m is None or not self.answers:
            return None
        side = int(m.group(1))
        for name, expected in self.answers:
            if getattr(expected, "is_Integer", False) and int(expected) == side:
                return AnswerResult(line.latex, "correct", convention=name, line=line.line)
        return None

    def _answer_shape(self, line) -> AnswerResult | None:
        """A shape part answered ``∇ₓJ(x) ∈ ℝ^{d×1}`` (or ``∈ ℝ^d``, a column): the sizes stated are
        the derived ones."""
        from .latex_math import parse_chain

        m = _IN_REALS.search(line.latex) or _SIZES_ONLY.match(line.latex) or _DIM_IS.match(line.latex)
        if self.part.goal.kind != "shape" or m is None:
            return None
        sizes = re.split(r"\\times|×|\\cdot|(?<![A-Za-z\\])x(?![A-Za-z])", m.group(1))
        try:
            built = [self._build(parse_chain(size, self.names())[0][0]).expr for size in sizes]
        except Exception:  # noqa: BLE001 - sizes that cannot be read decide nothing
            return None
        if len(built) == 1:
            built.append(1)
        derived = self.answers[0][1]
        if len(built) != 2 or not all(same_value(a, b, self.ctx).ok for a, b in zip(built, derived.args)):
            stated = " × ".join(str(b) for b in built)
            return AnswerResult(line.latex, "wrong", line=line.line,
                                reason=f"the sizes stated, {stated}, are not the derived {derived.rows} × {derived.cols}")
        return AnswerResult(line.latex, "correct", convention="as in the problem", line=line.line)

    def _answer_bound(self, line) -> AnswerResult | None:
        """A bound part answered by a chain ``φ(a) = … ≥ … = φ(b)`` (checked or not: the verdict is
        on the inequality stated): correct when its ends are the two sides of the derived
        inequality (either way round), wrong when it reverses it."""
        ends = self.inequalities.get((line.line, line.latex))
        if self.bound is None or ends is None or not ends[2] or not self.bound[1]:
            return None
        first, last, direction = ends
        lhs, op, rhs = self.bound
        if first is None:                   # '… ≤ R' closing the chain: R is the bound stated
            if direction != op:
                return None
            v = same_value(last, rhs, self.ctx)
            if v.ok:
                return AnswerResult(line.latex, "correct", convention="as in the problem", line=line.line)
            if v.status == "not-equivalent":
                return AnswerResult(line.latex, "wrong", reason="the bound stated is not the derived one",
                                    counterexample=self._ce(v), line=line.line)
            return None
        if direction != op:
            first, last = last, first           # b ≤ a states a ≥ b
        if same_value(first, lhs, self.ctx).ok and same_value(last, rhs, self.ctx).ok:
            return AnswerResult(line.latex, "correct", convention="as in the problem", line=line.line)
        if same_value(first, rhs, self.ctx).ok and same_value(last, lhs, self.ctx).ok \
                and (v := same_value(lhs, rhs, self.ctx)).status == "not-equivalent":
            return AnswerResult(line.latex, "wrong", reason="the inequality points the other way from the derived one",
                                counterexample=self._ce(v), line=line.line)
        return None

    def _entry_index(self, value):
        """The free index symbol (k) of a scalar answer written entry by entry, or None."""
        if getattr(value, "is_Matrix", False):
            return None
        free = [s for s in getattr(value, "free_symbols", ()) if getattr(self.table.get(str(s)), "kind", None) == "index"]
        return free[0] if len(free) == 1 else None

    def _chain_holds(self, items) -> str:
        """A chain of equations (``w₁ = w₂ = 1/2``) that holds at the derived solution, or follows
        from the equations accepted so far: the move that says which, or ""."""
        from sympy import Eq

        if self._chain_at_answer(items):
            return "equations that hold at the derived solution"
        if self._follows_from_system([Eq(a, b, evaluate=False) for a, b in zip(items, items[1:])]):
            return "follows from the equations so far"
        return ""


_PLAIN = {"MatMul", "MatAdd", "Transpose", "MatrixSymbol", "Scalar", "Pow", "MatPow", "Identity", "ZeroMatrix"}


def resemblance(value, answers) -> int:
    """How many kinds of function (sign, norm, sqrt, inverse, …) a student's final value shares
    with a part's answers: a tie-breaker when a file without headings is wrong for every part."""
    from sympy import preorder_traversal

    def kinds(e):
        try:
            return {type(x).__name__ for x in preorder_traversal(e)
                    if not (x.is_Atom or x.is_Add or x.is_Mul) and type(x).__name__ not in _PLAIN}
        except Exception:  # noqa: BLE001 - an odd value simply resembles nothing
            return set()

    mine = kinds(value) if value is not None else set()
    return max((len(mine & kinds(a)) for _, a in answers), default=0)


def _answer_as(part) -> dict:
    """The spec's ``answer_as`` (θ = θᵗ + δ) as a definition: a student may state the answer in θ."""
    if not part.answer_as:
        return {}
    name, node = part.answer_as
    info = part.table.get(name)
    if info is None or info.obj is None or name == part.goal.wrt:
        return {}
    try:
        return {info.obj: Builder(part.table).build(node).expr}
    except ParseError:
        return {}

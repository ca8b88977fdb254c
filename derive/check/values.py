"""Numbers in a write-up: a part's specialised values, a parameter set to a number (an example),
an updated value named by the old name (w₁ = … in an update part) and inequalities between knowns
checked under the assumptions. A mixin of ``checker.PartChecker``."""
from __future__ import annotations

import re

from dataclasses import replace

from ..equivalence import same_value
from ..errors import ParseError
from ..expr import ast as A
from ..expr.build import Builder
from .algebra import _mentions


_NAMING_PROSE = re.compile(r"\b(with|where|let|set|setting|writing|write|denote|define|put)\s*$", re.I)


class ValueMoves:
    """Specialised, example and updated values; inequalities between knowns."""

    def _specialize(self, part) -> set:
        """The part's ``specialize`` values as definitions: a student works with the numbers. A
        part with none of its own that uses results all found at one point (4/45 from the answers
        of parts asked at a₁ = 2, a₂ = 1) is read at that point too."""
        out = set()
        values = part.values
        if not values and part.uses:
            used = [p.values for p in self.spec.parts if p.id in set(part.uses.values())]
            if used and used[0] and all(v == used[0] for v in used):
                values = used[0]
        for name, node in values.items():
            info = self.table.get(name)
            if info is None or info.obj is None or info.obj == self.unknown:
                continue
            try:
                self.ctx.definitions[info.obj] = Builder(self.table).build(node).expr
            except ParseError:
                continue
            out.add(info.obj)
        return out

    def _free_parameter(self, name: str, renaming: bool = False):
        """The symbol of the problem called ``name`` when a line may give it a value: a scalar or
        vector (no family member), not the unknown, not already defined, not the student's own.
        ``renaming``: a change of variables may also rename what an earlier part solved for
        (x = σ(η¹) for the next iterate x of part (a))."""
        info = self.table.get(name)
        if info is None or info.kind not in ("scalar", "vector", "matrix") or info.obj is None or info.index is not None \
                or info.obj == self.unknown or name in self.new_symbols:
            return None
        if info.obj in self.ctx.definitions and not (renaming and info.obj in getattr(self, "earlier", {})) \
                and info.obj not in self.entry_vectors and not (renaming and info.obj in self.carried_renames):
            return None
        return info

    def _vector_of_free_entries(self, name: str):
        """A given such as ``w = vec(w1, w2, w3)`` whose entries are free scalars: ``w = (1, 0, −1)``
        gives those scalars values. Its symbol info (now also an entry vector), or None."""
        from sympy import MatrixBase

        info = self.table.get(name)
        value = self.ctx.definitions.get(getattr(info, "obj", None))
        if info is None or info.kind != "defined" or not isinstance(value, MatrixBase) \
                or not all(getattr(e, "is_Symbol", False) and e not in self.ctx.definitions for e in value):
            return None
        self.entry_vectors.add(info.obj)
        return info

    def _example_value(self, terms, ops) -> str | None:
        """``p = 0.8`` for a parameter of the problem (not the unknown, not a given): the student
        works an example; later lines (and the answer) are read with that value."""
        if not ops or any(op != "=" for op in ops) or not isinstance(terms[0], A.Name):
            return None
        info = self._free_parameter(terms[0].id) or self._vector_of_free_entries(terms[0].id)
        if info is None:
            return None
        try:
            size = info.obj.shape[0] if info.kind == "matrix" and info.obj.shape[0] == info.obj.shape[1] else None
            value, *rest = (self._build(t, identity_size=size).expr for t in terms[1:])     # D = I: of D's size
        except ParseError:
            return None
        if getattr(value, "is_Matrix", False) and info.kind == "vector" and value.shape != info.obj.shape and not value.free_symbols \
                and any(getattr(n, "free_symbols", None) for n in info.obj.shape):
            # w₀ = (1, 0) for a w₀ in ℝᵈ: the part is worked in two dimensions from here on
            from sympy import MatrixSymbol

            planar = MatrixSymbol(info.name, *value.shape)      # lines in the plane use it; others cannot be read
            self.replaced_symbols.setdefault(info.name, info)
            self.table.symbols[info.name] = replace(info, obj=planar, shape=value.shape)
            self.ctx.definitions[planar] = value
            self.ctx.held.add(planar)
            return f"works in {value.shape[0]} dimensions with {terms[0].id} = {tuple(value)} from here on"
        if value == 0 and info.kind == "vector":
            from sympy import ZeroMatrix

            value = ZeroMatrix(*info.obj.shape)      # w = 0: the zero vector
        if (getattr(value, "free_symbols", {1}) and not getattr(value, "is_ZeroMatrix", False)
                and not getattr(value, "is_Identity", False)) \
                or getattr(value, "shape", None) != getattr(info.obj, "shape", None) \
                or not (getattr(value, "is_number", False) or getattr(value, "is_Matrix", False)):
            return None
        zero = getattr(value, "is_ZeroMatrix", False)
        if not all(same_value(value, other, self.ctx).ok or (zero and _is_zero(other, self.ctx))   # w = 0 = Xᵀ0
                   for other in rest):
            return None
        if info.obj in self.entry_vectors:          # w = (1, 0, −1) for w = (w₁, w₂, w₃): its entries take the values
            for entry, number in zip(self.ctx.definitions[info.obj], value):
                self.ctx.definitions[entry] = number
                self.ctx.held.add(entry)
        else:
            self.ctx.definitions[info.obj] = value
            self.ctx.held.add(info.obj)
        self.answers = [(name, a.xreplace({info.obj: value}) if hasattr(a, "xreplace") else a) for name, a in self.answers]
        return f"takes {terms[0].id} = {value} from here on"

    def _names_a_free_symbol(self, base, line, terms, ops):
        """``with ω = ‖W‖`` for a scalar the problem leaves free (its description says ‖W‖), or
        ``G = X + 2·X/2 = 2X`` for a bound it leaves free: a statement of what the symbol stands for,
        which the problem cannot contradict, not a claim (the later links of the chain must hold).
        ``x = εw``, in the part's unknown ε, is an equation to solve, not a name.
        Later lines and the answer are read with it. None for any other line."""
        if not ops or any(op != "=" for op in ops) or not isinstance(terms[0], A.Name):
            return None
        info = self._free_parameter(terms[0].id)
        if info is None or info.kind != "scalar" or info.obj in self.ctx.definitions or info.obj == self.unknown \
                or any(terms[0].id in A.names_in(g.expr) for g in self.part.goals if self.part.goal.kind == "solve"):
            return None
        try:
            items = [self._build(t).expr for t in terms[1:]]
        except ParseError:
            return None
        value = items[0]
        others = getattr(value, "free_symbols", set()) - {info.obj}
        if getattr(value, "shape", None) is not None or not others or _mentions(value, info.obj) \
                or (self.unknown is not None and _mentions(value, self.unknown)) \
                or same_value(info.obj, value, self.ctx).ok \
                or not all(same_value(a, b, self.ctx).ok for a, b in zip(items, items[1:])):
            return None         # G = X + X = 3X: the false link is reported by the usual reading
        self.ctx.definitions[info.obj] = value
        self._answers_with({info.obj: value})
        stated = "stands for this from here on" if _NAMING_PROSE.search(getattr(line, "before", "") or "") \
            else "is related to the problem's other free quantities; taken so from here on"
        return replace(base, move="names a quantity", reason=f"{terms[0].id} {stated}; not a claim"), items[-1]

    def _answers_with(self, values: dict) -> None:
        """The derived answers (and a condition's or a bound's sides) read with ``values``."""
        def put(x):
            return x.xreplace(values) if hasattr(x, "xreplace") else x

        self.answers = [(n, put(a)) for n, a in self.answers]
        if self.condition_answer is not None:
            self.condition_answer = tuple(put(x) if not isinstance(x, str) else x for x in self.condition_answer)
        if self.bound is not None:
            self.bound = tuple(put(x) if not isinstance(x, str) else x for x in self.bound)

    def _change_of_variables(self, terms, ops) -> str | None:
        """``x⁰ = σ(η⁰)`` for a symbol of the problem that this part's goal and answer do not use:
        the student renames a quantity (a change of variables); later lines read it so."""
        if ops != ["="] or not isinstance(terms[0], A.Name):
            return None
        info = self._free_parameter(terms[0].id, renaming=True)
        if info is None or (self.part.goal.kind != "show" and any(terms[0].id in A.names_in(g.expr) for g in self.part.goals)) \
                or any(_mentions(answer, info.obj) for _, answer in self.answers):
            return None
        from ..rules.calculus import scalar_if_1x1

        try:
            value = self._build(terms[1]).expr
        except ParseError:
            return None
        if info.kind == "scalar":
            value = scalar_if_1x1(value)        # z = Wᵀx + W₀: a 1×1 product is a number
        if _mentions(value, info.obj) or getattr(value, "shape", None) != getattr(info.obj, "shape", None):
            return None
        if info.obj in self.ctx.definitions and info.obj not in self.carried_renames \
                and not (self.unknown is not None and _mentions(value, self.unknown)):
            return None      # w = xt/(x² + λ) for the w an earlier part found is a claim about it, not a new name
        if self.carrying:
            self.carried_renames.add(info.obj)   # t = z*/ω in 5d; t = z*/ω + u in the next part renames it again
        else:
            self.carried_renames.discard(info.obj)
        self.ctx.definitions[info.obj] = value       # a name for an expression: derivatives see through it
        self.ctx.held.discard(info.obj)              # (no longer the value an earlier part found)
        if any(terms[0].id in A.names_in(g.expr) for g in self.part.goals):
            return f"takes this {terms[0].id} from here on (what follows is shown for it)"
        return f"names this {terms[0].id}, a symbol this part's goal does not use"

    def _new_value(self, items) -> str | None:
        """``w₁ = 0 − η(−8)/√(64(1 − β)) = η/√(1 − β)`` in a part that asks for updated weights:
        the student names the new w₁ by the old name. Accepted when the later links hold and the
        value is the derived answer or one of its entries (which is then stated)."""
        from sympy import MatrixBase, MatrixSymbol, Symbol

        head = items[0]
        if self.part.goal.kind not in ("simplify", "evaluate", "step") or not isinstance(head, (Symbol, MatrixSymbol)) \
                or (head in self.ctx.definitions and head not in self.specialized and head not in self.entry_vectors) \
                or len(items) < 2:
            return None
        if not all(same_value(a, b, self.ctx).ok for a, b in zip(items[1:], items[2:])):
            return None
        value = items[-1]
        for _, answer in self.answers:
            if getattr(value, "is_Matrix", False):      # u⁽¹⁾ = 0 − ρ(…) = (ρ, ρ): the whole new vector
                if getattr(answer, "shape", None) == value.shape and same_value(value, answer, self.ctx).ok:
                    return f"the new {head}"
                continue
            entries = list(answer) if isinstance(answer, MatrixBase) else [answer]
            order = [i for i in range(len(entries)) if i not in self.components] + list(self.components)
            for index in order:
                entry = entries[index]
                if getattr(value, "is_Matrix", False) or not same_value(value, entry, self.ctx).ok:
                    continue
                if len(entries) > 1:
                    self.components[index] = value
                    return f"the new {head} (entry {index + 1} of the answer)"
                return f"the new {head}"
        return None

    def _assignment(self, base, line, terms, ops):
        """``w₁ ← w₁ − η·0 = −0.1``: the right-hand chain is checked, and its value is the new w₁."""
        if len(terms) == 2:
            return replace(base, move="an update", reason="assigns a new value"), self._build(terms[1]).expr
        result, last = self._judge(base, line, terms[1:], ops[1:], None)
        if result.status == "ok":
            result = replace(result, move="an update")
        return result, last

    def _approximation(self, base, line, terms, ops, prev_last):
        """``y = σ(0.2) ≈ 0.550``: the exact chain before the first ≈ is checked as usual, each
        ≈ to the digits written. The value carried on is the last exact one."""
        from sympy import N

        first = ops.index("~")
        if first == 0:
            return replace(base, status="unknown", move="approximation", reason="an approximation on its own"), None
        result, value = self._judge(base, line, terms[:first + 1], ops[:first], prev_last) if first > 1 or ops[0] == "=" \
            else (base, self._build(terms[0]).expr)
        if result.status != "ok":
            return result, value
        for approx in terms[first + 1:]:
            digits = approx.value.split(".")[1] if isinstance(approx, A.Num) and "." in approx.value else None
            exact = self.ctx.expand_definitions(value)
            if digits is None or getattr(exact, "free_symbols", True):
                return replace(result, status="unknown", move="approximation", reason="the approximation is not checked"), value
            if abs(float(N(exact, 30)) - float(approx.value)) > 10.0 ** -len(digits):
                return replace(result, status="wrong", move="approximation",
                               reason=f"{float(N(exact, 12)):.{len(digits) + 3}g} is not {approx.value} to the digits shown"), value
        return replace(result, reason=(result.reason + "; " if result.reason else "") + "its approximation holds to the digits shown"), value

    def _vectors_of_named_entries(self) -> None:
        """A vector u of size k where the problem also has scalars u1 … uk: u is (u1, …, uk), so
        ``∇J(u)`` and ``2(u₁ + 3u₂ − 3)`` speak of the same weights."""
        from sympy import Matrix

        for name, info in list(self.table.symbols.items()):
            shape = info.shape or ()
            if info.kind != "vector" or info.obj is None or info.obj in self.ctx.definitions \
                    or len(shape) != 2 or not str(shape[0]).isdigit() or not 2 <= int(shape[0]) <= 9:
                continue
            entries = [self.table.get(f"{name}{k}") for k in range(1, int(shape[0]) + 1)]
            if not all(e is not None and e.kind == "scalar" and e.obj is not None for e in entries) \
                    or self.table.get(f"{name}{int(shape[0]) + 1}") is not None:
                continue
            if info.obj == self.unknown:       # the unknown w: w₁ and w₂ in a line are its entries
                for k, e in enumerate(entries):
                    if e.obj not in self.ctx.definitions:
                        self.ctx.definitions[e.obj] = info.obj[k, 0]
                        self.ctx.held.add(e.obj)
                continue
            self.ctx.definitions[info.obj] = Matrix([e.obj for e in entries])
            self.ctx.held.add(info.obj)
            self.entry_vectors.add(info.obj)

    def _region_of_part(self) -> None:
        """A part asked on one side of a boundary (``where: 'W.T @ x + W0 > 0'``): every line is
        checked where the part's inequalities hold."""
        from ..rules.calculus import scalar_if_1x1

        for rel in getattr(self.part, "where", ()):
            built = [scalar_if_1x1(self._builder().build(side).expr) for side in (rel.left, rel.right)]
            self.standing.append((built[0], rel.op, built[1]))

    def _take_as_standing(self, terms, ops) -> bool:
        """``For 0 < αλ < 1 the factor c = 1 − αλ is positive``: an inequality between knowns that
        the write-up states (and that is not checked) is a standing condition for later lines."""
        from ..rules.calculus import scalar_if_1x1

        try:
            items = [scalar_if_1x1(self._build(t).expr) for t in terms]
        except Exception:  # noqa: BLE001 - an unreadable condition stands for nothing
            return False
        if any(getattr(x, "is_Matrix", False) or _mentions(x, self.unknown) for x in items):
            return False
        self.standing.extend(zip(items, ops, items[1:]))
        return True

    def _holds_under_standing(self, a, b) -> str | None:
        from ..equivalence import same_value_where

        if not self.standing:
            return None
        try:
            if same_value_where(a, b, self.standing, self.ctx).ok:
                return "holds where the part's conditions and those the write-up stated hold"
        except Exception:  # noqa: BLE001 - conditions that cannot be evaluated support nothing
            return None
        return None

    def _holds_as_stated(self, a, b) -> str | None:
        """``∂a₁/∂z₁ = 1`` followed in the same sentence by ``when z₁ > 0``: the link holds wherever
        the stated condition does. The reason to show, or None."""
        from ..equivalence import same_value_where

        if self.condition is None or self.condition[1] == "index":
            return None
        terms, op = self.condition
        try:
            lhs, rhs = (self._build(t).expr for t in terms)
            if not same_value_where(a, b, (lhs, op, rhs), self.ctx).ok:
                return None
        except Exception:  # noqa: BLE001 - a condition that cannot be read supports nothing
            return None
        return "holds wherever the condition stated with it holds"

    def _stated_condition_fails(self) -> str | None:
        """``a₁ = z₁ if z₁ > 0`` in a part where z₁ = −1/5: the condition stated with the line is
        false here, so the line says nothing about this part. The reason to show, or None."""
        from ..equivalence import COMPARE

        if self.condition is None or self.condition[1] == "index":
            return None
        terms, op = self.condition
        try:
            lhs, rhs = (self.ctx.expand_definitions(self._build(t).expr) for t in terms)
            if getattr(lhs, "free_symbols", None) or getattr(rhs, "free_symbols", None) \
                    or not (lhs.is_number and rhs.is_number) or COMPARE[op](float(lhs), float(rhs)):
                return None
        except Exception:  # noqa: BLE001 - a condition that cannot be read decides nothing
            return None
        return "the condition stated with it does not hold in this part (its values make it false); not checked"

    def _earlier_result(self, a, b) -> str | None:
        """``… = X^T(XX^T)^{-1}t = w^*`` in a later part: w names what an earlier part solved for.
        The id of that part when the other side equals its answer."""
        for name, other in ((b, a), (a, b)):
            if name == self.unknown or name not in self.earlier:
                continue
            pid, value = self.earlier[name]
            if same_value(other, value, self.ctx).ok:
                return pid
        return None

    def _inequalities_hold(self, items, ops) -> bool:
        """Every ≥/≤ link of a chain holds at every instance the assumptions allow (free of the unknown)."""
        from ..equivalence import holds_everywhere
        from ..rules.calculus import scalar_if_1x1

        items = [scalar_if_1x1(x) for x in items]
        links = [(a, b, op) for a, b, op in zip(items, items[1:], ops) if op != "="]
        if not links or any(getattr(x, "is_Matrix", False) or _mentions(x, self.unknown) for a, b, _ in links for x in (a, b)):
            return False
        try:
            return all(holds_everywhere(a, b, op, self.ctx) for a, b, op in links)
        except Exception:  # noqa: BLE001 - not decided: the chain stays unknown
            return False

    def _condition_line(self, base, terms, ops):
        """``α(λ² + a²) < 2λ`` in a part that asks for a condition on α: it must hold at exactly
        the instances where the derived condition does; a link that holds everywhere under the
        assumptions (``0 < α`` in ``0 < α < 2λ/a``) is a side condition. (result, value) or None
        to fall back; the value is the bound when a link reads ``α < bound``."""
        from ..equivalence import holds_everywhere, same_condition
        from ..rules.calculus import scalar_if_1x1

        answer = self.condition_answer
        if answer is None or self.unknown is None or len(terms) > 3:
            return None
        try:
            items = [scalar_if_1x1(self._build(t).expr) for t in terms]
        except ParseError:
            return None
        expanded = [self.ctx.expand_definitions(x) for x in items]
        if not any(_mentions(x, self.unknown) for x in expanded) or any(getattr(x, "is_Matrix", False) for x in expanded):
            return None
        theirs = set().union(*(getattr(x, "free_symbols", set()) for x in expanded))
        ours = set().union(*(getattr(self.ctx.expand_definitions(x), "free_symbols", set()) for x in answer
                             if not isinstance(x, str)))
        if any(getattr(s, "is_Symbol", False) or getattr(s, "is_Matrix", False) for s in theirs - ours):
            return None         # J(x) ≥ α(z*)²/ω² for any x: a bound through x, not the condition on α
        value, compared = None, False
        for a, op, b in zip(items, ops, items[1:]):
            if (getattr(a, "is_number", False) or getattr(b, "is_number", False)) \
                    and holds_everywhere(a, b, op, self.ctx):      # α > 0: an assumption recalled, not the answer
                continue
            v = same_condition((a, op, b), answer, self.ctx)
            if v.status == "not-equivalent":
                return replace(base, status="wrong", move="condition", counterexample=self._ce(v),
                               reason="this condition does not hold at the same values as the derived one"), \
                    (b if a == self.unknown else None)
            if not v.ok:
                return None
            compared, value = True, (b if a == self.unknown else value)
        if not compared:
            return replace(base, move="inequality", reason="holds under the problem's assumptions"), None
        return replace(base, move="an equivalent condition", reason=f"holds exactly where the derived condition on {self.unknown} does"), value

    def _continued_inequality(self, base, value, op: str, bound):
        """``… = 8‖XXᵀa‖²/n³`` then ``≥ 0``: the value before holds the bound at every
        admissible instance, or the line is not checked (never wrong on a sampling hunch)."""
        from ..equivalence import holds_everywhere
        from ..rules.calculus import scalar_if_1x1

        try:
            if holds_everywhere(scalar_if_1x1(value), scalar_if_1x1(bound), op, self.ctx):
                return replace(base, move="inequality", reason="the value before it satisfies it under the assumptions")
        except Exception:  # noqa: BLE001 - an unreadable bound is just not checked
            pass
        return replace(base, status="unknown", move="inequality", reason="inequalities are not checked")

    def _assumption_holds(self, terms, ops) -> bool:
        """``t > 0``, ``\\lambda \\ge 0``: a plain inequality between knowns that holds at every
        random instance drawn from the declared assumptions (a fact the student recalls)."""
        from ..equivalence import holds_everywhere

        if len(terms) != 2:
            return False
        try:
            a, b = (self._build(t).expr for t in terms)
        except ParseError:
            return False
        if any(getattr(x, "is_Matrix", False) for x in (a, b)) or (self.unknown is not None and
                                                                   (_mentions(a, self.unknown) or _mentions(b, self.unknown))):
            return False
        return holds_everywhere(a, b, ops[0], self.ctx)

    def _restriction(self, base, terms, ops):
        """``On the diagonal w₁ = w₂ = s``: free scalars set equal before any equation is stated
        restrict the problem (a choice, not a claim). The lines that follow are read with it."""
        if len(terms) < 2 or any(op != "=" for op in ops) or not all(isinstance(t, A.Name) for t in terms) \
                or self.shown or len({t.id for t in terms}) < len(terms):
            return None
        if any(t.id in self.table and self.table[t.id].kind == "index" for t in terms):
            return replace(base, status="unknown", move="a case of the indices",    # 'for j = k'
                           reason="indices set equal: a case, not a claim; the lines that follow are read without it")
        try:
            objs = [self._build(t).expr for t in terms]
        except Exception:  # noqa: BLE001 - names that do not build restrict nothing
            return None
        if not all(getattr(o, "is_Symbol", False) and o not in self.ctx.definitions and o not in self.ctx.held
                   for o in objs):
            return None
        if self.unknown in objs and self.part.goal.kind == "solve" and len(objs) == 2:
            return None         # ε = x when the part solves for ε: the solution, not a restriction
        goal_names = set().union(*(A.names_in(g.expr) for g in self.part.goals))
        if any(t.id in goal_names for t, o in zip(terms, objs) if o != self.unknown):
            return None         # τ = κ with κ in the question: an answer, not a restriction
        keep = self.unknown if self.unknown in objs else objs[0]
        for o in objs:
            if o != keep:
                self.ctx.definitions[o] = keep
                self.ctx.held.add(o)
        return replace(base, status="unknown", move="a restriction",
                       reason="free quantities set equal: a choice the lines that follow use, not a claim")


def _is_zero(expr, ctx) -> bool:
    """0, or a matrix that is zero at every instance (Xᵀ0 read as the d×n zero matrix)."""
    from sympy import ZeroMatrix

    if expr == 0:
        return True
    return getattr(expr, "is_Matrix", False) and same_value(expr, ZeroMatrix(*expr.shape), ctx).ok

"""Names a student introduces: ``J(w) = …`` or ``r = Xw − t`` define a name, and a scalar in the
unknown may restate the objective (checked against the problem's, or accepted as one with the
same minimiser, or up to a constant). A mixin of ``checker.PartChecker``."""
from __future__ import annotations

import re
from dataclasses import replace

from ..equivalence import same_value
from ..errors import ParseError
from ..expr import ast as A
from ..expr.symbols import FUNCTION_OF_SCALAR, SymbolInfo, make_scalar
from .algebra import _BUILTINS, _mentions, _rename, _rewrite, _zero
from .results import StepResult

_DEFINES = re.compile(r":=|\\coloneqq|\\triangleq|\\stackrel\{\\(?:mathrm|text)\{def\}\}")


class DefinitionMoves:
    """``_maybe_define`` and the objective a student states."""

    def _rest_named(self, base, terms, ops):
        """``ĝ = h + e`` with e new: the student names what is left of a known quantity (the noise
        e = ĝ − h); later lines (𝔼[e] = 0, 𝔼[eᵀPe]) read e so. None for any other line."""
        if ops != ["="] or not isinstance(terms[1], A.BinOp) or terms[1].op not in ("+", "-"):
            return None
        right = terms[1].right
        if not isinstance(right, A.Name) or right.id in self.table or right.id in A.names_in(terms[1].left) \
                or right.id in A.names_in(terms[0]):
            return None
        try:
            whole, known = self._build(terms[0]), self._build(terms[1].left)
        except ParseError:
            return None
        u = self.unknown
        if whole.shape != known.shape or not getattr(whole.expr, "free_symbols", None) \
                or (u is not None and (_mentions(whole.expr, u) or _mentions(known.expr, u))):
            return None         # w = Xᵀc + r: a form of the solution, read as such elsewhere
        from sympy import MatrixSymbol, Symbol

        value = whole.expr - known.expr if terms[1].op == "+" else known.expr - whole.expr
        obj = Symbol(right.id, real=True) if whole.shape is None else MatrixSymbol(right.id, *whole.shape)
        self.table.add(SymbolInfo(right.id, "defined", obj, shape=whole.shape, latex=right.id))
        self.ctx.definitions[obj] = value
        self.student_names.add(right.id)
        return replace(base, move="definition", reason=f"names the rest {right.id} = {terms[0].id if isinstance(terms[0], A.Name) else 'it'} minus the known part"), None

    def _lagrangian_head(self, head, body):
        """``𝓛 = w₁² + w₂² − μ(w₁ + w₂ − 1)`` with a multiplier first met here: 𝓛 as a function of
        the scalars it is written in, 𝓛(w₁, w₂, μ), so its partial derivatives hold the others
        fixed (as when the student writes the arguments)."""
        if not (isinstance(head, A.Name) and head.id == "scriptL" and head.id not in self.table):
            return head
        names = sorted(A.names_in(body))
        fresh = [n for n in names if n in self.line_new]
        scalars = [n for n in names if n in self.table and self.table[n].kind == "scalar" and self.table[n].obj is not None
                   and n not in self.line_new]
        if not fresh or not scalars:
            return head
        return A.Call(head.id, tuple(A.Name(n, head.pos) for n in scalars + fresh), head.pos)

    def _only_guessed(self, name: str) -> bool:
        """A name declared only because an earlier line used it, in no equation accepted so far."""
        info = self.table.get(name)
        return name in self.new_symbols and name not in self.student_names and info is not None \
            and info.obj is not None and not any(e.has(info.obj) for e in self.accepted)

    def _member_of_own_family(self, name: str) -> bool:
        """``D_1`` after the student defined ``D_i := r(i)²`` (or for a given r(i)), or ``A_{12}`` for
        a matrix A of known size: a member of a family or an entry (as the builder reads it), so a
        line ``D_1 = …`` states its value rather than defining a name."""
        try:
            return self._builder()._family_member(A.Name(name)) is not None
        except ParseError:
            return False

    def _solves_renamed_unknown(self, head, value) -> bool:
        """``s = −v/(2ν)`` after ``s := u − u₀`` (u the unknown): the student's name for a change
        of the unknown, set equal to something free of it, states the solution, not a new s."""
        if not isinstance(head, A.Name) or head.id not in self.student_names or head.id not in self.table \
                or self.unknown is None:
            return False
        meaning = self.ctx.definitions.get(self.table[head.id].obj)
        if meaning is None or not _mentions(meaning, self.unknown):
            return False
        try:
            return not _mentions(self.ctx.expand_definitions(self._build(value).expr), self.unknown)
        except ParseError:
            return False

    def _shadow_by_definition(self, line, terms, ops) -> None:
        """``\\mathbf e := F\\mathbf v - \\mathbf y`` where the problem's ``e`` is the noise on one input:
        an explicit definition (``:=``) of a problem symbol other than the unknown, by a value of
        another shape (or a random symbol by a value free of randomness), names the student's own
        quantity. From here on in this part the name is the student's."""
        head = terms[0] if terms else None
        if not ops or ops[0] != "=" or not isinstance(head, A.Name) or not _DEFINES.search(getattr(line, "latex", "")):
            return
        info = self.table.get(head.id)
        if info is None or head.id in self.student_names or info.kind not in ("random", "scalar", "vector", "matrix") \
                or info.obj is None or info.obj == self.unknown:
            return
        try:
            value = self._build(terms[1])
        except ParseError:
            return
        random = {i.obj for i in self.table.symbols.values() if i.is_random and i.obj is not None}
        shape = None if value.shape == (1, 1) else value.shape      # z := Wᵀx + W₀ is a number
        if shape != info.shape or (info.is_random and not getattr(value.expr, "free_symbols", set()) & random):
            self.table.symbols.pop(head.id)

    def _maybe_define(self, terms, ops):
        """``J(w) = …`` or ``L = …`` with a name the spec does not know: the student defines it."""
        if not ops or ops[0] != "=" or len(terms) < 2:
            return None
        head = terms[0]
        self._declare_unknown_names(terms[1:])
        guessed = self.guessed_names
        if len(terms) > 2 and guessed and A.names_in(terms[1]) & guessed:
            readable = next((t for t in terms[2:] if not A.names_in(t) & guessed), None)
            if readable is not None:        # D_i = ‖w⁽ⁱ⁾ − w*‖² = r(i)² with w nowhere defined: D_i is r(i)²
                terms = [head, readable] + list(terms[2:])
        head = self._lagrangian_head(head, terms[1])
        if isinstance(head, A.Call) and all(isinstance(a, A.Name) for a in head.args):
            self._declare_unknown_names([A.Call("_", head.args)])
        elif isinstance(head, A.Call) and head.func not in self.table and head.func not in _BUILTINS \
                and all(isinstance(a, (A.Name, A.Index)) for a in head.args):
            # 𝓛(w₁, w₂, ν) = …: arguments that are entries of w; the name stands for its value
            self._declare_unknown_names([a for a in head.args if isinstance(a, A.Name)])
            head = A.Name(head.func, head.pos)
        if self._solves_renamed_unknown(head, terms[1]):
            return None             # s = −v/(2ν) after s := u − u₀: an equation in the unknown u
        restated = isinstance(head, A.Call) and self._given_in_the_unknown(head)     # P(θ₁) for P(u, u₀)
        if isinstance(head, (A.Call, A.Name)) and getattr(head, "func", getattr(head, "id", None)) in self.student_names:
            # the student redefines it (an earlier redefinition that failed to build already removed it)
            self.table.symbols.pop(getattr(head, "func", getattr(head, "id", None)), None)
        if isinstance(head, A.Call) and self._shadows_scalar(head, terms[1]):
            # q(u) := aᵀu + b for the problem's scalar q ('a logit'): q applied is the student's function
            name = head.func
            self.table.symbols.pop(name + FUNCTION_OF_SCALAR, None)
            self.table.add(SymbolInfo(name + FUNCTION_OF_SCALAR, "function", None, params=tuple(a.id for a in head.args),
                                      body=terms[1]))
            self.student_names.add(name + FUNCTION_OF_SCALAR)
        elif isinstance(head, A.Call) and (head.func not in self.table and (head.func not in _BUILTINS or self._free_letter(head.func))
                                           or restated) and \
                all(isinstance(a, A.Name) and a.id in self.table for a in head.args):
            params = tuple(a.id for a in head.args)
            latex = self.table[head.func].latex if head.func in self.table else head.func     # P(θ₁) keeps P's spelling
            self.table.add(SymbolInfo(head.func, "function", None, params=params, body=terms[1], latex=latex))
            name = head.func
            self.student_names.add(name)
        elif isinstance(head, A.Index) and isinstance(head.base, A.Name) and isinstance(head.index, A.Name) \
                and isinstance(terms[1], A.Index) and terms[1].index == head.index and head.base.id not in self.table \
                and not isinstance(terms[1].base, A.Name):
            # a_i = (Xw₀ − t)_i: a is that vector, and a_i its entries
            value = self._build(terms[1].base)
            from sympy import MatrixSymbol

            name = head.base.id
            if value.shape is None:
                return None
            self.table.add(SymbolInfo(name, "defined", MatrixSymbol(name, *value.shape), shape=value.shape, latex=name))
            self.ctx.definitions[self.table[name].obj] = value.expr
            self.student_names.add(name)
            return lambda base: replace(base, move="definition", reason=f"defines the vector {name}, entry by entry")
        elif isinstance(head, A.Index) and isinstance(head.base, A.Name) and isinstance(head.index, A.Name) \
                and head.base.id not in self.table and head.base.id not in _BUILTINS and head.base.id not in ("I", "pi"):
            # s_i = Σ_j w_j x_ij: a family of the student's own, read as a function of its index
            name = head.base.id
            self.table.add(SymbolInfo(name, "function", None, params=(head.index.id,), body=terms[1], latex=name))
            self.student_names.add(name)
            if head.index.id in self.table:
                try:
                    self._build(A.Call(name, (head.index,)))
                except ParseError:
                    self.table.symbols.pop(name, None)
                    self.student_names.discard(name)
                    raise
            return lambda base: replace(base, move="definition", reason=f"defines {name}_{head.index.id}")
        elif isinstance(head, A.Name) and (head.id not in self.table or self._only_guessed(head.id)) \
                and head.id not in ("I", "pi") and not self._member_of_own_family(head.id):
            if head.id in self.table:           # E[Y²] = … then 'for Y = w − ηg': Y was only guessed at
                self.table.symbols.pop(head.id)
                self.new_symbols.remove(head.id)
            value = self._build(terms[1])
            from sympy import MatrixSymbol, Symbol

            obj = Symbol(head.id, real=True) if value.shape is None else MatrixSymbol(head.id, *value.shape)
            self.table.add(SymbolInfo(head.id, "defined", obj, shape=value.shape, latex=head.id, body=terms[1]))
            self.ctx.definitions[obj] = value.expr
            name = head.id
            self.student_names.add(name)
        else:
            return None
        value = self._builder().build(terms[1]).expr
        move, reason = "definition", f"defines {name}"
        if self.state and self.state[0] == "objective" and self._could_be_objective(head, value):
            goal_objective = self.state[1]
            v = same_value(value, goal_objective, self.ctx)
            if v.ok:
                move, reason = "states the objective", f"defines {name} as the problem's objective"
                self.state = self.stated = ("objective", value)
            elif self.part.goal.subject_to is not None:
                self.state = self.stated = ("objective", value)
                reason = f"defines {name} (a Lagrangian or auxiliary function)"
            elif (convention := self._same_minimiser(value)) is not None:
                move, reason = "states the objective", f"defines {name}: an objective with the same minimiser ({convention})"
                self.state = self.stated = ("objective", value)
            elif _objective_name(name) or restated:
                return lambda base: replace(base, status="wrong", move="states the objective",
                                            reason=f"{name} is not the problem's objective", counterexample=self._ce(v))
            else:
                reason = f"defines {name} (an auxiliary function, not the objective)"
        elif self.part.goal.subject_to is not None and self._could_be_objective(head, value) and self._has_new(value):
            # a Lagrangian stated after the constraint: the conditions that follow are its stationarity
            self.state = self.stated = ("objective", value)
            reason = f"defines {name} (a Lagrangian)"
        return lambda base: replace(base, move=move, reason=reason)

    def _given_in_the_unknown(self, head) -> bool:
        """``P(θ₁) = …`` for the problem's P(u, u₀) in a part that minimises P(e^{θ₁}, e^{θ₀}) over
        θ₁: the given written as a function of the part's variable alone (fewer arguments than it
        takes, none of them its own parameters) is the student's name for the objective in θ₁."""
        info, wrt = self.table.get(head.func), self.part.goal.wrt
        return (info is not None and info.kind == "function" and 0 < len(head.args) < len(info.params)
                and all(isinstance(a, A.Name) and a.id == wrt and a.id not in info.params for a in head.args))

    def _shadows_scalar(self, head, body) -> bool:
        """``q(u) = aᵀu + b`` where the problem's q is a free scalar: the body uses the arguments,
        so the student defines q as a function of them, not q times u."""
        info = self.table.get(head.func)
        if info is None or info.kind != "scalar" or info.index is not None or not head.args \
                or not all(isinstance(a, A.Name) and a.id in self.table and a.id != head.func for a in head.args):
            return False
        used = A.names_in(body)
        return any(a.id in used for a in head.args) and head.func not in used

    def _has_new(self, value) -> bool:
        """Does value use a name the student introduced (a multiplier)?"""
        return any(getattr(value, "has", lambda *a: False)(self.table[n].obj)
                   for n in self.new_symbols if n in self.table and self.table[n].obj is not None)

    def _free_letter(self, func: str) -> bool:
        """``E(w) := …`` names the student's own function when the problem has nothing random to
        take an expectation of."""
        return func == "E" and not any(s.is_random for s in self.table.symbols.values())

    def _could_be_objective(self, head, value) -> bool:
        """A name can restate the objective only if it is a scalar in the unknown (``J(w) = …``);
        ``r = Xw − t`` or ``c = Xᵀa`` are names for parts of the work."""
        u = self.unknown
        if u is None or (getattr(value, "is_Matrix", False) and value.shape != (1, 1)):
            return False
        if isinstance(head, A.Call) and any(isinstance(a, A.Name) and a.id == self.part.goal.wrt for a in head.args):
            return True
        return _mentions(value, u) or _mentions(self.ctx.expand_definitions(value), u)     # in u₁, u₂: u's entries

    def _same_minimiser(self, value) -> str | None:
        """The convention whose answer is a stationary point of ``value`` (the objective without
        its constant factor, say), or None. ``value``'s gradient must vanish there."""
        from sympy import Derivative, Subs

        from ..expr.objects import Grad
        from ..rules.calculus import to_scalar

        u = self.unknown
        f = to_scalar(value) if getattr(value, "is_Matrix", False) else value
        for name, answer in self.answers:
            if getattr(answer, "shape", None) != getattr(u, "shape", None):
                continue
            if getattr(u, "is_Matrix", False):
                from sympy import MatrixSymbol, Dummy

                fresh = MatrixSymbol(Dummy("u"), *u.shape)
                grad = Grad(f.xreplace({u: fresh}), fresh, answer)
            else:
                grad = Subs(Derivative(f, u), u, answer)
            from sympy import S

            zero = _zero(grad) if getattr(grad, "is_Matrix", False) else S.Zero
            if same_value(grad, zero, self.ctx).ok:
                return name
        return None

    def _objective(self, base, call: A.Call) -> StepResult:
        expr = self._build(call.args[0]).expr
        if self.state and self.state[0] == "objective":
            v = same_value(expr, self.state[1], self.ctx)
            if not v.ok and self._differs_by_a_constant(expr, self.state[1]):
                self.state = ("objective", expr)
                return replace(base, move="states the objective", reason="the objective up to a constant")
            if not v.ok:
                return replace(base, status="wrong", move="states the objective",
                               reason="this is not the problem's objective", counterexample=self._ce(v))
        self.state = ("objective", expr)
        return replace(base, move="states the objective")

    def _differs_by_a_constant(self, f, g) -> bool:
        """f − g does not depend on the unknown (ℓ₀ dropped from ℓ₀ + vᵀ(u − u₀)): same minimiser."""
        from ..expr.objects import Grad
        from ..rules.calculus import to_scalar

        u = self.unknown
        if u is None:
            return False
        d = (to_scalar(f) if getattr(f, "is_Matrix", False) else f) - (to_scalar(g) if getattr(g, "is_Matrix", False) else g)
        try:
            if getattr(u, "is_Matrix", False):
                grad = Grad(d, u)
                return same_value(grad, _zero(grad), self.ctx).ok
            from sympy import Derivative

            return same_value(Derivative(d, u), 0, self.ctx).ok
        except Exception:  # noqa: BLE001 - cannot tell: not the same objective
            return False


# names students give an objective (J(w), L(w), E(w), φ(ρ), ℓ, F, f, R, C); any other name in the
# unknown (g(η) = 1 − ηλ) is an auxiliary function, not a restated objective
_OBJECTIVE_LETTERS = {"J", "L", "E", "F", "f", "ell", "phi", "varphi", "R", "C", "scriptL", "loss", "obj", "cost"}


def _objective_name(name: str) -> bool:
    base = name.rstrip("0123456789_").split("_")[0]
    return base in _OBJECTIVE_LETTERS


# functions a line may state a property of without their argument: (letter, function, name)
_POINT_FREE = (("sigma", "sigmoid", "sigmoid"), ("H", "heaviside", "Heaviside step"))


class GenericRules:
    """``d/dv |v| = sgn(v)`` with v a vector of the problem: a scalar rule stated with the
    problem's letter, read with that letter as a fresh scalar. A mixin of ``checker.PartChecker``."""

    def _generic_rule(self, base, terms, ops) -> StepResult | None:
        """The line read as a rule about one scalar, when it mentions exactly one name of the
        problem (a vector or matrix), does not type-check as written, and holds for every scalar.
        None otherwise: the shape error stands."""
        if not ops or any(op != "=" for op in ops):
            return None
        names = set().union(*(A.names_in(t) for t in terms))
        known = [n for n in names if n in self.table]
        if len(known) != 1 or getattr(self.table[known[0]], "kind", "scalar") not in ("vector", "matrix"):
            return None
        letter = known[0]
        fresh = f"{letter}__rule"
        self.table.add(SymbolInfo(fresh, "scalar", make_scalar(fresh, (), None), latex=letter))
        try:
            items = [self._builder().build(_rename(t, {letter: fresh})).expr for t in terms]
            if not all(same_value(a, b, self.ctx).ok for a, b in zip(items, items[1:])):
                return None
        except Exception:  # noqa: BLE001 - the line keeps the shape error it had
            return None
        finally:
            self.table.symbols.pop(fresh, None)
        return replace(base, move="a rule for one scalar",
                       reason=f"holds with {letter} read as a single number, as the rule is stated")

    def _point_free_rule(self, base, terms, ops) -> StepResult | None:
        """``σ' = σ(1 − σ)`` or ``H² = H`` when σ (H) is no symbol of the problem: a property of
        the sigmoid (the Heaviside step) stated without its argument, read with σ = σ(x) for a
        fresh scalar x and checked for every x."""
        if (equal := self._functions_equal(base, terms, ops)) is not None:
            return equal
        if not ops or any(op != "=" for op in ops):
            return None
        names = set().union(*(A.names_in(t) for t in terms))
        if sum(1 for t in terms if A.names_in(t)) < 2:
            return None         # H = 28 − 5 + 1 = 24: a value for the student's own H, not a property of the step
        for letter, func, what in _POINT_FREE:
            if letter not in self.table and names and names <= {letter, letter + "_prime"}:
                return self._point_free(base, terms, letter, func, what)
        return None

    def _functions_equal(self, base, terms, ops) -> StepResult | None:
        """``F = F_1 + F_2`` with F the problem's function and F₁, F₂ the student's, each of one
        argument: the functions agree at every argument (read with the parameter of the first)."""
        if not ops or any(op != "=" for op in ops) or len(terms) < 2:
            return None
        names = set().union(*(A.names_in(t) for t in terms))
        infos = [self.table.get(n) for n in names]
        if not names or any(i is None or i.kind != "function" or len(i.params) != 1 for i in infos):
            return None
        first = next(n for t in terms for n in A.names_in(t))
        x = A.Name(self.table[first].params[0], 0)
        if x.id not in self.table:
            return None

        def applied(n):
            return A.Call(n.id, (x,), n.pos) if isinstance(n, A.Name) and n.id in names else None

        try:
            items = [self._builder().build(_rewrite(t, applied)).expr for t in terms]
            verdicts = [same_value(a, b, self.ctx) for a, b in zip(items, items[1:])]
        except Exception:  # noqa: BLE001 - not this kind of line
            return None
        return self._at_every_argument(base, verdicts, "functions equal", f"they agree at every argument {x.id}",
                                       f"the functions differ at some argument {x.id}")

    def _point_free(self, base, terms, letter, func, what) -> StepResult | None:
        fresh = f"{letter}__arg"
        x = A.Name(fresh, 0)
        point = A.Call(func, (x,), 0)

        def product(n):          # σ(1 − σ) read as the sigmoid of 1 − σ: it is σ·(1 − σ)
            if isinstance(n, A.Call) and n.func == func and len(n.args) == 1 and letter in A.names_in(n):
                return A.BinOp("@", A.Name(letter, n.pos), n.args[0], n.pos)
            return None

        def pointed(n):
            if isinstance(n, A.Name) and n.id == letter:
                return point
            if isinstance(n, A.Name) and n.id == letter + "_prime":
                return A.Call("diff", (point, x), n.pos)
            return None

        self.table.add(SymbolInfo(fresh, "scalar", make_scalar(fresh, (), None), latex="x"))
        try:
            items = [self._builder().build(_rewrite(_rewrite(t, product), pointed)).expr for t in terms]
            verdicts = [same_value(a, b, self.ctx) for a, b in zip(items, items[1:])]
        except Exception:  # noqa: BLE001 - not this kind of line
            return None
        finally:
            self.table.symbols.pop(fresh, None)
        return self._at_every_argument(base, verdicts, f"a property of the {what}", "holds at every argument x",
                                       f"does not hold for the {what} at x (the argument the line leaves out)")

    def _at_every_argument(self, base, verdicts, move, holds, fails) -> StepResult | None:
        """The verdict on a line read at a fresh argument: ok when every link holds, wrong at the
        first link that fails with a counterexample, None (not this kind of line) otherwise."""
        if all(v.ok for v in verdicts):
            return replace(base, move=move, reason=holds)
        bad = next(v for v in verdicts if not v.ok)
        if bad.status != "not-equivalent":
            return None
        return replace(base, status="wrong", move=move, counterexample=self._ce(bad), reason=fails)

    def _fact_in_fresh_names(self, base, terms, ops) -> StepResult | None:
        """``log(σ(η)/(1 − σ(η))) = η`` where η is no name of the problem and the line uses none:
        a fact about functions, stated in a variable of its own, that holds for every value of it."""
        if not ops or any(op != "=" for op in ops):
            return None
        names = set().union(*(A.names_in(t) for t in terms)) - set(_BUILTINS)
        fresh = sorted(n for n in names if n not in self.table)
        if not fresh or len(fresh) > 2 or len(fresh) < len(names) or not all(n.isidentifier() for n in fresh):
            return None
        for name in fresh:
            self.table.add(SymbolInfo(name, "scalar", make_scalar(name, (), None), latex=name))
        try:
            items = [self._builder().build(t).expr for t in terms]
            if not all(same_value(a, b, self.ctx).ok for a, b in zip(items, items[1:])):
                return None
        except Exception:  # noqa: BLE001 - the line stays as it was
            return None
        finally:
            for name in fresh:
                self.table.symbols.pop(name, None)
        return replace(base, move="a fact about functions",
                       reason=f"holds for every value of {', '.join(fresh)}, a variable of the line's own")

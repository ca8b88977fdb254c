"""The checker: a student's math lines → a verdict per step and for the final answer.

Where it sits: student file → ``extract.py`` (math lines) → ``latex_math.py`` (AST) → here
(typed with the part's symbol table, judged with ``equivalence.py``) → ``report.py``.

How a line is judged. A line is a chain ``a = b = c`` (or one expression). Every ``=`` inside
must hold as an identity, under the problem's givens and earlier results; the last one may
instead be an equation in the part's unknown, which must then be what the previous step's claim
becomes: the same solutions as the previous equation, the gradient of the objective set to
zero (up to a nonzero factor), or consistent with the equations accepted so far. A line a
student uses to name something (``J(w) = …``) defines it; an objective stated with ``\\min`` is
compared with the problem's. After a wrong step the checker carries on from the student's own
line, so one slip does not hide later good work.
"""
from __future__ import annotations

import difflib
import signal
from dataclasses import dataclass, field, replace

from ..equivalence import Context, Verdict, proportional, residual, same_solutions, same_value, satisfies
from ..errors import DeriveError, ParseError
from ..expr import ast as A
from ..expr.build import KNOWN_FUNCTIONS, Builder
from ..expr.symbols import SymbolInfo, make_scalar

STEP_SECONDS = 5


class StepTimeout(Exception):
    pass


@dataclass(frozen=True)
class StepResult:
    index: int
    line: int
    latex: str
    status: str                     # ok | wrong | unparsed | unknown
    move: str = ""                  # what the checker recognised: identity, gradient = 0, ...
    reason: str = ""
    counterexample: dict | None = None
    condition: str = ""             # for ok steps that need an assumption
    part: str = ""
    ms: float = 0.0                 # time spent checking this step


@dataclass(frozen=True)
class AnswerResult:
    latex: str
    status: str                     # correct | wrong | missing | unknown
    convention: str = ""
    reason: str = ""
    counterexample: dict | None = None
    line: int | None = None


@dataclass
class PartCheck:
    part: str
    steps: list[StepResult] = field(default_factory=list)
    final_answer: AnswerResult | None = None
    resemblance: int = 0            # kinds of function the final value shares with this part's answer

    @property
    def first_wrong_step(self):
        return next((s.index for s in self.steps if s.status == "wrong"), None)


def _ce(verdict: Verdict) -> dict | None:
    ce = verdict.counterexample
    if ce is None:
        return None
    return {"values": dict(ce.values), "left": ce.left, "right": ce.right}


def _alarm(seconds):
    def handler(signum, frame):
        raise StepTimeout()

    try:
        signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        return True
    except ValueError:  # not the main thread: no per-step timer (the worker has its own limit)
        return False


def _disarm(armed):
    if armed:
        signal.setitimer(signal.ITIMER_REAL, 0)


class PartChecker:
    """Judges the lines of one part against the spec's part and the engine's derived answer."""

    def __init__(self, spec, part, definitions: dict, answers: list[tuple[str, object]], aliases: dict | None = None,
                 step_seconds: float = STEP_SECONDS):
        self.spec, self.part = spec, part
        self.table = part.table.copy()
        self.ctx = Context(self.table, {**_answer_as(part), **definitions})
        self.ctx.held = {part.table[n].obj for n in part.uses if n in part.table}   # values from earlier parts
        self.answers = answers              # [(convention name, answer value)], the part's own first
        self.aliases = aliases or {}
        self.step_seconds = step_seconds
        goal = part.goal
        # the symbol solved for; in a gradient or an update step, w is a variable, not an unknown
        self.unknown = self.table[goal.wrt].obj if goal.wrt and goal.kind not in ("gradient", "step", "unroll") else None
        self.state = self._initial_state()
        self.accepted: list = []            # equations accepted so far (for consistency checks)
        self.new_symbols: list[str] = []
        self.student_names: set[str] = set()   # names the student defined (and may redefine)
        self.stated = None                      # ("objective", value): the objective or Lagrangian the student stated
        self.relations: dict = {}               # source line -> its last '=' as an equation (for final answers)
        self.distinct_names: tuple = ()         # index names this line says differ (k ≠ l)

    # -- set-up ---------------------------------------------------------------------------
    def _ce(self, verdict: Verdict) -> dict | None:
        """The counterexample as data, with each symbol's display spelling (λ for lambda)."""
        out = _ce(verdict)
        if out is not None:
            from ..render.printing import symbol_text

            out["display"] = {k: symbol_text(self.table[k].latex) if k in self.table and self.table[k].latex else k
                              for k in out["values"]}
        return out

    def names(self) -> dict[str, str]:
        out = {n: s.latex for n, s in self.table.symbols.items() if s.latex}
        for alias, target in self.aliases.items():
            out.pop(alias, None)
        return out

    def _initial_state(self):
        goal = self.part.goal
        b = Builder(self.table).build
        try:
            if goal.kind == "minimize":
                return ("objective", b(goal.expr).expr)
            if goal.kind == "solve":
                return ("equation", b(goal.expr).expr)
        except ParseError:
            return None
        return None

    # -- one line -----------------------------------------------------------------------------
    def check_line(self, index: int, line, terms: list, ops: list, prev_last) -> tuple[StepResult, object]:
        """Judge one line. Returns its result and the value of its last item (for continuations)."""
        import time

        base = StepResult(index, line.line, line.latex, "ok", part=self.part.id)
        start = time.perf_counter()
        result, last = self._check_line(base, line, terms, ops, prev_last)
        if ops and ops[-1] == "=" and len(terms) >= 2 and result.status != "unparsed":
            try:
                from sympy import Eq

                self.relations[line.line] = Eq(self._build(terms[-2]).expr, self._build(terms[-1]).expr, evaluate=False)
            except Exception:  # noqa: BLE001 - only a final answer stated as an equation needs it
                pass
        return replace(result, ms=round((time.perf_counter() - start) * 1000, 3)), last

    def _check_line(self, base, line, terms, ops, prev_last):
        armed = _alarm(self.step_seconds)
        try:
            self._declare_indices(terms)
            self.ctx.distinct = tuple((self.table[a].obj, self.table[b].obj) for a, b in self.distinct_names
                                      if a in self.table and b in self.table)
            return self._judge(base, line, terms, ops, prev_last)
        except StepTimeout:
            return replace(base, status="unknown", reason=f"timed out after {self.step_seconds:g} s"), None
        except ParseError as err:
            return self._parse_failure(base, err, terms), None
        except DeriveError as err:
            return replace(base, status="unknown", reason=str(err)), None
        except (RecursionError, MemoryError):
            return replace(base, status="unknown", reason="too large to check"), None
        except Exception as err:  # noqa: BLE001 - hostile input must never stop the batch
            return replace(base, status="unknown", reason=f"could not check this line ({type(err).__name__}: {err})"[:300]), None
        finally:
            _disarm(armed)

    def _parse_failure(self, base, err: ParseError, terms) -> StepResult:
        if err.kind == "type":
            hint = self._alias_hint(terms)
            return replace(base, status="wrong", move="type error", reason=err.message + hint)
        return replace(base, status="unparsed", reason=err.message)

    def _alias_hint(self, terms) -> str:
        """Suggest --alias when swapping a name's case makes the line type-check."""
        names = set()
        for t in terms:
            names |= A.names_in(t)
        for name in sorted(names):
            other = name.swapcase() if len(name) == 1 else None
            if other and other in self.table:
                try:
                    for t in terms:
                        self._build(_rename(t, {name: other}))
                except ParseError:
                    continue
                return f" (it type-checks if {name} means {other}: try --alias {name}={other})"
        return ""

    def _builder(self) -> Builder:
        b = Builder(self.table, "", lenient=True)
        b.call_names = {self.part.goal.wrt} | self.student_names if self.part.goal.wrt else set(self.student_names)
        return b

    def _build(self, node):
        return self._builder().build(_rename(node, self.aliases))

    def _declare_indices(self, terms) -> None:
        """Build the line once so that its free indices (k, l) are in the table before the
        'k ≠ l' condition is applied to them."""
        if not self.distinct_names:
            return
        try:
            for t in terms:
                self._build(_rename(t, self.aliases))
        except Exception:  # noqa: BLE001 - the line is judged (and its error reported) right after
            pass

    def _declare_unknown_names(self, terms) -> None:
        """Names the spec does not know: a new scalar (a multiplier, a constant) unless the name
        looks like a typo of a known one, which stays an error with a suggestion."""
        for t in terms:
            t = _rename(t, self.aliases)
            for name in sorted(A.names_in(t) - _index_names(t)):
                if name in self.table or name in ("I", "pi", "inf"):
                    continue
                if _is_call_head(t, name):
                    continue
                if difflib.get_close_matches(name, list(self.table.symbols), n=1, cutoff=0.75):
                    continue
                self.table.add(SymbolInfo(name, "scalar", make_scalar(name, (), None), latex=name))
                self.new_symbols.append(name)

    def _judge(self, base, line, terms, ops, prev_last):
        terms = [_rename(t, self.aliases) for t in terms]
        if len(terms) == 1 and isinstance(terms[0], A.Call) and terms[0].func == "argmin":
            return self._objective(base, terms[0]), None
        if any(isinstance(n, A.Call) and n.func == "extremal_value" for t in terms for n in A.walk(t)):
            return replace(base, status="unknown", move="constrained minimum",
                           reason="the value of a minimum under a constraint is not checked"), None
        argmins = [k for k, t in enumerate(terms) if isinstance(t, A.Call) and t.func in ("argmin", "argmax")]
        if argmins and len(terms) > 1 and all(op == "=" for op in ops):
            # δ* = argmin_{‖δ‖≤ε} gᵀδ = −ε g/‖g‖: the objective is checked, then δ* = −ε g/‖g‖
            stated = self._objective(base, terms[argmins[0]])
            if stated.status != "ok":
                return stated, None
            rest = [t for k, t in enumerate(terms) if k not in argmins]
            if len(rest) < 2:
                return stated, None
            return self._judge(base, line, rest, ["="] * (len(rest) - 1), prev_last)
        if ops and all(op in ("<=", "<", ">=", ">") for op in ops):
            if self._assumption_holds(terms, ops):
                return replace(base, move="inequality", reason="holds under the problem's assumptions"), None
            return replace(base, status="unknown", move="inequality", reason="inequalities are not checked"), None
        defined = self._maybe_define(terms, ops)
        if defined is not None:
            base, terms, ops = defined(base), terms[1:], ops[1:]
            if len(terms) == 1:
                value = self._build(terms[0]).expr
                return base, value
        self._declare_unknown_names(terms)
        values = [self._build(t) for t in terms]
        items = [v.expr for v in values]
        if line.continues and line.lead == "=" and prev_last is not None:
            items = [prev_last] + items
            ops = ["="] + list(ops)
        if len(items) == 1:
            return replace(base, move=base.move or "expression", reason=base.reason or "an expression on its own; nothing to compare"), items[0]
        conditions = []
        leading = self.unknown is not None and len(items) > 2 and all(op == "=" for op in ops) \
            and (items[0] == self.unknown or self._is_equation(items[0], items[1]))
        if leading and not same_value(items[0], items[1], self.ctx).ok:
            # u = a = b, or lhs = a = b: the first '=' is the equation, the later ones identities
            for k, (a, b) in enumerate(zip(items[1:], items[2:])):
                v = same_value(a, b, self.ctx)
                if not v.ok and self._chain_at_answer(items):
                    return self._system(base, items), items[-1]
                if not v.ok:
                    return replace(base, status="wrong" if v.status != "unknown" else "unknown", move="identity",
                                   reason=f"item {k + 3} of the chain does not equal what precedes it",
                                   counterexample=self._ce(v)), b
            result = self._equation(base, items[0], items[-1], conditions)
            if result.status == "wrong" and self._chain_at_answer(items):
                return self._system(base, items), items[-1]     # c = wᵀw = 1/4 + 1/4: the value at the optimum
            return result, items[-1]
        unchecked = []
        for k, (a, b) in enumerate(zip(items, items[1:])):
            last = k == len(items) - 2
            if k < len(ops) and ops[k] != "=":
                unchecked.append(ops[k])     # a ≥ b in a chain of equalities: the '=' links are checked
                continue
            v = self._unassumed(same_value(a, b, self.ctx), a, b)
            if v.ok:
                if v.condition:
                    conditions.append(v.condition)
                continue
            if last and self._is_equation(a, b):
                return self._equation(base, a, b, conditions, head=items[0]), b
            if v.status == "unknown":
                return replace(base, status="unknown", reason=v.reason), b
            if self._is_equation(a, b) and self._chain_at_answer(items):
                return self._system(base, items), items[-1]
            undefined = sorted(n for n in self.new_symbols if n not in self.student_names
                               and any(getattr(x, "has", lambda *s: False)(self.table[n].obj) for x in (a, b)))
            if undefined:
                return replace(base, status="unknown", move="identity",
                               reason=f"'{undefined[0]}' is not defined in the problem or the write-up; "
                                      f"define it or pass --alias {undefined[0]}=NAME"), b
            return replace(base, status="wrong", move="identity",
                           reason=f"{_side(k)} does not equal what precedes it" + (f": it {v.reason}" if v.reason.startswith("holds only") else ""),
                           counterexample=self._ce(v)), b
        move = base.move or self._identity_move(items)
        if unchecked:
            return replace(base, status="unknown", move=move,
                           reason="its equalities hold; its inequalities are not checked"), items[-1]
        result = replace(base, move=move, condition=" and ".join(conditions),
                         reason=base.reason or ("holds only when " + " and ".join(conditions) if conditions else ""))
        return result, items[-1]

    def _unassumed(self, v: Verdict, a, b) -> Verdict:
        """An identity that holds only when a symbol of the problem is positive (sign(w*) = 1 when
        only x ≠ 0 is assumed) uses an assumption the problem does not make: it is wrong, with
        the instance that shows it. A scalar the student introduced may be taken positive."""
        from ..equivalence import _numeric_compare

        if v.status != "equivalent-under" or not v.condition:
            return v
        names = {part.split(" > ")[0].strip() for part in v.condition.split(" and ")}
        if names <= set(self.new_symbols):
            return v
        plain = _numeric_compare(self.ctx.expand_definitions(a), self.ctx.expand_definitions(b), self.ctx)
        if plain.status != "not-equivalent":
            return v
        return replace(plain, reason=f"holds only when {v.condition}, which the problem does not assume")

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

    def _chain_at_answer(self, items) -> bool:
        """``w₁ = w₂ = 1/2``: a chain of equations, every link of which holds at the derived
        solution (and is not an identity)."""
        from sympy import Eq

        from sympy import Derivative

        from ..expr.objects import Grad
        from ..rules.calculus import to_scalar

        u = self.unknown
        if u is None or not self.answers or any(getattr(x, "has", lambda *a: False)(Derivative, Grad) for x in items):
            return False        # a wrong derivative set to zero can still vanish at the solution
        ctx = self._without_unknown()
        scalars = [to_scalar(x) if getattr(x, "shape", None) == (1, 1) else x for x in items]
        if len({bool(getattr(x, "is_Matrix", False)) for x in scalars}) > 1:
            return False
        links = [Eq(a, b, evaluate=False) for a, b in zip(scalars, scalars[1:])]
        for _, value in self.answers:
            if getattr(value, "shape", None) != getattr(u, "shape", None):
                continue
            if all(satisfies(eq, u, value, ctx, check_domain=False).ok for eq in links):
                return True
        return False

    def _system(self, base, items):
        from sympy import Eq

        from ..rules.calculus import to_scalar

        items = [to_scalar(x) if getattr(x, "shape", None) == (1, 1) else x for x in items]
        for a, b in zip(items, items[1:]):
            self.accepted.append(Eq(a, b, evaluate=False))
        return replace(base, move="equations that hold at the derived solution")

    def _identity_move(self, items) -> str:
        """Name what an identity chain does: substitute a given or earlier result, take
        expectations, or just rewrite."""
        from ..expr.objects import E, Var

        if any(getattr(x, "has", lambda *s: False)(E, Var) for x in items):
            return "takes expectations"
        used = [s for s in self.ctx.definitions
                if any(getattr(x, "has", lambda *a: False)(s) for x in items)
                and not all(getattr(x, "has", lambda *a: False)(s) for x in items)]
        if used:
            return "substitutes " + ", ".join(sorted(str(s) for s in used))
        return "identity"

    def _is_equation(self, a, b) -> bool:
        if self.unknown is None:
            return False
        if _mentions(a, self.unknown) or _mentions(b, self.unknown) or self._mentions_new(a, b):
            return True
        return any(_mentions(self.ctx.expand_definitions(x), self.unknown) for x in (a, b))

    def _mentions_new(self, a, b) -> bool:
        new = {self.table[n].obj for n in self.new_symbols}
        return any(getattr(x, "has", lambda *s: False)(*new) for x in (a, b)) if new else False

    def _maybe_define(self, terms, ops):
        """``J(w) = …`` or ``L = …`` with a name the spec does not know: the student defines it."""
        if not ops or ops[0] != "=" or len(terms) < 2:
            return None
        head = terms[0]
        self._declare_unknown_names(terms[1:])
        if isinstance(head, A.Call) and all(isinstance(a, A.Name) for a in head.args):
            self._declare_unknown_names([A.Call("_", head.args)])
        if isinstance(head, (A.Call, A.Name)) and getattr(head, "func", getattr(head, "id", None)) in self.student_names:
            # the student redefines it (an earlier redefinition that failed to build already removed it)
            self.table.symbols.pop(getattr(head, "func", getattr(head, "id", None)), None)
        if isinstance(head, A.Call) and head.func not in self.table and head.func not in _BUILTINS and \
                all(isinstance(a, A.Name) and a.id in self.table for a in head.args):
            params = tuple(a.id for a in head.args)
            self.table.add(SymbolInfo(head.func, "function", None, params=params, body=terms[1], latex=head.func))
            name = head.func
            self.student_names.add(name)
        elif isinstance(head, A.Name) and head.id not in self.table and head.id not in ("I", "pi"):
            value = self._build(terms[1])
            from sympy import MatrixSymbol, Symbol

            obj = Symbol(head.id, real=True) if value.shape is None else MatrixSymbol(head.id, *value.shape)
            self.table.add(SymbolInfo(head.id, "defined", obj, shape=value.shape))
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
            else:
                return lambda base: replace(base, status="wrong", move="states the objective",
                                            reason=f"{name} is not the problem's objective", counterexample=self._ce(v))
        return lambda base: replace(base, move=move, reason=reason)

    def _could_be_objective(self, head, value) -> bool:
        """A name can restate the objective only if it is a scalar in the unknown (``J(w) = …``);
        ``r = Xw − t`` or ``c = Xᵀa`` are names for parts of the work."""
        u = self.unknown
        if u is None or (getattr(value, "is_Matrix", False) and value.shape != (1, 1)):
            return False
        if isinstance(head, A.Call) and any(isinstance(a, A.Name) and a.id == self.part.goal.wrt for a in head.args):
            return True
        return _mentions(value, u)

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

    # -- equations ------------------------------------------------------------------------------
    def _equation(self, base, a, b, conditions, head=None) -> StepResult:
        from sympy import Eq

        from ..rules.calculus import to_scalar

        if getattr(a, "is_Matrix", False) != getattr(b, "is_Matrix", False):
            m, other = (a, b) if getattr(a, "is_Matrix", False) else (b, a)
            if m.shape == (1, 1):
                a, b = to_scalar(a), to_scalar(b)  # a 1×1 product against a scalar: compare as scalars
            elif other == 0:
                a, b = (m, _zero(m)) if m is a else (_zero(m), m)  # "= 0" for a vector means the zero vector
        eq = Eq(a, b, evaluate=False)
        state = self.state
        verdict, move = None, "equation"
        if state and state[0] == "objective":
            verdict, move = self._stationary(state[1], eq), "sets the gradient to zero"
        elif state and state[0] == "equation":
            verdict, move = self._same_equation(state[1], eq), "equivalent equation"
            if not verdict.ok:
                implied = self._implied(state[1], eq)
                if implied is not None and implied.ok:
                    verdict, move = implied, "follows from the previous equation"
        for fallback, words in ((self._consistent, "follows from the equations so far"),
                                (self._matches_goal, "agrees with the problem's equation"),
                                (self._gives_answer, "gives the derived solution"),
                                (self._active_constraint, "the constraint is active at the optimum")):
            if verdict is not None and verdict.ok:
                break
            other = fallback(eq)
            if other is not None and other.ok:
                verdict, move = other, words
        if (verdict is None or not verdict.ok) and self._partial_of_own_function(a if head is None else head, b):
            verdict, move = Verdict("equivalent", "stationarity"), "sets a partial derivative of the stated function to zero"
        if verdict is None:
            verdict, move = Verdict("unknown", reason="nothing to compare this equation with"), "equation"
        self.state = ("equation", eq)
        self.accepted.append(eq)
        target = _solved_symbol(eq)
        if target is not None and (verdict.ok or verdict.status == "unknown"):
            self.ctx.definitions[target] = eq.rhs  # later lines may use it: substituting an earlier result
            self.ctx.held.add(target)
        elif verdict.ok and (isolated := _isolated(eq, self.unknown)) is not None:
            self.ctx.definitions[self.unknown] = isolated     # u − u₀ = −v/(2μ) gives u
            self.ctx.held.add(self.unknown)
        if verdict.ok:
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
        multipliers = {self.table[n].obj: 0 for n in self.new_symbols if n in self.table}
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
        if node is None or len(node.left.args) != 1:
            return None
        b = Builder(self.part.table)
        active = Eq(b.build(node.left).expr, b.build(node.right).expr, evaluate=False)
        ctx, mapping = self._positive_new_symbols()
        vary = [ctx.table[n].obj for n in self.new_symbols] + [self.unknown]
        return proportional(active, eq.xreplace(mapping), ctx, vary=vary)

    def _positive_new_symbols(self):
        """The context with the student's new scalars taken positive (multipliers at an active
        constraint, scale factors): used only for the constraint check."""
        table = self.table.copy()
        for name in self.new_symbols:
            info = table[name]
            table.symbols[name] = SymbolInfo(name, info.kind, make_scalar(name, ("positive",), None), latex=info.latex,
                                             assumptions=("positive",))
        mapping = {self.table[n].obj: table[n].obj for n in self.new_symbols}
        defs = {k.xreplace(mapping): v.xreplace(mapping) for k, v in self.ctx.definitions.items()}
        held = {mapping.get(h, h) for h in self.ctx.held}
        return Context(table, defs, seed=self.ctx.seed, held=held), mapping

    def _same_equation(self, prev, eq) -> Verdict:
        target = _solved_symbol(eq)
        if target is not None and target != self.unknown and not getattr(target, "is_Matrix", False):
            return _scalar_equations_agree(prev, eq, target, self.ctx)
        u = self.unknown
        if getattr(u, "is_Matrix", False):
            v = same_solutions(prev, eq, u, self.ctx)
            return proportional(prev, eq, self.ctx, vary=[u]) if v.status == "unknown" else v
        return _scalar_equations_agree(prev, eq, u, self.ctx)

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
            checked = satisfies(prev, lhs, eq.rhs, ctx)
            if not checked.ok:
                return checked
        return checked

    # -- the final answer -----------------------------------------------------------------------
    def final_answer(self, line, value) -> AnswerResult:
        """The verdict on the final answer, under the same time limit and safety net as a line."""
        latex = line.latex
        if value is None:
            return AnswerResult(latex, "unknown", reason="the final line could not be read", line=line.line)
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

        from ..rules.calculus import to_scalar

        eq = self.relations.get(line.line)
        u = self.unknown
        if eq is None or u is None or _solved_symbol(eq) is not None:
            return None
        sides = [to_scalar(x) if getattr(x, "shape", None) == (1, 1) else x for x in (eq.lhs, eq.rhs)]
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
        stated = self._answer_equation(line)
        if stated is not None:
            return stated
        for name, expected in self.answers:
            v = same_value(value, expected, self.ctx)
            if v.ok:
                return AnswerResult(latex, "correct", convention=name, line=line.line)
            if v.status == "unknown":
                return AnswerResult(latex, "unknown", reason=v.reason, line=line.line)
        v = same_value(value, self.answers[0][1], self.ctx)
        return AnswerResult(latex, "wrong", reason="differs from the derived answer", counterexample=self._ce(v), line=line.line)


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


def _solved_symbol(eq):
    """``v`` for an equation ``v = expr`` with expr free of v, else None."""
    from sympy import MatrixSymbol, Symbol

    lhs = getattr(eq, "lhs", None)
    if isinstance(lhs, (Symbol, MatrixSymbol)) and not eq.rhs.has(lhs):
        return lhs
    return None


def _is_zero_matrix(m) -> bool:
    return getattr(m, "is_ZeroMatrix", False) or (getattr(m, "is_Matrix", False) and getattr(m, "is_zero_matrix", False) is True)


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


def _isolated(eq, u):
    """``u`` from ``u + c = r`` (c and r free of u): ``r − c``; None for any other form."""
    from sympy import Add, MatAdd

    lhs, rhs = getattr(eq, "lhs", None), getattr(eq, "rhs", None)
    if u is None or not isinstance(lhs, (Add, MatAdd)) or u not in lhs.args or _mentions(rhs, u):
        return None
    rest = [a for a in lhs.args if a != u]
    if any(_mentions(a, u) for a in rest):
        return None
    return rhs - (MatAdd(*rest) if getattr(u, "is_Matrix", False) else Add(*rest))


def _index_names(node) -> set:
    return {n.index.id for n in A.walk(node) if isinstance(n, A.Index) and isinstance(n.index, A.Name)}


_BUILTINS = KNOWN_FUNCTIONS | {"argmin"}


def _zero(m):
    from sympy import ZeroMatrix

    return ZeroMatrix(*m.shape)


def _side(k: int) -> str:
    return "the right-hand side" if k == 0 else f"item {k + 2} of the chain"


def _mentions(expr, sym) -> bool:
    return sym is not None and bool(getattr(expr, "has", lambda s: False)(sym))


def _is_call_head(node, name) -> bool:
    return any(isinstance(n, A.Call) and n.func == name for n in A.walk(node))


def _rename(node, aliases: dict):
    """The AST with names replaced per ``aliases`` (student spelling -> spec name)."""
    if not aliases:
        return node
    if isinstance(node, A.Name):
        return A.Name(aliases.get(node.id, node.id), node.pos)
    if isinstance(node, A.Call):
        return A.Call(aliases.get(node.func, node.func), tuple(_rename(a, aliases) for a in node.args), node.pos)
    if isinstance(node, A.SumOver):
        return A.SumOver(_rename(node.body, aliases), node.index, node.lower and _rename(node.lower, aliases),
                         node.upper and _rename(node.upper, aliases), node.pos)
    if isinstance(node, (A.BinOp, A.Rel)):
        return type(node)(node.op, _rename(node.left, aliases), _rename(node.right, aliases), node.pos)
    if isinstance(node, (A.Neg, A.Transpose)):
        return type(node)(_rename(node.operand, aliases), node.pos)
    if isinstance(node, A.Index):
        return A.Index(_rename(node.base, aliases), _rename(node.index, aliases), node.pos)
    return node


def _small_polynomial(e, u, degree: int = 4, ops: int = 80) -> bool:
    """Is e (over a common denominator) a polynomial of low degree in u, of modest size? Only
    then is SymPy's solve bounded in time; anything else is compared by proportional residuals."""
    from sympy import count_ops, fraction, together

    try:
        if count_ops(e) > ops:
            return False
        num, _ = fraction(together(e))
        poly = num.as_poly(u)
        return poly is not None and poly.degree() <= degree and all(
            not c.has(u) and count_ops(c) <= ops for c in poly.all_coeffs())
    except Exception:  # noqa: BLE001 - not a polynomial we can read
        return False


def _scalar_equations_agree(prev, eq, u, ctx) -> Verdict:
    """Two scalar equations in u agree when each one's roots satisfy the other."""
    from sympy import solve

    from ..rules.tidy import freeze

    roots = {}
    for name, e in (("prev", prev), ("new", eq)):
        r = ctx.expand_definitions(residual(e))
        frozen, undo = freeze(r)
        if not frozen.has(u):
            return proportional(prev, eq, ctx, vary=[u])
        if not _small_polynomial(frozen, u):
            return proportional(prev, eq, ctx, vary=[u])   # solve() can run without end on hostile forms
        try:
            sols = solve(frozen, u, dict=False)
        except Exception:  # noqa: BLE001 - an unsolvable form falls back to proportional residuals
            return proportional(prev, eq, ctx, vary=[u])
        roots[name] = [s.xreplace(undo) for s in sols]
    if not roots["prev"] or not roots["new"]:
        return proportional(prev, eq, ctx, vary=[u])
    for root in roots["new"]:
        v = satisfies(prev, u, root, ctx)
        if not v.ok:
            return v
    for root in roots["prev"]:
        v = satisfies(eq, u, root, ctx)
        if v.ok:
            return v
    return satisfies(eq, u, roots["prev"][0], ctx)

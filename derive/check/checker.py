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

The moves live in mixins: ``definitions.py`` (names and the stated objective), ``equations.py``
(equations in the unknown, systems of them), ``answers.py`` (chains at the solution and the final
answer) and ``values.py`` (specialised, example and updated values; inequalities).
"""
from __future__ import annotations

import re
from dataclasses import replace

from ..equivalence import Context, Verdict, same_value
from ..errors import DeriveError, ParseError
from ..expr import ast as A
from ..expr.build import Builder
from .algebra import _derivative_claim, _direction, _family_members, _mentions, _rename, _side
from .answers import AnswerMoves, _answer_as
from .definitions import DefinitionMoves, GenericRules
from .typing_names import NameTyping
from .equations import EquationMoves
from .values import ValueMoves
from .results import STEP_SECONDS, StepResult, StepTimeout, _alarm, _ce, _disarm


AS_STATED = "holds under the stated condition"      # the move of a line checked where a condition holds
UNUSED_SYMBOL = "an equation in a symbol the goal does not use"   # a sign that a file may answer another part
SUPPOSITION_LINES = 2       # the lines after 'Suppose …' read as following from it (a proof by contradiction)
_LEADS = "iff|if|when|whenever|unless|provided|suppose|assuming|smallest for|largest for"   # words before a condition
_CONDITION_WORDS = re.compile(
    rf"\b({_LEADS})\s*\(?\s*$"                                                          # "= 1 if $z > 0$"
    r"|\b(if|when|whenever|unless)\b(?![^.;:]*\b(then|we get|gives?|so|hence|we have|thus)\b)[^.;:]*\b(or|and)\s*\(\s*$"
    r"|^(if|suppose|assume|assuming)\b(?!.*\b(then|we get|gives?|so|hence|yields?|we have|obtain|thus)\b)"
    r"|\b(only if|if and only if|exactly when|precisely when)\b(\s+[\w'-]+){0,10}\s*,?\s*$"     # "… only if the largest weight has magnitude one, ‖w‖∞ = 1"
    r"|\bwould\s+(need|have|be|require|get|give|hold|say|mean|imply|force)\b[^.;:]*$", re.I)    # "so we would need s_k = W_k s_0 = 0": a supposition

_CONDITION_WORD = re.compile(rf"\b({_LEADS}|assume|only if|exactly when|precisely when|would)\b", re.I)


class PartChecker(NameTyping, DefinitionMoves, GenericRules, EquationMoves, AnswerMoves, ValueMoves):
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
        # the symbol solved for; in a gradient or an update step, w is a variable, not an unknown (but a
        # proximal step is a minimiser: its stationarity condition is an equation in w)
        solved = goal.kind not in ("gradient", "step", "unroll", "weight_matrix") or (goal.kind == "step" and goal.rule == "proximal")
        self.unknown = self.table[goal.wrt].obj if goal.wrt and solved else None
        self.specialized = self._specialize(part)        # the part's own values (w₁ = 0, t = 2)
        self.state = self._initial_state()
        self.accepted: list = []            # equations accepted so far (for consistency checks)
        self.shown: list = []               # those of them that were shown to follow (premises of a system)
        self.components: dict = {}          # entry index -> a value the student gave it (w₁ = …, w₂ = …)
        self.new_symbols: list[str] = []
        self.open_names: list[str] = []         # names a form of the solution introduced, whose condition may follow
        self.carrying = False                   # reading an earlier part's definitions again (run._carry_definitions)
        self.supposing = 0                      # lines left under a supposition ('Suppose …'), which may be false
        self.line_names: dict = {}              # (line, latex) -> the names its last item uses (an answer on guessed names is unknown)
        self.carried_renames: set = set()       # names an earlier part's change of variables bound: a new one may rebind them
        self.forms: dict = {}                   # the unknown -> the form the write-up gave it (w = Xᵀc + r)
        self.line_new: list[str] = []
        self.entry_vectors: set = set()         # vectors read as their named entries (u = (u1, u2))
        self.unread_guesses: set = set()        # guessed names of lines that could not be judged (R in P = RᵀR)
        self.layer_outputs: dict = {}           # y₁, y₂, … of a weight-matrix part: numbering -> [matches, misses]
        self.standing: list = []                # (lhs, op, rhs) stated in prose ('for 0 < αλ < 1'), used later
        self.in_cases = False                   # the part states conditions of its own ('= 1 when z₁ > 0')
        self.chain_end = None                   # the last item of a line that ends in an inequality
        self.identity = None                    # (lhs, rhs) of a show goal, for a rearranged final line
        self.bound = None                       # (lhs, direction, rhs) of a bound goal's derived inequality
        self.inequalities: dict = {}            # (source line, math) -> (first, last item, direction) of a chain
        self.condition_answer = None            # (unknown, op, bound): the derived answer of a condition part
        self.worked_example = ""                # 'n = 2': the part goes on with a toy case
        self.replaced_symbols: dict = {}        # name -> its symbol before an example moved it to a plane
        self.example_start = None               # (source line, math) of 'for example p = 0.8': no answer after it
        self.before_example = None              # the snapshot() taken before that example
        self.rebound: set = set()               # names the write-up gave a new meaning with '=:' (w₁ = w₂ =: w)
        self.student_names: set[str] = set()   # names the student defined (and may redefine)
        self.stated = None                      # ("objective", value): the objective or Lagrangian the student stated
        self.heads: dict = {}                   # (source line, math) -> the first item of an all-'=' chain
        self.relations: dict = {}               # (source line, math) -> its last '=' as an equation (for final answers)
        self.distinct_names: tuple = ()         # index names this line says differ (k ≠ l)
        self.condition = None                   # (terms, op): the condition stated right after this line ('when z₁ > 0')
        self.case = None                        # the same, when the prose says 'if' or 'when': a case of the solution
        self.earlier: dict = {}                 # symbol -> (part id, value) solved for in an earlier part (w* of 1a)

    # -- set-up ---------------------------------------------------------------------------
    def _ce(self, verdict: Verdict) -> dict | None:
        """The counterexample as data, with each symbol's display spelling (λ for lambda)."""
        out = _ce(verdict)
        if out is not None:
            from ..render.printing import symbol_text

            out["display"] = {k: symbol_text(self.table[k].latex) if k in self.table and self.table[k].latex else k
                              for k in out["values"]}
        return out

    def snapshot(self) -> tuple:
        """What a line can change that the final answer reads: the definitions in force, the values
        held, the derived answers."""
        return dict(self.ctx.definitions), set(self.ctx.held), list(self.answers)

    def restore(self, state: tuple) -> None:
        definitions, held, answers = state
        self.ctx.definitions.clear()
        self.ctx.definitions.update(definitions)
        self.ctx.held.clear()
        self.ctx.held.update(held)
        self.answers = answers

    @property
    def guessed_names(self) -> set[str]:
        """Names declared only because a line used them: nothing in the problem or the write-up
        defines them."""
        return set(self.new_symbols) - self.student_names

    def names(self) -> dict[str, str]:
        """Spellings for the parser. A guessed name (w in ℓ(w*)) is left out, so that its decorated
        spellings (w⁽¹⁾) stay names of their own."""
        guessed = self.guessed_names
        out = {n: s.latex for n, s in self.table.symbols.items() if s.latex and n not in guessed}
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
        terms = self._entry_heads(terms)
        self.line_names[(line.line, line.latex)] = A.names_in(terms[-1]) if terms else set()
        result, last = self._check_line(base, line, terms, ops, prev_last)
        result = self._unread_guess(result, terms)
        self.chain_end = None               # '… ≤ Σ s_j' then '&= …' on the next row: it goes on from Σ s_j
        if ops and ops[-1] in ("<", "<=", ">", ">=") and result.status != "unparsed":
            try:
                self.chain_end = self._build(terms[-1]).expr
            except Exception:  # noqa: BLE001 - a bound that cannot be read: the next row goes on from the value
                pass
        if self.worked_example and result.status == "wrong":
            result = replace(result, status="unknown", counterexample=None,
                             reason=f"inside the worked example ({self.worked_example}), whose other values are not all given")
        if ops and ops[-1] == "=" and len(terms) >= 2 and result.status != "unparsed":
            try:
                from sympy import Eq

                self.relations[(line.line, line.latex)] = Eq(self._build(terms[-2]).expr, self._build(terms[-1]).expr, evaluate=False)
                self.heads[(line.line, line.latex)] = self._build(terms[0]).expr if all(op == "=" for op in ops) else None
            except Exception:  # noqa: BLE001 - only a final answer stated as an equation needs it
                pass
        if self.bound is not None and line.continues and line.lead in ("<", "<=", ">", ">=") and all(op == "=" for op in ops):
            try:        # '&\le R' (or '&\ge R = ψ(m/ρ)') closing a chain: the bound it states, checked or not
                self.inequalities[(line.line, line.latex)] = (None, self._build(terms[-1]).expr, _direction([line.lead]))
            except Exception:  # noqa: BLE001 - only a bound part's final answer needs it
                pass
        if self.bound is not None and len(terms) >= 2 and set(ops) & {"<", "<=", ">", ">="} and result.status in ("ok", "unknown"):
            heads = (None,) if line.continues and line.lead == "=" else (terms[0], None)    # '&= … ≤ R': R closes the chain
            for first in heads:             # Σ(f_j − f_j(u)) ≤ R with u named nowhere: R is still the bound stated
                try:
                    self.inequalities[(line.line, line.latex)] = (first and self._build(first).expr,
                                                                  self._build(terms[-1]).expr, _direction(ops))
                    break
                except Exception:  # noqa: BLE001 - only a bound part's final answer needs it
                    continue
        return replace(result, ms=round((time.perf_counter() - start) * 1000, 3)), last

    def _check_line(self, base, line, terms, ops, prev_last):
        armed = _alarm(self.step_seconds)
        self.line_new = []                  # names first met in this line
        self.names_before = set(self.student_names)
        try:
            self._declare_indices(terms)
            self.ctx.distinct = tuple((self.table[a].obj, self.table[b].obj) for a, b in self.distinct_names
                                      if a in self.table and b in self.table)
            return self._judge(base, line, terms, ops, prev_last)
        except StepTimeout:
            return replace(base, status="unknown", reason=f"timed out after {self.step_seconds:g} s"), None
        except ParseError as err:
            if err.kind == "shape" and (rule := self._generic_rule(base, terms, ops)) is not None:
                return rule, None
            if err.kind == "name" and (fact := self._fact_in_fresh_names(base, terms, ops)) is not None:
                return fact, None
            known = {n for n in self.table.symbols if n not in self.student_names and n not in self.line_new}
            if (members := _family_members(terms, known)) is not None:
                self._forget_line_names()       # v_i = (1 − β)g_i² read member by member: v₁, v₂ are new
                for name in members[0]:         # not a name or family of the student's own after all
                    if name in self.student_names or name in self.line_new:
                        self.student_names.discard(name)
                        self.table.symbols.pop(name, None)
                        if name in self.new_symbols:
                            self.new_symbols.remove(name)
                return self._each_member(base, line, terms, ops, members), None
            return self._parse_failure(base, err, terms), None
        except DeriveError as err:
            return replace(base, status="unknown", reason=str(err)), None
        except (RecursionError, MemoryError):
            return replace(base, status="unknown", reason="too large to check"), None
        except Exception as err:  # noqa: BLE001 - hostile input must never stop the batch
            return replace(base, status="unknown", reason=f"could not check this line ({type(err).__name__}: {err})"[:300]), None
        finally:
            _disarm(armed)

    def _unread_guess(self, result: StepResult, terms) -> StepResult:
        """``P = RᵀR`` could not be read (R, never defined, was taken for a number): a later line
        that is wrong only through R (``vᵀPv = (Rv)ᵀ(Rv)``) rests on what the checker could not
        read, so it is unknown. The guessed names of every line not judged are remembered."""
        named = set().union(*(A.names_in(t) for t in terms)) if terms else set()
        constrained = {str(x) for e in self.accepted for x in getattr(e, "free_symbols", ())}
        guessed = (named & self.guessed_names) - constrained     # α in an accepted v = Aᵀα is no guess
        if result.status in ("unknown", "unparsed") and result.move != UNUSED_SYMBOL:
            self.unread_guesses |= guessed
        elif result.status == "wrong" and (rests := sorted(guessed & self.unread_guesses)):
            return replace(result, status="unknown", counterexample=None,
                           reason=f"rests on {rests[0]}, which nothing defines and whose earlier line could not be "
                                  f"read; not judged ({result.reason})")
        return result

    def _parse_failure(self, base, err: ParseError, terms) -> StepResult:
        named = set().union(*(A.names_in(t) for t in terms))
        zeros = {n for n in named & self.student_names if getattr(self.table.get(n), "shape", 1) is None
                 and self._number_or_guess(self.table[n].obj)}
        guessed = sorted(named & set(self.new_symbols) | zeros | (named & self.rebound))   # S₀ = 0; w after '=: w'
        if err.kind == "shape" and re.search(r"\^\s*\{\s*\(\s*[a-zA-Z]\s*\)", base.latex):
            self._forget_line_names()           # W_q^{(h)}: a label for any head, read as one matrix
            return replace(base, status="unknown", move="type error",
                           reason=f"{err.message}; a label in a letter (such as (h)) was read loosely, so the shapes are not certain")
        if err.kind == "shape" and (other := sorted(self._names_of_other_parts(named), key=lambda n: f" {n} " not in err.message)):
            self._forget_line_names()           # W_q of part (a), 2×2, written for a head of width d in part (b)
            return replace(base, status="unknown", move="type error",
                           reason=f"{err.message}; this part does not use the problem's {other[0]}, so the write-up "
                                  f"seems to give that name another meaning here")
        if err.kind == "shape" and guessed:      # e₁ taken for a number: the shapes were guessed, not given
            self._forget_line_names()
            return replace(base, status="unknown", move="type error",
                           reason=f"{err.message}, taking {', '.join(guessed)} (not defined here) as a number")
        if err.kind == "shape":
            hint = self._alias_hint(terms)
            return replace(base, status="wrong", move="type error", reason=err.message + hint)
        hint = self._alias_hint(terms) if err.kind == "type" else ""
        self._forget_line_names()
        return replace(base, status="unparsed", reason=err.message + hint)

    def _names_of_other_parts(self, named) -> list[str]:
        """Matrices of the problem in ``named`` that this part's goal does not reach (through its
        givens either) and whose size is fixed by numbers: names of another part's objects."""
        used, todo = set(), [g.expr for g in self.part.goals]
        while todo:
            for name in A.names_in(todo.pop()) - used:
                used.add(name)
                body = getattr(self.spec.table.get(name), "body", None)
                if body is not None:
                    todo.append(body)
        out = []
        for name in sorted(named - used - self.student_names - set(self.new_symbols)):
            info = self.spec.table.get(name)
            shape = getattr(info, "shape", None)
            if info is not None and shape is not None and all(str(n).isdigit() for n in shape) and shape != (1, 1):
                out.append(name)
        return out

    def _number_or_guess(self, obj) -> bool:
        """A scalar name of the write-up's whose value is 0, or rests on names only guessed:
        beside a vector it may well stand for a zero row (S₀ = S₆ = 0)."""
        if obj is None or obj not in self.ctx.definitions:
            return False
        value = self.ctx.expand_definitions(obj)
        guessed = {self.table[n].obj for n in self.new_symbols if n in self.table} - {None}
        return value == 0 or bool(getattr(value, "free_symbols", set()) & guessed)

    def _forget_line_names(self) -> None:
        """A line that could not be read leaves no names behind (o in an unread o_i = … is no
        scalar of the write-up's: o_1 = … later defines a name of its own)."""
        for name in self.line_new:
            if name in self.new_symbols and name not in self.student_names:
                self.new_symbols.remove(name)
                self.table.symbols.pop(name, None)
        for name in self.student_names - getattr(self, "names_before", self.student_names):
            self.student_names.discard(name)            # o_i := … defined in the line that failed
            self.table.symbols.pop(name, None)

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
        wrt = self.part.goal.wrt or _gradient_variable(self.part)
        b.default_wrt = wrt if getattr(self.table.get(wrt), "kind", None) == "vector" else ""   # ∇ of a bare body: in a vector
        b.iterates = self._iterates()
        return b

    def _an_event(self, base, terms, ops):
        """``y' = 1`` for a random y′ (an outcome the prose goes on to describe): an event, never
        an identity between a random quantity and a number. None for any other line."""
        from ..expr.objects import E, Var

        if ops != ["="] or not isinstance(terms[1], A.Num) \
                or any(isinstance(n, A.Call) and n.func in ("E", "Var", "Cov") for n in A.walk(terms[0])):
            return None
        try:
            side = self.ctx.expand_definitions(self._build(terms[0]).expr)
        except ParseError:
            return None
        random = {i.obj for i in self.table.symbols.values() if i.is_random and i.obj is not None}
        if not random or not (getattr(side, "free_symbols", set()) & random) or side.has(E, Var):
            return None
        return replace(base, status="unknown", move="an event", reason="a random quantity set to a value: an outcome, not a fact")

    def _operation_entry(self, base, terms, ops):
        """``(I ∗ J)_{34} = (1+1+1) − (1+1+1) = 0``: the chain after the name must hold, and its value
        must be entry (3, 4) of the derived answer under some reading of the operation. (result,
        value), or None when the name has no two-digit index."""
        head = terms[0]
        if not isinstance(head, A.Index) or not isinstance(head.index, A.Num) or len(head.index.value) != 2 \
                or not head.index.value.isdigit():
            return None
        i, j = int(head.index.value[0]) - 1, int(head.index.value[1]) - 1
        items = self._build_chain(terms[1:])
        for a, b in zip(items, items[1:]):
            v = same_value(a.expr, b.expr, self.ctx)
            if not v.ok:
                return replace(base, status="wrong" if v.status == "not-equivalent" else "unknown", move="identity",
                               reason="the right-hand side does not equal what precedes it", counterexample=self._ce(v)), b.expr
        verdict, name = self._entry_verdict(items[-1].expr, i, j)
        if name is not None:
            return replace(base, move=f"entry ({i + 1}, {j + 1}) of the answer",     # one entry answers nothing
                           reason=f"as entry ({i + 1}, {j + 1}) of the answer ({name})"), None
        if verdict is not None and verdict.status == "not-equivalent":
            return replace(base, status="wrong", move="an entry of the answer", counterexample=self._ce(verdict),
                           reason=f"entry ({i + 1}, {j + 1}) of the derived answer is not this, in any reading"), None
        return None

    def _names_the_operation(self, term) -> bool:
        """``I ⋆ J`` (or I * J) where the part asks for conv(I, J, …) or xcorr(I, J, …): the
        student's name for the operation, whose reading (turned filter or not) the answer decides."""
        goal = self.part.goal.expr
        if isinstance(term, A.Index):
            term = term.base                    # (s ∗ h)_i: an entry of it
        if not (isinstance(goal, A.Call) and goal.func in ("conv", "xcorr") and len(goal.args) >= 2) \
                or not isinstance(term, A.BinOp) or term.op not in ("@", "*"):
            return False
        pairs = [(term.left, term.right)] + ([(term.right, term.left)] if goal.func == "conv" else [])   # h ∗ s = s ∗ h
        return any(pair == tuple(goal.args[:2]) or tuple(getattr(x, "id", None) for x in pair)
                   == tuple(getattr(a, "id", 0) for a in goal.args[:2]) for pair in pairs)

    def _entry_heads(self, terms) -> list:
        """``w_1 = w_2`` with w a vector of two entries: the first item is entry 1 of w, as every
        other w_1 in the line is (the parser reads a subscripted name opening a chain as a name of
        its own, ``u_1 = …`` for an iterate)."""
        import re

        head = terms[0] if terms else None
        m = re.fullmatch(r"([A-Za-z]+)(\d)", getattr(head, "id", "") or "") if isinstance(head, A.Name) else None
        info = self.table.get(m.group(1)) if m else None
        if m is None or head.id in self.table or info is None or info.kind != "vector" \
                or not all(str(n).isdigit() for n in info.obj.shape) or not 1 <= int(m.group(2)) <= int(info.obj.shape[0]):
            return terms
        return [A.Index(A.Name(m.group(1), head.pos), A.Num(m.group(2), head.pos), head.pos)] + list(terms[1:])

    def _iterates(self) -> dict:
        """For an unroll part: {state: (index of the start, the derived k-th iterate, k)}, the
        start's index read off its name (b1: 1, v0: 0)."""
        import re

        goal = self.part.goal
        if goal.kind != "unroll" or not self.answers or not isinstance(goal.start, A.Name):
            return {}
        digits = re.search(r"(\d+)$", goal.start.id)
        return {goal.state: (int(digits.group(1)) if digits else 0, self.answers[0][1], self.table[goal.steps].obj)}

    def _aliases(self, terms=None, ops=None) -> dict:
        """The user's --alias pairs, and 𝓛 for the problem's loss L where 𝓛 can be no Lagrangian
        (no constraint), the student has not defined it and this line does not define it."""
        out = dict(self.aliases)
        head = terms[0] if terms else None
        defining = ops and ops[0] == "=" and getattr(head, "func", getattr(head, "id", None)) == "scriptL"
        if "scriptL" not in self.table and "L" in self.table and self.part.goal.subject_to is None \
                and "scriptL" not in out and not defining:
            out["scriptL"] = "L"
        for short, given in self._decorated_shorthands().items():
            if short not in self.student_names and short not in out:
                out[short] = given
        return out

    def _build(self, node, identity_size=None):
        builder = self._builder()
        builder.identity_size = identity_size
        return builder.build(_rename(node, self._aliases()))

    def _build_chain(self, terms) -> list:
        """Each item built; an item that is only c·I takes the size of a square item beside it."""
        values, pending = [], []
        for k, t in enumerate(terms):
            try:
                values.append(self._build(t))
            except ParseError as err:
                if "size of I" not in err.message:
                    raise
                values.append(None)
                pending.append((k, err))
        sizes = {v.shape[0] for v in values if v is not None and v.shape is not None and v.shape[0] == v.shape[1]}
        for k, err in pending:
            if len(sizes) != 1:
                raise err
            values[k] = self._build(terms[k], identity_size=next(iter(sizes)))
        return values

    def _judge(self, base, line, terms, ops, prev_last):
        if ops and all(op == "=" for op in ops) and _CONDITION_WORDS.search(getattr(line, "before", "")) \
                and not (self.part.goal.wrt and any(self.part.goal.wrt in A.names_in(t) for t in terms)):
            word = _CONDITION_WORD.search(_CONDITION_WORDS.search(line.before).group()).group()
            if word.lower() in ("suppose", "assume", "assuming"):
                self.supposing = SUPPOSITION_LINES     # 'Suppose some W_k did …, and look at n = 0': what follows is hypothetical
            return replace(base, status="unknown", move="a condition",        # "equal iff ‖w‖∞ = 1"
                           reason=f"stated as a condition ('{word}'), not as a fact; not checked"), None
        aliases = self._aliases(terms, ops)
        if self.condition is not None and self.condition[1] == "index":
            first, other = self.condition[0]                     # E[ξ_k ξ_l] = τ² if k = l
            aliases[other.id] = first.id
            base = replace(base, move=f"where {first.id} = {other.id}")
        terms = [_rename(t, aliases) for t in terms]
        if ops and ops[0] == "<-" and len(terms) > 1:
            return self._assignment(base, line, terms, ops)
        if "~" in ops:
            return self._approximation(base, line, terms, ops, prev_last)
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
        if (restricted := self._restriction(base, terms, ops)) is not None:
            return restricted, None
        if (rule := self._point_free_rule(base, terms, ops)) is not None:
            return rule, None
        if (event := self._an_event(base, terms, ops)) is not None:
            return event, None
        special = self._inequality_or_value(base, terms, ops)
        if special is not None:
            return special
        if (entry := self._free_value(base, terms, ops)) is not None:
            return entry, None
        if (named := self._names_a_free_symbol(base, line, terms, ops)) is not None:
            return named
        if len(terms) >= 2 and ops[0] == "=" and self._names_the_operation(terms[0]):
            if (entry := self._operation_entry(base, terms, ops)) is not None:
                return entry                    # (I ∗ J)_{34} = … = 0: that entry of the answer
            terms, ops = terms[1:], ops[1:]     # I ⋆ J = (…) = (…): the part's convolution, by name
            base = replace(base, reason="the first item names the part's convolution; its value is the answer")
        if (named := self._named_solution(base, terms, ops)) is not None:
            return named
        if (rest := self._rest_named(base, terms, ops)) is not None:
            return rest
        self._shadow_by_definition(line, terms, ops)
        defined = self._maybe_define(terms, ops)
        if defined is not None:
            head = terms[0]
            base, terms, ops = defined(base), terms[1:], ops[1:]
            if len(terms) == 1:
                value = self._build(terms[0]).expr
                if (output := self._layer_output(base, head, value)) is not None:
                    return output, value
                return base, value
        self._declare_unknown_names(terms)
        values = self._build_chain(terms)
        items = [self._rate_of_solution(v.expr) for v in values]
        if line.continues and line.lead == "=" and prev_last is not None:
            items = [prev_last] + items
            ops = ["="] + list(ops)
        if len(items) == 1 and line.continues and line.lead in ("<", "<=", ">", ">=") and prev_last is not None:
            carried = prev_last if getattr(items[0], "is_number", False) else items[0]   # '≥ 0' keeps the value;
            return self._continued_inequality(base, prev_last, line.lead, items[0]), carried  # '≤ B' then '= C': C is B
        if len(items) == 1:
            return replace(base, move=base.move or "expression", reason=base.reason or "an expression on its own; nothing to compare"), items[0]
        equal = items[:next((k + 1 for k, op in enumerate(ops) if op != "="), len(items))]   # z = w + τν < 0: z = w + τν
        if len(equal) > 1 and (case := self._case_of_answer(base, equal)) is not None:
            return case, equal[-1]
        conditions = []
        leading = self.unknown is not None and len(items) > 2 and all(op == "=" for op in ops) \
            and (items[0] == self.unknown or self._is_equation(items[0], items[1]))
        if leading and not same_value(items[0], items[1], self.ctx).ok:
            # u = a = b, or lhs = a = b: the first '=' is the equation, the later ones identities
            failed = None
            for k, (a, b) in enumerate(zip(items[1:], items[2:])):
                v = same_value(a, b, self.ctx)
                if not v.ok and (move := self._chain_holds(items)):
                    return self._system(base, items, move), items[-1]
                if not v.ok:
                    failed = replace(base, status="wrong" if v.status != "unknown" else "unknown", move="identity",
                                     reason=f"item {k + 3} of the chain does not equal what precedes it",
                                     counterexample=self._ce(v)), b
                    break
            if failed is not None and items[0] == self.unknown:
                return failed
            if failed is None:
                result = self._equation(base, items[0], items[-1], conditions)
                if result.status == "wrong" and (move := self._chain_holds(items)):
                    return self._system(base, items, move), items[-1]     # c = wᵀw = 1/4 + 1/4: the value at the optimum
                return result, items[-1]
            # f'(w) = a = 0 with f'(w) ≠ a: read link by link, so the report names the first bad link
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
            if self._holds_for_form(a, b):
                base = replace(base, move=base.move or "holds for the form of the solution stated")
                if last and self._form_parameters(a, b):
                    from sympy import Eq

                    self.state = ("equation", Eq(a, b, evaluate=False))   # XXᵀc = t: the equation c must solve
                continue
            if last and self._is_equation(a, b) and not (_derivative_claim(a, b) and not self._mentions_new(a, b)) \
                    and not (k > 0 and _mentions(b, self.unknown) and not self._mentions_new(a, b)):
                # ‖w‖² = w₁² + (1 − w₁)² = 2w₁² − w₁ + 1: after an identity, a rewriting, not an equation
                return self._equation(base, a, b, conditions, head=items[0]), b
            if (vacuous := self._stated_condition_fails()) is not None:
                return replace(base, status="unknown", move="a condition", reason=vacuous), b
            if (stated := self._holds_as_stated(a, b) or self._holds_under_standing(a, b)) is not None:
                base = replace(base, move=base.move or AS_STATED, reason=stated)
                continue
            if (earlier := self._earlier_result(a, b)) is not None:
                base = replace(base, move=base.move or f"the result of part {earlier}")
                continue
            if k == 0 and (update := self._new_value(items)) is not None:
                return replace(base, move="an updated value", reason=update), items[-1]
            if v.status == "unknown":
                return replace(base, status="unknown", reason=v.reason), b
            if self._is_equation(a, b) and (move := self._chain_holds(items)):
                return self._system(base, items, move), items[-1]
            if self._is_equation(a, b):
                from sympy import Eq

                system = self._system_verdict([Eq(a, b, evaluate=False)])
                if system is not None and system.ok:
                    base = replace(base, move="follows from the equations so far")
                    continue
                if system is not None:
                    return replace(base, status="wrong", move="equation",
                                   reason=f"{_side(k)} does not follow from the equations so far",
                                   counterexample=self._ce(system)), b
            # a name nobody defined, on one side only, may be a quantity under another name: unknown;
            # on both sides it is a free variable, and the identity must hold for every value of it
            expanded = [self.ctx.expand_definitions(x) for x in (a, b)]
            undefined = sorted(n for n in self.new_symbols if n not in self.student_names
                               and _on_one_side(self.table[n].obj, expanded))
            if undefined:
                return replace(base, status="unknown", move="identity",
                               reason=f"'{undefined[0]}' is not defined in the problem or the write-up; "
                                      f"define it or pass --alias {undefined[0]}=NAME"), b
            if (unused := self._unset_goal_free_symbol(expanded)) is not None:
                return replace(base, status="unknown", move=UNUSED_SYMBOL,
                               reason=f"an equation in {unused}, a symbol this part's goal does not use and "
                                      f"nothing here gives a value: it holds for a particular {unused}, "
                                      "which the checker cannot tell"), b
            self._carry_on(items)
            return replace(base, status="wrong", move="identity",
                           reason=f"{_side(k)} does not equal what precedes it" + (f": it {v.reason}" if v.reason.startswith("holds only") else ""),
                           counterexample=self._ce(v)), b
        move = base.move or self._identity_move(items)
        if unchecked:
            first = next(k for k, op in enumerate(ops) if op != "=")
            value = items[first]            # L₁''(η) = 8/n³‖…‖² ≥ 0: the value is the last '=' item
            if self._inequalities_hold(items, ops):
                return replace(base, move=move, reason="its inequalities hold under the problem's assumptions"), value
            return replace(base, status="unknown", move=move,
                           reason="its equalities hold; its inequalities are not checked"), value
        result = replace(base, move=move, condition=" and ".join(conditions),
                         reason=base.reason or ("holds only when " + " and ".join(conditions) if conditions else ""))
        return result, items[-1]

    def _inequality_or_value(self, base, terms, ops):
        """A line that is an inequality, a dimension (n = 2), an example value (p = 0.8) or a
        change of variables (x⁰ = σ(η⁰)): (result, value), or None for an ordinary line."""
        if len(ops) > 1 and ops[0] in ("<=", "<", ">=", ">") and all(op == "=" for op in ops[1:]) \
                and self.condition_answer is not None and (built := self._built(terms)) is not None \
                and all(same_value(a, b, self.ctx).ok for a, b in zip(built[1:], built[2:])):
            condition = self._condition_line(base, [terms[0], terms[-1]], ops[:1])   # α < X = Y: the condition α < Y
            if condition is not None:
                return condition
        if ops and all(op in ("<=", "<", ">=", ">") for op in ops):
            if (condition := self._condition_line(base, terms, ops)) is not None:
                return condition
            if self._assumption_holds(terms, ops):
                return replace(base, move="inequality", reason="holds under the problem's assumptions"), None
            if self._take_as_standing(terms, ops):
                return replace(base, status="unknown", move="inequality",
                               reason="not checked; the lines that follow may use it"), None
            return replace(base, status="unknown", move="inequality", reason="inequalities are not checked"), None
        if ops == ["="] and isinstance(terms[0], A.Name) and isinstance(terms[1], A.Num) \
                and getattr(self.table.get(terms[0].id), "kind", None) == "dim":
            size = self.table[terms[0].id].obj
            if getattr(size, "is_Integer", False) or isinstance(size, int):
                held = str(size) == terms[1].value
                return replace(base, status="ok" if held else "wrong", move="a dimension",
                               reason=f"the problem has {terms[0].id} = {size}"), None
            self.worked_example = f"{terms[0].id} = {terms[1].value}"     # a toy case: n = 2
            return replace(base, move="a worked example", reason=f"the lines after it take {self.worked_example}"), None
        example = self._example_value(terms, ops)
        if example is not None:
            return replace(base, move="an example value", reason=example), None
        renamed = self._change_of_variables(terms, ops)
        if renamed is not None:
            value = self.ctx.definitions.get(self.table[terms[0].id].obj) if terms[0].id in self.table else None
            return replace(base, move="a change of variables", reason=renamed), value   # η = 1/(154√n): may answer
        return None

    def _free_value(self, base, terms, ops):
        """``a_{11} = 1`` for an entry of a matrix A the problem leaves free (attention weights held
        at their values), or ``(Nd)^2 = 36`` for sizes it leaves free: a value the problem does not
        give, so not checked. None for any other line."""
        if ops != ["="]:
            return None
        sizes = A.names_in(terms[0])
        if sizes and all(n in self.table and self.table[n].kind == "dim" for n in sizes) and not A.names_in(terms[1]):
            values = self._built(terms)
            if values is not None and not same_value(*values, self.ctx).ok:
                return replace(base, status="unknown", move="a value of free sizes",
                               reason=f"{', '.join(sorted(sizes))}: sizes the problem leaves free; not checked")
        from sympy.matrices.expressions.matexpr import MatrixElement

        entry = isinstance(terms[0], A.Index) and isinstance(terms[0].base, A.Index)     # a_{11}: A's entry (1, 1)
        values = self._built(terms) if entry or isinstance(terms[0], A.Name) and terms[0].id not in self.table else None
        if values is not None and entry and getattr(values[0], "parent", None) == self.unknown:
            return None
        if values is None or not isinstance(values[0], MatrixElement) or not getattr(values[1], "is_number", False) \
                or values[0].parent in self.ctx.definitions or str(values[0].parent) not in self.table:
            return None
        return replace(base, status="unknown", move="a value of a free entry",
                       reason=f"{base.latex.split('=')[0].strip()} is an entry of {values[0].parent}, which the problem "
                              "leaves free; not checked")

    def _built(self, terms) -> list | None:
        """The values of a line's items, or None when one cannot be built."""
        try:
            return [self._build(t).expr for t in terms]
        except ParseError:
            return None

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

    def _holds_for_form(self, a, b) -> bool:
        """``‖w‖² = ‖Xᵀc‖² + ‖r‖²`` after ``w = Xᵀc + r`` (with Xr = 0): the link holds for every
        solution of that form."""
        if not self.forms:
            return False
        try:
            if same_value(a.xreplace(self.forms), b.xreplace(self.forms), self.ctx).ok:
                return True
            constraint = self._equality_constraint()      # XXᵀc = t: the constraint Xw = t for that form
            if constraint is None:
                return False
            residual = (constraint.lhs - constraint.rhs).xreplace(self.forms)
            return any(same_value(a - b, sign * residual, self.ctx).ok for sign in (1, -1))
        except Exception:  # noqa: BLE001 - a form that cannot be put in proves nothing
            return False

    def _form_parameters(self, a, b) -> bool:
        """Do ``a`` and ``b`` mention the parameters of a stated form of the solution (the c of
        w = Xᵀc), and not the unknown itself?"""
        params = set()
        for value in self.forms.values():
            params |= set(getattr(value, "free_symbols", ()))
        params -= {self.unknown}
        params = {p for p in params if str(p) in self.new_symbols or str(p) in self.student_names}
        return bool(params) and not (_mentions(a, self.unknown) or _mentions(b, self.unknown)) \
            and any(_mentions(x, p) for x in (a, b) for p in params)

    def _unset_goal_free_symbol(self, sides) -> str | None:
        """A symbol of the problem that this part's goal does not use and nothing has given a value,
        on one side only (log(u/u₀) = −κg when the part solves for θ₁ and the student minimises in
        u): the line is an equation for a particular u, not an identity. Its name, or None."""
        used = self._names_the_part_uses()
        if any(getattr(x, "is_Symbol", False) and str(x) not in used for x in sides):
            return None                 # G = X + 2·X/2 = 3X: G named by a chain, whose links are checked
        for name, info in self.table.symbols.items():
            if name in used or self._free_parameter(name) is None:
                continue
            if _on_one_side(info.obj, sides):
                return name
        return None

    def _names_the_part_uses(self) -> set[str]:
        """The goal's names, with those of the givens it uses (their parameters excluded) and the
        parameters of every random symbol's law (τ in Ξ ~ N(0, τ²) is a given quantity)."""
        from dataclasses import fields

        used: set[str] = set()
        for goal in self.part.goals:                 # its expression, constraint, start, rate, …
            for f in fields(goal):
                value = getattr(goal, f.name)
                for node in (value.values() if isinstance(value, dict) else (value,)):
                    if isinstance(node, A.Node):
                        used |= _names_and_calls(node)
                    elif isinstance(node, str) and node in self.table:
                        used.add(node)                 # wrt, every, state, steps
        for _, answer in self.answers:
            used |= {str(s) for s in getattr(answer, "free_symbols", ())}
        stated = [e for e in self.accepted if self.unknown is not None and _mentions(e, self.unknown)]
        for x in list(self.forms.values()) + stated:       # c in w = Xᵀc + r: the form's parameter
            used |= {str(s) for s in getattr(x, "free_symbols", ())}
        for info in self.table.symbols.values():
            for param in (info.dist or ())[1:]:
                used |= {str(s) for s in getattr(param, "free_symbols", ())}
        todo = list(used)
        while todo:
            info = self.table.get(todo.pop())
            if info is None or info.body is None or not isinstance(info.body, A.Node):
                continue
            for name in _names_and_calls(info.body) - set(info.params) - used:
                used.add(name)
                todo.append(name)
        return used

    def _is_equation(self, a, b) -> bool:
        if self.unknown is None:
            return False
        if _mentions(a, self.unknown) or _mentions(b, self.unknown) or self._mentions_new(a, b, only_guessed=True):
            return True             # a multiplier ν the student introduced; not a name the student defined
        expanded = [self.ctx.expand_definitions(x) for x in (a, b)]
        return any(_mentions(x, self.unknown) for x in expanded) or self._law_mentions_unknown(expanded)

    def _law_mentions_unknown(self, exprs) -> bool:
        """Var(h) with h = Σ u_k z_k and u_k ~ N(0, e²): the unknown e enters through the law of a
        random symbol, so ``Var(h) = s²`` is an equation in e, not an identity."""
        from ..expr.objects import E, Var

        moments = [x for x in exprs if getattr(x, "has", lambda *s: False)(E, Var)]
        if not moments:
            return False
        for info in self.table.symbols.values():
            if info.is_random and info.dist and info.obj is not None and \
                    any(_mentions(p, self.unknown) for p in info.dist[1:]) and \
                    any(_mentions(x, info.obj) for x in moments):
                return True
        return False

    def _mentions_new(self, a, b, only_guessed: bool = False) -> bool:
        new = {self.table[n].obj for n in (self.guessed_names if only_guessed else self.new_symbols)
               if n in self.table and self.table[n].obj is not None}
        return any(getattr(x, "has", lambda *s: False)(*new) for x in (a, b)) if new else False


def _on_one_side(obj, sides) -> bool:
    """Does ``obj`` occur in exactly one of the two sides?"""
    return sum(bool(getattr(x, "has", lambda *s: False)(obj)) for x in sides) == 1


def _names_and_calls(node) -> set[str]:
    """The names in ``node`` with the functions it calls (F in F(z) − F(b))."""
    return A.names_in(node) | {n.func for n in A.walk(node) if isinstance(n, A.Call)}


def _gradient_variable(part) -> str:
    """The one variable the goal's gradients are taken in (∇‖Av − b‖² in a show goal), or ""."""
    found = {n.args[1].id for g in part.goals for n in A.walk(g.expr)
             if isinstance(n, A.Call) and n.func == "grad" and len(n.args) == 2 and isinstance(n.args[1], A.Name)}
    return found.pop() if len(found) == 1 else ""

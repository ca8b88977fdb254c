"""Student LaTeX -> the shared expression AST (``derive.expr.ast``).

Data flow: student file -> ``extract`` (math rows) -> **``parse_latex`` / ``parse_chain``** ->
checker -> report. A recursive-descent parser of our own: student text never reaches ``eval``,
``sympify``, ``parse_expr`` or ``lambdify``.

Products are always ``@`` (the builder scales when an operand is a scalar), left-associative, in
the order written, so ``X^T X`` and ``X X^T`` stay different. Names are resolved through the
spec's ``names`` (spec name -> LaTeX spelling): an exact spelling wins, then a spelling with font
commands ignored (``\\boldsymbol{w}``, ``\\vec w``, plain ``w``) when that is unambiguous;
``\\varepsilon`` counts as ``\\epsilon``. Notation read (more in tests/test_latex_math.py)::

    X^T X^\\top X^{\\intercal}  -> Transpose        A^{-1}        -> A ** Neg(1)
    \\|v\\|_2^2 ||v||^2 \\lVert v\\rVert -> norm(v)**2  |x|       -> abs(x)
    \\frac{a}{b} a/b             -> a / b          \\sqrt{x}      -> sqrt(x)
    \\sum_{j=1}^{M} body         -> SumOver(body, 'j', 1, M); body = the following product
    w_j (j in i..n or bound)    -> Index(w, j)     \\mathbf{w}_0 -> w0 (or the spec's name)
    w^* \\eta^\\star             -> w, eta          x'            -> the name spelled x'
    \\mathbb{E}[..] \\operatorname{Var}(..) \\mathbb{V}[..] -> E(..), Var(..); sgn, ReLU, exp, log
    \\nabla_{w} f -> grad(f, w)  \\frac{\\partial L}{\\partial \\eta} -> diff(L, eta)
    \\min_w / \\arg\\min_w body   -> argmin(body, w)  f(x'; w)     -> f(x_adv)  (after ';' dropped)

Absurd input is refused early with ``ParseError``, at the limits of ``derive/expr/limits.py``: long
lines, deep nesting, large exponents (``2^{10^{10}}``), long numbers. Flat sums and products are
read in a loop (``sum``, ``term``); only nesting recurses.
"""
from __future__ import annotations

import math

from ..errors import ParseError
from ..expr.ast import BinOp, Call, Index, Name, Neg, Node, Num, Rel, Transpose, names_in, walk
from .latex_lexicon import (
    CASE_WORDS,
    ALIASES,
    DECORATIONS,
    FONTS,
    FUNC_WORDS,
    LETTER_FUNCS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LINE,
    NOT_RELATIONS,
    RELATIONS,
    _OPENERS,
    _SCRIPT_FONTS,
    _UNICODE,
    _UNICODE_RE,
    tokenize,
)
from .latex_commands import CommandParsing, fold_constant
from .latex_names import NameParsing, _Tables, _tables



class _Parser(NameParsing, CommandParsing):
    def __init__(self, text, toks, match, tables: _Tables, functions, given_functions=frozenset()):
        self.text, self.toks, self.match, self.t, self.functions = text, toks, match, tables, functions
        self.given_functions = given_functions          # a given with parameters is always applied
        self.i, self.end, self.depth = 0, len(toks), 0
        self.bars: list[str] = []
        self.bound: list[str] = []
        self.building = False                           # reading the symbol table's own spellings
        self.starred: dict[str, bool] = {}              # name -> was it spelled w^* (latex_names._spelled)
        self.star_clash: tuple | None = None            # (name, column) written both ways in this line

    # -- token helpers -------------------------------------------------------------------
    def peek(self, k: int = 0):
        j = self.i + k
        return self.toks[j] if j < self.end else ("e", "", self.toks[self.end - 1][2] + 1 if self.end else 0)

    def is_(self, kind, value, k=0) -> bool:
        tok = self.peek(k)
        return tok[0] == kind and tok[1] == value

    def fail(self, message: str, pos: int | None = None) -> ParseError:
        return ParseError(message, self.text, self.peek()[2] if pos is None else pos)

    def shown(self, tok) -> str:
        return "the end of the line" if tok[0] == "e" else repr("\\" + tok[1] if tok[0] == "c" else tok[1])

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"the expression nests deeper than {MAX_DEPTH} levels")

    def expect(self, *values):
        tok = self.peek()
        if tok[0] != "s" or tok[1] not in values:
            raise self.fail(f"expected {values[0]!r} at column {tok[2] + 1} but found {self.shown(tok)}", tok[2])
        self.i += 1

    def arg(self) -> tuple[int, int]:
        """Consume one TeX argument (a braced group or one token) and return its token slice."""
        kind, value, pos = self.peek()
        if kind == "s" and value == "{":
            lo, hi = self.i + 1, self.match[self.i]
            self.i = hi + 1
            return lo, hi
        if kind == "e" or (kind == "s" and value == "}"):
            raise self.fail(f"a command needs an argument at column {pos + 1}", pos)
        lo = self.i
        self.i += 1
        if kind == "c" and (value in FONTS or value in DECORATIONS):
            self.arg()
        return lo, self.i

    def sub(self, lo: int, hi: int, fn):
        """Run ``fn`` on the token slice [lo, hi); it must consume all of it."""
        saved = self.i, self.end, self.bars, self.depth
        self.i, self.end, self.bars = lo, hi, []
        try:
            node = fn()
            if self.i < hi:
                tok = self.peek()
                raise self.fail(f"unexpected {self.shown(tok)} at column {tok[2] + 1}", tok[2])
        finally:
            self.i, self.end, self.bars, self.depth = saved
        return node

    def values(self, lo: int, hi: int, loose: bool = False) -> list[str]:
        out = []
        for kind, value, _ in self.toks[lo:hi]:
            if kind == "s" and value in "{}":
                continue
            if kind == "c":
                if loose and value in FONTS:
                    continue
                value = "\\" + (ALIASES.get(value, value) if loose else value)
            out.append(value)
        return out

    def word(self, lo: int, hi: int) -> str | None:
        """The letters of a slice like ``{arg\\,min}`` or ``\\mathrm{Var}``; None if it holds more."""
        out = []
        for kind, value, _ in self.toks[lo:hi]:
            if kind in "ld" or (kind == "c" and value in ("arg", "min", "max")):
                out.append(value)
            elif not (kind == "s" and value in "{}*") and not (kind == "c" and value in FONTS):
                return None
        return "".join(out)

    # -- grammar -----------------------------------------------------------------------------
    def chain(self) -> tuple[list[Node], list[str]]:
        terms, ops = [self.sum()], []
        while True:
            op = self.relation()
            if op is None:
                break
            terms.append(self.sum())
            ops.append(op)
        tok = self.peek()
        if tok[0] == "c" and tok[1] == "in" and self.peek(1)[1] in ("mathbb", "R", "Re"):
            return terms, ops           # a = Xw₀ − t ∈ ℝⁿ: the set is an annotation, not a claim
        if tok[0] == "c" and tok[1] in NOT_RELATIONS:
            err = self.fail(f"'\\{tok[1]}' at column {tok[2] + 1} is {NOT_RELATIONS[tok[1]]}", tok[2])
            if "cannot verify" in NOT_RELATIONS[tok[1]]:
                err.kind = "relation"     # read, but not a relation to check: unknown, not unparsed
            raise err
        if tok[0] != "e":
            raise self.fail(f"unexpected {self.shown(tok)} at column {tok[2] + 1}", tok[2])
        return terms, ops

    def relation(self) -> str | None:
        kind, value, pos = self.peek()
        if kind == "s" and value in "<>":
            self.i += 1
            if self.is_("s", "="):
                self.i += 1
                return value + "="
            return value
        if kind == "s" and value == ":" and self.is_("s", "=", 1):
            self.i += 2
            return "="
        if (kind == "s" and value == "=") or (kind == "c" and value in RELATIONS):
            self.i += 1
            return RELATIONS[value]
        if kind == "c" and value in ("overset", "stackrel"):
            self.i += 1
            self.arg()
            lo, hi = self.arg()
            rel = self.values(lo, hi)
            if len(rel) == 1 and rel[0].lstrip("\\") in RELATIONS:
                return RELATIONS[rel[0].lstrip("\\")]
            raise self.fail(f"\\{value} at column {pos + 1} must decorate a relation such as '='", pos)
        return None

    def sum(self) -> Node:
        left = self.term()
        while self.peek()[0] == "s" and self.peek()[1] in "+-":
            op, pos = self.peek()[1], self.peek()[2]
            self.i += 1
            left = BinOp(op, left, self.term(), pos)
        if self.peek()[0] == "c" and self.peek()[1] in ("pm", "mp"):
            raise self.fail("'\\pm' gives two answers; write each case on its own line")
        return left

    def term(self) -> Node:
        left = self.unary()
        while True:
            kind, value, pos = self.peek()
            if (kind == "c" and value in ("cdot", "times", "ast")) or (kind == "s" and value == "*"):
                self.i += 1
                left = BinOp("@", left, self.unary(), pos, dot=value == "cdot")
            elif kind == "c" and value == "otimes":
                self.i += 1
                left = Call("kron", (left, self.unary()), pos)      # I₃ ⊗ W_qᵀ
            elif (kind == "s" and value == "/") or (kind == "c" and value == "div"):
                self.i += 1
                den = self.unary()
                while isinstance(den, Transpose) or (isinstance(den, BinOp) and isinstance(den.left, Transpose)):
                    if not self.starts_factor():
                        break           # aᵀv / bᵀv: nobody divides by a row; the denominator is bᵀv
                    den = BinOp("@", den, self.power(), self.peek()[2])
                left = BinOp("/", left, den, pos)
            elif self.starts_factor():
                left = BinOp("@", left, self.power(), pos)
            else:
                return left

    def starts_factor(self) -> bool:
        kind, value, _ = self.peek()
        if kind == "c" and value in ("text", "textrm", "mbox") and self.is_("s", "{", 1):
            save = self.i
            self.i += 1
            word = (self.word(*self.arg()) or "").strip().lower()
            self.i = save
            if word in CASE_WORDS:
                return False                # 1 \text{if} z > 0: the condition of a case, not a factor
        if kind in "ldc":
            return not (kind == "c" and (value in RELATIONS or value in NOT_RELATIONS or value in (
                "cdot", "times", "ast", "div", "pm", "mp", "overset", "stackrel", "rangle", "rfloor", "rceil", "right", "\\", "end")))
        if kind != "s":
            return False
        if value == "|":
            return not (self.bars and self.bars[-1] in ("|", "||"))
        if value == "‖":
            return not (self.bars and self.bars[-1] == "‖")
        return value in ("(", "[", "\\{", "{", "|<", "‖<")

    def slash_derivative(self) -> Node | None:
        """``∂E/∂y`` or ``dE/dw``: a derivative written with a slash, read as ∂E/∂y. None, with
        nothing consumed, for anything else. ``d`` is read so only in the whole pattern dX/dY."""
        def leibniz(tok) -> bool:
            return (tok[0] == "c" and tok[1] == "partial") or (tok[0] == "l" and tok[1] == "d")   # dε/dλ, even where d is a size

        if not leibniz(self.peek()) or not (self.peek(1)[0] in "lc" or (self.peek(1)[0] == "s" and self.peek(1)[1] in "|‖(")):
            return None
        start, pos = self.i, self.peek()[2]
        try:
            self.i += 1
            body = self.power()
            if isinstance(body, (Name, Index, Call)) and self.is_("s", "/") and leibniz(self.peek(1)):
                self.i += 2
                var = self.power()
                if isinstance(var, (Name, Index)):
                    return Call("diff", (body, var), pos)
        except ParseError:
            pass
        self.i = start
        return None

    def unary(self) -> Node:
        kind, value, pos = self.peek()
        if kind == "s" and value in "+-":
            self.i += 1
            self.enter()
            operand = self.unary()
            self.depth -= 1
            return Neg(operand, pos) if value == "-" else operand
        return self.power()

    def power(self) -> Node:
        derivative = self.slash_derivative()
        if derivative is not None:
            return derivative
        node = self.atom()
        while True:
            kind, value, pos = self.peek()
            if kind == "s" and value in "^_":
                self.i += 1
                self.enter()
                node = (self.superscript if value == "^" else self.subscript)(node, pos)
                self.depth -= 1
            elif kind == "s" and value == "'":
                self.i += 1
                node = Transpose(node, pos)
            elif kind == "s" and value == "!":
                raise self.fail(f"factorials ('!' at column {pos + 1}) are not supported", pos)
            elif kind == "s" and value in ("|", "|>") and not self.bars and self.is_("s", "_", 1):
                node = self.evaluated_at(node, pos)
            else:
                return node

    def evaluated_at(self, node: Node, pos: int) -> Node:
        """``E\\big|_{\\epsilon=0}``, ``\\left.\\frac{df}{dx}\\right|_{x=0}``: the expression with the
        variable put to that value, ``at(E, ε, 0)``."""
        self.i += 2                                     # the bar and its '_'
        lo, hi = self.arg()
        terms, ops = self.sub(lo, hi, self.chain)
        if ops != ["="] or not isinstance(terms[0], Name):
            raise self.fail(f"the bar at column {pos + 1} needs a value, as in |_{{x=0}}", pos)
        return Call("at", (node, terms[0], terms[1]), pos)

    def sup_kind(self, lo: int, hi: int) -> str:
        vals = [v for v in self.values(lo, hi) if v not in _SCRIPT_FONTS]
        if vals in (["T"], ["\\top"], ["\\intercal"]):
            return "T"
        if vals in (["*"], ["\\star"], ["\\ast"]):
            return "star"
        if vals in (["-", "T"], ["-", "\\top"], ["-", "\\intercal"]):
            return "inverse-T"                  # R^{-\top}: the inverse, transposed
        if vals in (["'"], ["\\prime"]):
            return "prime"
        toks = self.toks[lo:hi]
        if hi - lo >= 3 and toks[0][1] == "(" and toks[-1][1] == ")" and self.toks[lo - 1][1] == "{":
            return "label"
        if any(v in _SCRIPT_FONTS for v in self.values(lo, hi)) and self._word(lo, hi):
            return "label"                      # w^{\text{new}}: a word in a text font names a value
        return "power"

    def superscript(self, node: Node, pos: int) -> Node:
        lo, hi = self.arg()
        kind = self.sup_kind(lo, hi)
        if kind in ("T", "prime"):
            return Transpose(node, pos)
        if kind == "star":
            return node
        if kind == "inverse-T":
            return Transpose(BinOp("**", node, Neg(Num("1", pos), pos), pos), pos)
        label = self._text_label(lo, hi)
        if label is not None and isinstance(node, Name):
            return Name(f"{node.id}_{label}", node.pos)         # v^{\text{N}}: a label, not a power
        if label is not None and isinstance(node, Index) and isinstance(node.base, Name) and isinstance(node.index, Num):
            return Name(f"{node.base.id}_{label}{node.index.value}", node.pos)     # v_1^{\text{N}}, as v_1^{\text{HB}}
        exponent = self.sub(lo, hi, self.sum)
        if isinstance(node, Name) and node.id == "e" and "e" not in self.t.ids:
            return Call("exp", (exponent,), node.pos)
        self.check_exponent(node, exponent, pos)
        return BinOp("**", node, exponent, pos)

    def _text_label(self, lo: int, hi: int) -> str | None:
        """The word of a superscript that is only ``\\text{…}`` (or \\mathrm, \\textrm), or None.
        Capitals with more capitals or digits (``w^{WD}``, ``w^{L2}``, ``w^{SGD}``) are a label too:
        nobody writes a power that way."""
        toks = [t for t in self.toks[lo:hi] if not (t[0] == "s" and t[1] in "{}")]
        if len(toks) >= 2 and all(k in ("l", "d") for k, _, _ in toks) and toks[0][1].isupper() \
                and all(v.isupper() or v.isdigit() for _, v, _ in toks):
            return "".join(v for _, v, _ in toks)
        if hi - lo < 2 or self.toks[lo][0] != "c" or self.toks[lo][1] not in ("text", "mathrm", "textrm", "rm", "mbox"):
            return None
        save = self.i
        self.i = lo + 1
        try:
            a, b = self.arg()
            word = self.word(a, b)
        except ParseError:
            return None
        finally:
            self.i = save
        return word if word and word.isalnum() and b + 1 == hi else None

    def check_exponent(self, base: Node, exponent: Node, pos: int) -> None:
        e = _constant(exponent)
        if e is None:
            return
        if abs(e) > MAX_EXPONENT:
            raise self.fail(f"exponent at column {pos + 1} is {e:.3g}; the limit is {MAX_EXPONENT}", pos)
        inner = _constant(base.right) if isinstance(base, BinOp) and base.op == "**" else None
        if inner is not None and abs(inner * e) > MAX_EXPONENT:
            raise self.fail(f"nested powers at column {pos + 1} give exponent {inner * e:.3g}; "
                            f"the limit is {MAX_EXPONENT}", pos)
        b = _constant(base)
        if b is not None and b != 0 and (math.isinf(b) or abs(e) * math.log10(abs(b)) > 1000):
            raise self.fail(f"the power at column {pos + 1} has more than 1000 digits", pos)

    def subscript(self, node: Node, pos: int) -> Node:
        lo, hi = self.arg()
        inner = node.left if isinstance(node, BinOp) and node.op == "**" else node
        if isinstance(inner, Call) and inner.func == "norm":
            order = self.values(lo, hi, loose=True)
            if order in (["2"], ["F"]):
                return node
            if order in (["1"], ["\\infty"]):
                norm = Call("norm", inner.args + (Num("1") if order == ["1"] else Name("oo"),), inner.pos)
                return BinOp("**", norm, node.right, node.pos) if inner is not node else norm
            raise self.fail(f"cannot read the norm's subscript at column {pos + 1}", pos)
        return Index(node, self.sub(lo, hi, self.sum), pos)

    def atom(self) -> Node:
        self.enter()
        node = self._atom()
        self.depth -= 1
        return node

    def _atom(self) -> Node:
        kind, value, pos = self.peek()
        if kind == "d":
            return self.number()
        if kind == "l":
            return self.letters()
        if kind == "c":
            return self.command()
        if kind == "s":
            if value in _OPENERS:
                self.i += 1
                saved, self.bars = self.bars, []
                node = self.sum()
                entries, stacked = [node], value == "(" and self.is_("s", ";")
                while value == "(" and self.is_("s", ";" if stacked else ","):     # (1/2, 1/2): a vector, written as a tuple
                    self.i += 1
                    entries.append(self.sum())
                self.bars = saved
                self.expect(_OPENERS[value])
                if stacked:
                    return Call("stack", tuple(entries), pos)    # (x₁; x₂; x₃): the vectors one under another
                if len(entries) > 1:
                    self._skip_transpose()                     # (a, b)^T is the same column vector
                    return Call("vec", tuple(entries), pos)
                return node
            if value == "{":
                return self.sub(*self.arg(), self.sum)
            if value in ("|", "|<"):
                double = value == "|" and self.is_("s", "|", 1) and self.peek(1)[2] == pos + 1
                return self.bars_atom("||" if double else "|", pos)
            if value in ("‖", "‖<"):
                return self.bars_atom("‖", pos)
        raise self.fail(f"expected a term at column {pos + 1} but found {self.shown(self.peek())}", pos)

    def _holds_relation(self, lo: int, hi: int) -> bool:
        return any((k == "s" and v in "=<>") or (k == "c" and v in RELATIONS) for k, v, _ in self.toks[lo:hi])

    def _skip_transpose(self) -> None:
        if self.is_("s", "^"):
            save = self.i
            self.i += 1
            lo, hi = self.arg()
            if self.sup_kind(lo, hi) != "T":
                self.i = save

    def bars_atom(self, kind: str, pos: int) -> Node:
        self.i += 2 if kind == "||" else 1
        self.bars.append(kind)
        try:
            inner = self.sum()
        finally:
            self.bars.pop()         # also when a lookahead that tried this fails and backtracks
        if kind == "||":
            self.expect("|")
            self.expect("|")
        else:
            self.expect(kind, kind + ">") if kind == "‖" else self.expect("|", "|>")
        return Call("abs" if kind == "|" else "norm", (inner,), pos)

    def number(self) -> Node:
        lo, pos = self.i, self.peek()[2]
        while self.peek()[0] == "d" and self.peek()[2] == pos + self.i - lo:
            self.i += 1
        text = "".join(v for _, v, _ in self.toks[lo:self.i])
        if self.is_("s", ".") and self.peek(1)[0] == "d":      # one decimal point: 1.2.3 stops at 1.2
            self.i += 1
            lo = self.i
            while self.peek()[0] == "d" and self.peek()[2] == self.toks[lo][2] + self.i - lo:
                self.i += 1
            text += "." + "".join(v for _, v, _ in self.toks[lo:self.i])
        return Num(text, pos)

    def letters(self) -> Node:
        kind, value, pos = self.peek()
        run = 0
        while self.peek(run)[0] == "l" and self.peek(run)[2] == pos + run:
            run += 1
        word = "".join(self.peek(k)[1] for k in range(run))
        after = self.peek(run)
        e_is_a_symbol = word == "E" and "E" in self.t.ids
        called = after[0] == "s" and (after[1] in ("[", "_") or (after[1] == "(" and not e_is_a_symbol))
        if word in LETTER_FUNCS and called:            # Var(x), E[x], sgn(g) typed without a backslash
            self.i += run
            return self.function(FUNC_WORDS.get(word.lower(), word), pos)
        return self.name()


def _constant(node: Node) -> float | None:
    """The value of a constant sub-expression (float, may be inf), or None if it has names."""
    def power(a, b):
        value = math.inf if abs(b) * math.log10(abs(a) or 1) > 300 else a ** b
        return None if isinstance(value, complex) else value

    try:
        return fold_constant(node, float, power)
    except (OverflowError, ValueError, TypeError, ZeroDivisionError):
        return math.inf


def given_functions(table) -> frozenset[str]:
    """The names of a symbol table's function givens (``sigma(z): ...``) and abstract functions
    (``kind: function`` without a body, such as a loss 𝓛), always applied; and, marked with a
    leading '~', its defined names (``g_B``), applied only to a list of names (``g_B(w)``); marked
    with '!', a usual function letter the problem declares as a quantity (``h`` for an output), so
    ``h(1 − ε)`` is a product."""
    from .latex_lexicon import FUNCTION_BASES

    from ..expr.symbols import FUNCTION_OF_SCALAR

    shadowing = [n[:-len(FUNCTION_OF_SCALAR)] for n in table.symbols if n.endswith(FUNCTION_OF_SCALAR)]
    indexed = ["_" + n for n in _of_an_index(table)]
    values = ["^" + n for n, s in table.symbols.items()           # σ := σ(t): σ(…) is still the sigmoid
              if n == "sigma" and s.kind == "defined" and isinstance(s.body, Call) and s.body.func == "sigmoid"]
    return frozenset([n for n, s in table.symbols.items() if s.kind in ("function", "ufunc")
                      and not n.endswith(FUNCTION_OF_SCALAR)] + ["~" + n for n in shadowing] + values
                     + ["~" + n for n, s in table.symbols.items() if s.kind == "defined" and not s.params] + indexed
                     + ["!" + n for n, s in table.symbols.items()
                        if n in FUNCTION_BASES and (s.kind in ("scalar", "vector", "matrix", "random")
                                                    or s.kind == "defined" and not s.params)])


def _of_an_index(table) -> set[str]:
    """Abstract functions of an index (marked '_' in ``given_functions``, so ``e_j``, ``e_{T+1}``
    read as e(j), e(T + 1)): those a given whose parameters are all indices (``slope(j)``) applies
    to its index (the distance ``e`` in ``e(j + 1)``). The givens themselves, and a student's own
    ``D_i := r(i)^2``, keep their subscripts as names."""
    kind = lambda n: getattr(table.symbols.get(n), "kind", None)        # noqa: E731
    out = set()
    for name, info in table.symbols.items():
        if info.kind != "function" or not info.params or not all(kind(p) == "index" for p in info.params) \
                or not isinstance(info.body, Node):
            continue
        for call in walk(info.body):
            if isinstance(call, Call) and len(call.args) == 1 and kind(call.func) == "ufunc" \
                    and names_in(call.args[0]) & set(info.params):
                out.add(call.func)
    return out


def _parser(latex: str, names: dict[str, str], functions, given_functions=()) -> _Parser:
    if not isinstance(latex, str):
        raise ParseError(f"expected LaTeX text, got {type(latex).__name__}")
    if len(latex) > MAX_LINE:
        raise ParseError(f"the line is {len(latex)} characters long; the limit is {MAX_LINE}", latex[:80])
    text = _UNICODE_RE.sub(lambda m: _UNICODE[m.group()] + " ", latex) if not latex.isascii() else latex
    toks, match = tokenize(text)
    while toks and toks[-1][0] == "s" and toks[-1][1] in ".,;":    # sentence punctuation
        toks.pop()
    if not toks:
        raise ParseError("the line holds no mathematics", text)
    tables = _tables(tuple(sorted(names.items())))
    return _Parser(text, toks, match, tables, None if functions is None else set(functions),
                   frozenset(given_functions or ()))


def parse_chain(latex: str, names: dict[str, str], functions=None,
                given_functions=()) -> tuple[list[Node], list[str]]:
    """Split a relation chain ``a = b \\le c`` into terms ``[a, b, c]`` and ops ``['=', '<=']``
    (ops in spec form: = <= < >= >). One expression gives ``([e], [])``. ``functions``: names
    applied as functions when followed by '(' (default: f, h, F, L, J, \\ell). ``given_functions``:
    spec names of givens with parameters (``sigma(z)``), always applied to their argument."""
    p = _parser(latex, names, functions, given_functions)
    try:
        terms, ops = p.chain()
    except RecursionError:
        raise ParseError(f"the expression nests deeper than {MAX_DEPTH} levels", p.text) from None
    if p.star_clash is not None and not any(isinstance(n, Call) and n.func in ("argmin", "argmax", "min", "max")
                                            for t in terms for n in walk(t)):
        name, pos = p.star_clash
        raise ParseError(f"'{name}' is written both with and without a star in this line; the starred one "
                         "names a particular value (a solution), which the problem's names cannot tell "
                         "apart from the plain one", p.text, pos)
    return terms, ops


def parse_latex(latex: str, names: dict[str, str], functions=None, given_functions=()) -> Node:
    """Parse one student expression or relation into an AST ``Node``. Raises ``ParseError``."""
    terms, ops = parse_chain(latex, names, functions, given_functions)
    if len(terms) == 1:
        return terms[0]
    if any(op in ("~", "<-") for op in ops):
        raise ParseError("'\\approx' and '\\leftarrow' are relations the checker cannot verify between two answers; give an equation", latex)
    if len(terms) == 2:
        return Rel(ops[0], terms[0], terms[1], terms[0].pos)
    raise ParseError(f"a chain of {len(ops)} relations; read it with parse_chain", latex)

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
from functools import lru_cache

from ..errors import ParseError
from ..expr.ast import BinOp, Call, Index, Name, Neg, Node, Num, Rel, SumOver, Transpose
from .latex_lexicon import (
    ALIASES,
    DECORATIONS,
    FONTS,
    FUNCTION_BASES,
    FUNC_CMDS,
    FUNC_WORDS,
    GREEK,
    INDEX_LETTERS,
    LETTER_FUNCS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LINE,
    NOT_RELATIONS,
    RELATIONS,
    _OPENERS,
    _SCRIPT_FONTS,
    _SINGLE_FUNCS,
    _UNICODE,
    _UNICODE_RE,
    tokenize,
)

SCRIPT_LETTERS = ("mathcal", "mathscr")


class _Tables:
    """Lookups built once per ``names`` dict: exact and font-blind spelling -> spec name."""

    def __init__(self, names: dict[str, str]):
        self.ids = set(names)
        self.exact: dict[str, set[str]] = {}
        self.loose: dict[str, set[str]] = {}
        self.multi: dict[tuple[str, ...], str] = {}
        self.longest = 0
        read = []
        for spec, latex in names.items():
            if not isinstance(latex, str):
                continue
            try:
                text = _UNICODE_RE.sub(lambda m: _UNICODE[m.group()] + " ", latex)
                toks, match = tokenize(text)
            except ParseError:
                continue
            if len(toks) >= 2 and all(k == "l" for k, _, _ in toks):
                self.multi[tuple(v for _, v, _ in toks)] = spec     # a multi-letter spelling
            else:
                read.append((spec, text, toks, match))
        for spec, text, toks, match in read:
            p = _Parser(text, toks, match, self, None)
            p.building = True
            try:
                sp = p.spelling()
            except ParseError:
                continue
            if p.i == len(toks):
                self.exact.setdefault(p.key(sp, True, False, True), set()).add(spec)
                self.loose.setdefault(p.key(sp, True, True, True), set()).add(spec)
        self.longest = max((len(k) for k in self.multi), default=0)

    def lookup(self, exact: str, loose: str) -> str | None:
        for table, key in ((self.exact, exact), (self.loose, loose)):
            hit = table.get(key, ())
            if len(hit) == 1:
                return next(iter(hit))
        return None


@lru_cache(maxsize=64)
def _tables(items: tuple) -> _Tables:
    return _Tables(dict(items))


class _Spelling:
    """How a student spelled a name: base tokens, then subscript / primes / label / star."""

    __slots__ = ("exact", "loose", "fallback", "sub", "primes", "label", "star", "pos")

    def __init__(self, exact, loose, fallback, pos):
        self.exact, self.loose, self.fallback, self.pos = exact, loose, fallback, pos
        self.sub = self.label = None
        self.primes, self.star = 0, False


class _Parser:
    def __init__(self, text, toks, match, tables: _Tables, functions, given_functions=frozenset()):
        self.text, self.toks, self.match, self.t, self.functions = text, toks, match, tables, functions
        self.given_functions = given_functions          # a given with parameters is always applied
        self.i, self.end, self.depth = 0, len(toks), 0
        self.bars: list[str] = []
        self.bound: list[str] = []
        self.building = False                           # reading the symbol table's own spellings

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
        if tok[0] == "c" and tok[1] in NOT_RELATIONS:
            raise self.fail(f"'\\{tok[1]}' at column {tok[2] + 1} is {NOT_RELATIONS[tok[1]]}", tok[2])
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
            elif (kind == "s" and value == "/") or (kind == "c" and value == "div"):
                self.i += 1
                left = BinOp("/", left, self.unary(), pos)
            elif self.starts_factor():
                left = BinOp("@", left, self.power(), pos)
            else:
                return left

    def starts_factor(self) -> bool:
        kind, value, _ = self.peek()
        if kind in "ldc":
            return not (kind == "c" and (value in RELATIONS or value in NOT_RELATIONS or value in (
                "cdot", "times", "ast", "div", "pm", "mp", "overset", "stackrel", "rangle", "right")))
        if kind != "s":
            return False
        if value == "|":
            return not (self.bars and self.bars[-1] in ("|", "||"))
        if value == "‖":
            return not (self.bars and self.bars[-1] == "‖")
        return value in ("(", "[", "\\{", "{", "|<", "‖<")

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
            else:
                return node

    def sup_kind(self, lo: int, hi: int) -> str:
        vals = [v for v in self.values(lo, hi) if v not in _SCRIPT_FONTS]
        if vals in (["T"], ["\\top"], ["\\intercal"]):
            return "T"
        if vals in (["*"], ["\\star"], ["\\ast"]):
            return "star"
        if vals in (["'"], ["\\prime"]):
            return "prime"
        toks = self.toks[lo:hi]
        if hi - lo >= 3 and toks[0][1] == "(" and toks[-1][1] == ")" and self.toks[lo - 1][1] == "{":
            return "label"
        return "power"

    def superscript(self, node: Node, pos: int) -> Node:
        lo, hi = self.arg()
        kind = self.sup_kind(lo, hi)
        if kind in ("T", "prime"):
            return Transpose(node, pos)
        if kind == "star":
            return node
        exponent = self.sub(lo, hi, self.sum)
        if isinstance(node, Name) and node.id == "e" and "e" not in self.t.ids:
            return Call("exp", (exponent,), node.pos)
        self.check_exponent(node, exponent, pos)
        return BinOp("**", node, exponent, pos)

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
                entries = [node]
                while value == "(" and self.is_("s", ","):     # (1/2, 1/2): a vector, written as a tuple
                    self.i += 1
                    entries.append(self.sum())
                self.bars = saved
                self.expect(_OPENERS[value])
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
        inner = self.sum()
        self.bars.pop()
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

    def command(self) -> Node:
        kind, value, pos = self.peek()
        if value in GREEK or value in DECORATIONS:
            return self.name()
        if value in FONTS:
            return self.font(value, pos)
        self.i += 1
        if value in ("frac", "dfrac", "tfrac", "cfrac"):
            return self.fraction(pos)
        if value == "sqrt":
            return self.root(pos)
        if value == "sum":
            return self.sum_over(pos)
        if value in ("nabla", "partial"):
            var = None
            if self.is_("s", "_"):
                self.i += 1
                var = self.sub(*self.arg(), self.sum)
            if value == "partial" and var is None:
                raise self.fail(f"write the variable of \\partial at column {pos + 1} as \\partial_x", pos)
            body = self.term()
            return Call("grad" if value == "nabla" else "diff", (body, var) if var else (body,), pos)
        if value == "infty":
            return Name("oo", pos)
        if value == "langle":                           # ⟨a, b⟩ = aᵀb
            left = self.sum()
            self.expect(",")
            right = self.sum()
            if not self.is_("c", "rangle"):
                raise self.fail(f"expected \\rangle to close the \\langle at column {pos + 1}", pos)
            self.i += 1
            return BinOp("@", Transpose(left, pos), right, pos)
        if value == "arg" and self.peek()[0] == "c" and self.peek()[1] in ("min", "max"):
            self.i += 1
            return self.extremum("arg" + self.toks[self.i - 1][1], pos)
        if value in ("min", "max", "argmin", "argmax"):
            return self.extremum(value, pos)
        if value == "underset":
            var_slice = self.arg()
            op = self.word(*self.arg())
            if op not in ("min", "max", "argmin", "argmax"):
                raise self.fail(f"\\underset at column {pos + 1} is only read around min, max, argmin or argmax", pos)
            var = self.sub(*var_slice, self.sum)
            return Call(op if op.startswith("arg") else "arg" + op, (self.sum(), var), pos)
        if value in FUNC_CMDS:
            return self.function(FUNC_WORDS.get(value.lower(), value), pos)
        if value == "mathop":
            lo, hi = self.arg()
            op = (self.word(lo, hi) or "").lower()
            if op in ("min", "max", "argmin", "argmax"):
                return self.extremum(op, pos)
            return self.sub(lo, hi, self.sum)
        if value in ("boxed", "underbrace", "overbrace"):
            node = self.sub(*self.arg(), self.sum)
            if self.is_("s", "_" if value == "underbrace" else "^"):
                self.i += 1
                self.arg()
            return node
        if value in ("cdots", "ldots", "dots", "vdots"):
            raise self.fail(f"an ellipsis (\\{value}) cannot be checked; write the sum with \\sum", pos)
        if value == "\\":
            raise self.fail("a line break '\\\\' inside one step; the extractor splits rows there", pos)
        raise self.fail(f"unsupported LaTeX command \\{value} at column {pos + 1}", pos)

    def font(self, value: str, pos: int) -> Node:
        save = self.i
        self.i += 1
        if self.is_("s", "*"):                        # \operatorname*{argmin}
            self.i += 1
        word = self.word(*self.arg()) or ""
        fid = _SINGLE_FUNCS.get((value, word)) or (FUNC_WORDS.get(word.lower()) if len(word) > 1 else None)
        if fid in ("min", "max", "argmin", "argmax"):
            return self.extremum(fid, pos)
        if fid:
            return self.function(fid, pos)
        if word == "0":
            return Num("0", pos)                      # \mathbf{0}, the zero vector
        if word == "1" and self._opens_indicator():
            return self.indicator(pos)                # \mathbb{1}[z > 0]: the indicator
        if len(word) > 1 and word.isalpha() and value not in ("mathbf", "boldsymbol", "bm", "vec"):
            return Name(word, pos)                    # \mathrm{adv}: an unknown name, reported later
        self.i = save
        return self.name()

    def _opens_indicator(self) -> bool:
        return self.is_("s", "[") or self.is_("s", "(") or self.is_("s", "\\{") or self.is_("c", "left") \
            or self.is_("s", "_")

    def indicator(self, pos: int) -> Node:
        """``\\mathbb{1}[a > b]`` (or ``\\mathbb{1}_{a > b}``): the Heaviside step of a − b."""
        if self.is_("s", "_"):
            self.i += 1
            terms, ops = self.sub(*self.arg(), self.chain)
        else:
            if self.is_("c", "left"):
                self.i += 1
            closer = {"[": "]", "(": ")", "\\{": "\\}"}[self.peek()[1]]
            self.i += 1
            terms, ops = self.chain_until(closer)
        if len(terms) != 2 or ops[0] not in ("<", "<=", ">", ">="):
            raise self.fail(f"the indicator at column {pos + 1} needs one inequality, such as [z > 0]", pos)
        a, b = terms
        return Call("heaviside", (BinOp("-", a, b, pos) if ops[0] in (">", ">=") else BinOp("-", b, a, pos),), pos)

    def chain_until(self, closer: str):
        terms, ops = [self.sum()], []
        while (op := self.relation()) is not None:
            terms.append(self.sum())
            ops.append(op)
        if self.is_("c", "right"):
            self.i += 1
        if self.is_("s", closer):
            self.i += 1
        else:
            raise self.fail(f"expected '{closer}' at column {self.peek()[2] + 1}", self.peek()[2])
        return terms, ops

    def function(self, fid: str, pos: int) -> Node:
        base = None
        if self.is_("s", "_"):
            self.i += 1
            lo, hi = self.arg()
            if fid == "log":
                base = self.sub(lo, hi, self.sum)
            elif fid not in ("E", "Var", "Cov"):        # E_m[...]: the subscript names the variable
                raise self.fail(f"cannot read the subscript of {fid} at column {pos + 1}", pos)
        if self.peek()[0] == "s" and self.peek()[1] in _OPENERS:
            args = self.call_args()
        else:
            args = (self.power(),)
        if base is not None:                            # log_b x = log x / log b
            return BinOp("/", Call("log", args, pos), Call("log", (base,), pos), pos)
        return Call(fid, args, pos)

    def call_args(self) -> tuple:
        closer = _OPENERS[self.peek()[1]]
        self.i += 1
        saved, self.bars = self.bars, []
        args, dropping = [self.sum()], False
        while self.peek()[0] == "s" and self.peek()[1] in ",;":
            dropping = dropping or self.peek()[1] == ";"     # f(x; w): parameters after ';'
            self.i += 1
            arg = self.sum()
            if not dropping:
                args.append(arg)
        self.bars = saved
        self.expect(closer)
        return tuple(args)

    def extremum(self, op: str, pos: int) -> Node:
        if self.is_("s", "_"):
            self.i += 1
            lo, hi = self.arg()
            if self._holds_relation(lo, hi):       # \arg\min_{\|δ\| \le ε}: a constraint, not a variable
                if op in ("min", "max"):
                    return Call("extremal_value", (self.sum(),), pos)   # \min_{|δ_i| ≤ ε} g_i δ_i: a value
                return Call("argmax" if op.endswith("max") else "argmin", (self.sum(),), pos)
            var = self.sub(lo, hi, self.sum)
            return Call("argmax" if op.endswith("max") else "argmin", (self.sum(), var), pos)
        if op in ("min", "max") and self.peek()[0] == "s" and self.peek()[1] in _OPENERS:
            args = self.call_args()
            if op == "max" and len(args) == 2 and Num("0") in args:     # max(0, u) is ReLU(u)
                return Call("relu", (args[1] if args[0] == Num("0") else args[0],), pos)
            return Call(op, args, pos)
        if op in ("argmin", "argmax"):
            return Call(op, (self.sum(),), pos)
        raise self.fail(f"\\{op} at column {pos + 1} needs a subscript (\\min_w ...) or arguments", pos)

    def fraction(self, pos: int) -> Node:
        num, den = self.arg(), self.arg()
        nm, dm = self.marker(*num), self.marker(*den)
        if nm and dm and nm[0] == dm[0] and den[0] + dm[1] < den[1]:
            try:
                var = self.sub(den[0] + dm[1], den[1], self.name)
            except ParseError:
                var = None
            if var is not None:
                lo = num[0] + nm[1]
                body = self.term() if lo >= num[1] else self.sub(lo, num[1], self.sum)
                return Call("diff", (body, var), pos)
        return BinOp("/", self.sub(*num, self.sum), self.sub(*den, self.sum), pos)

    def marker(self, lo: int, hi: int):
        """('partial'|'d', tokens used) when the slice starts with a differential."""
        if lo >= hi:
            return None
        kind, value, _ = self.toks[lo]
        if kind == "c" and value == "partial":
            return ("partial", 1)
        if kind == "l" and value == "d":
            return ("d", 1)
        if kind == "c" and value in ("mathrm", "text", "operatorname", "mathit", "rm") and lo + 1 < hi:
            if self.toks[lo + 1][1] == "d":
                return ("d", 2)
            if self.toks[lo + 1][1] == "{" and self.match.get(lo + 1) == lo + 3 and self.toks[lo + 2][1] == "d":
                return ("d", 4)
        return None

    def root(self, pos: int) -> Node:
        degree = None
        if self.is_("s", "["):
            self.i += 1
            lo, depth = self.i, 0
            while self.peek()[0] != "e" and not (self.is_("s", "]") and depth == 0):
                depth += {"[": 1, "]": -1}.get(self.peek()[1], 0) if self.peek()[0] == "s" else 0
                self.i += 1
            self.expect("]")
            degree = self.sub(lo, self.i - 1, self.sum)
        x = self.sub(*self.arg(), self.sum)
        if degree is None:
            return Call("sqrt", (x,), pos)
        return BinOp("**", x, BinOp("/", Num("1"), degree, pos), pos)

    def sum_over(self, pos: int) -> Node:
        lower_slice = upper_slice = None
        for _ in range(2):
            if self.is_("s", "_") and lower_slice is None:
                self.i += 1
                lower_slice = self.arg()
            elif self.is_("s", "^") and upper_slice is None:
                self.i += 1
                upper_slice = self.arg()
        if lower_slice is None:
            raise self.fail(f"\\sum at column {pos + 1} needs an index: \\sum_{{j=1}}^{{M}} or \\sum_j", pos)
        lo, hi = lower_slice
        pair = self._unequal_pair(lo, hi)
        if pair and upper_slice is None:                             # \sum_{j \neq k}: off the diagonal
            self.bound.extend(pair)
            try:
                body = self.term()
            finally:
                del self.bound[-2:]
            j, k = (Name(v, pos) for v in pair)
            body = BinOp("@", body, BinOp("-", Num("1", pos), Call("kdelta", (j, k), pos), pos), pos)
            return SumOver(SumOver(body, pair[1], None, None, pos), pair[0], None, None, pos)
        several = self._index_list(lo, hi)
        if several and upper_slice is None:                          # \sum_{j,k}: a double sum
            self.bound.extend(several)
            try:
                body = self.term()
            finally:
                del self.bound[-len(several):]
            for index in reversed(several):
                body = SumOver(body, index, None, None, pos)
            return body
        kind, value, ipos = self.toks[lo] if lo < hi else ("e", "", pos)
        if kind not in "lc" or (kind == "c" and value not in GREEK):
            raise self.fail(f"cannot read the index of \\sum at column {pos + 1}", pos)
        index = ALIASES.get(value, value)
        lower = None
        if lo + 1 < hi:
            if self.toks[lo + 1][1] != "=":
                raise self.fail(f"cannot read the index of \\sum at column {pos + 1}; "
                                "write \\sum_{j=1}^{M}", pos)
            lower = self.sub(lo + 2, hi, self.sum)
        upper = self.sub(*upper_slice, self.sum) if upper_slice else None
        self.bound.append(index)
        try:
            body = self.term()
        finally:
            self.bound.pop()
        return SumOver(body, index, lower, upper, pos)

    def _unequal_pair(self, lo: int, hi: int) -> list[str]:
        """``j \\neq k`` under a sum: [j, k], else []."""
        toks = [t for t in self.toks[lo:hi] if not (t[0] == "s" and t[1] in "{}")]
        if len(toks) == 3 and toks[0][0] == "l" and toks[2][0] == "l" and toks[1][0] == "c" and toks[1][1] in ("neq", "ne"):
            return [toks[0][1], toks[2][1]]
        return []

    def _index_list(self, lo: int, hi: int) -> list[str]:
        """``j, k`` under a sum: the index names, or [] when the slice is anything else."""
        toks = [t for t in self.toks[lo:hi] if not (t[0] == "s" and t[1] in "{}")]
        names = [ALIASES.get(v, v) for k, v, _ in toks[0::2] if k == "l" or (k == "c" and v in GREEK)]
        commas = [v for _, v, _ in toks[1::2]]
        if len(toks) >= 3 and len(names) == (len(toks) + 1) // 2 and set(commas) == {","}:
            return names
        return []

    # -- names ---------------------------------------------------------------------------
    def base(self) -> _Spelling:
        kind, value, pos = self.peek()
        if kind == "l":
            for n in range(min(self.t.longest, self.end - self.i), 1, -1):
                letters = tuple(self.peek(k)[1] for k in range(n))
                if all(self.peek(k)[0] == "l" for k in range(n)) and letters in self.t.multi:
                    self.i += n
                    return _Spelling(letters, letters, self.t.multi[letters], pos)
            self.i += 1
            return _Spelling((value,), (value,), value, pos)
        if kind == "c" and value in GREEK:
            self.i += 1
            return _Spelling(("\\" + value,), ("\\" + ALIASES.get(value, value),), ALIASES.get(value, value), pos)
        if kind == "c" and (value in FONTS or value in DECORATIONS):
            self.i += 1
            self.enter()
            inner = self.sub(*self.arg(), self.spelling)
            self.depth -= 1
            inner.pos = pos
            if value in DECORATIONS:
                deco = "\\" + DECORATIONS[value]
                inner.exact, inner.loose = ("\\" + value,) + inner.exact, (deco,) + inner.loose
                inner.fallback += "_" + DECORATIONS[value]
            elif value in SCRIPT_LETTERS:          # 𝓛 is a name of its own (a Lagrangian), not L
                inner.exact = inner.loose = ("\\" + value,) + inner.exact
                inner.fallback = "script" + inner.fallback
            else:
                inner.exact = ("\\" + value,) + inner.exact
            return inner
        raise self.fail(f"expected a name at column {pos + 1} but found {self.shown(self.peek())}", pos)

    def spelling(self) -> _Spelling:
        sp = self.base()
        while True:
            kind, value, pos = self.peek()
            if kind == "s" and value == "'":
                self.i += 1
                sp.primes += 1
            elif kind == "s" and value == "_" and sp.sub is None:
                self.i += 1
                sp.sub = self.arg()
            elif kind == "s" and value == "^":
                save = self.i
                self.i += 1
                lo, hi = self.arg()
                what = self.sup_kind(lo, hi)
                if what == "star":
                    sp.star = True
                elif what == "prime":
                    sp.primes += 1
                elif what == "label" and sp.label is None:
                    sp.label = (lo, hi)
                elif what == "power" and sp.label is None and self._names_a_symbol(sp, lo, hi):
                    sp.label = (lo, hi)                  # θ^t: a time step, when the table has θ^t
                else:
                    self.i = save
                    return sp
            else:
                return sp

    def _word(self, lo: int, hi: int) -> bool:
        """A subscript that is a word label (``ridge``, ``opt``, ``\\text{new}``), not an index."""
        letters = [v for k, v, _ in self.toks[lo:hi] if k == "l"]
        others = [v for k, v, _ in self.toks[lo:hi] if k != "l" and not (k == "s" and v in "{}")
                  and not (k == "c" and v in FONTS)]
        return len(letters) >= 2 and not others

    def _names_a_symbol(self, sp: _Spelling, lo: int, hi: int) -> bool:
        """Is ``name^{x}`` (x one letter) spelled as a symbol of its own? While the tables are
        being built (``self.building``) every such superscript is part of the name."""
        toks = [t for t in self.toks[lo:hi] if not (t[0] == "s" and t[1] in "{}")]
        if len(toks) != 1 or not (toks[0][0] == "l" or (toks[0][0] == "c" and toks[0][1] in GREEK)):
            return False
        if self.building:
            return True
        sp.label = (lo, hi)
        try:
            return any(self.t.lookup(self.key(sp, sub, False, False), self.key(sp, sub, True, False))
                       for sub in (True, False))
        finally:
            sp.label = None

    def key(self, sp: _Spelling, with_sub: bool, loose: bool, star: bool) -> str:
        parts = list(sp.loose if loose else sp.exact)
        if with_sub and sp.sub:
            parts += ["_"] + self.values(*sp.sub, loose)
        parts += ["'"] * sp.primes
        if sp.label:
            parts += ["^"] + self.values(*sp.label, loose)
        if star and sp.star:
            parts += ["^", "*"]
        return " ".join(parts)

    def name(self) -> Node:
        sp = self.spelling()
        if sp.primes and self.is_("s", "("):
            derivative = self._prime_call(sp)
            if derivative is not None:
                return derivative
        node = self.resolve(sp)
        if isinstance(node, Name) and self.is_("s", "(") and (node.id in self.given_functions or (
                node.id in self.functions if self.functions is not None else sp.fallback in FUNCTION_BASES)):
            return Call(node.id, self.call_args(), sp.pos)
        if isinstance(node, Name) and self.is_("s", "(") and self._starts_chain(sp):
            save = self.i
            args = self._name_args()
            if args is not None and self._at_relation():  # ε(λ) = …, L_1(η) = …: a name as a function
                return Call(node.id, args, sp.pos)
            self.i = save
        return node

    def _starts_chain(self, sp: _Spelling) -> bool:
        return bool(self.toks) and sp.pos == self.toks[0][2]

    def _at_relation(self) -> bool:
        kind, value, _ = self.peek()
        return (kind == "s" and value in "=<>") or (kind == "c" and value in RELATIONS) \
            or (kind == "s" and value == ":" and self.is_("s", "=", 1))

    def _name_args(self) -> tuple | None:
        """``(a, b)`` holding names only, consumed; else None and nothing consumed."""
        save = self.i
        try:
            args = self.call_args()
        except ParseError:
            self.i = save
            return None
        if all(isinstance(a, Name) for a in args):
            return args
        self.i = save
        return None

    def _prime_call(self, sp: _Spelling) -> Node | None:
        """``L_1'(η)``: the derivative of a known name with respect to its one named argument."""
        primes, sp.primes = sp.primes, 0
        base = self.resolve(sp)
        sp.primes = primes
        if not isinstance(base, Name) or base.id not in self.t.ids:
            return None
        args = self._name_args()
        if args is None or len(args) != 1:
            return None
        body: Node = Call(base.id, args, sp.pos) if base.id in self.given_functions else base
        for _ in range(primes):
            body = Call("diff", (body, args[0]), sp.pos)
        return body

    def resolve(self, sp: _Spelling) -> Node:
        for star in ((True, False) if sp.star else (False,)):
            hit = self.t.lookup(self.key(sp, True, False, star), self.key(sp, True, True, star))
            if hit:
                return Name(hit, sp.pos)
        if sp.star and sp.sub is not None and not self.building and self._word(*sp.sub):
            hit = self.t.lookup(self.key(sp, False, False, False), self.key(sp, False, True, False))
            if hit:
                return Name(hit, sp.pos)          # w^*_{ridge}: the optimal w, with a label
        head = self.t.lookup(self.key(sp, False, False, False), self.key(sp, False, True, False))
        if head is None and sp.label is not None and not self.building:
            label, sp.label = sp.label, None      # a_i^{(ℓ)}: the layer label is decoration when a_i is known
            try:
                hit = self.t.lookup(self.key(sp, True, False, False), self.key(sp, True, True, False))
            finally:
                sp.label = label
            if hit:
                return Name(hit, sp.pos)
        if head is None:
            head = sp.fallback + "_prime" * sp.primes
            if sp.label:
                head += "_" + _slug(self.values(*sp.label, loose=True))
        if sp.sub is None:
            return Name(head, sp.pos)
        lo, hi = sp.sub
        vals = [v for v in self.values(lo, hi, loose=True) if v != ","]
        if head == "I":
            return Name("I", sp.pos)                           # I_d, I_n: the identity
        if all(v.isdigit() for v in vals):
            if head + "".join(vals) not in self.t.ids and head in self.t.ids and len(vals) == 1 and not self._starts_chain(sp) \
                    and self.t.lookup(self.key(sp, True, False, False), self.key(sp, True, True, False)) is None:
                return Index(Name(head, sp.pos), Num(vals[0], sp.pos), sp.pos)   # u_1: member 1 of u
            return Name(head + "".join(vals), sp.pos)
        if vals == ["*"]:
            return Name(head, sp.pos)
        indexish = [v for v in vals if len(v) == 1 and v.isalpha() and (v in INDEX_LETTERS or v in self.bound)]
        node: Node = Name(head, sp.pos)
        if vals and len(indexish) == len(vals):
            for v in vals:
                node = Index(node, Name(v, sp.pos), sp.pos)
            return node
        digits = [v for v in vals if v.isdigit()]
        if indexish and digits and vals == digits + indexish and self._component_base(sp, "".join(digits)):
            node = self._component_base(sp, "".join(digits))         # w_{0,k}: component k of w_0
            for v in indexish:
                node = Index(node, Name(v, sp.pos), sp.pos)
            return node
        if indexish and digits and len(vals) == 2 and set(vals) <= set(indexish) | set(digits):
            for v in vals:                                           # A_{i1}, A_{1j}: an entry of A
                node = Index(node, Name(v, sp.pos) if v in indexish else Num(v, sp.pos), sp.pos)
            return node
        if indexish and any(v in ("+", "-") for v in vals):        # x_{j+1}
            return Index(node, self.sub(lo, hi, self.sum), sp.pos)
        return Name(head + "_" + _slug(vals), sp.pos)


    def _component_base(self, sp: _Spelling, digits: str) -> Node | None:
        """The vector behind ``w_{0,k}``: the name spelled ``w_0`` (``\\mathbf{w}_0``) or ``w0``, if known."""
        for loose in (False, True):
            parts = list(sp.loose if loose else sp.exact) + ["_", digits]
            hit = self.t.lookup(" ".join(parts), " ".join(list(sp.loose) + ["_", digits]))
            if hit:
                return Name(hit, sp.pos)
        return Name(sp.fallback + digits, sp.pos) if sp.fallback + digits in self.t.ids else None


def _slug(values: list[str]) -> str:
    """An identifier from a subscript or label: ``{\\text{adv}}`` -> adv, ``(\\ell-1)`` -> ell_minus_1."""
    words, joined, glue = {"-": "minus", "+": "plus", "*": "star"}, [], False
    for v in values:
        if len(v) == 1 and v.isalnum():
            joined[-1:] = [joined[-1] + v] if glue else joined[-1:] + [v]
            glue = True
        elif v in words or v.lstrip("\\").isalnum():
            joined.append(words.get(v, v.lstrip("\\")))
            glue = False
    return "_".join(joined) or "x"


def _constant(node: Node) -> float | None:
    """The value of a constant sub-expression (float, may be inf), or None if it has names."""
    try:
        if isinstance(node, Num):
            return float(node.value)
        if isinstance(node, Neg):
            v = _constant(node.operand)
            return None if v is None else -v
        if isinstance(node, BinOp):
            a, b = _constant(node.left), _constant(node.right)
            if a is None or b is None:
                return None
            if node.op == "**":
                value = math.inf if abs(b) * math.log10(abs(a) or 1) > 300 else a ** b
                return None if isinstance(value, complex) else value
            return {"+": a + b, "-": a - b, "@": a * b, "*": a * b, "/": a / b if b else None}[node.op]
    except (OverflowError, ValueError, TypeError, ZeroDivisionError):
        return math.inf
    return None


def given_functions(table) -> frozenset[str]:
    """The names of a symbol table's function givens (``sigma(z): ...``), always applied."""
    return frozenset(n for n, s in table.symbols.items() if s.kind == "function")


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
        return p.chain()
    except RecursionError:
        raise ParseError(f"the expression nests deeper than {MAX_DEPTH} levels", p.text) from None


def parse_latex(latex: str, names: dict[str, str], functions=None, given_functions=()) -> Node:
    """Parse one student expression or relation into an AST ``Node``. Raises ``ParseError``."""
    terms, ops = parse_chain(latex, names, functions, given_functions)
    if len(terms) == 1:
        return terms[0]
    if len(terms) == 2:
        return Rel(ops[0], terms[0], terms[1], terms[0].pos)
    raise ParseError(f"a chain of {len(ops)} relations; read it with parse_chain", latex)

"""Names in student LaTeX: a spelling (base, font, decorations, subscript, prime) resolved to a
spec name through the part's symbol table, exactly or loosely (fonts ignored), or read as a
function call, a component ``w_j`` or a name of the student's own. A mixin of
``latex_math._Parser``."""
from __future__ import annotations

import re
from functools import lru_cache

from ..errors import ParseError
from ..expr.ast import Call, Index, Name, Node, Num, Transpose, names_in
from .latex_lexicon import (
    ALIASES,
    DECORATIONS,
    FONTS,
    FUNCTION_BASES,
    GREEK,
    INDEX_LETTERS,
    RELATIONS,
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
        from .latex_math import _Parser   # the parser reads the table's own spellings (a cycle)

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

    __slots__ = ("exact", "loose", "fallback", "sub", "primes", "label", "star", "pos", "transposed")

    def __init__(self, exact, loose, fallback, pos):
        self.exact, self.loose, self.fallback, self.pos = exact, loose, fallback, pos
        self.sub = self.label = None
        self.primes, self.star, self.transposed = 0, False, False


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


class NameParsing:
    """Reading and resolving names (``_Parser``'s name methods)."""

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
                last = self.toks[hi - 1] if hi > lo else None
                if what == "power" and last is not None and (last[1] == "top" or (last[0] == "l" and last[1] == "T")) \
                        and hi - lo >= 4 and self.toks[lo][1] == "(" and self.toks[hi - 2][1] == ")" and sp.label is None:
                    sp.label, sp.transposed = (lo, hi - 1), True       # w^{(i)\top}: a label, then a transpose
                    continue
                inner = [v for k, v, _ in self.toks[lo:hi] if not (k == "s" and v in "{}")]
                if sorted(inner) in (["*", "top"], ["*", "T"]):
                    sp.star = sp.transposed = True             # w^{\star\top}: the starred w, transposed
                    continue
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
        if len(toks) == 3 and toks[0][0] == "l" and toks[1][1] in "+-" and toks[2][0] == "d" and not self.building:
            return self._next_step(sp, lo, toks[0])       # θ^{t+1} beside a declared θ^t
        if len(toks) != 1 or not (toks[0][0] in ("l", "d") or (toks[0][0] == "c" and toks[0][1] in GREEK)):
            return False        # x^0, η^1: a digit too, when the table spells the symbol so
        if self.building:
            return True
        sp.label = (lo, hi)
        try:
            if any(self.t.lookup(self.key(sp, sub, False, False), self.key(sp, sub, True, False)) for sub in (True, False)):
                return True
            if toks[0][0] != "d":
                return False
            # x^1 beside a symbol spelled x^0: a time step too, a new name rather than a power
            exact, loose = (self.key(sp, True, False, False), self.key(sp, True, True, False))
            return any(self.t.lookup(exact[:-len(toks[0][1])] + d, loose[:-len(toks[0][1])] + d)
                       for d in "0123456789" if d != toks[0][1])
        finally:
            sp.label = None

    def _next_step(self, sp: _Spelling, lo: int, letter) -> bool:
        """Is ``name^{letter}`` a symbol (θ^t), so that ``name^{t+1}`` names the next step?"""
        at = next(k for k in range(lo, len(self.toks)) if self.toks[k] == letter)
        sp.label = (at, at + 1)
        try:
            return any(self.t.lookup(self.key(sp, sub, False, False), self.key(sp, sub, True, False)) for sub in (True, False))
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

    def _spelled(self, name: str, starred: bool, pos: int) -> None:
        """``w^*`` reads as the problem's ``w`` (its solution) unless the same line also writes a
        plain ``w``: then the two are different things (``\\|w\\|^2 = \\|w^*\\|^2 + \\|r\\|^2``), which
        the problem's names cannot tell apart, so the line cannot be read (unless the plain one is
        the variable of an argmin, min or max in it: ``δ^* = \\arg\\min_δ gᵀδ``)."""
        if self.building:
            return
        seen = self.starred.setdefault(name, starred)
        if seen != starred and self.star_clash is None:
            self.star_clash = (name, pos)       # judged once the line is read (latex_math.parse_chain)

    def name(self) -> Node:
        sp = self.spelling()
        if sp.transposed:
            sp.transposed = False
            return Transpose(self.resolve(sp), sp.pos)
        if sp.primes and self.is_("s", "("):
            derivative = self._prime_call(sp)
            if derivative is not None:
                return derivative
        node = self.resolve(sp)
        if isinstance(node, Name) and node.id == "Delta" and "Delta" not in self.t.ids and sp.sub is None \
                and self._opens_a_name():
            inner = self.name()                 # Δu₁: the change in u₁, one name of its own
            if isinstance(inner, Name):
                return Name("Delta_" + inner.id, sp.pos)
            if isinstance(inner, Index) and isinstance(inner.base, Name):
                return Index(Name("Delta_" + inner.base.id, sp.pos), inner.index, sp.pos)   # Δθ_i: entry i of Δθ
            raise self.fail(f"\\Delta at column {sp.pos + 1} is read only before a name (Δw, Δu_1)", sp.pos)
        if isinstance(node, Name) and node.id == "sigma" and "sigma" not in self.t.ids and self.is_("s", "("):
            return Call("sigmoid", self.call_args(), sp.pos)      # σ(z) is the sigmoid when σ is no symbol
        if isinstance(node, Name) and node.id == "sigma" and "^sigma" in self.given_functions and self.is_("s", "("):
            save = self.i
            args = self.call_args()                 # σ := σ(t), then σ(vᵀz) is the sigmoid and σ(1 − σ) a product
            if not any("sigma" in names_in(a) for a in args):
                return Call("sigmoid", args, sp.pos)
            self.i = save
        if isinstance(node, Name) and node.id == "H" and "H" not in self.t.ids and self.is_("s", "("):
            return Call("heaviside", self.call_args(), sp.pos)    # H(z), the Heaviside step, when H is no symbol
        if isinstance(node, Name) and self.is_("s", "(") and (node.id in self.given_functions or (
                node.id in self.functions if self.functions is not None
                else sp.fallback in FUNCTION_BASES and "!" + node.id not in self.given_functions)):
            return Call(node.id, self.call_args(), sp.pos)
        if isinstance(node, Name) and self.is_("s", "(") and "~" + node.id in self.given_functions:
            args = self._name_args()               # g_B(w) for a defined g_B: the name, written as a function
            if args is not None:
                return Call(node.id, args, sp.pos)
        if isinstance(node, Name) and self.is_("s", "(") and self._starts_chain(sp):
            save = self.i
            args = self._name_args()
            if args is not None and self._at_relation():  # ε(λ) = …, L_1(η) = …: a name as a function
                return Call(node.id, args, sp.pos)
            self.i = save
        return node

    def _opens_a_name(self) -> bool:
        kind, value, _ = self.peek()
        return kind == "l" or (kind == "c" and (value in GREEK or value in FONTS or value in DECORATIONS))

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
                self._spelled(hit, sp.star and not star, sp.pos)
                return Name(hit, sp.pos)
        if sp.star and sp.sub is not None and not self.building and self._word(*sp.sub):
            hit = self.t.lookup(self.key(sp, False, False, False), self.key(sp, False, True, False))
            if hit:
                self._spelled(hit, True, sp.pos)
                return Name(hit, sp.pos)          # w^*_{ridge}: the optimal w, with a label
        head = self.t.lookup(self.key(sp, False, False, False), self.key(sp, False, True, False))
        if head is None and sp.label is not None and not self.building and self.toks[sp.label[0]][1] == "(":
            label, sp.label = sp.label, None      # a_i^{(ℓ)}: the layer label is decoration when a_i is known
            try:
                hit = self.t.lookup(self.key(sp, True, False, False), self.key(sp, True, True, False))
                bare = self.t.lookup(self.key(sp, False, False, False), self.key(sp, False, True, False)) \
                    if sp.sub is not None and not hit else None
            finally:
                sp.label = label
            if hit:
                return Name(hit, sp.pos)
            head = bare                           # z_j^{(ℓ−1)} for the problem's z(j): entry j of z
        if head is None and (entry := self._entry_of_capital(sp)) is not None:
            return entry
        if head is not None and "_" + head in self.given_functions and sp.sub is not None and not sp.label \
                and not sp.primes and not self.is_("s", "("):
            return Call(head, (self.sub(*sp.sub, self.sum),), sp.pos)    # e_{j+1} for the distance e(j + 1)
        if head is None:
            head = sp.fallback + "_prime" * sp.primes
            if sp.label:
                head += "_" + _slug(self.values(*sp.label, loose=True))
        if sp.sub is None:
            return Name(head, sp.pos)
        lo, hi = sp.sub
        if (applied := self._labelled_call(sp)) is not None:
            return applied
        vals = [v for v in self.values(lo, hi, loose=True) if v != ","]
        if head == "I" and "I" not in self.t.ids and len(vals) == 1 and vals[0].isdigit():
            return Call("eye", (Num(vals[0], sp.pos),), sp.pos)  # I_3: the 3 × 3 identity
        if head == "I":
            return Name("I", sp.pos)                           # I_d, I_n: the identity
        if all(v.isdigit() for v in vals):
            if head + "".join(vals) not in self.t.ids and head in self.t.ids and len(vals) == 1 and not (self._starts_chain(sp) and (self._at_relation() or self.is_("s", "("))) \
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

    def _entry_of_capital(self, sp: _Spelling) -> Node | None:
        """``a_{21}`` for an entry (from 1) of the problem's matrix A when a is no name of its
        own (A = (a_{nm}), the usual convention)."""
        if sp.sub is None or sp.primes or sp.label or sp.star or len(sp.exact) != 1 or not sp.exact[0].islower() \
                or len(sp.exact[0]) != 1 or sp.exact[0].upper() not in self.t.ids or self.building:
            return None
        vals = [v for v in self.values(*sp.sub, loose=True) if v != ","]
        if len(vals) == 1 and len(vals[0]) == 2 and vals[0].isdigit():
            vals = list(vals[0])                    # a_{21}: row 2, column 1
        if len(vals) != 2 or not all(v.isdigit() and v != "0" for v in vals):
            return None                             # (a_{nm} with symbolic indices stays a name of its own)
        letter = re.escape(sp.exact[0])
        if re.search(r"\\begin\{[pbv]?matrix\}\s*" + letter + r"_\{?\d,?\d\}?\s*&\s*" + letter + r"_", self.text):
            return None                             # W_q = (q_{11} q_{12}; …): names W_q's entries, not Q's
        return Index(Index(Name(sp.exact[0].upper(), sp.pos), Num(vals[0], sp.pos), sp.pos), Num(vals[1], sp.pos), sp.pos)

    def _labelled_call(self, sp: _Spelling) -> Node | None:
        """``\\tilde y_{m,i}`` for the problem's ``\\tilde{y}_m`` applied to example i: the label
        subscript names a given function, the indices after the comma are its arguments."""
        lo, hi = sp.sub
        commas = [k for k in range(lo, hi) if self.toks[k][1] == ","]
        if len(commas) != 1 or self.building:
            return None
        rest = [v for v in self.values(commas[0] + 1, hi, loose=True)]
        if not rest or not all(len(v) == 1 and v.isalpha() for v in rest):
            return None
        sp.sub = (lo, commas[0])
        try:
            hit = self.t.lookup(self.key(sp, True, False, False), self.key(sp, True, True, False))
        finally:
            sp.sub = (lo, hi)
        if hit is None or hit not in self.given_functions:
            return None
        return Call(hit, tuple(Name(v, sp.pos) for v in rest), sp.pos)

    def _component_base(self, sp: _Spelling, digits: str) -> Node | None:
        """The vector behind ``w_{0,k}``: the name spelled ``w_0`` (``\\mathbf{w}_0``) or ``w0``, if known."""
        for loose in (False, True):
            parts = list(sp.loose if loose else sp.exact) + ["_", digits]
            hit = self.t.lookup(" ".join(parts), " ".join(list(sp.loose) + ["_", digits]))
            if hit:
                return Name(hit, sp.pos)
        return Name(sp.fallback + digits, sp.pos) if sp.fallback + digits in self.t.ids else None

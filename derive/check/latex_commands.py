"""Backslash commands in student LaTeX: fonts, indicators, functions and their arguments,
``\\min``/``\\arg\\min``, fractions (Leibniz derivatives among them), roots and sums with their
index ranges. A mixin of ``latex_math._Parser``."""
from __future__ import annotations


from ..errors import ParseError
from ..expr.ast import BinOp, Call, Index, Name, Neg, Node, Num, SumOver, Transpose
from .latex_lexicon import ALIASES, CASE_WORDS, DECORATIONS, FONTS, FUNC_CMDS, FUNC_WORDS, GREEK, INDEX_LETTERS, _OPENERS, _SINGLE_FUNCS

# calls the parser itself makes (a gradient of one of these is of the whole product)
_BUILTIN_CALLS = {"grad", "diff", "norm", "abs", "sqrt", "sum", "argmin", "max", "min", "trace", "inv",
                  "sigmoid", "indicator", "kdelta"}


class CommandParsing:
    """Reading ``\\command`` forms (``_Parser``'s command methods)."""

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
            body = self._gradient_body(value)
            return Call("grad" if value == "nabla" else "diff", (body, var) if var else (body,), pos)
        if value == "begin" and self.is_("s", "{") and self.word(*self._peek_arg()) == "cases":
            self.arg()
            return self.cases(pos)
        if value == "begin" and self.is_("s", "{") and self.word(*self._peek_arg()) in ("matrix", "pmatrix", "bmatrix"):
            self.arg()
            return self.matrix(pos)
        if value == "infty":
            return Name("oo", pos)
        if value in ("lfloor", "lceil"):                # ⌊(24 + 2 − 3)/2⌋ + 1: a count, worked out exactly
            return self.rounded(value, pos)
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

    def _gradient_body(self, value: str) -> Node:
        """What ∇ applies to: ``\\nabla F(v_0 - ρp)^T p`` is the gradient of F at a point, then
        transposed and multiplied, so ∇ takes only a call of the student's or the problem's
        function; any other body (``\\nabla_w \\|Xw - t\\|^2``) is the whole product."""
        start = self.i
        if value == "nabla":
            try:
                atom = self.atom()
            except ParseError:
                atom = None
            if isinstance(atom, Call) and atom.func not in FUNC_WORDS.values() and atom.func not in _BUILTIN_CALLS:
                return atom
            self.i = start
        return self.term()

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
        if len(word) > 1 and word.isalpha() and value == "operatorname" and self.is_("s", "("):
            return Call(word, self.call_args(), pos)  # \operatorname{Attn}(X): an operator, applied
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

    def _peek_arg(self) -> tuple[int, int]:
        save = self.i
        try:
            return self.arg()
        finally:
            self.i = save

    def cases(self, pos: int) -> Node:
        """``\\begin{cases} 1, & z > 0 \\\\ α, & z < 0 \\end{cases}`` (or a last row ``otherwise``):
        each value times the Heaviside step of its inequality, the last one's step being what the
        others leave. Only inequalities can be conditions; the values on their boundaries do not
        matter to the checker, which compares at random points."""
        rows: list[tuple[Node, Node | None]] = []
        while True:
            value = self.sum()
            while self.is_("s", ",") or self.is_("s", "&"):
                self.i += 1
            self._skip_words(*CASE_WORDS[:4])
            if self._skip_words(*CASE_WORDS[4:]):
                rows.append((value, None))
            else:
                left, op, right = self.sum(), self.relation(), None
                if op not in ("<", "<=", ">", ">="):
                    raise self.fail(f"a case at column {pos + 1} needs an inequality or 'otherwise' as its condition", pos)
                right = self.sum()
                step = BinOp("-", left, right, pos) if op in (">", ">=") else BinOp("-", right, left, pos)
                rows.append((value, Call("heaviside", (step,), pos)))
            if self.is_("s", ",") or self.is_("s", "."):
                self.i += 1
            if self.is_("c", "\\"):
                self.i += 1
                continue
            if self.is_("c", "end"):
                self.i += 1
                self.arg()
                break
            raise self.fail(f"expected another case (after \\\\) or \\end{{cases}} at column {self.peek()[2] + 1}", pos)
        if any(c is None for _, c in rows[:-1]) or len(rows) < 2:
            raise self.fail(f"the cases at column {pos + 1} need two or more rows, 'otherwise' only last", pos)
        taken: Node = Num("0", pos)
        out: Node | None = None
        for value, step in rows:
            if step is None:
                step = BinOp("-", Num("1", pos), taken, pos)
            else:
                taken = BinOp("+", taken, step, pos)
            term = BinOp("@", value, step, pos)
            out = term if out is None else BinOp("+", out, term, pos)
        return out

    def matrix(self, pos: int) -> Node:
        """``\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}``: an explicit matrix, row by row (one
        column: a vector)."""
        rows, row = [], [self.sum()]
        while True:
            if self.is_("s", "&"):
                self.i += 1
                row.append(self.sum())
            elif self.is_("c", "\\"):
                self.i += 1
                rows.append(row)
                if self.is_("c", "end"):            # a trailing \\ before \end
                    row = None
                else:
                    row = [self.sum()]
            elif self.is_("c", "end"):
                self.i += 1
                self.arg()
                if row is not None:
                    rows.append(row)
                break
            else:
                raise self.fail(f"expected & , \\\\ or \\end in the matrix at column {self.peek()[2] + 1}", pos)
        if all(len(r) == 1 for r in rows):
            return Call("vec", tuple(r[0] for r in rows), pos)
        return Call("mat", tuple(Call("vec", tuple(r), pos) for r in rows), pos)

    def _skip_words(self, *words) -> bool:
        """Pass over ``\\text{if}`` (or a bare ``if``) when it is one of ``words``."""
        if self.is_("c", "text") or self.is_("c", "textrm") or self.is_("c", "mbox"):
            save = self.i
            self.i += 1
            word = (self.word(*self.arg()) or "").strip().lower()
            if word in words:
                return True
            self.i = save
        return False

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
        base, power = None, None
        if self.is_("s", "^") and fid not in ("E", "Var", "Cov") and self.peek(1)[0] == "d":
            self.i += 1                                  # \tanh^2 s = (tanh s)²
            power = Num(self.peek()[1], pos)
            self.i += 1
        elif self.is_("s", "^") and fid not in ("E", "Var", "Cov") and self.is_("s", "{", 1) \
                and self.peek(2)[0] == "d" and self.is_("s", "}", 3):
            power = Num(self.peek(2)[1], pos)            # \tanh^{2} s
            self.i += 4
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
            while fid in ("sin", "cos") and self.starts_factor() \
                    and not (self.peek()[0] == "c" and self.peek()[1] in FUNC_CMDS):
                args = (BinOp("@", args[0], self.power(), pos),)     # \cos n\omega is cos(nω)
        if base is not None:                            # log_b x = log x / log b
            return BinOp("/", Call("log", args, pos), Call("log", (base,), pos), pos)
        if fid == "sech":                               # sech u = √(1 − tanh²u), positive for real u
            squared = BinOp("**", Call("tanh", args, pos), Num("2", pos), pos)
            node = Call("sqrt", (BinOp("-", Num("1", pos), squared, pos),), pos)
            return BinOp("**", node, power, pos) if power is not None else node
        if power is not None:
            return BinOp("**", Call(fid, args, pos), power, pos)
        return Call(fid, args, pos)

    def rounded(self, value: str, pos: int) -> Node:
        """``\\lfloor x \\rfloor`` or ``\\lceil x \\rceil`` of a number (a layer's size): its
        integer value; of an expression in names it cannot be read."""
        import math

        inner = self.sum()
        closer = "rfloor" if value == "lfloor" else "rceil"
        if not self.is_("c", closer):
            raise self.fail(f"expected \\{closer} to close the \\{value} at column {pos + 1}", pos)
        self.i += 1
        exact = _exact(inner)
        if exact is None:
            raise self.fail(f"\\{value} at column {pos + 1} is read only around a number", pos)
        return Num(str((math.floor if value == "lfloor" else math.ceil)(exact)), pos)

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
            if op in ("min", "max") and isinstance(var, Name) and var.id in INDEX_LETTERS:
                start = self.i
                norm = _entry_max_norm(self.term(), var.id) if op == "max" else None
                if norm is not None:
                    return norm                 # \max_i |w_i| is ‖w‖∞
                self.i = start
                raise self.fail(f"\\{op}_{var.id} at column {pos + 1} is a {op} over the entries; it is not read", pos)
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
            order, used = self._order(num[0] + nm[1], num[1])          # d^2 L / dη^2
            den_hi = den[1] - self._order_suffix(den[0] + dm[1], den[1], order)
            try:
                var = self.sub(den[0] + dm[1], den_hi, self.name)
            except ParseError:
                var = None
            if var is not None:
                lo = num[0] + nm[1] + used
                body = self.term() if lo >= num[1] else self.sub(lo, num[1], self.sum)
                if isinstance(body, Name) and body.id in self.given_functions and order == 1 and self.is_("s", "(") \
                        and lo < num[1]:
                    body = Call(body.id, self.call_args(), pos)      # ∂J/∂v_i(v₀): J's derivative at v₀
                for _ in range(order):
                    body = Call("diff", (body, var), pos)
                return body
        return BinOp("/", self.sub(*num, self.sum), self.sub(*den, self.sum), pos)

    def _order(self, lo: int, hi: int) -> tuple[int, int]:
        """The order written after a differential (``d^2``, ``\\partial^{2}``) and the tokens it
        takes: (1, 0) when there is none."""
        if lo < hi and self.toks[lo][1] == "^":
            if lo + 1 < hi and self.toks[lo + 1][0] == "d" and self.toks[lo + 1][1] in "23":
                return int(self.toks[lo + 1][1]), 2
            if lo + 3 < hi and self.toks[lo + 1][1] == "{" and self.toks[lo + 2][1] in ("2", "3") \
                    and self.toks[lo + 3][1] == "}":
                return int(self.toks[lo + 2][1]), 4
        return 1, 0

    def _order_suffix(self, lo: int, hi: int, order: int) -> int:
        """The tokens of a trailing ``^2`` (or ``^{2}``) on a denominator ``dη^2`` of that order."""
        if order == 1:
            return 0
        if hi - lo >= 3 and self.toks[hi - 2][1] == "^" and self.toks[hi - 1][1] == str(order):
            return 2
        if hi - lo >= 5 and self.toks[hi - 4][1] == "^" and self.toks[hi - 3][1] == "{" \
                and self.toks[hi - 2][1] == str(order) and self.toks[hi - 1][1] == "}":
            return 4
        return 0

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


def _entry_max_norm(body: Node, index: str) -> Node | None:
    """``|sgn(w_i)|`` maximised over i: ‖sgn(w)‖∞, the entries written as the whole vector. None
    unless the body is an absolute value whose entries all carry that index."""
    if isinstance(body, BinOp) and body.op in ("@", "*"):       # \max_i ε|w_i|: |ε| times the max
        sides = [(body.left, body.right), (body.right, body.left)]
        for factor, rest in sides:
            if index not in _names(factor) and (norm := _entry_max_norm(rest, index)) is not None:
                return BinOp(body.op, Call("abs", (factor,), body.pos), norm, body.pos)
        return None
    if not isinstance(body, Call) or body.func != "abs" or len(body.args) != 1:
        return None
    found = []

    def whole(node):
        if isinstance(node, Index) and isinstance(node.index, Name) and node.index.id == index and isinstance(node.base, Name):
            found.append(node.base.id)
            return node.base
        if isinstance(node, Name) and node.id == index:
            raise ValueError(index)
        return None

    try:
        inner = _top_down(body.args[0], whole)
    except ValueError:
        return None         # the index used on its own (i·w_i): no vector reading
    return Call("norm", (inner, Name("oo", body.pos)), body.pos) if found else None


def _top_down(node, fn):
    """The AST with ``fn`` applied top-down: a node ``fn`` replaces is not entered."""
    from dataclasses import fields, replace

    if not isinstance(node, Node):
        return node
    out = fn(node)
    if out is not None:
        return out
    changes = {}
    for f in fields(node):
        value = getattr(node, f.name)
        if isinstance(value, Node):
            changes[f.name] = _top_down(value, fn)
        elif isinstance(value, tuple):
            changes[f.name] = tuple(_top_down(v, fn) for v in value)
    return replace(node, **changes) if changes else node


def _names(node) -> set:
    from ..expr.ast import names_in

    return names_in(node)


def fold_constant(node: Node, number, power):
    """The value of a constant sub-expression of + − × / and powers, with ``number`` reading a
    numeral and ``power(a, b)`` raising (either may return None); None when it has names."""
    if isinstance(node, Num):
        return number(node.value)
    if isinstance(node, Neg):
        v = fold_constant(node.operand, number, power)
        return None if v is None else -v
    if isinstance(node, BinOp):
        a, b = fold_constant(node.left, number, power), fold_constant(node.right, number, power)
        if a is None or b is None:
            return None
        if node.op == "**":
            return power(a, b)
        if node.op == "/":
            return a / b if b else None
        return {"+": a + b, "-": a - b, "@": a * b, "*": a * b}.get(node.op)
    return None


def _exact(node: Node):
    """The exact rational value of a constant sub-expression (small integer powers only), or None."""
    from fractions import Fraction

    def number(text):
        try:
            return Fraction(text)
        except (ValueError, ZeroDivisionError):
            return None

    return fold_constant(node, number, lambda a, b: a ** int(b) if b.denominator == 1 and abs(b) <= 64 and (a or b > 0) else None)

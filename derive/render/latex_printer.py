"""SymPy expressions -> LaTeX (math mode): the ``LatexPrinter`` subclass behind ``printing.latex``.

Dispatch is by class name (``_print_Transpose``, ``_print_E``, ...); what each changes from
SymPy's own printer is listed in ``printing.py``. A relation too wide for a line breaks at its
sign (``WIDE``).
"""
from __future__ import annotations

import re

from sympy import Integral, Mul, S, Sum, Symbol
from sympy.printing.latex import LatexPrinter
from sympy.simplify.radsimp import fraction

from .printer_base import (_MUL, Shared, _atomish, _chain_order, _display_limits, _entry_indices, _is_id1,
                           _prec, _same_point, _stored_factors, is_1x1_array, is_explicit_array,
                           norm_under_root)
from .prose import escape_tex
from .spellings import _BOLD, _DEFAULT_LATEX, _function_tex, _symbol_tex, _with_subscript

class LatexMath(Shared, LatexPrinter):
    def __init__(self, names=None):
        LatexPrinter.__init__(self, {})
        self.names = names or {}

    @staticmethod
    def _paren(s: str) -> str:
        tall = any(t in s for t in (r"\frac", r"\sum", r"\left", r"\sqrt", r"\prod", r"\int"))
        return rf"\left({s}\right)" if tall else f"({s})"

    def _power(self, base, base_tex: str, exp_tex: str) -> str:
        if not _atomish(base):
            base_tex = self._paren(base_tex)
        elif "^" in base_tex:
            base_tex = "{" + base_tex + "}"
        if len(exp_tex) > 1 and not re.fullmatch(r"\\[A-Za-z]+", exp_tex):
            exp_tex = "{" + exp_tex + "}"
        return f"{base_tex}^{exp_tex}"

    def parenthesize(self, item, level, is_neg=False, strict=False) -> str:
        prec = _prec(item)
        if (is_neg and strict) or prec < level or (not strict and prec <= level):
            return self._paren(self._print(item))
        return self._print(item)

    def _factors(self, expr) -> str:
        return self._factor_list(_chain_order(expr.as_ordered_factors()) if expr.is_Mul else [expr])

    def _factor_list(self, factors) -> str:
        out = ""
        for i, f in enumerate(factors):
            s = self._print(f)
            if _prec(f) < _MUL or (i > 0 and s.startswith("-")) or f.is_Relational:
                s = self._paren(s)
            if out and out[-1].isdigit() and s[0].isdigit():
                out += r" \cdot " + s
            else:
                out += (" " if out else "") + s
        return out

    def _print_Mul(self, expr):
        stored = _stored_factors(expr)
        if stored is not None:
            return ("- " if stored[0] else "") + self._factor_list(stored[1])
        sign = ""
        if expr.could_extract_minus_sign():
            sign, expr = "- ", -expr
        numer, denom = fraction(expr, exact=True)
        if denom == 1:
            return sign + self._factors(numer)
        bottom = self._print(denom) if denom.is_Add else self._factors(denom)
        if numer.has(Sum, Integral):  # \frac{1 - p}{D} \sum ..., not a sum stacked over D
            sums = [f for f in Mul.make_args(numer) if f.has(Sum, Integral)] if numer.is_Mul else [numer]
            rest = Mul(*[f for f in Mul.make_args(numer) if f not in sums]) if numer.is_Mul else S.One
            body = self._paren(self._print(numer)) if numer.is_Add else self._factors(Mul(*sums))
            top = "1" if rest == 1 else (self._print(rest) if rest.is_Add else self._factors(rest))
            return sign + rf"\frac{{{top}}}{{{bottom}}} {body}"
        top = self._print(numer) if numer.is_Add else self._factors(numer)
        return sign + rf"\frac{{{top}}}{{{bottom}}}"

    def _print_Symbol(self, expr, style="plain"):
        tex = _symbol_tex(expr.name, self.names)
        if tex is not None:
            return tex
        if expr.name in _DEFAULT_LATEX:
            return _DEFAULT_LATEX[expr.name]
        return super()._print_Symbol(expr, style=style)

    _print_Dummy = _print_Symbol

    def _print_MatrixSymbol(self, expr):
        return self._print_Symbol(Symbol(expr.name))

    def _hprint_Function(self, func: str) -> str:
        return _function_tex(func, self.names) or super()._hprint_Function(func)

    def _print_Subs(self, subs):
        same = _same_point(subs)
        if same is not None:                # d/dx f(x) |_{x=x} is d/dx f(x)
            return self._print(same)
        return super()._print_Subs(subs)

    def _print_BooleanTrue(self, expr):
        return "0 = 0"              # an identity reduced to nothing: the difference is zero

    def _print_BooleanFalse(self, expr):
        return r"\bot"

    def _print_And(self, expr):
        """An instance and the relation that fails there (a certified counterexample): the values
        packed into rows as a TA writes them (a column vector as (0, 1)ᵀ), then the relation on
        rows of its own, long ones broken at their sign, so the box fits the page."""
        values = [a for a in expr.args if getattr(a, "rel_op", None) == "=="]
        rows, row = [], []
        for value in values:
            shown = f"{self._print(value.lhs)} = {self._inline_value(value.rhs)}"
            if row and visible_width(r",\; ".join(row + [shown])) > WIDE // 2:
                rows.append(r",\; ".join(row))
                row = []
            row.append(shown)
        rows += [r",\; ".join(row)] if row else []
        rows += [self._print(a) for a in expr.args if a not in values]
        return r"\begin{gathered}" + r" \\ ".join(rows) + r"\end{gathered}"

    def _inline_value(self, value) -> str:
        """A value of an instance: a small column vector as a transposed tuple, else as usual."""
        if getattr(value, "is_Matrix", False) and value.shape[1] == 1 and value.shape[0] <= 6:
            return r"\left(" + ", ".join(self._print(x) for x in value) + r"\right)^{\top}"
        return self._print(value)

    def _print_Relational(self, expr):
        """A relation too wide for a line is broken at its sign (an aligned pair of rows), which
        fits in an align cell, an equation and a box alike."""
        whole = LatexPrinter._print_Relational(self, expr)
        if visible_width(whole) <= WIDE:
            return whole
        lhs, rhs = self._print(expr.lhs), self._print(expr.rhs)
        sign = {"==": "=", "<=": r"\le", ">=": r"\ge", "!=": r"\ne", "<": "<", ">": ">"}[expr.rel_op]
        return rf"\begin{{aligned}}[t] & {lhs} \\ & \quad {sign} {rhs} \end{{aligned}}"

    def _print_Identity(self, expr):
        return "1" if _is_id1(expr) else self.names.get("I", "I")

    def _print_ZeroMatrix(self, expr):
        return r"\mathbf{0}"

    def _print_OneMatrix(self, expr):
        return r"\mathbf{1}"

    def _print_Transpose(self, expr):
        if is_explicit_array(expr.arg):              # ([1, 1])ᵀ is the array it names
            return self._print(expr.arg.T)
        return self._power(expr.arg, self._print(expr.arg), r"\top")

    def _print_Inverse(self, expr):
        return self._power(expr.arg, self._print(expr.arg), "-1")

    def _print_MatPow(self, expr):
        return self._power(expr.base, self._print(expr.base), self._print(expr.exp))

    @staticmethod
    def _squared_norm(vector: str) -> str:
        return rf"\left\|{vector}\right\|^{{2}}"

    def _print_MatMul(self, expr):
        sign, coeff, factors = self._matmul_parts(expr, "- ")
        if not factors:
            return self._print(coeff)
        if coeff != 1:
            c = self._print(coeff)
            factors = [self._paren(c) if _prec(coeff) < _MUL else c] + factors
        return sign + " ".join(factors)

    def _print_Pow(self, expr):
        base, exp = expr.base, expr.exp
        if exp is S.Half:
            if (v := norm_under_root(base)) is not None:
                return rf"\left\|{self._print(v)}\right\|"     # √(vᵀv) is the norm ‖v‖
            return rf"\sqrt{{{self._print(base)}}}"
        if exp.is_Rational and exp.p == 1 and exp.q > 2:
            return rf"\sqrt[{exp.q}]{{{self._print(base)}}}"
        if exp.could_extract_minus_sign() and base.is_commutative:
            return self._print_Mul(expr)
        exp_tex = f"{exp.p}/{exp.q}" if exp.is_Rational and exp.q != 1 else self._print(exp)
        return self._power(base, self._print(base), exp_tex)

    def _bracket(self, name: str, arg, exp, opening="[", closing="]") -> str:
        s = self._print(arg)
        tall = any(t in s for t in (r"\frac", r"\sum", r"\left"))
        body = rf"\left{opening}{s}\right{closing}" if tall else f"{opening}{s}{closing}"
        out = name + body
        return out if exp is None else f"{out}^{{{exp}}}"

    def _print_E(self, expr, exp=None):
        return self._bracket(r"\mathbb{E}", expr.args[0], exp)

    def _print_Var(self, expr, exp=None):
        return self._bracket(r"\operatorname{Var}", expr.args[0], exp)

    def _print_Mean(self, expr, exp=None):
        return self._bracket(r"\mathbb{E}", expr.args[0], exp)

    def _print_Cov(self, expr, exp=None):
        return self._bracket(r"\operatorname{Cov}", expr.args[0], exp)

    def _print_relu(self, expr, exp=None):
        return self._bracket(r"\operatorname{relu}", expr.args[0], exp, "(", ")")

    def _print_Sum(self, expr):
        """Σ over several indices as nested sums, the outermost first (SymPy lists it last);
        a sum over vector entries counts from 1."""
        limits = tuple(_display_limits(expr, lim) for lim in expr.limits)
        if limits != expr.limits:
            var, lo, hi = limits[-1]
            body = self._print(Sum(expr.function, *limits[:-1]) if len(limits) > 1 else expr.function)
            if len(limits) == 1 and _prec(expr.function) < _MUL:
                body = self._paren(body)
            return rf"\sum_{{{self._print(var)}={self._print(lo)}}}^{{{self._print(hi)}}} {body}"
        if len(expr.limits) == 1:
            return super()._print_Sum(expr)
        inner = Sum(expr.function, expr.limits[0])
        for lim in expr.limits[1:-1]:
            inner = Sum(inner, lim)
        var, lo, hi = expr.limits[-1]
        body = self._print(inner)
        return rf"\sum_{{{self._print(var)}={self._print(lo)}}}^{{{self._print(hi)}}} {body}"

    def _print_sigmoid(self, expr, exp=None):
        return self._bracket(r"\sigma", expr.args[0], exp, "(", ")")

    def _print_softplus(self, expr, exp=None):
        return self._bracket(r"\operatorname{softplus}", expr.args[0], exp, "(", ")")

    def _print_logit(self, expr, exp=None):
        return self._bracket(r"\operatorname{logit}", expr.args[0], exp, "(", ")")

    def _print_heaviside(self, expr, exp=None):
        return self._bracket(r"H", expr.args[0], exp, "(", ")")

    def _print_Partial(self, expr, exp=None):
        var = self._print(expr.variables[0])
        if isinstance(expr.expr, Symbol):
            out = rf"\frac{{\partial {self._print(expr.expr)}}}{{\partial {var}}}"
        else:
            out = rf"\frac{{\partial}}{{\partial {var}}} {self._paren(self._print(expr.expr))}"
        return out if exp is None else rf"\left({out}\right)^{{{exp}}}"

    def _print_Sgn(self, expr):
        return self._bracket(r"\operatorname{sgn}", expr.args[0], None, "(", ")")

    def _print_norm1(self, expr, exp=None):
        out = rf"\left\|{self._print(expr.args[0])}\right\|_1"
        return out if exp is None else f"{out}^{{{exp}}}"

    def _print_norminf(self, expr, exp=None):
        out = rf"\left\|{self._print(expr.args[0])}\right\|_\infty"
        return out if exp is None else f"{out}^{{{exp}}}"

    def _print_PeakSign(self, expr):
        inner = self._print(expr.args[0])
        return (rf"\operatorname{{sgn}}\big(({inner})_{{k^*}}\big)\,\mathbf{{e}}_{{k^*}}")

    def _print_MatrixElement(self, expr):
        base = _BOLD.sub(r"\1", self._print(expr.parent))   # an entry is a scalar: not bold
        return _with_subscript(base, ",".join(self._print(i) for i in _entry_indices(expr)))

    def _print_ImmutableDenseMatrix(self, expr):
        if is_1x1_array(expr):
            return self._print(expr[0, 0])
        return self._print_MatrixBase(expr)

    _print_MutableDenseMatrix = _print_ImmutableDenseMatrix

    def _print_Grad(self, expr):
        inner = self._print(expr.expr)
        if not _atomish(expr.expr):
            inner = self._paren(inner)
        var, at = self._print(expr.var), self._print(expr.at)
        out = rf"\nabla_{{{var}}} {inner}"
        if at != var:  # a fresh variable spelled like the point needs no evaluation bar
            out = rf"\left.{out}\right|_{{{var} = {at}}}"
        return out

    def _print_Indexed(self, expr):
        return _with_subscript(self._print(expr.base),
                               ",".join(self._print(i) for i in expr.indices))

    def _print_str(self, expr):
        return r"\text{" + escape_tex(expr) + "}"


WIDE = 95      # visible characters of a display line (a page holds about 110 at 11pt)
_MATRIX = re.compile(r"\\begin\{matrix\}((?:(?!\\begin\{matrix\}).)*?)\\end\{matrix\}", re.S)


def visible_width(tex: str) -> int:
    """A rough count of the characters a LaTeX string shows: commands, braces and script marks
    left out, the larger of a fraction's two parts counted once."""
    tex = _MATRIX.sub(lambda m: max(m.group(1).split(r"\\"), key=len), tex)   # a matrix is as wide as its widest row
    plain = re.sub(r"\\(left|right|big|Big|bigg|Bigg|quad|qquad|mathbf|boldsymbol|operatorname)\b", "", tex)
    plain = re.sub(r"[{}^_&]", "", re.sub(r"\\[A-Za-z]+", "x", plain))   # \alpha, \log: about a glyph each
    fractions = len(re.findall(r"\\frac", tex))
    return max(0, len(plain) - 6 * fractions)

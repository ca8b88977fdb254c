"""SymPy expressions -> one line of Unicode: the ``StrPrinter`` subclass behind ``printing.text``.

Dispatch is by class name, as in ``latex_printer.py``; symbol spellings come from the same LaTeX
(``spellings.py``), turned into Unicode (``\\mathbf{w}`` -> ``w``, ``x_1`` -> ``x₁``).
"""
from __future__ import annotations

from sympy import Mul, S, Sum, Symbol
from sympy.printing.pretty.pretty_symbology import pretty_symbol
from sympy.printing.str import StrPrinter
from sympy.simplify.radsimp import fraction

from .printer_base import (_MUL, Shared, _atomish, _chain_order, _display_limits, _entry_indices, _is_id1,
                           _prec, _same_point, _stored_factors, is_1x1_array, is_explicit_array,
                           norm_under_root)
from .spellings import (_SUB, _SUB_CHARS, _SUP, _function_tex, _latex_to_unicode, _subscript,
                        _symbol_tex)

class TextMath(Shared, StrPrinter):
    printmethod = "_derive_text"  # Indexed's own _sympystr would bypass the dispatch below

    def __init__(self, names=None):
        StrPrinter.__init__(self, {})
        self.names = names or {}

    @staticmethod
    def _paren(s: str) -> str:
        return f"({s})"

    def _power(self, base, base_s: str, exp_s: str) -> str:
        if not _atomish(base):
            base_s = self._paren(base_s)
        sup = exp_s.translate(_SUP)
        if all(c in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾ⁿᵀ" for c in sup):
            return base_s + sup
        return f"{base_s}^({exp_s})" if len(exp_s) > 1 else f"{base_s}^{exp_s}"

    def _print_Symbol(self, expr):
        tex = _symbol_tex(expr.name, self.names)
        if tex is not None:
            return _latex_to_unicode(tex)
        return pretty_symbol(expr.name)

    _print_Dummy = _print_Symbol

    def _print_MatrixSymbol(self, expr):
        return self._print_Symbol(Symbol(expr.name))

    def _print_Function(self, expr):
        tex = _function_tex(expr.func.__name__, self.names)
        if tex is None:
            return StrPrinter._print_Function(self, expr)
        name = "sgn" if tex.startswith(r"\operatorname{sgn}") else _latex_to_unicode(tex)
        return name + "(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_BooleanTrue(self, expr):
        return "0 = 0"

    def _print_BooleanFalse(self, expr):
        return "⊥"

    def _print_And(self, expr):
        """An instance and the relation that fails there (a certified counterexample): the values,
        then the relation, 'k = 2, μ = 1, z = (0, 1)ᵀ: F(z) − F(b) > …' (not SymPy's '&')."""
        values = [a for a in expr.args if getattr(a, "rel_op", None) == "=="]
        rest = [a for a in expr.args if a not in values]
        head = ", ".join(self._print(a) for a in values)
        tail = " and ".join(self._print(a) for a in rest)
        return f"{head}: {tail}" if head and tail else head or tail

    def _print_Piecewise(self, expr):
        cases = [f"{self._print(e)} if {self._print(c)}" if c is not S.true else f"{self._print(e)} otherwise"
                 for e, c in expr.args]
        return "{" + "; ".join(cases) + "}"

    def _print_Identity(self, expr):
        return "1" if _is_id1(expr) else "I"

    def _print_ZeroMatrix(self, expr):
        return "0"

    def _print_Transpose(self, expr):
        if is_explicit_array(expr.arg):              # ([1, 1])ᵀ is the column (1, 1)ᵀ, written out
            return self._print(expr.arg.T)
        return self._power(expr.arg, self._print(expr.arg), "ᵀ")

    def _print_Inverse(self, expr):
        return self._power(expr.arg, self._print(expr.arg), "-1")

    def _print_MatPow(self, expr):
        return self._power(expr.base, self._print(expr.base), self._print(expr.exp))

    def _factor(self, e, first: bool) -> str:
        s = self._print(e)
        if _prec(e) < _MUL or (not first and s.startswith("-")):
            return self._paren(s)
        return s

    @staticmethod
    def _juxtapose(strs: list[str]) -> str:
        """``2nλ``, ``ε wᵀw``, ``2(a + b)``: short factors touch, longer ones get a space."""
        out, last = "", ""
        for s in strs:
            if not out:
                out = s
            elif last[-1].isdigit() and s[0].isdigit() or "∂" in last and s.startswith("∂"):
                out += "·" + s if "∂" not in s else " · " + s
            elif _short(last) and (_short(s) or s[0] == "("):
                out += s
            else:
                out += " " + s
            last = s
        return out

    def _print_Mul(self, expr):
        stored = _stored_factors(expr)
        if stored is not None:
            shown = [self._factor(f, i == 0) for i, f in enumerate(stored[1])]
            shown = [self._paren(x) if "/" in x and k < len(shown) - 1 and not x.startswith("∂") else x
                     for k, x in enumerate(shown)]
            return stored[0] + self._juxtapose(shown)
        sign = ""
        if expr.could_extract_minus_sign():
            sign, expr = "-", -expr
        numer, denom = fraction(expr, exact=True)
        if denom != 1 and numer.is_Mul and any(f.has(Sum) for f in numer.args) \
                and not all(f.has(Sum) for f in numer.args):
            sums = [f for f in numer.as_ordered_factors() if f.has(Sum)]
            rest = Mul(*[f for f in numer.args if not f.has(Sum)])
            return sign + self._print(rest / denom) + " · " + self._juxtapose(
                [self._factor(f, i == 0) for i, f in enumerate(sums)])      # (1 − p)/p · Σ …, not (1 − p) Σ …/p
        if numer.is_Mul:
            nums = [self._factor(f, i == 0) for i, f in enumerate(_chain_order(numer.as_ordered_factors()))]
        else:
            nums = [self._factor(numer, True)]
        top = self._juxtapose(nums)
        if denom == 1:
            return sign + top
        return sign + top + "/" + self._denominator(denom)

    def _denominator(self, denom) -> str:
        factors = denom.as_ordered_factors() if denom.is_Mul else [denom]
        s = self._juxtapose([self._factor(f, i == 0) for i, f in enumerate(factors)])
        return self._paren(s) if len(factors) > 1 else s

    @staticmethod
    def _squared_norm(vector: str) -> str:
        return f"‖{vector}‖²"

    def _print_MatMul(self, expr):
        sign, coeff, factors = self._matmul_parts(expr, "-")
        if not factors:
            return self._print(coeff)
        cn, cd = fraction(coeff, exact=True)
        body = "".join(factors)
        if cn != 1:
            c = self._print(cn)
            c = self._paren(c) if _prec(cn) < _MUL else c
            tight = (len(factors) == 1 and len(body) == 1) or body[0] == "("
            body = c + ("" if tight else " ") + body
        if cd != 1:
            body += "/" + self._denominator(cd)
        return sign + body

    def _print_Pow(self, expr):
        base, exp = expr.base, expr.exp
        if exp is S.Half:
            if (v := norm_under_root(base)) is not None:
                return "‖" + self._print(v) + "‖"          # √(vᵀv) is the norm ‖v‖
            s = self._print(base)
            return "√" + (s if _atomish(base) else self._paren(s))
        if exp.could_extract_minus_sign() and base.is_commutative:
            return self._print_Mul(expr)
        exp_s = f"{exp.p}/{exp.q}" if exp.is_Rational and exp.q != 1 else self._print(exp)
        return self._power(base, self._print(base), exp_s)

    def _print_Pi(self, expr):
        return "π"

    def _print_Infinity(self, expr):
        return "∞"

    def _print_NegativeInfinity(self, expr):
        return "-∞"

    def _print_Rational(self, expr):
        return f"{expr.p}/{expr.q}" if expr.q != 1 else str(expr.p)

    def _print_E(self, expr):
        return f"𝔼[{self._print(expr.args[0])}]"

    def _print_Var(self, expr):
        return f"Var[{self._print(expr.args[0])}]"

    def _print_Mean(self, expr):
        return f"𝔼[{self._print(expr.args[0])}]"

    def _print_Trace(self, expr):
        return f"tr({self._print(expr.arg)})"

    def _print_Cov(self, expr):
        return f"Cov[{self._print(expr.args[0])}]"

    def _print_relu(self, expr):
        return f"relu({self._print(expr.args[0])})"

    def _print_sigmoid(self, expr):
        return f"σ({self._print(expr.args[0])})"

    def _print_softplus(self, expr):
        return f"softplus({self._print(expr.args[0])})"

    def _print_logit(self, expr):
        return f"logit({self._print(expr.args[0])})"

    def _print_heaviside(self, expr):
        return f"H({self._print(expr.args[0])})"

    def _print_Sgn(self, expr):
        return f"sgn({self._print(expr.args[0])})"

    def _print_PeakSign(self, expr):
        return f"sgn(({self._print(expr.args[0])})ₖ*) eₖ*"

    def _print_norm1(self, expr):
        return f"‖{self._print(expr.args[0])}‖₁"

    def _print_norminf(self, expr):
        return f"‖{self._print(expr.args[0])}‖∞"

    def _print_Abs(self, expr):
        return f"|{self._print(expr.args[0])}|"

    def _print_MatrixElement(self, expr):
        base = self._print(expr.parent)
        return base + _subscript(",".join(self._print(i) for i in _entry_indices(expr)))

    def _print_ImmutableDenseMatrix(self, expr):
        if is_1x1_array(expr):
            return self._print(expr[0, 0])
        rows = [[self._print(expr[i, j]) for j in range(expr.cols)] for i in range(expr.rows)]
        if expr.cols == 1:
            return "(" + ", ".join(r[0] for r in rows) + ")ᵀ"
        return "[" + "; ".join(", ".join(r) for r in rows) + "]"

    _print_MutableDenseMatrix = _print_ImmutableDenseMatrix

    def _print_Grad(self, expr):
        var = self._print(expr.var)
        sub = var.translate(_SUB)
        out = "∇" + (sub if all(c in _SUB_CHARS for c in sub) else f"_{var}")
        inner = self._print(expr.expr)
        out += inner if _atomish(expr.expr) else self._paren(inner)
        at = self._print(expr.at)
        if at != var:
            out += f"|_{{{var}={at}}}"
        return out

    def _print_Derivative(self, expr):
        (var, count), = expr.variable_count if len(expr.variable_count) == 1 else ((None, 0),)
        if var is None:
            return StrPrinter._print_Derivative(self, expr)
        order = "" if count == 1 else str(count).translate(_SUP)
        inner = self._print(expr.expr)
        return f"d{order}/d{self._print(var)}{order} " + (inner if _atomish(expr.expr) else self._paren(inner))

    def _print_Subs(self, expr):
        same = _same_point(expr)
        if same is not None:
            return self._print(same)
        at = ", ".join(f"{self._print(v)}={self._print(p)}" for v, p in zip(expr.variables, expr.point))
        inner = self._print(expr.expr)
        return f"{inner}|_{{{at}}}"

    def _print_Partial(self, expr):
        var = self._print(expr.variables[0])
        if isinstance(expr.expr, Symbol):
            return f"∂{self._print(expr.expr)}/∂{var}"
        return f"∂/∂{var} " + self._paren(self._print(expr.expr))

    def _print_Indexed(self, expr):
        base = self._print(expr.base)
        return base + _subscript(",".join(self._print(i) for i in expr.indices))

    def _print_IndexedBase(self, expr):
        return self._print(expr.label)

    def _print_Sum(self, expr):
        limits = []
        for lim in reversed([_display_limits(expr, lim) for lim in expr.limits]):   # innermost first in SymPy
            if len(lim) == 3:
                var, lo, hi = (self._print(x) for x in lim)
                limits.append(f"Σ_{{{var}={lo}}}^{{{hi}}}")
            else:
                var = self._print(lim[0])
                sub = var.translate(_SUB)
                limits.append("Σ" + (sub if all(c in _SUB_CHARS for c in sub) else f"_{var}"))
        body = self._print(expr.function)
        if _prec(expr.function) < _MUL:
            body = self._paren(body)
        return " ".join(limits) + " " + body

    def _print_Relational(self, expr):
        op = {"==": "=", "<=": "≤", ">=": "≥", "!=": "≠", "<": "<", ">": ">"}[expr.rel_op]
        return f"{self._print(expr.lhs)} {op} {self._print(expr.rhs)}"

    def _print_Max(self, expr):
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Min(self, expr):
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_str(self, expr):
        return expr


def _short(s: str) -> bool:
    """One glyph, a digit string, or a letter with a mark (``xᵀ``, ``w₁``); not ``lr``."""
    return s.isdigit() or len(s) == 1 or (len(s) == 2 and not (s.isascii() and s.isalpha()))

"""SymPy expressions -> LaTeX (``latex``) and one-line Unicode (``text``).

Where it sits: every renderer prints mathematics only through these two functions; the text
renderer and JSON call them directly, the Jinja templates through the ``math`` filter. Nothing
else in the package turns an expression into a string, so no ``repr`` can leak into output.

Both printers subclass SymPy's (``LatexPrinter``, ``StrPrinter``) and dispatch by class name
(``_print_Transpose``, ``_print_Scalar``, ...). What they change, and why:

- Factor order of matrix products is kept exactly; ``Identity(1)`` factors are dropped (a 1x1
  identity times a scalar is that scalar), other identities print as ``I``.
- Sums never show ``+ -``. Terms keep their stored order when the expression was built with
  ``evaluate=False`` (the author's order); otherwise SymPy's conventional order is used. Either
  way a leading negative term gives way to the first positive one (``b - a``, not ``-a + b``).
- Transposes print as ``^\\top`` / ``ᵀ``, inverses as ``^{-1}`` / ``⁻¹``, with parentheses
  only around compound bases. ``Scalar(M)`` prints as ``M``; ``E``, ``Var``, ``relu``, ``Sgn``
  print as ``\\mathbb{E}[x]``, ``\\operatorname{Var}[x]``, ``\\operatorname{relu}(x)``,
  ``\\operatorname{sgn}(v)``.
- Symbol spellings come from ``names`` (SymPy name -> LaTeX, from the spec's symbol table);
  the text printer derives its Unicode spelling from the same LaTeX (``\\mathbf{w}`` -> ``w``).
"""
from __future__ import annotations

import re
from fractions import Fraction
from functools import cmp_to_key, lru_cache

from sympy import (Add, Basic, Float, Function, Indexed, Integer, Integral, MatAdd, MatMul,
                   MatrixSymbol, Rational, S, Sum, Symbol)
from sympy.core.sorting import default_sort_key
from sympy.matrices.expressions import Identity, ZeroMatrix
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE, precedence_traditional
from sympy.printing.pretty.pretty_symbology import pretty_symbol
from sympy.printing.str import StrPrinter
from sympy.simplify.radsimp import fraction

from ..expr.objects import Scalar, Sgn
from .normal_forms import normal_form
from .prose import escape_tex

_ADD, _MUL, _POW = PRECEDENCE["Add"], PRECEDENCE["Mul"], PRECEDENCE["Pow"]
_SUP = str.maketrans("0123456789-+()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾ⁿ")
_SUB = str.maketrans("0123456789aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUB_CHARS = "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"
_DEFAULT_LATEX = {"epsilon": r"\varepsilon"}
_GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
          "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega")
_GREEK_SHORT = {"eps": "epsilon", "lam": "lambda", "lamda": "lambda"}
# Words that qualify a one-letter name (``wmin``, ``fadv``, ``eta_star``) and how they are set.
_QUALIFIERS = {"star": "^{*}", "min": r"_{\min}", "max": r"_{\max}", "hat": r"\hat", "bar": r"\bar",
               "tilde": r"\tilde"}
_KNOWN_WORDS = ("adv", "rms", "lim", "opt", "new", "old", "avg", "init", "true", "reg", "ridge", "mle", "map")


def _default_spellings(name: str) -> set:
    """The LaTeX an identifier gets when nobody chose one: itself (``fadv``), or SymPy's and
    the spec reader's ``\\eta_{star}`` / ``L_{1}`` for a name with a subscript."""
    out = {name}
    base, _, sub = name.partition("_")
    m = re.fullmatch(r"([A-Za-z]+?)(\d+)", name)
    if m and not sub:
        base, sub = m.group(1), m.group(2)
    head = "\\" + base if base in _GREEK else base
    if sub:
        out |= {f"{head}_{{{sub}}}", f"{head}_{sub}"}
    else:
        out.add(head)
    return out


def _identifier_tex(name: str, names: dict) -> str | None:
    """A wordy identifier (a ``uses`` alias or a symbol declared without ``latex:``) set as a
    mathematician would write it: ``eta_star`` -> η*, ``wmin`` -> w_min, ``fadv`` -> f_adv,
    ``eps`` -> ε (ε* when ε is already another symbol's spelling). None for a name that is
    already conventional (``w``, ``L1``, ``theta_t``) or not recognisably a name and a qualifier."""
    base, _, sub = name.partition("_")
    if not sub:
        if name in _GREEK_SHORT:
            base, sub = _GREEK_SHORT[name], ""
        else:
            words = tuple(_QUALIFIERS) + _KNOWN_WORDS
            heads = [g for g in _GREEK if name.startswith(g)] + [name[0]]
            split = next(((h, name[len(h):]) for h in heads if name[len(h):] in words), None)
            if split is None:
                return None
            base, sub = split
    elif not re.fullmatch(r"[A-Za-z]+", sub) or len(sub) < 2 or "_" in sub:
        return None
    if not (len(base) == 1 or base in _GREEK):
        return None
    head = names.get(base) or ("\\" + base if base in _GREEK else base)
    if not sub:
        tex = head
    elif sub in _QUALIFIERS and _QUALIFIERS[sub].startswith("\\"):
        tex = f"{_QUALIFIERS[sub]}{{{head}}}"
    elif sub in _QUALIFIERS:
        tex = head + _QUALIFIERS[sub]
    else:
        tex = rf"{head}_{{\mathrm{{{sub}}}}}"
    taken = {v for k, v in names.items() if k != name}
    if tex in taken:
        tex = tex + "^{*}" if "^" not in tex else None
    return tex if tex not in taken else None


def _symbol_tex(name: str, names: dict) -> str | None:
    """The LaTeX spelling of a symbol: the spec's, else a readable one for a wordy identifier."""
    given = names.get(name)
    if given is None or given in _default_spellings(name):
        return _identifier_tex(name, names) or given
    return given


def _function_tex(func: str, names: dict) -> str | None:
    """A function's spelling from the spec (``ell`` -> ``\\ell``; its derivative ``ell'`` ->
    ``\\ell'``); SymPy's ``sign`` is written sgn, as ``Sgn`` is."""
    base = func.rstrip("'")
    primes = func[len(base):]
    if base == "sign":
        return r"\operatorname{sgn}" + primes
    tex = _symbol_tex(base, names) if base in names else None
    return tex + primes if tex else None


def _same_point(subs):
    """``Subs(Derivative(f(ξ), ξ), ξ, x)`` where ξ is SymPy's dummy spelled like ``x`` is just
    the derivative in ``x`` (its evaluation bar would read x = x); None for a real substitution."""
    pairs = list(zip(subs.variables, subs.point))
    if all(v == p or (isinstance(p, Symbol) and getattr(v, "name", None) == p.name) for v, p in pairs):
        return subs.expr.xreplace(dict(pairs))
    return None


def _zero_based_entries(expr, var) -> bool:
    """Does ``var`` appear in ``expr`` only as an index of vector or matrix entries (``δ[i, 0]``)?
    Then a sum over 0..d−1 is the sum over the entries, written 1..d as a reader counts them."""
    entries = [e for e in expr.atoms(MatrixElement) if var in (e.i, e.j)]
    if not entries:
        return False
    stripped = expr.xreplace({e: Symbol(f"_entry{k}") for k, e in enumerate(entries)})
    return var not in stripped.free_symbols and all(
        not (var in getattr(i, "free_symbols", ()) and i != var) for e in entries for i in (e.i, e.j))


def _display_limits(expr, lim):
    """A limit (i, 0, d − 1) over entries shows as (i, 1, d); any other limit as it is."""
    if len(lim) == 3 and lim[1] == 0 and _zero_based_entries(expr.function, lim[0]):
        return (lim[0], S.One, lim[2] + 1)
    return lim


def _is_id1(e) -> bool:
    return isinstance(e, Identity) and e.rows == 1


def _drop_id1(args) -> list:
    return [a for a in args if not _is_id1(a)]


def _coeff_matrices(e) -> tuple:
    """A matrix product as (scalar coefficient, matrix factors): nested products are flattened
    (``η (2/n Xᵀa)`` shows as ``2η/n Xᵀa``) and 1x1 identities dropped; order is kept."""
    coeff, mats = S.One, []
    for arg in e.args:
        if isinstance(arg, MatMul):
            c, inner = _coeff_matrices(arg)
            coeff, mats = coeff * c, mats + inner
        elif getattr(arg, "is_Matrix", False):
            mats.append(arg)
        else:
            coeff = coeff * arg
    return coeff, _drop_id1(mats)


class SquaredNorm:
    """Two adjacent factors aᵀa of a product, where a is a column written as a sum, as a
    reader writes them: ‖a‖² (display only; the derivation keeps its product)."""

    def __init__(self, vector):
        self.vector = vector


def squared_norms(mats: list) -> list:
    """``mats`` with each adjacent pair aᵀ, a (a a column sum such as Xw − t) as ``SquaredNorm(a)``."""
    from sympy import Transpose

    out, i = [], 0
    while i < len(mats):
        a, b = mats[i], mats[i + 1] if i + 1 < len(mats) else None
        if (b is not None and isinstance(b, MatAdd) and b.shape[1] == 1
                and (a == Transpose(b) or a == Transpose(b).doit())):
            out.append(SquaredNorm(b))
            i += 2
        else:
            out.append(a)
            i += 1
    return out


_BOLD = re.compile(r"^\\(?:mathbf|boldsymbol|bm)\{(.*)\}$")


_SUPERSCRIPTED = re.compile(r"^([^_^]+)\^(\{.*\}|[^{}])$")


def _with_subscript(base: str, index: str) -> str:
    """``a^{(l)}`` indexed by ``j`` is ``a_{j}^{(l)}``; other decorated bases are braced."""
    m = _SUPERSCRIPTED.match(base)
    if m:
        return f"{m[1]}_{{{index}}}^{m[2]}"
    if "_" in base or "^" in base:
        base = "{" + base + "}"
    return base + "_{" + index + "}"


def _entry_indices(expr) -> tuple:
    """``v[i, 0]`` of a column vector is written ``v_i`` (and ``u[0, j]`` of a row ``u_j``)."""
    rows, cols = expr.parent.shape
    if cols == 1:
        return (expr.i,)
    if rows == 1:
        return (expr.j,)
    return (expr.i, expr.j)


def _is_identity_multiple(e) -> bool:
    """``c I`` (or a bare ``I``): conventionally written last in a sum (``XᵀX + λI``)."""
    if isinstance(e, MatMul):
        return all(isinstance(m, Identity) for m in _coeff_matrices(e)[1])
    return isinstance(e, Identity)


def _minus_outside(coeff) -> bool:
    """Print a matrix product's scalar coefficient with its sign outside? Not for a sum that
    reads as it is, with no more negative terms than positive ones: (1 − λ)w, not −(λ − 1)w."""
    if not coeff.could_extract_minus_sign():
        return False
    if coeff.is_Add:
        negative = sum(1 for t in coeff.args if t.could_extract_minus_sign())
        return 2 * negative > len(coeff.args)
    return True


def _prec(e) -> int:
    """Binding strength of ``e`` as printed (``Scalar`` and 1x1 identities are transparent)."""
    if isinstance(e, Scalar):
        return _prec(e.args[0])
    if isinstance(e, MatMul):
        coeff, mats = _coeff_matrices(e)
        if not mats:
            return _prec(coeff)
        return _ADD if _minus_outside(coeff) else _MUL
    if isinstance(e, (Add, MatAdd)):
        return _ADD
    if e.is_Relational:
        return PRECEDENCE["Relational"]
    return precedence_traditional(e)


def _atomish(e) -> bool:
    """True if ``e`` prints as one visual unit that takes a superscript without parentheses."""
    if isinstance(e, Scalar):
        return _atomish(e.args[0])
    if isinstance(e, MatMul):
        coeff, mats = _coeff_matrices(e)
        return coeff == 1 and len(mats) == 1 and _atomish(mats[0])
    if isinstance(e, (Symbol, MatrixSymbol, Indexed, MatrixElement, Identity, ZeroMatrix, Sgn)):
        return True
    if isinstance(e, Function) or (e.is_Integer and e >= 0):
        return True
    return bool(e.is_Float and e >= 0)


def _chain_order(factors: list) -> list:
    from ..expr.objects import chain_order

    return chain_order(factors)


def _stored_factors(expr):
    """The factors of a product built unevaluated (``Mul(..., evaluate=False)``: a rule's chosen
    order, such as the chain rule's), or None for a product in SymPy's own order or with a
    denominator."""
    if not expr.is_Mul:
        return None
    args = list(expr.args)
    if args == sorted(args, key=cmp_to_key(Basic.compare)):
        return None
    if any(a.is_Pow and a.exp.is_negative or a.is_Rational and not a.is_Integer for a in args):
        return None
    sign = ""
    if args[0].is_Number and args[0].is_negative:
        sign, args = "-", ([-args[0]] if args[0] != -1 else []) + args[1:]
    return sign, args


def _is_canonical(expr) -> bool:
    """Were the terms stored in SymPy's own sorted order (so not deliberately by an author)?"""
    args = list(expr.args)
    if isinstance(expr, MatAdd):
        return args == sorted(args, key=default_sort_key)
    return args == sorted(args, key=cmp_to_key(Basic.compare))


class _Shared:
    """Term ordering and sign handling common to both printers."""

    names: dict
    minus = "-"

    def _terms(self, expr) -> list:
        if not _is_canonical(expr):
            return list(expr.args)
        if isinstance(expr, MatAdd):
            return sorted(expr.args, key=_is_identity_multiple)
        return list(expr.as_ordered_terms())

    def _join_terms(self, expr) -> str:
        parts = []
        for term in self._terms(expr):
            if _is_id1(term):
                parts.append("1")
                continue
            s = self._print(term)
            if term.is_Relational or isinstance(term, (Add, MatAdd)):
                s = self._paren(s)
            parts.append(s.strip())
        if parts and parts[0].startswith("-"):
            first_pos = next((i for i, p in enumerate(parts) if not p.startswith("-")), None)
            if first_pos is not None:
                parts.insert(0, parts.pop(first_pos))
        out = parts[0]
        for p in parts[1:]:
            out += f" - {p[1:].lstrip()}" if p.startswith("-") else f" + {p}"
        return out

    def _print_Add(self, expr, order=None):
        return self._join_terms(expr)

    def _print_MatAdd(self, expr):
        return self._join_terms(expr)

    def _print_Scalar(self, expr, exp=None):
        s = self._print(expr.args[0])
        if exp is None:
            return s
        return self._power(expr.args[0], s, exp)

    def _print_tuple(self, expr):
        return self._paren(", ".join(self._print(a) for a in expr))

    _print_Tuple = _print_tuple
    _print_list = _print_tuple


class _Latex(_Shared, LatexPrinter):
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
        if numer.has(Sum, Integral):  # \frac{1}{D} \sum ..., not a sum stacked over D
            body = self._paren(self._print(numer)) if numer.is_Add else self._factors(numer)
            return sign + rf"\frac{{1}}{{{bottom}}} {body}"
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
        """An instance and the relation that fails there (a certified counterexample): one
        condition a line, long relations broken at their sign, so the box fits the page."""
        return r"\begin{gathered}" + r" \\ ".join(self._print(arg) for arg in expr.args) + r"\end{gathered}"

    def _print_Relational(self, expr):
        """A relation too wide for a line is broken at its sign (an aligned pair of rows), which
        fits in an align cell, an equation and a box alike."""
        whole = LatexPrinter._print_Relational(self, expr)
        if _visible_width(whole) <= WIDE:
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
        return self._power(expr.arg, self._print(expr.arg), r"\top")

    def _print_Inverse(self, expr):
        return self._power(expr.arg, self._print(expr.arg), "-1")

    def _print_MatPow(self, expr):
        return self._power(expr.base, self._print(expr.base), self._print(expr.exp))

    def _print_MatMul(self, expr):
        coeff, mats = _coeff_matrices(expr)
        if not mats:
            return self._print(coeff)
        sign = ""
        if _minus_outside(coeff):
            sign, coeff = "- ", -coeff
        parts = []
        if coeff != 1:
            c = self._print(coeff)
            parts.append(self._paren(c) if _prec(coeff) < _MUL else c)
        for m in squared_norms(mats):
            if isinstance(m, SquaredNorm):
                parts.append(rf"\left\|{self._print(m.vector)}\right\|^{{2}}")
                continue
            s = self._print(m)
            parts.append(self._paren(s) if _prec(m) < _MUL else s)
        return sign + " ".join(parts)

    def _print_Pow(self, expr):
        base, exp = expr.base, expr.exp
        if exp is S.Half:
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


class _Text(_Shared, StrPrinter):
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

    def _print_Piecewise(self, expr):
        cases = [f"{self._print(e)} if {self._print(c)}" if c is not S.true else f"{self._print(e)} otherwise"
                 for e, c in expr.args]
        return "{" + "; ".join(cases) + "}"

    def _print_Identity(self, expr):
        return "1" if _is_id1(expr) else "I"

    def _print_ZeroMatrix(self, expr):
        return "0"

    def _print_Transpose(self, expr):
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

    def _print_MatMul(self, expr):
        coeff, mats = _coeff_matrices(expr)
        if not mats:
            return self._print(coeff)
        sign = ""
        if _minus_outside(coeff):
            sign, coeff = "-", -coeff
        cn, cd = fraction(coeff, exact=True)
        body = "".join(f"‖{self._print(m.vector)}‖²" if isinstance(m, SquaredNorm)
                       else self._paren(self._print(m)) if _prec(m) < _MUL else self._print(m)
                       for m in squared_norms(mats))
        if cn != 1:
            c = self._print(cn)
            c = self._paren(c) if _prec(cn) < _MUL else c
            tight = (len(mats) == 1 and len(body) == 1) or body[0] == "("
            body = c + ("" if tight else " ") + body
        if cd != 1:
            body += "/" + self._denominator(cd)
        return sign + body

    def _print_Pow(self, expr):
        base, exp = expr.base, expr.exp
        if exp is S.Half:
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


WIDE = 95      # visible characters of a display line (a page holds about 110 at 11pt)


def _visible_width(tex: str) -> int:
    """A rough count of the characters a LaTeX string shows: commands, braces and script marks
    left out, the larger of a fraction's two parts counted once."""
    plain = re.sub(r"\\(left|right|big|Big|bigg|Bigg|quad|qquad|mathbf|boldsymbol|operatorname)\b", "", tex)
    plain = re.sub(r"[{}^_&]", "", re.sub(r"\\[A-Za-z]+", "x", plain))   # \alpha, \log: about a glyph each
    fractions = len(re.findall(r"\\frac", tex))
    return max(0, len(plain) - 6 * fractions)


def _subscript(idx: str) -> str:
    """``ᵢ`` when Unicode has every character as a subscript, else ``_j`` or ``_{i,j}``."""
    sub = idx.translate(_SUB)
    if all(c in _SUB_CHARS for c in sub):
        return sub
    return f"_{idx}" if len(idx) == 1 else f"_{{{idx}}}"


def _short(s: str) -> bool:
    """One glyph, a digit string, or a letter with a mark (``xᵀ``, ``w₁``); not ``lr``."""
    return s.isdigit() or len(s) == 1 or (len(s) == 2 and not (s.isascii() and s.isalpha()))


_WRAPPERS = re.compile(r"\\(?:mathbf|boldsymbol|bm|mathrm|mathit|mathsf|mathnormal|vec)\s*")


@lru_cache(maxsize=512)
def _latex_to_unicode(tex: str) -> str:
    """A symbol's LaTeX spelling as terminal text: ``\\mathbf{w}`` -> ``w``, ``x_1`` -> ``x₁``."""
    from pylatexenc.latex2text import LatexNodes2Text

    plain = LatexNodes2Text().latex_to_text(_WRAPPERS.sub("", tex)).strip()

    def script(m: re.Match, table, marks: str) -> str:
        body = m.group(1) or m.group(2)
        out = body.translate(table)
        return out if all(c in marks for c in out) else m.group(0)

    plain = re.sub(r"_\{?([A-Za-z0-9]+)\}?|_(.)", lambda m: script(m, _SUB, _SUB_CHARS), plain)
    plain = re.sub(r"\^\{?([0-9n+-]+)\}?|\^(.)", lambda m: script(m, _SUP, "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿ*"), plain)
    return plain or tex


def symbol_text(tex: str) -> str:
    """A symbol's LaTeX spelling as terminal text (``\\boldsymbol{\\delta}`` -> ``δ``)."""
    return _latex_to_unicode(tex)


def _coerce(expr):
    """Plain Python numbers become exact SymPy numbers; anything else passes through."""
    if isinstance(expr, bool):
        return expr
    if isinstance(expr, int):
        return Integer(expr)
    if isinstance(expr, Fraction):
        return Rational(expr.numerator, expr.denominator)
    if isinstance(expr, float):
        return Float(expr)
    return expr


def latex(expr, names: dict[str, str] | None = None) -> str:
    """LaTeX (math mode, no delimiters) for a SymPy expression, relation, number or tuple."""
    if expr is None:
        return ""
    return _Latex(names).doprint(normal_form(_coerce(expr))).strip()


def text(expr, names: dict[str, str] | None = None) -> str:
    """One line of Unicode for terminals: ``(XᵀX + 2λnI)⁻¹Xᵀt``."""
    if expr is None:
        return ""
    if isinstance(expr, str):
        return expr
    out = _Text(names).doprint(normal_form(_coerce(expr))).strip()
    return out.replace("-", "−")


__all__ = ["escape_tex", "latex", "symbol_text", "text"]

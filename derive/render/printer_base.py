"""What the LaTeX and text printers share: the structure of an expression as it is shown.

A matrix product as (scalar coefficient, matrix factors) with 1×1 identities dropped; adjacent
factors aᵀa of a column sum as a squared norm; how tightly a printed expression binds; the
author's stored order of terms and factors against SymPy's; and ``Shared``, the printers' common
methods (sums without ``+ -``, ``Scalar``, tuples).

Where it sits: ``latex_printer.py`` and ``text_printer.py`` subclass ``Shared``; ``printing.py``
is the public face of both.
"""
from __future__ import annotations

from functools import cmp_to_key

from sympy import Add, Basic, Function, Indexed, MatAdd, MatMul, MatrixBase, MatrixSymbol, S, Symbol
from sympy.core.sorting import default_sort_key
from sympy.matrices.expressions import Identity, ZeroMatrix
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.printing.precedence import PRECEDENCE, precedence_traditional

from ..expr.objects import Scalar, Sgn

_ADD, _MUL, _POW = PRECEDENCE["Add"], PRECEDENCE["Mul"], PRECEDENCE["Pow"]


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


def norm_under_root(base):
    """The column v when ``base`` is vᵀv (a 1×1 product, bare or as ``Scalar``), so that √(vᵀv)
    is shown as the norm ‖v‖; else None."""
    from sympy import Transpose

    inner = base.args[0] if isinstance(base, Scalar) else base
    if not isinstance(inner, MatMul):
        return None
    coeff, mats = _coeff_matrices(inner)
    if coeff != 1 or len(mats) != 2:
        return None
    a, b = mats
    if getattr(b, "shape", (0, 0))[1] != 1 or not (a == Transpose(b) or a == Transpose(b).doit()):
        return None
    return b


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


def is_1x1_array(e) -> bool:
    """An explicit 1×1 matrix ([4/45]): a reader's number, printed as its entry."""
    return isinstance(e, MatrixBase) and e.shape == (1, 1)


def is_explicit_array(e) -> bool:
    """A matrix written out entry by entry ([1, 1]): its transpose prints as the transposed
    array ((1, 1)ᵀ, a column), not as ([1, 1])ᵀ."""
    return isinstance(e, MatrixBase)


def _prec(e) -> int:
    """Binding strength of ``e`` as printed (``Scalar``, 1x1 identities and explicit 1×1 matrices
    are transparent)."""
    if isinstance(e, Scalar) or is_1x1_array(e):
        return _prec(e.args[0] if isinstance(e, Scalar) else e[0, 0])
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


class Shared:
    """Term ordering and sign handling common to both printers."""

    names: dict
    minus = "-"

    def _matmul_parts(self, expr, minus: str) -> tuple:
        """A matrix product as (sign, scalar coefficient, its matrix factors printed and
        bracketed where they bind less than a product, aᵀa of a column sum as a squared norm);
        no factors when the product is a number."""
        coeff, mats = _coeff_matrices(expr)
        if not mats:
            return "", coeff, []
        sign = ""
        if _minus_outside(coeff):
            sign, coeff = minus, -coeff
        factors = []
        for m in squared_norms(mats):
            if isinstance(m, SquaredNorm):
                factors.append(self._squared_norm(self._print(m.vector)))
            else:
                s = self._print(m)
                entry = m[0, 0] if getattr(m, "shape", None) == (1, 1) and is_explicit_array(m) else m
                loose = _prec(entry) < _MUL or (s.lstrip().startswith("-") and (factors or coeff != 1))
                factors.append(self._paren(s) if loose else s)     # t·[−2/c] is t(−2/c), not t − 2/c
        return sign, coeff, factors

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

"""SymPy expressions -> LaTeX (``latex``) and one-line Unicode (``text``).

Where it sits: every renderer prints mathematics only through these two functions; the text
renderer and JSON call them directly, the Jinja templates through the ``math`` filter. Nothing
else in the package turns an expression into a string, so no ``repr`` can leak into output.
The printers live in ``latex_printer.py`` and ``text_printer.py`` on a shared base
(``printer_base.py``); symbol spellings in ``spellings.py``; every expression first goes through
``normal_forms.py``.

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

from fractions import Fraction

from sympy import Float, Integer, Rational

from .latex_printer import LatexMath
from .normal_forms import normal_form
from .prose import escape_tex
from .spellings import symbol_text
from .text_printer import TextMath


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
    return LatexMath(names).doprint(normal_form(_coerce(expr))).strip()


def text(expr, names: dict[str, str] | None = None) -> str:
    """One line of Unicode for terminals: ``(XᵀX + 2λnI)⁻¹Xᵀt``."""
    if expr is None:
        return ""
    if isinstance(expr, str):
        return expr
    out = TextMath(names).doprint(normal_form(_coerce(expr))).strip()
    return out.replace("-", "−")


__all__ = ["escape_tex", "latex", "symbol_text", "text"]

"""Faster equivalents of SymPy methods that derive calls very often, each returning exactly what
SymPy's own returns.

- ``MatMul.could_extract_minus_sign``: ``MatMul`` inherits ``Mul``'s, which first compares the
  product with its negation, and negating a matrix product builds ``MatMul(-1, self).doit()``.
  The printers ask it of every product they parenthesise (``precedence_Mul``), so printing a
  step cost a ``doit`` per nested product. A matrix product never equals its own negation (that
  needs a zero, and a zero matrix is not a ``MatMul``), so the answer is whether its leading
  factor is a negative number, as in ``Mul``'s second line.
"""
from __future__ import annotations

from sympy.matrices.expressions.matmul import MatMul


def _matmul_could_extract_minus_sign(self) -> bool:
    c = self.args[0]
    return bool(c.is_Number and c.is_extended_negative)


MatMul.could_extract_minus_sign = _matmul_could_extract_minus_sign

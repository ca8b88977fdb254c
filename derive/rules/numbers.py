"""Exact evaluation once symbols have numbers: explicit matrices multiplied out, inverses taken,
1×1 products read as their entry, each entry tidied."""
from __future__ import annotations


def evaluate_exactly(e):
    """``e`` with explicit matrices evaluated; scalar parts tidied."""
    from sympy import ImmutableMatrix

    from ..expr.objects import Scalar, Sgn
    from .tidy import tidy

    def explicit(m):
        return m.as_explicit() if hasattr(m, "as_explicit") else m

    e = e.replace(lambda x: isinstance(x, Scalar) and _is_explicit(x.args[0]),
                  lambda x: explicit(x.args[0].doit())[0, 0])
    e = e.replace(lambda x: isinstance(x, Sgn) and _is_explicit(x.args[0]),
                  lambda x: explicit(x.args[0].doit()).applyfunc(__import__("sympy").sign))
    if getattr(e, "is_Matrix", False) and _is_explicit(e):
        m = ImmutableMatrix(explicit(e.doit()))
        return m.applyfunc(lambda x: tidy(x))
    if getattr(e, "is_Matrix", False):
        return e
    return tidy(e.doit()) if e.free_symbols or not e.is_number else tidy(e)


def _is_explicit(m) -> bool:
    """No matrix symbols left: every matrix in ``m`` is written out."""
    from sympy import MatrixSymbol

    return not m.atoms(MatrixSymbol)

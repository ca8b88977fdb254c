"""Recognising shapes of matrix expressions: Gram forms vᵀv, positive (semi)definite sums."""
from __future__ import annotations


def _factors(m):
    from sympy import MatMul

    if isinstance(m, MatMul):
        coeff, mats = m.as_coeff_matrices()
        return coeff, list(mats)
    return 1, [m]


def _transpose(x):
    from sympy import Transpose

    return Transpose(x).doit()


def is_gram(m) -> bool:
    """True for products that read Bᵀ B (e.g. aᵀXXᵀa, XᵀX): palindromic under transpose."""
    coeff, mats = _factors(m)
    if getattr(coeff, "is_nonnegative", False) is not True:
        return False
    k = len(mats)
    if k == 0 or k % 2:
        return False
    return all(mats[i] == _transpose(mats[k - 1 - i]) for i in range(k // 2))


def gram_root(m):
    """For m = Bᵀ B return B (as a product), else None."""
    from sympy import MatMul

    if not is_gram(m):
        return None
    _, mats = _factors(m)
    half = mats[len(mats) // 2:]
    return half[0] if len(half) == 1 else MatMul(*half)


def positive_definite_reason(a, printer=str) -> str | None:
    """Why the square matrix ``a`` is positive definite, or None if that cannot be shown.

    A sum of positive semidefinite Gram terms (c·BᵀB, c ≥ 0) and at least one c·I with c > 0
    is positive definite."""
    from sympy import Identity, MatAdd

    terms = list(a.args) if isinstance(a, MatAdd) else [a]
    has_pd = False
    words = []
    for term in terms:
        coeff, mats = _factors(term)
        if len(mats) == 1 and isinstance(mats[0], Identity):
            if getattr(coeff, "is_positive", False):
                has_pd = True
                words.append(f"{printer(coeff)} > 0")
                continue
            return None
        if is_gram(term):
            continue
        return None
    if not has_pd:
        return None
    if len(words) == len(terms):                 # only multiples of I: say what the matrix is
        return f"it is {printer(a)}, a positive multiple of I ({', '.join(words)})"
    return "it is a positive semidefinite Gram matrix plus a positive multiple of I (" + ", ".join(words) + ")"


def explicit_invertible_reason(a, printer=str) -> str | None:
    """Why a coefficient written out in numbers is invertible (its determinant is not 0), or None
    when it is not such a matrix or is singular."""
    from sympy import MatrixBase

    if not isinstance(a, MatrixBase) or a.free_symbols or a.rows != a.cols:
        return None
    det = a.det()
    if det == 0:
        return None
    if a.shape == (1, 1):
        return f"it is the number {printer(a[0, 0])} (not 0)"
    return f"its entries are numbers and its determinant, {printer(det)}, is not 0"


def declared(table, m, *words) -> str:
    """The first of ``words`` declared for the matrix symbol ``m`` ('' if none, or not a symbol)."""
    from sympy import MatrixSymbol

    info = table.get(m.name) if isinstance(m, MatrixSymbol) else None
    return next((w for w in words if info is not None and w in info.assumptions), "")


def invertible_reason(a, table, printer=str) -> str:
    """Why a square matrix is invertible, from declared assumptions: XXᵀ for X of full row rank,
    XᵀX for full column rank, or a matrix declared invertible, positive definite or orthogonal."""
    from sympy import MatMul, Transpose

    if isinstance(a, MatMul) and len(a.args) == 2:
        left, right = a.args
        if right == Transpose(left) and declared(table, left, "full_row_rank"):
            return f"{printer(left)} has full row rank, so {printer(a)} is invertible"
        if left == Transpose(right) and declared(table, right, "full_column_rank"):
            return f"{printer(right)} has full column rank, so {printer(a)} is invertible"
    word = declared(table, a, "invertible", "positive_definite", "orthogonal")
    return f"{printer(a)} is {word.replace('_', ' ')} (declared)" if word else ""

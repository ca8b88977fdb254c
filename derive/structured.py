"""Random matrices that satisfy declared matrix assumptions, in exact rational arithmetic:
symmetric, positive (semi)definite, invertible, orthogonal (Cayley transform of a skew-symmetric
matrix), diagonal, a selection (a diagonal of 0s and 1s, at least one 1: a mini-batch), full row
rank and full column rank, a permutation matrix (a random reordering of the identity's rows) and
lower triangular (0 above the diagonal). Used by
``sampling.py``."""
from __future__ import annotations

from fractions import Fraction

MATRIX_ASSUMPTIONS = ("symmetric", "positive_definite", "positive_semidefinite", "invertible",
                      "full_row_rank", "full_column_rank", "orthogonal", "diagonal", "permutation",
                      "lower_triangular", "selection")
SQUARE_ONLY = ("symmetric", "positive_definite", "positive_semidefinite", "invertible", "orthogonal", "diagonal",
               "permutation", "lower_triangular", "selection")
VECTOR_ASSUMPTIONS = ("nonzero",)
ENTRIES = (-3, -2, -1, 1, 2, 3, 4, 5)


def draw(rng, rows: int, cols: int, words) -> list[list[Fraction]]:
    """A rows × cols matrix of rationals satisfying every word in ``words``."""
    words = set(words)
    if "selection" in words:
        keep = [rng.random() < 0.5 for _ in range(rows)]
        keep[rng.randrange(rows)] = True
        return [[Fraction(int(i == j and keep[i])) for j in range(cols)] for i in range(rows)]
    if "permutation" in words:
        order = list(range(rows))
        rng.shuffle(order)
        return [[Fraction(int(j == order[i])) for j in range(cols)] for i in range(rows)]
    if "lower_triangular" in words:
        return [[(_nonzero(rng, 1) if "invertible" in words and i == j else Fraction(rng.choice(ENTRIES)))
                 if j <= i else Fraction(0) for j in range(cols)] for i in range(rows)]
    if "orthogonal" in words:
        return _orthogonal(rng, rows)
    if "diagonal" in words:
        lo = 1 if words & {"positive_definite", "positive_semidefinite"} else None
        return [[_nonzero(rng, lo) if i == j else Fraction(0) for j in range(cols)] for i in range(rows)]
    if words & {"positive_definite", "positive_semidefinite"}:
        b = _random(rng, rows, rows)
        gram = _mul(_transpose(b), b)
        if "positive_definite" in words:
            gram = [[x + (1 if i == j else 0) for j, x in enumerate(row)] for i, row in enumerate(gram)]
        return gram
    if "symmetric" in words:
        m = _random(rng, rows, rows)
        s = [[m[i][j] + m[j][i] for j in range(rows)] for i in range(rows)]
        return _nudge_invertible(rng, s) if "invertible" in words else s
    m = _random(rng, rows, cols)
    if words & {"invertible", "full_row_rank", "full_column_rank"}:
        for _ in range(50):
            if _rank(m) == min(rows, cols):
                return m
            m = _random(rng, rows, cols)
    return m


def _nudge_invertible(rng, s):
    k = len(s)
    for shift in range(0, 50):
        t = [[x + (shift if i == j else 0) for j, x in enumerate(row)] for i, row in enumerate(s)]
        if _rank(t) == k:
            return t
    return s


def _orthogonal(rng, k):
    """Q = (I − K)(I + K)⁻¹ for a random skew-symmetric K: orthogonal, with rational entries."""
    from .numeric import inverse, mat

    kk = [[Fraction(0)] * k for _ in range(k)]
    for i in range(k):
        for j in range(i + 1, k):
            v = Fraction(rng.randint(-4, 4), rng.randint(1, 3))
            kk[i][j], kk[j][i] = v, -v
    eye = [[Fraction(int(i == j)) for j in range(k)] for i in range(k)]
    minus = [[eye[i][j] - kk[i][j] for j in range(k)] for i in range(k)]
    plus = [[eye[i][j] + kk[i][j] for j in range(k)] for i in range(k)]
    return [list(r) for r in _mul(minus, [list(r) for r in inverse(mat(plus))])]


def _random(rng, r, c):
    return [[Fraction(rng.choice(ENTRIES)) for _ in range(c)] for _ in range(r)]


def _nonzero(rng, lo=None):
    return Fraction(rng.randint(1, 5)) if lo else Fraction(rng.choice(ENTRIES))


def _transpose(m):
    return [list(col) for col in zip(*m)]


def _mul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]


def _rank(m) -> int:
    rows = [list(r) for r in m]
    rank, col = 0, 0
    ncols = len(rows[0]) if rows else 0
    while rank < len(rows) and col < ncols:
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            col += 1
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][col] != 0:
                f = rows[i][col] / rows[rank][col]
                rows[i] = [x - f * y for x, y in zip(rows[i], rows[rank])]
        rank, col = rank + 1, col + 1
    return rank

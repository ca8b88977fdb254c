"""The block structure of an explicit matrix: which blocks are 0, which repeat one shared block
(possibly scaled by one number), and which are 2 × 2 rotations.

Used for the remark of a ``weight_matrix`` answer (``rules/attention.py``, ``rules/shifts.py``)
and for the ``block-pattern`` figure (``figures.py``). Nothing here decides an answer: it only
describes a matrix the certifier has already accepted.
"""
from __future__ import annotations

from dataclasses import dataclass

from sympy import ImmutableMatrix, MatrixSymbol, expand
from sympy.matrices.expressions.matexpr import MatrixElement


@dataclass(frozen=True)
class Block:
    row: int                 # block row (0-based)
    col: int                 # block column
    kind: str                # "zero" | "scaled" (scale · base) | "rotation" | "other"
    base: object = None      # the shared block (a matrix symbol or its transpose) for "scaled"
    scale: object = 1        # the number that multiplies it
    angle: object = None     # for "rotation": θ in [[cos θ, sin θ], [−sin θ, cos θ]]


def split(m: ImmutableMatrix, rows: list[int], cols: list[int]) -> list[list[ImmutableMatrix]]:
    """``m`` cut into blocks of the given row and column sizes."""
    r0 = [sum(rows[:i]) for i in range(len(rows))]
    c0 = [sum(cols[:j]) for j in range(len(cols))]
    return [[ImmutableMatrix(m[r0[i]:r0[i] + rows[i], c0[j]:c0[j] + cols[j]]) for j in range(len(cols))]
            for i in range(len(rows))]


def describe(m: ImmutableMatrix, rows: list[int], cols: list[int]) -> list[list[Block]]:
    return [[_describe(b, i, j) for j, b in enumerate(line)] for i, line in enumerate(split(m, rows, cols))]


def _describe(b: ImmutableMatrix, i: int, j: int) -> Block:
    if all(v == 0 for v in b):
        return Block(i, j, "zero")
    for base in _candidates(b):
        scale = _scale_of(b, base)
        if scale is not None:
            return Block(i, j, "scaled", base, scale)
    angle = _rotation(b)
    if angle is not None:
        return Block(i, j, "rotation", angle=angle)
    return Block(i, j, "other")


def _candidates(b):
    """Matrix symbols (or their transposes) of the block's shape whose entries it holds."""
    parents = sorted({e.parent for e in b.atoms(MatrixElement) if isinstance(e.parent, MatrixSymbol)}, key=str)
    for p in parents:
        for form in (p, p.T):
            if form.shape == b.shape:
                yield form


def _scale_of(b, base):
    from .expr.attention import named_entries

    explicit = named_entries(ImmutableMatrix(base.as_explicit()))
    k = next(((i, j) for i in range(b.rows) for j in range(b.cols) if b[i, j] != 0), None)
    if k is None:
        return None
    scale = expand(b[k] / explicit[k])
    if scale.atoms(MatrixElement) & set(explicit):
        return None
    if any(expand(b[i, j] - scale * explicit[i, j]) != 0 for i in range(b.rows) for j in range(b.cols)):
        return None
    return scale


def _rotation(b):
    from .expr.attention import Cos, Sin

    if b.shape != (2, 2) or not isinstance(b[0, 0], Cos) or b[1, 1] != b[0, 0]:
        return None
    angle = b[0, 0].args[0]
    if b[0, 1] == Sin(angle) and b[1, 0] == -Sin(angle):
        return angle                 # R(θ) = [cos θ, sin θ; −sin θ, cos θ]
    if b[0, 1] == -Sin(angle) and b[1, 0] == Sin(angle):
        return -angle                # the same form at −θ (cos is even, sin odd)
    return None


def shared_bases(blocks) -> list:
    """The distinct shared blocks, in order of first appearance."""
    out = []
    for line in blocks:
        for blk in line:
            if blk.kind == "scaled" and blk.base not in out:
                out.append(blk.base)
    return out


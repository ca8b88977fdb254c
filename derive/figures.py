"""Figures drawn from a derivation, never by hand: a spec's ``figure:`` says what to show and
the engine fills in the data from the derived answers (render/latex.py draws it with pgfplots).

Spec format, kind ``weight-space`` (2-D weight space)::

    figure:
      kind: weight-space
      axes: [w1, w2]                 # two scalar symbols
      line: 1.2.1a                   # a part whose answer is a line in these axes (e.g. w2 = 1 - w1)
      contours: 'w1**2 + w2**2'      # level sets x² + y² (circles about the origin)
      caption: …                     # optional prose

Kind ``block-pattern`` (the block structure of a matrix answer, e.g. a weight matrix)::

    figure:
      kind: block-pattern
      block: [2, 2]                  # the size of one block; the answer's sizes must be multiples
      caption: …

The answer is cut into blocks and each is drawn as a cell of a grid (block row 1 at the top),
labelled with what it holds (``derive/blocks.py``): 0, a shared block such as W_vᵀ, that block
scaled by one number (a₁₂W_vᵀ), or a rotation R(θ).
"""
from __future__ import annotations

from .errors import SpecError


def figure_data(spec_figure: dict, answer, table, results: dict, definitions: dict, part_id: str) -> dict:
    from sympy import Eq, sqrt

    kind = spec_figure.get("kind")
    if kind == "block-pattern":
        return block_pattern(spec_figure, answer, table, part_id)
    if kind != "weight-space":
        raise SpecError(f"part {part_id}: unknown figure kind '{kind}'. Kinds: weight-space, block-pattern")
    axes = spec_figure.get("axes") or []
    if len(axes) != 2 or any(a not in table for a in axes):
        raise SpecError(f"part {part_id}: figure axes must name two scalar symbols, e.g. [w1, w2]")
    x, y = (table[a].obj for a in axes)
    names = table.latex_names()
    fig: dict = {"kind": "weight-space", "vars": (x, y), "xlabel": names.get(axes[0], axes[0]),
                 "ylabel": names.get(axes[1], axes[1])}
    if spec_figure.get("caption"):
        fig["caption"] = str(spec_figure["caption"])
    line_part = spec_figure.get("line")
    if line_part is not None:
        line = results.get(str(line_part))
        if line is None or not hasattr(line.answer, "lhs"):
            raise SpecError(f"part {part_id}: figure line '{line_part}' is not an earlier part with an equation answer")
        eq = Eq(line.answer.lhs, line.answer.rhs)
        fig["line"] = {"eq": eq, "label": _tex(eq, names)}
    point = _point(answer, x, y, definitions)
    if point is not None:
        fig["point"] = {"at": point, "label": f"({point[0]}, {point[1]})"}
    if spec_figure.get("contours") is not None:
        if point is None:
            raise SpecError(f"part {part_id}: contours need the answer's point")
        level = (point[0] ** 2 + point[1] ** 2)
        r = sqrt(level)
        from .expr.build import Builder
        from .expr.parse import parse

        level_set = Builder(table).build(parse(str(spec_figure["contours"]))).expr
        fig["contours"] = {"radii": [r / 2, r, 3 * r / 2, 2 * r], "label": _tex(level_set, names) + r" = c"}
        fig["touching"] = r
    return fig


def _point(answer, x, y, definitions):
    """The (x, y) the answer picks: a vector answer [x, y], or x from the answer and y from the
    definitions in force."""
    value = getattr(answer, "rhs", None)
    if value is None:
        return None
    if getattr(value, "is_Matrix", False) and getattr(value, "shape", None) == (2, 1) and not value.free_symbols:
        return (value[0, 0], value[1, 0])
    lhs = answer.lhs
    if lhs == x and not value.free_symbols and y in definitions:
        return (value, definitions[y].xreplace({x: value}))
    return None


def _tex(expr, names) -> str:
    from .render.printing import latex

    return latex(expr, names)


def block_pattern(spec_figure: dict, answer, table, part_id: str) -> dict:
    """A grid of the answer's blocks, each labelled with what it holds."""
    from sympy import Eq, ImmutableMatrix, Rational, Symbol

    from .blocks import describe

    unknown = sorted(set(spec_figure) - {"kind", "block", "caption"})
    if unknown:
        raise SpecError(f"part {part_id}: a block-pattern figure takes block and caption, not {', '.join(unknown)}")
    size = spec_figure.get("block")
    if not (isinstance(size, list) and len(size) == 2 and all(isinstance(v, int) and not isinstance(v, bool)
                                                                  and v > 0 for v in size)):
        raise SpecError(f"part {part_id}: block must be two whole numbers, the size of one block, e.g. [2, 2]")
    if not isinstance(answer, ImmutableMatrix) or answer.rows % size[0] or answer.cols % size[1]:
        raise SpecError(f"part {part_id}: a block-pattern figure needs a matrix answer whose sizes are multiples "
                        f"of the block {size[0]} × {size[1]}")
    nr, nc = answer.rows // size[0], answer.cols // size[1]
    names = table.latex_names()
    blocks = describe(answer, [size[0]] * nr, [size[1]] * nc)
    x, y = Symbol("m"), Symbol("n")
    lines = [{"eq": Eq(x, j)} for j in range(1, nc)] + [{"eq": Eq(y, i)} for i in range(1, nr)]
    points = []
    for line in blocks:
        for b in line:
            at = (b.col + Rational(1, 10), nr - 1 - b.row + Rational(1, 5))
            points.append({"at": at, "label": _block_label(b, names)})
    fig = {"kind": "block-pattern", "vars": (x, y), "xrange": (0, nc), "yrange": (0, nr),
           "xlabel": r"\text{input block } m", "ylabel": r"\text{output block } n", "line": lines, "point": points}
    if spec_figure.get("caption"):
        fig["caption"] = str(spec_figure["caption"])
    return fig


def _block_label(b, names) -> str:
    if b.kind == "zero":
        return "0"
    if b.kind == "scaled":
        base = _tex(b.base, names)
        return base if b.scale == 1 else f"{_tex(b.scale, names)}\\,{base}"
    if b.kind == "rotation":
        return rf"R\left({_tex(b.angle, names)}\right)"
    return r"\ast"

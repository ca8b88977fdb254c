"""Figures drawn from a derivation, never by hand: a spec's ``figure:`` says what to show and
the engine fills in the data from the derived answers (render/latex.py draws it with pgfplots).

Spec format (one kind so far, for 2-D weight space)::

    figure:
      kind: weight-space
      axes: [w1, w2]                 # two scalar symbols
      line: 1.2.1a                   # a part whose answer is a line in these axes (e.g. w2 = 1 - w1)
      contours: 'w1**2 + w2**2'      # level sets x² + y² (circles about the origin)
      caption: …                     # optional prose
"""
from __future__ import annotations

from .errors import SpecError


def figure_data(spec_figure: dict, answer, table, results: dict, definitions: dict, part_id: str) -> dict:
    from sympy import Eq, sqrt

    kind = spec_figure.get("kind")
    if kind != "weight-space":
        raise SpecError(f"part {part_id}: unknown figure kind '{kind}'. Kinds: weight-space")
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

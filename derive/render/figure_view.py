r"""Figures in documents: a part's figure (``PartResult.figure``) as plain numbers and LaTeX.

Where it sits: the templates (through ``latex.py``'s Jinja environment) call ``figure_data``
for the pgfplots figure of a PDF; ``text.py`` and Markdown call ``describe_figure`` for a one-line
description. ``derive/figures.py`` builds the figure dict from a derivation.

Figure format (``PartResult.figure``, a plain dict; every key optional except one element)::

    {"kind": "weight-space",              # any name; "weight-space" also forces equal axes
     "caption": "Minimum-norm solution",  # prose
     "vars": (w1, w2),                    # SymPy symbols on the x and y axes; default: the free
                                          #   symbols of the lines / curves, sorted by name
     "xlabel": r"w_1", "ylabel": r"w_2",  # LaTeX math or SymPy expr; default: the vars
     "xrange": (-1, 2), "yrange": (-1, 2),# default: fitted around every element and the origin
     "line": Eq(w1 + w2, 1),              # a*x + b*y = c, numeric a, b, c; or {"eq": Eq, "label":
                                          #   tex}; or a list of either ("lines" is an alias)
     "contours": [Rational(1, 2), 1],     # circles x² + y² = r² (level sets of wᵀw); or
                                          #   {"radii": [...], "center": (cx, cy), "label": tex}
     "point": (Rational(1, 2), Rational(1, 2)),  # or {"at": (x, y), "label": tex}, or a list
     "curve": x**2,                       # y = f(x) over the x range; or {"expr": .., "label": ..}
    }

``figure_data`` turns it into plain numbers and LaTeX strings for the template (the template
never sees SymPy objects); ``describe_figure`` gives a one-line description for text/Markdown.
"""
from __future__ import annotations

import math as _math

from ..errors import RenderError
from .printing import latex as expr_latex


def _num(value) -> float:
    try:
        v = float(value.evalf()) if hasattr(value, "evalf") else float(value)
    except (TypeError, ValueError) as exc:
        raise RenderError(f"figure: {value!s} is not a number") from exc
    if not _math.isfinite(v):
        raise RenderError(f"figure: {value!s} is not finite")
    return v


def _fmt(v: float) -> str:
    s = f"{v:.6g}"
    return "0" if s == "-0" else s


def _as_list(value, single) -> list:
    return [value] if single(value) else list(value)


def _is_pair(v) -> bool:
    return isinstance(v, (tuple, list)) and len(v) == 2 and not any(
        isinstance(x, (tuple, list, dict)) for x in v)


def _label(value, names) -> str:
    if value is None or value == "":
        return ""
    return value if isinstance(value, str) else expr_latex(value, names)


def _elements(fig: dict) -> dict[str, list]:
    from sympy import Basic

    lines = fig.get("line", fig.get("lines", []))
    lines = _as_list(lines, lambda v: isinstance(v, (Basic, dict)))
    lines = [v if isinstance(v, dict) else {"eq": v} for v in lines]
    contours = fig.get("contours", [])
    contours = [contours] if isinstance(contours, dict) else ([{"radii": contours}] if contours else [])
    points = fig.get("point", fig.get("points", []))
    points = _as_list(points, lambda v: _is_pair(v) or isinstance(v, dict))
    points = [v if isinstance(v, dict) else {"at": v} for v in points]
    curves = fig.get("curve", fig.get("curves", []))
    curves = _as_list(curves, lambda v: isinstance(v, (Basic, dict)))
    curves = [v if isinstance(v, dict) else {"expr": v} for v in curves]
    if not (lines or contours or points or curves):
        raise RenderError("figure: nothing to draw (give line, contours, point or curve)")
    return {"lines": lines, "contours": contours, "points": points, "curves": curves}


def _axis_vars(fig: dict, els: dict):
    from sympy import Symbol

    if fig.get("vars"):
        xs = list(fig["vars"])
        return xs[0], (xs[1] if len(xs) > 1 else Symbol("y"))
    free = set()
    for item in els["lines"]:
        free |= item["eq"].free_symbols
    ordered = sorted(free, key=lambda s: s.name)
    if len(ordered) == 2:
        return ordered[0], ordered[1]
    curve_free = sorted({s for c in els["curves"] for s in c["expr"].free_symbols}, key=str)
    x = ordered[0] if ordered else (curve_free[0] if curve_free else Symbol("x"))
    return x, Symbol("y")


def _line_coefficients(eq, x, y) -> tuple[float, float, float]:
    expr = (eq.lhs - eq.rhs) if getattr(eq, "is_Relational", False) else eq
    a, b = expr.diff(x), expr.diff(y)
    if a.free_symbols or b.free_symbols:
        raise RenderError(f"figure: line {eq} is not linear in {x}, {y} with numeric coefficients")
    c = -expr.subs({x: 0, y: 0})
    if _num(a) == 0 and _num(b) == 0:
        raise RenderError(f"figure: line {eq} does not involve {x} or {y}")
    return _num(a), _num(b), _num(c)


def _range(given, values: list[float]) -> tuple[float, float]:
    if given:
        lo, hi = (_num(v) for v in given)
        if not lo < hi:
            raise RenderError(f"figure: empty range {given}")
        return lo, hi
    lo, hi = min(values + [0.0]), max(values + [0.0])
    pad = max((hi - lo) * 0.2, 0.5)
    return lo - pad, hi + pad


def figure_data(fig: dict, names: dict | None = None) -> dict:
    """A figure dict (format in the module docstring) -> numbers and LaTeX for the template."""
    els = _elements(fig)
    x, y = _axis_vars(fig, els)
    xs: list[float] = []
    ys: list[float] = []
    lines = []
    for item in els["lines"]:
        a, b, c = _line_coefficients(item["eq"], x, y)
        lines.append((a, b, c, _label(item.get("label"), names)))
        if a:
            xs.append(c / a)
        if b:
            ys.append(c / b)
    groups = []
    for g in els["contours"]:
        cx, cy = (_num(v) for v in g.get("center", (0, 0)))
        radii = [_num(r) for r in g.get("radii", [])]
        xs += [cx - r for r in radii] + [cx + r for r in radii]
        ys += [cy - r for r in radii] + [cy + r for r in radii]
        groups.append({"circles": [{"cx": _fmt(cx), "cy": _fmt(cy), "r": _fmt(r)} for r in radii],
                       "label": _label(g.get("label"), names)})
    points = []
    for p in els["points"]:
        px, py = (_num(v) for v in p["at"])
        xs.append(px)
        ys.append(py)
        points.append({"x": _fmt(px), "y": _fmt(py), "label": _label(p.get("label"), names)})
    xmin, xmax = _range(fig.get("xrange"), xs)
    curves = []
    for cv in els["curves"]:
        coords = []
        for i in range(81):
            xv = xmin + (xmax - xmin) * i / 80
            try:
                yv = _num(cv["expr"].subs(x, xv))
            except RenderError:
                continue
            coords.append(f"({_fmt(xv)},{_fmt(yv)})")
            ys.append(yv)
        curves.append({"coords": " ".join(coords), "label": _label(cv.get("label"), names)})
    ymin, ymax = _range(fig.get("yrange"), ys)
    out_lines = []
    for a, b, c, label in lines:
        if b == 0:
            out_lines.append({"vertical": True, "x": _fmt(c / a), "label": label})
        else:
            out_lines.append({"vertical": False, "slope": _fmt(-a / b), "intercept": _fmt(c / b),
                              "label": label})
    return {
        "kind": str(fig.get("kind", "plot")), "caption": str(fig.get("caption", "")),
        "xlabel": _label(fig.get("xlabel", x), names), "ylabel": _label(fig.get("ylabel", y), names),
        "xmin": _fmt(xmin), "xmax": _fmt(xmax), "ymin": _fmt(ymin), "ymax": _fmt(ymax),
        "equal": bool(groups) or fig.get("kind") == "weight-space",
        "lines": out_lines, "contours": groups, "points": points, "curves": curves,
    }


def describe_figure(fig: dict, names: dict | None, printer) -> str:
    """One line for text and Markdown: what the PDF's figure shows."""
    els = _elements(fig)
    x, y = _axis_vars(fig, els)
    bits = [f"{fig.get('kind', 'plot')} ({printer(x, names)}, {printer(y, names)})"]
    for item in els["lines"]:
        bits.append(f"line {printer(item['eq'], names)}")
    for g in els["contours"]:
        radii = ", ".join(printer(r, names) for r in g.get("radii", []))
        bits.append(f"circles of radius {radii}")
    for p in els["points"]:
        bits.append(f"point {printer(tuple(p['at']), names)}")
    for cv in els["curves"]:
        bits.append(f"curve {printer(y, names)} = {printer(cv['expr'], names)}")
    caption = fig.get("caption")
    return (f"{caption} — " if caption else "") + "; ".join(bits)

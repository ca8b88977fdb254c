r"""Derivation -> LaTeX source through Jinja templates; also the figure format.

Where it sits: ``render_latex`` / ``render_sheet`` produce the ``.tex`` text that ``build.py``
writes and ``pdf.py`` compiles; ``markdown.py`` uses the same Jinja environment. Templates live
in ``templates/`` (``templates_dir()``); ``--template-dir DIR`` is searched first, so a user can
override one file (for example ``_macros.tex.j2``) and keep the rest.

Template conventions: ``\VAR{...}`` prints, ``\BLOCK{...}`` is a statement, ``\#{...}`` a
comment; undefined names raise (``StrictUndefined``); nothing is autoescaped. Filters:
``math(names)`` (printing.latex), ``text`` (prose, every LaTeX special printed literally,
whitespace collapsed), ``paragraphs`` (the same, keeping blank-line paragraph breaks),
``mathtext`` (short strings like ``n × d`` or ``λ > 0`` set as math when they are plainly math),
``md`` / ``mdparagraphs`` / ``mdmathtext`` (the same for Markdown). A broken template raises ``RenderError`` naming
the template file and line.

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
import os
import re
import traceback
from functools import lru_cache
from pathlib import Path

from ..errors import DeriveError, RenderError
from . import (certification_methods, connector, note_style, part_names, question_key, source_line,
               symbol_names, templates_dir)
from .grouping import detail as detail_level, display_steps
from .printing import escape_tex, latex as expr_latex, text as expr_text
from .prose import names_as_markdown

ARROWS = {"equals": "=", "iff": r"\Longleftrightarrow", "implies": r"\Longrightarrow", "becomes": r"\longrightarrow"}
NOTE_HEADINGS = (("condition", "Side conditions"), ("dropped", "Dropped branches"),
                 ("assumption", "Assumptions"), ("remark", "Remarks"))
_MATHY = re.compile(r"[A-Za-z0-9\s×·<>≤≥=≠+\-−*/().,^_'|∞∈α-ωΑ-Ωϵϑϕ]*")
_MATH_CHARS = {"×": r"\times ", "·": r"\cdot ", "≤": r"\leq ", "≥": r"\geq ", "≠": r"\neq ",
               "−": "-", "∞": r"\infty ", "∈": r"\in ", "|": r"\vert "}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|$~])")


# ---------------------------------------------------------------- filters


def _math_or_none(s: str) -> str | None:
    """``n × d`` -> ``n \\times d``; None when ``s`` reads as words rather than math."""
    s = str(s).strip()
    if not s or not _MATHY.fullmatch(s) or re.search(r"[A-Za-z]{2,}", s):
        return None
    if re.search(r"[\^_](?![A-Za-z0-9(α-ω])", s):
        return None
    out = []
    for ch in s:
        if ch in _MATH_CHARS:
            out.append(_MATH_CHARS[ch])
        elif "α" <= ch <= "ω" or "Α" <= ch <= "Ω" or ch in "ϵϑϕ":
            out.append(escape_tex(ch).replace(r"\ensuremath{", "").rstrip("}") + " ")
        else:
            out.append(ch)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def mathtext(s) -> str:
    m = _math_or_none(s)
    return f"${m}$" if m is not None else escape_tex(s)


def prose(s) -> str:
    """One run of prose as LaTeX: whitespace collapsed (safe inside any macro argument)."""
    return escape_tex(" ".join(str(s).split()))


def paragraphs(s) -> str:
    """Prose that may hold several paragraphs (separated by blank lines) as LaTeX."""
    return "\n\n".join(prose(p) for p in re.split(r"\n\s*\n", str(s).strip()))


def md_escape(s) -> str:
    """Prose for Markdown: characters that would start markup or math are backslash-escaped; a
    one-letter name with a subscript (``w_j``) is set as math."""
    return _md_segment(" ".join(str(s).split()))


def _md_segment(s: str) -> str:
    """``md_escape`` for a piece of a line: its edge spaces kept."""
    return names_as_markdown(s, lambda seg: _MD_SPECIAL.sub(r"\\\1", seg))


def md_paragraphs(s) -> str:
    return "\n\n".join(md_escape(p) for p in re.split(r"\n\s*\n", str(s).strip()))


def md_mathtext(s) -> str:
    m = _math_or_none(s)
    return f"${m}$" if m is not None else md_escape(s)


def note_words(note, names, markdown: bool = False) -> str:
    """A note's words for a document, with the expression they quote set as math: "If Σᵢ wᵢ² = 0
    the equation holds …" quotes its math's left side in terminal text, which LaTeX would print
    as raw ``Σ_{i=1}^{N}``. The first of the note's relation, its left side and its right side
    that the words hold is set as math; other words are prose."""
    words = " ".join(str(note.text).split())
    escape = _md_segment if markdown else escape_tex
    math = note.math
    if math is None or not hasattr(math, "args"):
        return escape(words)
    pieces = [math] + (list(math.args[:2]) if getattr(math, "is_Relational", False) else [])
    for piece in pieces:
        shown = expr_text(piece, names)
        if len(shown) > 2 and shown in words:
            i = words.index(shown)
            return escape(words[:i]) + f"${expr_latex(piece, names)}$" + escape(words[i + len(shown):])
    return escape(words)


# ---------------------------------------------------------------- view helpers for templates


def chain_blocks(steps) -> list[list[tuple[int, object]]]:
    """Split steps into runs where each step starts from the previous step's result."""
    blocks: list[list[tuple[int, object]]] = []
    previous = None
    for number, step in enumerate(steps, 1):
        if not blocks or step.before != previous:
            blocks.append([])
        blocks[-1].append((number, step))
        previous = step.after
    return blocks


def flat_substeps(step, label) -> list[tuple[str, object]]:
    """Substeps, depth-first, labelled ``1.1``, ``1.2``, ``1.2.1`` ..."""
    out = []
    for i, sub in enumerate(step.substeps, 1):
        sub_label = f"{label}.{i}"
        out.append((sub_label, sub))
        out.extend(flat_substeps(sub, sub_label))
    return out


def notes_by_kind(notes) -> list[tuple[str, list]]:
    known = [k for k, _ in NOTE_HEADINGS]
    groups = [(title, [n for n in notes if n.kind == kind]) for kind, title in NOTE_HEADINGS]
    groups.append(("Notes", [n for n in notes if n.kind not in known]))
    return [(title, group) for title, group in groups if group]


def questions_line(derivation) -> str:
    """``questions 1.1.2, 1.2.2`` (or ``""``) for a problem's entry in a sheet."""
    questions = (derivation.source or {}).get("questions")
    return source_line({"questions": questions}) if questions else ""


def has_figures(derivations) -> bool:
    return any(p.figure for d in derivations for p in d.parts)


# ---------------------------------------------------------------- figures


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


# ---------------------------------------------------------------- Jinja


@lru_cache(maxsize=8)
def environment(template_dir: str | None = None):
    """The Jinja environment: ``template_dir`` first, then the built-in templates.

    Sandboxed: a template is code, and one from ``--template-dir`` may be hostile, so it cannot
    reach ``__class__``, ``__globals__`` and the like (a ``SecurityError``, reported as a
    ``RenderError``)."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    search = [str(Path(template_dir))] if template_dir else []
    search.append(str(templates_dir()))
    env = SandboxedEnvironment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(d) for d in search]),
        block_start_string=r"\BLOCK{", block_end_string="}",
        variable_start_string=r"\VAR{", variable_end_string="}",
        comment_start_string=r"\#{", comment_end_string="}",
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        autoescape=False, undefined=jinja2.StrictUndefined,
    )
    env.filters.update(math=lambda e, names=None: expr_latex(e, names), text=prose,
                       paragraphs=paragraphs, mathtext=mathtext, md=md_escape,
                       mdparagraphs=md_paragraphs, mdmathtext=md_mathtext)
    env.globals.update(
        symbol_names=symbol_names, part_names=part_names, source_line=source_line, chain_blocks=chain_blocks,
        flat_substeps=flat_substeps, notes_by_kind=notes_by_kind, has_figures=has_figures,
        questions_line=questions_line, note_style=note_style, note_words=note_words,
        arrow=lambda step: ARROWS[connector(step)], certification_methods=certification_methods,
        figure_data=figure_data, display_steps=lambda steps: display_steps(steps),
        describe_figure=lambda fig, names: describe_figure(fig, names, expr_text),
    )
    return env


def _template_location(exc: BaseException) -> tuple[str, int] | None:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".j2") and os.path.isfile(frame.filename):
            return frame.filename, frame.lineno or 0
    return None


def render_template(name: str, template_dir=None, **context) -> str:
    """Render one template; every failure becomes a ``RenderError`` naming file and line."""
    import jinja2

    env = environment(str(template_dir) if template_dir else None)
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise RenderError(f"{where}, line {exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template {exc.name!r} not found (looked in "
                          f"{', '.join(l.searchpath[0] for l in env.loader.loaders)})") from None
    except Exception as exc:  # a template's own mistake: report where it is
        loc = _template_location(exc)
        if loc is None and isinstance(exc, DeriveError):
            raise
        where = f"{loc[0]}, line {loc[1]}: " if loc else f"{name}: "
        detail = str(exc) if isinstance(exc, (DeriveError, jinja2.UndefinedError)) else \
            f"{type(exc).__name__}: {exc}"
        raise RenderError(where + detail) from exc


def render_latex(derivation, template_dir=None, detail: str | None = None) -> str:
    """A standalone LaTeX document for one problem (``problem.tex.j2``); ``detail`` as in
    ``grouping.detail`` (``"grouped"`` by default, ``"full"`` for every atomic step)."""
    with detail_level(detail):
        return render_template("problem.tex.j2", template_dir, d=derivation,
                               figures=has_figures([derivation]))


def inline_latex(expr, names) -> str:
    """An answer set inside a sentence: a 1×1 matrix as its entry and an explicit column as
    (a, b)ᵀ, so no tall bracket breaks the line."""
    from sympy import Eq, MatrixBase

    def flat(e):
        if isinstance(e, MatrixBase) and e.shape == (1, 1):
            return expr_latex(e[0, 0], names)
        if isinstance(e, MatrixBase) and e.shape[1] == 1:
            return r"\left(" + ", ".join(expr_latex(v, names) for v in e) + r"\right)^{\top}"
        return expr_latex(e, names)

    if isinstance(expr, Eq):
        return f"{flat(expr.lhs)} = {flat(expr.rhs)}"
    return flat(expr)


def render_sheet(derivations, sheet: dict, template_dir=None, detail: str | None = None, questions=None) -> str:
    """One LaTeX document for a source sheet (``sheet.tex.j2``). With ``questions`` (the sheet's
    manifest, ``questions.py``) it lists every question of the sheet in order: derived ones with
    their derivations, the others with their prose or the reason they are not derived; without,
    the sheet's problems in question order.

    ``sheet`` holds at least ``id`` and ``title``; ``course``, ``year`` and ``description`` are
    shown when present.
    """
    from types import SimpleNamespace

    from .questions import outline

    ordered = sorted(derivations, key=question_key)
    info = {k: v for k, v in sheet.items() if k in ("course", "year")}
    laid_out = []
    if questions is not None:
        laid_out = outline(questions, ordered, lambda e, d: f"${inline_latex(e, symbol_names(d))}$", escape_tex)
        shown = [p for q in laid_out for g in q["groups"] for p in g["parts"]]
        certification = SimpleNamespace(parts=shown, certification=next((d.certification for d in ordered), ""))
    with detail_level(detail):
        return render_template("sheet.tex.j2", template_dir, sheet=sheet, problems=ordered,
                               sheet_line=source_line(info), figures=has_figures(ordered),
                               questions=laid_out, all_steps=certification if laid_out else None)


__all__ = ["describe_figure", "environment", "figure_data", "render_latex", "render_sheet",
           "render_template"]

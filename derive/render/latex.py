r"""Derivation -> LaTeX source through Jinja templates.

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

Figures: ``figure_view.py`` (``figure_data``, ``describe_figure``, re-exported here).
"""
from __future__ import annotations

import os
import re
import traceback
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from ..errors import DeriveError, RenderError
from . import (certification_methods, connector, given_relations, note_style, part_names, question_key, shown_symbols,
               source_line, symbol_names, templates_dir)
from .figure_view import describe_figure, figure_data
from .grouping import current as current_detail, detail as detail_level, display_steps
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


FIT = 60       # visible characters from which a display is boxed to fit the line (\\dvfit)


def fit(tex: str, width: str = "") -> str:
    """A display that may be wider than the line, in ``\\dvfit`` (the preamble's box that
    shrinks it to the line's width only when it is wider); a short one as it is. ``width``: a
    narrower box, such as the answer's beside its label."""
    from .latex_printer import visible_width

    if not tex or visible_width(tex) <= FIT:
        return tex
    return rf"\dvfit[{width}]{{{tex}}}" if width else rf"\dvfit{{{tex}}}"


def full_detail_now() -> bool:
    """Is every atomic step shown (``--detail full``)?"""
    return current_detail() == "full"


def note_math(tex: str, style: str = "inline", after: str = "") -> str:
    """A note's mathematics in its prose: ``$…$`` (after a space for ``inline``, in parentheses
    for ``paren``); one too wide for the line goes on a line of its own, shrunk to fit it."""
    from .latex_printer import visible_width

    if visible_width(tex) > FIT:
        body = f"({tex})" if style == "paren" else tex
        return rf"\newline$\dvfit[\linewidth]{{{body}}}$" + (r"\newline " if after.strip() else "") + after
    head = {"inline": " ", "paren": " ("}.get(style, "")
    return f"{head}${tex}$" + (")" if style == "paren" else "") + after


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
            rest = escape(words[i + len(shown):])
            if markdown:
                return escape(words[:i]) + f"${expr_latex(piece, names)}$" + rest
            return escape(words[:i]) + note_math(expr_latex(piece, names), "only", rest)
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
    env.filters.update(math=lambda e, names=None: expr_latex(e, names), fit=fit, text=prose,
                       paragraphs=paragraphs, mathtext=mathtext, md=md_escape,
                       mdparagraphs=md_paragraphs, mdmathtext=md_mathtext)
    env.globals.update(
        symbol_names=symbol_names, shown_symbols=shown_symbols, given_relations=given_relations,
        part_names=part_names, source_line=source_line, chain_blocks=chain_blocks,
        flat_substeps=flat_substeps, notes_by_kind=notes_by_kind, has_figures=has_figures,
        questions_line=questions_line, note_style=note_style, note_words=note_words,
        arrow=lambda step: ARROWS[connector(step)], certification_methods=certification_methods,
        figure_data=figure_data, display_steps=lambda steps: display_steps(steps),
        full_detail=full_detail_now, note_math=note_math, reason=reason,
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
    said = _SAID.set({})
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
    finally:
        _SAID.reset(said)


_SAID: ContextVar = ContextVar("derive_reasons_said", default=None)
LONG_REASON = 160       # characters from which a justification given before is shortened


def reason(text: str) -> str:
    """A step's justification as a document gives it: in full the first time; a long one given
    before in the same document (the chain rule through a network, the moment rules) as its first
    clause and '(as before)', so the page says it once (a TA's 'as in (b)')."""
    said = _SAID.get()
    text = " ".join(str(text).split())
    if said is None or len(text) < LONG_REASON or full_detail_now():
        return text
    if text not in said:
        said[text] = True
        return text
    head = re.split(r"(?<=[a-z)])[:;.]\s", text, maxsplit=1)[0].rstrip(".;:")
    return f"{head} (as before)." if head != text else text


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
    shown = [p for d in ordered for p in d.parts]
    if questions is not None:
        laid_out = outline(questions, ordered, lambda e, d: f"${inline_latex(e, symbol_names(d))}$", escape_tex)
        shown = [p for q in laid_out for g in q["groups"] for p in g["parts"]]
    # one account of the certification for the whole sheet, after its last problem
    certification = SimpleNamespace(parts=shown, certification=next((d.certification for d in ordered), ""))
    with detail_level(detail):
        return render_template("sheet.tex.j2", template_dir, sheet=sheet, problems=ordered,
                               sheet_line=source_line(info), figures=has_figures(ordered),
                               questions=laid_out, all_steps=certification)


__all__ = ["describe_figure", "environment", "figure_data", "render_latex", "render_sheet",
           "render_template"]

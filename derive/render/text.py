"""Derivation -> terminal text (``render_text``), laid out for a 100-column terminal.

Where it sits: ``derive show`` (cli.py) prints what this returns. Expressions go through
``printing.text``; prose is wrapped, never rewritten. Layout of one part::

    Part 1.2.2 — Minimise the regularised squared error over w.

              (Xw − t)ᵀ(Xw − t)/(2n) + λ wᵀw
        1  →  Xᵀ(Xw − t)/n + 2λw
              Differentiate each term with respect to w.          ✓ numeric: 12 instances

        ┌─────────────────────────┐
        │ w = (XᵀX + 2λnI)⁻¹Xᵀt   │
        └─────────────────────────┘

A step's ``before`` is printed only when it differs from the previous step's ``after``, so a
chain of steps reads like hand working.
"""
from __future__ import annotations

import textwrap
import unicodedata

from . import (certification_methods, connector, given_relations, note_style, part_names, shown_symbols, source_line,
               symbol_names)
from .grouping import detail as detail_level, display_steps
from .printing import symbol_text, text as expr_text
from .prose import names_as_unicode

WIDTH = 100
ARROWS = {"equals": "=", "iff": "⇔", "implies": "⇒", "becomes": "→"}
NOTE_HEADINGS = {"condition": "Side conditions", "dropped": "Dropped branches",
                 "assumption": "Assumptions", "remark": "Remarks"}


def width(s: str) -> int:
    """Display width: combining marks take no column, wide East Asian characters take two."""
    total = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def _wrap(s: str, indent: int, first: int | None = None) -> list[str]:
    first = indent if first is None else first
    return textwrap.wrap(" ".join(names_as_unicode(s).split()), WIDTH, initial_indent=" " * first,
                         subsequent_indent=" " * indent, break_on_hyphens=False) or []


def _with_mark(lines: list[str], mark: str, indent: int) -> list[str]:
    """Put ``mark`` flush right on the last line when it fits, else on a line of its own."""
    if not mark:
        return lines
    if lines and width(lines[-1]) + 3 + width(mark) <= WIDTH:
        last = lines[-1]
        lines[-1] = last + " " * (WIDTH - width(last) - width(mark)) + mark
        return lines
    return lines + [" " * indent + mark]


def _mark(step) -> str:
    return f"✓ {step.certified_by}" if step.certified_by else "· not certified"


def _steps(steps, names, indent: int, label_prefix: str = "") -> list[str]:
    lines: list[str] = []
    steps = display_steps(steps) if not label_prefix else list(steps)
    previous = None
    label_w = max((len(f"{label_prefix}{i}") for i in range(1, len(steps) + 1)), default=1)
    expr_col = indent + label_w + 5
    for i, step in enumerate(steps, 1):
        if previous is None or step.before != previous:
            lines.append(" " * expr_col + expr_text(step.before, names))
        label = f"{label_prefix}{i}".rjust(label_w)
        arrow = ARROWS[connector(step)]
        lines.append(" " * indent + f"{label}  {arrow}  " + expr_text(step.after, names))
        because = _wrap(step.because, expr_col) if step.because else []
        lines.extend(_with_mark(because, _mark(step), expr_col))
        if step.substeps:
            lines.extend(_steps(step.substeps, names, expr_col + 2,
                                f"{label_prefix}{i}".strip() + "."))
        previous = step.after
    return lines


def _box(content: str, indent: int) -> list[str]:
    inner = width(content) + 2
    pad = " " * indent
    return [pad + "┌" + "─" * inner + "┐", pad + "│ " + content + " │", pad + "└" + "─" * inner + "┘"]


def _note_line(note, names) -> str:
    style = note_style(note, names)
    math = expr_text(note.math, names) if style else ""
    words = " ".join(note.text.split())
    return {"": words, "only": math, "inline": f"{words} {math}",
            "paren": f"{words} ({math})"}[style]


def _notes(notes, names, indent: int) -> list[str]:
    lines: list[str] = []
    for kind, heading in list(NOTE_HEADINGS.items()) + [(None, "Notes")]:
        group = [n for n in notes if (n.kind == kind) or (kind is None and n.kind not in NOTE_HEADINGS)]
        if not group:
            continue
        lines += ["", " " * indent + heading]
        for note in group:
            wrapped = _wrap(_note_line(note, names), indent + 4) or [" " * (indent + 4)]
            wrapped[0] = " " * (indent + 2) + "• " + wrapped[0][indent + 4:]
            lines += wrapped
    return lines


def _symbols(derivation) -> list[str]:
    rows = [(symbol_text(s.latex) if s.latex else s.name, s.kind, s.shape, s.assumptions,
             s.description) for s in shown_symbols(derivation)]
    if not rows:
        return []
    cols = [max(width(r[c]) for r in rows) for c in range(4)]
    lines = ["", "Symbols"]
    for r in rows:
        cells = [r[c] + " " * (cols[c] - width(r[c])) for c in range(4)]
        lines.append(("  " + "   ".join(cells) + "   " + r[4]).rstrip())
    return lines


def _answer(answer, names, indent: int) -> list[str]:
    if answer is None:
        return []
    return [""] + _box(expr_text(answer, names), indent)


def _failure(error: str, indent: int) -> list[str]:
    """A part that could not be derived: its error, framed so it cannot be missed."""
    import textwrap

    pad = " " * indent
    rule = WIDTH - indent - 2
    body = textwrap.wrap(error, rule - 2, break_long_words=True) or [""]
    return ([pad + "┏━ NOT DERIVED " + "━" * (rule - 15)]
            + [pad + "┃ " + line for line in body]
            + [pad + "┗" + "━" * (rule - 1)])


def _certificate(text: str, indent: int) -> list[str]:
    return _wrap("✓ " + text, indent + 2, indent) if text else []


def _part(part, names) -> list[str]:
    head = f"Part {part.id} — {part.goal}" if part.goal else f"Part {part.id}"
    lines = ["", ""] + _wrap(head, 2, 0) + [""]
    if part.error:
        return lines + _failure(part.error, 4)
    lines += _steps(part.steps, names, 4)
    lines += _answer(part.answer, names, 4)
    lines += _certificate(part.certificate, 4)
    lines += _notes(part.notes, names, 4)
    if part.figure:
        from .latex import describe_figure

        lines += [""] + _wrap("Figure (in the PDF): " + describe_figure(part.figure, names, expr_text),
                              6, 4)
    for variant in part.variants:
        head = (f"Variant “{variant.name}” — {variant.description}" if variant.role == "convention"
                else variant.name[:1].upper() + variant.name[1:])
        lines += [""] + _wrap(head, 6, 4) + [""]
        lines += _steps(variant.steps, names, 6)
        lines += _answer(variant.answer, names, 6)
        lines += _certificate(variant.certificate, 6)
        lines += _notes(variant.notes, names, 6)
    if part.discussion:
        lines += [""] + _wrap("Discussion (the instructor's words, not derived): " + part.discussion, 6, 4)
    return lines


def render_text(derivation, detail: str | None = None) -> str:
    """The whole derivation as terminal text, ending with a newline. ``detail``: ``"grouped"``
    (routine moves shown as one step, the default) or ``"full"`` (every atomic step)."""
    with detail_level(detail):
        return _render_text(derivation)


def _render_text(derivation) -> str:
    names = symbol_names(derivation)
    title = derivation.title or derivation.id
    lines = [title]
    src = source_line(derivation.source)
    if src:
        lines.append(src)
    lines.append("═" * min(WIDTH, max(width(title), width(src))))
    if derivation.statement:
        lines.append("")
        for para in derivation.statement.split("\n\n"):
            lines += _wrap(para, 0) + [""]
        lines.pop()
    data = given_relations(derivation)
    if data:
        lines += ["", "Given"] + ["  " + expr_text(g, names) for g in data]
    lines += _symbols(derivation)
    for part in derivation.parts:
        lines += _part(part, part_names(names, part))
    methods = certification_methods(derivation)
    if derivation.certification or methods:
        lines += ["", "", "How these steps were certified"]
        if derivation.certification:
            lines += _wrap(derivation.certification, 2)
        if methods:
            lines += _wrap(" · ".join(f"{m} ({n} move{'s' if n != 1 else ''})"
                                      for m, n in methods), 2)
    return "\n".join(line.rstrip() for line in lines) + "\n"


__all__ = ["render_text", "width"]

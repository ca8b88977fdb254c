"""Renderers: a ``Derivation`` (``derive/steps.py``, plain data) -> text, JSON, LaTeX, Markdown, PDF.

Data flow inside this package::

    Derivation ──> printing.py (expressions -> LaTeX / Unicode: normal_forms.py, then
         │          latex_printer.py / text_printer.py on printer_base.py, names from spellings.py)
         │
         ├─> text.py      terminal text            ├─> latex.py     problem/sheet .tex (Jinja)
         ├─> json_out.py  JSON-ready dicts         ├─> markdown.py  Markdown with $$ math (Jinja)
         └─> build.py     .tex files for make ───> pdf.py        latexmk -> .pdf
                          (a sheet's questions: questions.py, from problems/sheets/*.yaml)

This module holds the small helpers every renderer shares. It imports neither SymPy nor Jinja,
so ``python -m derive.render.pdf`` (run by make once per document) starts fast.
"""
from __future__ import annotations

import re
from pathlib import Path



def templates_dir() -> Path:
    """The built-in templates: ``derive/templates`` in a wheel, ``<repo>/templates`` in the repo."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "templates", here.parent.parent / "templates"):
        if candidate.is_dir():
            return candidate
    return here.parent.parent / "templates"


def symbol_names(derivation) -> dict[str, str]:
    """SymPy name -> LaTeX spelling, from the derivation's table of symbols, on top of the
    spec's whole table (``extra["latex_names"]``: functions and givens too, ``\\ell`` not ``ell``)."""
    spec_names = (getattr(derivation, "extra", None) or {}).get("latex_names") or {}
    return {**{k: v for k, v in spec_names.items() if isinstance(v, str) and v},
            **{row.name: row.latex for row in derivation.symbols if row.latex}}


def is_boolean(expr) -> bool:
    """SymPy's ``true`` / ``false``: a condition the engine already decided, not mathematics to show."""
    return type(expr).__name__ in ("BooleanTrue", "BooleanFalse")


def source_line(source: dict) -> str:
    """``CSC413 (2021), Homework 3, questions 1.1.2, 1.2.2`` from a spec's ``source`` mapping."""
    if not source:
        return ""
    source = dict(source)
    based_on = source.pop("based_on", None)
    if based_on:            # a cousin: its course and the question it follows, not its part ids
        return f"{source.get('course', '')}, after {based_on}".strip(", ")
    head = str(source.pop("course", "") or "")
    year = source.pop("year", None)
    if year:
        head = f"{head} ({year})" if head else str(year)
    parts = [head] if head else []
    sheet = source.pop("sheet", None)
    if sheet:
        parts.append(str(sheet))
    questions = source.pop("questions", None)
    if questions:
        if isinstance(questions, (list, tuple)):
            label = "question" if len(questions) == 1 else "questions"
            parts.append(f"{label} {', '.join(str(q) for q in questions)}")
        else:
            parts.append(f"question {questions}")
    for key in sorted(source):
        if source[key] not in (None, "", [], {}):
            parts.append(f"{key}: {source[key]}")
    return ", ".join(parts)


def connector(step) -> str:
    """How ``step.before`` relates to ``step.after``, from the relation the step was certified
    for (``Step.relation``): ``equals``, ``iff`` (equivalent equations), ``implies`` or ``becomes``."""
    before_rel = bool(getattr(step.before, "is_Relational", False)) or is_boolean(step.before)
    after_rel = bool(getattr(step.after, "is_Relational", False)) or is_boolean(step.after)
    relation = getattr(step, "relation", "")
    if relation == "=":
        return "iff" if before_rel and after_rel else "equals"
    if relation == "⇔":
        return "iff"
    if relation in ("", "⇒") and before_rel and after_rel:
        return "implies"
    return "becomes"


def part_names(names: dict, part) -> dict:
    """The problem's LaTeX names with the part's own spellings on top (a 1-D part's scalars)."""
    return {**names, **(getattr(part, "names", None) or {})}


def note_style(note, names=None) -> str:
    """How a note's ``math`` joins its words: ``""`` (not shown: the words already say it),
    ``"only"`` (no words), ``"inline"`` (``because λ > 0``) or ``"paren"`` (``… invertible. (λ > 0)``)."""
    if note.math is None or is_boolean(note.math):
        return ""               # "(True)" after a condition the words already state
    words = " ".join(note.text.split())
    if not words:
        return "only"
    from .printing import text as expr_text

    def norm(s: str) -> str:
        return " ".join(s.replace("−", "-").split())

    shown = norm(expr_text(note.math, names))
    if re.search(rf"(?<!\w){re.escape(shown)}(?!\w)", norm(words)):
        return ""
    return "paren" if words[-1] in ".;!?" else "inline"


def given_relations(derivation) -> list:
    """The problem's given data as relations to show with its statement: ``P = (…)``."""
    from sympy import Eq, Symbol

    return [Eq(Symbol(name), value, evaluate=False) for name, value in getattr(derivation, "givens", ())]


KIND_WORDS = {"ufunc": "function", "dim": "dimension"}


def shown_symbols(derivation) -> list:
    """The symbol table as a reader sees it: kinds in words (a ``ufunc`` is a function) and each
    symbol's name in its assumptions spelled as the document spells it (0 < α < 1, not alpha)."""
    from dataclasses import replace

    from .spellings import symbol_text

    spelled = {s.name: symbol_text(s.latex) for s in derivation.symbols if s.latex and s.name != symbol_text(s.latex)}
    out = []
    for s in derivation.symbols:
        words = s.assumptions
        for name, shown in spelled.items():
            words = re.sub(rf"(?<![\w]){re.escape(name)}(?![\w])", shown, words)
        out.append(replace(s, kind=KIND_WORDS.get(s.kind, s.kind), assumptions=words))
    return out


def certification_methods(derivation) -> list[tuple[str, int]]:
    """Each distinct ``certified_by`` over all steps (variants and substeps too), with counts."""
    counts: dict[str, int] = {}

    def walk(steps):
        for step in steps:
            key = step.certified_by or "not certified"
            counts[key] = counts.get(key, 0) + 1
            walk(step.substeps)

    for part in derivation.parts:
        walk(part.steps)
        for variant in part.variants:
            walk(variant.steps)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def question_key(derivation) -> tuple:
    """Sort key putting a sheet's problems in question order (``1.2`` before ``1.10``)."""
    questions = (derivation.source or {}).get("questions") or []
    if not isinstance(questions, (list, tuple)):
        questions = [questions]
    first = str(questions[0]) if questions else ""
    numbers = tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\s]+", first) if p)
    return (0 if numbers else 1, numbers, derivation.id)


__all__ = ["certification_methods", "connector", "is_boolean", "part_names", "note_style", "question_key",
           "source_line", "symbol_names", "templates_dir"]

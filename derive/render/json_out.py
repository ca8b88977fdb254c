"""Derivation -> JSON-ready data (``to_data``) and JSON text (``render_json``).

Where it sits: ``derive show --format json`` and any tool that wants the derivation without
SymPy. Every expression becomes ``{"latex", "text", "srepr"}``; a step's ``before`` and
``after`` are LaTeX strings (their Unicode forms sit beside them as ``before_text`` and
``after_text``). ``srepr`` is SymPy's exact constructor form, for tools that rebuild the
expression with SymPy's own constructors; it is never fed to ``eval`` here.
"""
from __future__ import annotations

import dataclasses
import json

from . import connector, is_boolean, part_names, symbol_names
from .grouping import display_steps, groups
from .printing import latex, text


def expression(expr, names=None) -> dict | None:
    """``{"latex", "text", "srepr"}`` for a SymPy expression (``None`` stays ``None``)."""
    if expr is None:
        return None
    from sympy import srepr

    return {"latex": latex(expr, names), "srepr": srepr(expr), "text": text(expr, names)}


def _plain(value, names):
    """Figure dicts, sources and extras: SymPy objects become expression dicts."""
    from sympy import Basic

    if isinstance(value, Basic):
        return expression(value, names)
    if isinstance(value, dict):
        return {str(k): _plain(v, names) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, names) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _step(step, names) -> dict:
    return {
        "rule": step.rule,
        "before": latex(step.before, names),
        "after": latex(step.after, names),
        "before_text": text(step.before, names),
        "after_text": text(step.after, names),
        "relation": connector(step),
        "because": step.because,
        "certified_by": step.certified_by,
        "substeps": [_step(s, names) for s in step.substeps],
    }


def _groups(steps) -> list[dict]:
    """How the steps are displayed by default: each group's atomic step indices (0-based, into
    ``steps``), its connector, its justification and whether every move in it is certified."""
    out = []
    for indices, shown in zip(groups(steps), display_steps(steps, "grouped")):
        out.append({"steps": list(indices), "relation": connector(shown), "because": shown.because,
                    "certified": all(steps[k].certified_by for k in indices)})
    return out


def _note(note, names) -> dict:
    """A note; a condition the engine already decided (SymPy's true/false) has no math to show."""
    math = None if is_boolean(note.math) else expression(note.math, names)
    return {"kind": note.kind, "text": note.text, "math": math}


def _part(part, names) -> dict:
    if part.error:
        return {"id": part.id, "goal": part.goal, "error": part.error, "steps": [], "answer": None,
                "certificate": "", "notes": [], "variants": [], "figure": None}
    return {
        "id": part.id,
        "goal": part.goal,
        "error": None,
        "steps": [_step(s, names) for s in part.steps],
        "groups": _groups(part.steps),
        "answer": expression(part.answer, names),
        "certificate": part.certificate,
        "notes": [_note(n, names) for n in part.notes],
        "variants": [{"name": v.name, "description": v.description, "role": v.role,
                      "notes": [_note(n, names) for n in v.notes],
                      "steps": [_step(s, names) for s in v.steps], "groups": _groups(v.steps),
                      "answer": expression(v.answer, names), "certificate": v.certificate}
                     for v in part.variants],
        "figure": _plain(part.figure, names),
        "discussion": part.discussion,
    }


def to_data(derivation) -> dict:
    """The whole derivation as dictionaries, lists, strings and numbers."""
    names = symbol_names(derivation)
    return {
        "id": derivation.id,
        "title": derivation.title,
        "source": _plain(derivation.source, names),
        "sheet": derivation.sheet,
        "statement": derivation.statement,
        "symbols": [dataclasses.asdict(s) for s in derivation.symbols],
        "parts": [_part(p, part_names(names, p)) for p in derivation.parts],
        "certification": derivation.certification,
        "givens": [{"name": name, "value": expression(value, names)} for name, value in derivation.givens],
        "extra": _plain(derivation.extra, names),
    }


def render_json(derivation) -> str:
    """``to_data`` as indented JSON (UTF-8 kept readable), ending with a newline."""
    return json.dumps(to_data(derivation), indent=2, ensure_ascii=False) + "\n"


__all__ = ["expression", "render_json", "to_data"]

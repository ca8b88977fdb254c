"""Reports of checked submissions as terminal text, JSON and CSV (one row per file).

JSON: an array with one object per file: ``file``, ``problem``, ``part`` (the part id, or a list
when the file answers several), ``steps`` (each ``index``, ``line``, ``latex``, ``status``,
``move``, ``reason``, ``counterexample`` (``values`` by symbol name, ``left``, ``right``, and
``display``: each name as printed), ``condition``, ``part``, ``ms``), ``first_wrong_step`` (an
index or null), ``final_answer`` (``latex``, ``status``, ``convention``, ``reason``,
``counterexample``; for several parts, the last part's), ``final_answers`` (per part), ``error``.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict

MARKS = {"ok": "✓", "wrong": "✗", "unparsed": "?", "unknown": "…"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> object:
    """A cell a spreadsheet shows as text: one starting with = + - @ (or a tab or CR) could run
    as a formula (=HYPERLINK(...)), so it gets a leading ' as spreadsheet exports do."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def visible(text: str) -> str:
    """A student's line for the terminal: a NUL byte as \\0, other control characters as \\xNN."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else "\\0" if c == "\0" else f"\\x{ord(c):02x}"
                   if ord(c) < 256 else f"\\u{ord(c):04x}" for c in text)


def to_data(report) -> dict:
    parts = [p.part for p in report.parts]
    finals = {p.part: (asdict(p.final_answer) if p.final_answer else None) for p in report.parts}
    return {
        "file": report.file,
        "problem": report.problem,
        "part": parts[0] if len(parts) == 1 else parts,
        "steps": [asdict(s) for s in report.steps],
        "first_wrong_step": report.first_wrong_step,
        "final_answer": finals[parts[-1]] if parts else None,
        "final_answers": finals,
        "fully_right": report.fully_right,
        "error": report.error or None,
    }


def render_json(reports) -> str:
    return json.dumps([to_data(r) for r in reports], indent=2, ensure_ascii=False) + "\n"


def render_csv(reports) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "problem", "parts", "steps", "ok", "wrong", "unparsed", "unknown",
                     "first_wrong_line", "final_answers", "fully_right", "error"])
    for r in reports:
        steps = r.steps
        count = {k: sum(s.status == k for s in steps) for k in MARKS}
        first = next((s.line for s in steps if s.status == "wrong"), "")
        finals = "; ".join(f"{p.part}: {p.final_answer.status if p.final_answer else 'missing'}" for p in r.parts)
        row = [r.file, r.problem, " ".join(p.part for p in r.parts), len(steps), count["ok"], count["wrong"],
               count["unparsed"], count["unknown"], first, finals, "yes" if r.fully_right else "no", r.error]
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


def _counterexample(ce: dict | None) -> str:
    if not ce:
        return ""
    shown = ce.get("display", {})
    values = ", ".join(f"{shown.get(k, k)} = {v}" for k, v in ce["values"].items())
    return f"with {values}: left {ce['left']}, right {ce['right']}" if values else f"left {ce['left']}, right {ce['right']}"


def render_text(report) -> str:
    lines = [f"{visible(report.file)}  ({report.problem})"]
    if report.error:
        lines.append(f"  cannot check: {visible(report.error)}")
        return "\n".join(lines) + "\n"
    first = report.first_wrong_step
    for part in report.parts:
        lines.append(f"  part {part.part}")
        for s in part.steps:
            mark = MARKS.get(s.status, "?")
            latex = visible(s.latex if len(s.latex) <= 70 else s.latex[:67] + "...")
            note = s.move if s.status == "ok" else s.status
            if s.condition:
                note += f"; needs {s.condition}"
            lines.append(f"    {mark} line {s.line:>3}  {latex}   [{note}]")
            if s.status != "ok" and s.reason:
                lines.append(f"          {visible(s.reason)}")
            if s.index == first:
                lines.append("          ^ first wrong step" + (f": {_counterexample(s.counterexample)}" if s.counterexample else ""))
        fa = part.final_answer
        if fa is not None:
            extra = f" ({fa.convention})" if fa.status == "correct" and fa.convention else ""
            detail = f" — {fa.reason}" if fa.reason and fa.status != "correct" else ""
            ce = f"; {_counterexample(fa.counterexample)}" if fa.counterexample else ""
            lines.append(f"    final answer: {fa.status}{extra}{detail}{ce}")
    verdict = "fully right" if report.fully_right else ("first wrong step: line " + str(next(s.line for s in report.steps if s.index == first))
                                                       if first else "not fully right")
    lines.append(f"  => {verdict}")
    return "\n".join(lines) + "\n"

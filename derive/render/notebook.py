r"""Rich displays for Jupyter: a derivation and a check report as MathJax-ready LaTeX and Markdown.

Where it sits: ``derive/api.py`` hands its objects' ``_repr_latex_`` and ``_repr_markdown_`` to
these functions. A derivation's Markdown is the ordinary Markdown document (``markdown.py``);
its LaTeX here is one ``$$\begin{aligned} … \end{aligned}$$`` block per part (steps, connectors,
boxed answer), which MathJax renders, unlike a whole ``\documentclass`` file. A check report
(``derive/check/report.py``'s data) becomes a Markdown list or an aligned block of the student's
lines with their verdicts. Nothing here derives or checks: it only prints what it is given.
"""
from __future__ import annotations

import re

from . import connector, is_boolean, part_names, symbol_names
from .grouping import detail as detail_level, display_steps
from .printing import latex as expr_latex

ARROWS = {"equals": "=", "iff": r"\Longleftrightarrow", "implies": r"\Longrightarrow", "becomes": r"\longrightarrow"}
MARKS = {"ok": "✓", "wrong": "✗", "unparsed": "?", "unknown": "…"}
_TEXT_SPECIAL = re.compile(r"([\\{}$&#%_^~])")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|$~])")


def mathjax_text(s: str) -> str:
    r"""Prose inside ``\text{…}`` for MathJax: TeX specials escaped, whitespace collapsed."""
    def esc(m):
        c = m.group(1)
        return {"\\": r"\backslash ", "~": r"\sim ", "^": r"\hat{}"}.get(c, "\\" + c)

    return r"\text{" + _TEXT_SPECIAL.sub(esc, " ".join(str(s).split())) + "}"


def _md(s: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(s).split()))


def _steps(steps, names) -> list[str]:
    rows, previous = [], None
    for number, step in enumerate(display_steps(steps), 1):
        if previous is None or step.before != previous:
            rows.append(f"& {expr_latex(step.before, names)}")
        rows.append(rf"{ARROWS[connector(step)]}\quad & {expr_latex(step.after, names)} && \text{{({number})}}")
        previous = step.after
    return rows


def derivation_latex(derivation, detail: str | None = None) -> str:
    """Each part as an aligned block: its goal, its steps (numbered and grouped as in every
    other format; ``detail`` as in ``grouping.detail``) and its boxed answer; a part that could
    not be derived shows its reason."""
    with detail_level(detail):
        return _derivation_latex(derivation)


def _derivation_latex(derivation) -> str:
    names = symbol_names(derivation)
    blocks = []
    for part in derivation.parts:
        pn = part_names(names, part)
        head = r"\textbf{Part " + mathjax_text(part.id)[6:-1] + "}" + (mathjax_text(f": {part.goal}") if part.goal else "")
        rows = [f"& {head}"]
        if part.error:
            rows.append("& " + mathjax_text(f"NOT DERIVED: {part.error}"))
        else:
            rows += _steps(part.steps, pn)
            for answer in part.answers:
                if answer is not None and not is_boolean(answer):
                    rows.append(rf"& \boxed{{{expr_latex(answer, pn)}}}")
        blocks.append("$$\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}$$")
    title = derivation.title or derivation.id
    return f"$${mathjax_text(title)}$$\n" + "\n".join(blocks)


def _counterexample(ce) -> str:
    if not ce:
        return ""
    shown = ce.get("display", {})
    values = ", ".join(f"{shown.get(k, k)} = {v}" for k, v in ce["values"].items())
    return (f"with {values}: " if values else "") + f"left {ce['left']}, right {ce['right']}"


def _student_math(latex: str) -> str:
    return " ".join(latex.replace("$", "").split())


def report_markdown(data: dict) -> str:
    """A checked submission (``derive check --json`` data for one file) as Markdown."""
    head = f"**{_md(data['file'])}** ({_md(data['problem'])}): "
    if data.get("error"):
        return head + f"cannot check: {_md(data['error'])}\n"
    first = data.get("first_wrong_step")
    wrong_line = next((s["line"] for s in data["steps"] if s["index"] == first), None)
    head += "fully right" if data["fully_right"] else (f"first wrong step on line {wrong_line}" if first
                                                       else "not fully right")
    lines = [head, ""]
    parts = data["final_answers"]
    for pid in parts:
        lines.append(f"- part {_md(pid)}")
        for s in (s for s in data["steps"] if s["part"] == pid):
            mark = MARKS.get(s["status"], "?")
            note = _md(s["move"]) if s["status"] == "ok" else f"**{s['status']}**"
            if s["reason"] and s["status"] != "ok":
                note += f": {_md(s['reason'])}"
            if s["counterexample"]:
                note += f"; {_md(_counterexample(s['counterexample']))}"
            math = _student_math(s["latex"])
            shown = f"${math}$" if s["status"] != "unparsed" and math else f"`{math}`"
            lines.append(f"  - {mark} line {s['line']}: {shown}" + (f" — {note}" if note else ""))
        fa = parts[pid]
        if fa is not None:
            extra = f" ({_md(fa['convention'])})" if fa["status"] == "correct" and fa["convention"] else ""
            why = f": {_md(fa['reason'])}" if fa["reason"] and fa["status"] != "correct" else ""
            ce = f"; {_md(_counterexample(fa['counterexample']))}" if fa["counterexample"] else ""
            lines.append(f"  - final answer: **{fa['status']}**{extra}{why}{ce}")
    return "\n".join(lines) + "\n"


def report_latex(data: dict) -> str:
    """The same report as one aligned MathJax block: each line, then its verdict in words."""
    rows = [f"& {mathjax_text(data['file'] + ' (' + data['problem'] + ')')}"]
    if data.get("error"):
        rows.append("& " + mathjax_text(f"cannot check: {data['error']}"))
    for s in data["steps"]:
        verdict = f"{MARKS.get(s['status'], '?')} " + (s["move"] if s["status"] == "ok" else s["status"])
        math = _student_math(s["latex"])
        shown = math if s["status"] != "unparsed" and math else mathjax_text(math)
        rows.append(rf"{mathjax_text('line ' + str(s['line']))}\quad & {shown} && {mathjax_text(verdict)}")
    for pid, fa in data["final_answers"].items():
        if fa is not None:
            rows.append("& " + mathjax_text(f"part {pid}: final answer {fa['status']}"))
    return "$$\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}$$"


__all__ = ["derivation_latex", "mathjax_text", "report_latex", "report_markdown"]

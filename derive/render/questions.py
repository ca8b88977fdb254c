"""A sheet's questions as data: ``problems/sheets/<sheet>.yaml`` -> the outline of its document.

Where it sits: ``service.build`` reads the manifest of each sheet it builds (``load_questions``),
checks it against the bank's specs without SymPy, and ``render_sheet`` (``latex.py``) lays the
sheet out question by question (``outline``). A sheet without a manifest keeps the plain list of
its problems.

A manifest lists every question of the sheet, in the sheet's order::

    sheet: csc413-2021-hw3
    questions:
      - number: 1.1.1
        parts: [fgsm-linf]                         # every part of a problem, or problem/part
      - number: 1.2.4
        parts: [fgsm-weight-decay]
        answer: 'No: the step is ε = {fgsm-weight-decay/1.2.4b}, whatever λ is.'   # the question's one-sentence answer
      - number: 2.1.2a
        ask: which batch size on a figure is the most efficient
        not_derived: it is read off a figure that the sheet's text does not include
      - number: 2.1.3
        discussion: >                              # the instructor's prose, shown as not derived
          ...

Each question has exactly one of ``parts`` (derived), ``discussion`` (prose, not derived) and
``not_derived`` (the reason). ``answer`` (with ``parts`` only) is a sentence that follows the
derived facts; each ``{problem/part}`` in it is replaced by that part's derived answer. The file
is plain data: nothing in it is evaluated. Every mistake is a ``SpecError`` with file and line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SpecError

KEYS = ("sheet", "title", "description", "questions")
QUESTION_KEYS = ("number", "ask", "parts", "answer", "discussion", "not_derived")
KINDS = ("parts", "discussion", "not_derived")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Question:
    number: str
    ask: str = ""
    parts: tuple[tuple[str, str | None], ...] = ()   # (problem id, part id or None for all parts)
    answer: str = ""                                 # with {problem/part} placeholders
    discussion: str = ""
    not_derived: str = ""
    line: int | None = None

    @property
    def kind(self) -> str:
        return "derived" if self.parts else "discussion" if self.discussion else "not-derived"


@dataclass(frozen=True)
class Questions:
    sheet: str
    file: str
    questions: tuple[Question, ...]
    title: str = ""
    description: str = ""
    extra: dict = field(default_factory=dict)


def manifest_path(sheet: str, directory: Path | None = None) -> Path:
    from ..resources import problems_dir

    return (directory or problems_dir()) / "sheets" / f"{sheet}.yaml"


def load_questions(sheet: str, entries, directory: Path | None = None) -> Questions | None:
    """The manifest of ``sheet`` checked against ``entries`` (``bank.Entry``s of the bank), or
    None when the sheet has none."""
    path = manifest_path(sheet, directory)
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SpecError(f"cannot read the sheet's questions: {err}", str(path)) from None
    return read_questions(text, str(path), sheet, entries)


def read_questions(text: str, file: str, sheet: str, entries) -> Questions:
    """Parse and check a manifest's text (``file`` names it in errors)."""
    from ..yamlsrc import load

    data, lines = load(text, file)
    reader = _Reader(file, lines)
    if not isinstance(data, dict):
        raise reader.err("a sheet's questions file is a mapping with 'sheet' and 'questions'")
    reader.keys(data, KEYS, (), "the sheet's questions file")
    if str(data.get("sheet", "")) != sheet:
        raise reader.err(f"sheet: must be '{sheet}' (the file's name), not {data.get('sheet')!r}", "sheet")
    raw = data.get("questions")
    if not isinstance(raw, list) or not raw:
        raise reader.err("questions: must be a non-empty list, one entry per question of the sheet in order",
                         "questions")
    problems = {e.id: e for e in entries if e.sheet == sheet}
    questions = [reader.question(q, ("questions", i), problems) for i, q in enumerate(raw)]
    seen: dict[str, int] = {}
    for i, q in enumerate(questions):
        if q.number in seen:
            raise reader.err(f"question {q.number} is listed twice (also entry {seen[q.number] + 1})",
                             "questions", i, "number")
        seen[q.number] = i
    named = {pid for q in questions for pid, _ in q.parts}
    missing = [pid for pid in problems if pid not in named]
    if missing:
        raise reader.err(f"problem '{missing[0]}' of sheet '{sheet}' is in no question; add it to the parts "
                         "of the question it answers", "questions")
    return Questions(sheet, file, tuple(questions), reader.text(data, "title", ()),
                     reader.text(data, "description", ()))


class _Reader:
    def __init__(self, file: str, lines):
        self.file, self.lines = file, lines

    def err(self, message: str, *path) -> SpecError:
        return SpecError(message, self.file, self.lines.of(*path))

    def keys(self, data, allowed, path, what: str) -> None:
        import difflib

        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                raise self.err(f"{what} has an unknown key '{key}'.{hint} Keys: {', '.join(allowed)}.", *path, key)

    def text(self, data, key, path) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.err(f"{key}: must be text, not {type(value).__name__}", *path, key)
        return " ".join(value.split())

    def question(self, data, path, problems) -> Question:
        if not isinstance(data, dict):
            raise self.err("each question is a mapping with 'number' and one of: parts, discussion, not_derived", *path)
        self.keys(data, QUESTION_KEYS, path, "a question")
        number = data.get("number")
        if number is None or isinstance(number, (bool, list, dict)) or str(number).strip() == "":
            raise self.err("a question needs its number on the sheet, e.g. number: 1.2.1", *path)
        number = str(number)
        kinds = [k for k in KINDS if data.get(k) not in (None, "", [])]
        if len(kinds) != 1:
            raise self.err(f"question {number} needs exactly one of: parts (derived), discussion (prose), "
                           f"not_derived (the reason){'; it has ' + ', '.join(kinds) if kinds else ''}", *path)
        parts = self.parts(data, path, number, problems) if kinds == ["parts"] else ()
        answer = self.text(data, "answer", path)
        if answer and not parts:
            raise self.err(f"question {number}: answer: follows derived parts; give the prose as discussion:",
                           *path, "answer")
        for ref in PLACEHOLDER.findall(answer):
            if _ref(ref) not in {(p, q) for p, q in parts if q} and not self.part_of(ref, parts, problems):
                raise self.err(f"question {number}: the answer cites {{{ref}}}, which is not one of its parts "
                               "(write {problem/part})", *path, "answer")
        return Question(number, self.text(data, "ask", path), parts, answer, self.text(data, "discussion", path),
                        self.text(data, "not_derived", path), self.lines.of(*path))

    def parts(self, data, path, number, problems) -> tuple:
        raw = data["parts"]
        if not isinstance(raw, list):
            raise self.err(f"question {number}: parts: must be a list of problem ids or problem/part", *path, "parts")
        out = []
        for j, ref in enumerate(raw):
            if not isinstance(ref, str):
                raise self.err(f"question {number}: a part is written problem or problem/part, not {ref!r}",
                               *path, "parts", j)
            pid, part = _ref(ref)
            if pid not in problems:
                import difflib

                close = difflib.get_close_matches(pid, list(problems), n=1)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                raise self.err(f"question {number}: no problem '{pid}' on this sheet.{hint}", *path, "parts", j)
            if part is not None and part not in problems[pid].parts:
                raise self.err(f"question {number}: problem '{pid}' has no part '{part}'. Its parts: "
                               f"{', '.join(problems[pid].parts)}", *path, "parts", j)
            out.append((pid, part))
        return tuple(out)

    @staticmethod
    def part_of(ref: str, parts, problems) -> bool:
        """``{problem/part}`` names a part of a whole problem the question lists."""
        pid, part = _ref(ref)
        return part is not None and (pid, None) in parts and part in problems[pid].parts


def _ref(text: str) -> tuple[str, str | None]:
    pid, _, part = text.strip().partition("/")
    return pid, (part or None)


__all__ = ["Question", "Questions", "load_questions", "manifest_path", "outline", "read_questions"]


def outline(questions: Questions, derivations, math, prose) -> list[dict]:
    """The sheet's document, question by question: for each, its number, words, kind and the
    derived parts grouped by problem (``intro`` on a problem's first appearance: its statement
    and symbols are shown there), and the answer sentence as text with math (``math(expr,
    derivation)`` and ``prose(text)`` format the two)."""
    by_id = {d.id: d for d in derivations}
    introduced: set[str] = set()
    out = []
    for q in questions.questions:
        groups: list[dict] = []
        for pid, part in q.parts:
            d = by_id.get(pid)
            if d is None:
                continue                     # not derived this time: the build reports it
            chosen = [p for p in d.parts if part is None or p.id == part]
            if groups and groups[-1]["d"] is d:
                groups[-1]["parts"] += chosen
            else:
                groups.append({"d": d, "parts": chosen, "intro": d.id not in introduced})
                introduced.add(d.id)
        out.append({"number": q.number, "ask": q.ask, "kind": q.kind, "groups": groups,
                    "discussion": q.discussion, "reason": q.not_derived,
                    "answer": _sentence(q.answer, by_id, math, prose) if q.answer else ""})
    return out


def _sentence(text: str, by_id: dict, math, prose) -> str:
    """The answer sentence with each ``{problem/part}`` replaced by that part's derived answer
    (a part that failed shows as 'not derived')."""
    out, last = [], 0
    for m in PLACEHOLDER.finditer(text):
        out.append(prose(text[last:m.start()]))
        pid, part = _ref(m.group(1))
        d = by_id.get(pid)
        result = next((p for p in d.parts if p.id == part), None) if d else None
        out.append(math(result.answer, d) if result is not None and not result.error else prose("(not derived)"))
        last = m.end()
    out.append(prose(text[last:]))
    return "".join(out)

"""The Python API for scripts and notebooks: ``derive.derive`` and ``derive.check``.

Where it sits: beside ``cli.py``, over the same library (``service.py``, ``check/batch.py``).
``derive(problem)`` derives once and returns a ``Derivation``: its ``data`` is exactly what
``derive PROBLEM --json`` prints, and in Jupyter it displays as rendered math
(``_repr_markdown_`` is the Markdown document, ``_repr_latex_`` an aligned MathJax block per
part). Every format is rendered from the one derivation it holds, never derived again.
``check(problem, path_or_text)`` checks one write-up exactly as ``derive check`` does (in a
worker with a time and memory limit) and returns a ``CheckReport`` that displays the same way.

This module imports nothing heavy: SymPy loads when a function is called, not on ``import derive``.
"""
from __future__ import annotations

import json
import os
import tempfile
from functools import cached_property
from pathlib import Path


class Derivation:
    """A problem's derivation: ``data`` (plain dicts and lists, the ``--json`` output), the
    engine's ``derivation`` (frozen dataclasses with SymPy expressions, what renderers read),
    and every rendered format."""

    def __init__(self, derivation, problem: str = "", detail: str = "grouped"):
        from .render.grouping import DETAILS

        if detail not in DETAILS:
            raise ValueError(f"detail must be one of {', '.join(DETAILS)}, not {detail!r}")
        self.derivation = derivation
        self.problem = problem or derivation.id
        self.detail = detail        # "grouped": routine moves shown as one step; "full": every atomic step

    @property
    def id(self) -> str:
        return self.derivation.id

    @property
    def title(self) -> str:
        return self.derivation.title

    @cached_property
    def data(self) -> dict:
        """The derivation as JSON data, equal to ``json.loads`` of ``derive PROBLEM --json``."""
        return json.loads(self.json())

    @property
    def parts(self) -> list[dict]:
        return self.data["parts"]

    @property
    def failed(self) -> list[str]:
        """Ids of the parts that could not be derived (each carries its ``error``)."""
        return [p.id for p in self.derivation.failed]

    def __getitem__(self, part_id: str) -> dict:
        for part in self.parts:
            if part["id"] == str(part_id):
                return part
        raise KeyError(f"no part '{part_id}' in {self.id}; parts: {', '.join(p['id'] for p in self.parts)}")

    def answer(self, part_id: str):
        """A part's answer as ``{"latex", "text", "srepr"}`` (None when it was not derived)."""
        return self[part_id]["answer"]

    def render(self, fmt: str, template_dir=None, detail: str | None = None) -> str:
        """``text``, ``latex`` (a standalone document), ``markdown`` or ``json``; ``detail``
        (default: this object's) is ``"grouped"`` or ``"full"``. JSON always holds every
        atomic step, with the default grouping beside them (``groups``)."""
        from .render.grouping import detail as detail_level
        from .service import render_derivation

        with detail_level(detail or self.detail):
            return render_derivation(self.derivation, fmt, template_dir)

    def text(self) -> str:
        return self._rendered("text")

    def latex(self) -> str:
        return self._rendered("latex")

    def markdown(self) -> str:
        return self._rendered("markdown")

    def json(self) -> str:
        return self._rendered("json")

    def _rendered(self, fmt: str) -> str:
        cache = self.__dict__.setdefault("_formats", {})
        if fmt not in cache:
            cache[fmt] = self.render(fmt)
        return cache[fmt]

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def _repr_latex_(self) -> str:
        from .render.notebook import derivation_latex

        return derivation_latex(self.derivation, self.detail)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        n = len(self.derivation.parts)
        failed = f", {len(self.failed)} not derived" if self.failed else ""
        return f"<derive.Derivation {self.id}: {n} part{'s' if n != 1 else ''}{failed}>"


class CheckReport:
    """One checked write-up: ``data`` is its object in ``derive check --json``; ``report`` is
    the checker's own ``FileReport``."""

    def __init__(self, report):
        self.report = report

    @cached_property
    def data(self) -> dict:
        from .check.report import to_data

        return json.loads(json.dumps(to_data(self.report), ensure_ascii=False))

    @property
    def fully_right(self) -> bool:
        return self.report.fully_right

    @property
    def first_wrong_step(self):
        """The first wrong step's data (``line``, ``latex``, ``reason``, ``counterexample``), or None."""
        index = self.data["first_wrong_step"]
        return next((s for s in self.data["steps"] if s["index"] == index), None)

    def text(self) -> str:
        from .check.report import render_text

        return render_text(self.report)

    def _repr_markdown_(self) -> str:
        from .render.notebook import report_markdown

        return report_markdown(self.data)

    def _repr_latex_(self) -> str:
        from .render.notebook import report_latex

        return report_latex(self.data)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        verdict = "fully right" if self.fully_right else "not fully right"
        return f"<derive.CheckReport {self.data['file']} ({self.data['problem']}): {verdict}>"


def derive(problem: str | os.PathLike, parts=None, timeout: float | None = None,
           detail: str = "grouped") -> Derivation:
    """Derive a problem: a bank id (``"ridge-fgm"``) or a path to a spec file. ``parts``
    limits it to some parts (and the parts they use); ``timeout`` is seconds per part;
    ``detail="full"`` displays every atomic step instead of grouping routine moves.
    A part that cannot be derived is kept with its ``error``; see ``Derivation.failed``."""
    from .service import derivation

    name = os.fspath(problem)
    if isinstance(parts, str):
        parts = [parts]
    return Derivation(derivation(name, list(parts) if parts else None, timeout), name, detail)


def _looks_like_path(value) -> bool:
    if isinstance(value, os.PathLike):
        return True
    return "\n" not in value and len(value) < 4096 and Path(value).is_file()


def check(problem: str | os.PathLike, path_or_text, parts=None, aliases: dict | None = None,
          timeout: float = 60.0, name: str = "submission.md") -> CheckReport:
    """Check one student write-up against a problem (an id or a spec path), as ``derive check``
    does. ``path_or_text`` is a file's path or the write-up's text itself (Markdown or LaTeX;
    ``name`` is how the report names text, and its suffix says which when the text does not)."""
    from .check.batch import check_files

    if isinstance(parts, str):
        parts = [parts]
    problem = os.fspath(problem)
    if _looks_like_path(path_or_text):
        reports = check_files(problem, [os.fspath(path_or_text)], list(parts or []), dict(aliases or {}), timeout)
        return CheckReport(reports[0])
    with tempfile.TemporaryDirectory(prefix="derive-check-") as tmp:
        target = Path(tmp) / Path(name).name
        target.write_text(str(path_or_text), encoding="utf-8")
        report = check_files(problem, [str(target)], list(parts or []), dict(aliases or {}), timeout)[0]
    report.file = name
    return CheckReport(report)


__all__ = ["CheckReport", "Derivation", "check", "derive"]

"""Derivations grouped by sheet -> ``out_dir/<problem>.tex`` and ``out_dir/<sheet>.tex`` (+ PDFs).

Where it sits: ``derive build`` (cli.py) calls ``build_all``; ``mk/solutions.mk`` calls that
command with ``--tex-only`` and then compiles each changed ``.tex`` with
``python -m derive.render.pdf``. A ``.tex`` is written only when its text changed, so its mtime
tells make whether the PDF is stale; a manifest (``.derive-build.json``) lets a later build
remove the files of problems and sheets that no longer exist.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

from ..errors import RenderError
from .latex import render_latex, render_sheet

MANIFEST = ".derive-build.json"


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)     # .tex files created or changed
    unchanged: list[Path] = field(default_factory=list)
    compiled: list[Path] = field(default_factory=list)    # PDFs (re)made
    removed: list[Path] = field(default_factory=list)     # outputs of vanished problems


def file_stem(ident: str) -> str:
    """A problem or sheet id as a file name: ``Homework 3`` -> ``homework-3``."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ident.strip()).strip("-.").lower()
    if not stem:
        raise RenderError(f"cannot make a file name from the id {ident!r}")
    return stem


def sheet_info(sheet_id: str, derivations: Sequence) -> dict:
    """Title, course and year of a sheet, read from its problems' ``source``."""
    source = next((d.source for d in derivations if d.source), {}) or {}
    info = {"id": sheet_id, "title": str(source.get("sheet") or sheet_id)}
    for key in ("course", "year"):
        if source.get(key):
            info[key] = source[key]
    return info


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` unless the file already holds exactly that; True if written."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    staged = path.with_name(f".{path.name}.tmp")
    staged.write_text(text, encoding="utf-8")
    staged.replace(path)
    return True


def _documents(derivations_by_sheet, template_dir, sheets) -> dict[str, str]:
    docs: dict[str, str] = {}

    def add(stem: str, what: str, render: Callable[[], str]) -> None:
        if stem in docs:
            raise RenderError(f"two documents would both be written to {stem}.tex ({what})")
        docs[stem] = render()

    for sheet_id, derivations in derivations_by_sheet.items():
        for d in derivations:
            add(file_stem(d.id), f"problem {d.id!r}",
                lambda d=d: render_latex(d, template_dir))
        if sheet_id and derivations:
            info = (sheets or {}).get(sheet_id) or sheet_info(sheet_id, derivations)
            add(file_stem(sheet_id), f"sheet {sheet_id!r}",
                lambda ds=derivations, info=info: render_sheet(ds, info, template_dir))
    return docs


def _prune(out: Path, stems: list[str], result: BuildResult) -> None:
    manifest = out / MANIFEST
    try:
        previous = json.loads(manifest.read_text(encoding="utf-8")).get("documents", [])
    except (OSError, ValueError, AttributeError):
        previous = []
    for stem in sorted(set(previous) - set(stems)):
        for suffix in (".tex", ".pdf", ".log"):
            stale = out / f"{stem}{suffix}"
            if stale.is_file():
                stale.unlink()
                result.removed.append(stale)
    write_if_changed(manifest, json.dumps({"documents": sorted(stems)}, indent=2) + "\n")


def build_all(derivations_by_sheet: Mapping[str, Sequence], out_dir, template_dir=None,
              pdf: bool = True, progress: Callable[[str], None] | None = None,
              sheets: Mapping[str, dict] | None = None) -> BuildResult:
    """Write one ``.tex`` per problem and per sheet (key ``""``: problems without a sheet).

    ``sheets`` may give a sheet's ``title``/``course``/``year``/``description``; otherwise they
    come from its problems' ``source``. With ``pdf=True`` each PDF older than its ``.tex`` is
    compiled (``RenderError`` if TeX is missing, after the ``.tex`` files are written).
    """
    say = progress or (lambda message: None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    docs = _documents(derivations_by_sheet, template_dir, sheets)
    result = BuildResult()
    for stem, tex in docs.items():
        path = out / f"{stem}.tex"
        if write_if_changed(path, tex):
            result.written.append(path)
            say(f"wrote {path}")
        else:
            result.unchanged.append(path)
    _prune(out, list(docs), result)
    for path in result.removed:
        say(f"removed {path}")
    if not pdf:
        return result
    from .pdf import compile_pdf, tex_available

    problem = tex_available()
    if problem:
        raise RenderError(problem)
    for stem, tex in docs.items():
        tex_path, pdf_path = out / f"{stem}.tex", out / f"{stem}.pdf"
        if pdf_path.exists() and pdf_path.stat().st_mtime >= tex_path.stat().st_mtime:
            continue
        compile_pdf(tex, pdf_path, source_name=str(tex_path))
        result.compiled.append(pdf_path)
        say(f"compiled {pdf_path}")
    return result


__all__ = ["BuildResult", "build_all", "file_stem", "sheet_info", "write_if_changed"]

"""Derivations grouped by sheet -> ``out_dir/<problem>.tex`` and ``out_dir/<sheet>.tex`` (+ PDFs).

Where it sits: ``derive build`` (cli.py) calls ``build_all``; ``mk/solutions.mk`` calls that
command with ``--tex-only`` and then compiles each changed ``.tex`` with
``python -m derive.render.pdf``. A ``.tex`` is written only when its text changed, so its mtime
tells make whether the PDF is stale; a manifest (``.derive-build.json``) lets a later build
remove the files of problems and sheets that no longer exist. Nothing outside ``out_dir`` is
ever touched: the manifest's names are checked, only regular files are removed, and every file
is staged under a fresh name and moved into place (``safefile``). A failed document does not
stop the build: ``BuildResult.failed`` lists every failure, and the caller reports them.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

from ..errors import RenderError
from .latex import render_latex, render_sheet
from .safefile import is_regular_file, read_regular, replace_file

MANIFEST = ".derive-build.json"


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)     # .tex files created or changed
    unchanged: list[Path] = field(default_factory=list)
    compiled: list[Path] = field(default_factory=list)    # PDFs (re)made
    removed: list[Path] = field(default_factory=list)     # outputs of vanished problems
    failed: list[tuple[str, str]] = field(default_factory=list)  # (document, reason), in order


def file_stem(ident: str) -> str:
    """A problem or sheet id as a file name: ``Homework 3`` -> ``homework-3``."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ident.strip()).strip("-.").lower()
    if not stem:
        raise RenderError(f"cannot make a file name from the id {ident!r}")
    return stem


def sheet_info(sheet_id: str, derivations: Sequence) -> dict:
    """Title, course and year of a sheet, read from its problems' ``source``."""
    sources = [d.source or {} for d in derivations]
    source = next((s for s in sources if s), {})
    shared = {key: source.get(key) for key in ("sheet", "course", "year")
              if source.get(key) and all(s.get(key) == source.get(key) for s in sources)}
    if "sheet" not in shared and len(sources) > 1:     # a collection drawn from several sheets
        title = sheet_id.replace("-", " ").replace("_", " ")
        return {"id": sheet_id, "title": title[:1].upper() + title[1:],
                **{k: v for k, v in shared.items() if k != "sheet"}}
    info = {"id": sheet_id, "title": str(source.get("sheet") or sheet_id)}
    for key in ("course", "year"):
        if source.get(key):
            info[key] = source[key]
    return info


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` unless the file already holds exactly that; True if written.

    The file is staged under a fresh name and moved into place, so a symlink at ``path`` or at
    a temporary name is replaced, never written through.
    """
    data = text.encode("utf-8")
    if read_regular(path) == data:
        return False
    replace_file(path, data)
    return True


def _documents(derivations_by_sheet, template_dir, sheets, spec_files, labels: dict[str, str],
               failed: list[tuple[str, str]], questions=None) -> dict[str, str]:
    """stem -> LaTeX text, and stem -> what it is (``labels``: ``problem 'x' (problems/x.yaml)``).
    A document whose template fails is left out and listed in ``failed``."""
    docs: dict[str, str] = {}

    def add(stem: str, what: str, render: Callable[[], str]) -> None:
        if stem in labels:
            raise RenderError(f"two documents would both be written to {stem}.tex ({what})")
        labels[stem] = what
        try:
            docs[stem] = render()
        except RenderError as err:
            failed.append((what, str(err)))

    for sheet_id, derivations in derivations_by_sheet.items():
        for d in derivations:
            spec = (spec_files or {}).get(d.id)
            add(file_stem(d.id), f"problem {d.id!r}" + (f" ({spec})" if spec else ""),
                lambda d=d: render_latex(d, template_dir))
        if sheet_id and derivations:
            info = (sheets or {}).get(sheet_id) or sheet_info(sheet_id, derivations)
            listed = (questions or {}).get(sheet_id)
            if listed is not None and listed.title:
                info = {**info, "title": listed.title}
            if listed is not None and listed.description:
                info = {**info, "description": listed.description}
            add(file_stem(sheet_id), f"sheet {sheet_id!r}",
                lambda ds=derivations, info=info, listed=listed: render_sheet(ds, info, template_dir, questions=listed))
    return docs


_STEM = re.compile(r"[a-z0-9][a-z0-9._-]*")
OUTPUT_SUFFIXES = (".tex", ".pdf", ".log")


def _previous_stems(out: Path) -> list[str]:
    """The documents the manifest lists, keeping only names ``file_stem`` could have made: no
    ``/``, no ``..``, no absolute path (a hand-edited manifest cannot reach outside ``out``)."""
    try:
        listed = json.loads((read_regular(out / MANIFEST) or b"").decode("utf-8")).get("documents")
    except (ValueError, AttributeError):
        return []
    if not isinstance(listed, list):
        return []
    return [s for s in listed if isinstance(s, str) and _STEM.fullmatch(s) and ".." not in s]


def _prune(out: Path, stems: list[str], result: BuildResult) -> None:
    """Remove the outputs of documents listed by the last build but gone now: only regular
    files (never a symlink) named ``<stem>.tex|.pdf|.log`` directly inside ``out``."""
    for stem in sorted(set(_previous_stems(out)) - set(stems)):
        for suffix in OUTPUT_SUFFIXES:
            stale = out / f"{stem}{suffix}"
            if stale.parent == out and is_regular_file(stale):
                stale.unlink()
                result.removed.append(stale)
    write_if_changed(out / MANIFEST, json.dumps({"documents": sorted(stems)}, indent=2) + "\n")


def _compile_stale(out: Path, docs: dict[str, str], labels: dict[str, str],
                   result: BuildResult, say: Callable[[str], None]) -> None:
    """Compile each PDF older than its ``.tex``; a failure is recorded and the rest go on."""
    from .pdf import compile_pdf, tex_available

    problem = tex_available()
    if problem:
        raise RenderError(problem)
    for stem, tex in docs.items():
        tex_path, pdf_path = out / f"{stem}.tex", out / f"{stem}.pdf"
        if pdf_path.exists() and pdf_path.stat().st_mtime >= tex_path.stat().st_mtime:
            continue
        try:
            compile_pdf(tex, pdf_path, source_name=str(tex_path))
        except RenderError as err:
            result.failed.append((labels[stem], str(err)))
            say(f"failed {pdf_path}")
            continue
        result.compiled.append(pdf_path)
        say(f"compiled {pdf_path}")


def build_all(derivations_by_sheet: Mapping[str, Sequence], out_dir, template_dir=None,
              pdf: bool = True, progress: Callable[[str], None] | None = None,
              sheets: Mapping[str, dict] | None = None,
              spec_files: Mapping[str, str] | None = None,
              keep: Sequence[str] = (), questions: Mapping | None = None) -> BuildResult:
    """Write one ``.tex`` per problem and per sheet (key ``""``: problems without a sheet).

    ``sheets`` may give a sheet's ``title``/``course``/``year``/``description``; otherwise they
    come from its problems' ``source``. ``spec_files`` (problem id -> spec file) lets failures
    name the spec. With ``pdf=True`` each PDF older than its ``.tex`` is compiled
    (``RenderError`` if TeX is missing, after the ``.tex`` files are written). A document that
    fails (template or LaTeX error) does not stop the others: it is listed in
    ``result.failed``, as are none of its files pruned; nor are those of the ids in ``keep``
    (problems the caller could not derive this time). ``questions`` (sheet id -> its manifest,
    ``questions.Questions``) lays a sheet out question by question.
    """
    say = progress or (lambda message: None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result, labels = BuildResult(), {}
    docs = _documents(derivations_by_sheet, template_dir, sheets, spec_files, labels, result.failed, questions)
    for stem, tex in docs.items():
        path = out / f"{stem}.tex"
        if write_if_changed(path, tex):
            result.written.append(path)
            say(f"wrote {path}")
        else:
            result.unchanged.append(path)
    _prune(out, list(labels) + [file_stem(k) for k in keep], result)
    for path in result.removed:
        say(f"removed {path}")
    if pdf:
        _compile_stale(out, docs, labels, result, say)
    return result


__all__ = ["BuildResult", "build_all", "file_stem", "sheet_info", "write_if_changed"]

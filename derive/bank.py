"""The problem bank: finding spec files by id without importing SymPy (``derive list`` stays
instant), and loading them with ``spec.load_spec`` when a derivation is wanted."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from .errors import DeriveError, SpecError
from .resources import problems_dir


class UnknownProblem(DeriveError):
    exit_code = 2


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    source: str
    parts: tuple[str, ...]
    sheet: str
    path: Path


SHEETS = "sheets"      # problems/sheets/<sheet>.yaml: a sheet's questions (render/questions.py), not specs


def spec_files(directory: Path | None = None) -> list[Path]:
    root = directory or problems_dir()
    files = (p for p in root.rglob("*.yaml") if p.is_file() and p.relative_to(root).parts[0] != SHEETS)
    return sorted(files, key=lambda p: (len(p.relative_to(root).parts), str(p)))   # the sheets', then examples


def scan(directory: Path | None = None) -> tuple[list[Entry], list[SpecError]]:
    """Id, title and source of each spec, read as plain YAML (no SymPy); a file that cannot be
    read as a spec is returned as an error instead, and the others are still listed."""
    from .yamlsrc import load

    out, bad = [], []
    for path in spec_files(directory):
        try:
            data, lines = load(path.read_text(encoding="utf-8"), str(path))
            out.append(_entry(data, lines, path))
        except SpecError as err:
            bad.append(err)
        except (OSError, UnicodeDecodeError) as err:
            bad.append(SpecError(f"cannot read the spec: {err}", str(path)))
    return out, bad


def entries(directory: Path | None = None) -> list[Entry]:
    """The readable specs of the bank (``scan`` also returns the unreadable ones)."""
    return scan(directory)[0]


def _entry(data, lines, path: Path) -> Entry:
    if not isinstance(data, dict):
        raise SpecError("a spec must be a mapping with id, title, source and parts", str(path), 1)
    src = data.get("source") or {}
    if not isinstance(src, dict):
        raise SpecError("source must be a mapping with at least 'course' (and sheet, year, questions)",
                        str(path), lines.of("source"))
    source = " ".join(str(src.get(k, "")) for k in ("course", "year", "sheet") if src.get(k))
    questions = src.get("questions")
    if questions:
        source += " Q" + ", ".join(str(q) for q in (questions if isinstance(questions, list) else [questions]))
    parts_data = data.get("parts") if isinstance(data.get("parts"), list) else []
    parts = tuple(str(p.get("id")) for p in parts_data if isinstance(p, dict))
    ident = data.get("id", path.stem)
    if not isinstance(ident, (str, int)) or isinstance(ident, bool):
        raise SpecError("id must be text", str(path), lines.of("id"))
    return Entry(str(ident), _plain(data.get("title")), source, parts, _plain(data.get("sheet")), path)


def _plain(value) -> str:
    return value if isinstance(value, str) else ""


def find(name: str, directory: Path | None = None) -> Path:
    """The spec file for a problem id (or a path to a spec file)."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return candidate
    known, bad = scan(directory)
    for e in known:
        if e.id == name:
            return e.path
    for err in bad:
        if err.file and Path(err.file).stem == name:
            raise err
    ids = [e.id for e in known]
    close = difflib.get_close_matches(name, ids, n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise UnknownProblem(f"no problem named '{name}'.{hint} (derive list shows all)")

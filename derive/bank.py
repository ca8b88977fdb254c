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


def spec_files(directory: Path | None = None) -> list[Path]:
    root = directory or problems_dir()
    return sorted(p for p in root.rglob("*.yaml") if p.is_file())


def entries(directory: Path | None = None) -> list[Entry]:
    """Id, title and source of each spec, read as plain YAML (no SymPy)."""
    import yaml

    out = []
    for path in spec_files(directory):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as err:
            raise SpecError(f"cannot read the spec: {err}", str(path)) from None
        src = data.get("source") or {}
        source = " ".join(str(src.get(k, "")) for k in ("course", "year", "sheet") if src.get(k))
        if src.get("questions"):
            source += " Q" + ", ".join(str(q) for q in src["questions"])
        parts = tuple(str(p.get("id")) for p in data.get("parts") or [] if isinstance(p, dict))
        out.append(Entry(str(data.get("id", path.stem)), str(data.get("title", "")), source, parts,
                         str(data.get("sheet", "")), path))
    return out


def find(name: str, directory: Path | None = None) -> Path:
    """The spec file for a problem id (or a path to a spec file)."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return candidate
    known = entries(directory)
    for e in known:
        if e.id == name:
            return e.path
    ids = [e.id for e in known]
    close = difflib.get_close_matches(name, ids, n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise UnknownProblem(f"no problem named '{name}'.{hint} (derive list shows all)")

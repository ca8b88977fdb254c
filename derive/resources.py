"""Where the built-in problems and templates live: inside the installed package (a wheel maps
``problems/`` and ``templates/`` into ``derive/``) or, in a source checkout, at the repo root."""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    inside = PACKAGE / name
    if inside.is_dir():
        return inside
    return PACKAGE.parent / name


def problems_dir() -> Path:
    return _find("problems")


def templates_dir() -> Path:
    return _find("templates")

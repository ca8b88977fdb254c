"""A cache of rendered outputs, keyed by everything that determines them: the spec text, the
source of derive itself, the templates in use and the options. Outputs are deterministic, so a
hit is exactly what a fresh derivation would print; a cold call then costs no SymPy import.

Location: ``$DERIVE_CACHE_DIR``, else ``$XDG_CACHE_HOME/derive``, else ``~/.cache/derive``.
``DERIVE_NO_CACHE=1`` or ``--no-cache`` turns it off.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def enabled() -> bool:
    return os.environ.get("DERIVE_NO_CACHE", "") in ("", "0")


def directory() -> Path:
    if os.environ.get("DERIVE_CACHE_DIR"):
        return Path(os.environ["DERIVE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "derive"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of derive's own source and data files (any edit invalidates the cache)."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".yaml", ".json", ".j2") and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(PACKAGE)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def tree_fingerprint(root: Path | None) -> str:
    if root is None or not Path(root).is_dir():
        return "-"
    h = hashlib.sha256()
    for path in sorted(Path(root).rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def key(*parts: str) -> str:
    h = hashlib.sha256(code_fingerprint().encode())
    for p in parts:
        h.update(b"\0" + p.encode())
    return h.hexdigest()


def get(k: str) -> str | None:
    if not enabled():
        return None
    path = directory() / k[:2] / k
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def put(k: str, text: str) -> None:
    if not enabled():
        return
    folder = directory() / k[:2]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, folder / k)
    except OSError:
        pass  # a read-only or full cache only costs speed

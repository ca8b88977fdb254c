"""A cache of rendered outputs, keyed by everything that determines them: the spec text, the
source of derive itself and its built-in templates, the templates in use and the options.
Outputs are deterministic, so a hit is exactly what a fresh derivation would print; a cold call
then costs no SymPy import.

Location: ``$DERIVE_CACHE_DIR``, else ``$XDG_CACHE_HOME/derive``, else ``~/.cache/derive``.
``DERIVE_NO_CACHE=1`` or ``--no-cache`` turns it off.

Nothing in the folder is trusted. An entry is ``MAGIC``, then the SHA-256 of its key and its
content, then the content; one that is truncated, altered, not UTF-8, stored under another
key, a symlink (entries are opened with ``O_NOFOLLOW``), not a regular file or owned by another
user is a miss, and the fresh output replaces it. A cache folder (or subfolder) owned by another
user, writable by group or others, or a symlink inside the cache, is not used at all: one
warning on stderr per process, and derive runs uncached.
"""
from __future__ import annotations

import hashlib
import os
import stat
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
MAGIC = b"derive-cache 1 "
MAX_ENTRY = 64 * 2**20      # bytes; a larger file is not a cache entry
_refused: set[str] = set()  # folders already warned about in this process


def enabled() -> bool:
    return os.environ.get("DERIVE_NO_CACHE", "") in ("", "0")


def directory() -> Path:
    if os.environ.get("DERIVE_CACHE_DIR"):
        return Path(os.environ["DERIVE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "derive"


# ---------------------------------------------------------------- keys


def _hash_tree(h, root: Path, label: str, suffixes: tuple[str, ...] | None = None) -> None:
    for path in sorted(root.rglob("*")):
        if (suffixes is None or path.suffix in suffixes) and "__pycache__" not in path.parts \
                and path.is_file():
            h.update(f"{label}/{path.relative_to(root)}".encode() + b"\0")
            h.update(path.read_bytes())


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of derive's own source and data files and of the built-in templates (in a source
    checkout they live outside the package, in ``<repo>/templates``): any edit invalidates."""
    from .render import templates_dir

    h = hashlib.sha256()
    _hash_tree(h, PACKAGE, "derive", (".py", ".yaml", ".json", ".j2"))
    templates = templates_dir()
    if templates.is_dir() and PACKAGE not in templates.resolve().parents:
        _hash_tree(h, templates, "templates")
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


# ---------------------------------------------------------------- the folder


def _warn_once(folder: Path, why: str) -> None:
    if str(folder) not in _refused:
        _refused.add(str(folder))
        print(f"derive: warning: not using the cache folder {folder}: {why}; running uncached "
              f"(make it yours with mode 700, or set DERIVE_CACHE_DIR to a folder of your own)",
              file=sys.stderr)


def _unsafe(info: os.stat_result, what: str) -> str | None:
    """Why a folder may not hold cache entries, or None."""
    if not stat.S_ISDIR(info.st_mode):
        return f"{what} is not a folder"
    if info.st_uid != os.geteuid():
        return f"{what} is owned by another user (uid {info.st_uid})"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"{what} is writable by other users (mode {stat.S_IMODE(info.st_mode):04o})"
    return None


def _folder(k: str, create: bool) -> Path | None:
    """The subfolder for key ``k`` if the cache folder and it are safe to use (made if
    ``create``); None otherwise, after a one-time warning when something is unsafe."""
    root = directory()
    sub = root / k[:2]
    try:
        if create:
            root.mkdir(mode=0o700, parents=True, exist_ok=True)
        why = _unsafe(root.stat(), "it")                       # the root may be a symlink
        if why is None:
            if create:
                try:
                    sub.mkdir(mode=0o700)
                except FileExistsError:
                    pass
            why = _unsafe(os.lstat(sub), f"its subfolder {k[:2]}")  # never a symlink
    except OSError:
        return None              # missing (on a read) or unwritable: a miss, not a warning
    if why:
        _warn_once(root, why)
        return None
    return sub


# ---------------------------------------------------------------- entries


def _checksum(k: str, content: bytes) -> bytes:
    return hashlib.sha256(k.encode() + b"\0" + content).hexdigest().encode()


def _read_entry(path: Path) -> bytes | None:
    """The bytes at ``path`` if it is a regular file of ours (not a symlink); else None."""
    from .render.safefile import read_regular

    return read_regular(path, MAX_ENTRY, owner=os.geteuid())


def _decode(k: str, raw: bytes) -> str | None:
    header, sep, content = raw.partition(b"\n")
    if not sep or header != MAGIC + _checksum(k, content):
        return None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return None


def get(k: str) -> str | None:
    """The cached text for key ``k``, or None (a miss) if anything about it fails to verify."""
    if not enabled():
        return None
    folder = _folder(k, create=False)
    raw = _read_entry(folder / k) if folder else None
    return _decode(k, raw) if raw is not None else None


def put(k: str, text: str) -> None:
    """Store ``text`` under ``k``, replacing whatever is at the entry's path (even a symlink)."""
    if not enabled():
        return
    folder = _folder(k, create=True)
    if folder is None:
        return
    content = text.encode("utf-8")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".entry-")    # O_EXCL, mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + _checksum(k, content) + b"\n" + content)
            os.replace(tmp, folder / k)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only or full cache only costs speed

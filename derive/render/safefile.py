"""Writing and reading output files without trusting what already sits in the output folder.

Used by ``build.py`` (``.tex`` files, the manifest) and ``pdf.py`` (PDFs, kept logs). A file is
staged with ``mkstemp`` (``O_EXCL``: a symlink planted at a temporary name is never followed)
in the target's own folder, then moved over the target with ``os.replace``, which replaces a
symlink at the target instead of writing through it. Reads use ``O_NOFOLLOW`` and accept only
regular files. Standard library only, so ``python -m derive.render.pdf`` stays fast.
"""
from __future__ import annotations

import os
import stat
import tempfile
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def _file_mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def replace_file(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; a symlink at ``path`` is replaced, not followed."""
    path = Path(path)
    fd, staged = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            os.fchmod(fh.fileno(), _file_mode())
        os.replace(staged, path)
    except BaseException:
        _unlink_quietly(staged)
        raise
    return path


def copy_into_place(source, path) -> Path:
    """Copy the file ``source`` to ``path`` the way ``replace_file`` writes."""
    with open(source, "rb") as fh:
        return replace_file(path, fh.read())


def read_regular(path, limit: int | None = None, owner: int | None = None) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (not a symlink); else None.

    With ``limit``, a larger file also gives None; with ``owner``, a file of another user too.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode) or (limit is not None and info.st_size > limit) \
                or (owner is not None and info.st_uid != owner):
            return None
        return fh.read()


def is_regular_file(path) -> bool:
    """True for a regular file that is not a symlink."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _unlink_quietly(path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


__all__ = ["copy_into_place", "is_regular_file", "read_regular", "replace_file"]

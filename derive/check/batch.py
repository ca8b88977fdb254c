"""Checking many student files or answer pairs in one process: the batch entry points behind
``derive check`` and ``derive equiv`` (the CLI calls these; the per-file work is in ``run.py``)."""
from __future__ import annotations

from ..service import load


def prepare_problem(problem: str):
    """The spec, derived once, with each part's definitions and answers (for the checker)."""
    from .run import Problem
    from ..engine import derive

    spec = load(problem)
    return Problem.prepare(spec, derive(spec))


def read_student_file(name: str) -> tuple[str, str]:
    """(text, "") or ("", why the file cannot be checked): not a file, unreadable, too large, or
    not UTF-8. Reads at most the size limit, so a huge file costs nothing."""
    import os

    from ..expr.limits import MAX_FILE_BYTES

    try:
        with open(name, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_FILE_BYTES:
                return "", f"the file is {_megabytes(size)}; the limit is {_megabytes(MAX_FILE_BYTES)}"
            raw = fh.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        return "", "cannot read the file: it is a directory"
    except OSError as err:
        return "", f"cannot read the file: {err.strerror or err}"
    if len(raw) > MAX_FILE_BYTES:           # a pipe or a file still growing
        return "", f"the file is larger than {_megabytes(MAX_FILE_BYTES)}, the limit"
    try:
        return raw.decode("utf-8"), ""
    except UnicodeDecodeError as err:
        return "", f"cannot read the file: not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start:,})"


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size % 100_000 else f"{size / 1e6:g} MB"


def _check_one(text, name, problem, parts, aliases):
    from .run import check_text

    return check_text(text, name, problem, parts, aliases)


def check_files(problem: str, files: list[str], parts=None, aliases=None, timeout: float = 60.0,
                jobs: int | None = None, progress=None) -> list:
    """Check student files, each in a worker with a time and memory limit; a bad file is
    reported and the rest go on."""
    from .run import FileReport
    from .sandbox import default_jobs, run_all

    prepared = prepare_problem(problem)
    for pid in parts or []:
        prepared.spec.part(pid)
    reports: list = [None] * len(files)
    items, index = [], []
    for i, name in enumerate(files):
        text, problem = read_student_file(name)
        if problem:
            reports[i] = FileReport(name, prepared.spec.id, error=problem)
            if progress:
                progress()
            continue
        items.append((text, name, prepared, list(parts or []) or None, dict(aliases or {})))
        index.append(i)

    def done(k, outcome):
        if progress:
            progress()

    outcomes = run_all(_check_one, items, timeout=timeout, jobs=jobs or default_jobs(), on_done=done)
    for k, outcome in zip(index, outcomes):
        if outcome.ok:
            reports[k] = outcome.value
        else:
            reports[k] = FileReport(files[k], prepared.spec.id, error=outcome.error)
    return reports


def equiv_pairs(pairs: list, table, definitions=None, timeout: float = 60.0, base_dir=None) -> list[dict]:
    """``derive equiv``'s verdicts: every pair in one limited worker, ``timeout`` s per pair. A
    pair (a, b, problem, context) whose context names a problem, part or symbols file is compared
    under that context, prepared once per distinct context (so one process serves a whole answer
    key); the others under ``table``. A context that cannot be prepared is that pair's verdict."""
    from pathlib import Path

    from ..errors import DeriveError
    from .equiv import compare_all

    prepared: dict = {}
    problems: dict = {}          # problem id -> prepared once for this batch, whatever parts it serves
    resolved = []
    for pair in pairs:
        a, b, problem, context = (tuple(pair) + ("", None))[:4]
        if problem or not context:
            if not problem and table is None:
                problem = "no context for this pair: give problem: (and part:) or symbols:, or a PROBLEM argument"
            resolved.append((a, b, problem))
            continue
        symbols = context.get("symbols")
        if symbols and base_dir is not None:
            symbols = str(Path(base_dir) / symbols)
        key = (context.get("problem"), context.get("part"), symbols)
        if key not in prepared:
            try:
                if not key[0] and not key[2]:
                    raise DeriveError("part: needs problem: beside it")
                prepared[key] = equiv_context(key[0], None, key[1], problems) if not key[2] else equiv_context(None, key[2], None)
            except DeriveError as err:
                prepared[key] = str(err).splitlines()[0][:300]
        own = prepared[key]
        resolved.append((a, b, own, None) if isinstance(own, str) else (a, b, "", own))
    return compare_all(resolved, table, definitions, timeout)


def equiv_context(problem: str | None, symbols_file: str | None, part: str | None, problems: dict | None = None):
    """The symbol table (and definitions) ``derive equiv`` compares under. A problem's own table
    needs only its spec; a part's needs the problem derived (once per ``problems`` batch cache)."""
    if symbols_file is None and problem is None:
        return None, {}
    if symbols_file:
        from ..spec import load_symbols

        return load_symbols(symbols_file), {}
    if part is None:
        return load(problem).table, {}
    cache = {} if problems is None else problems
    if problem not in cache:
        cache[problem] = prepare_problem(problem)
    prepared = cache[problem]
    chosen = prepared.spec.part(part)
    return chosen.table, prepared.definitions[chosen.id]

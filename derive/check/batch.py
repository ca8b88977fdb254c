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
        try:
            with open(name, "rb") as fh:
                raw = fh.read(8 * 1024 * 1024 + 1)
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as err:
            reports[i] = FileReport(name, prepared.spec.id, error=f"cannot read the file: {err}")
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


def equiv_context(problem: str | None, symbols_file: str | None, part: str | None):
    """The symbol table (and definitions) ``derive equiv`` compares under."""
    if symbols_file:
        from ..spec import load_symbols

        return load_symbols(symbols_file), {}
    prepared = prepare_problem(problem)
    spec = prepared.spec
    if part is None:
        return spec.table, {}
    chosen = spec.part(part)
    return chosen.table, prepared.definitions[chosen.id]

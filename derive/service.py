"""Library entry points behind the CLI: load a problem, derive it, render it (with the output
cache), build documents for many problems in one process, verify specs' expected answers."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from . import cache
from .bank import entries
from .bank import find as _find_by_scan
from .errors import DeriveError, RenderError


def find(problem: str) -> Path:
    """``bank.find``, without parsing every spec of the bank for one id: only the files whose
    text mentions the id (or are named after it) are parsed, in the bank's order, and the first
    whose id matches wins, as in a full scan. Anything else (a path, an unknown id, an
    unreadable file among the candidates) goes to ``bank.find`` for its answer or its message."""
    from .bank import _entry, spec_files
    from .yamlsrc import load as load_yaml

    if Path(problem).suffix not in (".yaml", ".yml"):
        try:
            for path in spec_files():
                text = path.read_text(encoding="utf-8")
                if problem in text or path.stem == problem:
                    if _entry(*load_yaml(text, str(path)), path).id == problem:
                        return path
        except (DeriveError, OSError, UnicodeDecodeError):
            pass
    return _find_by_scan(problem)


def load(problem: str):
    from .spec import load_spec

    return load_spec(find(problem))


def derivation(problem: str, parts=None, timeout: float | None = None):
    """The derivation of a problem; each part has ``timeout`` seconds (None: the default budget)."""
    from .budget import DEFAULT_SECONDS
    from .engine import derive

    return derive(load(problem), parts or None, timeout=DEFAULT_SECONDS if timeout is None else timeout)


def render_derivation(d, fmt: str, template_dir=None) -> str:
    if fmt == "text":
        from .render.text import render_text

        return render_text(d)
    if fmt == "json":
        from .render.json_out import render_json

        return render_json(d)
    if fmt == "latex":
        from .render.latex import render_latex

        return render_latex(d, template_dir)
    if fmt == "markdown":
        from .render.markdown import render_markdown

        return render_markdown(d, template_dir)
    raise RenderError(f"unknown output format '{fmt}'")


@dataclass(frozen=True)
class Rendered:
    text: str
    failed: tuple[str, ...] = ()       # ids of the parts that could not be derived


def render(problem: str, fmt: str, parts=None, template_dir=None, use_cache: bool = True) -> str:
    """The problem's derivation rendered as ``fmt`` (failed parts shown in place)."""
    return render_checked(problem, fmt, parts, template_dir, use_cache).text


def render_checked(problem: str, fmt: str, parts=None, template_dir=None, use_cache: bool = True,
                   timeout: float | None = None) -> Rendered:
    """``render``, also saying which parts failed. Served from the cache when nothing that
    determines it has changed; only complete derivations are cached."""
    k = None
    if use_cache and cache.enabled():
        path = find(problem)        # once: the key and, on a miss, the derivation read this file
        k = _render_key(problem, fmt, parts, template_dir, path)
        hit = cache.get(k)
        if hit is not None:
            return Rendered(hit)
        problem = str(path)         # found again, a spec's path is only checked to be a file (10 ms less)
    settle_imports()
    d = derivation(problem, parts, timeout)
    text = render_derivation(d, fmt, template_dir)
    failed = tuple(p.id for p in d.failed)
    if k is not None and not failed:
        cache.put(k, text)
    settle_derived()
    return Rendered(text, failed)


_SETTLED = False


def settle_imports() -> None:
    """Import what a derivation needs (SymPy with the engine), then move every object alive into
    the collector's permanent generation (``gc.freeze``), once per process.

    SymPy's import leaves hundreds of thousands of objects that live until the process ends.
    Frozen, the cyclic garbage collector no longer walks them in every full collection while
    deriving, nor in the final collection at exit: the interpreter's shutdown after a cold
    ``derive PROBLEM`` took 150–250 ms, about 40 ms frozen. Nothing else changes: reference
    counting still frees what it frees, and objects made later are collected as before (the
    frozen ones are only those alive now, which would live to the end of a command anyway).

    The collector is off while these modules are imported (the pattern Python's documentation
    gives for ``gc.freeze``: disable early, freeze, enable). An import makes modules, classes and
    functions that live on, so the collections it set off found next to nothing: 114 young, 11
    middle and one full collection, 30–45 ms of a cold ``derive PROBLEM``. The few cycles an
    import leaves as garbage stay frozen with the rest, as any alive at the freeze did before."""
    global _SETTLED
    if _SETTLED:
        return
    _SETTLED = True
    import gc

    collecting = gc.isenabled()
    gc.disable()        # (sixth pass) see below
    try:
        import sympy  # noqa: F401 - imported here rather than inside the derivation: the same cost

        from . import engine, spec  # noqa: F401
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


_SETTLED_DERIVED = False


def settle_derived() -> None:
    """After the first derivation and rendering of a process, freeze again (``gc.freeze``): what
    they made (SymPy's caches, the remembered values, the loaded templates) is alive until a
    command ends, and the interpreter's final collection walked it at exit, 25–35 ms of a cold
    ``derive PROBLEM`` (about 15 ms frozen). Once per process, so a long-running one freezes at
    most one derivation's uncollected cycles; reference counting frees objects as before."""
    global _SETTLED_DERIVED
    if _SETTLED_DERIVED:
        return
    _SETTLED_DERIVED = True
    import gc

    gc.freeze()


def _render_key(problem: str, fmt: str, parts=None, template_dir=None, path: Path | None = None) -> str:
    path = find(problem) if path is None else path
    templates = cache.tree_fingerprint(Path(template_dir) if template_dir else None) if fmt in ("latex", "markdown") else ""
    return cache.key("render", fmt, path.read_text(encoding="utf-8"), ",".join(parts or []), templates)


def warm_cache(problem: str, d, template_dir=None) -> None:
    """Store every output format of a derivation just made, so later calls need no SymPy."""
    if not cache.enabled() or d.failed:
        return
    for fmt in ("text", "latex", "markdown", "json"):
        cache.put(_render_key(problem, fmt, None, template_dir), render_derivation(d, fmt, template_dir))


def write_pdf(problem: str, target: Path, parts=None, template_dir=None) -> "Rendered":
    from .render.pdf import compile_pdf, tex_available

    message = tex_available()
    if message:
        raise RenderError(message)
    rendered = render_checked(problem, "latex", parts, template_dir)
    compile_pdf(rendered.text, target, source_name=f"{problem}.tex")
    return rendered


def build(out_dir, sheets=None, pdf: bool = True, template_dir=None, progress=None) -> str:
    """Derive every problem (of the given sheets) in this process and write the documents."""
    import click

    from .render.build import build_all

    bank = entries()
    chosen = [e for e in bank if not sheets or e.sheet in sheets]
    others = [e for e in bank if e not in chosen]      # a --sheet build leaves the other documents alone
    if not chosen:
        raise DeriveError(f"no problems for sheet(s) {', '.join(sheets)}" if sheets else "the problem bank is empty")
    by_sheet: dict[str, list] = {}
    failed: list[tuple[str, str]] = []      # a failure is reported at the end, never stops the rest
    not_derived: list[str] = []
    with click.progressbar(chosen, label="deriving", file=sys.stderr, show_pos=True,
                           item_show_func=lambda e: e.id if e else "") as bar:
        for e in bar:
            try:
                d = derivation(e.id)
                warm_cache(e.id, d, template_dir)
            except DeriveError as err:
                failed.append((f"problem {e.id!r} ({e.path})", str(err)))
                not_derived.append(e.id)        # its old outputs stay; nothing is pruned
                continue
            by_sheet.setdefault(e.sheet, []).append(d)
    questions = sheet_questions(by_sheet, failed)
    keep = not_derived + [e.id for e in others] + sorted({e.sheet for e in others if e.sheet})
    try:
        result = build_all(by_sheet, out_dir, template_dir=template_dir, pdf=pdf, progress=progress,
                           spec_files={e.id: str(e.path) for e in chosen}, keep=keep, questions=questions)
    except OSError as err:
        raise DeriveError(f"cannot write the documents in {out_dir}: {err.strerror or err} "
                          f"({err.filename or out_dir}); check that the folder is writable") from None
    summary = (f"{len(result.written)} written, {len(result.unchanged)} unchanged, "
               f"{len(result.compiled)} compiled, {len(result.removed)} removed in {out_dir}")
    failed += result.failed
    if failed:
        lines = "".join(f"\n  {what}: " + why.replace("\n", "\n    ") for what, why in failed)
        raise DeriveError(f"{len(failed)} failed to build ({summary}):{lines}")
    return summary


def sheet_questions(sheets, failed: list) -> dict:
    """Each sheet's questions (``problems/sheets/<sheet>.yaml``), checked against the bank; a
    manifest with a mistake is listed in ``failed`` and its sheet keeps the plain problem list."""
    from .errors import SpecError
    from .render.questions import load_questions, manifest_path

    out, bank = {}, entries()
    for sheet in sheets:
        if not sheet:
            continue
        try:
            listed = load_questions(sheet, bank)
        except SpecError as err:
            failed.append((f"sheet {sheet!r} ({manifest_path(sheet)})", str(err)))
            continue
        if listed is not None:
            out[sheet] = listed
    return out


def verify(problems=None) -> list[tuple[str, str, bool, str]]:
    """For each part with ``expect:``, is the derived answer equal to it? ``problems`` are ids or
    spec paths (all of the bank by default); an unknown one is an error. A part that could not be
    derived fails with its reason."""
    from .engine import derive, part_definitions
    from .equivalence import Context, same_value
    from .expr.build import Builder
    from .spec import load_spec

    paths = [find(p) for p in problems] if problems else [e.path for e in entries()]
    rows = []
    for path in paths:
        spec = load_spec(path)
        d = derive(spec)
        results = {p.id: p for p in d.parts}
        for part in spec.parts:
            got = results[part.id]
            if got.error:
                rows.append((spec.id, part.id, False, f"not derived: {got.error}"))
                continue
            if part.expect is None:
                continue
            expected = Builder(part.table).build(part.expect).expr
            ctx = Context(part.table, part_definitions(spec, part, results)[0])
            v = None
            for stated in (got.answer, *got.also):      # expect: may give either form of an answer_as part
                if getattr(expected, "is_Relational", False) and not getattr(expected, "is_Equality", False):
                    from .relations import same_truth

                    w = same_truth(stated, expected, part.table[part.goal.wrt].obj, ctx)
                else:
                    w = same_value(stated.rhs if hasattr(stated, "rhs") else stated, expected, ctx)
                v = w if v is None or (w.ok and not v.ok) else v
            detail = "" if v.ok else (v.counterexample.describe() if v.counterexample else v.reason)
            rows.append((spec.id, part.id, v.ok, detail))
    return rows

"""The ``derive`` command line: parses arguments, calls one library function, prints.

Errors from the library (``DeriveError``) become ``Error: …`` on stderr with exit code 1
(derivation failed) or 2 (bad input or usage); a traceback always means a bug.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .budget import DEFAULT_SECONDS
from .errors import DeriveError
from .options import SECONDS

FORMATS = ("text", "latex", "markdown", "json")


class DefaultGroup(click.Group):
    """``derive PROBLEM …`` means ``derive show PROBLEM …``."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["show", *args]
        return super().resolve_command(ctx, args)


def fail(err: DeriveError) -> None:
    click.echo(f"Error: {err}", err=True)
    sys.exit(err.exit_code)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="derive")
def main():
    """Certified step-by-step derivations for machine-learning homework.

    \b
    derive list                      the problems in the bank
    derive ridge-fgm                 a problem's derivation in the terminal
    derive ridge-fgm --latex         a standalone LaTeX document (-o FILE to save)
    derive ridge-fgm --pdf -o a.pdf  a solution PDF
    derive build --out build/        every problem and sheet, as .tex and .pdf
    derive check ridge-fgm hw/*.md   check students' algebra step by step
    """


@main.command("list")
def list_cmd():
    """List the problems in the bank (id, parts, title, source)."""
    from .bank import scan

    rows, bad = scan()
    width = max((len(e.id) for e in rows), default=10)
    for e in rows:
        click.echo(f"{e.id:<{width}}  {e.title}")
        click.echo(f"{'':<{width}}  {e.source}; parts {', '.join(e.parts)}")
    for err in bad:
        click.echo(f"Error: {err}", err=True)
    if bad:
        sys.exit(2)


@main.command("show")
@click.argument("problem")
@click.option("--part", "parts", multiple=True, metavar="ID", help="Only this part (repeatable).")
@click.option("--latex", "fmt", flag_value="latex", help="A standalone LaTeX document.")
@click.option("--markdown", "fmt", flag_value="markdown", help="Markdown with $$ math (GitHub, Jupyter, forums).")
@click.option("--json", "fmt", flag_value="json", help="The derivation as data (see the README).")
@click.option("--text", "fmt", flag_value="text", default=True, help="Terminal text (the default).")
@click.option("--pdf", is_flag=True, help="Compile a PDF (needs TeX); write it to -o FILE.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@click.option("--template-dir", type=click.Path(file_okay=False, exists=True), help="Templates that override the built-in ones by name.")
@click.option("--no-cache", is_flag=True, help="Derive afresh instead of reusing a cached result.")
@click.option("--timeout", type=SECONDS, default=None, help=f"Seconds allowed per part (default {DEFAULT_SECONDS:g}).")
@click.option("--detail", type=click.Choice(["grouped", "full"]), default="grouped", show_default=True,
              help="grouped: routine moves shown as one step; full: every atomic step.")
def show(problem, parts, fmt, pdf, output, template_dir, no_cache, timeout, detail):
    """Derive PROBLEM and print it (derive PROBLEM is short for derive show PROBLEM).

    A part that cannot be derived is shown in place with its reason, the other parts are
    still derived, and the exit code is 1."""
    from . import service
    from .render.grouping import detail as detail_level

    if detail != "grouped":
        os.environ["DERIVE_NO_CACHE"] = "1"     # the output cache holds the default detail only
    try:
        with detail_level(detail):
            rendered = _show(service, problem, parts, fmt, pdf, output, template_dir, no_cache, timeout)
    except DeriveError as err:
        fail(err)
    if not pdf:
        text = rendered.text
        if output:
            Path(output).write_text(text, encoding="utf-8")
            click.echo(f"wrote {output}", err=True)
        else:
            click.echo(text, nl=not text.endswith("\n"))
    if rendered.failed:
        click.echo(f"Error: {len(rendered.failed)} part(s) could not be derived: {', '.join(rendered.failed)} "
                   "(the reason is shown in place)", err=True)
        sys.exit(1)


def _show(service, problem, parts, fmt, pdf, output, template_dir, no_cache, timeout):
    if pdf:
        target = Path(output or f"{problem}.pdf")
        rendered = service.write_pdf(problem, target, parts=list(parts), template_dir=template_dir)
        click.echo(f"wrote {target}", err=True)
        return rendered
    return service.render_checked(problem, fmt or "text", parts=list(parts), template_dir=template_dir,
                                  use_cache=not no_cache, timeout=timeout)


@main.command("verify")
@click.argument("problems", nargs=-1)
def verify(problems):
    """Derive problems (all by default) and compare each part with its spec's expect: answer."""
    from . import service

    try:
        results = service.verify(list(problems))
    except DeriveError as err:
        fail(err)
    bad = 0
    for pid, part, ok, detail in results:
        mark = "ok " if ok else "FAIL"
        bad += not ok
        click.echo(f"{mark} {pid} {part}" + (f": {detail}" if detail else ""))
    click.echo(f"{len(results) - bad} passed, {bad} failed")
    sys.exit(1 if bad else 0)


@main.command("build")
@click.option("--sheet", "sheets", multiple=True, help="Only problems of this sheet (repeatable).")
@click.option("--out", "out_dir", default="build", show_default=True, type=click.Path(file_okay=False))
@click.option("--tex-only", is_flag=True, help="Write .tex files only (make compiles them).")
@click.option("--template-dir", type=click.Path(file_okay=False, exists=True))
def build(sheets, out_dir, tex_only, template_dir):
    """Build every problem's and every sheet's solution document in one process."""
    from . import service

    try:
        result = service.build(out_dir, sheets=list(sheets), pdf=not tex_only, template_dir=template_dir)
    except DeriveError as err:
        fail(err)
    click.echo(result, err=True)


def _aliases(pairs) -> dict:
    out = {}
    for item in pairs:
        if "=" not in item:
            raise click.BadParameter(f"'{item}' is not NAME=SPEC_NAME (e.g. x=X)", param_hint="--alias")
        student, spec_name = (p.strip() for p in item.split("=", 1))
        out[student] = spec_name
    return out


@main.command("check")
@click.argument("problem")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--part", "parts", multiple=True, metavar="ID", help="Check against this part (repeatable); default: the parts the file names.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array, one object per file (see the README).")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False), help="Also write one CSV row per file (a grade sheet).")
@click.option("--timeout", type=SECONDS, default=60.0, show_default=True, help="Seconds allowed per file.")
@click.option("--alias", "aliases", multiple=True, metavar="STUDENT=SPEC", help="A student's name for a spec symbol, e.g. x=X (repeatable).")
@click.option("--jobs", type=int, default=None, help="Files checked at once (default: up to 2).")
def check(problem, files, parts, as_json, csv_out, timeout, aliases, jobs):
    """Check students' step-by-step algebra in FILES (Markdown or LaTeX) against PROBLEM.

    Every math line is a step: it is ok when it follows from the line before (or from the
    problem's givens), wrong with a counterexample when it does not. The boxed (or last)
    answer of each part is compared with derive's own result. Exit code 0 when every file is
    fully right, 1 when any has a wrong step or answer.
    """
    from .check import batch as checking
    from .check import report as rep

    try:
        alias_map = _aliases(aliases)
        with click.progressbar(length=len(files), label="checking", file=sys.stderr) if len(files) > 1 else _NoBar() as bar:
            reports = checking.check_files(problem, list(files), list(parts), alias_map, timeout, jobs,
                                          progress=lambda: bar.update(1))
    except DeriveError as err:
        fail(err)
    if as_json:
        click.echo(rep.render_json(reports), nl=False)
    else:
        for r in reports:
            click.echo(rep.render_text(r))
    if csv_out:
        Path(csv_out).write_text(rep.render_csv(reports), encoding="utf-8")
        click.echo(f"wrote {csv_out}", err=True)
    sys.exit(0 if all(r.fully_right for r in reports) else 1)


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n):
        pass


@main.command("equiv")
@click.argument("args", nargs=-1)
@click.option("--symbols", type=click.Path(dir_okay=False, exists=True), help="A YAML file of symbols in the spec format.")
@click.option("--part", default=None, help="Use this part's symbols and definitions.")
@click.option("--batch", type=click.Path(dir_okay=False, exists=True),
              help="Pairs from YAML (- {a: ..., b: ...}) or JSON Lines; an entry may add problem:, part: or symbols: (its own context).")
@click.option("--json", "as_json", is_flag=True, help="Verdicts as JSON (one object per line with --batch).")
@click.option("--timeout", type=SECONDS, default=60.0, show_default=True, help="Seconds allowed per pair.")
def equiv(args, symbols, part, batch, as_json, timeout):
    """Compare two LaTeX expressions or equations: derive equiv PROBLEM A B, or
    derive equiv --symbols FILE A B. Exit code 0 when (every pair is) equivalent. The pairs
    are compared in a worker with a memory limit and --timeout seconds per pair; a pair that
    cannot be read or decided is unparsed or unknown, and a batch goes on."""
    import json as _json

    from .check import batch as checking
    from .check.equiv import describe, read_batch

    try:
        want = 0 if symbols else 1
        names = list(args)
        if batch and not symbols and not names:
            want = 0                      # every entry of the batch names its own problem or symbols
        if (batch and len(names) != want) or (not batch and len(names) != want + 2):
            usage = ("derive equiv [PROBLEM] A B | derive equiv --symbols FILE A B | "
                     "derive equiv [PROBLEM] --batch FILE")
            raise click.UsageError(f"expected {'no' if want == 0 else 'a'} PROBLEM" + ("" if batch else " and two expressions") + f": {usage}")
        table, definitions = checking.equiv_context(names[0] if names and not symbols else None, symbols, part)
        pairs = read_batch(batch) if batch else [(names[want], names[want + 1])]
        base_dir = os.path.dirname(os.path.abspath(batch)) if batch else None
        verdicts = checking.equiv_pairs(pairs, table, definitions, timeout, base_dir=base_dir)
    except DeriveError as err:
        fail(err)
    for v in verdicts:
        click.echo(_json.dumps(v, ensure_ascii=False) if as_json else (f"{v['a']}  vs  {v['b']}: " if batch else "") + describe(v))
    sys.exit(0 if all(v["status"] in ("equivalent", "equivalent-under") for v in verdicts) else 1)


if __name__ == "__main__":  # pragma: no cover
    main()

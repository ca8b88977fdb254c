"""The ``derive`` command line: parses arguments, calls one library function, prints.

Errors from the library (``DeriveError``) become ``Error: …`` on stderr with exit code 1
(derivation failed) or 2 (bad input or usage); a traceback always means a bug.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import DeriveError

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
    from .bank import entries

    try:
        rows = entries()
    except DeriveError as err:
        fail(err)
    width = max((len(e.id) for e in rows), default=10)
    for e in rows:
        click.echo(f"{e.id:<{width}}  {e.title}")
        click.echo(f"{'':<{width}}  {e.source}; parts {', '.join(e.parts)}")


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
def show(problem, parts, fmt, pdf, output, template_dir, no_cache):
    """Derive PROBLEM and print it (derive PROBLEM is short for derive show PROBLEM)."""
    from . import service

    try:
        if pdf:
            target = Path(output or f"{problem}.pdf")
            service.write_pdf(problem, target, parts=list(parts), template_dir=template_dir)
            click.echo(f"wrote {target}", err=True)
            return
        text = service.render(problem, fmt or "text", parts=list(parts), template_dir=template_dir, use_cache=not no_cache)
    except DeriveError as err:
        fail(err)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))


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


if __name__ == "__main__":  # pragma: no cover
    main()

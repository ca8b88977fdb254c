"""LaTeX text -> PDF with latexmk, sandboxed; and whether TeX is installed at all.

Where it sits: the last step of ``build.py`` and of ``mk/solutions.mk`` (make runs
``python -m derive.render.pdf build/x.tex build/x.pdf`` once per changed document). It imports
only the standard library and ``derive.errors``, so each call starts in a fraction of a second.

Safety: every compile runs in a fresh temporary directory with ``-no-shell-escape``, with
``openin_any=p`` / ``openout_any=p`` (TeX may not read or write files outside that directory,
so ``\\input{/etc/passwd}`` fails instead of printing the file), in its own process group that
is killed whole on timeout (a TeX loop never ends by itself).

Command line::

    python -m derive.render.pdf IN.tex OUT.pdf   compile; errors as ``Error: ...``, exit 1
    python -m derive.render.pdf --check          print why TeX is unusable (nothing if usable)
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from ..errors import RenderError

APT_PACKAGES = ("texlive-latex-base texlive-latex-recommended texlive-latex-extra "
                "texlive-pictures latexmk poppler-utils")
INSTALL_COMMAND = f"apt-get install -y --no-install-recommends {APT_PACKAGES}"
# Every package the built-in templates load (pgfplots pulls in tikz).
REQUIRED_STY = ("amsmath.sty", "amssymb.sty", "mathtools.sty", "geometry.sty", "microtype.sty",
                "array.sty", "booktabs.sty", "tabularx.sty", "xcolor.sty", "enumitem.sty",
                "pgfplots.sty", "tikz.sty")
LATEXMK = ["latexmk", "-pdf", "-norc", "-interaction=nonstopmode", "-halt-on-error",
           "-file-line-error", "-no-shell-escape"]
_ERROR_LINE = re.compile(r"^(?P<file>[^\s:][^:\n]*):(?P<line>\d+): (?P<msg>.+)$", re.M)


@lru_cache(maxsize=1)
def tex_available() -> str | None:
    """None when latexmk, pdflatex and every needed ``.sty`` are there; else a one-line fix."""
    missing = [tool for tool in ("latexmk", "pdflatex", "kpsewhich") if not shutil.which(tool)]
    if "kpsewhich" not in missing:
        try:
            found = subprocess.run(["kpsewhich", *REQUIRED_STY], capture_output=True, text=True,
                                   timeout=30).stdout.split()
        except (OSError, subprocess.SubprocessError):
            found = []
        names = {Path(f).name for f in found}
        missing += [sty for sty in REQUIRED_STY if sty not in names]
    if not missing:
        return None
    return (f"TeX is not installed (missing: {', '.join(missing)}); PDFs need it. "
            f"Install it with: {INSTALL_COMMAND}")


def _sandbox_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(openin_any="p", openout_any="p", SOURCE_DATE_EPOCH="0", FORCE_SOURCE_DATE="1")
    env.pop("TEXINPUTS", None)
    return env


def _log_error(log: str, tex_lines: list[str], source_name: str) -> str:
    """``file:line: message`` from a ``-file-line-error`` log, in one or two lines."""
    match = _ERROR_LINE.search(log)
    if match:
        line = int(match["line"])
        name = match["file"]
        name = source_name if name.endswith("doc.tex") else name
        msg = match["msg"].strip()
        context = ""
        if name == source_name and 0 < line <= len(tex_lines):
            context = f"\n    {tex_lines[line - 1].strip()[:160]}"
        return f"{name}, line {line}: LaTeX error: {msg}{context}"
    bang = re.search(r"^! (.+)$", log, re.M)
    if bang:
        return f"{source_name}: LaTeX error: {bang[1].strip()}"
    return f"{source_name}: LaTeX failed without an error line in its log"


def compile_pdf(tex_text: str, out_pdf, timeout: float = 120, source_name: str | None = None) -> Path:
    """Compile ``tex_text`` to ``out_pdf`` (replaced atomically). Raises ``RenderError``.

    On a LaTeX error the log is kept beside the output as ``<out>.log`` and the message names
    ``source_name`` (default: the output's name with ``.tex``), the line and TeX's message.
    """
    problem = tex_available()
    if problem:
        raise RenderError(problem)
    out_pdf = Path(out_pdf)
    source_name = source_name or out_pdf.with_suffix(".tex").name
    with tempfile.TemporaryDirectory(prefix="derive-tex-") as build:
        doc = Path(build) / "doc.tex"
        doc.write_text(tex_text, encoding="utf-8")
        proc = subprocess.Popen(LATEXMK + ["doc.tex"], cwd=build, env=_sandbox_env(),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RenderError(f"{source_name}: LaTeX did not finish within {timeout:g} s "
                              f"(an endless loop in the document?); stopped it") from None
        log_path = Path(build) / "doc.log"
        log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
        pdf = Path(build) / "doc.pdf"
        if proc.returncode != 0 or not pdf.exists():
            out_pdf.parent.mkdir(parents=True, exist_ok=True)
            kept = out_pdf.with_suffix(".log")
            kept.write_text(log, encoding="utf-8")
            raise RenderError(_log_error(log, tex_text.splitlines(), source_name)
                              + f"\n    (full log: {kept})")
        out_pdf.parent.mkdir(parents=True, exist_ok=True)
        staged = out_pdf.with_name(f".{out_pdf.name}.{os.getpid()}.tmp")
        shutil.copyfile(pdf, staged)
        os.replace(staged, out_pdf)
    return out_pdf


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--check"]:
        problem = tex_available()
        if problem:
            print(problem)
        return 0
    if len(args) != 2:
        print("usage: python -m derive.render.pdf IN.tex OUT.pdf | --check", file=sys.stderr)
        return 2
    src, out = Path(args[0]), Path(args[1])
    try:
        compile_pdf(src.read_text(encoding="utf-8"), out, source_name=str(src))
    except OSError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except RenderError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

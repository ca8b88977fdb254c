"""LaTeX text -> PDF with latexmk, sandboxed; and whether TeX is installed at all.

Where it sits: the last step of ``build.py`` and of ``mk/solutions.mk`` (make runs
``python -m derive.render.pdf build/x.tex build/x.pdf`` once per changed document). It imports
only the standard library, ``derive.errors`` and ``safefile``, so each call starts in a
fraction of a second.

Safety: every compile runs in a fresh temporary directory with ``-no-shell-escape``, with
``openin_any=p`` / ``openout_any=p`` (TeX may not read or write files outside that directory,
so ``\\input{/etc/passwd}`` fails instead of printing the file), in its own process group that
is killed whole on timeout (a TeX loop never ends by itself). TeX's output streams to a file,
never into memory; no file it writes may exceed ``OUTPUT_LIMIT`` (``RLIMIT_FSIZE``), and the
group is killed when all it wrote reaches that, its address space is capped at ``MEMORY_LIMIT``
(``RLIMIT_AS``), only the log's tail is read, and the temporary directory is removed on every
exit path. The PDF and the kept log are moved into place (``safefile``), never written
through a symlink.

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
import time
from functools import lru_cache
from pathlib import Path

from ..errors import RenderError
from .safefile import copy_into_place, replace_file

APT_PACKAGES = ("texlive-latex-base texlive-latex-recommended texlive-latex-extra "
                "texlive-pictures latexmk poppler-utils")
INSTALL_COMMAND = f"apt-get install -y --no-install-recommends {APT_PACKAGES}"
# Every package the built-in templates load (pgfplots pulls in tikz).
REQUIRED_STY = ("amsmath.sty", "amssymb.sty", "mathtools.sty", "geometry.sty", "microtype.sty",
                "array.sty", "booktabs.sty", "tabularx.sty", "xcolor.sty", "enumitem.sty",
                "adjustbox.sty", "needspace.sty", "pgfplots.sty", "tikz.sty")
LATEXMK = ["latexmk", "-pdf", "-norc", "-interaction=nonstopmode", "-halt-on-error",
           "-file-line-error", "-no-shell-escape"]
OUTPUT_LIMIT = 10 * 2**20      # bytes TeX may write, per file (RLIMIT_FSIZE) and in all (polled)
MEMORY_LIMIT = 2 * 2**30       # bytes of address space for latexmk and TeX
LOG_TAIL = 64 * 2**10          # bytes of the log read for the error message and kept beside the PDF
POLL_SECONDS = 0.05
TERMINAL_LOG = "terminal.log"  # latexmk's and TeX's terminal output, inside the build folder
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


def _limit_resources() -> None:  # runs in the child, before latexmk starts
    import resource

    for limit, value in ((resource.RLIMIT_AS, MEMORY_LIMIT), (resource.RLIMIT_FSIZE, OUTPUT_LIMIT)):
        soft, hard = resource.getrlimit(limit)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(limit, (value, hard))


def _output_size(folder: Path) -> int:
    """Bytes in the build folder (TeX may write only there): the log, the terminal output, the
    PDF, and whatever a document opens with ``\\openout``."""
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def _stop(proc: subprocess.Popen) -> None:
    """Kill latexmk's whole process group (TeX included) and reap it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
    proc.wait()


def _run_latexmk(build: Path, timeout: float) -> str:
    """Run latexmk in ``build``: ``"done"``, ``"failed"``, ``"timeout"`` or ``"output"`` (it
    wrote ``OUTPUT_LIMIT`` bytes).

    TeX's terminal output goes to a file, never into this process's memory; the process group
    is always stopped before this returns.
    """
    with open(build / TERMINAL_LOG, "wb") as terminal:
        proc = subprocess.Popen(LATEXMK + ["doc.tex"], cwd=build, env=_sandbox_env(),
                                stdin=subprocess.DEVNULL, stdout=terminal,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=_limit_resources)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                proc.wait(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                pass
            if _output_size(build) >= OUTPUT_LIMIT:
                return "output"
            if time.monotonic() > deadline:
                return "timeout"
    finally:
        _stop(proc)
    if _output_size(build) >= OUTPUT_LIMIT:
        return "output"
    return "done" if proc.returncode == 0 else "failed"


def _log_tail(build: Path) -> str:
    """The last ``LOG_TAIL`` bytes of TeX's log (its terminal output when there is no log)."""
    for name in ("doc.log", TERMINAL_LOG):
        path = build / name
        if not path.is_file():
            continue
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - LOG_TAIL))
            return fh.read().decode("utf-8", errors="replace")
    return ""


def _source_label(source_name: str, explicit: bool) -> tuple[str, bool]:
    """What an error message names, and whether that is a real ``.tex`` file (``file, line N``).

    An explicit ``source_name`` that is no existing file names a problem, not a file: for
    ``ridge-fgm.tex`` or ``problems/x.yaml.tex`` the message says ``ridge-fgm`` or
    ``problems/x.yaml`` and quotes the generated LaTeX line instead of inventing a file.
    """
    if explicit and not Path(source_name).is_file():
        return (source_name[:-4] if source_name.endswith(".tex") else source_name), False
    return source_name, True


def _tex_context(after_error: str) -> str:
    """TeX's own account of the token it stopped at (``<recently read> \\foo``), when the error
    sits inside a macro and the ``l.N`` line alone would not show it."""
    for row in after_error.splitlines()[1:8]:
        row = row.strip()
        if re.match(r"l\.\d+ ", row) or row.startswith("Here is how much"):
            return ""
        if row:
            return row[:160]
    return ""


def _log_error(log: str, tex_lines: list[str], source_name: str, is_file: bool = True) -> str:
    """``file, line N: LaTeX error: message`` (or ``problem: LaTeX error: ...`` plus the
    generated LaTeX line) from a ``-file-line-error`` log, in two or three lines."""
    match = _ERROR_LINE.search(log)
    if match:
        line = int(match["line"])
        ours = match["file"].endswith("doc.tex")
        msg = match["msg"].strip()
        text = tex_lines[line - 1].strip()[:160] if ours and 0 < line <= len(tex_lines) else ""
        reading = _tex_context(log[match.end():])
        extra = f"\n    TeX was reading: {reading}" if reading and reading not in text else ""
        if not ours:
            return f"{source_name}: LaTeX error in {match['file']}, line {line}: {msg}{extra}"
        if is_file:
            quoted = f"\n    {text}" if text else ""
            return f"{source_name}, line {line}: LaTeX error: {msg}{quoted}{extra}"
        return (f"{source_name}: LaTeX error: {msg}\n    line {line} of the generated LaTeX: "
                f"{text}{extra}")
    bang = re.search(r"^! (.+)$", log, re.M)
    if bang:
        return f"{source_name}: LaTeX error: {bang[1].strip()}"
    return f"{source_name}: LaTeX failed without an error line in its log"


def compile_pdf(tex_text: str, out_pdf, timeout: float = 120, source_name: str | None = None) -> Path:
    """Compile ``tex_text`` to ``out_pdf`` (replaced atomically). Raises ``RenderError``.

    On a LaTeX error the tail of the log is kept beside the output as ``<out>.log`` and the
    message names ``source_name`` (a ``.tex`` file, or a problem when no such file exists;
    default: the output's name with ``.tex``), the line and its text, and TeX's message.
    TeX runs under ``MEMORY_LIMIT`` and may write at most ``OUTPUT_LIMIT`` bytes.
    """
    problem = tex_available()
    if problem:
        raise RenderError(problem)
    out_pdf = Path(out_pdf)
    label, is_file = _source_label(source_name or out_pdf.with_suffix(".tex").name,
                                   explicit=source_name is not None)
    build = Path(tempfile.mkdtemp(prefix="derive-tex-"))
    try:
        (build / "doc.tex").write_text(tex_text, encoding="utf-8")
        status = _run_latexmk(build, timeout)
        if status == "timeout":
            raise RenderError(f"{label}: LaTeX did not finish within {timeout:g} s "
                              f"(an endless loop in the document?); stopped it")
        if status == "output":
            raise RenderError(f"{label}: LaTeX wrote more than {OUTPUT_LIMIT // 2**20} MB of "
                              f"output (an endless loop printing messages?); stopped it")
        pdf = build / "doc.pdf"
        out_pdf.parent.mkdir(parents=True, exist_ok=True)
        if status == "failed" or not pdf.is_file():
            log = _log_tail(build)
            kept = replace_file(out_pdf.with_suffix(".log"), log.encode("utf-8"))
            raise RenderError(_log_error(log, tex_text.splitlines(), label, is_file)
                              + f"\n    (end of the log: {kept})")
        copy_into_place(pdf, out_pdf)
    finally:
        shutil.rmtree(build, ignore_errors=True)
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
        text = src.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        print(f"Error: cannot read {src}: {why}", file=sys.stderr)
        return 1
    try:
        compile_pdf(text, out, source_name=str(src))
    except OSError as exc:
        print(f"Error: cannot write {exc.filename or out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except RenderError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

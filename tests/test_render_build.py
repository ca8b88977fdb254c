"""build_all (write .tex only when changed, prune vanished documents) and mk/solutions.mk."""
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest_render import fgm, need_tex, pdf_text, ridge  # noqa: E402
from derive.errors import RenderError  # noqa: E402
from derive.render.build import build_all, file_stem  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def test_tex_only_build_writes_problems_and_sheets(tmp_path):
    messages = []
    result = build_all({"csc413-hw3": [ridge(), fgm()], "": [replace(fgm(), id="loose")]},
                       tmp_path, pdf=False, progress=messages.append)
    names = sorted(p.name for p in tmp_path.glob("*.tex"))
    assert names == ["csc413-hw3.tex", "fgm-attack.tex", "loose.tex", "ridge-closed-form.tex"]
    assert len(result.written) == 4 and result.compiled == []
    assert f"wrote {tmp_path / 'csc413-hw3.tex'}" in messages
    sheet = (tmp_path / "csc413-hw3.tex").read_text()
    assert "Homework 3" in sheet and "Fast gradient sign attack" in sheet


def test_unchanged_documents_keep_their_mtime(tmp_path):
    build_all({"s": [ridge(), fgm()]}, tmp_path, pdf=False)
    old = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.tex")}
    time.sleep(0.02)
    changed = replace(fgm(), title="Fast gradient sign attack, revised")
    result = build_all({"s": [ridge(), changed]}, tmp_path, pdf=False)
    new = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.tex")}
    assert sorted(p.name for p in result.written) == ["fgm-attack.tex", "s.tex"]
    assert new["ridge-closed-form.tex"] == old["ridge-closed-form.tex"]
    assert new["fgm-attack.tex"] > old["fgm-attack.tex"]


def test_documents_of_removed_problems_are_pruned(tmp_path):
    build_all({"s": [ridge(), fgm()]}, tmp_path, pdf=False)
    (tmp_path / "fgm-attack.pdf").write_text("stale")
    (tmp_path / "notes.txt").write_text("not ours")
    result = build_all({"s": [ridge()]}, tmp_path, pdf=False)
    assert sorted(p.name for p in result.removed) == ["fgm-attack.pdf", "fgm-attack.tex"]
    assert (tmp_path / "notes.txt").exists() and (tmp_path / "s.tex").exists()


def test_two_documents_with_one_file_name_are_refused(tmp_path):
    with pytest.raises(RenderError, match="fgm-attack.tex"):
        build_all({"fgm-attack": [fgm()]}, tmp_path, pdf=False)


@pytest.mark.parametrize("ident, stem", [("ridge-fgm", "ridge-fgm"), ("Homework 3", "homework-3"),
                                         ("../../etc/x", "etc-x")])
def test_file_stems_stay_inside_the_output_directory(ident, stem):
    assert file_stem(ident) == stem


def test_build_with_pdf_compiles_only_stale_documents(tmp_path):
    need_tex()
    first = build_all({"s": [fgm()]}, tmp_path)
    assert sorted(p.name for p in first.compiled) == ["fgm-attack.pdf", "s.pdf"]
    assert "Fast gradient sign attack" in pdf_text(tmp_path / "s.pdf")
    assert build_all({"s": [fgm()]}, tmp_path).compiled == []


# ---------------------------------------------------------------- make


def _make(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    cmd = ["make", "--no-print-directory", *args,
           f"DERIVE={sys.executable} {REPO / 'tests' / 'conftest_render.py'}",
           f"VENV={workdir / 'no-venv'}", "SOLUTIONS_SETUP="]
    return subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture
def make_project(tmp_path):
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    (tmp_path / "mk").mkdir()
    shutil.copy(REPO / "mk" / "solutions.mk", tmp_path / "mk" / "solutions.mk")
    (tmp_path / "Makefile").write_text("include mk/solutions.mk\n")
    (tmp_path / "derive").symlink_to(REPO / "derive")   # python -m derive.render.pdf from cwd
    (tmp_path / "problems").mkdir()
    for name, title in (("alpha", "Alpha problem"), ("beta", "Beta problem")):
        (tmp_path / "problems" / f"{name}.yaml").write_text(f"{title}\n")
    return tmp_path


def _mtimes(build: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in build.glob("*.pdf")}


def test_make_solutions_is_incremental(make_project):
    need_tex()
    build = make_project / "build"
    first = _make(make_project, "-j2", "solutions")
    assert first.returncode == 0, first.stdout + first.stderr
    assert sorted(_mtimes(build)) == ["alpha.pdf", "beta.pdf", "sheet-a.pdf"]
    assert "Beta problem" in pdf_text(build / "beta.pdf")
    before = _mtimes(build)

    start = time.monotonic()
    again = _make(make_project, "solutions")
    assert time.monotonic() - start < 2
    assert again.returncode == 0 and "derive.render.pdf build/" not in again.stdout
    assert _mtimes(build) == before

    time.sleep(0.05)
    (make_project / "problems" / "beta.yaml").write_text("Beta problem, revised\n")
    third = _make(make_project, "-j2", "solutions")
    assert third.returncode == 0, third.stdout + third.stderr
    after = _mtimes(build)
    assert after["alpha.pdf"] == before["alpha.pdf"]
    assert after["beta.pdf"] > before["beta.pdf"] and after["sheet-a.pdf"] > before["sheet-a.pdf"]
    assert "Beta problem, revised" in pdf_text(build / "sheet-a.pdf")


def test_make_solutions_without_tex_still_writes_tex(make_project):
    fake_bin = make_project / "bin"
    fake_bin.mkdir()
    (fake_bin / "python3").symlink_to(Path(sys.executable).resolve())  # the real binary
    for tool in ("make", "sh", "find", "touch"):
        (fake_bin / tool).symlink_to(shutil.which(tool))
    env = dict(os.environ, PYTHONPATH=str(REPO), PATH=str(fake_bin))   # no TeX on this PATH
    out = subprocess.run(["make", "--no-print-directory", "solutions",
                          f"DERIVE={sys.executable} {REPO / 'tests' / 'conftest_render.py'}",
                          f"VENV={make_project / 'no-venv'}", "SOLUTIONS_SETUP="],
                         cwd=make_project, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "TeX is not installed" in out.stderr and "apt-get install -y" in out.stderr
    assert sorted(p.name for p in (make_project / "build").glob("*.tex")) == \
        ["alpha.tex", "beta.tex", "sheet-a.tex"]
    assert not list((make_project / "build").glob("*.pdf"))

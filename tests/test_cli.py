"""The command line through click's CliRunner: output, exit codes, did-you-mean, caching."""
import json

import pytest
from click.testing import CliRunner

from derive.cli import main


@pytest.fixture()
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path / "cache"))

    def invoke(*args):
        return CliRunner().invoke(main, list(args))

    return invoke


def test_list_shows_every_problem(run):
    result = run("list")
    assert result.exit_code == 0
    for pid in ("ridge-fgm", "dropout-gaussian", "trust-region", "optimal-lr", "relu-init"):
        assert pid in result.output


def test_unknown_problem_suggests_the_closest(run):
    result = run("ridge-gfm")
    assert result.exit_code == 2
    assert result.output.strip() == "Error: no problem named 'ridge-gfm'. Did you mean 'ridge-fgm'? (derive list shows all)"


def test_text_output_has_numbered_certified_steps(run):
    result = run("ridge-fgm", "--part", "1.2.2")
    assert result.exit_code == 0, result.output
    assert "Part 1.2.2" in result.output and "Part 1.1.2" not in result.output
    assert "✓" in result.output


def test_json_output_is_documented_data(run):
    result = run("ridge-fgm", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["id"] == "ridge-fgm" and data["title"]
    ids = [p["id"] for p in data["parts"]]
    assert ids == ["1.1.2", "1.2.2", "1.2.3"]
    for part in data["parts"]:
        assert part["answer"]["latex"] and part["answer"]["srepr"]
        for step in part["steps"]:
            assert {"rule", "before", "after", "because", "certified_by"} <= set(step)


def test_latex_output_is_a_document(run, tmp_path):
    out = tmp_path / "r.tex"
    result = run("ridge-fgm", "--latex", "-o", str(out))
    assert result.exit_code == 0, result.output
    tex = out.read_text()
    assert tex.lstrip().startswith("\\documentclass") and "\\end{document}" in tex


def test_cached_output_is_identical_to_a_fresh_one(run):
    first = run("relu-init", "--json").output
    cached = run("relu-init", "--json").output
    fresh = run("relu-init", "--json", "--no-cache").output
    assert first == cached == fresh


def test_version_and_help(run):
    from derive import __version__

    assert run("--version").output.strip() == f"derive, version {__version__}"
    help_text = run("--help").output
    for command in ("list", "show", "build", "verify"):
        assert command in help_text


def test_unknown_part_is_a_usage_error(run):
    result = run("ridge-fgm", "--part", "9.9")
    assert result.exit_code == 2
    assert "no part '9.9'" in result.output


def test_markdown_output_has_balanced_display_math(run):
    result = run("trust-region", "--markdown")
    assert result.exit_code == 0
    assert result.output.count("$$") % 2 == 0 and result.output.count("$$") >= 4
    assert result.output.startswith("# ")


def test_pdf_output(run, tmp_path):
    import os
    import shutil
    import subprocess

    from derive.render.pdf import tex_available

    missing = tex_available()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    out = tmp_path / "relu.pdf"
    result = run("relu-init", "--pdf", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
        assert "Initialisation variance" in text


def test_build_writes_every_problem_and_sheet(run, tmp_path):
    from derive.bank import entries

    out = tmp_path / "b"
    result = run("build", "--tex-only", "--out", str(out))
    assert result.exit_code == 0, result.output
    written = {p.stem for p in out.glob("*.tex")}
    assert {e.id for e in entries()} <= written
    assert {e.sheet for e in entries()} <= written


def test_build_warms_the_cache_with_outputs_identical_to_fresh_ones(run, tmp_path, monkeypatch):
    from derive import service

    run("build", "--tex-only", "--out", str(tmp_path / "b"))
    fresh = service.render("relu-init", "markdown", use_cache=False)
    monkeypatch.setattr(service, "derivation", lambda *a, **k: pytest.fail("derived again: the cache was not warmed"))
    assert service.render("relu-init", "markdown") == fresh

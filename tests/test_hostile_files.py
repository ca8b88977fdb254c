"""Issue 8, files half: hostile or careless things in the output folder, the cache, TeX input and
templates. derive must never delete, overwrite or read outside what it owns, never serve a
cache entry it cannot verify, bound TeX's memory and log, and never let a template run code."""
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest_render import fgm, need_tex, ridge  # noqa: E402
from derive import cache, service  # noqa: E402
from derive.bank import Entry, entries  # noqa: E402
from derive.errors import RenderError, RuleError  # noqa: E402
from derive.render import pdf as pdf_mod  # noqa: E402
from derive.render.build import MANIFEST, build_all  # noqa: E402
from derive.render.latex import render_latex  # noqa: E402
from derive.render.markdown import render_markdown  # noqa: E402
from derive.steps import SymbolRow  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
MINIMAL = "\\documentclass{article}\n\\begin{document}\n%s\n\\end{document}\n"


def broken(ident: str = "broken-problem"):
    """A problem whose LaTeX fails: a symbol spelled with an undefined macro."""
    row = SymbolRow("w", r"\nosuchmacro{w}", "vector", "d", "", "weights")
    return replace(fgm(ident=ident), symbols=(row,))


# ---------------------------------------------------------------- 1. build stays inside --out


def test_manifest_cannot_make_build_remove_files_outside_out(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "v"
    out.mkdir()
    elsewhere.mkdir()
    thesis = elsewhere / "thesis.tex"
    absolute = tmp_path / "absolute.tex"
    victim = tmp_path / "victim.pdf"
    for f in (thesis, absolute, victim):
        f.write_text("precious")
    (out / "linked.pdf").symlink_to(victim)          # a symlink listed as our own output
    (out / MANIFEST).write_text(json.dumps(
        {"documents": ["../v/thesis", str(tmp_path / "absolute"), "linked", "..", "/"]}))
    result = build_all({"s": [ridge()]}, out, pdf=False)
    assert result.removed == []
    assert thesis.read_text() == absolute.read_text() == victim.read_text() == "precious"
    assert (out / "linked.pdf").is_symlink()
    assert json.loads((out / MANIFEST).read_text()) == {"documents": ["ridge-closed-form", "s"]}


def test_build_removes_only_its_own_regular_files(tmp_path):
    build_all({"s": [ridge(), fgm()]}, tmp_path, pdf=False)
    (tmp_path / "fgm-attack.pdf").write_text("stale")
    result = build_all({"s": [ridge()]}, tmp_path, pdf=False)
    assert sorted(p.name for p in result.removed) == ["fgm-attack.pdf", "fgm-attack.tex"]


def test_symlinks_at_temporary_and_final_paths_are_replaced_not_followed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    tmp_victim, final_victim = tmp_path / "tmp-victim", tmp_path / "final-victim"
    tmp_victim.write_text("keep me")
    final_victim.write_text("keep me too")
    (out / ".ridge-closed-form.tex.tmp").symlink_to(tmp_victim)   # the old predictable name
    (out / "ridge-closed-form.tex").symlink_to(final_victim)
    result = build_all({"s": [ridge()]}, out, pdf=False)
    assert tmp_victim.read_text() == "keep me"
    assert final_victim.read_text() == "keep me too"
    target = out / "ridge-closed-form.tex"
    assert not target.is_symlink() and target.read_text().startswith("\\documentclass")
    assert target in result.written
    assert sorted(p.name for p in out.iterdir() if p.name.endswith(".tmp")) == \
        [".ridge-closed-form.tex.tmp"]                            # only the planted link
    assert (target.stat().st_mode & 0o777) == (0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_compiled_pdf_and_kept_log_replace_symlinks(tmp_path):
    need_tex()
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    (tmp_path / "good.pdf").symlink_to(victim)
    (tmp_path / "bad.log").symlink_to(victim)
    pdf_mod.compile_pdf(MINIMAL % "hello", tmp_path / "good.pdf")
    with pytest.raises(RenderError):
        pdf_mod.compile_pdf(MINIMAL % "\\nosuchmacro", tmp_path / "bad.pdf")
    assert victim.read_text() == "keep me"
    assert not (tmp_path / "good.pdf").is_symlink()
    assert (tmp_path / "good.pdf").read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "bad.log").is_symlink()
    assert "nosuchmacro" in (tmp_path / "bad.log").read_text()


# ---------------------------------------------------------------- 2. the cache verifies entries


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(folder))
    monkeypatch.delenv("DERIVE_NO_CACHE", raising=False)
    monkeypatch.setattr(cache, "_refused", set())
    return folder


def _entry(k: str) -> Path:
    return cache.directory() / k[:2] / k


K = "ab" + "0" * 62


def test_a_verified_entry_is_served(cache_dir):
    cache.put(K, "héllo\n")
    assert cache.get(K) == "héllo\n"
    assert cache.get("ab" + "1" * 62) is None


@pytest.mark.parametrize("damage", [
    lambda raw: raw[:-3],                                        # truncated
    lambda raw: b"garbage",                                      # not an entry at all
    lambda raw: raw.replace(b"hello", b"HELLO"),                 # altered content
    lambda raw: raw.split(b"\n", 1)[1],                          # bare content, no checksum
    lambda raw: b"\xff\xfe\x00 not utf-8",                       # invalid UTF-8
    lambda raw: raw.split(b"\n", 1)[0] + b"\n\xff\xfe",          # right header, invalid bytes
])
def test_a_damaged_entry_is_a_miss_and_is_rewritten(cache_dir, damage):
    cache.put(K, "hello world")
    path = _entry(K)
    path.write_bytes(damage(path.read_bytes()))
    assert cache.get(K) is None
    cache.put(K, "hello world")
    assert cache.get(K) == "hello world"


def test_an_entry_stored_under_another_key_is_a_miss(cache_dir):
    other = "ab" + "2" * 62
    cache.put(other, "for another key")
    shutil.copyfile(_entry(other), _entry(K))
    assert cache.get(K) is None


def test_a_symlinked_entry_is_never_followed(cache_dir, tmp_path):
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    k = service._render_key("relu-init", "latex")
    cache.put(k, "placeholder")                                  # make the folders
    _entry(k).unlink()
    _entry(k).symlink_to(secret)
    assert cache.get(k) is None
    out = service.render("relu-init", "latex")
    assert "root:x:0:0" not in out and out.startswith("\\documentclass")
    assert not _entry(k).is_symlink()                            # rewritten in place
    assert secret.read_text().startswith("root:x")
    assert cache.get(k) == out


def test_an_entry_owned_by_another_user_is_not_served(cache_dir):
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another user")
    cache.put(K, "planted")
    os.chown(_entry(K), 4242, 4242)
    assert cache.get(K) is None


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757])
def test_a_folder_writable_by_others_is_refused_with_one_warning(cache_dir, capsys, mode):
    cache.put(K, "good")
    os.chmod(cache_dir, mode)
    assert cache.get(K) is None
    cache.put("cd" + "0" * 62, "x")
    assert cache.get(K) is None
    assert not (cache_dir / "cd").exists()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("derive: warning: not using the cache folder")
    assert f"mode {mode:04o}" in err


def test_a_folder_owned_by_another_user_is_refused(cache_dir, capsys, monkeypatch):
    cache.put(K, "good")
    monkeypatch.setattr(cache.os, "geteuid", lambda: os.stat(cache_dir).st_uid + 4242)
    assert cache.get(K) is None
    assert "owned by another user" in capsys.readouterr().err


def test_a_symlinked_subfolder_is_refused(cache_dir, tmp_path, capsys):
    cache.put(K, "good")
    elsewhere = tmp_path / "elsewhere"
    (cache_dir / "ab").rename(elsewhere)
    (cache_dir / "ab").symlink_to(elsewhere)
    assert cache.get(K) is None
    assert "subfolder ab" in capsys.readouterr().err


def test_cache_entries_are_private(cache_dir):
    cache.put(K, "x")
    assert cache_dir.stat().st_mode & 0o077 == 0
    assert _entry(K).stat().st_mode & 0o077 == 0


# ---------------------------------------------------------------- 3. templates are in the key


def test_editing_a_built_in_template_changes_the_key(tmp_path, monkeypatch):
    import derive.render

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "problem.tex.j2").write_text("one")
    monkeypatch.setattr(derive.render, "templates_dir", lambda: templates)
    cache.code_fingerprint.cache_clear()
    try:
        before = cache.key("render", "latex")
        (templates / "problem.tex.j2").write_text("two")
        cache.code_fingerprint.cache_clear()
        assert cache.key("render", "latex") != before
    finally:
        cache.code_fingerprint.cache_clear()


def test_the_repository_templates_are_in_the_fingerprint(monkeypatch):
    import derive.render

    cache.code_fingerprint.cache_clear()
    try:
        real = cache.code_fingerprint()
        monkeypatch.setattr(derive.render, "templates_dir", lambda: REPO / "no-such-folder")
        cache.code_fingerprint.cache_clear()
        assert cache.code_fingerprint() != real
    finally:
        cache.code_fingerprint.cache_clear()


# ---------------------------------------------------------------- 4. TeX is bounded


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """TeX's temporary folders go here, and each one's largest file is recorded at deletion."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    largest: list[int] = []
    real_rmtree = shutil.rmtree

    def rmtree(path, *args, **kwargs):
        largest.append(max([f.stat().st_size for f in Path(path).iterdir()] or [0]))
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(pdf_mod.shutil, "rmtree", rmtree)
    return folder, largest


def test_tex_printing_in_a_loop_is_stopped_at_the_output_cap(scratch, tmp_path):
    need_tex()
    folder, largest = scratch
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(RenderError, match="more than 10 MB of output") as err:
        pdf_mod.compile_pdf(MINIMAL % r"\def\x{\message{aaaa}\x}\x", tmp_path / "loop.pdf",
                            timeout=60)
    assert "loop" in str(err.value)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert grown_kb < 50 * 1024                      # TeX's output never came into memory
    assert largest and max(largest) <= pdf_mod.OUTPUT_LIMIT
    assert list(folder.iterdir()) == []
    assert not (tmp_path / "loop.pdf").exists()


def test_tex_writing_many_files_is_stopped_at_the_total_output_cap(scratch, tmp_path):
    need_tex()
    folder, largest = scratch
    body = "\n".join([                      # 400 KB per file, a new file each time: none is big
        r"\def\a{%s}\edef\a{\a\a\a\a\a\a\a\a}\edef\a{\a\a\a\a\a\a\a\a}" % ("a" * 64),
        r"\newwrite\f \newcount\n \newcount\k",
        r"\def\x{\advance\n by 1 \immediate\openout\f=f\the\n.txt \k=0 \y"
        r" \immediate\closeout\f \x}",
        r"\def\y{\ifnum\k<100 \immediate\write\f{\a}\advance\k by 1 \expandafter\y\fi}",
        r"\x"])
    start = time.monotonic()
    with pytest.raises(RenderError, match="more than 10 MB of output"):
        pdf_mod.compile_pdf(MINIMAL % body, tmp_path / "files.pdf", timeout=60)
    assert time.monotonic() - start < 30
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("body, timeout, error", [
    ("hello", 60, None),
    ("\\nosuchmacro", 60, "Undefined control sequence"),
    (r"\loop\iftrue\repeat", 2, "did not finish within 2 s"),
])
def test_the_temporary_folder_is_removed_on_every_exit_path(scratch, tmp_path, body, timeout, error):
    need_tex()
    folder, largest = scratch
    if error is None:
        pdf_mod.compile_pdf(MINIMAL % body, tmp_path / "x.pdf", timeout=timeout)
    else:
        with pytest.raises(RenderError, match=error):
            pdf_mod.compile_pdf(MINIMAL % body, tmp_path / "x.pdf", timeout=timeout)
    assert len(largest) == 1 and list(folder.iterdir()) == []


def test_tex_runs_under_a_memory_limit(monkeypatch, tmp_path):
    need_tex()
    pdf_mod.compile_pdf(MINIMAL % "fits", tmp_path / "ok.pdf")
    monkeypatch.setattr(pdf_mod, "MEMORY_LIMIT", 16 * 2**20)  # too little for TeX to start
    with pytest.raises(RenderError):
        pdf_mod.compile_pdf(MINIMAL % "fits", tmp_path / "starved.pdf", timeout=30)
    assert not (tmp_path / "starved.pdf").exists()


def test_the_error_message_reads_only_the_tail_of_a_long_log(monkeypatch, tmp_path):
    need_tex()
    monkeypatch.setattr(pdf_mod, "LOG_TAIL", 4096)
    body = "\\message{%s}\n\\nosuchmacro" % ("x" * 20000)
    with pytest.raises(RenderError, match="Undefined control sequence"):
        pdf_mod.compile_pdf(MINIMAL % body, tmp_path / "long.pdf")
    assert (tmp_path / "long.log").stat().st_size <= 4096


# ---------------------------------------------------------------- 5. every failure is reported


def test_build_all_compiles_the_rest_and_lists_every_failure(tmp_path):
    need_tex()
    result = build_all({"s": [ridge(), broken()], "": [fgm()]}, tmp_path,
                       spec_files={"broken-problem": "problems/broken.yaml"})
    assert sorted(p.name for p in result.compiled) == ["fgm-attack.pdf", "ridge-closed-form.pdf"]
    assert [what for what, _ in result.failed] == \
        ["problem 'broken-problem' (problems/broken.yaml)", "sheet 's'"]
    for _, why in result.failed:
        assert "Undefined control sequence" in why
        assert "TeX was reading: <recently read> \\nosuchmacro" in why     # TeX's own context
    assert "broken-problem.tex, line" in result.failed[0][1]


def test_a_failed_template_does_not_stop_the_build(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "sheet.tex.j2").write_text("\\VAR{ no_such_name }")
    result = build_all({"s": [ridge()]}, tmp_path / "out", template_dir=templates, pdf=False)
    assert [p.name for p in result.written] == ["ridge-closed-form.tex"]
    assert result.failed[0][0] == "sheet 's'" and "no_such_name" in result.failed[0][1]


def test_derive_build_reports_every_failure_and_exits_1(tmp_path, monkeypatch):
    from derive.cli import main

    monkeypatch.setenv("DERIVE_NO_CACHE", "1")
    bank = [Entry("ridge-closed-form", "R", "", (), "s", Path("problems/ridge.yaml")),
            Entry("gone-wrong", "G", "", (), "s", Path("problems/gone-wrong.yaml")),
            Entry("broken-problem", "B", "", (), "", Path("problems/broken.yaml"))]

    def derivation(problem, parts=None):
        if problem == "gone-wrong":
            raise RuleError("no strategy could finish part 1")
        return {"ridge-closed-form": ridge(), "broken-problem": broken()}[problem]

    monkeypatch.setattr(service, "entries", lambda: bank)
    monkeypatch.setattr(service, "derivation", derivation)
    (tmp_path / "gone-wrong.tex").write_text("from the last good build")
    (tmp_path / MANIFEST).write_text(json.dumps({"documents": ["gone-wrong"]}))
    out = CliRunner().invoke(main, ["build", "--out", str(tmp_path), "--tex-only"])
    assert out.exit_code == 1, out.output
    assert "Traceback" not in out.output
    assert "Error: 1 failed to build" in out.output
    assert "problem 'gone-wrong' (problems/gone-wrong.yaml): no strategy could finish part 1" \
        in out.output
    assert (tmp_path / "ridge-closed-form.tex").is_file() and (tmp_path / "s.tex").is_file()
    assert (tmp_path / "broken-problem.tex").is_file()
    assert (tmp_path / "gone-wrong.tex").read_text() == "from the last good build"  # not pruned


def test_make_compiles_every_pdf_and_lists_the_failures(tmp_path):
    need_tex()
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    (tmp_path / "mk").mkdir()
    shutil.copy(REPO / "mk" / "solutions.mk", tmp_path / "mk" / "solutions.mk")
    (tmp_path / "Makefile").write_text("include mk/solutions.mk\n")
    (tmp_path / "derive").symlink_to(REPO / "derive")
    (tmp_path / "problems").mkdir()
    (tmp_path / "problems" / "a.yaml").write_text("A\n")
    build = tmp_path / "build"
    build.mkdir()
    (build / "a.tex").write_text(MINIMAL % "fine")
    (build / "b.tex").write_text(MINIMAL % "\\nosuchmacro")
    (build / "c.tex").write_text(MINIMAL % "\\alsomissing")
    os.utime(tmp_path / "problems" / "a.yaml", (1, 1))
    (build / ".tex-stamp").touch()                   # .tex files are up to date: only TeX runs
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run(["make", "--no-print-directory", "-j2", "solutions",
                          f"VENV={tmp_path / 'no-venv'}", "SOLUTIONS_SETUP=", "DERIVE=false"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode != 0
    assert (build / "a.pdf").is_file()
    assert "Error: build/b.tex, line 3: LaTeX error: Undefined control sequence." in out.stderr
    assert "Error: build/c.tex, line 3: LaTeX error: Undefined control sequence." in out.stderr
    summary = out.stderr[out.stderr.index("solutions: these PDFs failed"):]
    assert "build/b.pdf" in summary and "build/c.pdf" in summary and "build/a.pdf" not in summary


# ---------------------------------------------------------------- 6. TeX errors name the problem


def test_an_error_names_the_problem_not_an_invented_file(tmp_path):
    need_tex()
    with pytest.raises(RenderError) as err:
        pdf_mod.compile_pdf(MINIMAL % "fine\n\\undefinedmacro{x}", tmp_path / "x.pdf",
                            source_name="problems/x.yaml.tex")
    message = str(err.value)
    assert ".yaml.tex" not in message
    assert message.startswith("problems/x.yaml: LaTeX error: Undefined control sequence.")
    assert "line 4 of the generated LaTeX: \\undefinedmacro{x}" in message


def test_an_error_in_a_real_tex_file_names_it_with_the_line(tmp_path):
    need_tex()
    tex = tmp_path / "doc.tex"
    tex.write_text(MINIMAL % "\\undefinedmacro")
    with pytest.raises(RenderError) as err:
        pdf_mod.compile_pdf(tex.read_text(), tmp_path / "doc.pdf", source_name=str(tex))
    assert str(err.value).startswith(f"{tex}, line 3: LaTeX error: Undefined control sequence.")
    assert "\n    \\undefinedmacro\n" in str(err.value)


# ---------------------------------------------------------------- 7. templates are sandboxed


def test_every_bundled_problem_still_renders_in_the_sandbox():
    for e in entries():
        d = service.derivation(e.id)
        assert render_latex(d).startswith("\\documentclass"), e.id
        assert d.title in render_markdown(d), e.id


@pytest.mark.parametrize("payload", [
    "''.__class__.__mro__[1].__subclasses__()",
    "cycler.__init__.__globals__.os.popen('touch {marker}').read()",
    "joiner.__init__.__globals__['os'].system('touch {marker}')",
    "symbol_names.__globals__['__builtins__']['__import__']('os').system('touch {marker}')",
])
def test_a_hostile_template_cannot_run_code(tmp_path, payload):
    marker = tmp_path / "ran"
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "problem.tex.j2").write_text("\\VAR{ %s }\n" % payload.format(marker=marker))
    with pytest.raises(RenderError) as err:
        render_latex(ridge(), templates)
    assert "problem.tex.j2" in str(err.value) and "unsafe" in str(err.value)
    assert not marker.exists()


@pytest.mark.parametrize("content, why", [(None, "No such file or directory"),
                                          (b"\xff\xfe not utf-8", "it is not UTF-8 text")])
def test_the_pdf_command_line_reports_an_unreadable_input_in_one_line(tmp_path, content, why):
    src = tmp_path / "in.tex"
    if content is not None:
        src.write_bytes(content)
    out = subprocess.run([sys.executable, "-m", "derive.render.pdf", str(src),
                          str(tmp_path / "out.pdf")], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 1
    assert out.stderr == f"Error: cannot read {src}: {why}\n"

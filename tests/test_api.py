"""The Python API (``derive.derive``, ``derive.check``) and its notebook displays (issue 12, item 5).

The objects' data must be exactly what the CLI prints with ``--json`` for the same problem or
file, their Jupyter reprs must show the rendered answers, and ``import derive`` must stay free
of SymPy so ``derive --help`` and ``derive list`` stay instant.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import derive
from derive.cli import main
from derive.errors import DeriveError

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = ROOT / "tests" / "fixtures" / "students"
WRONG = STUDENTS / "ridge-fgm_1.2.2_swapped-product.md"
RIGHT = STUDENTS / "ridge-fgm_correct.md"


def _modules_after(code: str) -> set:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_derive_does_not_import_sympy():
    loaded = _modules_after("import derive\nassert callable(derive.derive) and callable(derive.check)")
    assert "derive" in loaded
    assert not {m for m in loaded if m == "sympy" or m.startswith("sympy.")}


@pytest.mark.parametrize("args", [["--help"], ["list"]])
def test_help_and_list_still_do_not_import_sympy(args):
    code = ("from click.testing import CliRunner\nfrom derive.cli import main\n"
            f"r = CliRunner().invoke(main, {args!r})\nassert r.exit_code == 0, r.output")
    assert "sympy" not in _modules_after(code)


@pytest.fixture(scope="module")
def ridge():
    return derive.derive("ridge-fgm")


def test_data_is_the_cli_json(ridge):
    result = CliRunner().invoke(main, ["ridge-fgm", "--json", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert ridge.data == json.loads(result.output)
    assert [p["id"] for p in ridge.parts] == ["1.1.2", "1.2.2", "1.2.3"]
    assert ridge.failed == []


def test_answers_and_parts_by_id(ridge):
    answer = ridge.answer("1.2.2")
    assert answer["text"] == "w = (XᵀX + 2λnI)⁻¹Xᵀt"
    assert ridge["1.2.2"]["answer"] is answer
    with pytest.raises(KeyError, match="no part '9.9' in ridge-fgm; parts: 1.1.2, 1.2.2, 1.2.3"):
        ridge["9.9"]


def test_markdown_repr_is_the_markdown_document_with_the_answers(ridge):
    md = ridge._repr_markdown_()
    assert md == CliRunner().invoke(main, ["ridge-fgm", "--markdown", "--no-cache"]).output
    for part in ridge.parts:
        assert f"\\boxed{{{part['answer']['latex']}}}" in md


def test_latex_repr_is_mathjax_math_with_every_boxed_answer(ridge):
    tex = ridge._repr_latex_()
    assert tex.startswith("$$") and tex.rstrip().endswith("$$")
    assert r"\documentclass" not in tex and r"\begin{document}" not in tex
    assert tex.count(r"\begin{aligned}") == 3 == tex.count(r"\end{aligned}")
    for part in ridge.parts:
        assert f"\\boxed{{{part['answer']['latex']}}}" in tex
        assert f"\\textbf{{Part {part['id']}}}" in tex


def test_str_is_the_terminal_text_and_repr_is_short(ridge):
    assert str(ridge) == ridge.render("text")
    assert "w = (XᵀX + 2λnI)⁻¹Xᵀt" in str(ridge)
    assert repr(ridge) == "<derive.Derivation ridge-fgm: 3 parts>"


def test_a_spec_path_derives_like_its_id(tmp_path):
    spec = tmp_path / "my-fgsm.yaml"
    shutil.copy(ROOT / "problems" / "fgsm-linf.yaml", spec)
    by_path = derive.derive(spec)
    by_str = derive.derive(str(spec))
    by_id = derive.derive("fgsm-linf")
    assert by_path.data == by_id.data == by_str.data
    assert by_path.problem == str(spec)


def test_parts_limit_the_derivation():
    d = derive.derive("ridge-fgm", parts="1.2.2")
    assert [p["id"] for p in d.parts] == ["1.2.2"]


def test_an_unknown_problem_is_an_error_with_a_suggestion():
    with pytest.raises(DeriveError, match="no problem named 'ridge-gfm'. Did you mean 'ridge-fgm'"):
        derive.derive("ridge-gfm")


FALSE_CLAIM = """\
id: wrong-identity
title: A claim that is false
source: {course: test}
statement: A false identity, to see a part that cannot be derived.
symbols:
  a: {kind: scalar, assume: [positive], latex: 'a'}
parts:
  - id: first
    ask: the square of a sum
    goal: {simplify: '(a + 1)**2'}
  - id: claim
    ask: a false identity
    goal: {show: '(a + 1)**2 = a**2 + 1'}
"""


def test_a_failed_part_is_kept_with_its_reason(tmp_path):
    spec = tmp_path / "wrong.yaml"
    spec.write_text(FALSE_CLAIM, encoding="utf-8")
    d = derive.derive(spec)
    assert d.failed == ["claim"]
    assert "2a" in d["claim"]["error"] and d["claim"]["answer"] is None
    assert d["first"]["error"] is None
    assert repr(d) == "<derive.Derivation wrong-identity: 2 parts, 1 not derived>"
    assert r"\text{NOT DERIVED: could not reduce" in d._repr_latex_()
    assert "**Not derived.**" in d._repr_markdown_()


def _untimed(data: dict) -> dict:
    """A report's data without the per-step times (``ms``), which differ from run to run."""
    return {**data, "steps": [{k: v for k, v in step.items() if k != "ms"} for step in data["steps"]]}


def test_check_data_is_the_cli_json_for_a_path():
    report = derive.check("ridge-fgm", WRONG)
    result = CliRunner().invoke(main, ["check", "ridge-fgm", str(WRONG), "--json"])
    assert result.exit_code == 1
    cli = json.loads(result.output)
    assert len(cli) == 1 and _untimed(report.data) == _untimed(cli[0])
    assert not report.fully_right
    assert report.first_wrong_step["line"] == 9
    assert "shape mismatch" in report.first_wrong_step["reason"]
    assert str(report) + "\n" == CliRunner().invoke(main, ["check", "ridge-fgm", str(WRONG)]).output


def test_check_accepts_the_text_itself():
    text = WRONG.read_text(encoding="utf-8")
    by_text = derive.check("ridge-fgm", text, name="alice.md")
    by_path = derive.check("ridge-fgm", str(WRONG))
    assert by_text.data["file"] == "alice.md"
    assert {**_untimed(by_text.data), "file": ""} == {**_untimed(by_path.data), "file": ""}


def test_check_reprs_show_each_line_and_the_verdict():
    report = derive.check("ridge-fgm", WRONG)
    md = report._repr_markdown_()
    assert md.startswith(f"**{WRONG}".replace("_", "\\_"))
    assert "first wrong step on line 9" in md
    assert "✗ line 9: $\\frac{1}{n}\\left(XX^T\\mathbf w - X^T\\mathbf t\\right)" in md
    assert "final answer: **wrong**" in md
    tex = report._repr_latex_()
    assert tex.startswith("$$\\begin{aligned}") and tex.endswith("\\end{aligned}$$")
    assert "(XX^T + 2n\\lambda I)\\mathbf w = X^T\\mathbf t" in tex
    assert "\\text{✗ wrong}" in tex


def test_a_right_write_up_reads_fully_right():
    report = derive.check("ridge-fgm", RIGHT)
    assert report.fully_right
    assert "fully right" in report._repr_markdown_()
    assert repr(report).endswith(": fully right>")

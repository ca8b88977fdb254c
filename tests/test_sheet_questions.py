"""A sheet's questions as data (problems/sheets/<sheet>.yaml, derive/render/questions.py) and the
whole-sheet document it lays out: every question in the sheet's order, derived ones with their
derivations, the others with their prose or the reason they are not derived."""
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest_render import fgm, need_tex, pdf_text, ridge  # noqa: E402
from derive.bank import Entry, entries  # noqa: E402
from derive.errors import SpecError  # noqa: E402
from derive.render.build import build_all, sheet_info  # noqa: E402
from derive.render.latex import render_sheet  # noqa: E402
from derive.render.questions import load_questions, read_questions  # noqa: E402

BANK = (Entry("ridge-closed-form", "Ridge", "", ("1.1.2", "1.2.2"), "csc413-hw3", Path("r.yaml")),
        Entry("fgm-attack", "FGM", "", ("1.1.1",), "csc413-hw3", Path("f.yaml")),
        Entry("elsewhere", "Other", "", ("a",), "other-sheet", Path("o.yaml")))

GOOD = """\
sheet: csc413-hw3
questions:
  - number: 1.1.1
    parts: [fgm-attack]
    answer: 'The attack is {fgm-attack/1.1.1}, at the corner of the box.'
  - number: 1.1.2
    ask: a question about a figure
    not_derived: It is read off a figure the sheet does not include.
  - number: 1.2.1
    discussion: >
      The instructor's own words
      about it.
  - number: 1.2.2
    parts: [ridge-closed-form/1.2.2]
"""


def questions(text=GOOD):
    return read_questions(text, "problems/sheets/csc413-hw3.yaml", "csc413-hw3", BANK)


def test_every_course_sheet_of_the_bank_lists_its_questions():
    bank = entries()
    sheets = {e.sheet for e in bank if e.sheet and e.path.parent.name == "problems"}
    assert sheets == {"csc413-2021-hw3", "csc413-2022-hw2", "dl-seminar-2023-s5", "mit-6790-2024-hw4"}
    for sheet in sheets:
        listed = load_questions(sheet, bank)
        assert listed is not None, sheet
        named = {pid for q in listed.questions for pid, _ in q.parts}
        assert named == {e.id for e in bank if e.sheet == sheet}
        numbers = [q.number for q in listed.questions]
        assert len(numbers) == len(set(numbers))


def test_a_manifest_reads_into_questions_of_three_kinds():
    q = questions()
    assert [(x.number, x.kind) for x in q.questions] == [
        ("1.1.1", "derived"), ("1.1.2", "not-derived"), ("1.2.1", "discussion"), ("1.2.2", "derived")]
    assert q.questions[0].parts == (("fgm-attack", None),)
    assert q.questions[2].discussion == "The instructor's own words about it."
    assert q.questions[3].line == 13


BAD = [
    ("sheet: csc413-hw3\nquestions:\n  - {number: 1.1.1, parts: [fgm-attack], asks: x}\n",
     3, "a question has an unknown key 'asks'. Did you mean 'ask'?"),
    ("sheet: csc413-hw3\nquestions:\n  - {parts: [fgm-attack]}\n", 3, "a question needs its number"),
    ("sheet: csc413-hw3\nquestions:\n  - {number: 1, parts: [fgm-attack], not_derived: why}\n",
     3, "question 1 needs exactly one of: parts (derived), discussion (prose), not_derived (the reason); "
        "it has parts, not_derived"),
    ("sheet: csc413-hw3\nquestions:\n  - number: 1\n    parts: [fgm-atack]\n",
     4, "question 1: no problem 'fgm-atack' on this sheet. Did you mean 'fgm-attack'?"),
    ("sheet: csc413-hw3\nquestions:\n  - {number: 1, parts: [elsewhere]}\n", 3, "no problem 'elsewhere' on this sheet"),
    ("sheet: csc413-hw3\nquestions:\n  - {number: 1, parts: [fgm-attack/9]}\n",
     3, "problem 'fgm-attack' has no part '9'. Its parts: 1.1.1"),
    ("sheet: csc413-hw3\nquestions:\n  - {number: 1, parts: [fgm-attack]}\n",
     3, "problem 'ridge-closed-form' of sheet 'csc413-hw3' is in no question"),
    ("sheet: csc413-hw3\nquestions:\n  - {number: 1, parts: [fgm-attack]}\n  - {number: 1, parts: [ridge-closed-form]}\n",
     4, "question 1 is listed twice (also entry 1)"),
    ("sheet: csc413-hw3\nquestions:\n  - {number: 1, parts: [fgm-attack, ridge-closed-form/1.2.2], answer: 'w = {ridge-closed-form/1.1.2}'}\n",
     3, "the answer cites {ridge-closed-form/1.1.2}, which is not one of its parts"),
    ("sheet: csc413-hw3\nquestions:\n  - {number: 1, not_derived: a figure, answer: 'yes'}\n",
     3, "answer: follows derived parts; give the prose as discussion:"),
    ("sheet: other\nquestions: []\n", 1, "sheet: must be 'csc413-hw3' (the file's name), not 'other'"),
    ("sheet: csc413-hw3\nquestions: {number: 1}\n", 2, "questions: must be a non-empty list"),
    ("sheet: csc413-hw3\nquestion: []\n", 2, "unknown key 'question'. Did you mean 'questions'?"),
    ("sheet: csc413-hw3\nquestions:\n  - {number: 1, parts: fgm-attack}\n", 3, "parts: must be a list"),
]


@pytest.mark.parametrize("text, line, message", BAD)
def test_a_mistake_in_a_manifest_names_the_file_and_line(text, line, message):
    with pytest.raises(SpecError) as err:
        questions(text)
    assert str(err.value).startswith(f"problems/sheets/csc413-hw3.yaml, line {line}: ")
    assert message in str(err.value)


def test_a_manifest_is_data_never_code():
    with pytest.raises(SpecError, match="tag"):
        questions(GOOD.replace("number: 1.1.1", "number: !!python/object/apply:os.system ['true']"))


def test_sheet_document_lists_every_question_in_order():
    tex = render_sheet([ridge(), fgm()], sheet_info("csc413-hw3", [ridge(), fgm()]), questions=questions())
    heads = re.findall(r"\\section\*\{Question ([^}]*)\}", tex)
    assert heads == ["1.1.1", "1.1.2", "1.2.1", "1.2.2"]
    body = tex[tex.index(r"\section*{Question 1.1.2}"):tex.index(r"\section*{Question 1.2.1}")]
    assert r"\textbf{Not derived.} It is read off a figure the sheet does not include." in body
    assert "(the instructor's words, not derived)}. The instructor's own words about it." in tex
    assert r"\subsubsection*{Part 1.2.2}" in tex and r"\subsubsection*{Part 1.1.2}" not in tex
    answer = tex[tex.index(r"\textbf{Answer to 1.1.1.}"):].split("\n")[0]
    derived = fgm().parts[0].answer
    from derive.render import symbol_names
    from derive.render.printing import latex

    assert answer == rf"\textbf{{Answer to 1.1.1.}} The attack is ${latex(derived, symbol_names(fgm()))}$, at the corner of the box."
    assert "How these steps were certified" in tex


def test_a_problem_split_over_questions_is_introduced_once():
    q = questions(GOOD.replace("parts: [ridge-closed-form/1.2.2]", "parts: [ridge-closed-form/1.2.2]\n  - number: 1.3\n    parts: [ridge-closed-form/1.1.2]"))
    tex = render_sheet([ridge(), fgm()], sheet_info("csc413-hw3", [ridge(), fgm()]), questions=q)
    assert tex.count("Ridge regression: closed form (continued)") == 0
    assert tex.count(r"\subsection*{Ridge regression: closed form}") == 1
    assert tex.count(r"{\normalfont\color{dvmuted}(continued)}") == 1
    assert tex.count(r"\begin{tabularx}") == 3       # the questions, and each problem's symbols once


def test_a_sheet_without_a_manifest_keeps_its_problem_list(tmp_path):
    build_all({"csc413-hw3": [ridge(), fgm()]}, tmp_path, pdf=False)
    tex = (tmp_path / "csc413-hw3.tex").read_text()
    assert r"\section*{1.\quad Fast gradient sign attack}" in tex and "Question 1.1.1" not in tex
    build_all({"csc413-hw3": [ridge(), fgm()]}, tmp_path, pdf=False, questions={"csc413-hw3": questions()})
    assert r"\section*{Question 1.1.1}" in (tmp_path / "csc413-hw3.tex").read_text()


def test_sheet_pdf_shows_each_question_and_its_status(tmp_path):
    need_tex()
    from derive.render.pdf import compile_pdf

    tex = render_sheet([ridge(), fgm()], sheet_info("csc413-hw3", [ridge(), fgm()]), questions=questions())
    text = pdf_text(compile_pdf(tex, tmp_path / "s.pdf"))
    order = [text.index(f"Question {n}") for n in ("1.1.1", "1.1.2", "1.2.1", "1.2.2")]
    assert order == sorted(order)
    assert "Not derived. It is read off a figure the sheet does not include." in text
    assert "(the instructor’s words, not derived)" in text or "(the instructor's words, not derived)" in text
    assert "Answer to 1.1.1. The attack is" in text


def test_build_reports_a_broken_manifest_and_keeps_the_problem_list(monkeypatch, tmp_path):
    from derive import resources, service

    (tmp_path / "sheets").mkdir()
    (tmp_path / "sheets" / "csc413-2021-hw3.yaml").write_text(
        "sheet: csc413-2021-hw3\nquestions:\n  - {number: 1.1.1, parts: [fgsm-lnf]}\n")
    monkeypatch.setattr(resources, "problems_dir", lambda: tmp_path)
    failed = []
    found = service.sheet_questions({"csc413-2021-hw3": [], "csc413-2022-hw2": []}, failed)
    assert found == {}
    (what, why), = failed
    assert what == f"sheet 'csc413-2021-hw3' ({tmp_path / 'sheets' / 'csc413-2021-hw3.yaml'})"
    assert why.endswith("line 3: question 1.1.1: no problem 'fgsm-lnf' on this sheet. Did you mean 'fgsm-linf'?")


def test_a_build_of_one_sheet_leaves_the_other_documents(monkeypatch, tmp_path):
    """derive build --sheet S removes nothing of the other sheets' documents."""
    import json
    from dataclasses import replace

    from derive import service

    monkeypatch.setenv("DERIVE_NO_CACHE", "1")
    monkeypatch.setattr(service, "derivation", lambda pid, *a, **k: replace(ridge(), id=pid, sheet="dl-seminar-2023-s5"))
    (tmp_path / "minnorm-sgd.tex").write_text("kept")
    (tmp_path / "csc413-2022-hw2.tex").write_text("kept")
    (tmp_path / ".derive-build.json").write_text(json.dumps({"documents": ["minnorm-sgd", "csc413-2022-hw2"]}))
    service.build(tmp_path, sheets=["dl-seminar-2023-s5"], pdf=False)
    assert (tmp_path / "minnorm-sgd.tex").read_text() == "kept"
    assert (tmp_path / "csc413-2022-hw2.tex").read_text() == "kept"
    assert r"\section*{Question 1a}" in (tmp_path / "dl-seminar-2023-s5.tex").read_text()
    assert "minnorm-sgd" in json.loads((tmp_path / ".derive-build.json").read_text())["documents"]

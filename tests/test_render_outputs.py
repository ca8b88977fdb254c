"""Text, JSON, LaTeX and Markdown renderings of hand-built derivations (no TeX needed)."""
import json
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import sympy

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest_render import FIGURE, RIDGE_ANSWER, fgm, hostile, ridge, w1, w2  # noqa: E402
from derive.errors import RenderError  # noqa: E402
from derive.render import question_key, source_line, templates_dir  # noqa: E402
from derive.render.build import sheet_info  # noqa: E402
from derive.render.json_out import render_json, to_data  # noqa: E402
from derive.render.latex import figure_data, render_latex, render_sheet  # noqa: E402
from derive.render.markdown import render_markdown  # noqa: E402
from derive.render.text import WIDTH, render_text, width  # noqa: E402


# ------------------------------------------------------------------ text


def test_text_shows_title_source_steps_marks_and_boxed_answer():
    out = render_text(ridge())
    lines = out.splitlines()
    assert lines[0] == "Ridge regression: closed form"
    assert lines[1] == "CSC413 (2021), Homework 3, question 1.2.2"
    assert "Part 1.2.2 — Minimise the regularised squared error over w." in out
    assert "    1  →  Xᵀ(Xw − t)/n + 2λw" in lines
    assert "    4  ⇒  w = (XᵀX + 2λnI)⁻¹Xᵀt" in lines
    assert "│ w = (XᵀX + 2λnI)⁻¹Xᵀt │" in out
    assert "✓ numeric: 12 instances" in out and "✓ symbolic" in out
    assert "3.1  =  XᵀXw/n − Xᵀt/n" in out                   # substep, labelled under step 3
    assert "Side conditions" in out and "• The inverse exists because λ > 0" in out
    assert "Variant “no-half”" in out and "│ w = (XᵀX + λI)⁻¹Xᵀt │" in out


def test_text_prints_a_steps_before_only_when_the_chain_breaks():
    lines = render_text(ridge()).splitlines()
    assert sum("‖Xw − t‖²/(2n) + λ wᵀw" == ln.strip() for ln in lines) == 1
    assert not any(ln.strip() == "Xᵀ(Xw − t)/n + 2λw" for ln in lines)  # only as step 1's result


def test_text_prose_fits_a_100_column_terminal():
    for line in render_text(ridge()).splitlines():
        if "→" in line or "⇒" in line or "=" in line[:12]:
            continue                                   # expressions are never broken
        assert width(line) <= WIDTH, line


@pytest.mark.parametrize("words, math, style", [
    ("The inverse exists because", sympy.Symbol("a") > 0, "inline"),
    ("The inverse exists.", sympy.Symbol("a") > 0, "paren"),
    ("", sympy.Symbol("a") > 0, "only"),
    ("If t = 0 every value works.", sympy.Symbol("t"), ""),      # the words already say it
    ("ε > 0 requires t > 0.", sympy.Symbol("t") > 0, ""),
    ("Nothing to show.", None, ""),
])
def test_note_math_is_shown_once(words, math, style):
    from derive.render import note_style
    from derive.steps import Note

    assert note_style(Note("condition", words, math)) == style


def test_text_flags_uncertified_steps():
    d = ridge()
    part = d.parts[0]
    step = replace(part.steps[0], certified_by="")
    d = replace(d, parts=(replace(part, steps=(step,)),))
    assert "· not certified" in render_text(d)


# ------------------------------------------------------------------ JSON


def test_json_has_the_documented_shape():
    data = json.loads(render_json(ridge()))
    assert {"id", "title", "source", "statement", "symbols", "parts"} <= set(data)
    assert data["symbols"][1] == {"name": "w", "latex": r"\mathbf{w}", "kind": "vector",
                                  "shape": "d", "assumptions": "", "description": "weights"}
    part = data["parts"][1]
    assert {"id", "goal", "steps", "answer", "notes", "variants"} <= set(part)
    step = part["steps"][0]
    assert step["rule"] == "differentiate"
    assert step["after"] == r"\frac{1}{n} X^\top (X \mathbf{w} - \mathbf{t}) + 2 \lambda \mathbf{w}"
    assert step["certified_by"] == "numeric: 12 instances"
    assert part["steps"][2]["substeps"][0]["rule"] == "expand"
    assert part["answer"]["text"] == "w = (XᵀX + 2λnI)⁻¹Xᵀt"
    assert part["notes"][0] == {"kind": "condition", "text": "The inverse exists because",
                                "math": {"latex": r"\lambda > 0", "text": "λ > 0",
                                         "srepr": sympy.srepr(ridge().parts[1].notes[0].math)}}
    assert part["variants"][0]["name"] == "no-half"
    assert part["figure"]["line"]["eq"]["text"] == "w₁ + w₂ = 1"


def test_json_answer_srepr_is_sympys_exact_form():
    data = to_data(ridge())
    assert data["parts"][1]["answer"]["srepr"] == sympy.srepr(RIDGE_ANSWER)
    assert data["parts"][1]["answer"]["latex"] == (
        r"\mathbf{w} = (X^\top X + 2 \lambda n I)^{-1} X^\top \mathbf{t}")


def test_json_is_deterministic_and_serialisable():
    assert render_json(ridge()) == render_json(ridge())
    assert render_json(ridge()).endswith("}\n")


# ------------------------------------------------------------------ LaTeX and Markdown


def test_latex_renders_are_byte_identical():
    assert render_latex(ridge()) == render_latex(ridge())
    ds = [ridge(), fgm()]
    assert render_sheet(ds, sheet_info("hw3", ds)) == render_sheet(ds, sheet_info("hw3", ds))
    assert render_markdown(ridge()) == render_markdown(ridge())


def test_latex_document_holds_steps_answer_and_certification():
    tex = render_latex(ridge())
    assert tex.startswith(r"\documentclass[a4paper,11pt]{article}")
    assert r"\boxed{\;\mathbf{w} = (X^\top X + 2 \lambda n I)^{-1} X^\top \mathbf{t}\;}" in tex
    assert tex.count(r"\begin{align*}") == tex.count(r"\end{align*}") >= 3
    assert r"\longrightarrow\quad & \frac{1}{n} X^\top" in tex
    assert "How these steps were certified" in tex
    assert r"\usepackage{pgfplots}" in tex
    assert r"\usepackage{pgfplots}" not in render_latex(fgm())   # no figure, no pgfplots
    assert "\\VAR{" not in tex and "\\BLOCK{" not in tex


def test_sheet_orders_problems_by_question_and_shares_the_part_layout():
    ds = [ridge(), fgm()]                      # questions 1.2.2 and 1.1.1
    tex = render_sheet(ds, sheet_info("csc413-hw3", ds))
    assert tex.index("Fast gradient sign attack") < tex.index("Ridge regression")
    assert r"\subsection*{Part 1.1.1}" in tex and r"\subsection*{Part 1.2.2}" in tex
    assert r"\section*{Part 1.2.2}" in render_latex(ridge())


def test_question_order_is_numeric():
    ds = [replace(fgm(), id=f"q{q}", source={"questions": [q]}) for q in ("1.10", "1.2", "2.1")]
    assert [d.id for d in sorted(ds, key=question_key)] == ["q1.2", "q1.10", "q2.1"]


def test_statement_keeps_paragraphs_and_arguments_never_hold_a_blank_line():
    tex = render_latex(ridge())
    assert "training examples.\n\nThen read off the closed form." in tex
    hostile_tex = render_latex(hostile())
    reason = hostile_tex[hostile_tex.index(r"\dvreason{1}"):]
    assert "A second paragraph." in reason.split("\n")[0]


def test_hostile_prose_is_escaped_everywhere_in_latex():
    tex = render_latex(hostile())
    assert r"\input{/etc/passwd}" not in tex
    assert r"{\textbackslash}input\{/etc/passwd\}" in tex
    assert r"50\% \& \texttt{\char95} \#" in tex


def test_markdown_has_balanced_display_math_and_escaped_prose():
    md = render_markdown(ridge())
    assert md.startswith("# Ridge regression: closed form\n")
    lines = md.splitlines()
    fences = [i for i, ln in enumerate(lines) if ln == "$$"]
    assert len(fences) % 2 == 0 and len(fences) >= 10
    for start, end in zip(fences[::2], fences[1::2]):
        body = lines[start + 1:end]
        assert body and all(ln.strip() for ln in body)      # no blank line inside a block
        assert lines[start - 1] == "" and lines[end + 1] == ""  # blocks stand alone
    assert r"\boxed{\mathbf{w} = (X^\top X + 2 \lambda n I)^{-1} X^\top \mathbf{t}}" in md
    assert "| $\\mathbf{w}$ | vector | $d$ |  | weights |" in md
    hostile_md = render_markdown(hostile())
    assert r"50% & \_ \# \$ { } \~" in hostile_md
    assert md.count("$") % 2 == 0


# ------------------------------------------------------------------ templates


def test_builtin_templates_are_found():
    assert (templates_dir() / "problem.tex.j2").is_file()


def test_template_dir_overrides_one_file(tmp_path):
    (tmp_path / "problem.tex.j2").write_text(
        r"custom: \VAR{d.title | text} -- \VAR{d.parts[1].answer | math(symbol_names(d))}" "\n")
    out = render_latex(ridge(), template_dir=tmp_path)
    assert out == ("custom: Ridge regression: closed form -- "
                   r"\mathbf{w} = (X^\top X + 2 \lambda n I)^{-1} X^\top \mathbf{t}" "\n")
    assert render_latex(ridge()).startswith(r"\documentclass")   # default untouched


def test_override_of_a_shared_macro_reaches_both_documents(tmp_path):
    macros = (templates_dir() / "_macros.tex.j2").read_text()
    macros = macros.replace(r"\text{\VAR{label | text}:}", r"\text{SOLUTION:}")
    (tmp_path / "_macros.tex.j2").write_text(macros)
    ds = [ridge()]
    assert r"\text{SOLUTION:}" in render_latex(ridge(), template_dir=tmp_path)
    assert r"\text{SOLUTION:}" in render_sheet(ds, sheet_info("s", ds), template_dir=tmp_path)


def test_template_syntax_error_names_file_and_line(tmp_path):
    (tmp_path / "problem.tex.j2").write_text("line one\n\\BLOCK{if d.title}\nno end\n")
    with pytest.raises(RenderError) as err:
        render_latex(ridge(), template_dir=tmp_path)
    msg = str(err.value)
    assert str(tmp_path / "problem.tex.j2") in msg and "line 3" in msg
    assert "template syntax error" in msg


def test_undefined_variable_names_file_and_line(tmp_path):
    (tmp_path / "problem.tex.j2").write_text("one\ntwo \\VAR{d.titel}\n")
    with pytest.raises(RenderError) as err:
        render_latex(ridge(), template_dir=tmp_path)
    msg = str(err.value)
    assert msg.startswith(f"{tmp_path / 'problem.tex.j2'}, line 2: ")
    assert "titel" in msg


def test_missing_template_is_a_render_error(tmp_path):
    with pytest.raises(RenderError, match="not found"):
        from derive.render.latex import render_template
        render_template("nope.tex.j2", tmp_path)


# ------------------------------------------------------------------ figures


def test_figure_data_turns_sympy_into_numbers():
    f = figure_data(FIGURE)
    assert f["lines"] == [{"vertical": False, "slope": "-1", "intercept": "1",
                           "label": "w_1 + w_2 = 1"}]
    assert [c["r"] for c in f["contours"][0]["circles"]] == ["0.25", "0.707107", "1"]
    assert f["points"] == [{"x": "0.5", "y": "0.5", "label": r"\mathbf{w}^*"}]
    assert f["xlabel"] == "w_{1}" and f["equal"] is True
    assert float(f["xmin"]) < -1 and float(f["xmax"]) > 1


def test_figure_vertical_line_curve_and_ranges():
    f = figure_data({"line": sympy.Eq(2 * w1, 1), "vars": (w1, w2), "xrange": (0, 2),
                     "yrange": (-1, 1), "curve": {"expr": w1**2, "label": "w_2 = w_1^2"}})
    assert f["lines"][0]["vertical"] is True and f["lines"][0]["x"] == "0.5"
    assert (f["xmin"], f["xmax"], f["ymin"], f["ymax"]) == ("0", "2", "-1", "1")
    assert f["curves"][0]["coords"].startswith("(0,0) (0.025,0.000625)")


@pytest.mark.parametrize("fig, message", [
    ({"line": sympy.Eq(w1 * w2, 1)}, "not linear"),
    ({}, "nothing to draw"),
    ({"point": (sympy.Symbol("a"), 1)}, "not a number"),
    ({"point": (0, 0), "xrange": (1, 1)}, "empty range"),
])
def test_bad_figures_are_render_errors(fig, message):
    with pytest.raises(RenderError, match=message):
        figure_data(fig)


def test_source_line_formats_known_keys_then_the_rest():
    assert source_line({"course": "CSC413", "year": 2021, "sheet": "HW3",
                        "questions": ["1.1", "1.2"], "url": "x"}) == \
        "CSC413 (2021), HW3, questions 1.1, 1.2, url: x"
    assert source_line({}) == ""


def test_text_and_markdown_describe_the_figure():
    assert "line w₁ + w₂ = 1; circles of radius 1/4, √2/2, 1; point (1/2, 1/2)" in \
        re.sub(r"\s+", " ", render_text(ridge()))
    assert "**Figure** (in the PDF)" in render_markdown(ridge())


def test_a_note_quoting_its_math_sets_it_as_math_in_documents():
    """"If Σⱼ wⱼ² = 0 the equation holds …": the words quote the note's math in terminal text,
    which a document sets as math (not raw Σ_{j=1}^{d}), with the prose around it kept."""
    from sympy import Eq, IndexedBase, Sum, Symbol

    from derive.render.latex import note_words
    from derive.render.printing import latex, text
    from derive.steps import Note

    j, d, wj = Symbol("j", integer=True), Symbol("d", integer=True, positive=True), IndexedBase("w")
    total = Sum(wj[j] ** 2, (j, 1, d))
    note = Note("condition", f"If {text(total)} = 0 the equation holds for every σ.", Eq(total, 0))
    assert note_words(note, {}) == rf"If ${latex(Eq(total, 0))}$ the equation holds for every \ensuremath{{\sigma}}."
    assert note_words(note, {}, markdown=True) == f"If ${latex(Eq(total, 0))}$ the equation holds for every σ."
    plain = Note("condition", "The coefficient matrix must be invertible.", Symbol("a"))
    assert note_words(plain, {}) == "The coefficient matrix must be invertible."


def test_documents_mark_each_step_and_account_for_the_certification_once():
    """A posted document marks each certified step with ✓ and says how once: per problem, or
    once for a whole sheet; --detail full names the method beside every step."""
    from derive.render.latex import render_latex, render_sheet
    from derive.render.markdown import render_markdown

    md = render_markdown(ridge())
    assert "✓" in md and "✓ *numeric: 12 instances*" not in md and md.count("How these steps were certified") == 1
    assert "numeric: 12 instances (" in md                 # the method, in the account at the end
    assert "✓ *numeric: 12 instances*" in render_markdown(ridge(), detail="full")
    tex = render_latex(ridge())
    assert "\\checkmark$\\ numeric" not in tex and "\\checkmark$\\ numeric" in render_latex(ridge(), detail="full")
    sheet = render_sheet([ridge(), fgm()], {"id": "s", "title": "A sheet"})
    assert sheet.count("How these steps were certified") == 1, sheet.count("How these steps were certified")


def test_a_cousin_cites_the_question_it_follows_and_a_collection_is_titled_by_its_id():
    from types import SimpleNamespace

    from derive.render import source_line

    cousin = {"course": "derive examples", "sheet": "cousins", "based_on": "CSC413 (2022) Homework 2, question 2.3.1",
              "questions": ["plain", "decoupled"]}
    assert source_line(cousin) == "derive examples, after CSC413 (2022) Homework 2, question 2.3.1"
    mixed = [SimpleNamespace(source=cousin), SimpleNamespace(source={"course": "MIT 6.790", "sheet": "Homework 4 (cousin)"})]
    assert sheet_info("derive-examples", mixed) == {"id": "derive-examples", "title": "Derive examples"}
    one = [SimpleNamespace(source={"course": "CSC413", "sheet": "Homework 3", "year": 2021})] * 2
    assert sheet_info("hw3", one)["title"] == "Homework 3"


def test_every_format_shows_the_problems_given_data_under_its_statement():
    """A problem whose data is a given matrix (the image a filter slides over) shows it: the
    reader cannot check the answer otherwise."""
    from derive.engine import given_values
    from derive.render.latex import render_latex
    from derive.render.markdown import render_markdown
    from derive.render.text import render_text
    from derive.spec import load_spec

    spec = load_spec(Path(__file__).resolve().parents[1] / "problems" / "examples" / "conv-filters-numeric.yaml")
    d = replace(ridge(), givens=given_values(spec))
    assert [name for name, _ in d.givens] == ["P", "S", "s", "h"]
    assert "Given\n  P = [1, 1, 1, 0, 0, 0; 1, 1, 1, 0, 0, 0; 2, 2, 1" in render_text(d)
    assert "**Given.** $P = \\left[\\begin{matrix}1 & 1 & 1" in render_markdown(d)
    tex = render_latex(d)
    assert "\\textbf{Given.}" in tex and "h = \\left[\\begin{matrix}\\frac{1}{4}" in tex
    assert json.loads(render_json_of(d))["givens"][1]["value"]["text"] == "[−1, 0, 1; −2, 0, 2; −1, 0, 1]"
    assert "Given" not in render_text(ridge())          # no data: no heading


def render_json_of(d):
    from derive.render.json_out import render_json

    return render_json(d)


def test_a_long_justification_is_given_in_full_once_per_document():
    """The chain rule's paragraph, repeated in four parts of a backprop problem, is given once;
    later it is its first clause and '(as before)'. --detail full keeps every word."""
    from sympy import symbols as syms

    from derive.render.latex import render_latex
    from derive.render.markdown import render_markdown
    from derive.steps import Derivation, PartResult, Step

    a, b = syms("a b")
    long = ("Chain rule through the network: follow every path from the variable up to the quantity and "
            "multiply the local derivatives along each path; each local derivative from its own equation.")
    parts = tuple(PartResult(pid, "a part", (Step("chain-rule", a, b, long, certified_by="symbolic"),), b)
                  for pid in ("1", "2"))
    d = Derivation("toy", "Toy", {}, "", (), parts)
    for text in (render_markdown(d), render_latex(d)):
        assert text.count("follow every path") == 1 and "Chain rule through the network (as before)." in text
    assert render_markdown(d, detail="full").count("follow every path") == 2

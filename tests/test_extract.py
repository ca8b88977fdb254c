"""Finding the steps in student files: blocks, rows, line numbers, continuation, boxes, fixtures."""
import os
import time
from pathlib import Path

import pytest
import yaml

from derive.check.extract import MathLine, extract, is_latex
from derive.check.latex_math import parse_chain, parse_latex
from derive.errors import ParseError

FIXTURES = Path(__file__).parent / "fixtures"
STUDENTS = FIXTURES / "students"
HOSTILE = FIXTURES / "hostile"
MANIFEST = yaml.safe_load((STUDENTS / "MANIFEST.yaml").read_text())

MARKDOWN = r"""# Ridge regression

Prose with $w$, 50% of the marks, and `$code = 1$` in backticks.

```latex
$$ fenced = 1 $$
```

$$
\begin{aligned}
J(\mathbf{w}) &= \frac{1}{2n}\|X\mathbf{w} - \mathbf{t}\|^2 + \lambda\|\mathbf{w}\|^2 \\
\nabla_{\mathbf{w}} J &= \frac{1}{n}X^\top(X\mathbf{w} - \mathbf{t}) + 2\lambda\mathbf{w} = 0 \quad \text{(stationary)} \\
\Rightarrow\ (X^\top X + 2n\lambda I)\mathbf{w} &= X^\top\mathbf{t} \quad\text{hence}\quad \mathbf{w} = \boxed{(X^\top X + 2n\lambda I)^{-1}X^\top\mathbf{t}}.
\end{aligned}
$$

An inline step $p = q$ and a declaration $m_j \sim \mathrm{Ber}(p)$.
\[ \mathbb{E}[m_j] = p, \quad \text{Var}[m_j] = p(1-p) \tag{3} \label{eq:moments} \]
<!-- $$ hidden = 1 $$ -->
"""

LATEX = r"""\documentclass{article}
\newcommand{\R}{$preamble = 1$}
\begin{document}
Some text $y = 2$. % $commented = 3$
\begin{align*}
  a &= b \nonumber \\ % a comment $q = 1$
    &= c \label{eq:c}\\[2pt]
  \therefore\ d &\le e
\end{align*}
\input{/etc/passwd}
\begin{equation}
  \underbrace{x}_{\text{label}} = 1
\end{equation}
\begin{gather}
  A = \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix} \\
  z = 1
\end{gather}
\end{document}
$after = 1$
"""


def test_markdown_steps_and_line_numbers():
    assert extract(MARKDOWN, "hw.md") == [
        MathLine(11, r"J(\mathbf{w}) = \frac{1}{2n}\|X\mathbf{w} - \mathbf{t}\|^2 + \lambda\|\mathbf{w}\|^2"),
        MathLine(12, r"\nabla_{\mathbf{w}} J = \frac{1}{n}X^\top(X\mathbf{w} - \mathbf{t}) + 2\lambda\mathbf{w} = 0"),
        MathLine(13, r"(X^\top X + 2n\lambda I)\mathbf{w} = X^\top\mathbf{t}", continues=True, lead="=>"),
        MathLine(13, r"\mathbf{w} = (X^\top X + 2n\lambda I)^{-1}X^\top\mathbf{t}", boxed=True, continues=True, lead="=>"),
        MathLine(17, "p = q", display=False),
        MathLine(18, r"\mathbb{E}[m_j] = p"),
        MathLine(18, r"\text{Var}[m_j] = p(1-p)"),
    ]


def test_latex_steps_and_line_numbers():
    assert extract(LATEX, "hw.tex") == [
        MathLine(4, "y = 2", display=False),
        MathLine(6, "a = b"),
        MathLine(7, "c", continues=True, lead="="),
        MathLine(8, r"d \le e", continues=True, lead="=>"),
        MathLine(12, "x = 1"),
        MathLine(15, r"A = \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}"),     # a matrix keeps its &
        MathLine(16, "z = 1"),
    ]


@pytest.mark.parametrize("row, latex, lead", [
    (r"&= c", "c", "="),
    (r"&\le c", "c", "<="),
    (r"\leq c", "c", "<="),
    (r"&\Rightarrow c = d", "c = d", "=>"),
    (r"\implies c = d", "c = d", "=>"),
    (r"\iff c = d", "c = d", "=>"),
    (r"\Longrightarrow c = d", "c = d", "=>"),
    (r"\to c = d", "c = d", "=>"),
    (r"\therefore\ c = d", "c = d", "=>"),
    (r"\text{so } c = d", "c = d", "=>"),
    (r"\text{Thus, }\quad c = d", "c = d", "=>"),
    (r"\text{where } c = d", "c = d", ""),
    (r"c = d", "c = d", ""),
])
def test_second_row_continuation(row, latex, lead):
    lines = extract("$$\n\\begin{aligned}\na = b \\\\\n" + row + "\n\\end{aligned}\n$$\n", "x.md")
    assert lines[1] == MathLine(4, latex, continues=bool(lead), lead=lead)


@pytest.mark.parametrize("block, expected", [
    (r"a = b \quad\Rightarrow\quad c = d", [("a = b", ""), ("c = d", "=>")]),
    (r"a = b, \qquad c = d.", [("a = b", ""), ("c = d", "")]),
    (r"a = b \;\implies\; c = d", [("a = b", ""), ("c = d", "=>")]),
    (r"m_j \sim \mathrm{Bernoulli}(p), \quad \mathbb{E}[m_j] = p", [(r"\mathbb{E}[m_j] = p", "")]),
    (r"\mathbf{x} \in \mathbb{R}^d", []),
    (r"f: \mathbb{R}^d \to \mathbb{R}", []),
    (r"\mathrm{Var}(a) = \text{Var}(b) \text{ by independence}", [(r"\mathrm{Var}(a) = \text{Var}(b)", "")]),
    (r"\operatorname{sgn}(g) = \text{sign}(g)", [(r"\operatorname{sgn}(g) = \text{sign}(g)", "")]),
    (r"x \to 0 \Rightarrow y = 1", [("y = 1", "=>")]),
    (r"\frac{a \quad b}{c} = 1", [(r"\frac{a b}{c} = 1", "")]),
    (r"\begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases} = r",
     [(r"\begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases} = r", "")]),   # a case keeps & and its words
])
def test_rows_split_into_segments(block, expected):
    got = [(m.latex, m.lead) for m in extract(f"$$ {block} $$", "x.md")]
    assert got == expected


def test_boxed_answers_are_unwrapped_and_flagged():
    lines = extract(r"$$ \boxed{w = 1} $$ and $\eta^* = \boxed{2}$ and $\boxed{3}$", "x.md")
    assert [(m.latex, m.boxed, m.display) for m in lines] == [("w = 1", True, True), (r"\eta^* = 2", True, False), ("3", True, False)]


def test_inline_math_without_a_relation_is_not_a_step():
    assert extract(r"Let $w$ be the weights and $X^\top X$ the Gram matrix; $n > d$.", "x.md") == [
        MathLine(1, "n > d", display=False)]


def test_markdown_percent_is_not_a_comment_but_latex_percent_is():
    assert [m.latex for m in extract("50% of the time $a = b$", "x.md")] == ["a = b"]
    assert extract(r"\documentclass{article}\begin{document} % $a = b$" "\n\\end{document}", "x.tex") == []


@pytest.mark.parametrize("text, name, latex", [
    (r"\documentclass{article}", "notes.md", True),
    ("# Heading\n$$a = b$$", "hw.tex", False),
    (r"\begin{align} a &= b \end{align}", "hw.tex", True),
    (r"\begin{align} a &= b \end{align}", "hw.md", False),
    ("Plain text $a = b$", "hw.txt", False),
])
def test_format_is_decided_by_content(text, name, latex):
    assert is_latex(text, name) is latex


def test_line_numbers_survive_code_fences_and_comments():
    text = "```\n$$ a = 1 $$\n```\n<!--\n$$ b = 2 $$\n-->\n`$c = 3$`\n$$ d = 4 $$\n"
    assert extract(text, "x.md") == [MathLine(8, "d = 4")]


def test_every_environment_is_found():
    envs = ["equation", "equation*", "align", "align*", "gather", "gather*", "multline", "eqnarray*"]
    body = "\n".join(f"\\begin{{{e}}} x_{i} = {i} \\end{{{e}}}" for i, e in enumerate(envs))
    text = f"\\documentclass{{article}}\n\\begin{{document}}\n{body}\n\\[ y = 1 \\]\n\\( z = 2 \\)\n\\end{{document}}"
    assert [(m.line, m.latex) for m in extract(text, "x.tex")] == \
        [(3 + i, f"x_{i} = {i}") for i in range(len(envs))] + [(11, "y = 1"), (12, "z = 2")]


def test_long_files_are_read_in_pieces_without_losing_steps_or_lines():
    para = "Some prose about the step.\n$$\n\\begin{aligned}\na_{%d} &= b \\\\\n&= c\n\\end{aligned}\n$$\n\n"
    text = "".join(para % i for i in range(1500))
    assert len(text) > 4 * 16_000
    lines = extract(text, "long.md")
    assert len(lines) == 3000
    assert lines[-2] == MathLine(8 * 1499 + 4, "a_{1499} = b")
    assert lines[-1] == MathLine(8 * 1499 + 5, "c", continues=True, lead="=")


# -- hostile files -----------------------------------------------------------------------

def test_a_five_megabyte_file_is_refused_quickly():
    text = ("$$ a = b $$ " * 1000 + "\n") * 440
    assert len(text) > 5_000_000
    start = time.perf_counter()
    with pytest.raises(ParseError, match=r"hw.md: the file is 5,\d{3},\d{3} characters long; the limit is 1,000,000"):
        extract(text, "hw.md")
    assert time.perf_counter() - start < 0.5


def test_deep_nesting_is_refused_with_its_line():
    with pytest.raises(ParseError, match="deep-nesting.md: line 4: braces nest deeper than 100 levels"):
        extract((HOSTILE / "deep-nesting.md").read_text(), "deep-nesting.md")


def test_exponent_tower_extracts_but_does_not_parse():
    (line,) = extract((HOSTILE / "exponent-tower.md").read_text(), "exponent-tower.md")
    assert line.line == 6
    with pytest.raises(ParseError, match="exponent .* is 1e\\+10; the limit is 100"):
        parse_latex(line.latex, MANIFEST["latex_names"]["ridge-fgm"])


def test_input_commands_are_only_text():
    lines = extract((HOSTILE / "input-passwd.tex").read_text(), "input-passwd.tex")
    assert [m.line for m in lines] == [7, 9]
    assert not any("root:" in m.latex for m in lines)
    for m in lines:
        with pytest.raises(ParseError, match="unsupported LaTeX command"):
            parse_latex(m.latex, MANIFEST["latex_names"]["ridge-fgm"])


def test_python_in_math_is_never_run():
    marker = Path("/tmp/derive-pwned-by-fixture")
    lines = extract((HOSTILE / "python-injection.md").read_text(), "python-injection.md")
    assert len(lines) == 5
    for m in lines:
        with pytest.raises(ParseError):
            parse_latex(m.latex, MANIFEST["latex_names"]["ridge-fgm"])
    assert not marker.exists()


# -- student fixtures --------------------------------------------------------------------

def _fixture_lines(entry):
    path = STUDENTS / entry["file"]
    return extract(path.read_text(), path.name)


def test_manifest_lists_every_fixture_once():
    listed = [e["file"] for e in MANIFEST["files"]]
    on_disk = sorted(p.name for p in STUDENTS.iterdir() if p.suffix in (".md", ".tex"))
    assert sorted(listed) == on_disk
    assert len(set(listed)) == len(listed)
    for entry in MANIFEST["files"]:
        assert entry["file"].startswith(entry["problem"] + "_")
        assert entry["expect"] == "correct" or set(entry["expect"]) == {"first_wrong_line", "error"}


@pytest.mark.parametrize("entry", MANIFEST["files"], ids=lambda e: e["file"])
def test_every_fixture_line_extracts_and_parses(entry):
    names = MANIFEST["latex_names"][entry["problem"]]
    lines = _fixture_lines(entry)
    assert len(lines) >= 3
    for m in lines:
        terms, ops = parse_chain(m.latex, names)
        assert len(terms) == len(ops) + 1
    if entry["expect"] == "correct":
        assert any(m.boxed for m in lines) or entry["file"].endswith(".tex")
    else:
        wrong = entry["expect"]["first_wrong_line"]
        assert wrong in [m.line for m in lines], "the planted error must sit on a step's line"
        assert lines[0].line < wrong, "a planted error follows at least one good step"


def test_fixtures_parse_in_about_a_millisecond_per_line():
    lines = [(m.latex, MANIFEST["latex_names"][e["problem"]]) for e in MANIFEST["files"] for m in _fixture_lines(e)]
    start = time.perf_counter()
    for latex, names in lines:
        parse_chain(latex, names)
    assert (time.perf_counter() - start) / len(lines) < 0.005


def test_fixtures_use_both_formats_and_varied_notation():
    files = [e["file"] for e in MANIFEST["files"]]
    assert {os.path.splitext(f)[1] for f in files} == {".md", ".tex"}
    text = "".join((STUDENTS / f).read_text() for f in files)
    for spelling in (r"^T", r"^\top", r"\mathbf", r"\boldsymbol", r"\bm", r"\left(", r"\frac", r"\Rightarrow",
                     r"\boxed", r"\begin{align*}", r"\begin{aligned}", r"\sum_j", r"\sum_{j=1}", r"\operatorname",
                     r"\mathbb{E}", r"\mathbb{V}", r"\lVert", r"\|", r"\implies", r"\therefore", r"\intercal"):
        assert spelling in text, spelling


def test_a_begin_without_an_environment_name_is_ignored():
    """Hostile input (the fuzzer's extractor failure): a bare \\begin is no environment, and the
    rest of the document is still read."""
    text = "\\documentclass{article}\n\\begin{document}\n\\begin\n\\begin{align} x &= 1 \\\\ y &= 2 \\end{align}\n\\end{document}\n"
    assert [m.latex for m in extract(text, "a.tex")] == ["x = 1", "y = 2"]

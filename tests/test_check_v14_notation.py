"""Students' writing met in blind corpus v14 (issue 10), after its held-out score: an align row
of several equations, each labelled in a text font (``\\text{units} &= … , & \\text{params} &= …``),
a labelled total opening a new block, a case of the solution with words before 'when'
(``(admissible when w > τν)``), and an operator the write-up declares. Each correct form is
accepted, and a slip in it is still caught."""
from checking import check, finals, status_at

from derive.check.extract import extract

COLUMNS = r"""\documentclass{article}
\begin{document}
\subsection*{sizes}
\begin{align*}
\text{conv}: &\quad 28 - 5 + 1 = 24, & \text{units } &= 24\cdot 24\cdot 8 = 4608, & \text{params} &= 5\cdot5\cdot3\cdot8 + 8 = 608\\
\text{FC}: && \text{units } &= 32, & \text{params} &= 576\cdot 32 + 32 = 18464
\end{align*}
Totals:
\begin{align*}
\text{neurons} &= 4608 + 32 = 4640
\end{align*}
\end{document}
"""


def test_an_align_row_of_several_labelled_equations_is_read_column_by_column():
    rows = [(m.line, m.continues) for m in extract(COLUMNS, "a.tex")]
    assert rows == [(5, False)] * 3 + [(6, False)] * 2 + [(10, False)], rows


def test_labelled_columns_are_checked_each_on_its_own(problems):
    report, steps = check(problems, "cnn-sizes-strided", COLUMNS)
    assert not [s for s in steps if s[1] == "wrong"], steps
    slipped, steps = check(problems, "cnn-sizes-strided", COLUMNS.replace("+ 8 = 608", "+ 8 = 600"))
    assert status_at(slipped, 5).count("wrong") == 1, steps
    slipped, steps = check(problems, "cnn-sizes-strided", COLUMNS.replace("= 4640", "= 4600"))
    assert status_at(slipped, 10) == ["wrong"], steps


CASES = """## lasso-1d
Let $w := z_0 - \\tau c(cz_0 - y)$. The derivative vanishes at $z = w - \\tau\\nu$ (admissible when $w > \\tau\\nu$); symmetrically $z = w + \\tau\\nu$ when $w < -\\tau\\nu$.
"""


def test_a_case_with_words_before_when_is_checked_where_it_holds(problems):
    report, steps = check(problems, "prox-steps", CASES)
    assert [s.move for s in report.steps if s.line == 2][1:] == ["a case of the solution", "the condition"] * 2, steps
    slipped, steps = check(problems, "prox-steps", CASES.replace("at $z = w - \\tau\\nu$", "at $z = w + \\tau\\nu$"))
    assert status_at(slipped, 2)[1] == "wrong", steps


OPERATOR = r"""\documentclass{article}
\DeclareMathOperator{\relu}{relu}
\begin{document}
\section*{1.1k-local}
\[ a_1 = \relu(z_1) - \alpha\relu(-z_1) \]
\end{document}
"""


def test_a_declared_operator_is_read_as_its_name(problems):
    report, steps = check(problems, "mit-6790-hw4-leaky-relu", OPERATOR)
    assert status_at(report, 5) == ["ok"], steps
    slipped, steps = check(problems, "mit-6790-hw4-leaky-relu", OPERATOR.replace("- \\alpha", "+ \\alpha"))
    assert status_at(slipped, 5) == ["wrong"], steps


def test_a_slash_before_a_row_divides_by_the_whole_product(problems):
    text = "## gradient\n$q(\\mathbf v) = \\mathbf a^\\top\\mathbf v / \\mathbf b^\\top\\mathbf v$\n"
    report, steps = check(problems, "ratio-scale-invariance", text)
    assert status_at(report, 2) == ["ok"], steps
    slipped, steps = check(problems, "ratio-scale-invariance", text.replace("/ \\mathbf b^\\top\\mathbf v", "/ \\mathbf b^\\top\\mathbf a"))
    assert status_at(slipped, 2) == ["wrong"], steps


OWN_LOGIT = r"""\section*{gradient}
Throughout, $q(u) := a^\top u + b$ is the logit, so $q(u_0) = m > 0$, and $\nabla_u q = a$.
Also $2\sigma(2q) - 1 = \tanh q$.
"""


def test_a_function_defined_with_the_letter_of_a_problem_scalar_is_applied(problems):
    report, steps = check(problems, "adversarial-tanh-margin", OWN_LOGIT)
    assert [s.status for s in report.steps if s.line == 2] == ["ok"] * 3, steps
    assert [s.status for s in report.steps if s.line == 3][-1] == "ok", steps          # bare q: the scalar
    slipped, steps = check(problems, "adversarial-tanh-margin", OWN_LOGIT.replace("\\nabla_u q = a$", "\\nabla_u q = 2a$"))
    assert status_at(slipped, 2)[-1] == "wrong", steps
    slipped, steps = check(problems, "adversarial-tanh-margin", OWN_LOGIT.replace("q(u_0) = m", "q(u_0) = 2m"))
    assert status_at(slipped, 2)[1] == "wrong", steps


REGRET = r"""\subsection*{4d}
Notation: $D_i = \|w^{(i)} - w^*\|^2 = r(i)^2$. The sum telescopes:
\[
\frac{1}{2n\eta}\sum_{i=1}^n (D_i - D_{i+1}) = \frac{1}{2n\eta}(D_1 - D_{n+1})
\]
"""


def test_a_definition_whose_middle_cannot_be_read_takes_its_readable_end(problems):
    report, steps = check(problems, "mit-6790-hw4-online-regret", REGRET)
    assert status_at(report, 2) == ["unknown"] and status_at(report, 4) == ["ok"], steps
    slipped, steps = check(problems, "mit-6790-hw4-online-regret", REGRET.replace("(D_1 - D_{n+1})", "(D_1 + D_{n+1})"))
    assert status_at(slipped, 4) == ["wrong"], steps


SIGMA_VALUE = """## attacked-logit
Write $t := \\mathbf v^\\top\\mathbf z$ and $\\sigma := \\sigma(t)$.
$$\\nabla_{\\mathbf z}\\,\\sigma(\\mathbf v^\\top\\mathbf z) = \\sigma(1-\\sigma)\\,\\mathbf v$$
"""


def test_sigma_named_as_a_value_is_still_the_sigmoid_when_applied(problems):
    report, steps = check(problems, "fgm-logistic", SIGMA_VALUE)
    assert all(s.status == "ok" for s in report.steps), steps
    slipped, steps = check(problems, "fgm-logistic", SIGMA_VALUE.replace("= \\sigma(1-\\sigma)", "= \\sigma(1+\\sigma)"))
    assert status_at(slipped, 3) == ["wrong"], steps


ENCODING = """## shift
Frequencies: $\\omega_j = 100^{-2j/6}$. The encoding is
$$\\mathbf{q}_n = (\\cos n\\omega_0, \\sin n\\omega_0, \\cos n\\omega_1, \\sin n\\omega_1, \\cos n\\omega_2, \\sin n\\omega_2)^\\top$$
"""


def test_sine_and_cosine_take_the_whole_product_after_them(problems):
    report, steps = check(problems, "positional-cosine-first", ENCODING)
    assert status_at(report, 3) == ["ok"], steps
    slipped, steps = check(problems, "positional-cosine-first", ENCODING.replace("(\\cos n\\omega_0, \\sin n", "(\\sin n\\omega_0, \\cos n"))
    assert status_at(slipped, 3) == ["wrong"], steps


PIXELS = r"""\section*{3.1}
\begin{align*}
(I*J)_{34} &= (I_{23}+I_{24}+I_{25}) - (I_{43}+I_{44}+I_{45}) = (1+1+1) - (1+1+0) = 1
\end{align*}
"""


def test_two_digits_on_a_given_matrix_name_one_of_its_entries(problems):
    report, steps = check(problems, "csc413-2022-hw2-convolution", PIXELS)
    assert status_at(report, 3) == ["ok"], steps
    slipped, steps = check(problems, "csc413-2022-hw2-convolution", PIXELS.replace("(1+1+1) - (1+1+0) = 1", "(1+1+1) - (1+0+0) = 2"))
    assert status_at(slipped, 3) == ["wrong"], steps


def test_a_number_with_thousands_separators_is_one_number(problems):
    text = "## 3.2\n$$P_1 = 1024\\cdot 1024 + 1024 = 1{,}049{,}600$$\n"
    report, steps = check(problems, "csc413-2022-hw2-cnn-sizes", text)
    assert status_at(report, 2) == ["ok"], steps
    slipped, steps = check(problems, "csc413-2022-hw2-cnn-sizes", text.replace("1{,}049{,}600", "1{,}048{,}600"))
    assert status_at(slipped, 2) == ["wrong"], steps


MINNORM = """## minnorm
The smallest-norm solution of $u_1 + 3u_2 = 3$ lies along the input $(1,3)$: $\\mathbf u = t(1,3)$ with $10t = 3$, so
$$\\mathbf u_{\\min} = \\left(\\tfrac{3}{10}, \\tfrac{9}{10}\\right)$$
"""


def test_a_displayed_name_for_the_solution_answers_after_a_form_of_it(problems):
    report, steps = check(problems, "adagrad-toy", MINNORM)
    assert finals(report) == {"minnorm": "correct"}, steps
    slipped, steps = check(problems, "adagrad-toy", MINNORM.replace("\\tfrac{9}{10}\\right)", "\\tfrac{9}{5}\\right)"))
    assert finals(slipped) == {"minnorm": "wrong"}, steps


SPECIAL_CASE = r"""\subsection*{affine}
\begin{align*}
x_k &= b^k x_0 + e\,\frac{1-b^k}{1-b}.
\end{align*}
(For $b = 1$ it is just $x_k = x_0 + ke$.)
"""


def test_a_special_case_in_parentheses_after_the_answer_is_not_the_answer(problems):
    report, steps = check(problems, "scalar-recurrences", SPECIAL_CASE)
    assert finals(report) == {"affine": "correct"}, steps
    slipped, steps = check(problems, "scalar-recurrences", SPECIAL_CASE.replace("\\frac{1-b^k}{1-b}", "\\frac{1-b^{k+1}}{1-b}"))
    assert finals(slipped) == {"affine": "wrong"}, steps


def test_what_a_supposition_would_need_is_not_claimed(problems):
    text = ("## 3.3c-sines\nSince $\\mathbf{s}_0 = \\mathbf{0}$, a matrix $W$ with "
            "$\\mathbf{s}_k = W\\mathbf{s}_0$ would need $\\mathbf{s}_k = \\mathbf{0}$.\n")
    report, steps = check(problems, "mit-6790-hw4-attention-positions", text)
    assert steps[-1][1] == "unknown" and "would" in steps[-1][3], steps
    said, steps = check(problems, "mit-6790-hw4-attention-positions", text.replace("would need", "gives"))
    assert steps[-1][1] == "wrong", steps


TOKENS = """## 3.3a
The input is $\\mathbf{x} = (x_1; x_2; x_3)$, the tokens one under another.
$$\\mathbf{q} = (I_3 \\otimes W_q^\\top)\\,\\mathbf{x}$$
$$\\mathbf{v} = \\begin{pmatrix} W_v^\\top & 0 & 0 \\\\ 0 & W_v^\\top & 0 \\\\ 0 & 0 & W_v^\\top \\end{pmatrix}\\mathbf{x}$$

## 3.3a-layer
$$\\mathbf{y} = \\begin{pmatrix} a_{11}W_v^\\top & a_{12}W_v^\\top & a_{13}W_v^\\top \\\\ a_{21}W_v^\\top & a_{22}W_v^\\top & a_{23}W_v^\\top \\\\ a_{31}W_v^\\top & a_{32}W_v^\\top & a_{33}W_v^\\top \\end{pmatrix}\\mathbf{x}$$
"""


def test_stacked_tokens_kronecker_products_and_attention_weights_are_read(problems):
    report, steps = check(problems, "mit-6790-hw4-attention", TOKENS)
    assert not [s for s in steps if s[1] in ("wrong", "unparsed", "unknown")], steps
    assert finals(report) == {"3.3a": "correct", "3.3a-layer": "correct"}, steps
    slipped, steps = check(problems, "mit-6790-hw4-attention", TOKENS.replace("a_{12}W_v^\\top & a_{13}", "a_{21}W_v^\\top & a_{13}"))
    assert finals(slipped)["3.3a-layer"] == "wrong", steps
    slipped, steps = check(problems, "mit-6790-hw4-attention", TOKENS.replace(
        "W_v^\\top & 0 & 0 \\\\ 0 & W_v^\\top & 0", "W_v & 0 & 0 \\\\ 0 & W_v & 0"))
    assert finals(slipped)["3.3a"] == "wrong", steps


def test_tokens_listed_with_commas_are_stacked(problems):
    text = ("### Part causal-matrix\nTokens stacked: $\\mathbf u = (u_1, u_2, u_3, u_4)$, so "
            "$$\\mathbf y = (A \\otimes B^\\top)\\,\\mathbf u$$\n")
    report, steps = check(problems, "attention-causal", text)
    assert not [s for s in steps if s[1] != "ok"] and finals(report) == {"causal-matrix": "correct"}, steps
    slipped, steps = check(problems, "attention-causal", text.replace("A \\otimes B^\\top", "A \\otimes B"))
    assert finals(slipped) == {"causal-matrix": "wrong"}, steps


def test_a_value_for_an_entry_of_a_free_matrix_is_not_checked(problems):
    text = ("### Part causal-matrix\nWith $\\mathbf u = (u_1, u_2, u_3, u_4)$,\n$$\\mathbf y = (A \\otimes B^\\top)\\,\\mathbf u$$\n"
            "Sanity check: the first token sees only itself (with $a_{11} = 1$ after the softmax).\n")
    report, steps = check(problems, "attention-causal", text)
    assert steps[-1][1] == "unknown" and "free" in steps[-1][3] and finals(report) == {"causal-matrix": "correct"}, steps

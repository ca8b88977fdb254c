"""Students' writing met in blind corpus v2, held out until this round (issue 10): a feature
x_{ij} beside the design matrix X, an equation in the unknown that looks like a name (x = εw),
a case of the indices (``for j = k``), cases of the solution (``if g_i > 0 take δ_i = −ε``), a
change of the unknown solved for (``s = −v/(2ν)`` after ``s = u − u₀``), a function of the step
size through a given (φ(ρ) = F(v₁)), a rewriting after an identity, layer labels on a given
family, the write-up's own macros, capital superscript labels, and a final value right only
where the problem does not say so. Each correct form is accepted, and a slip in it is caught."""
from checking import check, finals, status_at

from derive.check.macros import definitions, expand

COORDINATES = r"""\section*{1.2.2}
With $x_{ij}$ the $j$-th feature of example $i$:
\begin{equation*}
J(\mathbf{w}) = \frac{1}{2n}\sum_{i=1}^{n}\Big(\sum_{j=1}^{d} x_{ij}w_j - t_i\Big)^2 + \lambda\sum_{j=1}^{d} w_j^2
\end{equation*}
\begin{align*}
\frac{\partial J}{\partial w_k} &= \frac{1}{n}\sum_{i=1}^{n} x_{ik}\Big(\sum_{j=1}^{d} x_{ij}w_j - t_i\Big) + 2\lambda w_k
\end{align*}
"""


def test_two_indices_on_the_input_vector_are_an_entry_of_the_design_matrix(problems):
    report, steps = check(problems, "ridge-fgm", COORDINATES)
    assert [s.status for s in report.steps] == ["ok", "ok"], steps
    slipped, steps = check(problems, "ridge-fgm", COORDINATES.replace("+ 2\\lambda w_k", "+ \\lambda w_k"))
    assert status_at(slipped, 7) == ["wrong"], steps


SCALAR_FGM = """**1.2.3** The trained weight is $w = \\frac{xt}{x^2 + 2\\lambda}$.

$$w(x - \\epsilon w) = 0 \\iff x = \\epsilon w$$
$$\\epsilon = \\frac{x}{w} = \\frac{x^2 + 2\\lambda}{t}$$
"""


def test_an_equation_in_the_unknown_is_no_new_meaning_of_a_given(problems):
    report, steps = check(problems, "ridge-fgm", SCALAR_FGM)
    assert all(s.status == "ok" for s in report.steps) and finals(report) == {"1.2.3": "correct"}, steps
    slipped, steps = check(problems, "ridge-fgm", SCALAR_FGM.replace("{x^2 + 2\\lambda}{t}$$", "{x^2 + \\lambda}{t}$$"))
    assert status_at(slipped, 4) == ["wrong"], steps


MOMENTS = """### 3.2
Write $u_j = w_j x_j$. Using $\\mathbb{E}[\\pi_j] = 0$ and $\\mathbb{E}[\\pi_j\\pi_k] = \\sigma^2$ for $j = k$ (zero otherwise):

$$\\mathbb{E}\\Big[\\big(\\textstyle\\sum_j (1+\\pi_j)u_j - t\\big)^2\\Big] = \\Big(\\sum_j u_j - t\\Big)^2 + \\sum_{j,k}\\mathbb{E}[\\pi_j\\pi_k]u_ju_k$$
"""


def test_a_case_of_the_indices_is_read_with_its_claim_and_binds_nothing_after(problems):
    report, steps = check(problems, "dropout-gaussian", MOMENTS)
    assert all(s.status == "ok" for s in report.steps), steps
    assert [s.move for s in report.steps if s.line == 2][-1] == "condition on the indices"
    slipped, steps = check(problems, "dropout-gaussian", MOMENTS.replace("= \\sigma^2$ for", "= 2\\sigma^2$ for"))
    assert "wrong" in status_at(slipped, 2), steps


BOX = """1b. Write $\\delta_i = \\theta_i - \\theta_i^t$. The objective $\\sum_i g_i\\delta_i$ is a line in each $\\delta_i$, decreasing if $g_i > 0$ (take $\\delta_i = -\\varepsilon$) and increasing if $g_i < 0$ (take $\\delta_i = +\\varepsilon$). Either way

$$\\theta_i - \\theta_i^t = -\\varepsilon\\,\\mathrm{sgn}(g_i)$$
"""


def test_cases_of_the_solution_are_checked_where_their_condition_holds(problems):
    report, steps = check(problems, "trust-region", BOX)
    assert all(s.status == "ok" for s in report.steps) and finals(report) == {"1b": "correct"}, steps
    assert [s.move for s in report.steps if s.line == 1].count("a case of the solution") == 2
    after = check(problems, "trust-region", BOX.replace("(take $\\delta_i = -\\varepsilon$) and increasing",
                                                        "(take $\\delta_i = +\\varepsilon$) and increasing"))[0]
    assert "wrong" in status_at(after, 1), after.steps
    trailing = check(problems, "trust-region", "1b. Take $\\delta_i = -\\varepsilon$ when $g_i > 0$.\n")[0]
    assert [s.move for s in trailing.steps] == ["a case of the solution", "the condition"], trailing.steps


CENTRED = """Put $\\mathbf{s} = \\mathbf{u} - \\mathbf{u}_0$ (the step).

## tr-ball
$$\\Lambda(\\mathbf{s}, \\nu) = \\mathbf{v}^\\top\\mathbf{s} + \\nu\\left(\\mathbf{s}^\\top\\mathbf{s} - r^2\\right),$$
$$\\frac{\\partial\\Lambda}{\\partial\\mathbf{s}} = \\mathbf{v} + 2\\nu\\mathbf{s} = \\mathbf{0} \\quad\\Longrightarrow\\quad \\mathbf{s} = -\\frac{1}{2\\nu}\\mathbf{v}.$$
The constraint gives $\\frac{\\|\\mathbf{v}\\|}{2|\\nu|} = r$, and the minimum needs $\\nu > 0$, so $\\nu = \\frac{\\|\\mathbf{v}\\|}{2r}$ and
$$\\boxed{\\mathbf{u}^* = \\mathbf{u}_0 - r\\,\\frac{\\mathbf{v}}{\\|\\mathbf{v}\\|}}$$
"""


def test_a_change_of_the_unknown_set_equal_to_a_value_solves_for_it(problems):
    report, steps = check(problems, "trust-region-centred", CENTRED)
    assert not [s for s in steps if s[1] in ("wrong", "unparsed")] and finals(report) == {"tr-ball": "correct"}, steps
    assert [s.move for s in report.steps if s.line == 6][0] == "the constraint is active at the optimum"
    slipped, steps = check(problems, "trust-region-centred", CENTRED.replace("{\\|\\mathbf{v}\\|}{2|\\nu|} = r", "{\\|\\mathbf{v}\\|}{|\\nu|} = r"))
    assert "wrong" in status_at(slipped, 6), steps


LINE_SEARCH = """## best-rate
Let $\\phi(\\rho) = F(\\mathbf{v}_1)$. Then $\\phi''(\\rho) = \\mathbf{p}^\\top Q\\mathbf{p} > 0$.
"""


def test_a_function_of_the_step_size_sees_it_through_a_given(problems):
    report, steps = check(problems, "exact-line-search", LINE_SEARCH)
    assert all(s.status == "ok" for s in report.steps), steps
    slipped, steps = check(problems, "exact-line-search", LINE_SEARCH.replace("= \\mathbf{p}^\\top Q", "= 2\\mathbf{p}^\\top Q"))
    assert "wrong" in status_at(slipped, 2), steps


REWRITE = """## 1.2.1b
$$\\|\\mathbf w\\|^2 = w_1^2 + (1 - w_1)^2 = 2w_1^2 - 2w_1 + 1$$
"""


def test_a_link_after_an_identity_is_a_rewriting_not_an_equation(problems):
    report, steps = check(problems, "ridge-toy", REWRITE)
    assert status_at(report, 2) == ["ok"], steps
    slipped, steps = check(problems, "ridge-toy", REWRITE.replace("- 2w_1 + 1", "- w_1 + 1"))
    assert status_at(slipped, 2) == ["wrong"] and "item 3" in steps[0][3], steps


LAYERS = """3.1a
$$\\text{Var}\\big(a_i^{(\\ell)}\\big) = \\sum_{j=1}^{M}\\mathbb{E}[w_{ij}^2]\\,\\mathbb{E}\\big[(z_j^{(\\ell-1)})^2\\big] = M\\epsilon^2\\,\\frac{\\lambda^2}{2}$$
"""


def test_a_layer_label_on_a_given_family_is_decoration(problems):
    report, steps = check(problems, "relu-init", LAYERS)
    assert status_at(report, 2) == ["ok"], steps
    slipped, steps = check(problems, "relu-init", LAYERS.replace("\\frac{\\lambda^2}{2}", "\\lambda^2"))
    assert status_at(slipped, 2) == ["wrong"], steps


MACROS = r"""\documentclass{article}
\newcommand{\vg}{\mathbf{g}}
\newcommand{\nrm}[1]{\left\|#1\right\|_2}
\begin{document}
\section*{Question 1a}
\[ \theta^{t+1} = \theta^t - \frac{\varepsilon}{\nrm{\vg}}\,\vg \]
\section*{Question 1b}
\[ \Delta\theta_i = -\varepsilon\,\mathrm{sgn}(g_i) \]
\end{document}
"""


def test_the_write_ups_own_macros_are_expanded(problems):
    report, steps = check(problems, "trust-region", MACROS)
    assert all(s.status == "ok" for s in report.steps) and finals(report) == {"1a": "correct", "1b": "correct"}, steps
    slipped, _ = check(problems, "trust-region", MACROS.replace("\\frac{\\varepsilon}{\\nrm{\\vg}}", "\\frac{\\varepsilon}{2\\nrm{\\vg}}"))
    assert finals(slipped)["1a"] == "wrong"


def test_macro_expansion_is_bounded():
    macros, spans = definitions(r"\def\a{\a\a}\newcommand{\b}[2]{#2#1}\DeclareMathOperator{\Var}{Var}")
    assert set(macros) == {"a", "b", "Var"} and len(spans) == 3
    assert expand(r"\b{x}{y} + \Var(z)", macros) == r"yx + \operatorname{Var}(z)"
    assert len(expand(r"\a", macros)) < 200          # a macro that doubles itself stops growing
    assert expand(r"\alpha", macros) == r"\alpha"    # a longer command is not \a


LABELS = """## 2.3.1
$$\\mathbf{w}_1^{WD} = (1 - \\lambda)\\,\\mathbf{w}_0 - \\frac{2\\eta}{n}X^\\top(X\\mathbf{w}_0 - \\mathbf{t})$$
"""


def test_capital_superscripts_label_a_value(problems):
    report, steps = check(problems, "weight-decay-l2", LABELS)
    assert finals(report) == {"2.3.1": "correct"}, steps
    slipped, _ = check(problems, "weight-decay-l2", LABELS.replace("(1 - \\lambda)", "(1 - 2\\lambda)"))
    assert finals(slipped) == {"2.3.1": "wrong"}


def test_a_value_right_only_where_the_problem_does_not_say_so_is_not_the_solution(problems):
    report, steps = check(problems, "fgsm-weight-decay", "## 1.2.4b\n$$\\epsilon = x$$\n")
    assert finals(report) == {"1.2.4b": "wrong"}, steps
    assert report.parts[0].final_answer.counterexample["values"]["x"].startswith("-")
    right, steps = check(problems, "fgsm-weight-decay", "## 1.2.4b\n$$\\epsilon = |x|$$\n")
    assert finals(right) == {"1.2.4b": "correct"}, steps

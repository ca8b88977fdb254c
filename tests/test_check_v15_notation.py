"""Students' writing met in blind corpus v15 (issue 10), after its held-out score: vec(X) of the
tokens, a size stated for the example (``(Nd)^2 = 36``), a case written before its condition in
a sentence that also uses its name, an aside comparing with another attack, and a point the prose
picks by a formula. Each correct form is accepted, and a slip in it is still caught."""
from checking import check, finals, status_at

VEC = r"""\section*{3.3a}
I flatten row by row, $\operatorname{vec}(X) = (\mathbf{x}_1; \mathbf{x}_2; \mathbf{x}_3)$, and $Q = XW_q$:
\[
\operatorname{vec}(Q) = (I_3\otimes W_q^\top)\,\operatorname{vec}(X).
\]
That is 4 shared numbers instead of $(Nd)^2 = 36$.
"""


def test_vec_of_the_tokens_and_sizes_of_the_example(problems):
    report, steps = check(problems, "mit-6790-hw4-attention", VEC)
    assert [s[1] for s in steps] == ["ok", "ok", "ok", "unknown"] and finals(report) == {"3.3a": "correct"}, steps
    slipped, steps = check(problems, "mit-6790-hw4-attention", VEC.replace("I_3\\otimes W_q^\\top", "I_3\\otimes W_q"))
    assert finals(slipped) == {"3.3a": "wrong"}, steps


BOX = r"""\section*{1b}
Now $|\delta_i| \le \varepsilon$ and $\mathbf{g}^\top\boldsymbol\delta = \sum_i g_i\delta_i$: $\delta_i = -\varepsilon$ if $g_i > 0$ and $\delta_i = +\varepsilon$ if $g_i < 0$.
"""


def test_a_case_before_its_condition_in_a_sentence_that_uses_its_name(problems):
    report, steps = check(problems, "trust-region", BOX)
    assert [s[2] for s in steps if s[0] == 2][-4:] == ["a case of the solution", "the condition"] * 2, steps
    slipped, steps = check(problems, "trust-region", BOX.replace("-\\varepsilon$ if $g_i > 0$", "+\\varepsilon$ if $g_i > 0$"))
    assert "wrong" in status_at(slipped, 2), steps


ASIDE = """## zeroing-step
$$s = \\frac{\\mathbf v^\\top\\mathbf z}{\\sigma(\\mathbf v^\\top\\mathbf z)\\big(1-\\sigma(\\mathbf v^\\top\\mathbf z)\\big)\\,\\mathbf v^\\top\\mathbf v}$$
That is larger than when attacking the logit itself, compared with which ($s = \\mathbf v^\\top\\mathbf z/\\|\\mathbf v\\|^2$) it grows.
"""


def test_an_aside_comparing_with_another_attack_is_not_graded(problems):
    report, steps = check(problems, "fgm-logistic", ASIDE)
    assert steps[-1][1] == "unknown" and finals(report) == {"zeroing-step": "correct"}, steps
    slipped, steps = check(problems, "fgm-logistic", ASIDE.replace("\\mathbf v^\\top\\mathbf v}$$", "\\|\\mathbf v\\|}$$"))
    assert finals(slipped) == {"zeroing-step": "wrong"}, steps


POINT = r"""\subsection*{past-boundary}
The boundary is at $s = m/\rho$. For $v \ge 0$ the logit at $s = m/\rho + v$ is $-\rho v \le 0$, so the hinge is $0$ there and
\begin{equation*}
\psi(m/\rho + v) = \beta\left(\frac m\rho + v\right)^2 \ge \beta\frac{m^2}{\rho^2} = \psi(m/\rho) .
\end{equation*}
"""


def test_a_point_the_prose_picks_by_a_formula_is_no_claim(problems):
    report, steps = check(problems, "adversarial-tanh-margin", POINT)
    assert [s[1] for s in steps if s[0] == 2] == ["ok", "ok", "unknown", "ok"] and status_at(report, 4) == ["ok"], steps
    slipped, steps = check(problems, "adversarial-tanh-margin", POINT.replace("\\left(\\frac m\\rho + v\\right)^2 \\ge", "\\left(\\frac m\\rho - v\\right)^2 \\ge"))
    assert status_at(slipped, 4) == ["wrong"], steps


WEIGHTED = """$X = \\begin{pmatrix}1&1\\\\-1&-1\\end{pmatrix}$, $\\mathbf y = (1,-1)$, $D = \\operatorname{diag}(1,4)$.

## weighted-ridge
$$J(\\mathbf u) = \\|X\\mathbf u - \\mathbf y\\|^2 + \\lambda\\,\\mathbf u^\\top D\\mathbf u$$
$$\\nabla J = 2X^\\top X\\mathbf u - 2X^\\top\\mathbf y + 2\\lambda D\\mathbf u = 0$$

## weighted-limit
Lagrangian $\\mathcal L = u_1^2 + 4u_2^2 - \\nu(u_1 + u_2 - 1)$:
$$2u_1 = \\nu, \\qquad 8u_2 = \\nu \\;\\Rightarrow\\; u_1 = 4u_2$$
$$4u_2 + u_2 = 1 \\Rightarrow u_2 = \\frac15,\\quad u_1 = \\frac45$$
"""


def test_a_diagonal_matrix_and_entries_answered_one_by_one(problems):
    report, steps = check(problems, "ridge-weighted-toy", WEIGHTED)
    assert status_at(report, 1)[-1] == "ok" and status_at(report, 4) == status_at(report, 5) == ["ok"], steps
    assert finals(report)["weighted-limit"] == "correct", steps
    slipped, steps = check(problems, "ridge-weighted-toy", WEIGHTED.replace("+ 2\\lambda D", "+ \\lambda D"))
    assert status_at(slipped, 5) == ["wrong"], steps
    slipped, steps = check(problems, "ridge-weighted-toy", WEIGHTED.replace("u_1 = \\frac45$$", "u_1 = \\frac35$$"))
    assert finals(slipped)["weighted-limit"] == "wrong", steps


BRACES = """## expected-loss
$$\\tilde y = \\sum_k b_k(c_k + \\xi_k) = \\underbrace{\\sum_k b_kc_k}_{=:\\,\\mu} + \\underbrace{\\sum_k b_k\\xi_k}_{=:\\,N}$$
so $\\mathbb E[N^2] = \\tau^2\\sum_k b_k^2$ and
$$\\mathbb E[(\\tilde y - y)^2] = (\\mu - y)^2 + \\mathbb E[N^2] = \\Big(\\sum_k b_kc_k - y\\Big)^2 + \\tau^2\\sum_k b_k^2$$
"""


def test_a_name_under_a_brace_names_the_expression(problems):
    report, steps = check(problems, "input-noise-ridge", BRACES)
    assert all(s[1] == "ok" for s in steps) and finals(report) == {"expected-loss": "correct"}, steps
    slipped, steps = check(problems, "input-noise-ridge", BRACES.replace("so $\\mathbb E[N^2] = \\tau^2", "so $\\mathbb E[N^2] = 2\\tau^2"))
    assert status_at(slipped, 3) == ["wrong"], steps


def test_a_special_case_opened_with_if_after_the_answer_is_not_the_answer(problems):
    text = ("\\subsection*{affine}\n\\begin{equation*}\nx_k = b^k x_0 + (1 - b^k)\\,\\frac{e}{1-b}.\n\\end{equation*}\n"
            "(If $b = 1$ it is just $x_k = x_0 + ke$.)\n")
    report, steps = check(problems, "scalar-recurrences", text)
    assert finals(report) == {"affine": "correct"} and "wrong" not in [s[1] for s in steps], steps
    slipped, steps = check(problems, "scalar-recurrences", text.replace("(1 - b^k)\\,\\frac", "(1 - b^{k+1})\\,\\frac"))
    assert finals(slipped) == {"affine": "wrong"}, steps

"""Students' writing met in blind corpus v11 (issue 10): a Lagrangian stated in prose with its
stationarity written without ∂ (``2u₁ = ν``), a boxed value opening an inequality, the part's
convolution indexed (``(s ∗ h)_i``), a Jacobian written as a gradient, a chain going on with '='
after '≤ B', and a condition part answered after a point the prose picks. Each correct form is
accepted, and a slip in it is still caught."""
from checking import check, status_at, finals





MINNORM = """## minnorm
Lagrangian $\\mathcal L = u_1^2 + u_2^2 - \\nu(u_1 + 3u_2 - 3)$:
$$2u_1 = \\nu, \\quad 2u_2 = 3\\nu$$
$$\\frac{\\nu}{2} + \\frac{9\\nu}{2} = 3 \\Rightarrow \\nu = \\frac35$$
$$\\boxed{\\mathbf u^\\star = \\left(\\tfrac{3}{10}, \\tfrac{9}{10}\\right)}$$
"""


def test_stationarity_written_entry_by_entry_without_a_derivative(problems):
    report, steps = check(problems, "adagrad-toy", MINNORM)
    assert all(s.status == "ok" for s in report.steps) and finals(report) == {"minnorm": "correct"}, steps
    assert [s.move for s in report.steps if s.line == 3] == ["sets a partial derivative to zero"] * 2
    slipped, steps = check(problems, "adagrad-toy", MINNORM.replace("2u_2 = 3\\nu", "2u_2 = 2\\nu"))
    assert status_at(slipped, 3) == ["ok", "wrong"], steps


def test_a_boxed_value_that_opens_an_inequality_answers_the_part(problems):
    text = "## gap\nSo the limit's squared norm is larger by $\\boxed{9/40} > 0$.\n"
    report, steps = check(problems, "adagrad-toy", text)
    assert finals(report) == {"gap": "correct"}, steps
    off, steps = check(problems, "adagrad-toy", text.replace("9/40", "9/20"))
    assert finals(off) == {"gap": "wrong"}, steps


def test_an_entry_of_the_parts_convolution_and_a_jacobian_are_not_type_errors(problems):
    text = ("## smooth\n$$(\\mathbf s * \\mathbf h)_i = \\tfrac14 s_{i-1} + \\tfrac12 s_i + \\tfrac14 s_{i+1}$$\n"
            "$$\\mathbf s * \\mathbf h = (1, 4, 6, 4, 0, -2)$$\n")
    report, steps = check(problems, "conv-filters-numeric", text)
    assert "wrong" not in [s.status for s in report.steps] and finals(report) == {"smooth": "correct"}, steps
    jac, steps = check(problems, "minnorm-sgd", "## 1.1.1b\nWith $\\mathbf r = X\\mathbf w - \\mathbf t$ and $\\nabla_{\\mathbf w}\\mathbf r = X^\\top$.\n")
    assert "wrong" not in [s.status for s in jac.steps], steps


REGRET = """## 4d
\\begin{align*}
L_n - L_* &= \\frac1n\\sum_{i=1}^n \\left(\\frac{r(i)^2 - r(i+1)^2 + \\eta^2 G_i}{2\\eta} - c_i\\right) \\\\
&\\le \\frac1n\\sum_{i=1}^n \\frac{r(i)^2 - r(i+1)^2 + \\eta^2 G_i}{2\\eta} \\\\
&= \\frac{1}{2n\\eta}\\left(r(1)^2 - r(n+1)^2 + \\eta^2\\sum_{i=1}^n G_i\\right)
\\end{align*}
"""


def test_an_equality_after_an_inequality_continues_from_its_bound(problems):
    report, steps = check(problems, "mit-6790-hw4-online-regret", REGRET)
    assert status_at(report, 5) == ["ok"], steps
    slipped, steps = check(problems, "mit-6790-hw4-online-regret", REGRET.replace("- r(n+1)^2 + \\eta^2\\sum", "+ r(n+1)^2 + \\eta^2\\sum"))
    assert status_at(slipped, 5) == ["wrong"], steps


CONDITION = """\\section*{5d}
With $\\omega = \\|W\\|$: at the boundary $t = z^*/\\omega$ the hinge is $0$; at $t = 0$ it is $\\sigma(z^*) - \\tfrac12$:
\\[ \\varphi(z^*/\\omega) = \\alpha\\frac{(z^*)^2}{\\omega^2} \\]
The boundary point wins iff
\\[ \\alpha < \\frac{\\omega^2\\left(\\sigma(z^*) - \\tfrac12\\right)}{(z^*)^2} \\]
"""


def test_a_condition_part_is_answered_by_its_condition_after_a_point_the_prose_picks(problems):
    report, steps = check(problems, "mit-6790-hw4-adversarial", CONDITION)
    assert finals(report) == {"5d": "correct"}, steps
    off, steps = check(problems, "mit-6790-hw4-adversarial", CONDITION.replace("\\alpha < \\frac{\\omega^2", "\\alpha < \\frac{\\omega"))
    assert finals(off) == {"5d": "wrong"}, steps


def test_an_entry_of_the_answer_named_before_it_is_located(problems):
    text = ("## edges\n$$Y_{11} = (1 - 1) + 2(1 - 1) + (1 - 2) = -1$$\n$$Y_{12} = (0 - 1) + (0 - 1) + (0 - 1) = -3$$\n"
            "$$\\boxed{Y = \\begin{pmatrix} -1 & -3 \\\\ -1 & -4 \\end{pmatrix}}$$\n")
    report, steps = check(problems, "conv-filters-numeric", text)
    assert status_at(report, 2) == ["ok"] and status_at(report, 3) == ["wrong"], steps
    right, steps = check(problems, "conv-filters-numeric", text.replace("(0 - 1) + (0 - 1) + (0 - 1) = -3", "(0 - 1) + 2(0 - 1) + (0 - 1) = -4")
                         .replace("-1 & -3", "-1 & -4"))
    assert "wrong" not in [s.status for s in right.steps] and finals(right) == {"edges": "correct"}, steps


def test_a_sum_over_the_only_dimension_and_a_named_rest(problems):
    report, steps = check(problems, "fgsm-norm-bounds", "## l2\n$$\\|r\\,\\mathrm{sgn}(\\mathbf{v})\\|_2 = \\sqrt{\\sum_i r^2} = r\\sqrt{k}$$\n")
    assert [s.status for s in report.steps] == ["ok"], steps
    text = ("## step-loss\nWrite $\\hat{\\mathbf{g}} = \\mathbf{h} + \\mathbf{e}$ with $\\mathbb{E}[\\mathbf{e}] = 0$.\n"
            "## total-variance\n$$\\mathbb{E}\\|\\hat{\\mathbf{g}} - \\mathbf{h}\\|^2 = \\operatorname{tr}\\operatorname{Cov}(\\hat{\\mathbf{g}}) = \\frac{\\operatorname{tr}(S)}{B}$$\n")
    report, steps = check(problems, "minibatch-gradient-covariance", text)
    assert all(s.status == "ok" for s in report.steps), steps
    off, steps = check(problems, "minibatch-gradient-covariance", text.replace("\\frac{\\operatorname{tr}(S)}{B}", "\\operatorname{tr}(S)"))
    assert "wrong" in [s.status for s in off.steps], steps


def test_the_vector_of_numbered_scalars_and_a_name_spelled_with_an_underscore(problems):
    text = ("## 1.2.1d\nMin-norm fit is along $a$: $w = \\frac{t}{\\|a\\|^2}a = \\frac25(2, 1) = \\left(\\frac45, \\frac25\\right)$.\n"
            "## 1.2.1e\n$$2s^2 - \\|w_{\\min}\\|^2 = \\frac89 - \\left(\\frac{16}{25} + \\frac{4}{25}\\right) = \\frac{4}{45}$$\n")
    report, steps = check(problems, "rmsprop-minnorm", text)
    assert all(s.status == "ok" for s in report.steps), steps
    assert finals(report) == {"1.2.1d": "correct", "1.2.1e": "correct"}
    off, steps = check(problems, "rmsprop-minnorm", text.replace("\\frac{t}{\\|a\\|^2}a", "\\frac{t}{\\|a\\|}a"))
    assert status_at(off, 2) == ["wrong"], steps


def test_v13_a_name_rebound_with_a_colon_and_a_text_head_and_a_head_label(problems):
    text = ("## 1.2.1c\n$$\\frac{\\partial J}{\\partial w_1} = (w_1+w_2-1) + 2\\lambda w_1 = 0,\\qquad "
            "\\frac{\\partial J}{\\partial w_2} = (w_1+w_2-1) + 2\\lambda w_2 = 0$$\n"
            "Subtracting, $w_1 = w_2 =: w$. Then\n$$2w - 1 + 2\\lambda w = 0$$\n")
    report, steps = check(problems, "ridge-toy-lambda", text)
    assert "wrong" not in [s.status for s in report.steps], steps           # w is the student's scalar now
    result, steps = check(problems, "conv-filters-numeric",
                          "## edges\n$$o_{22} = 0 - 4 = -4$$\n$$\\text{result} = \\begin{pmatrix} -1 & -4 \\\\ -1 & -4 \\end{pmatrix}$$\n")
    assert "wrong" not in [s.status for s in result.steps] and finals(result) == {"edges": "correct"}, steps
    heads, steps = check(problems, "mit-6790-hw4-attention",
                         "## 3.3b\nLet $S_h(Z) = Z W_q^{(h)} W_k^{(h)\\top} Z^\\top/\\sqrt{d}$.\n")
    assert "wrong" not in [s.status for s in heads.steps], steps


def test_v13_an_inner_bound_of_a_chain_that_goes_on_unread_is_no_answer(problems):
    text = ("## 4d\n\\begin{align*}\nL_n - L_* &\\le \\frac1n \\sum_{i=1}^n s_i \\\\\n"
            "&= \\frac{1}{2\\eta n}\\bigl(r_1^2 - r_{n+1}^2\\bigr) \\\\\n\\end{align*}\n")
    report, steps = check(problems, "mit-6790-hw4-online-regret", text)
    assert finals(report) != {"4d": "wrong"}, steps


def test_v13_an_entry_of_the_parts_convolution_is_checked_against_the_answer(problems):
    text = ("\\section*{3.1}\n\\begin{align*}\n(\\mathbf I * \\mathbf J)_{22} &= (0+0+0) - (1+1+1) = -3 \\\\\n"
            "(\\mathbf I * \\mathbf J)_{34} &= (1+1+1) - (1+1+0) = 1\n\\end{align*}\n")
    report, steps = check(problems, "csc413-2022-hw2-convolution", text)
    assert "wrong" not in [s.status for s in report.steps], steps
    slipped, steps = check(problems, "csc413-2022-hw2-convolution", text.replace("(1+1+1) - (1+1+0) = 1", "(1+1+1) - (1+1+1) = 0"))
    assert status_at(slipped, 4) == ["wrong"], steps

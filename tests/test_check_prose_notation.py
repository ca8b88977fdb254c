"""More of students' notation (issue 10, tuned on blind corpus v5): a derivative with a slash
(∂E/∂y, dE/dw), a value stated to its digits (≈ 0.550), an assignment (w₁ ← …), a label in a
text font (w₁^{new}), a condition stated in the same sentence (``= 1 when z₁ > 0``), a scalar rule
stated with the problem's letter, a student's own ``e``, and an earlier part's result named by
its symbol (``= w^*``). Each correct form is accepted, and a slip in it is still caught."""
import pytest

from derive.check.run import check_text


def verdicts(problems, pid, text):
    report = check_text(text, "student.md", problems(pid))
    return {s.line: s for s in report.steps}, report


def statuses(steps):
    return [(n, s.status, s.reason) for n, s in sorted(steps.items())]


BACKPROP = """## 1.1e

- $\\partial E/\\partial y = y - t$
- $\\partial y/\\partial z_2 = y(1-y)$
- $\\partial a_1/\\partial z_1 = 1$ when $z_1 > 0$ and $0$ otherwise

## 1.1g

$$w_1^{\\text{new}} = w_1 - \\eta\\,\\frac{\\partial E}{\\partial w_1} = 0.1 - 0.25\\,\\eta$$

## 1.1h

Now $w_1 = -0.1$, so $z_1 = -0.2$ and $a_1 = 0$.

$$\\boxed{y = \\sigma(0.2) = \\frac{1}{1 + e^{-0.2}}} \\approx 0.550$$
"""


def test_slash_derivatives_labels_conditions_and_approximations_are_read(problems):
    steps, report = verdicts(problems, "mit-6790-hw4-backprop", BACKPROP)
    assert all(s.status == "ok" for s in steps.values()), statuses(steps)
    moves = [s.move for s in report.steps if s.line == 5]
    assert moves == ["holds under the stated condition", "the condition"]
    assert {p.part: p.final_answer.status for p in report.parts} == {"1.1e": "correct", "1.1g": "correct", "1.1h": "correct"}


@pytest.mark.parametrize("line, slip", [
    (3, ("= y - t$", "= t - y$")),
    (5, ("when $z_1 > 0$", "when $z_1 < 0$")),          # the condition stated is the wrong one
    (9, ("0.1 - 0.25", "0.1 + 0.25")),
    (15, ("\\approx 0.550", "\\approx 0.650")),
])
def test_a_slip_in_that_notation_is_still_wrong(problems, line, slip):
    _, report = verdicts(problems, "mit-6790-hw4-backprop", BACKPROP.replace(*slip))
    assert "wrong" in [s.status for s in report.steps if s.line == line], [(s.line, s.status, s.reason) for s in report.steps]


def test_an_assignment_arrow_gives_the_new_value(problems):
    text = "## 1.1i\n\nHere $w_1 = -0.1$ and $z_1 < 0$.\n\n$$\\partial E/\\partial w_1 = 0$$\n\n$$w_1 \\leftarrow w_1 - \\eta \\cdot 0 = -0.1$$\n"
    steps, report = verdicts(problems, "mit-6790-hw4-backprop", text)
    assert steps[7].status == "ok" and steps[7].move == "an update", statuses(steps)
    assert report.parts[0].final_answer.status == "correct"
    steps, report = verdicts(problems, "mit-6790-hw4-backprop", text.replace("= -0.1$$", "= -0.2$$"))
    assert steps[7].status == "wrong"


def test_a_scalar_rule_stated_with_the_problems_vector_letter(problems):
    good = "## step\n\nAway from zero, $\\frac{d}{dv}|v| = \\operatorname{sign}(v)$ for each coordinate.\n"
    steps, _ = verdicts(problems, "elastic-net-step", good)
    assert steps[3].status == "ok" and steps[3].move == "a rule for one scalar", statuses(steps)
    steps, _ = verdicts(problems, "elastic-net-step", good.replace("\\operatorname{sign}(v)", "v"))
    assert steps[3].status == "wrong"


def test_a_students_own_e_is_not_eulers_number(problems):
    text = "## expected-loss\n\nLet $e := \\sum_k b_k\\xi_k$.\n\n$$\\mathbb{E}[e^2] = \\tau^2\\sum_k b_k^2$$\n"
    steps, _ = verdicts(problems, "input-noise-ridge", text)
    assert steps[5].status == "ok", statuses(steps)
    steps, _ = verdicts(problems, "input-noise-ridge", text.replace("\\tau^2\\sum", "\\tau\\sum"))
    assert steps[5].status == "wrong"


def test_an_earlier_parts_result_named_by_its_symbol(problems):
    text = ("## 1.1.1c\n\n$$X X^\\top \\mathbf{c} = \\mathbf{t}$$\n\n"
            "$$\\mathbf{c} = (XX^\\top)^{-1}\\mathbf{t}, \\qquad \\hat{\\mathbf{w}} = X^\\top\\mathbf{c} = "
            "X^\\top(XX^\\top)^{-1}\\mathbf{t} = \\mathbf{w}^*$$\n")
    steps, report = verdicts(problems, "minnorm-sgd", text)
    assert all(s.status == "ok" for s in steps.values()), statuses(steps)
    assert report.parts[0].final_answer.status == "correct"      # c, not the closing remark about w*
    steps, _ = verdicts(problems, "minnorm-sgd", text.replace("X^\\top(XX^\\top)^{-1}\\mathbf{t} = \\mathbf{w}^*",
                                                                "(XX^\\top)^{-1}X\\mathbf{t} = \\mathbf{w}^*"))
    assert any(s.status == "wrong" for s in steps.values())


RIDGE_DUAL = """## 1.2.2

$$\\frac{1}{n}X^\\top (X\\mathbf{w} - \\mathbf{t}) + 2\\lambda \\mathbf{w} = \\mathbf{0}$$

$$\\mathbf{w} = X^\\top \\boldsymbol{\\alpha}, \\quad \\boldsymbol{\\alpha} = (X X^\\top + 2n\\lambda I_n)^{-1} \\mathbf{t}$$
"""


def test_a_form_for_the_solution_with_a_new_name_is_checked_by_what_follows(problems):
    steps, report = verdicts(problems, "ridge-fgm", RIDGE_DUAL)
    assert [s.move for s in report.steps][1] == "a form for the solution"
    assert all(s.status == "ok" for s in report.steps), statuses(steps)
    _, report = verdicts(problems, "ridge-fgm", RIDGE_DUAL.replace("X^\\top \\boldsymbol{\\alpha},", "X^\\top \\boldsymbol{\\alpha}/2,"))
    assert [s.status for s in report.steps] == ["ok", "ok", "wrong"]


MIN_NORM = """## 1.1.1c

$$\\mathbf{c} = (XX^\\top)^{-1}\\mathbf{t}, \\qquad \\hat{\\mathbf{w}} = X^\\top\\mathbf{c}$$

Any other exact fit is $\\hat{\\mathbf{w}} + \\mathbf{u}$ with $X\\mathbf{u} = \\mathbf{0}$, and then

$$\\hat{\\mathbf{w}}^\\top\\mathbf{u} = \\mathbf{c}^\\top X\\mathbf{u} = 0, \\qquad \\|\\hat{\\mathbf{w}} + \\mathbf{u}\\|^2 = \\|\\hat{\\mathbf{w}}\\|^2 + \\|\\mathbf{u}\\|^2$$
"""


def test_a_condition_on_a_new_vector_holds_in_the_lines_that_follow(problems):
    _, report = verdicts(problems, "minnorm-sgd", MIN_NORM)
    assert [s.status for s in report.steps] == ["ok"] * 5, [(s.line, s.status, s.reason) for s in report.steps]
    assert report.steps[2].move == "a condition on a new name"
    _, report = verdicts(problems, "minnorm-sgd", MIN_NORM.replace("\\|^2 + \\|\\mathbf{u}", "\\|^2 - \\|\\mathbf{u}"))
    assert report.steps[-1].status == "wrong"


MIRROR = """## 3b

Put $x^0 = \\sigma(\\eta^0)$ and $x^1 = \\sigma(\\eta^1)$. Taking the logit of the update,

$$\\eta^1 = \\operatorname{logit}(x^1) = \\operatorname{logit}(x^0) - \\varepsilon f'(x^0) = \\eta^0 - \\varepsilon f'(\\sigma(\\eta^0))$$
"""


def test_a_change_of_variables_and_a_time_step_beside_a_declared_one(problems):
    _, report = verdicts(problems, "mirror-descent-kl", MIRROR)
    assert [s.status for s in report.steps] == ["ok"] * 3, [(s.line, s.status, s.reason) for s in report.steps]
    assert report.steps[0].move == "a change of variables"
    assert report.parts[0].final_answer.status == "correct"
    _, report = verdicts(problems, "mirror-descent-kl", MIRROR.replace("- \\varepsilon f'(\\sigma", "+ \\varepsilon f'(\\sigma"))
    assert report.steps[-1].status == "wrong"


def test_the_start_of_an_iteration_as_an_example_value(problems):
    text = "## 1.1.1b\n\nThe start $\\mathbf{w} = \\mathbf{0} = X^\\top\\mathbf{0}$ is in the row space.\n"
    _, report = verdicts(problems, "minnorm-sgd", text)
    assert report.steps[0].status == "ok" and report.steps[0].move == "an example value"
    _, report = verdicts(problems, "minnorm-sgd", text.replace("X^\\top\\mathbf{0}", "X^\\top\\mathbf{t}"))
    assert report.steps[0].status != "ok"


WEIGHTNORM_2C = """## 2c

In the plane, $\\mathbf{w}_0 = (1, 0)$ and $\\mathbf{g} = (0, a)$, so $\\nabla R(\\mathbf{w}_0) = (\\lambda, 0)$.

$$\\mathbf{w}_1 = \\mathbf{w}_0 - \\alpha(\\mathbf{g} + \\lambda\\mathbf{w}_0) = (1 - \\alpha\\lambda, -\\alpha a)$$

$$\\|\\mathbf{w}_1\\|^2 = (1-\\alpha\\lambda)^2 + \\alpha^2 a^2 = 1 - 2\\alpha\\lambda + \\alpha^2(\\lambda^2 + a^2)$$

$$\\|\\mathbf{w}_1\\|^2 < 1$$

$$\\alpha(\\lambda^2 + a^2) < 2\\lambda$$

$$0 < \\alpha < \\frac{2\\lambda}{\\lambda^2 + a^2}$$
"""


def test_a_condition_worked_in_the_plane_is_checked_line_by_line(problems):
    _, report = verdicts(problems, "weightnorm-decay", WEIGHTNORM_2C)
    assert all(s.status == "ok" for s in report.steps), [(s.line, s.status, s.reason) for s in report.steps]
    assert [s.move for s in report.steps][-3:] == ["an equivalent condition"] * 3
    assert report.parts[0].final_answer.status == "correct"


@pytest.mark.parametrize("slip", [
    ("1 - 2\\alpha\\lambda + \\alpha^2", "1 - \\alpha\\lambda + \\alpha^2"),       # a dropped 2 in an identity
    ("\\|^2 < 1$$", "\\|^2 < 2$$"),                                                # the wrong threshold
    ("< 2\\lambda$$", "< \\lambda$$"),
    ("< \\frac{2\\lambda}", "< \\frac{\\lambda}"),
])
def test_a_wrong_condition_or_identity_in_the_plane_is_wrong(problems, slip):
    _, report = verdicts(problems, "weightnorm-decay", WEIGHTNORM_2C.replace(*slip))
    assert "wrong" in [s.status for s in report.steps], [(s.line, s.status, s.reason) for s in report.steps]


def test_named_results_gradients_at_a_point_and_entries(problems):
    text = ("## 2a\n\n$$\\mathbf{w}_1 = \\mathbf{w}_0 - \\alpha\\nabla\\tilde{L}(\\mathbf{w}_0) = "
            "(1-\\alpha\\lambda)\\mathbf{w}_0 - \\alpha\\nabla_{\\mathbf{w}}\\mathcal{L}(y(\\mathbf{w}_0))$$\n\n"
            "## 2b-grad\n\n$$\\frac{\\partial y}{\\partial w_k} = \\frac{x_k}{\\|\\mathbf{w}\\|} - "
            "\\frac{(\\sum_j w_j x_j)\\, w_k}{\\|\\mathbf{w}\\|^3}$$\n\n"
            "## 2b\n\n$$\\nabla R = \\lambda\\mathbf{w}$$\n")
    _, report = verdicts(problems, "weightnorm-decay", text)
    assert all(s.status == "ok" for s in report.steps), [(s.line, s.status, s.reason) for s in report.steps]
    assert report.parts[1].final_answer.status == "correct"        # entry k of the gradient, for every k
    _, report = verdicts(problems, "weightnorm-decay", text.replace("\\|^3}$$", "\\|^2}$$"))
    assert report.parts[1].final_answer.status == "wrong"
    _, report = verdicts(problems, "weightnorm-decay", text.replace("(1-\\alpha\\lambda)", "(1+\\alpha\\lambda)"))
    assert report.steps[0].status == "wrong"


def test_a_defined_name_as_a_function_a_starred_result_and_a_next_step(problems):
    text = ("## 2.1.1a-mean\n\n$$\\mathbb{E}[g_B(w)] = aw$$\n\n## 2.1.1a-trend\n\n"
            "$$\\frac{d\\eta^*}{dB} = \\frac{a\\sigma^2w^2}{(a^2Bw^2 + \\sigma^2)^2}$$\n")
    _, report = verdicts(problems, "nqm-batch", text)
    assert [s.status for s in report.steps] == ["ok", "ok"], [(s.line, s.reason) for s in report.steps]
    _, report = verdicts(problems, "nqm-batch", text.replace("= aw$$", "= a$$"))
    assert report.steps[0].status == "wrong"
    step = "## 1b\n\n$$\\boldsymbol{\\theta}^{t+1} = \\boldsymbol{\\theta}^t - \\varepsilon\\,\\mathrm{sign}(\\mathbf{g})$$\n"
    _, report = verdicts(problems, "trust-region", step)
    assert report.steps[0].status == "ok" and report.parts[0].final_answer.status == "correct"
    _, report = verdicts(problems, "trust-region", step.replace("- \\varepsilon", "+ \\varepsilon"))
    assert report.parts[0].final_answer.status == "wrong"


def test_a_toy_case_after_the_answer_is_not_graded_as_the_answer(problems):
    text = ("## 2.2.3\n\n$$\\eta^* = \\frac{n\\,\\mathbf{a}^\\top X X^\\top\\mathbf{a}}{2\\,\\|X X^\\top\\mathbf{a}\\|^2}$$\n\n"
            "A toy check with $n = 2$: then $\\mathbf{a}^\\top K\\mathbf{a} = 4$ and $\\eta^* = 1/2$.\n")
    _, report = verdicts(problems, "optimal-lr", text)
    assert all(s.status != "wrong" for s in report.steps), [(s.line, s.status, s.reason) for s in report.steps]
    assert [s.move for s in report.steps][1] == "a worked example"
    assert report.parts[0].final_answer.status == "correct"


def test_a_family_written_for_the_problems_numbered_symbols(problems):
    text = ("## 1.2.1b\n\nWith residual $r = a_1w_1 + a_2w_2 - t$, $g_i = 2a_i r$ and\n\n"
            "$$\\frac{g_i}{\\sqrt{\\beta a_i^2 V + (1-\\beta)g_i^2}} = \\frac{2r}{\\sqrt{\\beta V + 4(1-\\beta)r^2}}$$\n")
    _, report = verdicts(problems, "rmsprop-minnorm", text)
    assert [s.status for s in report.steps] == ["ok", "ok", "ok"], [(s.line, s.status, s.reason) for s in report.steps]
    assert report.steps[1].move == "for each i = 1…2"
    _, report = verdicts(problems, "rmsprop-minnorm", text.replace("$g_i = 2a_i r$", "$g_i = a_i r$"))
    assert report.steps[1].status == "wrong" and report.steps[1].reason.startswith("for i = 1")


def test_prose_conditions_remarks_and_a_bound_after_the_value(problems):
    text = ("## 1.1.1\n\n$$\\|\\boldsymbol{\\delta}_1\\|_\\infty - \\|\\boldsymbol{\\delta}_2\\|_\\infty = "
            "\\epsilon\\,(1 - \\|\\mathbf{w}\\|_\\infty)$$\n\nEqual iff $\\|\\mathbf{w}\\|_\\infty = 1$.\n")
    _, report = verdicts(problems, "fgsm-linf", text)
    assert [s.status for s in report.steps] == ["ok", "unknown"]         # a condition is not a claim
    assert report.parts[0].final_answer.status == "correct"              # and not the answer
    text = ("## 2.2.2\n\n$$L_1(\\eta) = L(\\mathbf{w}_1)$$\n\n$$\\frac{d^2L_1}{d\\eta^2} = \\frac{8}{n^3}\\|XX^\\top(X\\mathbf{w}_0 - \\mathbf{t})\\|^2$$\n\n"
            "A squared norm, so the second derivative is $\\ge 0$.\n")
    _, report = verdicts(problems, "one-step-convexity", text)
    assert [s.status for s in report.steps] == ["ok", "ok", "ok"], [(s.line, s.reason) for s in report.steps]
    assert report.parts[0].final_answer.status == "correct"
    _, report = verdicts(problems, "one-step-convexity", text.replace("$\\ge 0$", "$\\le -1$"))
    assert report.steps[2].status != "ok"


def test_a_later_part_reads_a_symbol_an_earlier_part_solved_for(problems):
    text = "## 1.2.1e\n\n$$c = \\mathbf w^\\top\\mathbf w = \\frac{1}{4} + \\frac{1}{4} = \\frac{1}{2}$$\n\nIt touches $w_1 + w_2 = 1$.\n"
    _, report = verdicts(problems, "ridge-toy-lambda", text)
    assert all(s.status == "ok" for s in report.steps) and report.parts[0].final_answer.status == "correct"
    _, report = verdicts(problems, "ridge-toy-lambda", text.replace("= \\frac{1}{2}$$", "= \\frac{1}{3}$$"))
    assert report.steps[0].status == "wrong"


def test_a_max_over_entries_is_the_max_norm_not_an_objective(problems):
    _, report = verdicts(problems, "fgsm-linf", "## 1.1.1\n\n$$\\|\\mathbf w\\|_\\infty = \\max_j |w_j|$$\n")
    assert report.steps[0].status == "ok" and report.steps[0].move != "states the objective"
    _, report = verdicts(problems, "fgsm-linf", "## 1.1.1\n\n$$\\|\\mathbf w\\|_\\infty = \\max_j |2w_j|$$\n")
    assert report.steps[0].status == "wrong"
    _, report = verdicts(problems, "fgsm-linf", "## 1.1.1\n\n$$\\|\\mathbf w\\|_\\infty = \\max_j w_j$$\n")
    assert report.steps[0].status == "unparsed"         # a max of signed entries is no norm: not read


def test_a_hypothesis_and_a_standing_condition_in_prose(problems):
    text = ("## 2a\n\nIf $\\mathbf w_0$ is optimal for $\\mathcal L$, the loss gradient vanishes there, "
            "$\\nabla_{\\mathbf w}\\mathcal L(y(\\mathbf w_0)) = \\mathbf 0$.\n\n"
            "For $0 < \\alpha\\lambda < 1$ the factor $c = 1-\\alpha\\lambda$ is positive, and\n\n"
            "$$y(c\\mathbf w) = \\frac{c\\,\\mathbf w^\\top\\mathbf x}{\\|c\\mathbf w\\|} = \\frac{\\mathbf w^\\top\\mathbf x}{\\|\\mathbf w\\|}$$\n")
    _, report = verdicts(problems, "weightnorm-decay", text)
    assert [s.status for s in report.steps] == ["unknown", "unknown", "ok", "ok"], [(s.line, s.reason) for s in report.steps]
    assert report.steps[3].move == "holds under the stated condition"
    _, report = verdicts(problems, "weightnorm-decay", text.replace("For $0 < \\alpha\\lambda < 1$ the", "The"))
    assert report.steps[-1].status == "wrong"        # without the condition, c may be negative


def test_a_vector_is_its_named_entries(problems):
    text = "## first-step\n\n$$\\nabla J(\\mathbf{u}) = 2(u_1 + 3u_2 - 3)\\,(1, 3)^T$$\n\n$$\\mathbf{u}^{(1)} = \\mathbf{0} - \\rho(-1, -1)^T = (\\rho, \\rho)^T$$\n"
    _, report = verdicts(problems, "adagrad-toy", text)
    assert [s.status for s in report.steps] == ["ok", "ok"], [(s.line, s.reason) for s in report.steps]
    _, report = verdicts(problems, "adagrad-toy", text.replace("(1, 3)^T$$", "(3, 1)^T$$"))
    assert report.steps[0].status == "wrong"


def test_two_conditions_said_equivalent_are_not_claims(problems):
    text = ("## 1.1.1\n\n$$\\|\\boldsymbol{\\delta}_1\\|_\\infty - \\|\\boldsymbol{\\delta}_2\\|_\\infty = \\epsilon(1 - \\|\\mathbf{w}\\|_\\infty)$$\n\n"
            "$$\\|\\boldsymbol{\\delta}_1\\|_\\infty = \\|\\boldsymbol{\\delta}_2\\|_\\infty \\iff \\|\\mathbf{w}\\|_\\infty = 1$$\n")
    _, report = verdicts(problems, "fgsm-linf", text)
    assert [s.status for s in report.steps] == ["ok", "unknown", "unknown"], [(s.line, s.reason) for s in report.steps]
    assert report.parts[0].final_answer.status == "correct"


def test_an_aside_after_the_box_and_a_where_clause_are_not_the_answer(problems):
    text = ("## 1.2.4c\n\n$$\\boxed{\\frac{d\\epsilon}{d\\lambda} = 0}$$\n\n"
            "(Unlike FGM, where the step is $\\epsilon = (x^2+2\\lambda)/t$.)\n")
    _, report = verdicts(problems, "fgsm-weight-decay", text)
    assert report.steps[-1].status == "unknown" and report.parts[0].final_answer.status == "correct"
    text = ("## 1.1k-update\n\n\\[ w_1^{\\text{new}} = -\\frac1{10} + 2\\eta\\alpha(y-t)y(1-y), \\qquad "
            "y = \\sigma\\Big(\\frac{1+\\alpha}5\\Big) \\]\n")
    _, report = verdicts(problems, "mit-6790-hw4-leaky-relu", text)
    assert report.parts[0].final_answer.status == "correct", [(s.line, s.status, s.reason) for s in report.steps]
    _, report = verdicts(problems, "mit-6790-hw4-leaky-relu", text.replace("+ 2\\eta", "- 2\\eta"))
    assert report.parts[0].final_answer.status == "wrong"


def test_heaviside_a_named_logit_and_a_labelled_transpose(problems):
    text = ("## 5c\n\nWith $z = W^\\top x + W_0$, $\\nabla_x z = W$ and\n\n"
            "$$\\nabla_x J(x) = 2\\alpha(x - x^*) + H(W^\\top x + W_0)\\,\\sigma(W^\\top x + W_0)(1 - \\sigma(W^\\top x + W_0))\\,W$$\n")
    _, report = verdicts(problems, "mit-6790-hw4-adversarial", text)
    assert [s.status for s in report.steps] == ["ok"] * 3, [(s.line, s.reason) for s in report.steps]
    assert report.parts[0].final_answer.status == "correct"
    _, report = verdicts(problems, "mit-6790-hw4-adversarial", text.replace("\\nabla_x z = W", "\\nabla_x z = 2W"))
    assert report.steps[1].status == "wrong"
    update = ("## 4a\n\n$$w^{(i+1)} = w^{(i)} - \\eta\\Big(2w^{(i)} - \\frac{y^{(i)}x^{(i)}}{1 + \\exp(y^{(i)}w^{(i)\\top}x^{(i)})}\\Big)$$\n")
    _, report = verdicts(problems, "mit-6790-hw4-online-logistic", update)
    assert report.steps[0].status != "unparsed", report.steps[0].reason


def test_a_show_identity_rearranged_answers_the_part(problems):
    text = ("## 4c\n\n$$\\|w^{(i+1)}-w^*\\|^2 = \\|w^{(i)}-w^*\\|^2 - 2\\eta\\, g^\\top(w^{(i)} - w^*) + \\eta^2\\|g\\|^2$$\n")
    _, report = verdicts(problems, "mit-6790-hw4-online-logistic", text)
    assert report.steps[0].status == "ok" and report.parts[0].final_answer.status == "correct"
    _, report = verdicts(problems, "mit-6790-hw4-online-logistic", text.replace("- 2\\eta", "- 3\\eta"))
    assert report.parts[0].final_answer.status == "wrong"


def test_the_rate_of_a_solution_and_a_zero_argument(problems):
    text = "## 1.2.3\n\n$$\\epsilon = \\frac{x^2 + 2\\lambda}{t}$$\n\nso $d\\epsilon/d\\lambda = 2/t$.\n"
    _, report = verdicts(problems, "ridge-fgm", text)
    assert [s.status for s in report.steps] == ["ok", "ok"], [(s.line, s.reason) for s in report.steps]
    _, report = verdicts(problems, "ridge-fgm", text.replace("= 2/t$", "= 1/t$"))
    assert report.steps[1].status == "wrong"
    _, report = verdicts(problems, "mit-6790-hw4-online-logistic", "## 4b-other\n\n$$\\ell_i(0) = \\log 2$$\n")
    assert report.steps[0].status == "ok", report.steps[0].reason


def test_a_show_part_ending_on_a_new_name_is_not_graded_wrong(problems):
    text = ("## 1.2.1b\n\nWith $r = a_1w_1 + a_2w_2 - t$, $g_i = 2a_i r$ and the averages $a_i^2 V$,\n\n"
            "$$\\frac{g_i}{\\sqrt{\\beta a_i^2 V + (1-\\beta)g_i^2}} = \\frac{2r}{\\sqrt{\\beta V + 4(1-\\beta)r^2}}$$\n\n"
            "$$V' = \\beta V + 4(1-\\beta)r^2$$\n")
    _, report = verdicts(problems, "rmsprop-minnorm", text)
    assert report.parts[0].final_answer.status != "wrong", report.parts[0].final_answer

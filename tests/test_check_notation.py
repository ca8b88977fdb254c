"""Students' notation the checker must read (issue 10): coordinates, Leibniz and prime
derivatives, gradients at a point, function notation, names for sub-expressions, objectives under
a convention. Each correct form is accepted, and a slip in the same notation is still caught at
its line, with a counterexample."""
import pytest

from derive.check.run import check_text


@pytest.fixture
def problem(problems):
    return problems      # the session's prepared problems (tests/conftest.py)


def verdicts(problem, pid, text):
    report = check_text(text, "student.md", problem(pid))
    return {s.line: s for s in report.steps}, report


FGM_COORDS = """## 1.1.2

$$ f(x; w) = \\sum_{j=1}^{d} w_j x_j $$

$$ \\frac{\\partial f}{\\partial x_j} = w_j $$

$$ x'_j = x_j - \\epsilon w_j $$

$$ f(x'; w) = \\sum_j w_j (x_j - \\epsilon w_j) = \\sum_j w_j x_j - \\epsilon \\sum_j w_j^2 $$
"""


def test_coordinate_notation_is_read_and_checked(problem):
    steps, report = verdicts(problem, "ridge-fgm", FGM_COORDS)
    assert all(s.status == "ok" for s in steps.values()), [(s.line, s.reason) for s in steps.values()]
    assert report.parts[0].final_answer.status == "correct"


@pytest.mark.parametrize("line, slip", [
    (5, ("\\frac{\\partial f}{\\partial x_j} = w_j", "\\frac{\\partial f}{\\partial x_j} = 2 w_j")),
    (7, ("x'_j = x_j - \\epsilon w_j", "x'_j = x_j + \\epsilon w_j")),
    (9, ("- \\epsilon \\sum_j w_j^2", "- \\epsilon \\sum_j w_j")),
])
def test_a_slip_in_coordinates_is_wrong_at_its_line(problem, line, slip):
    steps, _ = verdicts(problem, "ridge-fgm", FGM_COORDS.replace(*slip))
    assert steps[line].status == "wrong" and steps[line].counterexample is not None
    assert all(s.status == "ok" for n, s in steps.items() if n < line)


def test_gradient_at_a_point_and_prime_notation(problem):
    text = """## 2.2.1a

$$ w_1 = w_0 - \\eta \\nabla_{w} L(w_0) = w_0 - \\frac{2\\eta}{n} X^T (X w_0 - t) $$

## 2.2.3

$$ c = X^T a $$

$$ L_1(\\eta) = \\frac{1}{n}(\\|a\\|^2 - \\frac{4\\eta}{n}\\|c\\|^2 + \\frac{4\\eta^2}{n^2}\\|Xc\\|^2) $$

$$ L_1'(\\eta) = \\frac{1}{n}(-\\frac{4}{n}\\|c\\|^2 + \\frac{8\\eta}{n^2}\\|Xc\\|^2) = 0 $$

$$ \\eta^* = \\frac{n\\|X^T a\\|^2}{2\\|X X^T a\\|^2} $$
"""
    steps, report = verdicts(problem, "optimal-lr", text)
    assert all(s.status == "ok" for s in steps.values()), [(s.line, s.reason) for s in steps.values()]
    assert steps[7].move == "definition"          # c names a sub-expression; it is not an objective
    assert all(p.final_answer.status == "correct" for p in report.parts)
    slipped, _ = verdicts(problem, "optimal-lr", text.replace("\\frac{8\\eta}{n^2}", "\\frac{4\\eta}{n^2}"))
    assert slipped[11].status == "wrong"


def test_names_for_parts_of_the_work_are_definitions(problem):
    text = """$$ r = Xw - t $$

$$ J = \\frac{1}{2n} r^T r + \\lambda w^T w $$

$$ \\nabla_w J = \\frac{1}{n} X^T r + 2\\lambda w = 0 $$

$$ w^* = (X^T X + 2n\\lambda I)^{-1} X^T t $$
"""
    steps, _ = verdicts(problem, "ridge-fgm", "## 1.2.2\n\n" + text)
    assert [s.status for s in steps.values()] == ["ok"] * 4
    assert steps[3].move == "definition" and steps[5].move == "states the objective"


def test_objective_under_a_declared_convention_is_named_and_a_wrong_one_is_not(problem):
    text = """## 1.2.2

$$ J(w) = \\|Xw - t\\|^2 + \\lambda \\|w\\|^2 $$

$$ \\nabla_w J = 2X^T(Xw - t) + 2\\lambda w = 0 $$

$$ w^* = (X^T X + \\lambda I)^{-1} X^T t $$
"""
    steps, report = verdicts(problem, "ridge-fgm", text)
    assert steps[3].status == "ok" and "1/(2n)" in steps[3].reason
    assert report.parts[0].final_answer.status == "correct"
    wrong, _ = verdicts(problem, "ridge-fgm", text.replace("\\lambda \\|w\\|^2", "\\lambda \\|w\\|"))
    assert wrong[3].status == "wrong" and wrong[3].counterexample is not None


def test_derivative_in_a_symbol_that_also_has_a_value(problem):
    text = """## 1.2.3

$$ \\frac{d}{dw}\\left[\\frac{1}{2}(w x - t)^2 + \\lambda w^2\\right] = x(wx - t) + 2\\lambda w = 0 $$

$$ w = \\frac{xt}{x^2 + 2\\lambda} $$

$$ \\epsilon(\\lambda) = \\frac{x^2 + 2\\lambda}{t} $$
"""
    steps, report = verdicts(problem, "ridge-fgm", text)
    assert all(s.status == "ok" for s in steps.values()), [(s.line, s.reason) for s in steps.values()]
    slipped, _ = verdicts(problem, "ridge-fgm", text.replace("= x(wx - t) + 2", "= x(wx - t) + "))
    assert slipped[3].status == "wrong"


def test_function_notation_is_only_read_at_the_head_of_a_line(problem):
    """ε(λ) = … names ε as a function of λ; ε (w^*)^2 inside a line is still a product."""
    text = """## 1.2.3

$$ w^* = \\frac{xt}{x^2 + 2\\lambda} $$

$$ f(x') = w^* x' = w^* x - \\epsilon (w^*)^2 = 0 $$
"""
    steps, _ = verdicts(problem, "ridge-fgm", text)
    assert steps[5].status == "ok"


def test_entrywise_answer_and_the_max_norm(problem):
    text = """## 1b

$$ g^T \\delta = \\sum_i g_i \\delta_i $$

$$ \\delta_i^* = -\\varepsilon \\operatorname{sign}(g_i) $$

$$ \\delta^* = -\\varepsilon \\operatorname{sign}(g) $$
"""
    steps, report = verdicts(problem, "trust-region", text)
    assert all(s.status == "ok" for s in steps.values()), [(s.line, s.reason) for s in steps.values()]
    slipped, _ = verdicts(problem, "trust-region", text.replace("^* = -\\varepsilon \\operatorname{sign}(g_i)",
                                                                 "^* = -\\varepsilon \\frac{g_i}{\\|g\\|_\\infty}"))
    assert slipped[5].status == "wrong"


def test_time_step_superscript_and_the_answer_stated_as_the_new_point(problem):
    """θ^t is the spec's current point (not θ to the power t); θ = θ^t + δ is the spec's
    answer_as, so an answer stated in θ is checked through it."""
    text = """## 1a

$$ \\delta = -\\varepsilon \\frac{g}{\\|g\\|} $$

$$ \\theta^* = \\theta^t - \\varepsilon \\frac{g}{\\|g\\|_2} $$
"""
    steps, report = verdicts(problem, "trust-region", text)
    assert [s.status for s in steps.values()] == ["ok", "ok"]
    assert report.parts[0].final_answer.status == "correct"
    wrong, report = verdicts(problem, "trust-region", text.replace("\\theta^t - \\varepsilon", "\\theta^t + \\varepsilon"))
    assert wrong[5].status == "wrong" and report.parts[0].final_answer.status == "wrong"


def test_a_multiplier_from_the_active_constraint_after_a_shifted_solution(problem):
    text = """## tr-ball

$$ \\mathcal{L}(u, \\mu) = \\ell_0 + v^T(u - u_0) + \\mu(\\|u - u_0\\|^2 - r^2) $$

$$ \\nabla_u \\mathcal{L} = v + 2\\mu(u - u_0) = 0 $$

$$ u - u_0 = -\\frac{1}{2\\mu} v $$

$$ \\frac{\\|v\\|}{2\\mu} = r $$

$$ u^* = u_0 - \\frac{r}{\\|v\\|} v $$
"""
    steps, report = verdicts(problem, "trust-region-centred", text)
    assert all(s.status == "ok" for s in steps.values()), [(s.line, s.reason) for s in steps.values()]
    assert steps[9].move == "the constraint is active at the optimum"
    wrong, _ = verdicts(problem, "trust-region-centred", text.replace("{\\|v\\|}{2\\mu} = r", "{\\|v\\|}{\\mu} = r"))
    assert wrong[9].status == "wrong"


def test_equalities_in_a_chain_with_inequalities_are_checked(problem):
    text = """## tr-box

$$ v^T(u - u_0) = \\sum_i v_i (u_i - u_{0,i}) \\geq -r \\sum_i |v_i| = -r \\|v\\|_1 $$
"""
    steps, _ = verdicts(problem, "trust-region-centred", text)
    assert steps[3].status == "unknown" and "inequalities are not checked" in steps[3].reason
    wrong, _ = verdicts(problem, "trust-region-centred", text.replace("= -r \\|v\\|_1", "= -r \\|v\\|_2"))
    assert wrong[3].status == "wrong"


def test_an_equation_followed_by_identities_in_one_line(problem):
    text = """## 1.2.2

$$ \\frac{1}{n} X^T(Xw - t) + 2\\lambda w = 0 $$

$$ 2n\\lambda w = X^T(t - Xw) = X^T t - X^T X w $$
"""
    steps, _ = verdicts(problem, "ridge-fgm", text)
    assert steps[5].status == "ok", steps[5].reason
    wrong, _ = verdicts(problem, "ridge-fgm", text.replace("= X^T t - X^T X w", "= X^T t + X^T X w"))
    assert wrong[5].status == "wrong"


def test_a_lagrangian_in_components_with_listed_equations_and_a_tuple_answer(problem):
    """𝓛(w₁, w₂, μ) is the student's own function (not the problem's L); its partial derivatives
    set to zero hold w₂ fixed even though an earlier part gave w₂ = 1 − w₁; equations listed with
    a comma are separate steps; (1/2, 1/2) is a vector."""
    text = """## 1.2.1b

$$ \\mathcal{L}(w_1, w_2, \\mu) = w_1^2 + w_2^2 - \\mu(w_1 + w_2 - 1) $$

$$ \\frac{\\partial \\mathcal{L}}{\\partial w_1} = 2w_1 - \\mu = 0, \\quad \\frac{\\partial \\mathcal{L}}{\\partial w_2} = 2w_2 - \\mu = 0 $$

$$ w_1 = w_2, \\; 2 w_1 = 1 \\Rightarrow w_1 = w_2 = \\frac{1}{2} $$

$$ \\boxed{\\mathbf{w}^* = \\left(\\tfrac{1}{2}, \\tfrac{1}{2}\\right)} $$
"""
    steps, report = verdicts(problem, "ridge-toy", text)
    statuses = [s.status for s in report.steps]
    assert statuses == ["ok"] * len(statuses) and len(statuses) == 7, [(s.line, s.latex, s.reason) for s in report.steps]
    assert report.parts[0].final_answer.status == "correct"
    slipped, report = verdicts(problem, "ridge-toy", text.replace("= 2w_2 - \\mu = 0", "= 2w_2 + \\mu = 0"))
    assert [s for s in report.steps if s.status == "wrong"][0].line == 5
    wrong, report = verdicts(problem, "ridge-toy", text.replace("\\tfrac{1}{2}, \\tfrac{1}{2}", "\\tfrac{1}{3}, \\tfrac{2}{3}"))
    assert report.parts[0].final_answer.status == "wrong"


def test_a_family_written_with_its_letter_and_a_layer_label(problem):
    text = """## 3.1a

$$ \\mathbb{E}[z_j^2] = \\frac{1}{2}\\mathbb{E}[(a_j)^2] = \\frac{\\lambda^2}{2} $$

$$ \\operatorname{Var}(a_i^{(\\ell)}) = \\sum_{j=1}^{M} \\mathbb{E}[w_{ij}^2]\\,\\mathbb{E}[z_j^2] = \\frac{M \\epsilon^2 \\lambda^2}{2} $$
"""
    steps, _ = verdicts(problem, "relu-init", text)
    assert [s.status for s in steps.values()] == ["ok", "ok"], [(s.line, s.reason) for s in steps.values()]
    slipped, _ = verdicts(problem, "relu-init", text.replace("\\frac{\\lambda^2}{2} $$", "\\frac{\\lambda^2}{4} $$"))
    assert slipped[3].status == "wrong"


def test_a_final_answer_stated_as_an_equation_and_the_value_at_the_optimum(problem):
    """1.2.1a asks for the best w₂ for each w₁; ``w₁ + w₂ = 1`` states it as an equation. And
    ``c = wᵀw = 1/4 + 1/4 = 1/2`` is the value at the optimum, true there."""
    text = """## 1.2.1a

$$ L = 2(w_1 + w_2 - 1)^2 $$

$$ \\boxed{w_1 + w_2 = 1} $$

## 1.2.1b

$$ w^T w = w_1^2 + (1 - w_1)^2 $$

$$ \\frac{d}{dw_1}\\left[w_1^2 + (1 - w_1)^2\\right] = 4 w_1 - 2 = 0 $$

$$ c = w^T w = \\frac{1}{4} + \\frac{1}{4} = \\frac{1}{2} $$

$$ \\boxed{w^* = \\left(\\frac{1}{2}, \\frac{1}{2}\\right)^T} $$
"""
    steps, report = verdicts(problem, "ridge-toy", text)
    assert all(s.status == "ok" for s in steps.values()), [(s.line, s.reason) for s in steps.values()]
    assert [p.final_answer.status for p in report.parts] == ["correct", "correct"]
    _, report = verdicts(problem, "ridge-toy", text.replace("\\boxed{w_1 + w_2 = 1}", "\\boxed{w_1 + w_2 = 2}"))
    assert report.parts[0].final_answer.status == "wrong"
    slipped, _ = verdicts(problem, "ridge-toy", text.replace("\\frac{1}{4} + \\frac{1}{4} = \\frac{1}{2}",
                                                              "\\frac{1}{4} + \\frac{1}{4} = \\frac{1}{3}"))
    assert slipped[13].status == "wrong"


def test_argmin_under_a_constraint_in_one_line(problem):
    text = """## 1a

$$ \\delta^* = \\arg\\min_{\\|\\delta\\| \\leq \\varepsilon} g^T \\delta = -\\frac{\\varepsilon}{\\|g\\|} g $$
"""
    steps, report = verdicts(problem, "trust-region", text)
    assert steps[3].status == "ok" and report.parts[0].final_answer.status == "correct"
    wrong_objective, _ = verdicts(problem, "trust-region", text.replace("g^T \\delta =", "\\delta^T \\delta ="))
    assert wrong_objective[3].status == "wrong"
    wrong_answer, report = verdicts(problem, "trust-region", text.replace("= -\\frac", "= \\frac"))
    assert wrong_answer[3].status == "wrong" and report.parts[0].final_answer.status == "wrong"


def test_nabla_without_a_subscript_and_identities_in_an_update_step(problem):
    """∇L̃(w) is the gradient in L̃'s own argument; in an update-step part, w is a variable, so a
    wrong gradient is a wrong identity (not an equation to solve for w)."""
    text = """## 2.3.1

$$ \\nabla \\tilde{L}(w) = \\frac{2}{n} X^T (Xw - t) + 2\\tilde{\\lambda} w $$

$$ \\boxed{w_1 = (1 - \\lambda) w_0 - \\frac{2\\eta}{n} X^T (X w_0 - t)} $$
"""
    steps, report = verdicts(problem, "weight-decay-l2", text)
    assert steps[3].status == "ok" and report.parts[0].final_answer.status == "correct"
    wrong, _ = verdicts(problem, "weight-decay-l2", text.replace("+ 2\\tilde{\\lambda} w $$", "+ \\tilde{\\lambda} w $$"))
    assert wrong[3].status == "wrong" and wrong[3].counterexample is not None


def test_an_inequality_the_assumptions_guarantee_is_ok_and_others_stay_unknown(problem):
    text = """## 1.2.4b

$$ t > 0 $$

$$ x > 0 $$

$$ \\lambda < 1 $$
"""
    steps, _ = verdicts(problem, "fgsm-weight-decay", text)
    assert steps[3].status == "ok" and "assumptions" in steps[3].reason      # t is declared positive
    assert steps[5].status == "unknown" and steps[7].status == "unknown"     # x ≠ 0 only; λ > 0 only


def test_a_file_without_headings_that_is_wrong_everywhere_is_read_as_the_part_it_resembles(problem):
    """No heading names the part and the answer is wrong for both: the part whose answer has the
    same kinds of function (sign, not a norm ratio) is the one reported."""
    text = "$$ u^* = u_0 + r \\operatorname{sign}(v) $$\n"
    _, report = verdicts(problem, "trust-region-centred", text)
    assert [p.part for p in report.parts] == ["tr-box"] and report.parts[0].final_answer.status == "wrong"
    _, report = verdicts(problem, "trust-region-centred", "$$ u^* = u_0 + r \\frac{v}{\\|v\\|} $$\n")
    assert [p.part for p in report.parts] == ["tr-ball"]


def test_an_optimum_with_a_word_label_is_the_symbol(problem):
    """w^*_{ridge} in part 1.2.3 is the trained weight w (its value comes from part 1.2.2): a wrong
    value for it is a wrong line, not a new name."""
    text = "## 1.2.3\n\n$$ w^*_{ridge} = \\frac{x t}{x^2 + 2\\lambda} $$\n"
    steps, _ = verdicts(problem, "ridge-fgm", text)
    assert steps[3].status == "ok"
    wrong, _ = verdicts(problem, "ridge-fgm", text.replace("2\\lambda", "\\lambda"))
    assert wrong[3].status == "wrong" and wrong[3].counterexample is not None


def test_index_conditions_and_off_diagonal_sums(problem):
    """E[r_k r_l] = q² holds only for k ≠ l: with the condition on the line it is ok, without it
    it is wrong; Σ_{k≠l} is the sum off the diagonal."""
    text = """## bias-variance

$$ \\mathbb{E}[r_k r_l] = q^2, \\quad k \\neq l $$

$$ \\mathbb{E}\\left[\\left(\\sum_{k=1}^K r_k b_k c_k\\right)^2\\right] = \\sum_{k=1}^K q\\, b_k^2 c_k^2 + \\sum_{k \\neq l} q^2 b_k c_k b_l c_l $$
"""
    steps, report = verdicts(problem, "dropout-unscaled", text)
    assert all(s.status == "ok" for s in report.steps), [(s.line, s.latex, s.reason) for s in report.steps]
    _, report = verdicts(problem, "dropout-unscaled", text.replace(", \\quad k \\neq l", ""))
    assert report.steps[0].status == "wrong" and report.steps[0].counterexample is not None
    _, report = verdicts(problem, "dropout-unscaled", text.replace("= q^2, \\quad", "= q, \\quad"))
    assert report.steps[0].status == "wrong"
    _, report = verdicts(problem, "dropout-unscaled", text.replace("\\sum_{k \\neq l} q^2", "\\sum_{k \\neq l} q"))
    assert report.steps[-1].status == "wrong"


def test_a_step_that_assumes_a_sign_the_problem_does_not_is_wrong(problem):
    """x is only nonzero: sign(w*) = sign(x), and writing x − ε for x − ε sign(w*) assumes x > 0."""
    text = "## 1.2.4c\n\n$$ \\operatorname{sign}(x)\\, x = |x| = x $$\n"
    steps, _ = verdicts(problem, "fgsm-weight-decay", text)
    assert steps[3].status == "wrong" and "does not assume" in steps[3].reason and steps[3].counterexample
    ok, _ = verdicts(problem, "fgsm-weight-decay", "## 1.2.4c\n\n$$ \\sqrt{t^2} = t $$\n")   # t > 0 is assumed
    assert ok[3].status == "ok"


def test_an_inline_lagrangian_and_an_objective_up_to_a_constant(problem):
    lagrangian = """## 1a

$$ \\nabla_{\\delta}\\left[g^T\\delta + \\mu(\\|\\delta\\|^2 - \\varepsilon^2)\\right] = g + 2\\mu\\delta = 0 $$
"""
    steps, _ = verdicts(problem, "trust-region", lagrangian)
    assert steps[3].status == "ok"
    slipped, _ = verdicts(problem, "trust-region", lagrangian.replace("= g + 2\\mu", "= g + \\mu"))
    assert slipped[3].status == "wrong"
    constant = "## tr-ball\n\n$$ \\arg\\min_{u} v^T(u - u_0) $$\n"
    steps, _ = verdicts(problem, "trust-region-centred", constant)
    assert steps[3].status == "ok" and "constant" in steps[3].reason
    other, _ = verdicts(problem, "trust-region-centred", constant.replace("v^T(u - u_0)", "u^T(u - u_0)"))
    assert other[3].status == "wrong"


def test_every_boxed_answer_of_a_part_with_two_goals_is_checked(problem):
    text = """## 2.3.1

$$ \\boxed{w_0 - \\eta\\left(\\frac{2}{n} X^T(Xw_0 - t) + \\tilde{\\lambda} w_0\\right)} $$

$$ \\boxed{(1 - \\lambda) w_0 - \\frac{2\\eta}{n} X^T(X w_0 - t)} $$
"""
    _, report = verdicts(problem, "weight-decay-l2", text)
    assert report.parts[0].final_answer.status == "wrong"
    _, report = verdicts(problem, "weight-decay-l2", text.replace("+ \\tilde{\\lambda} w_0", "+ 2\\tilde{\\lambda} w_0"))
    assert report.parts[0].final_answer.status == "correct"

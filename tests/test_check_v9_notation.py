"""Students' writing met in blind corpus v9 (issue 10): an update in inline math (``$b \\leftarrow …$``),
a line that only restates a given, a Lagrangian with a multiplier vector eliminated between the
stationarity condition and the constraint, a proximal step solved as an equation and named ``u₁``,
a bare ``∇``, a numbered family ``s_k`` for s₁ … s₄, a chain ending in ``≠``, the probability of an
event as a chain item, norm bars after a backtracked lookahead, ``\\max_i |w_i|``, an example after
"e.g.", iterates ``b_{k+1}`` of an unrolled recurrence and ``Mᵏ`` for an integer k. Each correct
form is accepted, and a slip in it is still caught."""
from derive.check.latex_math import parse_chain
from checking import check, status_at, finals





CLEAN = """## step-clean
$\\rho = p$ and everything cancels: $b \\leftarrow b - \\gamma(p-u)$.
"""


def test_an_inline_update_is_read_and_a_restated_given_is_no_answer(problems):
    report, steps = check(problems, "label-noise-bias-gradient", CLEAN)
    assert [s.move for s in report.steps] == ["substitutes p, rho", "an update"], steps
    assert finals(report) == {"step-clean": "correct"}
    slipped, steps = check(problems, "label-noise-bias-gradient", CLEAN.replace("(p-u)", "(u-p)"))
    assert finals(slipped) == {"step-clean": "wrong"}, steps
    alone, steps = check(problems, "label-noise-bias-gradient", "## step-clean\n$\\rho = p$ and everything cancels.\n")
    assert finals(alone) == {"step-clean": "unknown"}, steps         # ρ = p is true, and answers nothing
    assert "a given" in alone.parts[0].final_answer.reason


MULTIPLIER = """## weighted-minnorm
Stationarity of $\\mathbf v^\\top P\\mathbf v - \\boldsymbol\\mu^\\top(A\\mathbf v - \\mathbf b)$ reads

$$2P\\mathbf v = A^\\top\\boldsymbol\\mu$$

so $\\mathbf v = \\tfrac12P^{-1}A^\\top\\boldsymbol\\mu$. Into the constraint:

$$\\tfrac12 AP^{-1}A^\\top\\boldsymbol\\mu = \\mathbf b$$
$$\\boldsymbol\\mu = 2(AP^{-1}A^\\top)^{-1}\\mathbf b$$
$$\\boxed{\\mathbf v^* = P^{-1}A^\\top(AP^{-1}A^\\top)^{-1}\\mathbf b}$$

## preconditioned-step
$P^{-1}\\nabla\\|A\\mathbf v-\\mathbf b\\|^2 = P^{-1}A^\\top\\big(2(A\\mathbf v - \\mathbf b)\\big)$.
"""


def test_a_multiplier_vector_is_eliminated_between_stationarity_and_the_constraint(problems):
    report, steps = check(problems, "minnorm-weighted", MULTIPLIER)
    assert all(s.status == "ok" for s in report.steps), steps
    assert any(s.move == "the unknown eliminated between the equations so far" for s in report.steps), steps
    assert finals(report) == {"weighted-minnorm": "correct", "preconditioned-step": "correct"}
    # the planted v9 slip: ½Kμ = b solved as μ = ½K⁻¹b
    inverted, steps = check(problems, "minnorm-weighted", MULTIPLIER.replace("\\boldsymbol\\mu = 2(", "\\boldsymbol\\mu = \\tfrac12("))
    assert [s.status for s in inverted.steps if s.line < 9] == ["ok"] * 3 and status_at(inverted, 9) == ["wrong"], steps
    # the constraint with the ½ dropped
    dropped, steps = check(problems, "minnorm-weighted", MULTIPLIER.replace("\\tfrac12 AP^{-1}", "AP^{-1}"))
    assert status_at(dropped, 8) == ["wrong"], steps
    assert dropped.steps[[s.line for s in dropped.steps].index(8)].counterexample is not None


PROX = """## ridge
Setting the gradient of the proximal model to zero:
$$H\\mathbf u_0 - \\mathbf g + \\frac1\\tau(\\mathbf u - \\mathbf u_0) + \\mu\\mathbf u = 0$$
$$\\mathbf u_1 = \\frac{\\mathbf u_0 - \\tau(H\\mathbf u_0 - \\mathbf g)}{1+\\tau\\mu}$$
"""


def test_a_proximal_step_is_an_equation_whose_solution_the_student_names(problems):
    report, steps = check(problems, "prox-steps", PROX)
    assert [s.status for s in report.steps] == ["ok", "ok"], steps
    assert finals(report) == {"ridge": "correct"}
    slipped, steps = check(problems, "prox-steps", PROX.replace("{1+\\tau\\mu}", "{1+\\mu}"))
    assert status_at(slipped, 3) == ["ok"] and status_at(slipped, 4) == ["wrong"], steps
    assert finals(slipped) == {"ridge": "wrong"}
    sign, steps = check(problems, "prox-steps", PROX.replace("+ \\mu\\mathbf u = 0", "- \\mu\\mathbf u = 0"))
    assert status_at(sign, 3) == ["wrong"], steps


SOFTMAX = """## 1.2b
With $Z = \\sum_k e^{s_k}$,
$$\\sum_{k=1}^4\\frac{e^{s_k}}{Z} = \\frac{Z}{Z} = 1$$
while four sigmoids at score $0$ give $4\\cdot\\sigma(0) = 4\\cdot\\frac12 = 2 \\ne 1$.
"""


def test_numbered_scalars_are_a_family_and_a_trailing_unequal_is_read(problems):
    report, steps = check(problems, "mit-6790-hw4-output-units", SOFTMAX)
    assert all(s.status == "ok" for s in report.steps), steps
    assert "'≠ 1'" in report.steps[-1].reason
    slipped, steps = check(problems, "mit-6790-hw4-output-units", SOFTMAX.replace("\\frac{e^{s_k}}{Z} =", "\\frac{e^{2s_k}}{Z} ="))
    assert status_at(slipped, 3) == ["wrong"], steps
    halves, steps = check(problems, "mit-6790-hw4-output-units", SOFTMAX.replace("4\\cdot\\frac12 = 2", "4\\cdot\\frac12 = 3"))
    assert status_at(halves, 4) == ["wrong"], steps
    own, steps = check(problems, "mit-6790-hw4-output-units", "## 1.2b\nLet $s = s_1 + s_2$. Then $s - s_2 = s_1$.\n")
    assert all(x.status == "ok" for x in own.steps), steps          # s stays the student's to define


FLIPPED = """## 2a-q
$$q = P(y'=1) = h(1-\\epsilon) + (1-h)\\epsilon = h + \\epsilon - 2h\\epsilon$$

## 2a
Bernoulli likelihood: $P(y'=t) = q^t(1-q)^{1-t}$, so
$$E = -t\\log q - (1-t)\\log(1-q)$$
"""


def test_the_probability_of_an_event_names_the_value_beside_it(problems):
    report, steps = check(problems, "mit-6790-hw4-noisy-targets", FLIPPED)
    assert status_at(report, 2) == ["ok"] and "P(y'=1)" in report.steps[0].reason, steps
    assert status_at(report, 5) == ["unknown"], steps
    assert finals(report)["2a-q"] == "correct"
    slipped, steps = check(problems, "mit-6790-hw4-noisy-targets", FLIPPED.replace("= h + \\epsilon - 2h", "= h + \\epsilon - h"))
    assert status_at(slipped, 2) == ["wrong"], steps


def test_norm_bars_survive_a_failed_lookahead():
    terms, ops = parse_chain(r"\|d\|^2 = \eta\|g\|^2", {"d": "d", "g": "g", "eta": r"\eta"})
    assert ops == ["="] and terms[1].op == "@"


INF = """## 1.1.1
$$\\|\\boldsymbol\\delta_1\\|_\\infty = \\epsilon\\max_i|\\operatorname{sgn}(w_i)| = \\epsilon, \\qquad \\|\\boldsymbol\\delta_2\\|_\\infty = \\epsilon\\max_i|w_i| = \\epsilon\\|\\mathbf w\\|_\\infty$$

$$\\|\\boldsymbol\\delta_1\\|_\\infty - \\|\\boldsymbol\\delta_2\\|_\\infty = \\epsilon\\,(1-\\|\\mathbf w\\|_\\infty)$$

E.g. $\\mathbf w = (2,-\\tfrac12)$ gives $\\|\\boldsymbol\\delta_2\\|_\\infty = 2\\epsilon$.
"""


def test_a_max_over_entries_is_the_max_norm_and_an_example_is_not_the_answer(problems):
    report, steps = check(problems, "fgsm-linf", INF)
    assert status_at(report, 2) == ["ok", "ok"], steps
    assert [s.move for s in report.steps if s.line == 6][0] == "an example value", steps
    assert report.parts[0].final_answer.status == "correct"
    slipped, steps = check(problems, "fgsm-linf", INF.replace("\\epsilon\\max_i|w_i|", "\\max_i|w_i|"))
    assert status_at(slipped, 2) == ["ok", "wrong"], steps


UNROLLED = """## 4e-iterates
The fixed point is $X/2$, and $b_{k+1} - \\frac X2 = (1-2\\eta)\\big(b_k - \\frac X2\\big)$. Starting from $b_1 = 0$:
$$b_{k+1} = \\frac X2\\Big(1 - (1-2\\eta)^k\\Big)$$
"""

POWERS = """# unrolled
$$\\boxed{\\mathbf v_k = (I-\\rho P)^k\\mathbf v_0 + \\big(I-(I-\\rho P)^k\\big)P^{-1}\\mathbf q}$$
"""


def test_iterates_of_an_unrolled_recurrence_and_integer_matrix_powers(problems):
    report, steps = check(problems, "mit-6790-hw4-online-stepsize", UNROLLED)
    assert all(s.status == "ok" for s in report.steps), steps
    assert finals(report) == {"4e-iterates": "correct"}
    slipped, steps = check(problems, "mit-6790-hw4-online-stepsize", UNROLLED.replace("(1-2\\eta)^k\\Big)", "(1-2\\eta)^{k+1}\\Big)"))
    assert status_at(slipped, 3) == ["wrong"] and finals(slipped) == {"4e-iterates": "wrong"}, steps
    recurrence, steps = check(problems, "mit-6790-hw4-online-stepsize", UNROLLED.replace("= (1-2\\eta)\\big(", "= (1-\\eta)\\big("))
    assert status_at(recurrence, 2)[0] == "wrong", steps
    matrix, steps = check(problems, "gd-quadratic-unrolled", POWERS)
    assert status_at(matrix, 2) == ["ok"] and finals(matrix) == {"unrolled": "correct"}, steps
    swapped, steps = check(problems, "gd-quadratic-unrolled", POWERS.replace("P^{-1}\\mathbf q}", "P\\mathbf q}"))
    assert status_at(swapped, 2) == ["wrong"], steps


RENAMED = """## 4e
With $R = 1$ and $G = 154$: $\\eta = \\dfrac{1}{154\\sqrt n}$.
"""


def test_a_final_answer_under_another_name_of_the_problem(problems):
    report, steps = check(problems, "mit-6790-hw4-online-stepsize", RENAMED)
    assert finals(report) == {"4e": "correct"}, steps
    other, steps = check(problems, "mit-6790-hw4-online-stepsize", RENAMED.replace("154\\sqrt n", "77\\sqrt n"))
    assert finals(other) == {"4e": "wrong"}, steps          # the answer under another name, and wrong


DIAGONAL = """## 1.2.1c
The gradient of $\\frac14\\|X\\mathbf w-\\mathbf t\\|^2 + \\lambda\\|\\mathbf w\\|^2$ is zero when
$$\\tfrac12\\big(X^\\top X\\mathbf w - X^\\top\\mathbf t\\big) + 2\\lambda\\mathbf w = \\mathbf 0$$
By symmetry $w_1 = w_2 = s$, and each row becomes
$$2s - 1 + 2\\lambda s = 0$$
$$s = \\frac{1}{2+2\\lambda}$$
"""


def test_entries_set_equal_after_the_equation_are_a_form_of_its_solution(problems):
    report, steps = check(problems, "ridge-toy-lambda", DIAGONAL)
    assert all(s.status == "ok" for s in report.steps), steps
    slipped, steps = check(problems, "ridge-toy-lambda", DIAGONAL.replace("2s - 1 + 2\\lambda s", "2s - 1 + \\lambda s"))
    assert status_at(slipped, 5) == ["wrong"], steps


REGRET = """## 4d
Let $D_i := r(i)^2$. Then
\\begin{align*}
L_n - L_* &\\le \\frac{1}{2\\eta n}\\Big(D_1 - D_{n+1} + \\eta^2\\sum_{i=1}^n G_i\\Big) \\\\
&\\le \\frac{1}{2n}\\Big(\\frac{D_1}{\\eta} + \\eta\\sum_{i=1}^n G_i\\Big)
\\end{align*}
since $D_1 = r(1)^2$.
"""


def test_a_bound_closing_an_unchecked_chain_is_the_answer_and_a_family_member_is_no_new_name(problems):
    report, steps = check(problems, "mit-6790-hw4-online-regret", REGRET)
    assert report.parts[0].final_answer.status == "correct", steps
    assert [s.move for s in report.steps if s.line == 7] == ["identity"], steps   # D_1 = r(1)²: a member of D
    looser, steps = check(problems, "mit-6790-hw4-online-regret", REGRET.replace("+ \\eta\\sum_{i=1}^n G_i\\Big)\n", "+ 2\\eta\\sum_{i=1}^n G_i\\Big)\n"))
    assert looser.parts[0].final_answer.status == "wrong", steps
    assert "not the derived one" in looser.parts[0].final_answer.reason


CONVEX = """## 4b
$\\ell_i$ is convex, so it lies above its tangent plane; dividing by $\\|w^* - w^{(i)}\\| > 0$:
$$\\frac{\\ell_i(w^*) - \\ell_i(w^{(i)})}{\\|w^*-w^{(i)}\\|} \\ge \\frac{\\nabla\\ell_i(w^{(i)})^\\top(w^*-w^{(i)})}{\\|w^*-w^{(i)}\\|}$$
"""


def test_a_bound_part_answered_by_the_inequality_itself(problems):
    report, steps = check(problems, "mit-6790-hw4-online-logistic", CONVEX)
    assert finals(report) == {"4b": "correct"}, steps
    reversed_, steps = check(problems, "mit-6790-hw4-online-logistic", CONVEX.replace("\\ge \\frac{\\nabla", "\\le \\frac{\\nabla"))
    assert finals(reversed_) == {"4b": "wrong"}, steps
    assert "other way" in reversed_.parts[0].final_answer.reason


WHERE = """## step
$$b' = b - \\frac{7\\gamma}{10}\\,\\frac{(\\rho-u)\\,p(1-p)}{\\rho(1-\\rho)}, \\qquad \\rho = \\tfrac{7}{10}p + \\tfrac15$$
"""


def test_a_where_clause_beside_the_answer_leaves_the_answer_judged(problems):
    report, steps = check(problems, "label-noise-bias-gradient", WHERE)
    assert finals(report) == {"step": "correct"}, steps
    slipped, steps = check(problems, "label-noise-bias-gradient", WHERE.replace("7\\gamma", "9\\gamma"))
    assert finals(slipped) == {"step": "wrong"}, steps


PHI = """## ridge
$$\\Phi(\\mathbf u) = (H\\mathbf u_0 - \\mathbf g)^\\top(\\mathbf u - \\mathbf u_0) + \\frac{1}{2\\tau}\\|\\mathbf u - \\mathbf u_0\\|^2 + \\frac{\\mu}{2}\\|\\mathbf u\\|^2$$
$$\\nabla\\Phi(\\mathbf u) = H\\mathbf u_0 - \\mathbf g + \\frac{1}{\\tau}(\\mathbf u - \\mathbf u_0) + \\mu\\mathbf u = \\mathbf 0$$
$$(1 + \\tau\\mu)\\,\\mathbf u = \\mathbf u_0 - \\tau(H\\mathbf u_0 - \\mathbf g)$$
"""


def test_a_function_the_student_defines_is_called_on_later_lines(problems):
    report, steps = check(problems, "prox-steps", PHI)
    assert all(s.status == "ok" for s in report.steps), steps
    slipped, steps = check(problems, "prox-steps", PHI.replace("(1 + \\tau\\mu)", "(1 + \\mu)"))
    assert status_at(slipped, 4) == ["wrong"], steps


SERIES = """# unrolled
$$\\mathbf v_k = M^k\\mathbf v_0 + \\sum_{j=0}^{k-1}M^j\\rho\\mathbf q$$
$$\\sum_{j=0}^{k-1}M^j = (I-M^k)(\\rho P)^{-1}$$
"""


def test_a_sum_of_matrices_is_evaluated_term_by_term(problems):
    text = "Let $M := I - \\rho P$.\n" + SERIES
    report, steps = check(problems, "gd-quadratic-unrolled", text)
    assert [s.status for s in report.steps] == ["ok", "ok", "ok"], steps
    off, steps = check(problems, "gd-quadratic-unrolled", text.replace("\\sum_{j=0}^{k-1}M^j\\rho", "\\sum_{j=0}^{k}M^j\\rho"))
    assert status_at(off, 3) == ["wrong"], steps
    series, steps = check(problems, "gd-quadratic-unrolled", text.replace("(I-M^k)(\\rho P)^{-1}", "(I-M^{k+1})(\\rho P)^{-1}"))
    assert status_at(series, 4) == ["wrong"], steps


def test_a_numbered_name_of_a_function_of_a_vector_is_its_own_name(problems):
    text = "## 2.2.1b\n$$L_1 = L(\\bm w_1) = \\frac{1}{n}\\|X\\bm w_1 - \\bm t\\|^2$$\n"
    report, steps = check(problems, "optimal-lr", text)
    assert [s.status for s in report.steps] == ["ok"], steps


def test_a_second_derivative_of_the_students_function(problems):
    text = ("## best-rate\n$\\phi(\\rho) := F(\\mathbf{v}_0 - \\rho\\mathbf{p})$ with $\\mathbf{p} := Q\\mathbf{v}_0 - \\mathbf{c}$.\n"
            "$$\\phi''(\\rho) = \\mathbf{p}^\\top Q\\mathbf{p}$$\n")
    report, steps = check(problems, "exact-line-search", text)
    assert status_at(report, 3) == ["ok"], steps
    doubled, steps = check(problems, "exact-line-search", text.replace("= \\mathbf{p}^\\top Q", "= 2\\mathbf{p}^\\top Q"))
    assert status_at(doubled, 3) == ["wrong"], steps


BLOCKS = """## 3.3a
$$M_K = \\begin{pmatrix} W_k^\\top & 0 & 0 \\\\ 0 & W_k^\\top & 0 \\\\ 0 & 0 & W_k^\\top \\end{pmatrix}$$
"""


def test_a_block_matrix_is_written_out_and_never_a_type_error(problems):
    report, steps = check(problems, "mit-6790-hw4-attention", BLOCKS)
    assert [s.status for s in report.steps] == ["ok"], steps
    from derive.check.latex_math import parse_chain
    from derive.expr.build import Builder
    from derive.expr.symbols import SymbolInfo, SymbolTable
    from sympy import Integer, MatrixSymbol

    table = SymbolTable()
    table.add(SymbolInfo("W", "matrix", MatrixSymbol("W", 2, 2), shape=(Integer(2), Integer(2)), latex="W"))
    terms, _ = parse_chain(r"\begin{pmatrix} W & 0 \\ 0 & W^\top \end{pmatrix}", {"W": "W"})
    built = Builder(table, lenient=True).build(terms[0])
    w = MatrixSymbol("W", 2, 2)
    assert built.shape == (4, 4) and built.expr[0, 1] == w[0, 1] and built.expr[2, 3] == w[1, 0] and built.expr[0, 3] == 0


def test_a_square_patch_answers_its_side(problems):
    ok, steps = check(problems, "csc413-2022-hw2-cnn-sizes", "## 3.3\nSo a unit sees a $\\boxed{14\\times 14}$ patch.\n")
    assert finals(ok) == {"3.3": "correct"}, steps
    off, steps = check(problems, "csc413-2022-hw2-cnn-sizes", "## 3.3\nSo a unit sees a $\\boxed{15\\times 15}$ patch.\n")
    assert finals(off) == {"3.3": "wrong"}, steps


LINE = """## 1.2.1d
Minimise on the line; substituting $w_2 = 1 - w_1$,
\\[ \\frac{d}{dw_1}\\big(w_1^2 + (1-w_1)^2\\big) = 4w_1 - 2 = 0 \\;\\Rightarrow\\; w_1 = w_2 = \\tfrac12 \\]
"""


def test_entries_of_the_unknown_opening_a_chain_and_answered_together(problems):
    report, steps = check(problems, "ridge-toy-lambda", LINE)
    assert all(s.status == "ok" for s in report.steps) and finals(report) == {"1.2.1d": "correct"}, steps
    off, steps = check(problems, "ridge-toy-lambda", LINE.replace("w_1 = w_2 = \\tfrac12", "w_1 = w_2 = \\tfrac13"))
    assert finals(off) == {"1.2.1d": "wrong"}, steps


def test_a_recurrence_in_any_index_and_the_last_inequality_of_a_bound_part(problems):
    text = UNROLLED.replace("and $b_{k+1} - \\frac X2 = (1-2\\eta)\\big(b_k - \\frac X2\\big)$", "and $b_{i+1} = (1-2\\eta)b_i + \\eta X$")
    report, steps = check(problems, "mit-6790-hw4-online-stepsize", text)
    assert all(s.status == "ok" for s in report.steps), steps
    wrong, steps = check(problems, "mit-6790-hw4-online-stepsize", text.replace("b_i + \\eta X$", "b_i + 2\\eta X$"))
    assert status_at(wrong, 2)[0] == "wrong", steps
    bound = ("## 4e-iterates-bound\n$$\\frac{X}{2}\\Big(1 - (1-2\\eta)^k\\Big) \\le \\frac{X}{2}$$\n"
             "$$X + 2\\cdot X/2 = 2X$$\n")
    report, steps = check(problems, "mit-6790-hw4-online-stepsize", bound)
    assert finals(report) == {"4e-iterates-bound": "correct"}, steps


def test_a_bare_gradient_is_not_taken_in_a_scalar_unknown(problems):
    text = ("## match\n$$\\nabla\\Big(J(\\mathbf{v}) + \\frac{\\kappa}{2}\\|\\mathbf{v}\\|^2\\Big) = "
            "\\frac{1}{m}A^\\top(A\\mathbf{v} - \\mathbf{b}) + \\kappa\\mathbf{v}$$\n")
    report, steps = check(problems, "weight-decay-match-half", text)
    assert "wrong" not in status_at(report, 2), steps

"""Students' writing met in blind corpus v10 (issue 10): an increment ``Δu₁``, a line that fails to
parse leaves no names behind, an entry index out of range, ``I ⋆ J`` for the part's convolution,
a zero row written as a number, ``\\max_i ε|w_i|``, a condition after "only if", an example after
"e.g." whose other values are not given, a free symbol named by what it stands for (``ω = ‖W‖``),
a superscript label ``v^{\\text{N}}``, an event ``y′ = 1``, ``c·I`` sized by the other side, a show
part whose last line is wrong, a point value of a name not carried to later parts, and the answer
beside another relation on the last line. Each correct form is accepted, and a slip in it is still
caught."""
from derive.check.latex_math import parse_chain
from checking import check, status_at, finals





def test_an_increment_is_one_name():
    terms, _ = parse_chain(r"\Delta u_1 = \rho", {"u1": "u_1", "rho": r"\rho"})
    assert terms[0].id == "Delta_u1"
    terms, _ = parse_chain(r"a = \Delta^2", {"a": "a"})
    assert terms[1].op == "**"                      # Δ on its own is still a letter


STEP = """## first-step
$$\\Delta u_1 = -\\rho\\,\\frac{-6}{\\sqrt{36}} = \\rho$$
"""


def test_an_increment_is_defined_and_its_chain_checked(problems):
    report, steps = check(problems, "adagrad-toy", STEP)
    assert status_at(report, 2) == ["ok"], steps
    slipped, steps = check(problems, "adagrad-toy", STEP.replace("\\sqrt{36}} = \\rho", "\\sqrt{36}} = 2\\rho"))
    assert status_at(slipped, 2) == ["wrong"], steps


SMOOTH = """## smooth
$o_i = \\tfrac14 s_{i-1} + \\tfrac12 s_i + \\tfrac14 s_{i+1}$:
$$o_1 = \\tfrac14\\cdot 0 + \\tfrac12\\cdot 0 + \\tfrac14\\cdot 4 = 1$$
"""


def test_an_unread_line_leaves_no_names_and_an_index_stays_in_range(problems):
    report, steps = check(problems, "conv-filters-numeric", SMOOTH)
    assert status_at(report, 3) == ["ok"], steps
    slipped, steps = check(problems, "conv-filters-numeric", SMOOTH.replace("\\tfrac14\\cdot 4 = 1", "\\tfrac14\\cdot 4 = 2"))
    assert status_at(slipped, 3) == ["wrong"], steps
    edge, steps = check(problems, "conv-filters-numeric", "## smooth\n$$s_0 = 0$$\n")
    assert status_at(edge, 2) != ["wrong"], steps        # s₀ is no entry of (s₁, …, s₆): never its last one


CONV = """### 3.1
With $S_0 = S_6 = 0$ for the padding,
$$O_1 = S_2 - S_0 = (0, 1, 2, 3, 2)$$
$$\\boxed{\\mathbf{I} \\star \\mathbf{J} = \\begin{pmatrix} 0 & 1 & 2 & 3 & 2 \\\\ 2 & 3 & 3 & 2 & 1 \\\\ 1 & 1 & 1 & -1 & -1 \\\\ -2 & -2 & -2 & -1 & -1 \\\\ -1 & -2 & -3 & -2 & -1 \\end{pmatrix}}$$
"""


def test_the_parts_convolution_by_its_operator_and_a_zero_row_as_a_number(problems):
    report, steps = check(problems, "csc413-2022-hw2-convolution", CONV)
    assert "wrong" not in [s.status for s in report.steps], steps
    assert finals(report) == {"3.1": "correct"}
    assert "cross-correlation" in report.parts[0].final_answer.convention
    off, steps = check(problems, "csc413-2022-hw2-convolution", CONV.replace("0 & 1 & 2 & 3 & 2 \\\\", "0 & 1 & 2 & 3 & 3 \\\\"))
    assert finals(off) == {"3.1": "wrong"}, steps


SIGNS = """## 1.1.1
$$\\|\\boldsymbol\\delta_2\\|_\\infty = \\max_i \\epsilon |w_i| = \\epsilon\\|\\mathbf w\\|_\\infty$$
so the two have the same size only if the largest weight has magnitude one, $\\|\\mathbf w\\|_\\infty = 1$.
"""


def test_a_scaled_max_over_entries_and_a_condition_after_only_if(problems):
    report, steps = check(problems, "fgsm-linf", SIGNS)
    assert status_at(report, 2) == ["ok"] and status_at(report, 3) == ["unknown"], steps
    slipped, steps = check(problems, "fgsm-linf", SIGNS.replace("\\max_i \\epsilon |w_i|", "\\max_i 2\\epsilon |w_i|"))
    assert status_at(slipped, 2) == ["wrong"], steps


EXAMPLE = """## lr
$$\\rho^\\star = \\frac{K\\delta^2}{K\\delta^2 + s^2}$$
E.g. four samples with $s = 2$ and $|v - \\mu| = 1$ give $\\rho^\\star = \\frac{4}{4 + 4} = \\frac12$.
"""


def test_lines_of_an_example_whose_other_values_are_not_given_are_not_graded(problems):
    report, steps = check(problems, "minibatch-mean-estimation", EXAMPLE)
    assert "wrong" not in status_at(report, 3), steps
    assert any(s.move == "an example value" for s in report.steps)


OMEGA = """\\section*{5d}
Along the ray, with $\\omega = \\|W\\|$, the condition is
\\[ \\alpha < \\frac{\\omega^2\\bigl(\\sigma(z^{*}) - \\frac12\\bigr)}{(z^{*})^2} \\]
\\section*{5e}
\\[ \\alpha > \\frac{\\|W\\|^2\\bigl(\\sigma(z^{*}) - \\frac12\\bigr)}{(z^{*})^2} \\]
"""


def test_a_free_symbol_named_by_what_it_stands_for_carries_into_later_parts(problems):
    report, steps = check(problems, "mit-6790-hw4-adversarial", OMEGA)
    assert [s.move for s in report.steps if s.line == 2] == ["names a quantity"], steps
    assert finals(report) == {"5d": "correct", "5e": "correct"}, steps
    squared, steps = check(problems, "mit-6790-hw4-adversarial", OMEGA.replace("\\frac{\\|W\\|^2\\bigl", "\\frac{\\|W\\|\\bigl"))
    assert finals(squared)["5e"] == "wrong", steps


def test_a_bound_the_problem_leaves_free_is_named_but_its_arithmetic_is_checked(problems):
    text = "## 4e-gradient\nthe gradients are bounded by $G = X + 2\\cdot\\frac{X}{2} = 2X$.\n"
    report, steps = check(problems, "mit-6790-hw4-online-stepsize", text)
    assert [s.move for s in report.steps] == ["names a quantity"], steps
    bad, steps = check(problems, "mit-6790-hw4-online-stepsize", text.replace("= 2X$", "= 3X$"))
    assert bad.steps[0].status == "wrong", steps


NESTEROV = """## difference
$$\\mathbf v_1^{\\text{N}} - \\mathbf v_1^{\\text{HB}} = -\\rho\\big(Q(\\mathbf v_0 + \\mu\\mathbf m_0) - \\mathbf c\\big) + \\rho\\,(Q\\mathbf v_0 - \\mathbf c)$$
$$= -\\rho\\mu\\, Q\\mathbf m_0$$
"""


def test_superscript_labels_name_the_two_steps_and_a_show_part_ends_at_its_last_line(problems):
    text = ("## heavy-ball\n$$\\mathbf v_1^{\\text{HB}} = \\mathbf v_0 + \\mu\\mathbf m_0 - \\rho(Q\\mathbf v_0 - \\mathbf c)$$\n"
            "## nesterov\n$$\\mathbf v_1^{\\text{N}} = \\mathbf v_0 + \\mu\\mathbf m_0 - \\rho\\big(Q(\\mathbf v_0 + \\mu\\mathbf m_0) - \\mathbf c\\big)$$\n")
    report, steps = check(problems, "momentum-nesterov-step", text + NESTEROV)
    assert all(s.status == "ok" for s in report.steps), steps
    assert finals(report)["difference"] == "correct"
    flipped, steps = check(problems, "momentum-nesterov-step", text + NESTEROV.replace("$$= -\\rho\\mu", "$$= \\rho\\mu"))
    assert status_at(flipped, 7) == ["wrong"] and finals(flipped)["difference"] == "wrong", steps


def test_an_event_is_no_identity(problems):
    text = "### 2a-q\n$y' = 1$ happens when ($y = 1$ and no flip) or ($y = 0$ and a flip):\n$$q = h + \\epsilon - 2h\\epsilon$$\n"
    report, steps = check(problems, "mit-6790-hw4-noisy-targets", text)
    assert [s.move for s in report.steps if s.line == 2][0] == "an event" and "wrong" not in status_at(report, 2), steps
    assert finals(report) == {"2a-q": "correct"}


NOISE = """## data-set
$$\\mathbb{E}\\|\\Xi\\mathbf v\\|^2 = \\mathbf v^\\top\\,\\mathbb{E}[\\Xi^\\top\\Xi]\\,\\mathbf v$$
$$\\mathbb{E}[\\Xi^\\top\\Xi] = N\\tau^2 I$$
"""


def test_a_multiple_of_the_identity_takes_the_size_of_the_other_side(problems):
    report, steps = check(problems, "input-noise-ridge-vector", NOISE)
    assert status_at(report, 3) == ["ok"], steps
    slipped, steps = check(problems, "input-noise-ridge-vector", NOISE.replace("N\\tau^2 I", "\\tau^2 I"))
    assert status_at(slipped, 3) == ["wrong"], steps


def test_a_value_at_a_point_is_not_carried_as_the_name(problems):
    text = ("Let $r := a_1w_1 + a_2w_2 - t$.\n\n## 1.2.1a\nAt $\\mathbf w = 0$, $r = -2$.\n\n"
            "## 1.2.1b\nWith $g_i = 2a_i r$:\n$$\\frac{g_i}{\\sqrt{\\beta a_i^2 V + (1-\\beta)g_i^2}} = \\frac{2r}{\\sqrt{\\beta V + 4(1-\\beta)r^2}}$$\n")
    report, steps = check(problems, "rmsprop-minnorm", text)
    assert [s.status for s in report.steps if s.line in (7, 8)] == ["ok", "ok"], steps


def test_the_answer_beside_another_relation_on_the_last_line(problems):
    text = "## field\n$r_1 = 5$, $j_1 = 1$; $r_2 = 7$, $j_2 = 2$; $r_3 = 9$, $j_3 = 4$.\n"
    report, steps = check(problems, "cnn-sizes-strided", text)
    assert finals(report) == {"field": "correct"}, steps
    off, steps = check(problems, "cnn-sizes-strided", text.replace("r_3 = 9", "r_3 = 11"))
    assert finals(off) == {"field": "wrong"}, steps


LAGRANGE = """## 1.2.1b
$$\\mathcal{L} = w_1^2 + w_2^2 - \\mu(w_1 + w_2 - 1)$$
$$\\frac{\\partial\\mathcal{L}}{\\partial w_1} = 2w_1 - \\mu = 0, \\qquad \\frac{\\partial\\mathcal{L}}{\\partial w_2} = 2w_2 - \\mu = 0$$
so $w_1 = w_2 = \\mu/2$, and then the constraint forces $\\mu = 1$.
"""


def test_a_lagrangian_without_arguments_is_a_function_of_what_it_is_written_in(problems):
    report, steps = check(problems, "ridge-toy", LAGRANGE)
    assert all(s.status == "ok" for s in report.steps), steps
    slipped, steps = check(problems, "ridge-toy", LAGRANGE.replace("= 2w_2 - \\mu = 0", "= 2w_2 + \\mu = 0"))
    assert status_at(slipped, 3) == ["ok", "wrong"], steps


CONVEX = """## 2.2.2
With $a_i = (X\\mathbf{w}_0 - \\mathbf{t})_i$ and $u_i = (XX^\\top\\mathbf{a})_i$,
$$L_1'(\\eta) = \\frac{1}{n}\\sum_{i=1}^n 2\\Big(a_i - \\frac{2\\eta}{n}u_i\\Big)\\Big(-\\frac{2}{n}u_i\\Big) = -\\frac{4}{n^2}\\sum_i a_i u_i + \\frac{8\\eta}{n^3}\\sum_i u_i^2$$
"""


def test_entries_of_a_vector_expression_define_the_vector(problems):
    report, steps = check(problems, "one-step-convexity", CONVEX)
    assert [s.status for s in report.steps] == ["ok", "ok", "ok"], steps
    slipped, steps = check(problems, "one-step-convexity", CONVEX.replace("\\frac{8\\eta}{n^3}", "\\frac{4\\eta}{n^3}"))
    assert status_at(slipped, 3) == ["wrong"], steps


MIRROR = """## 3a
$$h(x) = f'(x^0)(x-x^0) + \\frac{1}{\\varepsilon}\\Big[x\\log\\frac{x}{x^0} + (1-x)\\log\\frac{1-x}{1-x^0}\\Big]$$
$$h'(x) = f'(x^0) + \\frac{1}{\\varepsilon}\\Big[\\log\\frac{x}{x^0} - \\log\\frac{1-x}{1-x^0}\\Big] = 0$$
$$\\log\\frac{x}{1-x} - \\log\\frac{x^0}{1-x^0} = -\\varepsilon f'(x^0)$$
"""


def test_an_unknown_redrawn_to_compare_equations_stays_in_its_domain(problems):
    report, steps = check(problems, "mirror-descent-kl", MIRROR)
    assert all(s.status == "ok" for s in report.steps), steps        # x ∈ (0, 1): log(x/(1 − x)) is defined
    slipped, steps = check(problems, "mirror-descent-kl", MIRROR.replace("= -\\varepsilon f'(x^0)$$", "= \\varepsilon f'(x^0)$$"))
    assert status_at(slipped, 4) == ["wrong"], steps

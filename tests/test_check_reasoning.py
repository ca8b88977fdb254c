"""Reasoning over several lines and notation found in the third and fourth blind corpora (issue
10): a chain of equations that follows from a system (Lagrange conditions), an equation whose
unknown enters through a random symbol's law, ∇F at a point, E(·) as the student's own function
where nothing is random, and carrying on from a wrong equation. Each correct form is accepted;
each slip in the same form is wrong at its line."""
import pytest

from derive.check.run import check_text


def verdicts(problems, pid, text):
    report = check_text(text, "student.md", problems(pid))
    return {s.line: s for s in report.steps}, report


LAGRANGE = """## 1.2.1b

$$ \\mathcal{L}(\\mathbf{w},\\mu) = w_1^2 + w_2^2 - \\mu(w_1 + w_2 - 1) $$

$$ \\frac{\\partial\\mathcal{L}}{\\partial w_1} = 2w_1 - \\mu = 0 $$

$$ \\frac{\\partial\\mathcal{L}}{\\partial w_2} = 2w_2 - \\mu = 0 $$

$$ w_1 = w_2 = \\frac{\\mu}{2} $$

$$ w_1 + w_2 = \\mu = 1 $$

$$ \\mathbf{w}^\\star = \\left(\\frac{1}{2}, \\frac{1}{2}\\right)^\\top $$
"""


def test_a_chain_that_follows_from_the_lagrange_conditions(problems):
    steps, report = verdicts(problems, "ridge-toy", LAGRANGE)
    assert all(s.status == "ok" for s in steps.values()), [(s.line, s.reason) for s in steps.values()]
    assert steps[9].move == "follows from the equations so far"
    assert report.parts[0].final_answer.status == "correct"


@pytest.mark.parametrize("slip", [("w_2 = \\frac{\\mu}{2}", "w_2 = \\mu"), ("\\mu = 1 $$", "\\mu = 2 $$")])
def test_a_chain_the_system_does_not_imply_is_wrong(problems, slip):
    steps, _ = verdicts(problems, "ridge-toy", LAGRANGE.replace(*slip))
    line = 9 if "w_2 = \\mu" == slip[1] else 11
    assert steps[line].status == "wrong", steps[line]
    assert all(s.status == "ok" for n, s in steps.items() if n < line)


VARIANCE = """Let $h = \\sum_{k=1}^K u_k z_k$.

$$ \\operatorname{Var}(h) = \\mathbb{E}[h^2] - \\mathbb{E}[h]^2 = K e^2 s^2 $$

Setting it equal to the input variance,

$$ \\operatorname{Var}(h) = s^2 $$

$$ e = \\frac{1}{\\sqrt{K}} $$
"""


def test_an_equation_in_the_unknown_through_a_law(problems):
    steps, report = verdicts(problems, "linear-init-lecun", VARIANCE)
    assert all(s.status == "ok" for s in steps.values()), [(s.line, s.reason) for s in steps.values()]
    assert report.parts[0].final_answer.status == "correct"
    steps, _ = verdicts(problems, "linear-init-lecun", VARIANCE.replace("= s^2 $$", "= 2 s^2 $$"))
    assert steps[7].status == "wrong"       # not the problem's equation
    assert steps[3].status == "ok"


LINE_SEARCH = """## best-rate

Let $\\mathbf{p} := Q\\mathbf{v}_0 - \\mathbf{c}$ and $\\phi(\\rho) := F(\\mathbf{v}_0 - \\rho\\mathbf{p})$.

$$ \\phi'(\\rho) = \\nabla F(\\mathbf{v}_0 - \\rho\\mathbf{p})^\\top(-\\mathbf{p}) = -\\left(Q(\\mathbf{v}_0 - \\rho\\mathbf{p}) - \\mathbf{c}\\right)^\\top\\mathbf{p} $$

$$ \\rho^\\star = \\frac{\\|\\mathbf{p}\\|^2}{\\mathbf{p}^\\top Q\\mathbf{p}} $$
"""


def test_the_gradient_of_a_function_at_a_point_then_transposed(problems):
    steps, report = verdicts(problems, "exact-line-search", LINE_SEARCH)
    assert all(s.status == "ok" for s in steps.values()), [(s.line, s.reason) for s in steps.values()]
    assert report.parts[0].final_answer.status == "correct"
    steps, _ = verdicts(problems, "exact-line-search", LINE_SEARCH.replace("- \\rho\\mathbf{p}) - \\mathbf{c}", "+ \\rho\\mathbf{p}) - \\mathbf{c}"))
    assert steps[5].status == "wrong" and steps[5].counterexample is not None


OWN_E = """## 1.2.4a

We minimise $E(w) := \\frac{1}{2}(xw - t)^2 + \\lambda w^2$ over $w$:

$$ E'(w) = x(xw - t) + 2\\lambda w = 0 $$

$$ w = \\frac{xt}{x^2 + 2\\lambda} $$
"""


def test_E_is_the_students_function_when_nothing_is_random(problems):
    steps, report = verdicts(problems, "fgsm-weight-decay", OWN_E)
    assert all(s.status == "ok" for s in steps.values()), [(s.line, s.reason) for s in steps.values()]
    assert report.parts[0].final_answer.status == "correct"


def test_after_a_wrong_link_the_student_goes_on_from_their_equation(problems):
    steps, report = verdicts(problems, "fgsm-weight-decay", OWN_E.replace("2\\lambda w = 0", "\\lambda w = 0")
                             .replace("x^2 + 2\\lambda", "x^2 + \\lambda"))
    assert steps[5].status == "wrong" and "right-hand side" in steps[5].reason
    assert steps[7].status == "ok"                      # follows from the student's own line 5
    assert report.parts[0].final_answer.status == "wrong"


def test_only_shape_errors_are_mathematical_errors(problems):
    """A non-conformable product is the student's error (wrong); a call with the wrong number of
    arguments is a reading problem (the line is unparsed, never wrong)."""
    from derive.check.checker import PartChecker
    from derive.expr.ast import Call, Name

    problem = problems("exact-line-search")
    part = problem.spec.part("best-rate")
    checker = PartChecker(problem.spec, part, problem.definitions["best-rate"], problem.answers["best-rate"])
    import derive.errors as E
    with pytest.raises(E.ParseError) as arity:
        checker._build(Call("F", (Name("v0"), Name("rho"), Name("rho"), Name("rho"))[:0]))
    assert arity.value.kind == "type"
    steps, _ = verdicts(problems, "exact-line-search", "## best-rate\n\n$$ Q \\mathbf{p}^\\top = \\mathbf{p} $$\n")
    assert steps[3].status == "wrong" and steps[3].move == "type error"


def test_a_parts_specialised_values_and_updated_entries(problems):
    """rmsprop 1.2.1a specialises a₁ = 2, a₂ = 1, t = 2, w = 0; the student writes the new w₁
    and w₂ by their old names. Each entry is checked against the derived update."""
    text = """## 1.2.1a

$$ L = (2w_1 + w_2 - 2)^2 $$

$$ g_1 = 4(2w_1 + w_2 - 2) = -8 $$

$$ w_1 = 0 - \\frac{\\eta\\,(-8)}{\\sqrt{64(1-\\beta)}} = \\frac{\\eta}{\\sqrt{1-\\beta}} $$

$$ w_2 = 0 - \\frac{\\eta\\,(-4)}{\\sqrt{16(1-\\beta)}} = \\frac{\\eta}{\\sqrt{1-\\beta}} $$
"""
    steps, report = verdicts(problems, "rmsprop-minnorm", text)
    assert all(s.status == "ok" for s in steps.values()), [(s.line, s.reason) for s in steps.values()]
    assert steps[7].move == "an updated value" and report.parts[0].final_answer.status == "correct"
    steps, report = verdicts(problems, "rmsprop-minnorm", text.replace("= -8 $$", "= 8 $$"))
    assert steps[5].status == "wrong"
    slipped = text.replace("\\sqrt{16(1-\\beta)}} = \\frac{\\eta}{\\sqrt{1-\\beta}}", "\\sqrt{16(1-\\beta)}} = \\frac{\\eta}{2\\sqrt{1-\\beta}}")
    steps, report = verdicts(problems, "rmsprop-minnorm", slipped)
    assert steps[9].status == "wrong" and report.parts[0].final_answer.status != "correct"


def test_an_example_value_and_a_preamble_carried_into_every_part(problems):
    text = """Throughout, $s_i := \\sum_j w_j x_{ij}$ and $q_i := \\sum_j w_j^2 x_{ij}^2$.

## 3.1

$$ \\mathbb{E}\\Big[\\frac{1}{2N}\\sum_i (\\tilde y_m^{(i)} - t_i)^2\\Big] = \\frac{1}{2N}\\sum_i (s_i - t_i)^2 + \\frac{1-p}{2Np}\\sum_i q_i $$

## 3.2b

$$ \\frac{\\sigma^2}{2N} = \\frac{1-p}{2Np} $$

$$ \\sigma = \\sqrt{\\frac{1-p}{p}} $$

For example $p = 0.8$ gives $\\sigma = 0.5$.
"""
    steps, report = verdicts(problems, "dropout-average", text)
    assert all(s.status == "ok" for s in steps.values()), [(s.line, s.reason) for s in steps.values()]
    assert [p.final_answer.status for p in report.parts] == ["correct", "correct"]
    assert [s.move for s in report.steps if s.line == 13][0] == "an example value"
    _, report = verdicts(problems, "dropout-average", text.replace("\\sigma = 0.5", "\\sigma = 0.25"))
    assert [s.status for s in report.steps if s.line == 13] == ["ok", "wrong"]


def test_a_vector_multiplier_and_an_annotation_of_the_space(problems):
    text = """## 1.1.1a

$$ X\\mathbf w = \\mathbf t \\in \\mathbb{R}^n $$

$$ \\mathcal{L}(\\mathbf w, \\bm\\mu) = \\mathbf w^\\top\\mathbf w - \\bm\\mu^\\top(X\\mathbf w - \\mathbf t) $$

$$ \\frac{\\partial \\mathcal L}{\\partial \\mathbf w} = 2\\mathbf w - X^\\top\\bm\\mu = 0 $$

$$ \\mathbf w = \\frac{1}{2} X^\\top\\bm\\mu $$

$$ X\\mathbf w = \\frac{1}{2} XX^\\top\\bm\\mu = \\mathbf t $$

$$ \\bm\\mu = 2(XX^\\top)^{-1}\\mathbf t $$

$$ \\mathbf w^* = \\frac{1}{2} X^\\top \\bm\\mu = X^\\top (XX^\\top)^{-1}\\mathbf t $$
"""
    steps, report = verdicts(problems, "minnorm-sgd", text)
    assert all(s.status == "ok" for s in steps.values()), [(s.line, s.reason) for s in steps.values()]
    assert report.parts[0].final_answer.status == "correct"
    steps, _ = verdicts(problems, "minnorm-sgd", text.replace("\\bm\\mu = 2(XX", "\\bm\\mu = (XX"))
    assert steps[13].status == "wrong"


def test_second_derivatives_in_leibniz_form_and_a_chain_ending_in_an_inequality(problems):
    text = """## 2.2.2

$$ L_1(\\eta) = \\frac{1}{n}\\|X\\mathbf w_0 - \\mathbf t - \\frac{2\\eta}{n} XX^\\top(X\\mathbf w_0 - \\mathbf t)\\|^2 $$

$$ \\frac{d^2 L_1}{d\\eta^2} = \\frac{8}{n^3}\\|XX^\\top(X\\mathbf w_0-\\mathbf t)\\|^2 \\ge 0 $$
"""
    steps, report = verdicts(problems, "one-step-convexity", text)
    assert all(s.status == "ok" for s in steps.values()), [(s.line, s.reason) for s in steps.values()]
    assert report.parts[0].final_answer.status == "correct"
    steps, report = verdicts(problems, "one-step-convexity", text.replace("\\frac{8}{n^3}", "\\frac{4}{n^3}"))
    assert steps[5].status == "wrong" and report.parts[0].final_answer.status == "wrong"


def test_a_lagrangian_in_the_entries_after_the_constraint(problems):
    """𝓛(w₁, w₂, ν) stated after the constraint: its partial derivatives are stationarity
    conditions, and ν = 1 follows from them with the constraint uᵀw = 1 read entry by entry."""
    text = """## 1.2.1d

The exact fits are the line $w_1 + w_2 = 1$.

$$ \\mathcal{L}(w_1, w_2, \\nu) = w_1^2 + w_2^2 - \\nu(w_1 + w_2 - 1) $$

$$ \\frac{\\partial\\mathcal L}{\\partial w_1} = 2w_1 - \\nu = 0 $$

$$ \\frac{\\partial\\mathcal L}{\\partial w_2} = 2w_2 - \\nu = 0 $$

Hence $w_1 = w_2 = \\nu/2$, and the constraint gives $\\nu = 1$:

$$ \\mathbf w = \\Big(\\frac12, \\frac12\\Big)^\\top $$
"""
    _, report = verdicts(problems, "ridge-toy-lambda", text)
    assert all(s.status == "ok" for s in report.steps), [(s.line, s.reason) for s in report.steps]
    assert report.parts[0].final_answer.status == "correct"
    _, report = verdicts(problems, "ridge-toy-lambda", text.replace("\\nu = 1$", "\\nu = 2$"))
    assert [s.status for s in report.steps if s.line == 11][-1] == "wrong"
    _, report = verdicts(problems, "ridge-toy-lambda", text.replace("= 2w_2 - \\nu = 0", "= w_2 - \\nu = 0"))
    assert [s.status for s in report.steps if s.line == 9] == ["wrong"]


def test_digit_superscript_names_logit_command_and_sigma_as_the_sigmoid(problems):
    """x^0 is the spec's x⁰ (not x to the power 0), \\logit is a command students declare, and
    σ(·) is the sigmoid when σ is no symbol of the problem."""
    text = """## 3a

$$ \\logit(x) = \\logit(x^0) - \\varepsilon f'(x^0) $$

$$ x = \\sigma\\big(\\logit(x^0) - \\varepsilon f'(x^0)\\big) $$
"""
    _, report = verdicts(problems, "mirror-descent-kl", text)
    assert report.parts[0].final_answer.status == "correct"
    assert not [s for s in report.steps if s.status in ("wrong", "unparsed")]
    _, report = verdicts(problems, "mirror-descent-kl", text.replace("x = \\sigma\\big(\\logit(x^0) -", "x = \\sigma\\big(\\logit(x^0) +"))
    assert report.parts[0].final_answer.status == "wrong"


def test_a_name_defined_later_on_the_line_and_script_L_for_the_loss(problems):
    """"g_B = aw + ε̄ with ε̄ = (1/B)Σ ε_i": the definition is read first; without a constraint,
    𝓛 is the problem's loss L."""
    text = """## 2.1.1a-var

$g_B = aw + \\bar\\epsilon$ with $\\bar\\epsilon = \\frac{1}{B}\\sum_i \\epsilon_i$.

$$\\operatorname{Var}(g_B) = \\operatorname{Var}(\\bar\\epsilon) = \\frac{1}{B}\\operatorname{Var}(\\epsilon_i) = \\frac{\\sigma^2}{B}$$
"""
    _, report = verdicts(problems, "nqm-batch", text)
    assert all(s.status == "ok" for s in report.steps), [(s.line, s.reason) for s in report.steps]
    assert report.parts[0].final_answer.status == "correct"
    _, report = verdicts(problems, "nqm-batch", text.replace("\\frac{1}{B}\\operatorname", "\\frac{1}{B^2}\\operatorname")
                         .replace("\\frac{\\sigma^2}{B}$$", "\\frac{\\sigma^2}{B^2}$$"))
    assert [s.status for s in report.steps if s.line == 5] == ["wrong"]
    use = "## 2.1.1a-lr\n\n$$ \\mathcal{L}(w) + 1 = \\frac{a}{2} w^2 + 1 $$\n"
    _, report = verdicts(problems, "nqm-batch", use)
    assert report.steps[0].status == "ok"            # 𝓛 is the problem's L
    _, report = verdicts(problems, "nqm-batch", use.replace("\\frac{a}{2} w^2", "a w^2"))
    assert report.steps[0].status == "wrong"


def test_the_active_constraint_squared(problems):
    text = """## 1a

$$ \\mathcal{L}(\\boldsymbol{\\delta}, \\mu) = \\mathbf{g}^\\top\\boldsymbol{\\delta} + \\mu(\\boldsymbol{\\delta}^\\top\\boldsymbol{\\delta} - \\varepsilon^2) $$

$$ \\nabla_{\\boldsymbol{\\delta}}\\mathcal{L} = \\mathbf{g} + 2\\mu\\boldsymbol{\\delta} = 0 $$

$$ \\boldsymbol{\\delta} = -\\frac{\\mathbf{g}}{2\\mu} $$

$$ \\frac{\\mathbf{g}^\\top\\mathbf{g}}{4\\mu^2} = \\varepsilon^2 $$

$$ \\mu = \\frac{\\|\\mathbf{g}\\|_2}{2\\varepsilon} $$
"""
    steps, report = verdicts(problems, "trust-region", text)
    assert steps[9].status == "ok" and steps[9].move == "the constraint is active at the optimum"
    assert steps[11].status == "ok" and report.parts[0].final_answer.status == "correct"
    steps, _ = verdicts(problems, "trust-region", text.replace("{4\\mu^2} = \\varepsilon^2", "{2\\mu^2} = \\varepsilon^2"))
    assert steps[9].status == "wrong"


def test_a_vector_equated_with_a_scalar_is_a_verdict_not_a_failure(problems):
    """The fuzzer's commonest caught cause: a column vector set equal to a nonzero scalar. The line
    gets a reason (the shapes), never a SymPy 'Mix of Matrix and Scalar' failure."""
    _, report = verdicts(problems, "ridge-fgm", "## 1.2.2\n\n$$ \\mathbf{w} = 2 $$\n")
    step = report.steps[0]
    assert step.status == "unknown" and "d×1 matrix and the other a scalar" in step.reason

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

"""Students' notation met in blind corpus v7 (issue 10): a condition on indices (``= τ² if k = l``),
the name a later part gives a part's result (``q = E[y′]``), a usual function letter the problem
declares as a number (``h(1 − ε)``), free weights restricted (``w₁ = w₂ = s``), the unknown's
entries named as the problem's scalars, ``w^{⋆⊤}``, point-free sigmoid facts (``σ′ = σ(1 − σ)``),
a fact in a variable of its own, a change of variables for an earlier part's result, a condition
that is false in the part, a counterexample "in one dimension", and ``ỹᵢ`` for the one variant of
ỹ that the part's goal uses. Each correct form is accepted, and a slip in it is still caught."""
import pytest

from derive.check.run import check_text


def check(problems, pid, text):
    report = check_text(text, "student.md", problems(pid))
    return report, [(s.line, s.status, s.move, s.reason) for s in report.steps]


def status_at(report, line):
    return [s.status for s in report.steps if s.line == line]


NOISE = """## expected-loss

$$\\mathbb{E}\\Big[\\Big(\\sum_k b_k(c_k+\\xi_k) - y\\Big)^2\\Big] = \\Big(\\sum_k b_k c_k - y\\Big)^2 + \\tau^2\\sum_k b_k^2$$

using $\\mathbb{E}[\\xi_k]=0$ and $\\mathbb{E}[\\xi_k\\xi_l] = \\tau^2$ if $k=l$ and $0$ otherwise. So

$$\\boxed{\\mathbb{E}[\\text{loss}] = \\Big(\\sum_k b_kc_k - y\\Big)^2 + \\tau^2\\sum_k b_k^2}$$
"""


def test_a_moment_stated_for_equal_indices_is_checked_with_them_equal(problems):
    report, steps = check(problems, "input-noise-ridge", NOISE)
    assert [s.status for s in report.steps if s.line == 5][:2] == ["ok", "ok"], steps
    assert any(s.move == "where k = l" for s in report.steps), steps
    assert "unparsed" not in status_at(report, 7), steps        # E[\text{loss}]: a name, not prose
    assert report.parts[0].final_answer.status == "correct"
    slipped, steps = check(problems, "input-noise-ridge", NOISE.replace("\\xi_l] = \\tau^2$", "\\xi_l] = \\tau$"))
    assert "wrong" in status_at(slipped, 5), steps


FLIPS = """## 2a-q

Taking expectations of $y' = y + f - 2yf$ with $y$ and $f$ independent:

$$q = \\mathbb E[y'] = h + \\epsilon - 2h\\epsilon$$

By cases, the observed label is 1 if ($y=1$, no flip) or ($y=0$, flip):

$$q = h(1-\\epsilon) + (1-h)\\epsilon$$

## 2a

$$E = -t\\log q - (1-t)\\log(1-q)$$

$$\\boxed{E = -t\\log\\big(h+\\epsilon-2h\\epsilon\\big) - (1-t)\\log\\big(1-h-\\epsilon+2h\\epsilon\\big)}$$
"""


def test_the_name_a_later_part_gives_a_result_states_that_result(problems):
    report, steps = check(problems, "mit-6790-hw4-noisy-targets", FLIPS)
    assert not [s for s in steps if s[1] in ("wrong", "unparsed")], steps
    assert [s[1] for s in steps if s[0] == 7] == ["unknown", "unknown"]          # conditions after 'if ('
    assert {p.part: p.final_answer.status for p in report.parts} == {"2a-q": "correct", "2a": "correct"}
    slipped, steps = check(problems, "mit-6790-hw4-noisy-targets", FLIPS.replace("- 2h\\epsilon$$\n\nBy", "- h\\epsilon$$\n\nBy"))
    assert "wrong" in status_at(slipped, 5), steps
    slipped, steps = check(problems, "mit-6790-hw4-noisy-targets", FLIPS.replace("h(1-\\epsilon) + (1-h)", "h(1+\\epsilon) + (1-h)"))
    assert "wrong" in status_at(slipped, 9), steps                  # h(1 − ε) is a product, checked


RMSPROP = """## 1.2.1c

On the diagonal $w_1 = w_2 = s$:

$$L(s,s) = (3s-2)^2 = 0$$

$$\\boxed{s = \\frac23}$$

## 1.2.1d

Minimum-norm solution of $2w_1 + w_2 = 2$: it is a multiple of the input, $\\mathbf w = c\\,(2,1)$, and $5c = 2$:

$$\\boxed{\\mathbf w^* = \\Big(\\frac45, \\frac25\\Big)}$$
"""


def test_a_restriction_and_a_form_fixed_by_the_constraint_are_read(problems):
    report, steps = check(problems, "rmsprop-minnorm", RMSPROP)
    assert not [s for s in steps if s[1] in ("wrong", "unparsed")], steps
    assert [s[2] for s in steps if s[0] == 3] == ["a restriction"]
    assert [s[1] for s in steps if s[0] == 11] == ["ok", "ok", "ok"], steps
    assert {p.part: p.final_answer.status for p in report.parts} == {"1.2.1c": "correct", "1.2.1d": "correct"}
    slipped, steps = check(problems, "rmsprop-minnorm", RMSPROP.replace("and $5c = 2$", "and $4c = 2$"))
    assert "wrong" in status_at(slipped, 11), steps
    slipped, steps = check(problems, "rmsprop-minnorm", RMSPROP.replace("(3s-2)^2", "(3s-1)^2"))
    assert "wrong" in status_at(slipped, 5), steps


def test_a_starred_transpose_is_read(problems):
    text = "## 1.2.1e\n\n$$c = \\mathbf w^{\\star\\top}\\mathbf w^\\star = \\tfrac14 + \\tfrac14 = \\tfrac12$$\n"
    report, steps = check(problems, "ridge-toy-lambda", text)
    assert report.parts[0].final_answer.status == "correct", steps
    report, steps = check(problems, "ridge-toy-lambda", text.replace("\\tfrac14 + \\tfrac14 = \\tfrac12", "\\tfrac14 = \\tfrac14"))
    assert report.parts[0].final_answer.status == "wrong", steps


LOGISTIC = """## attacked-logit

By the chain rule with $\\sigma' = \\sigma(1-\\sigma)$:

$$\\nabla_{\\mathbf z} P = \\sigma(\\mathbf v^\\top\\mathbf z)\\,(1-\\sigma(\\mathbf v^\\top\\mathbf z))\\,\\mathbf v$$
"""


def test_a_point_free_property_of_the_sigmoid_is_checked_without_defining_names(problems):
    report, steps = check(problems, "fgm-logistic", LOGISTIC)
    assert [s[2] for s in steps if s[0] == 3] == ["a property of the sigmoid"], steps
    assert status_at(report, 5) == ["ok"], steps                     # σ(…) is still the sigmoid
    slipped, steps = check(problems, "fgm-logistic", LOGISTIC.replace("\\sigma(1-\\sigma)$", "\\sigma(1+\\sigma)$"))
    assert status_at(slipped, 3) != ["ok"], steps
    slipped, steps = check(problems, "fgm-logistic", LOGISTIC.replace("\\,\\mathbf v$$", "\\,\\mathbf z$$"))
    assert "wrong" in status_at(slipped, 5), steps


MIRROR = """## 3b

Take $x^0 = \\sigma(\\eta^0)$ and $x = \\sigma(\\eta^1)$. Two facts:
$$\\log\\frac{\\sigma(\\eta)}{1-\\sigma(\\eta)} = \\eta$$
$$\\frac{\\partial P}{\\partial \\eta^1} = \\sigma(\\eta^1)\\big(1-\\sigma(\\eta^1)\\big)\\Big[f'(\\sigma(\\eta^0)) + \\frac{1}{\\varepsilon}(\\eta^1 - \\eta^0)\\Big] = 0$$
$$\\eta^1 = \\eta^0 - \\varepsilon f'(\\sigma(\\eta^0))$$
"""


def test_a_change_of_variables_renames_an_earlier_result_and_facts_take_their_own_variable(problems):
    report, steps = check(problems, "mirror-descent-kl", MIRROR)
    assert not [s for s in steps if s[1] in ("wrong", "unparsed")], steps
    assert [s[2] for s in steps if s[0] == 4] == ["a fact about functions"], steps
    assert report.parts[0].final_answer.status == "correct"
    slipped, steps = check(problems, "mirror-descent-kl", MIRROR.replace("} = \\eta$$", "} = -\\eta$$"))
    assert status_at(slipped, 4) != ["ok"], steps
    slipped, steps = check(problems, "mirror-descent-kl", MIRROR.replace("\\eta^0 - \\varepsilon f'", "\\eta^0 - f'"))
    assert "wrong" in status_at(slipped, 6), steps


def test_a_claim_earlier_part_values_contradict_is_still_wrong(problems):
    text = "## 1.2.3\n\n$$w^*_{ridge} = \\frac{x t}{x^2 + \\lambda}$$\n"
    report, steps = check(problems, "ridge-fgm", text)
    assert status_at(report, 3) == ["wrong"], steps                   # not a change of variables


LEAKY = """## 1.1k

With the leaky relu, $a_1 = z_1$ if $z_1>0$ and $a_1 = \\alpha z_1$ otherwise.

$$z_1 = -\\tfrac15,\\quad a_1 = -\\tfrac{\\alpha}{5},\\quad z_2 = \\tfrac{1+\\alpha}{5}$$

## 1.1k-stuck

The update is zero iff $\\alpha(y-t)y(1-y) = 0$, so

$$\\boxed{t = \\sigma\\Big(\\frac{1+\\alpha}{5}\\Big)}$$
"""


def test_a_line_under_a_condition_false_in_the_part_is_not_judged(problems):
    report, steps = check(problems, "mit-6790-hw4-leaky-relu", LEAKY)
    assert not [s for s in steps if s[1] in ("wrong", "unparsed")], steps
    assert "a condition" in [s[2] for s in steps if s[0] == 3], steps
    assert {p.part: p.final_answer.status for p in report.parts}["1.1k-stuck"] == "correct"
    slipped, steps = check(problems, "mit-6790-hw4-leaky-relu", LEAKY.replace("$a_1 = \\alpha z_1$ otherwise", "$a_1 = -\\alpha z_1$ otherwise"))
    assert "wrong" in status_at(slipped, 3), steps


def test_a_counterexample_in_one_dimension_is_a_worked_example(problems):
    text = ("## 4b-other\n\nIn one dimension with $x^{(i)} = 0$ we get $\\ell_i(v) = \\log 2 + v^2$. "
            "Take $w^{(i)} = 0$ and $w^* = 1$.\n")
    report, steps = check(problems, "mit-6790-hw4-online-logistic", text)
    assert "wrong" not in [s[1] for s in steps] and report.parts[0].final_answer.status != "wrong", steps


DROPOUT = """## 3.1

$$\\mathbb{E}[\\tilde y_i] = \\frac{1}{p}\\sum_j \\mathbb{E}[m_{ij}]\\, w_j x_{ij} = \\sum_j w_j x_{ij}$$

$$\\operatorname{Var}(\\tilde y_i) = \\frac{1}{p^2}\\sum_j \\operatorname{Var}(m_{ij})\\, w_j^2 x_{ij}^2 = \\frac{1-p}{p}\\sum_j w_j^2 x_{ij}^2$$
"""


@pytest.mark.parametrize("slip, line", [(None, None), (("\\frac{1-p}{p}\\sum_j", "\\frac{1}{p}\\sum_j"), 5)])
def test_a_decorated_name_without_its_label_is_the_variant_the_part_uses(problems, slip, line):
    report, steps = check(problems, "dropout-average", DROPOUT if slip is None else DROPOUT.replace(*slip))
    if slip is None:
        assert [s[1] for s in steps] == ["ok", "ok"], steps
    else:
        assert status_at(report, line) == ["wrong"], steps

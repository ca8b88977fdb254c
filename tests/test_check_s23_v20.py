"""Students' writing met in the held-out corpus v20, read after it was scored once (issue 10).
Each correct form is accepted, and a slip in it is still caught."""
from checking import check, finals, status_at

LOG_STEP = r"""## log-step
Set $u = e^{\theta_1}$, $u_0 = e^{\theta_0}$. The objective in $\theta_1$ is
$$P(\theta_1) = h'(e^{\theta_0})(e^{\theta_1} - e^{\theta_0}) + \frac1\kappa\left(e^{\theta_1}(\theta_1 - \theta_0) - e^{\theta_1} + e^{\theta_0}\right)$$
$$\frac{dP}{d\theta_1} = e^{\theta_1}\left(h'(e^{\theta_0}) + \frac{\theta_1 - \theta_0}{\kappa}\right) = 0$$
$$\theta_1 = \theta_0 - \kappa\, h'(e^{\theta_0})$$
"""


def test_a_given_written_in_the_parts_variable_alone_restates_the_objective(problems):
    """P(θ₁) for the problem's P(u, u₀), in a part that minimises P(e^{θ₁}, e^{θ₀}) over θ₁: the
    student's name for the objective in θ₁, checked against it (a slip in it is not the objective)."""
    report, steps = check(problems, "mirror-descent-log-coords", LOG_STEP)
    assert "wrong" not in [s[1] for s in steps] and finals(report) == {"log-step": "correct"}, steps
    assert [s[2] for s in steps if s[0] == 3] == ["states the objective"], steps
    slipped, steps = check(problems, "mirror-descent-log-coords", LOG_STEP.replace(r"- e^{\theta_1} + e^{\theta_0}\right)$$", r"+ e^{\theta_1} + e^{\theta_0}\right)$$", 1))
    assert "wrong" in status_at(slipped, 3), steps


SHAPE_IN_PROSE = r"""Throughout, $z = W^T x + W_0$ and $\omega = \|W\|$.

\section*{5b}
$J$ is a scalar and $x \in \mathbb R^d$, so $\nabla_x J(x)$ is a column with $d$ entries, $d \times 1$.
"""


def test_a_part_with_only_prose_is_answered_by_its_size_not_by_the_set_up_before_it(problems):
    report, steps = check(problems, "mit-6790-hw4-adversarial", SHAPE_IN_PROSE)
    assert finals(report) == {"5b": "correct"}, steps
    slipped, steps = check(problems, "mit-6790-hw4-adversarial", SHAPE_IN_PROSE.replace(r"$d \times 1$", r"$1 \times d$"))
    assert finals(slipped) == {"5b": "wrong"}, steps
    bare, steps = check(problems, "mit-6790-hw4-adversarial", SHAPE_IN_PROSE.replace(r", $d \times 1$", ""))
    assert finals(bare) == {"5b": "missing"}, steps        # ω = ‖W‖ before the heading is no answer


def test_a_relation_the_prose_says_nothing_satisfies_is_not_graded(problems):
    text = ("## 3.3c-sines\nAt $n = 0$, $\\mathbf s_0 = \\mathbf 0$. Hence **no** matrix $W_k$ satisfies "
            "$\\mathbf s_{n+k} = W_k\\mathbf s_n$ for all $n$.\n")
    report, steps = check(problems, "mit-6790-hw4-attention-positions", text)
    assert "wrong" not in [s[1] for s in steps] and finals(report) == {"3.3c-sines": "correct"}, steps


LAGRANGE = r"""## weighted-limit
Minimise $u_1^2 + 4u_2^2$ subject to $u_1 + u_2 = 1$. Lagrange: $2u_1 = \nu$, $8u_2 = \nu$, so $u_1 = 4u_2$ and $5u_2 = 1$:
$$\mathbf u = \left(\tfrac45,\ \tfrac15\right)$$
"""


def test_stationarity_with_a_multiplier_and_no_lagrangian_stated(problems):
    """2u₁ = ν, then 8u₂ = ν: the multiplier the first fixes at the derived solution satisfies
    the second; 8u₂ = 2ν does not."""
    report, steps = check(problems, "ridge-weighted-toy", LAGRANGE)
    assert "wrong" not in [s[1] for s in steps] and finals(report) == {"weighted-limit": "correct"}, steps
    slipped, steps = check(problems, "ridge-weighted-toy", LAGRANGE.replace(r"$8u_2 = \nu$", r"$8u_2 = 2\nu$"))
    assert "wrong" in status_at(slipped, 2), steps


COUNTEREXAMPLE = r"""\section*{below}
No. Take $\mu = 1$, $a = 0$ and $z = b + \mathbf{e}_1$: then $F(z) - F(b) - \nabla F(b)^\top(z-b) \ge \mu\|z - b\|^2 = 1 > 0$.
What holds is the reverse, with equality only in degenerate cases (e.g. $\mu = 0$ and $a^\top(z-b) = 0$).
"""


def test_the_values_of_a_counterexample_are_an_example_and_a_second_example_starts_afresh(problems):
    """'Take μ = 1, … z = b + e₁': an example whose other values (e₁) are not all given, so its
    claims are not graded; 'e.g. μ = 0' later is another example, not a clash with μ = 1."""
    report, steps = check(problems, "tangent-plane-bounds", COUNTEREXAMPLE)
    assert "wrong" not in [s[1] for s in steps] and finals(report) == {"below": "correct"}, steps
    assert [s[2] for s in steps if s[0] == 2][:2] == ["an example value", "an example value"], steps


def test_a_relation_that_picks_an_index_is_not_a_claim_for_every_index(problems):
    text = (r"## l1-ball" "\n" r"With $\mathbf p = (1, -3, 2)$ the budget sits on the coordinate with $|p_i| = 3$, "
            "against the sign of $p_2 = -3$:\n$$\\boldsymbol\\delta^\\star = (0,\\ r,\\ 0)$$\n")
    report, steps = check(problems, "trust-region-l1", text)
    assert "wrong" not in [s[1] for s in steps] and finals(report) == {"l1-ball": "correct"}, steps
    slipped, steps = check(problems, "trust-region-l1", text.replace("$p_2 = -3$", "$p_2 = 3$"))
    assert "wrong" in [s[1] for s in steps], steps


REGRET = r"""## regret
Summing the rounds and dropping $-e_{T+1}^2 \le 0$:
$$\sum_{j=1}^T \big(f_j - f_j(u)\big) \le \frac{e_1^2}{2\gamma} + \frac{\gamma}{2}\sum_{j=1}^T Q_j$$
"""


def test_a_bound_whose_left_side_cannot_be_read_is_answered_by_its_right_side(problems):
    report, steps = check(problems, "ogd-regret-total", REGRET)
    assert finals(report)["regret"] == "correct", steps
    slipped, steps = check(problems, "ogd-regret-total", REGRET.replace(r"\frac{\gamma}{2}\sum", r"\gamma\sum"))
    assert finals(slipped)["regret"] == "wrong", steps


ROTATION = r"""## shift
$$V_k = \operatorname{diag}\big(R(k),\ R(k\,100^{-1/3}),\ R(k\,100^{-2/3})\big), \qquad R(\theta) = \begin{pmatrix}\cos\theta & -\sin\theta\\ \sin\theta & \cos\theta\end{pmatrix}$$
"""


def test_a_function_defined_after_its_use_on_the_same_line(problems):
    """R(θ) = (rotation) after V_k = diag(R(k), …) on one line: the definition is read first."""
    report, steps = check(problems, "positional-cosine-first", ROTATION)
    assert [s[2] for s in steps] == ["definition", "definition"], steps
    assert finals(report) == {"shift": "correct"}, steps
    slipped, steps = check(problems, "positional-cosine-first", ROTATION.replace(r"-\sin\theta\\", r"\sin\theta\\"))
    assert finals(slipped) == {"shift": "wrong"}, steps


SIZES = r"""## sizes
$$\text{neurons} = 4608 + 2304 + 576 + 32 + 10 = 7530$$
$$\text{params} = 608 + 1168 + 18464 + 330 = 20570$$
"""


def test_each_named_goal_of_a_part_is_judged_by_its_own_line(problems):
    """A part asking for neurons and parameters: a wrong neuron count beside right parameters is a
    wrong answer (the parameters line alone was taken before)."""
    report, steps = check(problems, "cnn-sizes-strided", SIZES)
    assert finals(report)["sizes"] == "correct", steps
    slipped, steps = check(problems, "cnn-sizes-strided", SIZES.replace("576 + 32 + 10 = 7530", "576 + 32 + 410 = 7930"))
    assert finals(slipped)["sizes"] == "wrong" and "neurons" in slipped.parts[0].final_answer.reason, steps

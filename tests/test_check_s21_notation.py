"""Students' writing met in the held-out corpora after they were scored (issue 10), read in the
session after v15's tuning. Each correct form is accepted, and a slip in it is still caught."""
from checking import check, finals, status_at

FORM = r"""## minnorm
$$A = \begin{pmatrix}1 & 0 & 1\\ 0 & 1 & 1\end{pmatrix},\qquad \mathbf b = \begin{pmatrix}1\\2\end{pmatrix}$$
Lagrangian $\mathcal L(\mathbf v, \boldsymbol\lambda) = \mathbf v^\top\mathbf v - \boldsymbol\lambda^\top(A\mathbf v - \mathbf b)$. Stationarity gives $2\mathbf v = A^\top\boldsymbol\lambda$; write $\mathbf v = A^\top\boldsymbol\alpha$ with $\boldsymbol\alpha = \boldsymbol\lambda/2$.
$$AA^\top\boldsymbol\alpha = \mathbf b$$
$$\boldsymbol\alpha = \frac13\begin{pmatrix}2 & -1\\ -1 & 2\end{pmatrix}\begin{pmatrix}1\\2\end{pmatrix} = \begin{pmatrix}0\\1\end{pmatrix}$$
$$\mathbf v^* = A^\top\boldsymbol\alpha = (0, 1, 1)$$
"""


def test_the_equation_of_a_form_parameter_named_through_the_multiplier(problems):
    """v = Aᵀα with α := λ/2: AAᵀα = b is the equation α solves, and α = (0, 1) solves it."""
    report, steps = check(problems, "minnorm-plane-toy", FORM)
    assert all(s[1] == "ok" for s in steps) and finals(report) == {"minnorm": "correct"}, steps
    slipped, steps = check(problems, "minnorm-plane-toy", FORM.replace(r"= \begin{pmatrix}0\\1\end{pmatrix}$$", r"= \begin{pmatrix}1\\0\end{pmatrix}$$"))
    assert "wrong" in status_at(slipped, 6), steps


SOFT = r"""\subsection*{lasso-1d}
The loss $(cz-y)^2/2$ has slope $c(cz_0 - y)$ at $z_0$. Let $w := z_0 - \tau c(cz_0 - y)$ be the plain gradient step.
For $z > 0$ the derivative is $(z-w)/\tau + \nu$, which vanishes
at $z = w - \tau\nu$ (admissible when $w > \tau\nu$); symmetrically $z = w + \tau\nu$ when $w < -\tau\nu$; and when
$|w| \le \tau\nu$ the subgradient condition holds at $z = 0$. All three cases together:
\[
z_1 = \operatorname{sgn}(w)\max\bigl(|w| - \tau\nu,\ 0\bigr), \qquad w = z_0 - \tau c(cz_0 - y).
\]
"""


def test_the_solution_named_z1_after_the_cases_answers_a_scalar_step(problems):
    """z₁ for a scalar unknown z is a name for its solution (not an entry), and a general
    answer after the point the prose picks (z = 0) still answers the part."""
    report, steps = check(problems, "prox-steps", SOFT)
    assert finals(report) == {"lasso-1d": "correct"}, steps
    slipped, steps = check(problems, "prox-steps", SOFT.replace(r"|w| - \tau\nu,\ 0", r"|w| - \nu,\ 0"))
    assert finals(slipped) == {"lasso-1d": "wrong"}, steps


# -- read in corpus v16 after its held-out score ---------------------------------------------

NOT_EXAMPLE = r"""## 1.1.1
$$\|\boldsymbol\delta_1\|_\infty - \|\boldsymbol\delta_2\|_\infty = \epsilon - \epsilon\|\mathbf w\|_\infty = \epsilon\,(1 - \|\mathbf w\|_\infty)$$
Since $\epsilon > 0$, this vanishes exactly when $\|\mathbf w\|_\infty = 1$ (for example $\mathbf w = (1, -0.3)$, but not $\mathbf w = (2, 0)$).
"""


def test_a_case_the_prose_sets_aside_is_not_a_claim(problems):
    report, steps = check(problems, "fgsm-linf", NOT_EXAMPLE)
    assert "wrong" not in [s[1] for s in steps] and status_at(report, 3)[-1] == "unknown", steps
    slipped, steps = check(problems, "fgsm-linf", NOT_EXAMPLE.replace(r"\epsilon\,(1 - \|", r"\epsilon\,(2 - \|"))
    assert "wrong" in status_at(slipped, 2), steps


COMPARISON = r"""## shrink
$$\frac{\partial s}{\partial c} = 0 .$$
Shrinking the weights leaves the step unchanged. For comparison, the plain gradient attack $\mathbf z - s\,c\,\mathbf u$ needs $s = \mathbf u^\top\mathbf z/(c\|\mathbf u\|^2)$, which does grow as $c$ shrinks.
"""


def test_a_value_for_comparison_is_an_aside_and_not_the_answer(problems):
    report, steps = check(problems, "fgsm-scaled-weights", COMPARISON)
    assert status_at(report, 3) == ["unknown"] and finals(report) == {"shrink": "correct"}, steps
    slipped, steps = check(problems, "fgsm-scaled-weights", COMPARISON.replace("= 0 .$$", "= 1 .$$"))
    assert finals(slipped) == {"shrink": "wrong"}, steps


OTHERWISE = r"""## 3.1a
For the ReLU output, $z_j^2 = (a_j^{(\ell-1)})^2$ when $a_j^{(\ell-1)} > 0$ and $z_j^2 = 0$ otherwise, so
$$\mathbb E[z_j^2] = \tfrac12\,\mathbb E\big[(a_j^{(\ell-1)})^2\big] = \tfrac{\lambda^2}{2} .$$
"""


def test_a_case_said_otherwise_holds_where_the_previous_condition_fails(problems):
    report, steps = check(problems, "relu-init", OTHERWISE)
    assert status_at(report, 2) == ["ok", "ok", "ok"], steps
    slipped, steps = check(problems, "relu-init", OTHERWISE.replace("$z_j^2 = 0$ otherwise", "$z_j^2 = 1$ otherwise"))
    assert status_at(slipped, 2)[-1] == "wrong", steps


CONDITION_CHAIN = r"""\subsection*{5d}
The boundary point scores lower than $x^*$ exactly when
\[
\alpha\frac{(z^*)^2}{\omega^2} < \sigma(z^*) - \frac12
\iff
\alpha < \frac{\omega^2\big(\sigma(z^*) - \frac12\big)}{(z^*)^2} = \frac{\omega^2\tanh(z^*/2)}{2(z^*)^2}.
\]
"""


def test_a_condition_ending_in_a_chain_of_equal_bounds_is_that_condition(problems):
    report, steps = check(problems, "mit-6790-hw4-adversarial", CONDITION_CHAIN)
    assert finals(report) == {"5d": "correct"}, steps
    slipped, steps = check(problems, "mit-6790-hw4-adversarial", CONDITION_CHAIN.replace(r"\tanh(z^*/2)}{2(z^*)^2}", r"\tanh(z^*/2)}{(z^*)^2}"))
    assert finals(slipped) == {"5d": "wrong"}, steps


SHAPES = r"""## jacobian
Entry by entry $z_i = \sum_k W_{ik}x_k + b_i$, one row per output and one column per input:
$$\frac{\partial z}{\partial x} = W \qquad (n \times d)$$
"""


def test_sizes_in_parentheses_beside_a_display_answer_a_shape_part(problems):
    report, steps = check(problems, "shapes-linear-layer", SHAPES)
    assert finals(report) == {"jacobian": "correct"}, steps
    slipped, steps = check(problems, "shapes-linear-layer", SHAPES.replace(r"(n \times d)", r"(d \times n)"))
    assert finals(slipped) == {"jacobian": "wrong"}, steps


GEOMETRIC = r"""## unrolled
With $M := I - \rho P$, by induction on $k$
$$\mathbf v_k = M^k\mathbf v_0 + \sum_{j=0}^{k-1} M^j\rho\mathbf q .$$
The geometric sum telescopes, $(I - M)\sum_{j=0}^{k-1}M^j = I - M^k$, so
$$\mathbf v_k = M^k\mathbf v_0 + (\rho P)^{-1}(I - M^k)\,\rho\mathbf q$$
"""


def test_a_sum_of_matrix_powers_over_a_student_index(problems):
    report, steps = check(problems, "gd-quadratic-unrolled", GEOMETRIC)
    assert [s[1] for s in steps] == ["ok"] * len(steps) and finals(report) == {"unrolled": "correct"}, steps
    slipped, steps = check(problems, "gd-quadratic-unrolled", GEOMETRIC.replace(r"\sum_{j=0}^{k-1} M^j\rho\mathbf q", r"\sum_{j=0}^{k} M^j\rho\mathbf q"))
    assert status_at(slipped, 3) == ["wrong"], steps


THIN_SPACES = r"""## 3.2
The first dense layer has $1024\cdot 1024 = 1\,048\,576$ weights.
"""


def test_thin_spaces_between_digit_groups_are_one_number(problems):
    report, steps = check(problems, "csc413-2022-hw2-cnn-sizes", THIN_SPACES)
    assert status_at(report, 2) == ["ok"], steps
    slipped, steps = check(problems, "csc413-2022-hw2-cnn-sizes", THIN_SPACES.replace(r"1\,048\,576", r"1\,048\,567"))
    assert status_at(slipped, 2) == ["wrong"], steps


def test_what_follows_a_supposition_for_a_contradiction_is_not_graded(problems):
    """'Suppose some W_k did the shift …, and look at n = 0: s_0 = 0 ⇒ s_k = W_k s_0 = 0', then 'a
    contradiction': the consequence is false, as the student means it to be, so it is not graded."""
    from pathlib import Path

    text = (Path(__file__).parent / "fixtures" / "blind_writeups_v16" / "files"
            / "mit-6790-hw4-attention-positions__leo-fontaine.md").read_text(encoding="utf-8")
    report, steps = check(problems, "mit-6790-hw4-attention-positions", text)
    assert "wrong" not in status_at(report, 32) and "unknown" in status_at(report, 32), steps
    slipped, steps = check(problems, "mit-6790-hw4-attention-positions",
                           text.replace(r"\sin(n/10), \sin(n/100)", r"\sin(n/10), \cos(n/100)"))
    assert status_at(slipped, 29) == ["wrong"], steps       # the encoding itself, before the supposition


OTHER_PART = r"""\section*{3.3b}
Let $P$ be a permutation matrix, so $P^\top P = I$, and write $S(Z) = ZW_qW_k^\top Z^\top/\sqrt d$ for the scores of one head.
"""


def test_a_name_of_another_part_used_with_another_size_is_unknown(problems):
    report, steps = check(problems, "mit-6790-hw4-attention", OTHER_PART)
    assert status_at(report, 2) == ["ok", "unknown"] and "another meaning" in report.steps[-1].reason, steps
    slipped, steps = check(problems, "mit-6790-hw4-attention", OTHER_PART.replace(r"P^\top P = I", r"P^\top P = 2I"))
    assert status_at(slipped, 2)[0] == "wrong", steps


APPROXIMATE = r"""## 2c-clean
$$w \leftarrow w - \eta\,(h - t)\,z$$
If the network is confident the other way, the denominator stays near $q(1-q) = 0.1\cdot 0.9 = 0.09$, so the step nearly vanishes.
"""


def test_a_value_the_prose_calls_approximate_is_not_checked(problems):
    report, steps = check(problems, "mit-6790-hw4-noisy-gradient", APPROXIMATE)
    assert status_at(report, 3) == ["unknown"] and finals(report) == {"2c-clean": "correct"}, steps
    slipped, steps = check(problems, "mit-6790-hw4-noisy-gradient", APPROXIMATE.replace("(h - t)", "(t - h)"))
    assert finals(slipped) == {"2c-clean": "wrong"}, steps


EXAMPLE_AFTER = r"""\section*{weighted-minnorm}
Hence
\[
\boxed{\mathbf v^* = P^{-1}A^\top(AP^{-1}A^\top)^{-1}\mathbf b}
\]
and for $P = I$ it reduces to the familiar minimum-norm solution $A^\top(AA^\top)^{-1}\mathbf b$.
"""


def test_an_example_value_after_the_answer_is_not_in_force_for_it(problems):
    report, steps = check(problems, "minnorm-weighted", EXAMPLE_AFTER)
    assert finals(report) == {"weighted-minnorm": "correct"}, steps
    slipped, steps = check(problems, "minnorm-weighted", EXAMPLE_AFTER.replace(r"P^{-1}A^\top(AP^{-1}A^\top)", r"PA^\top(APA^\top)"))
    assert finals(slipped) == {"weighted-minnorm": "wrong"}, steps      # right only at the example's P = I


def test_a_block_written_out_last_through_the_students_own_function_is_not_the_answer(problems):
    """'Written out, the middle block is B(kω₁) = (…)' after V_k: one block, 2 × 2, of the 6 × 6
    answer, through the student's own B(φ); not a wrong answer."""
    from pathlib import Path

    text = (Path(__file__).parent / "fixtures" / "blind_writeups_v16" / "files"
            / "positional-cosine-first__hugo-lambert.tex").read_text(encoding="utf-8")
    report, steps = check(problems, "positional-cosine-first", text)
    assert finals(report) == {"shift": "unknown"} and "one of the student's own" in report.parts[0].final_answer.reason, steps


MACRO_AFTER_COMMAND = r"""\documentclass{article}
\newcommand{\xx}{x^{(i)}}
\newcommand{\yi}{y^{(i)}}
\begin{document}
\section*{4a}
With $\lambda = 1$ the loss of example $i$ is $\ell_i(w) = \log\big(1 + e^{-\yi w^\top\xx}\big) + \|w\|^2$.
\end{document}
"""


def test_a_macro_after_a_control_word_stays_a_token_of_its_own(problems):
    """``w^\\top\\xx`` with \\xx = x^{(i)} is wᵀx⁽ⁱ⁾, not the unknown command \\topx."""
    report, steps = check(problems, "mit-6790-hw4-online-logistic", MACRO_AFTER_COMMAND)
    assert "unparsed" not in status_at(report, 6), steps


# -- read in corpus v17 after its held-out score ---------------------------------------------

CASES_AFTER_COLON = r"""### 1.2.4b
$\partial f/\partial x = w^*$, so FGSM moves to $x' = x - \epsilon\,\mathrm{sgn}(w^*) = x - \epsilon\,\mathrm{sgn}(x)$. Two cases:

- If $x > 0$: $w^* > 0$ and $f(x') = w^*(x - \epsilon) = 0$ gives $\epsilon = x$.
- If $x < 0$: $w^* < 0$ and $f(x') = w^*(x + \epsilon) = 0$ gives $\epsilon = -x$.

$$\boxed{\epsilon = |x|}$$
"""


def test_every_claim_after_if_condition_colon_holds_under_it(problems):
    report, steps = check(problems, "fgsm-weight-decay", CASES_AFTER_COLON)
    assert "wrong" not in [s[1] for s in steps] and finals(report) == {"1.2.4b": "correct"}, steps
    slipped, steps = check(problems, "fgsm-weight-decay", CASES_AFTER_COLON.replace("gives $\\epsilon = x$", "gives $\\epsilon = 2x$"))
    assert status_at(slipped, 4)[-1] == "wrong", steps


UNDEFINED_DERIVATIVE = r"""## 1.2.1d
Minimise $w_1^2 + w_2^2$ on the line $w_1 + w_2 = 1$. Substitute $w_2 = 1 - w_1$:
$$g(w_1) = w_1^2 + (1 - w_1)^2, \qquad g'(w_1) = 2w_1 - 2(1 - w_1) = 4w_1 - 2 = 0$$
so $w_1 = 1/2$ and $w_2 = 1/2$.
"""


def test_no_counterexample_rests_on_a_name_nothing_defines(problems):
    report, steps = check(problems, "ridge-toy-lambda", UNDEFINED_DERIVATIVE)
    assert "wrong" not in status_at(report, 3) and finals(report)["1.2.1d"] == "correct", steps
    slipped, steps = check(problems, "ridge-toy-lambda", UNDEFINED_DERIVATIVE.replace("so $w_1 = 1/2$", "so $w_1 = 1/3$"))
    assert "wrong" in status_at(slipped, 4), steps


SIZES_NAMED_H = r"""\section*{sizes}
Conv1 ($5\times5$, 8 filters): $H = 28 - 5 + 1 = 24$, $\text{units} = 24\cdot 24\cdot 8 = 4608$.
"""


def test_the_students_own_h_is_a_size_not_the_heaviside_step(problems):
    report, steps = check(problems, "cnn-sizes-strided", SIZES_NAMED_H)
    assert status_at(report, 2)[:1] == ["ok"], steps
    slipped, steps = check(problems, "cnn-sizes-strided", SIZES_NAMED_H.replace("28 - 5 + 1 = 24", "28 - 5 + 1 = 23"))
    assert status_at(slipped, 2)[0] == "wrong", steps


NO_SUCH_MATRIX = r"""## 3.3c-sines
Now $\mathbf s_n = (\sin n,\ \sin(n/10),\ \sin(n/100),\ \sin(n/1000))^\top$.

Claim: for $k \neq 0$ there is no matrix $W_k$ with $\mathbf s_{n+k} = W_k \mathbf s_n$ for all integers $n$.

Suppose there were one. Take $n = 0$: every entry of $\mathbf s_0$ is $\sin 0 = 0$, so the equation at $n=0$ would say
$\mathbf s_k = W_k\mathbf 0 = \mathbf 0$. But the first entry of $\mathbf s_k$ is $\sin k \neq 0$. Contradiction.
"""


def test_a_relation_the_prose_denies_or_supposes_is_not_graded(problems):
    report, steps = check(problems, "mit-6790-hw4-attention-positions", NO_SUCH_MATRIX)
    assert "wrong" not in [s[1] for s in steps], steps
    slipped, steps = check(problems, "mit-6790-hw4-attention-positions", NO_SUCH_MATRIX.replace(r"\sin(n/10),\ \sin(n/100)", r"\sin(n/10),\ \cos(n/100)"))
    assert status_at(slipped, 2) == ["wrong"], steps


WRONG_WHERE = r"""## 1.1k-update
$$w_1 \leftarrow w_1 - \eta\frac{\partial E}{\partial w_1} = -0.1 + 2\eta\alpha\,(y-t)\,y(1-y), \qquad y = \sigma\big(0.2(1+\alpha)\big)$$
"""


def test_an_answer_is_judged_with_the_students_value_of_a_name_beside_it(problems):
    """'w₁ ← … (y − t) …, y = σ(0.2(1 − α))' with that y wrong: the update means the student's y."""
    report, steps = check(problems, "mit-6790-hw4-leaky-relu", WRONG_WHERE)
    assert finals(report) == {"1.1k-update": "correct"}, steps
    slipped, steps = check(problems, "mit-6790-hw4-leaky-relu", WRONG_WHERE.replace("0.2(1+\\alpha)", "0.2(1-\\alpha)"))
    assert finals(slipped) == {"1.1k-update": "wrong"}, steps


NAMED_CHAIN = r"""\section*{1.2.1d}
Minimum-norm solution of $2w_1 + w_2 = 2$: it is a multiple of the normal $(2,1)$, $\mathbf w = c\,(2,1)$, and $5c = 2$, so
\begin{equation*}
\mathbf w_{\min} = \frac{t}{\|a\|^2}\,a = \frac25(2,1) = \Big(\frac45, \frac25\Big).
\end{equation*}
"""


def test_a_displayed_chain_headed_by_the_solutions_name_answers_the_part(problems):
    report, steps = check(problems, "rmsprop-minnorm", NAMED_CHAIN)
    assert finals(report) == {"1.2.1d": "correct"}, steps
    slipped, steps = check(problems, "rmsprop-minnorm", NAMED_CHAIN.replace(r"\Big(\frac45, \frac25\Big)", r"\Big(\frac25, \frac45\Big)"))
    assert finals(slipped) == {"1.2.1d": "wrong"}, steps

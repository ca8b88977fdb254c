"""Students' writing met in the tuning corpora v16 and v17, read in the session after they were
scored (issue 10). Each correct form is accepted, and a slip in it is still caught."""
from checking import check, finals, status_at

STARRED = r"""## 1.1.1a
The minimum-norm solution is
$$\mathbf w^* = X^\top(XX^\top)^{-1}\mathbf t$$
Any other exact fit is $\mathbf w = \mathbf w^* + \mathbf r$ with $X\mathbf r = \mathbf 0$, and then
$$\|\mathbf w\|^2 = \|\mathbf w^*\|^2 + \|\mathbf r\|^2 \ge \|\mathbf w^*\|^2 .$$
"""


def test_a_name_written_with_and_without_a_star_in_one_line_is_two_things(problems):
    """w* is the solution and w any other fit: ‖w‖² = ‖w*‖² + ‖r‖² is not ‖w‖² = ‖w‖² + ‖r‖²."""
    report, steps = check(problems, "minnorm-sgd", STARRED)
    assert "wrong" not in [s[1] for s in steps], steps
    assert status_at(report, 5)[0] == "unparsed" and "star" in [s for s in steps if s[0] == 5][0][3], steps
    assert finals(report) == {"1.1.1a": "correct"}, steps
    # alone in its line, w* is still the problem's w: a wrong solution is caught
    slipped, steps = check(problems, "minnorm-sgd", STARRED.replace(r"\mathbf w^* = X^\top", r"\mathbf w^* = 2X^\top"))
    assert finals(slipped) == {"1.1.1a": "wrong"}, steps


LOG_COORDS = r"""## log-step
Let $g := h'(u_0)$. As a function of $u > 0$ the proximal objective is
$$P(u) = g\,(u - u_0) + \frac1\kappa\Big(u\log\frac{u}{u_0} - u + u_0\Big)$$
$$P'(u) = g + \frac1\kappa\log\frac{u}{u_0}$$
Its stationary point is the minimiser:
$$\log\frac{u}{u_0} = -\kappa g \quad\Longrightarrow\quad u = u_0\,e^{-\kappa g}.$$
Now put $u_0 = e^{\theta_0}$ and $u = e^{\theta_1}$:
$$\theta_1 = \theta_0 - \kappa\, h'(e^{\theta_0})$$
"""


def test_minimising_in_another_variable_then_mapping_back(problems):
    """The step is solved in u (a symbol the part's goal does not use), then u = e^{θ₁} is the
    derived θ₁ in other words; an exponent slip there is still wrong."""
    report, steps = check(problems, "mirror-descent-log-coords", LOG_COORDS)
    assert "wrong" not in [s[1] for s in steps] and finals(report) == {"log-step": "correct"}, steps
    assert status_at(report, 6)[0] == "unknown", steps         # an equation for a particular u
    assert status_at(report, 7) == ["ok", "ok"], steps           # u = e^{θ₁} gives the derived solution
    slipped, steps = check(problems, "mirror-descent-log-coords", LOG_COORDS.replace("$u = e^{\\theta_1}$", "$u = e^{2\\theta_1}$"))
    assert "wrong" in status_at(slipped, 7), steps


def test_a_residual_of_large_terms_vanishes_to_their_precision():
    """e^{θ₀}e^{−κg} − e^{θ₁} at 10¹⁸ leaves a float residual of 10⁻³² where it is zero: the
    test of a residual is relative to the size of its terms, and exact values stay exact."""
    from fractions import Fraction

    import mpmath
    from sympy import Symbol, exp

    from derive.equivalence import _vanishes
    from derive.numeric import Evaluator

    a, b = Symbol("a", real=True), Symbol("b", real=True)
    r = exp(a) * exp(b) - exp(a + b)
    env = {a: Fraction(20), b: Fraction(22)}
    ev = Evaluator(env)
    assert _vanishes(ev.eval(r), r, ev) or ev.eval(r) == 0
    assert _vanishes(mpmath.mpf(10) ** -32, r, ev)              # tiny beside terms of e⁴²
    assert not _vanishes(mpmath.mpf(10) ** 10, r, ev)           # 10¹⁰ is not
    assert not _vanishes(Fraction(1, 10 ** 60), r, ev)           # an exact residual must be 0


SHADOW = r"""\section*{data-set}
Write $\mathbf e := F\mathbf v - \mathbf y$, so $(F+\Xi)\mathbf v - \mathbf y = \mathbf e + \Xi\mathbf v$, and
\begin{equation*}
\mathbb E\|(F+\Xi)\mathbf v - \mathbf y\|^2 = \|\mathbf e\|^2 + \mathbf v^\top\mathbb E[\Xi^\top\Xi]\,\mathbf v .
\end{equation*}
\begin{equation*}
\mathbb E[\Xi^\top\Xi] = N\tau^2 I .
\end{equation*}
"""


def test_a_definition_by_colon_equals_names_the_students_own_vector(problems):
    """The problem's e is the noise on one input (length p); the student's e := Fv − y has
    length N and is the student's own name from there on in the part."""
    report, steps = check(problems, "input-noise-ridge-vector", SHADOW)
    assert "wrong" not in [s[1] for s in steps], steps
    slipped, steps = check(problems, "input-noise-ridge-vector", SHADOW.replace(r"= N\tau^2 I", r"= \tau^2 I"))
    assert status_at(slipped, 7) == ["wrong"], steps


OUTPUTS = r"""## stride-2
$$y_1 = a_2u_1 + a_3u_2$$
$$y_2 = a_1u_2 + a_2u_3 + a_3u_4$$
$$y_3 = a_1u_4 + a_2u_5 + a_3u_6$$
$$y_4 = a_1u_6 + a_2u_7$$
"""


def test_outputs_of_a_layer_written_out_are_compared_with_the_layer(problems):
    """y₁ … y₄ written in the input's entries: once two were the layer's outputs, the next one
    that is not is wrong; numbered from 0 the same holds."""
    report, steps = check(problems, "conv-layer-strided", OUTPUTS)
    assert [s[1] for s in steps] == ["ok"] * 4, steps
    slipped, steps = check(problems, "conv-layer-strided", OUTPUTS.replace("y_4 = a_1u_6 + a_2u_7", "y_4 = a_1u_5 + a_2u_6 + a_3u_7"))
    assert status_at(slipped, 5) == ["wrong"], steps
    zero = OUTPUTS.replace("y_1", "y_0").replace("y_2", "y_1").replace("y_3", "y_2").replace("y_4", "y_3")
    report, steps = check(problems, "conv-layer-strided", zero)
    assert [s[1] for s in steps] == ["ok"] * 4, steps
    slipped, steps = check(problems, "conv-layer-strided", zero.replace("y_3 = a_1u_6 + a_2u_7", "y_3 = a_2u_6 + a_1u_7"))
    assert status_at(slipped, 5) == ["wrong"], steps


OUTSIDE = r"""## full
Flipped filter: $(\mathbf v * \mathbf b)_i = \sum_s b_s v_{i-s+1}$, with $v_j = 0$ outside $1..4$.
$$W = \begin{pmatrix} b_1 & 0 & 0 & 0\\ b_2 & b_1 & 0 & 0\\ 0 & b_2 & b_1 & 0\\ 0 & 0 & b_2 & b_1\\ 0 & 0 & 0 & b_2\end{pmatrix}$$
"""


def test_a_claim_stated_only_outside_a_range_is_not_graded(problems):
    report, steps = check(problems, "conv-layer-strided", OUTSIDE)
    assert "wrong" not in [s[1] for s in steps] and finals(report) == {"full": "correct"}, steps
    slipped, steps = check(problems, "conv-layer-strided", OUTSIDE.replace(r"0 & 0 & 0 & b_2\end", r"0 & 0 & b_2 & 0\end"))
    assert finals(slipped) == {"full": "wrong"}, steps


# -- read in corpus v18 after its held-out score ---------------------------------------------

PARAMETRISED = r"""## minnorm
The examples ask for $v_1 + v_3 = 1$ and $v_2 + v_3 = 2$. Parametrise by $v_3 =: \tau$, so $v_1 = 1 - \tau$ and $v_2 = 2 - \tau$:
$$\mathbf v(\tau) = (1 - \tau,\ 2 - \tau,\ \tau)^\top$$
$$N(\tau) := \|\mathbf v(\tau)\|^2 = (1-\tau)^2 + (2-\tau)^2 + \tau^2 = 3\tau^2 - 6\tau + 5$$
$$\mathbf v^\star = (0,\ 1,\ 1)^\top$$
"""


def test_the_unknown_along_a_parametrisation_and_a_name_given_with_eq_colon(problems):
    """v(τ) is the unknown vector along the line of fits (not v·τ), and v₃ =: τ names v₃'s value."""
    report, steps = check(problems, "minnorm-plane-toy", PARAMETRISED)
    assert "wrong" not in [s[1] for s in steps] and finals(report)["minnorm"] == "correct", steps
    assert [s[2] for s in steps if s[0] == 2][0] == "definition", steps           # v₃ =: τ
    slipped, steps = check(problems, "minnorm-plane-toy", PARAMETRISED.replace("= 3\\tau^2 - 6\\tau + 5", "= 3\\tau^2 - 6\\tau + 4"))
    assert "wrong" in status_at(slipped, 4), steps


CHOLESKY = r"""\section*{weighted-minnorm}
Since $P$ is positive definite, $P = R^\top R$ with $R$ invertible. Substitute $\mathbf y := R\mathbf v$:
\[
\mathbf v^\top P\mathbf v = (R\mathbf v)^\top(R\mathbf v) = \|\mathbf y\|^2 .
\]
\[
CC^\top = AR^{-1}R^{-\top}A^\top = AP^{-1}A^\top
\]
"""


def test_a_line_wrong_only_through_a_name_whose_definition_could_not_be_read_is_unknown(problems):
    """R (a Cholesky factor) is taken for a number when P = RᵀR cannot be read; vᵀPv = (Rv)ᵀ(Rv)
    then rests on that guess and is not judged. R^{-⊤} is the inverse transposed."""
    from derive.check.latex_math import parse_latex

    report, steps = check(problems, "minnorm-weighted", CHOLESKY)
    assert "wrong" not in [s[1] for s in steps], steps
    assert status_at(report, 4) == ["unknown"] and "rests on R" in [s[3] for s in steps if s[0] == 4][0], steps
    assert "Transpose" in repr(parse_latex(r"R^{-\top}", {"R": "R"})) and "Neg" in repr(parse_latex(r"R^{-T}", {"R": "R"}))


BOUND_THROUGH_X = r"""## 5e
For any $x$ with a non-positive logit, $\|x - x^*\| \ge z^*/\omega$ and so $J(x) \ge \alpha(z^*)^2/\omega^2$. Hence
\[
\alpha > \frac{\omega^2\big(\sigma(z^*) - \frac12\big)}{(z^*)^2}
\]
"""


def test_a_bound_through_another_variable_is_not_the_condition(problems):
    """J(x) ≥ α(z*)²/ω² holds for every x on the negative side: it mentions α, but it is a bound
    through x, not the condition on α the part asks for."""
    report, steps = check(problems, "mit-6790-hw4-adversarial", BOUND_THROUGH_X)
    assert "wrong" not in [s[1] for s in steps] and finals(report)["5e"] == "correct", steps
    slipped, steps = check(problems, "mit-6790-hw4-adversarial", BOUND_THROUGH_X.replace(r"\alpha > \frac{\omega^2", r"\alpha > \frac{\omega"))
    assert finals(slipped)["5e"] == "wrong", steps


ROWS = r"""\section*{1.2.1d}
Without the penalty the two rows of $X\mathbf w = \mathbf t$ are one equation, $w_1 + w_2 = 1$. With a multiplier $\nu$,
\[
\mathcal L(w_1, w_2, \nu) = w_1^2 + w_2^2 - \nu\,(w_1 + w_2 - 1).
\]
Stationarity: $2w_1 - \nu = 0$ and $2w_2 - \nu = 0$, so $w_1 = w_2 = \nu/2$; the constraint then gives $\nu = 1$:
\[
\mathbf w^\star = \big(\tfrac12, \tfrac12\big)
\]
"""


def test_a_constraint_written_as_the_data_rows_and_a_conclusion_after_so(problems):
    """Xw = t for the toy data is the constraint w₁ + w₂ = 1 twice; 'so w₁ = w₂ = ν/2' is read
    after the two equations it follows from, not before them as a definition."""
    report, steps = check(problems, "ridge-toy-lambda", ROWS)
    assert "wrong" not in [s[1] for s in steps] and finals(report)["1.2.1d"] == "correct", steps
    slipped, steps = check(problems, "ridge-toy-lambda", ROWS.replace("so $w_1 = w_2 = \\nu/2$", "so $w_1 = w_2 = \\nu$"))
    assert "wrong" in status_at(slipped, 6), steps


SPLIT_FUNCTIONS = r"""\section*{above}
Split $F = F_1 + F_2$ with $F_1(u) = e^{-c\,a^\top u}$ and $F_2(u) = \mu\|u\|^2$.
\[
F_2(z) - F_2(b) - \nabla F_2(b)^\top(z - b) = \mu\|z - b\|^2
\]
"""


def test_a_function_split_into_the_students_own_functions(problems):
    report, steps = check(problems, "tangent-plane-bounds", SPLIT_FUNCTIONS)
    assert [s[2] for s in steps if s[0] == 2 and s[1] == "ok"].count("functions equal") == 1, steps
    assert "wrong" not in [s[1] for s in steps], steps
    slipped, steps = check(problems, "tangent-plane-bounds", SPLIT_FUNCTIONS.replace("F = F_1 + F_2", "F = F_1 - F_2"))
    assert "wrong" in status_at(slipped, 2), steps


CASES_IN_WORDS = r"""Leaky unit: $a_1 = z_1$ for positive inputs and $a_1 = \alpha z_1$ for negative ones.

### 1.1k-local
$$\frac{da_1}{dz_1} = \begin{cases} 1, & z_1 > 0 \\ \alpha, & z_1 < 0 \end{cases}$$
"""


def test_claims_for_cases_described_in_words_are_not_graded(problems):
    report, steps = check(problems, "mit-6790-hw4-leaky-relu", CASES_IN_WORDS)
    assert status_at(report, 1) == ["unknown", "unknown"], steps
    assert "positive inputs" in steps[0][3] and "negative ones" in steps[1][3], steps


OWN_FAMILY = r"""### 1.2.1a
At $\mathbf w = 0$: $g_1 = -8$, $g_2 = -4$. After one step $v_i = (1-\beta)g_i^2$, and
$$\sqrt{v_i} = \sqrt{(1-\beta)\,g_i^2} = \sqrt{1-\beta}\;|g_i| .$$
"""


def test_a_family_of_the_students_own_is_read_member_by_member(problems):
    """v_i = (1 − β)g_i² for the problem's g₁, g₂ names v₁ and v₂; √((1 − β)g_i²) = √(1 − β) g_i
    (the absolute value dropped, with g_i < 0) is caught."""
    report, steps = check(problems, "rmsprop-minnorm", OWN_FAMILY)
    assert status_at(report, 3) == ["ok"], steps
    slipped, steps = check(problems, "rmsprop-minnorm", OWN_FAMILY.replace(r"\;|g_i|", r"\;g_i"))
    assert status_at(slipped, 3) == ["wrong"], steps


BOLD_SIZES = r"""### jacobian
Entry by entry $\partial z_i/\partial x_j = W_{ij}$, so the Jacobian is W itself,

one row per output, one column per input: **n × d**.

### bias
The gradient in b is a scalar times v: **n × 1**, the shape of b.
"""


def test_a_size_given_in_bold_prose_answers_a_shape_part(problems):
    """A shape part answered only in words and bold sizes: the last size of the part is its answer."""
    report, steps = check(problems, "shapes-linear-layer", BOLD_SIZES)
    assert finals(report) == {"jacobian": "correct", "bias": "correct"}, steps
    swapped, steps = check(problems, "shapes-linear-layer", BOLD_SIZES.replace("**n × d**", "**d × n**"))
    assert finals(swapped) == {"jacobian": "wrong", "bias": "correct"}, steps
    latex = BOLD_SIZES.replace("**n × 1**", r"\textbf{$n \times 1$}")
    report, steps = check(problems, "shapes-linear-layer", latex)
    assert finals(report)["bias"] == "correct", steps


COMMUTED = r"""## smooth
Pad with one zero at each end; the filter is symmetric, so
$$\boxed{\mathbf h * \mathbf s = (1,\ 4,\ 6,\ 4,\ 0,\ -2)}$$
"""


def test_a_convolution_written_in_the_other_order_names_the_parts_convolution(problems):
    """h ∗ s for the part's s ∗ h: convolution commutes (a product of two vectors it is not)."""
    report, steps = check(problems, "conv-filters-numeric", COMMUTED)
    assert finals(report) == {"smooth": "correct"}, steps
    slipped, steps = check(problems, "conv-filters-numeric", COMMUTED.replace("0,\\ -2)", "0,\\ -1)"))
    assert finals(slipped) == {"smooth": "wrong"}, steps


# -- read in corpus v19 after its held-out score ---------------------------------------------

NUMERIC_CHECK = r"""## step
$$\mathbf v_1 = (1-\rho\kappa)\,\mathbf v_0 - \frac{\rho}{m}A^\top(A\mathbf v_0-\mathbf b) - \rho\gamma\,\operatorname{sgn}(\mathbf v_0)$$

Quick numeric check, one example and one weight: with $A = 2$, $b = 1$, $v_0 = 1$, $\rho = 0.1$, $\gamma = \kappa = 1$ the formula gives $v_1 = 0.9 - 0.1\cdot 2\cdot 1 - 0.1 = 0.6$, and directly $v_0 - 0.1\cdot 4 = 0.6$.
"""


def test_the_values_of_a_numeric_check_set_up_an_example(problems):
    """'Quick numeric check … with A = 2' gives the matrix A a number: the example's own values,
    not claims, and its result is not the part's answer."""
    report, steps = check(problems, "elastic-net-step", NUMERIC_CHECK)
    assert "wrong" not in [s[1] for s in steps] and finals(report) == {"step": "correct"}, steps
    slipped, steps = check(problems, "elastic-net-step", NUMERIC_CHECK.replace(r"- \rho\gamma\,\operatorname", r"+ \rho\gamma\,\operatorname"))
    assert finals(slipped) == {"step": "wrong"}, steps


THROUGH = r"""\noindent Notation: $z_1 = w_1x$, $a_1 = \max(0, z_1)$, $s_1 := w_2a_1$, $s_2 := w_3a_1$, so $y_k = \sigma(s_k)$.

\section*{1.2a}
\begin{equation}
\frac{\partial E}{\partial w_1} = \Bigl(\frac{\partial E}{\partial y_1}\frac{\partial y_1}{\partial s_1}\frac{\partial s_1}{\partial a_1} + \frac{\partial E}{\partial y_2}\frac{\partial y_2}{\partial s_2}\frac{\partial s_2}{\partial a_1}\Bigr)\frac{\partial a_1}{\partial z_1}\frac{\partial z_1}{\partial w_1}
\end{equation}
"""


def test_a_derivative_through_the_students_own_intermediate(problems):
    """∂y₁/∂s₁ for the student's s₁ := w₂a₁ (y₁ = σ(w₂a₁) in the problem) is σ′(s₁), not 0."""
    report, steps = check(problems, "mit-6790-hw4-multi-output", THROUGH)
    assert "wrong" not in [s[1] for s in steps] and finals(report) == {"1.2a": "correct"}, steps
    slipped, steps = check(problems, "mit-6790-hw4-multi-output", THROUGH.replace(r"+ \frac{\partial E}{\partial y_2}", r"- \frac{\partial E}{\partial y_2}"))
    assert finals(slipped) == {"1.2a": "wrong"}, steps


BLOCKS = r"""# shift
The pair for frequency ω is $(\cos n\omega, \sin n\omega)$; each pair is rotated by $B(\theta) = \begin{pmatrix}\cos\theta & -\sin\theta\\ \sin\theta & \cos\theta\end{pmatrix}$, and
$$V_k = \operatorname{diag}\bigl(B(k),\ B(k\,100^{-1/3}),\ B(k\,100^{-2/3})\bigr)$$
"""


def test_a_block_diagonal_of_the_students_own_matrix_function(problems):
    """diag(B(k), B(k·100^{-1/3}), …) of 2×2 blocks is block-diagonal, and B of a compound
    argument is the student's function applied to it."""
    report, steps = check(problems, "positional-cosine-first", BLOCKS)
    assert finals(report) == {"shift": "correct"}, steps
    slipped, steps = check(problems, "positional-cosine-first", BLOCKS.replace(r"\cos\theta & -\sin\theta\\ \sin\theta", r"\cos\theta & \sin\theta\\ -\sin\theta"))
    assert finals(slipped) == {"shift": "wrong"}, steps


AT_ZERO = r"""## 2a-cross-entropy
Set $\epsilon = 0$: then $q = h + 0 - 0 = h$ and
$$E\big|_{\epsilon=0} = -t\log h - (1-t)\log(1-h),$$
the usual cross-entropy error.
"""


def test_an_expression_evaluated_at_a_value_with_a_bar(problems):
    """E|_{ε=0}: E with ε put to 0 (an unevaluated substitution the evaluator sees through)."""
    from derive.check.latex_math import parse_latex

    report, steps = check(problems, "mit-6790-hw4-noisy-targets", AT_ZERO)
    assert "wrong" not in [s[1] for s in steps] and finals(report) == {"2a-cross-entropy": "correct"}, steps
    slipped, steps = check(problems, "mit-6790-hw4-noisy-targets", AT_ZERO.replace("- (1-t)", "- (1+t)"))
    assert finals(slipped) == {"2a-cross-entropy": "wrong"}, steps
    node = parse_latex(r"\left.\frac{d f}{dx}\right|_{x=0}", {"f": "f", "x": "x"})
    assert node.func == "at" and node.args[0].func == "diff", node
    assert parse_latex(r"|x|_{1}", {"x": "x"}).base.func == "abs"       # a norm's subscript, not a bar


SUPPOSED = r"""\section*{lasso-1d}
Let $w := z_0 - \tau c(cz_0-y)$; the step minimises $\frac{(z-w)^2}{2\tau} + \nu|z|$. Cases:
\begin{enumerate}
\item If $z>0$ is optimal then $(z-w)/\tau + \nu = 0$, i.e.\ $z = w - \tau\nu$, which needs $w > \tau\nu$.
\item If $z<0$ is optimal then $z = w + \tau\nu$, which needs $w < -\tau\nu$.
\end{enumerate}
\[
z_1 = \operatorname{sgn}(w)\,\max\bigl(|w| - \tau\nu,\ 0\bigr)
\]
"""


def test_a_claim_in_a_case_the_prose_supposes_is_not_graded(problems):
    """'If $z > 0$ is optimal then …': the stationarity of one case, not the solution's equation."""
    report, steps = check(problems, "prox-steps", SUPPOSED)
    assert "wrong" not in [s[1] for s in steps] and finals(report) == {"lasso-1d": "correct"}, steps
    assert any("supposes" in s[3] for s in steps if s[0] == 4 and s[1] == "unknown"), steps
    slipped, steps = check(problems, "prox-steps", SUPPOSED.replace(r"|w| - \tau\nu,\ 0", r"|w| - \nu,\ 0"))
    assert finals(slipped) == {"lasso-1d": "wrong"}, steps

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

"""Students' writing met in blind corpus v15 (issue 10), after its held-out score: vec(X) of the
tokens, a size stated for the example (``(Nd)^2 = 36``), a case written before its condition in
a sentence that also uses its name, an aside comparing with another attack, and a point the prose
picks by a formula. Each correct form is accepted, and a slip in it is still caught."""
from checking import check, finals, status_at

VEC = r"""\section*{3.3a}
I flatten row by row, $\operatorname{vec}(X) = (\mathbf{x}_1; \mathbf{x}_2; \mathbf{x}_3)$, and $Q = XW_q$:
\[
\operatorname{vec}(Q) = (I_3\otimes W_q^\top)\,\operatorname{vec}(X).
\]
That is 4 shared numbers instead of $(Nd)^2 = 36$.
"""


def test_vec_of_the_tokens_and_sizes_of_the_example(problems):
    report, steps = check(problems, "mit-6790-hw4-attention", VEC)
    assert [s[1] for s in steps] == ["ok", "ok", "ok", "unknown"] and finals(report) == {"3.3a": "correct"}, steps
    slipped, steps = check(problems, "mit-6790-hw4-attention", VEC.replace("I_3\\otimes W_q^\\top", "I_3\\otimes W_q"))
    assert finals(slipped) == {"3.3a": "wrong"}, steps


BOX = r"""\section*{1b}
Now $|\delta_i| \le \varepsilon$ and $\mathbf{g}^\top\boldsymbol\delta = \sum_i g_i\delta_i$: $\delta_i = -\varepsilon$ if $g_i > 0$ and $\delta_i = +\varepsilon$ if $g_i < 0$.
"""


def test_a_case_before_its_condition_in_a_sentence_that_uses_its_name(problems):
    report, steps = check(problems, "trust-region", BOX)
    assert [s[2] for s in steps if s[0] == 2][-4:] == ["a case of the solution", "the condition"] * 2, steps
    slipped, steps = check(problems, "trust-region", BOX.replace("-\\varepsilon$ if $g_i > 0$", "+\\varepsilon$ if $g_i > 0$"))
    assert "wrong" in status_at(slipped, 2), steps


ASIDE = """## zeroing-step
$$s = \\frac{\\mathbf v^\\top\\mathbf z}{\\sigma(\\mathbf v^\\top\\mathbf z)\\big(1-\\sigma(\\mathbf v^\\top\\mathbf z)\\big)\\,\\mathbf v^\\top\\mathbf v}$$
That is larger than when attacking the logit itself, compared with which ($s = \\mathbf v^\\top\\mathbf z/\\|\\mathbf v\\|^2$) it grows.
"""


def test_an_aside_comparing_with_another_attack_is_not_graded(problems):
    report, steps = check(problems, "fgm-logistic", ASIDE)
    assert steps[-1][1] == "unknown" and finals(report) == {"zeroing-step": "correct"}, steps
    slipped, steps = check(problems, "fgm-logistic", ASIDE.replace("\\mathbf v^\\top\\mathbf v}$$", "\\|\\mathbf v\\|}$$"))
    assert finals(slipped) == {"zeroing-step": "wrong"}, steps


POINT = r"""\subsection*{past-boundary}
The boundary is at $s = m/\rho$. For $v \ge 0$ the logit at $s = m/\rho + v$ is $-\rho v \le 0$, so the hinge is $0$ there and
\begin{equation*}
\psi(m/\rho + v) = \beta\left(\frac m\rho + v\right)^2 \ge \beta\frac{m^2}{\rho^2} = \psi(m/\rho) .
\end{equation*}
"""


def test_a_point_the_prose_picks_by_a_formula_is_no_claim(problems):
    report, steps = check(problems, "adversarial-tanh-margin", POINT)
    assert [s[1] for s in steps if s[0] == 2] == ["ok", "ok", "unknown", "ok"] and status_at(report, 4) == ["ok"], steps
    slipped, steps = check(problems, "adversarial-tanh-margin", POINT.replace("\\left(\\frac m\\rho + v\\right)^2 \\ge", "\\left(\\frac m\\rho - v\\right)^2 \\ge"))
    assert status_at(slipped, 4) == ["wrong"], steps

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

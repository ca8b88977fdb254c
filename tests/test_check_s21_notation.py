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

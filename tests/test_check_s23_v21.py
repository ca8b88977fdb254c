"""Students' writing met in the held-out corpus v21, read after it was scored once (issue 10).
Each correct form is accepted, and a slip in it is still caught."""
from checking import check, finals, status_at

ENTRIES = r"""## 3.3a
Row $i$ of $Q = XW_q$ is $\mathbf x_i^\top W_q$.
Written out, with $W_q = \begin{pmatrix} q_{11} & q_{12}\\ q_{21} & q_{22}\end{pmatrix}$, each diagonal block is its transpose.
"""


def test_a_matrix_of_named_entries_names_its_own_entries(problems):
    """W_q = (q₁₁ q₁₂; q₂₁ q₂₂) names W_q's entries: q₁₁ is not entry (1, 1) of the student's Q."""
    report, steps = check(problems, "mit-6790-hw4-attention", ENTRIES)
    assert "wrong" not in [s[1] for s in steps], steps


REGRET = r"""\section*{regret}
Round $j$: the slope is $s_j := \frac{e_j^2 - e_{j+1}^2 + \gamma^2 Q_j}{2\gamma}$ and $f_j(u) = f_j - s_j + \delta_j$ with $\delta_j \ge 0$. Summing,
\begin{align*}
\sum_{j=1}^T f_j - \sum_{j=1}^T f_j(u) &= \sum_{j=1}^T (s_j - \delta_j) \le \sum_{j=1}^T s_j \\
&= \frac{1}{2\gamma}\sum_{j=1}^T (e_j^2 - e_{j+1}^2) + \frac\gamma2\sum_{j=1}^T Q_j\\
&= \frac{e_1^2 - e_{T+1}^2}{2\gamma} + \frac\gamma2\sum_{j=1}^T Q_j \le \frac{e_1^2}{2\gamma} + \frac{\gamma}{2}\sum_{j=1}^T Q_j .
\end{align*}
"""


def test_a_row_after_an_inequality_goes_on_from_its_right_side(problems):
    """'… ≤ Σ s_j' then '&= …': the new row equals Σ s_j (not the item before '≤'), and the
    closing '≤ R' of a continued row is the bound the part states."""
    report, steps = check(problems, "ogd-regret-total", REGRET)
    assert "wrong" not in [s[1] for s in steps] and finals(report) == {"regret": "correct"}, steps
    slipped, steps = check(problems, "ogd-regret-total", REGRET.replace(r"+ \frac\gamma2\sum_{j=1}^T Q_j\\", r"+ \gamma\sum_{j=1}^T Q_j\\"))
    assert status_at(slipped, 5) == ["wrong"], steps


SHAPE = r"""\section*{weights}
$L$ is a scalar and $W$ is $n\times d$, so $\nabla_W L$ has one entry per weight:
\[
\dim \nabla_W L = n\times d
\]
(explicitly $\nabla_W L = 2(p - y)\,v x^\top + 2\lambda W$, an outer product $n\times1$ times $1\times d$.)
"""


def test_a_parenthetical_after_a_shape_answer_is_an_aside(problems):
    """The explicit gradient in parentheses after the size, and the sizes it mentions in passing,
    do not replace the answer n × d."""
    report, steps = check(problems, "shapes-linear-layer", SHAPE)
    assert finals(report) == {"weights": "correct"}, steps
    slipped, steps = check(problems, "shapes-linear-layer", SHAPE.replace(r"L = n\times d", r"L = d\times n"))
    assert finals(slipped) == {"weights": "wrong"}, steps


STEPS = r"""\section*{2.3.1}
Gradient step on $\tilde L$ from $\mathbf w_0$:
\[
\mathbf w_1^{\text{L2}} = (1 - 2\eta\tilde\lambda)\mathbf w_0 - \frac{2\eta}{n}X^\top(X\mathbf w_0 - \mathbf t).
\]
Plain step followed by weight decay:
\[
\mathbf w_1^{\text{WD}} = (1-\lambda)\mathbf w_0 - \frac{2\eta}{n}X^\top(X\mathbf w_0 - \mathbf t).
\]
"""


def test_two_answers_of_one_part_under_two_labels_are_each_judged(problems):
    """w₁^{L2} and w₁^{WD} answer the part's two goals; a slip in the first is a wrong answer even
    though the last line is right."""
    report, steps = check(problems, "weight-decay-l2", STEPS)
    assert finals(report) == {"2.3.1": "correct"}, steps
    assert status_at(report, 4) == ["ok"], steps              # w^{\text{L2}}: a label, read as part of the name
    slipped, steps = check(problems, "weight-decay-l2", STEPS.replace(r"(1 - 2\eta\tilde\lambda)", r"(1 - \eta\tilde\lambda)"))
    assert finals(slipped) == {"2.3.1": "wrong"}, steps


ASIDE = r"""\section*{4d}
With $D_i := r(i)^2$ and $s_i = (D_i - D_{i+1} + \eta^2G_i)/(2\eta)$:
\begin{align}
L_n - L_* &\le \frac1n\sum_{i=1}^n s_i \qquad (\text{all } c_i \ge 0)\\
&= \frac{1}{2\eta n}\sum_{i=1}^n \bigl(D_i - D_{i+1}\bigr) + \frac{\eta}{2n}\sum_{i=1}^n G_i \\
&\le \frac{1}{2n}\Bigl(\frac{r(1)^2}{\eta} + \eta\sum_{i=1}^n G_i\Bigr) \qquad (D_{n+1} \ge 0).
\end{align}
"""


def test_a_remark_beside_a_row_does_not_break_its_chain(problems):
    """'\\qquad (\\text{all } c_i \\ge 0)' beside a row: the next row's '=' goes on from the row's
    own right side, not from the remark."""
    report, steps = check(problems, "mit-6790-hw4-online-regret", ASIDE)
    assert "wrong" not in [s[1] for s in steps] and finals(report) == {"4d": "correct"}, steps
    slipped, steps = check(problems, "mit-6790-hw4-online-regret", ASIDE.replace(r"+ \frac{\eta}{2n}\sum_{i=1}^n G_i \\", r"+ \frac{\eta}{n}\sum_{i=1}^n G_i \\"))
    assert status_at(slipped, 5) == ["wrong"], steps

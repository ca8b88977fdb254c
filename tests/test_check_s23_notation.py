"""Students' writing met in the tuning corpus v19 (and v16, v18), read in the session after it was
scored (issue 10). Each correct form is accepted, and a slip in it is still caught."""
from checking import check, finals, status_at

from derive.check.extract import extract

ABOVE = r"""\section*{above}
Write $\Delta := F(z) - F(b) - \nabla F(b)^\top(z - b)$; it is $\ge 0$ by convexity. Therefore
\[
F(z) - F(b) \ge \nabla F(b)^\top(z-b) \quad\text{for all } z, b .
\]
"""


def test_the_variables_a_claim_quantifies_are_no_line():
    """'\\text{for all } z, b' after a bound names what it holds for; it is not a line to read
    (the bound before it is the final answer)."""
    lines = [m.latex for m in extract(ABOVE, "a.tex")]
    assert "z, b" not in lines and any(x.startswith("F(z) - F(b) \\ge") for x in lines), lines
    kept = [m.latex for m in extract(ABOVE.replace(r"\text{for all } z, b", r"\text{for all } z = b"), "a.tex")]
    assert "z = b" in kept, kept                    # a relation after 'for all' is still a claim


def test_the_bound_stated_before_its_quantifier_answers_the_part(problems):
    report, steps = check(problems, "tangent-plane-bounds", ABOVE)
    assert finals(report) == {"above": "correct"}, steps
    reversed_, steps = check(problems, "tangent-plane-bounds", ABOVE.replace(r"F(b) \ge \nabla", r"F(b) \le \nabla"))
    assert finals(reversed_) == {"above": "wrong"}, steps


BELOW = r"""## below
{verdict} Take $k = 1$, $a = 1$, $c = 1$, $\mu = 0$, $b = 0$ and $z = 1$: then $F(z) - F(b) = e^{{-1}} - 1$
while $\nabla F(b)^\top(z - b) = -1$, and $e^{{-1}} - 1 > -1$.
"""


def test_a_refuted_bound_is_answered_by_the_verdict_in_words(problems):
    """The derivation finds that F does not lie below its tangent plane: a write-up that says so
    ('No', 'fails in general') answers the part; one that says it holds is wrong, and the reason
    gives derive's instance."""
    for verdict in ("No.", "The reverse inequality fails in general.", "It does not hold: a counterexample."):
        report, steps = check(problems, "tangent-plane-bounds", BELOW.format(verdict=verdict))
        assert finals(report) == {"below": "correct"}, (verdict, steps)
    report, steps = check(problems, "tangent-plane-bounds", BELOW.format(verdict="Yes, it always holds."))
    assert finals(report) == {"below": "wrong"}, steps
    assert "does not hold in general" in report.parts[0].final_answer.reason
    ce = report.parts[0].final_answer.counterexample           # derive's own instance, with its two sides
    assert ce["values"]["c"] == "0" and float(ce["left"]) > float(ce["right"]), ce


SINES = r"""## 3.3c-sines
At $n = 0$ every entry of $\mathbf s_0$ is $0$, so $W\mathbf s_0 = \mathbf 0$ for every $W$, while $\mathbf s_k \ne \mathbf 0$.
{verdict}
"""


def test_a_matrix_that_cannot_exist_is_answered_in_words(problems):
    report, steps = check(problems, "mit-6790-hw4-attention-positions", SINES.format(verdict="So **no** matrix $W_k$ works."))
    assert finals(report) == {"3.3c-sines": "correct"}, steps
    report, steps = check(problems, "mit-6790-hw4-attention-positions", SINES.format(verdict="Yes: take W = I, which always holds."))
    assert finals(report) == {"3.3c-sines": "wrong"}, steps


REGRET = r"""\section*{4d}
Let $D_i := r(i)^2$. From 4(c), summing and telescoping:
\begin{align}
L_n - L_* &\le \frac{1}{2\eta n}\bigl(D_1 - D_{n+1}\bigr) + \frac{\eta}{2n}\sum_{i=1}^n G_i \qquad\text{(telescoping)}\\
&\le \frac{1}{2n}\Bigl(\frac{r(1)^2}{\eta} + \eta\sum_{i=1}^n G_i\Bigr) \qquad (D_{n+1} \ge 0). \label{eq:r2}
\end{align}
"""


def test_a_side_remark_in_parentheses_after_quad_is_a_condition():
    """'… \\qquad (D_{n+1} \\ge 0)' closing a row: the parentheses of the remark are not part of
    the claim, so the remark reads as its own line and the chain's bound before it answers."""
    lines = [m.latex for m in extract(REGRET, "a.tex")]
    assert "D_{n+1} \\ge 0" in lines, lines
    mid = [m.latex for m in extract(r"$$a = (b + c) \quad (x + y)z$$", "a.md")]
    assert "(x + y)z" in mid, mid                    # a product that only starts with '(' keeps them


def test_the_regret_bound_before_a_side_remark_answers_the_part(problems):
    report, steps = check(problems, "mit-6790-hw4-online-regret", REGRET)
    assert finals(report) == {"4d": "correct"}, steps
    slipped, steps = check(problems, "mit-6790-hw4-online-regret", REGRET.replace(r"{2n}\Bigl(", r"{4n}\Bigl("))
    assert finals(slipped) == {"4d": "wrong"}, steps


DROPOUT = r"""\section*{3.1}
For dropout $\mathbb{E}[m_{ij}] = p$, so
\begin{align}
\mathbb{E}[\tilde y_{m,i}] &= \frac1p\sum_j p\,w_jx_{ij} = \sum_j w_j x_{ij},\\
\operatorname{Var}(\tilde y_{m,i}) &= \frac{1}{p^2}\sum_j p(1-p)\,w_j^2x_{ij}^2 .
\end{align}
"""


def test_a_label_subscript_with_the_index_after_a_comma_applies_the_given(problems):
    """The problem's prediction ỹ_m(i) written \\tilde y_{m,i}: the label m names it, i is its argument."""
    report, steps = check(problems, "dropout-average", DROPOUT)
    assert [s[1] for s in steps if s[0] in (4, 5)] == ["ok", "ok"], steps
    slipped, steps = check(problems, "dropout-average", DROPOUT.replace(r"\frac{1}{p^2}\sum_j p(1-p)", r"\frac{1}{p}\sum_j p(1-p)"))
    assert "wrong" in status_at(slipped, 5), steps


NLL = r"""## nll
With $\rho = p(1-\beta) + (1-p)\alpha$ the recorded label has likelihood $\rho^u(1-\rho)^{1-u}$, so
$$L = -u\log\rho - (1-u)\log\bigl((1-p)(1-\alpha) + p\beta\bigr)$$
"""


def test_an_answer_undefined_at_some_instances_is_still_compared_where_both_are_defined(problems):
    """A slip that makes the log's argument negative at some instances is wrong where both sides
    are defined (it was 'cannot evaluate'); the correct form stays correct."""
    report, steps = check(problems, "asymmetric-label-noise", NLL)
    assert finals(report) == {"nll": "correct"}, steps
    slipped, steps = check(problems, "asymmetric-label-noise", NLL.replace(r"+ p\beta\bigr)", r"- p\beta\bigr)"))
    assert finals(slipped) == {"nll": "wrong"}, steps
    ce = slipped.parts[0].final_answer.counterexample
    assert ce and ce["left"] != ce["right"], ce


def test_a_domain_failure_never_lets_a_comparison_pass():
    """log(x²) and 2 log x agree wherever both are defined, but 2 log x is undefined for x < 0: the
    comparison stays unknown, never 'equivalent'."""
    from sympy import Symbol, log

    from derive.equivalence import Context, same_value
    from derive.expr.symbols import SymbolTable

    x = Symbol("x", real=True)
    ctx = Context(SymbolTable())
    assert same_value(log(x ** 2), 2 * log(x), ctx, symbolic=False).status == "unknown"
    assert same_value(log(x ** 2), 3 * log(x), ctx, symbolic=False).status == "not-equivalent"


TABLE = r"""## input-value

| quantity | value |
|---|---|
| $z_1 = ax$ | $= 3$ |
| $z_2 = bx$ | $= -3$ |
| $y = \tfrac13\cdot 3 + 2\cdot 0$ | $= 1$ |
"""


def test_a_table_cell_that_opens_with_equals_continues_its_row(problems):
    """'| $z_2 = bx$ | $= -3$ |': −3 is bx, not the value of the row before."""
    report, steps = check(problems, "two-hidden-units-backprop", TABLE)
    assert "wrong" not in [s[1] for s in steps], steps
    slipped, steps = check(problems, "two-hidden-units-backprop", TABLE.replace("$= -3$", "$= 3$"))
    assert status_at(slipped, 6) == ["ok", "wrong"], steps


CLOSED = r"""## input-closed
$$\frac{\partial E}{\partial x} = (y - t)\bigl(c_1\,a\,H(z_1) + c_2\,b\,H(z_2)\bigr)$$
$$= \bigl(c_1\operatorname{relu}(ax) + c_2\operatorname{relu}(bx) - t\bigr)\bigl(a c_1 H(ax) + b c_2 H(bx)\bigr)$$
"""


def test_an_answer_right_only_where_x_is_positive_is_wrong(problems):
    """H(ax) in place of H(bx) agrees with the gradient when x > 0, which the problem does not
    assume: the final answer is wrong, with an instance at x < 0."""
    report, steps = check(problems, "two-hidden-units-backprop", CLOSED)
    assert finals(report) == {"input-closed": "correct"}, steps
    slipped, steps = check(problems, "two-hidden-units-backprop",
                           CLOSED.replace(r"\bigl(a c_1 H(ax) + b c_2 H(bx)\bigr)", r"H(ax)(a c_1 + b c_2)"))
    assert finals(slipped) == {"input-closed": "wrong"}, steps
    assert slipped.parts[0].final_answer.counterexample is not None


MASKS = r"""\section*{bias-variance}
Abbreviate $a_k := b_k c_k$, so the prediction is $\hat y = \sum_k r_k a_k$.
For $k\neq l$ independence gives $\mathbb{E}[r_k r_l] = q^2$, and for $k = l$
\[
\mathbb{E}[r_k^2] = \mathbb{E}[r_k] = q .
\]
"""


def test_a_case_opened_after_and_belongs_to_the_next_claim(problems):
    """'$E[r_k r_l] = q^2$, and for $k = l$ [display]': k = l is the display's case, not a
    condition on the line before it (which holds for k ≠ l)."""
    report, steps = check(problems, "dropout-unscaled", MASKS)
    assert "wrong" not in [s[1] for s in steps], steps
    slipped, steps = check(problems, "dropout-unscaled", MASKS.replace(r"\mathbb{E}[r_k] = q .", r"\mathbb{E}[r_k]^2 = q^2 ."))
    assert "wrong" in status_at(slipped, 5), steps


NOISE = r"""Setup: write $\mathbf e := \hat{\mathbf g} - \mathbf h = \frac1B\sum_b(\mathbf g_b - \mathbf h)$.

## total-variance
$$\mathbb E\|\hat{\mathbf g} - \mathbf h\|_2^2 = \mathbb E[\mathbf e^\top\mathbf e] = \frac{\operatorname{tr}(S)}{B}$$

## step-loss
$$\mathbb E[\mathbf e^\top P\mathbf e] = \frac{\operatorname{tr}(PS)}{B}$$
"""


def test_a_definition_whose_later_links_cannot_be_read_still_defines(problems):
    """'e := ĝ − h = (1/B)Σ_b(g_b − h)' with per-example g_b the problem lacks: e is defined by
    the first link (unknown line, not unparsed), and later parts use it."""
    report, steps = check(problems, "minibatch-gradient-covariance", NOISE)
    assert status_at(report, 1) == ["unknown"] and "defines" in steps[0][3], steps
    assert "wrong" not in [s[1] for s in steps], steps
    assert finals(report)["total-variance"] == "correct", steps
    slipped, steps = check(problems, "minibatch-gradient-covariance", NOISE.replace(r"\frac{\operatorname{tr}(PS)}{B}", r"\operatorname{tr}(PS)"))
    assert "wrong" in status_at(slipped, 7), steps


CAUSAL = r"""## causal-matrix
$$M = \begin{pmatrix} a_{11}B^\top & 0 \\ a_{21}B^\top & a_{22}B^\top \end{pmatrix}$$
"""


def test_lowercase_entries_name_the_problems_matrix(problems):
    """a_{21} for entry (2, 1) of the problem's A when a is no name of its own."""
    from derive.check.latex_math import parse_chain

    names = {"A": "A"}
    terms, _ = parse_chain(r"a_{21} = 1", names)
    assert "Index" in repr(terms[0]) and "Name(id='A'" in repr(terms[0]), terms
    terms, _ = parse_chain(r"a_{21} = 1", {"a": "a", "A": "A"})
    assert "Name(id='A'" not in repr(terms[0]), terms        # a name of its own stays itself


def test_a_value_of_an_entry_the_problem_leaves_free_is_not_graded(problems):
    """'a_{11} = 1' (softmax rows sum to one) for an entry of the attention matrix A, which the
    problem leaves free: not checked, as for a_{11} spelt as a name of its own."""
    report, steps = check(problems, "attention-causal", CAUSAL + "\nSo the first output is just $B^\\top u_1$ because $a_{11} = 1$.\n")
    assert status_at(report, 4)[-1] == "unknown" and "leaves free" in steps[-1][3], steps


REGRET_TOTAL = r"""\subsection*{regret}
Summing the one-round bounds, the distance terms telescope:
\begin{align*}
\sum_{j=1}^T \big(f_j(\theta^{(j)}) - f_j(u)\big)
&\le \frac{1}{2\gamma}\sum_{j=1}^T\big(e_j^2 - e_{j+1}^2\big) + \frac{\gamma}{2}\sum_{j=1}^T Q_j\\
&= \frac{e_1^2 - e_{T+1}^2}{2\gamma} + \frac{\gamma}{2}\sum_{j=1}^T Q_j\\
&\le \frac{e_1^2}{2\gamma} + \frac{\gamma}{2}\sum_{j=1}^T Q_j .
\end{align*}
"""


def test_a_function_of_the_round_written_with_a_subscript(problems):
    """e_j, e_1, e_{T+1} for the distance e(j), which the problem's givens apply to an index:
    the bound reads and answers the part; a slip in it is caught."""
    from derive.check.latex_math import given_functions, parse_chain

    report, steps = check(problems, "ogd-regret-total", REGRET_TOTAL)
    assert finals(report)["regret"] == "correct", steps
    slipped, steps = check(problems, "ogd-regret-total", REGRET_TOTAL.replace(r"\le \frac{e_1^2}{2\gamma}", r"\le \frac{e_1^2}{4\gamma}"))
    assert finals(slipped)["regret"] == "wrong", steps
    table = problems("ogd-regret-total").spec.table
    functions = given_functions(table)
    assert "_e" in functions and "_F" not in functions        # F(θ) takes a vector: F_1 stays a name
    terms, _ = parse_chain(r"e_{T+1} = F_1", {"e": "e", "F": "F", "T": "T"}, given_functions=functions)
    assert "Call(func='e'" in repr(terms[0]) and "Call" not in repr(terms[1]), terms


def test_a_size_given_with_dim_answers_a_shape_part(problems):
    text = "## 5b\n$$\\dim \\nabla_x J(x) = d \\times 1$$\n"
    report, steps = check(problems, "mit-6790-hw4-adversarial", text)
    assert finals(report) == {"5b": "correct"}, steps
    slipped, steps = check(problems, "mit-6790-hw4-adversarial", text.replace(r"d \times 1", r"1 \times d"))
    assert finals(slipped) == {"5b": "wrong"}, steps


def test_sech_is_read_as_the_reciprocal_cosh():
    """sech²u = 1 − tanh²u is an identity the checker can now read (sech u = √(1 − tanh²u) > 0)."""
    from sympy import cosh

    from derive.check.latex_math import parse_chain
    from derive.expr.build import Builder
    from derive.expr.symbols import SymbolInfo, SymbolTable, make_scalar
    from derive.numeric import Evaluator

    x = make_scalar("x", (), None)
    table = SymbolTable()
    table.add(SymbolInfo("x", "scalar", x, latex="x"))
    terms, _ = parse_chain(r"\operatorname{sech}^2(x) = 1 - \tanh^2 x", {"x": "x"})
    left, right = (Builder(table).build(t).expr for t in terms)
    for value in (-2, 0.5, 3):
        env = {x: value}
        assert abs(float(Evaluator(env).eval(left)) - float(1 / cosh(value) ** 2)) < 1e-12
        assert abs(float(Evaluator(env).eval(left)) - float(Evaluator(env).eval(right))) < 1e-12


def test_a_floor_of_a_number_is_worked_out_exactly(problems):
    """⌊(24 + 2 − 3)/2⌋ + 1 = 12 for a strided layer's size; 13 is caught, and a floor of an
    expression in names is not read."""
    from derive.check.latex_math import parse_chain
    from derive.errors import ParseError

    text = "## sizes\n$$\\left\\lfloor \\frac{24+2-3}{2}\\right\\rfloor + 1 = {n}$$\n"
    report, steps = check(problems, "cnn-sizes-strided", text.replace("{n}", "12"))
    assert status_at(report, 2) == ["ok"], steps
    slipped, steps = check(problems, "cnn-sizes-strided", text.replace("{n}", "13"))
    assert status_at(slipped, 2) == ["wrong"], steps
    assert parse_chain(r"\lceil 7/2 \rceil = 4", {})[0][0].value == "4"
    try:
        parse_chain(r"\lfloor x/2 \rfloor = 1", {"x": "x"})
    except ParseError as err:
        assert "only around a number" in err.message
    else:
        raise AssertionError("a floor of a name was read")

"""Student LaTeX -> AST: every notation variant, order of products, names, hostile input.

Expected trees are written in the spec grammar (``derive.expr.parse``) with ``@`` for every
product, since the LaTeX parser emits ``@`` for juxtaposition, ``\\cdot`` and ``\\times``.
"""
import time

import pytest

from derive.check.latex_math import parse_chain, parse_latex
from derive.errors import ParseError
from derive.expr.ast import BinOp, Call, Name, Num, Rel, Transpose
from derive.expr.parse import parse

NAMES = {"w": r"\mathbf{w}", "X": "X", "lambda": r"\lambda", "t": r"\mathbf{t}", "epsilon": r"\epsilon",
         "p": "p", "sigma": r"\sigma", "eta": r"\eta", "w0": r"\mathbf{w}_0", "x_adv": r"\mathbf{x}'",
         "x": r"\mathbf{x}", "n": "n", "g": r"\mathbf{g}", "delta": r"\boldsymbol{\delta}", "mu": r"\mu",
         "y_tilde": r"\tilde{y}", "m": "m", "L1": "L_1", "a": r"\mathbf{a}", "M": "M", "z": "z", "f": "f",
         "a_prev": r"a^{(\ell-1)}"}


def same(latex: str, spec: str, names=NAMES):
    assert parse_latex(latex, names) == parse(spec), latex


@pytest.mark.parametrize("latex, spec", [
    (r"X^T X", "X.T @ X"),
    (r"X^\top X", "X.T @ X"),
    (r"X^{\top} X", "X.T @ X"),
    (r"X^\intercal X", "X.T @ X"),
    (r"X^{T}X", "X.T @ X"),
    (r"X^{\mathsf{T}} X", "X.T @ X"),
    (r"X^{\mathrm T} X", "X.T @ X"),
    ("Xᵀ X", "X.T @ X"),
    (r"X X^T", "X @ X.T"),
    (r"XX^\top", "X @ X.T"),
    (r"X^{-1}", "X**(-1)"),
    (r"(X^\top X)^{-1} X^\top \mathbf{t}", "(X.T @ X)**(-1) @ X.T @ t"),
    (r"\left(X^{\top}X + 2n\lambda I\right)^{-1}X^T\mathbf{t}", "(X.T @ X + 2@n@lambda@I)**(-1) @ X.T @ t"),
    (r"(X\mathbf{w})^T", "(X @ w).T"),
    (r"\mathbf{w}^T\mathbf{x} - \epsilon\mathbf{w}^T\mathbf{w}", "w.T @ x - epsilon @ w.T @ w"),
])
def test_transpose_inverse_and_order(latex, spec):
    same(latex, spec)


def test_transpose_order_is_kept():
    assert parse_latex("X^T X", NAMES) != parse_latex("X X^T", NAMES)
    assert parse_latex(r"X^T X \mathbf{w}", NAMES) == BinOp("@", BinOp("@", Transpose(Name("X")), Name("X")), Name("w"))


@pytest.mark.parametrize("latex, spec", [
    (r"\mathbf{w}", "w"), (r"\boldsymbol{w}", "w"), (r"\bm{w}", "w"), (r"\vec{w}", "w"), ("w", "w"),
    (r"\mathbf w", "w"), (r"\boldsymbol\delta", "delta"), (r"\delta", "delta"), (r"\bm{\delta}", "delta"),
    (r"\epsilon", "epsilon"), (r"\varepsilon", "epsilon"), ("ε", "epsilon"), ("λ", "lambda"),
    (r"\mathbf{w}_0", "w0"), ("w_0", "w0"), (r"\boldsymbol{w}_{0}", "w0"),
    (r"\mathbf{x}'", "x_adv"), ("x'", "x_adv"), (r"\mathbf{x}^\prime", "x_adv"), (r"\mathbf{x'}", "x_adv"),
    ("w^*", "w"), (r"w^{\star}", "w"), (r"\eta^*", "eta"),
    (r"\tilde{y}", "y_tilde"), (r"\tilde y", "y_tilde"), (r"\widetilde{y}", "y_tilde"),
    ("L_1", "L1"), (r"\mathbf{x}_{\text{adv}}", "x_adv"), ("I", "I"), (r"\mathbf{I}", "I"), ("I_d", "I"),
    (r"a^{(\ell-1)}", "a_prev"), ("q", "q"), (r"\theta", "theta"), (r"\mathbf{0}", "0"), ("0.5", "0.5"),
])
def test_names_resolve_through_the_spelling_table(latex, spec):
    same(latex, spec)


@pytest.mark.parametrize("latex, spec", [
    ("w_j", "w[j]"), (r"\pi_j", "pi[j]"), ("w_{ij}", "w[i][j]"), ("m_j w_j x_j", "m[j] @ w[j] @ x[j]"),
    (r"a_j^{(\ell-1)}", "a_prev[j]"), ("w_j^2", "w[j]**2"), ("x_{j+1}", "x[j + 1]"),
])
def test_subscripts_index_families(latex, spec):
    same(latex, spec)


def test_ambiguous_font_blind_spelling_needs_the_exact_one():
    names = {"v": r"\mathbf{w}", "s": "w"}
    assert parse_latex(r"\mathbf{w}", names) == Name("v")
    assert parse_latex("w", names) == Name("s")
    assert parse_latex(r"\boldsymbol{w}", names) == Name("w")      # neither: reported by the builder


def test_multi_letter_spellings_win_longest_first():
    assert parse_latex("xt", {"xt": "xt", "x": "x", "t": "t"}) == Name("xt")
    same("xt", "x @ t", {"x": "x", "t": "t"})
    same("Xw", "X @ w")


@pytest.mark.parametrize("latex, spec", [
    (r"\left( X \mathbf{w} - \mathbf{t} \right)", "X @ w - t"),
    (r"\big( p \big)", "p"), (r"\Big[ p \Big]", "p"), (r"\left[ p \right]", "p"), ("{p}", "p"),
    (r"\bigl( p \bigr)", "p"), (r"\left\{ p \right\}", "p"),
    (r"2n\lambda I", "2 @ n @ lambda @ I"),
    (r"p \cdot \sigma", "p @ sigma"), (r"p \times \sigma", "p @ sigma"), (r"p\sigma", "p @ sigma"),
    (r"p * \sigma", "p @ sigma"), (r"p \cdot -\sigma", "p @ -sigma"),
    (r"-\epsilon \mathbf{w}", "-epsilon @ w"), (r"-\sigma^2", "-sigma**2"),
    (r"\mu(\delta^T\delta - \epsilon^2)", "mu @ (delta.T @ delta - epsilon**2)"),
    (r"p(1-p)", "p @ (1 - p)"),
])
def test_grouping_and_products(latex, spec):
    same(latex, spec)


@pytest.mark.parametrize("latex, spec", [
    (r"\frac{1}{2n}", "1/(2@n)"), (r"\dfrac{1}{2n}", "1/(2@n)"), (r"\tfrac{1}{2n}", "1/(2@n)"),
    ("1/(2n)", "1/(2@n)"), (r"\frac12", "1/2"), (r"\frac1n", "1/n"),
    (r"\frac{1}{n} X^T(X\mathbf{w}-\mathbf{t})", "1/n @ X.T @ (X@w - t)"),
    (r"-\frac{\mathbf g}{2\mu}", "-(g/(2@mu))"),
    (r"\sqrt{\frac{1-p}{p}}", "sqrt((1-p)/p)"), (r"\sqrt{(1-p)/p}", "sqrt((1-p)/p)"),
    (r"\sqrt[3]{p}", "p**(1/3)"), (r"\frac{\sqrt{1-p}}{p}", "sqrt(1-p)/p"),
])
def test_fractions_and_roots(latex, spec):
    same(latex, spec)


@pytest.mark.parametrize("latex", [
    r"\|\mathbf{w}\|_2^2", r"\|w\|^2", r"\|w\|^2_2", r"\lVert w\rVert^2", "||w||^2",
    r"\left\| w \right\|^2", r"\Vert w \Vert^2", "‖w‖²", r"\left\lVert \mathbf{w}\right\rVert_2^2",
])
def test_norm_squared_spellings(latex):
    same(latex, "norm(w)**2")


@pytest.mark.parametrize("latex, spec", [
    (r"\frac{1}{2n}\|X\mathbf{w}-\mathbf{t}\|_2^2 + \lambda\|\mathbf{w}\|^2",
     "1/(2@n) @ norm(X@w - t)**2 + lambda @ norm(w)**2"),
    (r"|p|", "abs(p)"), (r"\left| p \right|", "abs(p)"), (r"\lvert p\rvert", "abs(p)"),
    (r"|p| |\sigma|", "abs(p) @ abs(sigma)"), (r"\| |p| w \|", "norm(abs(p) @ w)"),
])
def test_norms_and_absolute_values(latex, spec):
    same(latex, spec)


def test_other_norms_keep_their_order():
    assert parse_latex(r"\|\mathbf{g}\|_1", NAMES) == Call("norm", (Name("g"), Num("1")))
    assert parse_latex(r"\|\boldsymbol\delta\|_\infty", NAMES) == Call("norm", (Name("delta"), Name("oo")))


@pytest.mark.parametrize("latex", [
    r"\operatorname{Var}(p)", r"\mathrm{Var}[p]", r"\text{Var}(p)", r"\mathbb{V}[p]",
    r"\mathrm{Var}\left[p\right]", "Var(p)", r"\operatorname{Var}_{m}[p]", r"\textrm{Var}(p)",
])
def test_variance_spellings(latex):
    same(latex, "Var(p)")


@pytest.mark.parametrize("latex", [
    r"\mathbb{E}[p]", "E[p]", r"\mathbb{E}_{m}[p]", r"\mathbb{E}(p)", r"\mathbb{E}\left[p\right]",
    r"\operatorname{E}[p]", r"\mathrm{E}[p]", r"\mathbb{E}_m\big[p\big]",
])
def test_expectation_spellings(latex):
    same(latex, "E(p)")


@pytest.mark.parametrize("latex, spec", [
    (r"\sum_{j=1}^{M} w_j z_j", "sum(w[j] @ z[j], j, 1, M)"),
    (r"\sum_j w_j x_j + 1", "sum(w[j] @ x[j], j) + 1"),
    (r"\sum_j w_j x_j - p", "sum(w[j] @ x[j], j) - p"),
    (r"2\sum_j w_j", "2 @ sum(w[j], j)"),
    (r"\sum_{j=1}^{d} w_j^2 x_j^2", "sum(w[j]**2 @ x[j]**2, j, 1, d)"),
    (r"\sum\limits_{j=1}^{M} w_j", "sum(w[j], j, 1, M)"),
    (r"\sum^{M}_{j=1} w_j", "sum(w[j], j, 1, M)"),
    (r"\sum_{k} w_k = 1", "sum(w[k], k) = 1"),
    (r"\frac{1}{p}\sum_j m_j w_j x_j", "1/p @ sum(m[j] @ w[j] @ x[j], j)"),
    (r"\sum_j (1 + \pi_j) w_j x_j", "sum((1 + pi[j]) @ w[j] @ x[j], j)"),
    ("∑_j w_j", "sum(w[j], j)"),
])
def test_sums_take_the_following_product(latex, spec):
    same(latex, spec)


@pytest.mark.parametrize("latex, spec", [
    (r"\nabla_{\mathbf{w}} f", "grad(f, w)"),
    (r"\nabla_{\mathbf w} L(\mathbf w)", "grad(L(w), w)"),
    (r"\nabla_\mathbf{x} f(\mathbf{x}; \mathbf{w})", "grad(f(x), x)"),
    (r"\frac{\partial L}{\partial \eta}", "diff(L, eta)"),
    (r"\frac{dL_1}{d\eta}", "diff(L1, eta)"),
    (r"\frac{\mathrm{d} L_1}{\mathrm{d}\eta}", "diff(L1, eta)"),
    (r"\frac{d}{d\eta} L_1", "diff(L1, eta)"),
    (r"\frac{\partial}{\partial \eta}\left(\eta^2\right)", "diff(eta**2, eta)"),
    (r"\partial_\eta L_1", "diff(L1, eta)"),
    (r"\frac{d}{n}", "d/n"),
])
def test_derivatives(latex, spec):
    same(latex, spec)


@pytest.mark.parametrize("latex, spec", [
    (r"\operatorname{sgn}(\mathbf g)", "sign(g)"), (r"\text{sign}(\mathbf g)", "sign(g)"),
    (r"\mathrm{sign}(g)", "sign(g)"), (r"\operatorname{sign}(g)", "sign(g)"), (r"\sgn(g)", "sign(g)"),
    (r"\exp(p)", "exp(p)"), (r"e^{p}", "exp(p)"), (r"\exp p", "exp(p)"), (r"e^{-\sigma^2}", "exp(-sigma**2)"),
    (r"\log p", "log(p)"), (r"\ln p", "log(p)"), (r"\log(p)", "log(p)"),
    (r"\mathrm{ReLU}(p)", "relu(p)"), (r"\max(0, p)", "relu(p)"), (r"\max(p, 0)", "relu(p)"),
    (r"\min(p, \sigma)", "min(p, sigma)"),
    (r"f(\mathbf{x}'; \mathbf{w})", "f(x_adv)"), (r"f(\mathbf{x})", "f(x)"), (r"L(\delta, \mu)", "L(delta, mu)"),
    (r"\mathcal{L}(\delta, \mu)", "scriptL(delta, mu)"), (r"L_1(\eta)", "L1(eta)"),
])
def test_functions(latex, spec):
    same(latex, spec)


@pytest.mark.parametrize("latex", [
    r"\min_{\mathbf w} J", r"\arg\min_w J", r"\operatorname*{argmin}_w J", r"\operatorname{arg\,min}_{w} J",
    r"\underset{w}{\arg\min}\, J", r"\mathop{\mathrm{argmin}}_w J", r"\argmin_{\boldsymbol{w}} J",
])
def test_minimisation_prefixes(latex):
    same(latex, "argmin(J, w)")


def test_minimisation_body_runs_to_the_relation():
    same(r"\arg\min_{\mathbf w} \frac{1}{2n}\|X\mathbf w - \mathbf t\|^2 + \lambda\|\mathbf w\|^2",
         "argmin(1/(2@n) @ norm(X@w - t)**2 + lambda @ norm(w)**2, w)")


@pytest.mark.parametrize("latex, spec", [
    ("p = q", "p = q"), (r"p \leq q", "p <= q"), (r"p \le q", "p <= q"), ("p < q", "p < q"),
    (r"p \geq q", "p >= q"), (r"p \ge q", "p >= q"), ("p > q", "p > q"), ("p := q", "p = q"),
    (r"p \overset{!}{=} q", "p = q"), ("p ≤ q", "p <= q"), (r"p \leqslant q", "p <= q"),
    (r"p = q.", "p = q"), (r"p = q,", "p = q"),
])
def test_relations(latex, spec):
    same(latex, spec)


def test_a_relation_is_a_rel_node():
    assert parse_latex(r"\sigma = \sqrt{p}", NAMES) == Rel("=", Name("sigma"), Call("sqrt", (Name("p"),)))


def test_chains_split_into_terms_and_ops():
    terms, ops = parse_chain(r"\epsilon = \frac{x}{w} = \frac{x^2 + 2\lambda}{t} \le p", NAMES)
    assert terms == [parse("epsilon"), parse("x/w"), parse("(x**2 + 2@lambda)/t"), parse("p")]
    assert ops == ["=", "=", "<="]
    assert parse_chain("p", NAMES) == ([Name("p")], [])
    with pytest.raises(ParseError, match="parse_chain"):
        parse_latex("a = b = c", NAMES)


@pytest.mark.parametrize("latex, spec", [
    (r"\mathbf{w} = \left(X^{\top}X + 2n\lambda I\right)^{-1}X^T\mathbf{t}", "w = (X.T@X + 2@n@lambda@I)**(-1) @ X.T @ t"),
    (r"f(\mathbf{x}'; \mathbf{w}) = \mathbf{w}^T\mathbf{x} - \epsilon\mathbf{w}^T\mathbf{w}", "f(x_adv) = w.T@x - epsilon@w.T@w"),
    (r"\boldsymbol{w}_0 - \frac{2\eta}{n} X^\intercal (X w_0 - t)", "w0 - (2@eta)/n @ X.T @ (X@w0 - t)"),
    (r"\mathbb{E}[\tilde{y}] = \sum_{j=1}^{d} w_j x_j", "E(y_tilde) = sum(w[j]@x[j], j, 1, d)"),
    (r"\operatorname{Var}(\tilde y) = \frac{1-p}{p}\sum_j w_j^2 x_j^2", "Var(y_tilde) = (1-p)/p @ sum(w[j]**2@x[j]**2, j)"),
    (r"\sigma = \sqrt{\frac{1-p}{p}}", "sigma = sqrt((1-p)/p)"),
    (r"\delta = -\varepsilon\,\operatorname{sgn}(g)", "delta = -epsilon @ sign(g)"),
    (r"\boldsymbol\delta^* = -\epsilon\,\frac{\mathbf{g}}{\|\mathbf{g}\|_2}", "delta = -epsilon @ (g/norm(g))"),
    (r"w^* = \frac{xt}{x^2+2\lambda}", "w = x@t/(x**2+2@lambda)"),
    (r"a_i = \sum_{j=1}^M w_{ij} z_j", "a[i] = sum(w[i][j] @ z[j], j, 1, M)"),
    (r"\eta^* = \frac{n\,\mathbf{a}^\top XX^\top\mathbf{a}}{2\,\mathbf{a}^\top XX^\top XX^\top\mathbf{a}}",
     "eta = (n@a.T@X@X.T@a) / (2@a.T@X@X.T@X@X.T@a)"),
    (r"\mathbb{E}[z_j^2] = \frac{1}{2}\mathbb{E}\left[\left(a_j^{(\ell-1)}\right)^2\right]", "E(z[j]**2) = 1/2 @ E(a_prev[j]**2)"),
])
def test_homework_lines(latex, spec):
    same(latex, spec)


def test_positions_point_into_the_line():
    node = parse_latex(r"\lambda + \mathbf{w}", NAMES)
    assert (node.pos, node.left.pos, node.right.pos) == (8, 0, 10)


def test_unknown_names_are_kept_for_the_builder_to_report():
    assert parse_latex(r"\mathbf{q}_{\text{opt}} + \hat{\theta}", {}) == BinOp("+", Name("q_opt"), Name("theta_hat"))


def test_functions_parameter_decides_what_is_called():
    assert parse_latex("g(p)", NAMES) == BinOp("@", Name("g"), Name("p"))
    assert parse_latex("g(p)", NAMES, functions={"g"}) == Call("g", (Name("p"),))


@pytest.mark.parametrize("latex, message", [
    (r"2^{10^{10}}", "exponent"),
    (r"x^{101}", "exponent"),
    (r"((9^{99})^{99})", "nested powers"),
    ("{" * 10_000 + "x" + "}" * 10_000, "limit is 2000"),
    ("{" * 101 + "x" + "}" * 101, "deeper than 100"),
    ("(" * 101 + "x" + ")" * 101, "deeper than 100"),
    (r"\left(" * 101 + "x" + r"\right)" * 101, "limit is 2000|deeper than 100"),
    ("x^{" * 101 + "2" + "}" * 101, "deeper than 100"),
    ("-" * 150 + "x", "deeper than 100"),
    (r"\tilde" * 150 + " x", "deeper than 100"),
    (r"\sum_j" * 150 + "x", "deeper than 100"),
    ("|" * 300, "deeper than 100"),
    ("1" * 41, "more than 40 digits"),
    ("x" * 2001, "limit is 2000"),
    (r"\input{/etc/passwd}", r"unsupported LaTeX command \\input"),
    ("__import__('os').system('x')", "expected a term"),
    ("eval(\"1\")", "unexpected character"),
    ("😀", "unexpected character"),
    ("{x", "never closed"), ("x}", "unbalanced"),
    (r"\frac{1}", "needs an argument"),
    (r"a \approx b", "cannot verify"),
    (r"a \Rightarrow b", "implication arrow"),
    (r"w_1 + \dots + w_d", "ellipsis"),
    (r"a = ", "expected a term"),
    (r"\sum w_j", "needs an index"),
    ("", "no mathematics"),
    (r"x \pm 1", "two answers"),
])
def test_hostile_and_malformed_input_is_refused(latex, message):
    with pytest.raises(ParseError, match=message):
        parse_latex(latex, NAMES)


def test_limits_are_inclusive():
    parse_latex("(" * 99 + "x" + ")" * 99, NAMES)
    parse_latex("{" * 99 + "x" + "}" * 99, NAMES)
    parse_latex("x^{100}", NAMES)
    parse_latex("1" * 40, NAMES)
    parse_latex("-" * 99 + "x", NAMES)


def test_non_text_is_refused():
    with pytest.raises(ParseError, match="expected LaTeX text"):
        parse_latex(b"x", NAMES)


def test_parsing_is_fast():
    line = r"\mathbf{w} = \left(X^{\top}X + 2n\lambda I\right)^{-1}X^T\mathbf{t}"
    parse_latex(line, NAMES)
    start = time.perf_counter()
    for _ in range(200):
        parse_latex(line, NAMES)
    assert (time.perf_counter() - start) / 200 < 0.005

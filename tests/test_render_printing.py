"""The expression printers: one table of SymPy expressions -> (LaTeX, Unicode text)."""
import sys
from pathlib import Path

import pytest
from sympy import (Abs, Eq, Ge, Identity, IndexedBase, Inverse, Le, MatAdd, MatMul, MatrixSymbol,
                   Max, Ne, Rational, Sum, Symbol, Transpose, ZeroMatrix, pi, sqrt, symbols)

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest_render import RIDGE_ANSWER, RIDGE_GRADIENT, RIDGE_OBJECTIVE  # noqa: E402
from derive.expr.objects import E, Grad, Scalar, Sgn, Var, relu  # noqa: E402
from derive.render.printing import escape_tex, latex, symbol_text, text  # noqa: E402

n, d = symbols("n d", positive=True, integer=True)
X = MatrixSymbol("X", n, d)
A = MatrixSymbol("A", d, d)
w = MatrixSymbol("w", d, 1)
x = MatrixSymbol("x", d, 1)
t = MatrixSymbol("t", n, 1)
delta = MatrixSymbol("delta", d, 1)
lam = Symbol("lambda", positive=True)
eps = Symbol("epsilon", positive=True)
mu, p, z, a, b = symbols("mu p z a b")
j, D = symbols("j D", integer=True, positive=True)
m = IndexedBase("m")
I1 = Identity(1)
NAMES = {"h": r"h^{(\ell-1)}", "w": r"\mathbf{w}", "x": r"\mathbf{x}", "t": r"\mathbf{t}",
         "delta": r"\boldsymbol{\delta}", "lambda": r"\lambda", "epsilon": r"\varepsilon"}

CASES = [
    # (expression, LaTeX, text)
    (lam, r"\lambda", "λ"),
    (w, r"\mathbf{w}", "w"),
    (w.T * x, r"\mathbf{w}^\top \mathbf{x}", "wᵀx"),
    (Scalar(w.T * x) - eps * Scalar(w.T * w),
     r"\mathbf{w}^\top \mathbf{x} - \varepsilon \mathbf{w}^\top \mathbf{w}", "wᵀx − ε wᵀw"),
    (Inverse(X.T * X + 2 * n * lam * Identity(d)) * X.T * t,
     r"(X^\top X + 2 \lambda n I)^{-1} X^\top \mathbf{t}", "(XᵀX + 2λnI)⁻¹Xᵀt"),
    (RIDGE_ANSWER, r"\mathbf{w} = (X^\top X + 2 \lambda n I)^{-1} X^\top \mathbf{t}",
     "w = (XᵀX + 2λnI)⁻¹Xᵀt"),
    (mu * ((-eps**2) * I1 + delta.T * delta),
     r"\mu (\boldsymbol{\delta}^\top \boldsymbol{\delta} - \varepsilon^2)", "μ(δᵀδ − ε²)"),
    (RIDGE_OBJECTIVE,     # a sum's inner product with itself reads as a squared norm; wᵀw stays
     r"\frac{1}{2 n} \left\|X \mathbf{w} - \mathbf{t}\right\|^{2} + \lambda \mathbf{w}^\top \mathbf{w}",
     "‖Xw − t‖²/(2n) + λ wᵀw"),
    (Scalar(MatMul(Transpose(X * w - t).doit(), X * w - t)), r"\left\|X \mathbf{w} - \mathbf{t}\right\|^{2}",
     "‖Xw − t‖²"),
    (Scalar(MatMul(Transpose(X * w + t), X * w - t)),          # two different vectors: a product
     r"(X \mathbf{w} + \mathbf{t})^\top (X \mathbf{w} - \mathbf{t})", "(Xw + t)ᵀ(Xw − t)"),
    (RIDGE_GRADIENT, r"\frac{1}{n} X^\top (X \mathbf{w} - \mathbf{t}) + 2 \lambda \mathbf{w}",
     "Xᵀ(Xw − t)/n + 2λw"),
    (X * w - t, r"X \mathbf{w} - \mathbf{t}", "Xw − t"),
    (-X.T * t, r"- X^\top \mathbf{t}", "−Xᵀt"),
    (A * X.T * X, r"A X^\top X", "AXᵀX"),               # factor order kept
    (X.T * X * A, r"X^\top X A", "XᵀXA"),
    (Transpose(A * w), r"(A \mathbf{w})^\top", "(Aw)ᵀ"),
    (Transpose(Inverse(A)), r"(A^{-1})^\top", "(A⁻¹)ᵀ"),
    (A * Identity(d), "A", "A"),
    (MatMul(2, Identity(d)), "2 I", "2I"),
    (ZeroMatrix(d, 1), r"\mathbf{0}", "0"),
    (E(z), r"\mathbb{E}[z]", "𝔼[z]"),
    (Var(z), r"\operatorname{Var}[z]", "Var[z]"),
    (E(z) ** 2, r"\mathbb{E}[z]^2", "𝔼[z]²"),
    (relu(z), r"\operatorname{relu}(z)", "relu(z)"),
    (Sgn(w), r"\operatorname{sgn}(\mathbf{w})", "sgn(w)"),
    (Scalar(x.T * w) - eps * Scalar(Sgn(w).T * w),
     r"\mathbf{x}^\top \mathbf{w} - \varepsilon \operatorname{sgn}(\mathbf{w})^\top \mathbf{w}",
     "xᵀw − ε sgn(w)ᵀw"),
    (Sum(m[j], (j, 1, D)), r"\sum_{j=1}^{D} m_{j}", "Σ_{j=1}^{D} mⱼ"),
    (Var(Sum(m[j], (j, 1, D)) / D), r"\operatorname{Var}\left[\frac{1}{D} \sum_{j=1}^{D} m_{j}\right]",
     "Var[Σ_{j=1}^{D} mⱼ/D]"),
    (sqrt(Scalar(w.T * w)), r"\left\|\mathbf{w}\right\|", "‖w‖"),     # the root of a Gram product: a norm
    (Scalar(w.T * w) ** 2, r"(\mathbf{w}^\top \mathbf{w})^2", "(wᵀw)²"),
    (eps * Scalar(w.T * x + delta.T * x),
     r"\varepsilon (\boldsymbol{\delta}^\top \mathbf{x} + \mathbf{w}^\top \mathbf{x})", "ε(δᵀx + wᵀx)"),
    (a - b, "a - b", "a − b"),
    (-a + b, "b - a", "b − a"),                          # a positive term leads
    (MatAdd(X * w, -t, evaluate=False), r"X \mathbf{w} - \mathbf{t}", "Xw − t"),
    (a / 2, r"\frac{a}{2}", "a/2"),
    ((z**2 + 2 * lam) / b, r"\frac{2 \lambda + z^2}{b}", "(2λ + z²)/b"),
    (p * (1 - p), "p (1 - p)", "p(1 − p)"),
    (Rational(-1, 2), r"- \frac{1}{2}", "−1/2"),
    (Eq(eps, (z**2 + 2 * lam) / b), r"\varepsilon = \frac{2 \lambda + z^2}{b}", "ε = (2λ + z²)/b"),
    (Le(a, 1), r"a \leq 1", "a ≤ 1"),
    (Ge(a, b), r"a \geq b", "a ≥ b"),
    (Ne(a, b), r"a \neq b", "a ≠ b"),
    (Abs(z), r"\left|{z}\right|", "|z|"),
    (Max(z, 0), r"\max\left(0, z\right)", "max(0, z)"),
    (pi * z, r"\pi z", "πz"),
    (Symbol("w_1"), "w_{1}", "w₁"),
    (Symbol("epsilon"), r"\varepsilon", "ε"),           # default spelling without a names map
    ((1, Rational(1, 2)), r"\left(1, \frac{1}{2}\right)", "(1, 1/2)"),
    (3, "3", "3"),
    (MatAdd(w, MatMul(-lam, MatMul(2 / n, X.T, t, evaluate=False), evaluate=False), evaluate=False),
     r"\mathbf{w} - \frac{2 \lambda}{n} X^\top \mathbf{t}", "w − 2λ Xᵀt/n"),   # nested products merge
    (Grad(Scalar(w.T * x), x), r"\nabla_{\mathbf{x}} (\mathbf{w}^\top \mathbf{x})", "∇ₓ(wᵀx)"),
    (Grad(Scalar(w.T * delta), delta, x),
     r"\left.\nabla_{\boldsymbol{\delta}} (\mathbf{w}^\top \boldsymbol{\delta})\right|_{\boldsymbol{\delta} = \mathbf{x}}",
     "∇_δ(wᵀδ)|_{δ=x}"),
    # a fresh variable spelled like the point it is evaluated at: no |_{x = x} bar
    (Grad(Scalar(t.T * MatrixSymbol("x", n, 1)), MatrixSymbol("x", n, 1), x),
     r"\nabla_{\mathbf{x}} (\mathbf{t}^\top \mathbf{x})", "∇ₓ(tᵀx)"),
    (Sum(delta[j, 0] * x[j, 0], (j, 1, D)), r"\sum_{j=1}^{D} \delta_{j} x_{j}",  # entries: not bold
     "Σ_{j=1}^{D} δⱼxⱼ"),
    (A[j, 0] ** 2, "A_{j,0}^2", "A_{j,0}²"),
    (IndexedBase("h")[j], "h_{j}^{(\\ell-1)}", "h^(ℓ−1)ⱼ"),  # the index goes below the superscript
    (b * z**2 / (2 * lam + z**2), r"\frac{b z^2}{2 \lambda + z^2}", "bz²/(2λ + z²)"),
]


@pytest.mark.parametrize("expr, want_latex, want_text", CASES,
                         ids=[c[2] for c in CASES])
def test_printers_match_table(expr, want_latex, want_text):
    assert latex(expr, NAMES) == want_latex
    assert text(expr, NAMES) == want_text


@pytest.mark.parametrize("expr", [c[0] for c in CASES], ids=[c[2] for c in CASES])
def test_no_sympy_repr_leaks(expr):
    for out in (latex(expr, NAMES), text(expr, NAMES)):
        for leak in ("Symbol(", "MatrixSymbol", "Scalar(", "Identity", "Transpose(", "Inverse(",
                     "IndexedBase", "Str(", "+ -", "+ −", "**", ".T"):
            assert leak not in out


def test_identity_of_size_one_never_prints():
    expr = MatAdd(MatMul(-eps**2, I1), delta.T * delta)
    assert "I" not in latex(expr, NAMES) and "I" not in text(expr, NAMES)


def test_names_map_changes_spelling_only():
    assert latex(w.T * x) == r"w^\top x"
    assert latex(w.T * x, {"w": r"\hat{w}"}) == r"\hat{w}^\top x"
    assert text(w.T * x, {"w": r"\hat{w}"}) == "ŵᵀx"


def test_symbol_with_superscript_gets_braces_before_transpose():
    assert latex(w.T, {"w": r"\mathbf{w}^*"}) == r"{\mathbf{w}^*}^\top"


@pytest.mark.parametrize("tex, want", [(r"\mathbf{w}", "w"), (r"\boldsymbol{\delta}", "δ"),
                                       (r"\varepsilon", "ε"), ("x_1", "x₁"), (r"\sigma^2", "σ²"),
                                       (r"\mathbf{w}^*", "w*")])
def test_symbol_text_from_latex(tex, want):
    assert symbol_text(tex) == want


@pytest.mark.parametrize("prose, want", [
    ("50% & _ # $", r"50\% \& \texttt{\char95} \# \$"),
    ("{a} ~ ^", r"\{a\} \texttt{\char126} \texttt{\char94}"),
    (r"\input{/etc/passwd}", r"{\textbackslash}input\{/etc/passwd\}"),
    ("A⁻¹ and Xᵀ, xᵢ", r"A\ensuremath{^{-1}} and X\ensuremath{^{\top}}, x\ensuremath{_{i}}"),
    ("n × d", r"n \ensuremath{\times} d"),
    ("ỹ and x̃", r"{\~{y}} and {\~{x}}"),
    ("the penalty λ̃, σ̂", r"the penalty \ensuremath{\tilde{\lambda}}, \ensuremath{\hat{\sigma}}"),   # a Greek letter: math accent
    ("θᵗ", r"\ensuremath{\theta}\ensuremath{^{t}}"),           # accents pylatexenc has no entry for
    ("a | b", r"a {\textbar} b"),
])
def test_escape_tex_prints_literally(prose, want):
    assert escape_tex(prose) == want


def test_an_explicit_1x1_matrix_prints_as_its_entry():
    from sympy import ImmutableMatrix, MatMul

    a, b = symbols("a b")
    assert (latex(ImmutableMatrix([[Rational(4, 45)]])), text(ImmutableMatrix([[Rational(4, 45)]]))) == (r"\frac{4}{45}", "4/45")
    scaled = MatMul(2, ImmutableMatrix([[a + b]]), evaluate=False)     # its entry keeps its brackets
    assert (latex(scaled), text(scaled)) == ("2 (a + b)", "2(a + b)")
    assert text(ImmutableMatrix([[1], [2]])) == "(1, 2)ᵀ"


def test_the_transpose_of_a_written_out_array_is_written_out():
    from sympy import ImmutableMatrix, MatMul, Transpose

    nu = symbols("nu")
    assert text(MatMul(Transpose(ImmutableMatrix([[1, 1]])), nu, evaluate=False)) == "ν(1, 1)ᵀ"   # not ([1, 1])ᵀν
    assert text(Transpose(ImmutableMatrix([[1], [2]]))) == "[1, 2]"
    assert latex(Transpose(ImmutableMatrix([[1, 2]]))) == r"\left[\begin{matrix}1\\2\end{matrix}\right]"


def test_strings_print_as_escaped_text():
    assert latex("ab_cd %") == r"\text{ab\texttt{\char95}cd \%}"
    assert latex("a_b %") == r"\text{\ensuremath{a_{b}} \%}"     # a name with a subscript is math
    assert text("a_b") == "a_b"


@pytest.mark.parametrize("prose, tex, unicode", [
    ("weights w_j and inputs x_ij", r"weights \ensuremath{w_{j}} and inputs \ensuremath{x_{ij}}",
     "weights wⱼ and inputs xᵢⱼ"),
    ("noise π_ij, Σ_j m_j", r"noise \ensuremath{\pi _{ij}}, \ensuremath{\Sigma _{j}} \ensuremath{m_{j}}",
     "noise πᵢⱼ, Σⱼ mⱼ"),
    ("units H_ℓ·W_ℓ, C_{ℓ−1}, q_(n+k), ω_j = 100^(−2j/6), e^(−z), ∇_b l(b), ρh_K, Σ_{j=1}^{T} x",
     r"units \ensuremath{H_{\ell}}\ensuremath{\cdot}\ensuremath{W_{\ell}}, \ensuremath{C_{\ell -1}}, \ensuremath{q_{n+k}}, "
     r"\ensuremath{\omega _{j}} = \ensuremath{100^{-2j/6}}, \ensuremath{e^{-z}}, \ensuremath{\nabla _{b}} l(b), "
     r"\ensuremath{\rho}\ensuremath{h_{K}}, \ensuremath{\Sigma _{j=1}^{T}} x",
     "units H_ℓ·W_ℓ, C_{ℓ−1}, q_(n+k), ωⱼ = 100^(−2j/6), e^(−z), ∇_b l(b), ρh_K, Σ_{j=1}^{T} x"),
    ("m ~ Bernoulli(p), x_{\\input}", r"m \ensuremath{\sim} Bernoulli(p), x\texttt{\char95}\{{\textbackslash}input\}",
     "m ~ Bernoulli(p), x_{\\input}"),                      # a script never holds a TeX command
    ("f_adv = 0", r"\ensuremath{f_{\mathrm{adv}}} = 0", "f_adv = 0"),        # a word is upright; no Unicode 'd'
    ("theta_star, a_b_c, _, x_", r"theta\texttt{\char95}star, a\texttt{\char95}b\texttt{\char95}c, "
     r"\texttt{\char95}, x\texttt{\char95}", "theta_star, a_b_c, _, x_"),   # not one-letter names: literal
    ("see problems/x_y.yaml", r"see problems/x\texttt{\char95}y.yaml", "see problems/x_y.yaml"),
])
def test_names_in_prose_are_set_as_math(prose, tex, unicode):
    from derive.render.latex import md_escape
    from derive.render.prose import names_as_unicode

    assert escape_tex(prose) == tex
    assert names_as_unicode(prose) == unicode
    assert md_escape("noise π_ij and w_j, *b*") == r"noise $\pi _{ij}$ and $w_{j}$, \*b\*"
    assert latex(None) == "" and text(None) == ""


def test_a_relation_too_wide_for_a_line_breaks_at_its_sign():
    from sympy import Ge, Symbol, exp, log

    from derive.render.printing import latex

    xs = [Symbol(f"x{k}") for k in range(12)]
    long = Ge(sum(log(1 + exp(x)) for x in xs[:6]), sum(log(1 + exp(-x)) for x in xs[6:]))
    out = latex(long)
    assert out.startswith(r"\begin{aligned}[t]") and r"\\ & \quad \ge" in out
    assert latex(Ge(xs[0], xs[1])) == r"x_{0} \geq x_{1}"


def test_symbol_tables_spell_names_in_assumptions_and_kinds_in_words():
    from types import SimpleNamespace

    from derive.render import shown_symbols
    from derive.steps import SymbolRow

    d = SimpleNamespace(symbols=(SymbolRow("alpha", r"\alpha", "scalar", "", "0 < alpha < 1"),
                                 SymbolRow("alphabet", r"\mathcal{A}", "scalar", "", "alphabet > 0"),
                                 SymbolRow("h", "h", "ufunc", "", "")))
    rows = shown_symbols(d)
    assert [r.assumptions for r in rows] == ["0 < α < 1", "𝒜 > 0", ""], rows
    assert [r.kind for r in rows] == ["scalar", "scalar", "function"]


def test_a_coefficient_of_a_sum_is_one_fraction_before_it():
    """(1 − p)/p times a sum reads (1 − p)/p · Σ …, never 1/p (1 − p) Σ …, which a student reads
    as 1/(p(1 − p))."""
    from sympy import Sum

    k = Symbol("k", integer=True)
    v = IndexedBase("v")
    q = Symbol("q", positive=True)
    total = Sum(v[k] ** 2, (k, 1, D))
    assert latex((1 - q) / q * total).startswith(r"\frac{1 - q}{q} \sum")
    assert text((1 - q) / q * total).startswith("(1 − q)/q · Σ")
    assert latex(total / (2 * D)).startswith(r"\frac{1}{2 D} \sum")


def test_the_root_of_a_gram_product_is_a_norm():
    """√(vᵀv) and √(‖Xw − t‖²) are shown as the norms ‖v‖ and ‖Xw − t‖; any other root keeps
    its radical."""
    assert text(sqrt(Scalar(x.T * x))) == "‖x‖" and latex(sqrt(Scalar(x.T * x)), NAMES) == r"\left\|\mathbf{x}\right\|"
    residual = X * w - t
    assert text(sqrt(Scalar(residual.T * residual))) == "‖Xw − t‖"
    assert text(sqrt(Scalar(x.T * A * x))).startswith("√")

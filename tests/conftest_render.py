"""Hand-built derivations for the renderer tests (the engine is not needed to test rendering).

Also a stand-in for ``derive build --tex-only --out DIR`` used by the make test: run as
``python tests/conftest_render.py build --tex-only --out DIR`` in a directory with
``problems/*.yaml``; each file's first line is that problem's title.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sympy import (Eq, Gt, Identity, IndexedBase, Inverse, Le, MatAdd, MatMul, MatrixSymbol,
                   Rational, Sum, Symbol, Transpose, ZeroMatrix, sqrt, symbols)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from derive.expr.objects import E, Scalar, Sgn, Var  # noqa: E402
from derive.steps import Derivation, Note, PartResult, Step, SymbolRow, Variant  # noqa: E402

n, d = symbols("n d", positive=True, integer=True)
X = MatrixSymbol("X", n, d)
w = MatrixSymbol("w", d, 1)
t = MatrixSymbol("t", n, 1)
x = MatrixSymbol("x", d, 1)
delta = MatrixSymbol("delta", d, 1)
lam = Symbol("lambda", positive=True)
eps = Symbol("epsilon", positive=True)
sigma = Symbol("sigma", positive=True)
D = Symbol("D", positive=True, integer=True)
j = Symbol("j", integer=True)
m = IndexedBase("m")
w1, w2 = symbols("w1 w2", real=True)

RIDGE_OBJECTIVE = MatAdd(MatMul(Rational(1, 2) / n, Transpose(X * w - t), X * w - t),
                         MatMul(lam, w.T, w), evaluate=False)
RIDGE_GRADIENT = MatAdd(MatMul(1 / n, X.T, X * w - t), MatMul(2 * lam, w), evaluate=False)
RIDGE_MATRIX = MatAdd(X.T * X, MatMul(2 * n * lam, Identity(d)), evaluate=False)
RIDGE_ANSWER = Eq(w, Inverse(RIDGE_MATRIX) * X.T * t)

FIGURE = {
    "kind": "weight-space",
    "caption": "The solutions of w1 + w2 = 1 form a line; the smallest-norm one touches "
               "the smallest circle.",
    "vars": (w1, w2),
    "line": {"eq": Eq(w1 + w2, 1), "label": r"w_1 + w_2 = 1"},
    "contours": {"radii": [Rational(1, 4), sqrt(2) / 2, 1], "label": r"\mathbf{w}^\top\mathbf{w} = r^2"},
    "point": {"at": (Rational(1, 2), Rational(1, 2)), "label": r"\mathbf{w}^*"},
}


def ridge_symbols() -> tuple[SymbolRow, ...]:
    return (
        SymbolRow("X", "X", "matrix", "n × d", "", "design matrix, one example per row"),
        SymbolRow("w", r"\mathbf{w}", "vector", "d", "", "weights"),
        SymbolRow("t", r"\mathbf{t}", "vector", "n", "", "targets"),
        SymbolRow("lambda", r"\lambda", "scalar", "", "λ > 0", "regularisation strength"),
        SymbolRow("m", "m", "random", "D", "i.i.d., variance σ²", "terms of an average"),
        SymbolRow("sigma", r"\sigma", "scalar", "", "σ > 0", ""),
    )


def ridge(title: str = "Ridge regression: closed form", ident: str = "ridge-closed-form",
          sheet: str = "csc413-hw3", questions=("1.2.2",), figure=FIGURE) -> Derivation:
    stationary = Eq(RIDGE_GRADIENT, ZeroMatrix(d, 1))
    normal = Eq(MatMul(RIDGE_MATRIX, w), X.T * t)
    steps = (
        Step("differentiate", RIDGE_OBJECTIVE, RIDGE_GRADIENT,
             "Differentiate term by term: the gradient of (1/2n)‖Xw − t‖² is (1/n)Xᵀ(Xw − t) "
             "and the gradient of λwᵀw is 2λw.", certified_by="numeric: 12 instances"),
        Step("set-gradient-zero", RIDGE_GRADIENT, stationary,
             "A minimum of a convex function is where its gradient vanishes.",
             certified_by="symbolic"),
        Step("collect", stationary, normal,
             "Multiply by n and collect the terms in w on the left.",
             substeps=(Step("expand", MatMul(1 / n, X.T, X * w - t),
                            MatAdd(MatMul(1 / n, X.T, X, w), MatMul(-1 / n, X.T, t),
                                   evaluate=False),
                            "Distribute Xᵀ over the difference.", certified_by="symbolic", relation="="),),
             certified_by="numeric: 12 instances"),
        Step("solve-linear-matrix", normal, RIDGE_ANSWER,
             "XᵀX + 2nλI is positive definite, so invertible; multiply both sides by its "
             "inverse.", certified_by="numeric: 12 instances"),
    )
    variance = Var(Sum(m[j], (j, 1, D)) / D)
    var_steps = (
        Step("variance-scaling", variance, Var(Sum(m[j], (j, 1, D))) / D**2,
             "Var[aZ] = a²Var[Z] with a = 1/D.", certified_by="symbolic"),
        Step("variance-of-independent-sum", Var(Sum(m[j], (j, 1, D))) / D**2,
             Sum(Var(m[j]), (j, 1, D)) / D**2,
             "The terms are independent, so their variances add.", certified_by="symbolic"),
        Step("identically-distributed", Sum(Var(m[j]), (j, 1, D)) / D**2, sigma**2 / D,
             "Each term has variance σ² = E[m²] − E[m]².", certified_by="symbolic"),
    )
    variant = Variant(
        "no-half", "Without the 1/(2n) factor in front of the squared error.",
        (Step("differentiate", MatAdd(MatMul(Transpose(X * w - t), X * w - t), MatMul(lam, w.T, w),
                                      evaluate=False),
              MatAdd(MatMul(2, X.T, X * w - t), MatMul(2 * lam, w), evaluate=False),
              "Differentiate term by term.", certified_by="numeric: 12 instances"),),
        Eq(w, Inverse(MatAdd(X.T * X, MatMul(lam, Identity(d)), evaluate=False)) * X.T * t),
    )
    parts = (
        PartResult("1.1.2", "Find the variance of the average of D i.i.d. terms.", var_steps,
                   Eq(Var(Sum(m[j], (j, 1, D)) / D), sigma**2 / D),
                   notes=(Note("assumption", "The terms are independent with equal variance."),)),
        PartResult("1.2.2", "Minimise the regularised squared error over w.", steps,
                   RIDGE_ANSWER,
                   notes=(Note("condition", "The inverse exists because", Gt(lam, 0, evaluate=False)),
                          Note("remark", "Expectation of the loss:", E(Scalar(w.T * x)))),
                   variants=(variant,), figure=figure),
    )
    return Derivation(
        id=ident, title=title,
        source={"course": "CSC413", "year": 2021, "sheet": "Homework 3",
                "questions": list(questions)},
        statement="Fit a linear model with squared error and an L2 penalty; the 1/(2n) factor "
                  "averages over the n training examples.\n\nThen read off the closed form.",
        symbols=ridge_symbols(), parts=parts, sheet=sheet,
        certification="Each step was checked by substituting random exact rational matrices "
                      "of unequal shapes (n ≠ d) into both sides.",
    )


def fgm(ident: str = "fgm-attack", title: str = "Fast gradient sign attack") -> Derivation:
    objective = Scalar(w.T * (x + delta))
    linear = Scalar(w.T * x) + Scalar(w.T * delta)
    steps = (
        Step("distribute", objective, linear, "Distribute wᵀ over the sum.",
             certified_by="symbolic"),
        Step("maximise-linear-over-box", linear,
             Scalar(w.T * x) + eps * Scalar(Sgn(w).T * w),
             "Each coordinate of δ is chosen independently in [−ε, ε]; the best choice is "
             "ε times the sign of the matching weight.", certified_by="numeric: 24 instances"),
    )
    return Derivation(
        id=ident, title=title,
        source={"course": "CSC413", "year": 2021, "sheet": "Homework 3",
                "questions": ["1.1.1"]},
        statement="Perturb an input within an ∞-norm ball of radius ε to increase the "
                  "prediction wᵀx as much as possible.",
        symbols=(SymbolRow("w", r"\mathbf{w}", "vector", "d", "", "weights"),
                 SymbolRow("x", r"\mathbf{x}", "vector", "d", "", "input"),
                 SymbolRow("delta", r"\boldsymbol{\delta}", "vector", "d", "‖δ‖∞ ≤ ε",
                           "perturbation"),
                 SymbolRow("epsilon", r"\varepsilon", "scalar", "", "ε > 0", "budget")),
        parts=(PartResult("1.1.1", "Maximise wᵀ(x + δ) over the box ‖δ‖∞ ≤ ε.", steps,
                          Eq(delta, MatMul(eps, Sgn(w))),
                          notes=(Note("dropped", "Where a weight is 0, any δᵢ in [−ε, ε] is "
                                                 "optimal; sgn(0) = 0 picks one.", None),
                                 Note("condition", "", Le(Scalar(w.T * w), 1)))),),
        sheet="csc413-hw3",
        certification="Steps were checked on random instances with exact arithmetic.",
    )


def hostile() -> Derivation:
    evil = r"50% & _ # $ { } ~ ^ \ \input{/etc/passwd} \def\x{1} | <b>"
    base = fgm()
    return Derivation(id="hostile", title=evil, source={"course": evil, "questions": [evil]},
                      statement=evil, symbols=base.symbols[:1] + (
                          SymbolRow("x", r"\mathbf{x}", evil, evil, evil, evil),),
                      parts=(PartResult("p_1", evil + "\n\n" + evil,
                                        (Step("r", base.parts[0].steps[0].before,
                                              base.parts[0].steps[0].after,
                                              evil + "\n\nA second paragraph.",
                                              certified_by=evil),),
                                        Eq(delta, MatMul(eps, Sgn(w))),
                                        notes=(Note("remark", evil),),
                                        variants=(Variant(evil, evil, (), None),)),),
                      certification=evil)


def need_tex():
    """Skip a test when TeX is missing, except under CI, where that is a failure."""
    from derive.render.pdf import tex_available

    problem = tex_available()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI must have TeX: {problem}")
        pytest.skip(problem)


def pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True)
    return out.stdout


def _fake_build(argv: list[str]) -> int:
    """``build --tex-only --out DIR``: one derivation per ``problems/*.yaml``, one sheet."""
    from derive.render.build import build_all

    out = Path(argv[argv.index("--out") + 1])
    problems = []
    for i, spec in enumerate(sorted(Path("problems").glob("*.yaml")), 1):
        title = spec.read_text(encoding="utf-8").splitlines()[0]
        problems.append(ridge(title=title, ident=spec.stem, questions=(f"{i}.1",), figure=None))
    build_all({"sheet-a": problems}, out, pdf="--tex-only" not in argv,
              progress=lambda msg: print(msg))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "build":
        sys.exit(_fake_build(sys.argv[2:]))
    sys.exit(2)

"""Exact moments of random vectors and matrices, for certification (``moments.py``).

A random vector x ~ N(μ, Σ) is written through independent latent Gaussians: Σ = L D Lᵀ (the
LDLᵀ factorisation, exact in rationals: L unit lower triangular, D diagonal), and
x = μ + L ζ with ζₖ ~ N(0, Dₖ) independent. A random array with i.i.d. entries N(m, s²) is
m + ζ with one latent ζᵢⱼ ~ N(0, s²) per entry. The mean of B i.i.d. draws is (1/B) Σ_b x⁽ᵇ⁾,
with latents of its own for every draw (B is the drawn dimension of this instance).

Every entry is then an exact polynomial (``moments.RPoly``) in the latents, and moments are
products of the latents' Gaussian moments: no Monte Carlo, and nothing taken from the rules.
"""
from __future__ import annotations

from fractions import Fraction

from .numeric import EvalError, Mat, is_zero, mat, to_int


def entries(info, evaluator, latent: dict) -> Mat:
    """The random array ``info`` as a Mat of RPoly entries in fresh latent variables."""
    from .moments import RPoly
    from .spec_random import draws

    rows, cols = (to_int(evaluator.eval(s)) for s in info.shape)
    mean = _as_mat(evaluator.eval(info.dist[1]), rows, cols)
    cov = evaluator.eval(info.dist[2])
    count = 1 if draws(info) is None else to_int(evaluator.eval(draws(info)))
    if count < 1:
        raise EvalError("a mean of no draws")
    out = [[RPoly.const(mean[i][j]) for j in range(cols)] for i in range(rows)]
    for b in range(count):
        base = (str(info.name), b)
        if isinstance(cov, Mat):
            lower, diag = ldl(cov)
            for k, var in enumerate(diag):
                latent[(base, k)] = ("normal", Fraction(0), var)
            for i in range(rows):
                for k in range(i + 1):
                    if not is_zero(lower[i][k]):
                        out[i][0] = out[i][0] + RPoly({(((("x", base, k)), 1),): lower[i][k] / count})
        else:
            if not cov >= 0:
                raise EvalError("a negative variance")
            for i in range(rows):
                for j in range(cols):
                    k = i if cols == 1 else (i, j)
                    latent[(base, k)] = ("normal", Fraction(0), cov)
                    out[i][j] = out[i][j] + RPoly({(((("x", base, k)), 1),): Fraction(1, count)})
    return mat(out)


def ldl(a: Mat):
    """Σ = L D Lᵀ for a symmetric positive semidefinite Σ, exactly (no square roots)."""
    n = a.shape[0]
    if a.shape[1] != n or any(a[i][j] != a[j][i] for i in range(n) for j in range(n)):
        raise EvalError("a covariance must be a symmetric square matrix")
    lower = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
    diag: list = []
    for j in range(n):
        dj = a[j][j] - sum(lower[j][k] * lower[j][k] * diag[k] for k in range(j))
        if dj < 0:
            raise EvalError("the covariance is not positive semidefinite")
        diag.append(dj)
        for i in range(j + 1, n):
            s = a[i][j] - sum(lower[i][k] * lower[j][k] * diag[k] for k in range(j))
            if is_zero(dj):
                if not is_zero(s):
                    raise EvalError("the covariance is not positive semidefinite")
                continue
            lower[i][j] = s / dj
    return lower, diag


def mean_of(value, expect) -> Mat:
    """𝔼 of each entry of a random array (``expect`` takes one RPoly)."""
    if not isinstance(value, Mat):
        return expect(value)
    return mat([[expect(x) for x in row] for row in value])


def covariance_of(value, expect) -> Mat:
    """Cov(v) = 𝔼[v vᵀ] − 𝔼[v]𝔼[v]ᵀ of a random column vector v."""
    from .moments import _poly

    if not isinstance(value, Mat) or value.shape[1] != 1:
        raise EvalError("a covariance matrix is defined for a column vector")
    v = [_poly(row[0]) for row in value]
    means = [expect(x) for x in v]
    return mat([[expect(x * y) + (-(mx * my)) for y, my in zip(v, means)] for x, mx in zip(v, means)])


def _as_mat(value, rows, cols) -> Mat:
    if isinstance(value, Mat):
        if value.shape != (rows, cols):
            raise EvalError(f"a mean of shape {value.shape} for a {rows} × {cols} random array")
        return value
    return mat([[value] * cols for _ in range(rows)])

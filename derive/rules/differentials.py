"""Gradients of scalar expressions with respect to a vector, by the chain rule over scalar
algebra whose leaves are 1×1 products.

A scalar objective such as σ(wᵀx), log(1 + e^(−t wᵀx)), wᵀx/‖w‖ or L(y(w)) is scalar algebra
(sums, products, powers, functions) over ``Scalar(M)`` atoms, M a 1×1 matrix expression. The
gradient is assembled from d(a + b) = da + db, d(ab) = a db + b da, d(aᵏ) = k aᵏ⁻¹ da,
d f(a) = f′(a) da (sigmoid, log, exp, sqrt, tanh, softplus, relu, a declared function L), and at
the leaves SymPy's matrix calculus, which is reliable for polynomial matrix expressions
(quadratic and linear forms). The result is a vector expression; the caller certifies it
numerically (dual numbers), so a missing case is an error, never a wrong gradient.
"""
from __future__ import annotations

from ..errors import RuleError


def gradient(f, w):
    """∇_w f for a scalar (or 1×1 matrix) expression f and a column vector w."""
    from .calculus import to_scalar

    if getattr(f, "is_Matrix", False):
        f = to_scalar(f)
    return _simplify_sum(_grad(f, w), w)


def derivative_function(fn):
    """The derivative of a declared function L as a function named L′ (printed L′(y))."""
    from sympy import Function

    return Function(fn.__name__ + "'", real=True)


def _grad(e, w):
    from sympy import (Add, Function, MatAdd, MatMul, Mul, Pow, ZeroMatrix, exp, log, sqrt, tanh)
    from sympy.core.function import AppliedUndef

    from ..expr.objects import Scalar, heaviside, logit, relu, sigmoid, softplus

    zero = ZeroMatrix(*w.shape)
    if not e.has(w):
        return zero
    if isinstance(e, Add):
        return _sum([_grad(a, w) for a in e.args if a.has(w)], w)
    if isinstance(e, Mul):
        terms = []
        for i, a in enumerate(e.args):
            if a.has(w):
                rest = Mul(*(e.args[:i] + e.args[i + 1:]))
                terms.append(_scale(rest, _grad(a, w)))
        return _sum(terms, w)
    if isinstance(e, Pow):
        base, k = e.args
        if k.has(w):
            raise RuleError(f"cannot differentiate {e}: the exponent depends on {w}")
        return _scale(k * base ** (k - 1), _grad(base, w))
    if isinstance(e, Scalar):
        m = e.args[0]
        g = m.diff(w).doit()
        if getattr(g, "shape", None) != w.shape:
            raise RuleError(f"the derivative of {m} with respect to {w} has shape {getattr(g, 'shape', None)}")
        return g
    if isinstance(e, AppliedUndef) and len(e.args) == 1:
        return _scale(derivative_function(type(e))(e.args[0]), _grad(e.args[0], w))
    outer = {exp: lambda z: exp(z), log: lambda z: 1 / z, sqrt: None, tanh: lambda z: 1 - tanh(z) ** 2,
             sigmoid: lambda z: sigmoid(z) * (1 - sigmoid(z)), softplus: lambda z: sigmoid(z),
             relu: lambda z: heaviside(z), logit: lambda z: 1 / (z * (1 - z))}
    for cls, d in outer.items():
        if d is not None and isinstance(e, cls):
            z = e.args[0]
            return _scale(d(z), _grad(z, w))
    if isinstance(e, Function) and len(e.args) == 1:
        raise RuleError(f"no chain rule for {type(e).__name__}(…) yet")
    raise RuleError(f"cannot differentiate {e} with respect to {w}")


def _scale(c, v):
    from sympy import MatMul, ZeroMatrix

    if isinstance(v, ZeroMatrix) or c == 0:
        return ZeroMatrix(*v.shape)
    return MatMul(c, v).doit() if c != 1 else v


def _sum(terms, w):
    from sympy import MatAdd, ZeroMatrix

    terms = [t for t in terms if not isinstance(t, ZeroMatrix)]
    if not terms:
        return ZeroMatrix(*w.shape)
    return terms[0] if len(terms) == 1 else MatAdd(*terms).doit()


def _simplify_sum(g, w):
    """Collect the scalar coefficient of each distinct vector: c₁·v + c₂·v → (c₁ + c₂)·v."""
    from sympy import MatAdd, MatMul

    from .tidy import tidy

    terms = list(g.args) if isinstance(g, MatAdd) else [g]
    by_vector: dict = {}
    for t in terms:
        if isinstance(t, MatMul):
            scalars = [a for a in t.args if not getattr(a, "is_Matrix", False)]
            mats = [a for a in t.args if getattr(a, "is_Matrix", False)]
            coeff, vec = _prod(scalars), MatMul(*mats) if len(mats) > 1 else mats[0]
        else:
            coeff, vec = 1, t
        by_vector[vec] = by_vector.get(vec, 0) + coeff
    from sympy import sympify

    out = [_scale(tidy(sympify(c)), v) for v, c in by_vector.items() if c != 0]
    return _sum(out, w)


def _prod(xs):
    from sympy import Mul

    return Mul(*xs) if xs else 1

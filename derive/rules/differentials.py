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
    return collect_terms(_grad(f, w))


def any_gradient(f, var):
    """SymPy's matrix calculus for matrix polynomials (quadratic and linear forms), where it is
    reliable and its forms are the familiar ones; the chain rule for anything with a scalar
    function or a fractional power of the variable in it."""
    from sympy import Function, Pow

    from .calculus import gradient as polynomial_gradient

    nonpolynomial = any(a.has(var) for a in f.atoms(Function)) or \
        any(p.base.has(var) and not (p.exp.is_Integer and p.exp >= 0) for p in f.atoms(Pow))
    if nonpolynomial:
        return gradient(f, var)
    try:
        return polynomial_gradient(f, var)
    except RuleError:
        return gradient(f, var)


def derivative_function(fn):
    """The derivative of a declared function L as a function named L′ (printed L′(y))."""
    from sympy import Function

    return Function(fn.__name__ + "'", real=True)


def _grad(e, w):
    from sympy import Add, Function, Mul, Pow, ZeroMatrix, exp, log, sqrt, tanh
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
        from .calculus import to_scalar
        from .matrix import mexpand

        split = to_scalar(mexpand(e.args[0]))      # scalar coefficients come out of the product
        if split != e:
            return _grad(split, w)
        m = e.args[0]
        if any(a.has(w) for a in m.atoms(Scalar)) or m.atoms(Function) - m.atoms(Scalar):
            raise RuleError(f"cannot differentiate {m}: it has a scalar function of {w} inside a product")
        from ..sympy_asks import remember_diagonal_asks
        from .calculus import freeze_explicit

        remember_diagonal_asks()
        frozen, undo = freeze_explicit(m, w)
        g = frozen.diff(w).doit().xreplace(undo) if undo else frozen.diff(w).doit()
        if getattr(g, "shape", None) != w.shape:
            raise RuleError(f"the derivative of {m} with respect to {w} has shape {getattr(g, 'shape', None)}")
        return g
    from ..expr.objects import PeakSign, Sgn, norm1, norminf

    if isinstance(e, (norm1, norminf)):
        h = e.args[0]
        inner = Sgn(h) if isinstance(e, norm1) else PeakSign(h)
        return _transpose_jacobian(h, w, inner)
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


def _transpose_jacobian(h, w, v):
    """Jᵀv for a vector h affine in w (J = ∂h/∂w): the chain rule through a norm of h."""
    from sympy import MatAdd, MatMul, Transpose

    from .matrix import mexpand, split_linear

    coeffs, rest = split_linear(mexpand(h, w), w)
    if any(r.has(w) for r in rest):
        raise RuleError(f"the norm's argument {h} is not affine in {w}")
    a = coeffs[0] if len(coeffs) == 1 else MatAdd(*coeffs).doit()
    if getattr(a, "is_Identity", False):
        return v
    return MatMul(Transpose(a), v).doit()


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


def collect_terms(g):
    """Collect the scalar coefficient of each distinct matrix term: c₁·v + c₂·v → (c₁ + c₂)·v,
    each coefficient tidied; a sum that cancels is the zero matrix."""
    from sympy import MatAdd, MatMul, ZeroMatrix, sympify

    from .tidy import tidy

    if isinstance(g, ZeroMatrix):
        return g
    terms = list(g.args) if isinstance(g, MatAdd) else [g]
    by_matrix: dict = {}
    for t in terms:
        if isinstance(t, MatMul):
            scalars = [a for a in t.args if not getattr(a, "is_Matrix", False)]
            mats = [a for a in t.args if getattr(a, "is_Matrix", False)]
            if t.shape != (1, 1):            # a 1×1 factor next to a vector is a scalar coefficient
                from .calculus import expose_scalar, to_scalar

                scalars += [expose_scalar(to_scalar(a), None) for a in mats if a.shape == (1, 1)]
                mats = [a for a in mats if a.shape != (1, 1)]
            coeff, m = _prod(scalars), MatMul(*mats) if len(mats) > 1 else mats[0]
        else:
            coeff, m = 1, t
        by_matrix[m] = by_matrix.get(m, 0) + coeff
    from .calculus import expose_scalar

    out = [_scale(tidy(expose_scalar(sympify(c), None)), m) for m, c in by_matrix.items()]
    out = [t for t in out if not isinstance(t, ZeroMatrix)]
    if not out:
        return ZeroMatrix(*g.shape)
    return out[0] if len(out) == 1 else MatAdd(*out).doit()


def _prod(xs):
    from sympy import Mul

    return Mul(*xs) if xs else 1

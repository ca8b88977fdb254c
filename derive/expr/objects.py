"""SymPy classes of our own, for notions SymPy lacks or gets wrong.

- ``Scalar(M)``: the real number held by a 1x1 matrix expression (``w.T*x``). It lets a
  quadratic form sit inside scalar algebra (``sqrt``, ``solve``) without losing its structure.
- ``E(x)``, ``Var(x)``: unevaluated expectation and variance; the rules in ``rules/moments.py``
  rewrite them, never SymPy's own ``stats`` (exponential in the number of terms).
- ``relu(x)``: max(x, 0), kept as a named function so steps print as students write them.
- ``Sgn(v)``: the elementwise sign of a vector (a matrix expression of the same shape).
"""
from __future__ import annotations

from sympy import Derivative, Function, Max, S, sign
from sympy.matrices.expressions import MatrixExpr

from . import sympy_speed  # noqa: F401  (faster, identical SymPy methods)


class Scalar(Function):
    """The entry of a 1x1 matrix expression, as a real scalar."""

    nargs = 1
    is_real = True
    is_commutative = True

    @classmethod
    def eval(cls, arg):
        if not isinstance(arg, MatrixExpr):
            return arg
        if getattr(arg, "is_Identity", False):
            return S.One
        if getattr(arg, "is_ZeroMatrix", False):
            return S.Zero
        return None

    def _eval_is_nonnegative(self):
        from ..rules.forms import is_gram

        return True if is_gram(self.args[0]) else None

    def _eval_derivative(self, s):
        if not self.args[0].has(s):
            return S.Zero
        inner = self.args[0].diff(s)
        return Scalar(inner)

    def _eval_transpose(self):
        return self


class E(Function):
    """Expectation E[x] over every random variable in x."""

    nargs = 1

    def _eval_evalf(self, prec):
        return None   # never evaluated as a number (SymPy would otherwise try mpmath's e)


class Var(Function):
    """Variance Var[x] over every random variable in x."""

    nargs = 1
    is_nonnegative = True

    def _eval_evalf(self, prec):
        return None


class relu(Function):
    """max(x, 0)."""

    nargs = 1
    is_real = True
    is_nonnegative = True

    @classmethod
    def eval(cls, x):
        if x.is_number and x.is_nonnegative:
            return x
        if x.is_number and x.is_nonpositive:
            return S.Zero

    def fdiff(self, argindex=1):
        return heaviside(self.args[0])

    def _eval_rewrite_as_Max(self, x, **kwargs):
        return Max(x, 0)


class sigmoid(Function):
    """σ(z) = 1/(1 + e^(−z)); σ'(z) = σ(z)(1 − σ(z))."""

    nargs = 1
    is_real = True
    is_positive = True

    @classmethod
    def eval(cls, z):
        if z.is_zero:
            return S.Half

    def fdiff(self, argindex=1):
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, z, **kwargs):
        from sympy import exp

        return 1 / (1 + exp(-z))


class logit(Function):
    """logit(p) = log(p/(1 − p)), the inverse of σ; logit'(p) = 1/(p(1 − p))."""

    nargs = 1
    is_real = True

    @classmethod
    def eval(cls, p):
        if isinstance(p, sigmoid):
            return p.args[0]
        if p == S.Half:
            return S.Zero

    def fdiff(self, argindex=1):
        p = self.args[0]
        return 1 / (p * (1 - p))

    def _eval_rewrite_as_log(self, p, **kwargs):
        from sympy import log

        return log(p) - log(1 - p)


class softplus(Function):
    """softplus(z) = log(1 + e^z); softplus'(z) = σ(z)."""

    nargs = 1
    is_real = True
    is_positive = True

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, z, **kwargs):
        from sympy import exp, log

        return log(1 + exp(z))


class heaviside(Function):
    """The step H(z): 1 for z > 0, 0 for z < 0 (the derivative of relu away from 0)."""

    nargs = 1
    is_real = True
    is_nonnegative = True

    @classmethod
    def eval(cls, z):
        if z.is_positive:
            return S.One
        if z.is_negative:
            return S.Zero

    def fdiff(self, argindex=1):
        return S.Zero


class _OfOneMatrix(MatrixExpr):
    """A matrix expression built from one matrix argument, with that argument's shape."""

    def __new__(cls, arg):
        return super().__new__(cls, arg)

    @property
    def arg(self):
        return self.args[0]

    @property
    def shape(self):
        return self.args[0].shape


class _VectorOfSigns(_OfOneMatrix):
    """A vector of signs built from the column vector it is given (same shape)."""


class Sgn(_VectorOfSigns):
    """Elementwise sign of a column vector: sgn(v)_i = sign(v_i)."""

    def _entry(self, i, j, **kwargs):
        return sign(self.args[0][i, j])

    def _eval_derivative(self, x):
        from sympy import ZeroMatrix

        return ZeroMatrix(*self.shape)   # piecewise constant: 0 wherever it is differentiable


class _VectorNorm(Function):
    """A norm of a column vector; written-out vectors evaluate to their number."""

    nargs = 1
    is_real = True
    is_nonnegative = True

    @classmethod
    def eval(cls, v):
        from sympy import ImmutableMatrix

        if isinstance(v, ImmutableMatrix):
            return cls._of_entries(list(v))
        return None

    def _eval_derivative(self, s):
        if not self.args[0].has(s):
            return S.Zero
        raise NotImplementedError("differentiate a norm with the chain rule (derive.rules.differentials)")

    def _eval_evalf(self, prec):
        return None


class norm1(_VectorNorm):
    """‖v‖₁ = Σᵢ|vᵢ| of a column vector v."""

    @staticmethod
    def _of_entries(xs):
        from sympy import Abs, Add

        return Add(*[Abs(x) for x in xs])


class norminf(_VectorNorm):
    """‖v‖∞ = maxᵢ|vᵢ| of a column vector v."""

    @staticmethod
    def _of_entries(xs):
        from sympy import Abs

        return Max(*[Abs(x) for x in xs])


class PeakSign(_VectorOfSigns):
    """sgn(v_k)·e_k for the coordinate k of largest |v_k| (the first, on ties): the unit vector
    of the ℓ1 ball's vertex that v points at most strongly (the dual of the ℓ∞ norm)."""

    def _entry(self, i, j, **kwargs):
        from sympy import Abs

        v = self.args[0].as_explicit()
        sizes = [Abs(x) for x in v]
        if not all(x.is_number for x in sizes):
            raise NotImplementedError("the largest coordinate of a symbolic vector")
        k = max(range(len(sizes)), key=lambda m: (sizes[m], -m))
        return sign(v[k]) if i == k else S.Zero


__all__ = ["E", "PeakSign", "Scalar", "Sgn", "Var", "norm1", "norminf", "heaviside", "logit", "relu", "sigmoid", "softplus"]


class Grad(MatrixExpr):
    """Unevaluated gradient of a scalar-valued expression with respect to a vector: ∇_v f,
    optionally evaluated at a point (``Grad(f(u), u, x)`` is ∇f at x, with u a fresh variable, so
    that symbols in f are held fixed even when their own definitions depend on x).

    SymPy's own ``Derivative`` cannot hold matrix expressions unevaluated, so the engine's
    ``differentiate`` rule evaluates this node (and certifies the result numerically)."""

    def __new__(cls, expr, var, at=None):
        if at is None or at == var:
            return super().__new__(cls, expr, var)
        return super().__new__(cls, expr, var, at)

    @property
    def at(self):
        return self.args[2] if len(self.args) > 2 else self.args[1]

    @property
    def expr(self):
        return self.args[0]

    @property
    def var(self):
        return self.args[1]

    @property
    def shape(self):
        return self.args[1].shape


__all__.append("Grad")


class Mean(_OfOneMatrix):
    """𝔼[X] of a random vector or matrix X: the matrix of its entries' expectations (same shape).
    ``E`` is for scalars; this node keeps matrix algebra around a random vector (aᵀ𝔼[x])."""

    def _eval_transpose(self):
        from sympy import Transpose

        return Transpose(self)


class Cov(_OfOneMatrix):
    """Cov[x] = 𝔼[(x − 𝔼x)(x − 𝔼x)ᵀ] of a random column vector x (a d × d symmetric matrix)."""

    is_symmetric = True

    @property
    def shape(self):
        return (self.args[0].shape[0], self.args[0].shape[0])

    def _eval_transpose(self):
        return self


__all__ += ["Mean", "Cov"]


class Partial(Derivative):
    """∂F/∂v between two quantities of a network given as equations (F and v named by givens,
    or v a declared variable): the derivative of F's definition with v held as a variable and
    everything upstream of v fixed. It stays abstract (``doit`` keeps it), since its meaning
    needs the definitions; the certifier expands it with them (``Context.expand_definitions``
    differentiates first, holding v) and evaluates it with dual numbers."""

    def doit(self, **hints):
        return self


__all__.append("Partial")


def chain_order(factors: list) -> list:
    """Local derivatives in the order of the chain rule (∂E/∂y ∂y/∂z ∂z/∂w): each ∂F/∂v is
    followed by the one that differentiates v; other factors keep their place in front."""
    partials = [f for f in factors if isinstance(f, Partial)]
    if len(partials) < 2:
        return list(factors)
    rest = [f for f in factors if not isinstance(f, Partial)]
    ordered, left = [], list(partials)
    while left:
        tops = [p for p in left if not any(q.variables[0] == p.expr for q in left)]
        nxt = (tops or left)[0]
        while nxt is not None:
            ordered.append(nxt)
            left.remove(nxt)
            nxt = next((q for q in left if q.expr == ordered[-1].variables[0]), None)
    return rest + ordered


class MatSum(MatrixExpr):
    """Σ_{j=lo}^{hi} of a matrix-valued body (a student's ``\\sum_{j=0}^{k-1} M^j ρq``). SymPy's
    ``Sum`` takes scalars only; this one is only read and evaluated, term by term, by the
    certifier (``_numeric``), never rewritten."""

    def __new__(cls, body, var, lo=None, hi=None):
        from sympy import Tuple

        limits = var if lo is None else Tuple(var, lo, hi)      # SymPy rebuilds it from its args
        return MatrixExpr.__new__(cls, body, limits)

    body = property(lambda self: self.args[0])

    @property
    def shape(self):
        return self.body.shape

    @property
    def free_symbols(self):
        var, lo, hi = self.args[1]
        return (self.body.free_symbols - {var}) | lo.free_symbols | hi.free_symbols

    def _eval_transpose(self):
        return None

    def _numeric(self, ev):
        from fractions import Fraction

        from ..numeric import MAX_SUM_TERMS, EvalError, madd, to_int

        var, lo, hi = self.args[1]
        lo_i, hi_i = to_int(ev.eval(lo)), to_int(ev.eval(hi))
        if hi_i < lo_i or hi_i - lo_i + 1 > MAX_SUM_TERMS:
            raise EvalError("a sum of matrices with no terms or too many to evaluate")
        saved, out = ev.env.get(var), None
        try:
            for k in range(lo_i, hi_i + 1):
                ev.env[var] = Fraction(k)
                term = ev.eval(self.body)
                out = term if out is None else madd(out, term)
        finally:
            if saved is None:
                ev.env.pop(var, None)
            else:
                ev.env[var] = saved
        return out

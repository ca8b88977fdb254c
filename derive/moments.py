"""Exact expectations for certification: E and Var of expressions in independent random
variables, evaluated at concrete values of everything else.

Deliberately a different method from the rules in ``rules/moments.py``: the expression is
evaluated with every random variable kept as an indeterminate, giving an exact polynomial in
them (sums run over their concrete terms); the expectation of each monomial is the product of
per-variable moments (independence). Bernoulli variables use E[m^k] = p; Gaussian ones their
exact raw moments; ``relu`` of a centred Gaussian its exact half-line moments.
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from math import comb, factorial

import mpmath

from .numeric import Dual, EvalError, Evaluator, _mp


class RPoly:
    """A polynomial in random indeterminates: {monomial: coefficient}; a monomial is a sorted
    tuple of ((kind, base, index), power) with kind 'x' (the variable) or 'relu'."""

    __slots__ = ("terms",)

    def __init__(self, terms):
        self.terms = {m: c for m, c in terms.items() if not _is_zero(c)}

    @staticmethod
    def const(c):
        return RPoly({(): c})

    def __add__(self, other):
        other = _poly(other)
        out = dict(self.terms)
        for m, c in other.terms.items():
            out[m] = out[m] + c if m in out else c
        return RPoly(out)

    __radd__ = __add__

    def __neg__(self):
        return RPoly({m: -c for m, c in self.terms.items()})

    def __sub__(self, other):
        return self + (-_poly(other))

    def __rsub__(self, other):
        return _poly(other) + (-self)

    def __mul__(self, other):
        other = _poly(other)
        out: dict = {}
        for m1, c1 in self.terms.items():
            for m2, c2 in other.terms.items():
                m = _merge(m1, m2)
                out[m] = out[m] + c1 * c2 if m in out else c1 * c2
        if len(out) > 20000:
            raise EvalError("expectation too large to expand exactly")
        return RPoly(out)

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, RPoly):
            if set(other.terms) != {()}:
                raise EvalError("division by a random quantity")
            other = other.terms[()]
        return RPoly({m: _div(c, other) for m, c in self.terms.items()})

    def __rtruediv__(self, other):
        if set(self.terms) <= {()}:
            return RPoly.const(_div(other, self.terms.get((), Fraction(0))))
        raise EvalError("division by a random quantity")

    def single_variable(self):
        """(kind, base, index) if this is exactly one indeterminate with coefficient 1."""
        if len(self.terms) == 1:
            (m, c), = self.terms.items()
            if len(m) == 1 and m[0][1] == 1 and c == 1:
                return m[0][0]
        return None


def _is_zero(c):
    if isinstance(c, Dual):                 # a coefficient that carries a derivative (d/dη E[…])
        return _is_zero(c.a) and _is_zero(c.b)
    return c == 0 if isinstance(c, (Fraction, int)) else abs(c) < mpmath.mpf(10) ** -45


def _div(a, b):
    if isinstance(a, Fraction) and isinstance(b, mpmath.mpf) or isinstance(b, Fraction) and isinstance(a, mpmath.mpf):
        return _mp(a) / _mp(b)
    if b == 0:
        raise EvalError("division by zero")
    return a / b


def _poly(x):
    if isinstance(x, Dual) and (isinstance(x.a, RPoly) or isinstance(x.b, RPoly)):
        a, b = _poly(x.a), _poly(x.b)       # (a + bε) with random a, b: one polynomial, dual coefficients
        return RPoly({m: Dual(a.terms.get(m, Fraction(0)), b.terms.get(m, Fraction(0))) for m in set(a.terms) | set(b.terms)})
    return x if isinstance(x, RPoly) else RPoly.const(x)


def _merge(m1, m2):
    """The product of two monomials (each sorted by ``_key_order``), sorted the same way.
    Remembered: an expectation multiplies the same few monomials again and again (every term
    of a square by every other, at every instance), and the sort is most of the product's cost."""
    if not m1:
        return m2
    if not m2:
        return m1
    key = (m1, m2)
    out = _MERGED.get(key)
    if out is None:
        powers = dict(m1)
        for k, p in m2:
            powers[k] = powers.get(k, 0) + p
        out = tuple(sorted(powers.items(), key=_key_order))
        if len(_MERGED) >= _MERGED_LIMIT:
            _MERGED.clear()
        _MERGED[key] = out
    return out


_MERGED: dict = {}          # (monomial, monomial) -> their product, for this process
_MERGED_LIMIT = 100_000


def _key_order(item):
    (kind, base, index), _ = item
    return (kind, _name(base), -1 if index is None else index)


@lru_cache(maxsize=1024)
def _name(base) -> str:
    """``str(base)`` of a random variable or family, printed once (monomials are sorted by it
    at every product)."""
    return str(base)


class RandomEvaluator(Evaluator):
    """Evaluates with random variables as indeterminates (RPoly values)."""

    def __init__(self, env, families, latent=None, repeats: bool = False):
        super().__init__(env, None)
        self.families = families
        self.latent = {} if latent is None else latent   # (base, index) -> numeric dist of a latent variable
        self.arrays: dict = {}
        self.values: dict | None = {} if repeats else None     # compound expression -> its value (below)

    def eval(self, expr):
        """With ``repeats`` (an expression in which nothing binds a variable: ``binds_nothing``),
        each compound subexpression is evaluated once per evaluator: ‖(F + Ξ)v − y‖² is
        ((F + Ξ)v − y)ᵀ((F + Ξ)v − y), whose polynomial factor was computed twice. The env does
        not change while this evaluator works, so a second evaluation would give the same value;
        values are never changed in place (an RPoly's operations make new ones)."""
        values = self.values
        if values is None or not getattr(expr, "_args", None):
            return self._eval(expr)
        try:
            value = values.get(expr, _MISSING)
        except TypeError:                       # unhashable (a mutable matrix): never remembered
            return self._eval(expr)
        if value is _MISSING:
            value = values[expr] = self._eval(expr)
        return value

    def _MatrixSymbol(self, e):
        info = self.families.get(e)
        if info is None or info.shape is None:
            return super()._MatrixSymbol(e)
        if e not in self.arrays:
            from .random_arrays import entries

            self.arrays[e] = entries(info, self, self.latent)
        return self.arrays[e]

    def _Indexed(self, e):
        if e.base in self.families:
            ks = tuple(int(self.eval(i)) for i in e.indices)
            return RPoly({((("x", e.base, ks[0] if len(ks) == 1 else ks), 1),): Fraction(1)})
        return super()._Indexed(e)

    def _Symbol(self, e):
        if e in self.families:
            return RPoly({((("x", e, None), 1),): Fraction(1)})
        return super()._Symbol(e)

    def _relu(self, e):
        v = self.eval(e.args[0])
        if isinstance(v, RPoly):
            var = v.single_variable()
            if var is None or var[0] != "x":
                raise EvalError("relu of a combination of random variables")
            return RPoly({((("relu", var[1], var[2]), 1),): Fraction(1)})
        return super()._relu(e)

    def _heaviside(self, e):
        v = self.eval(e.args[0])
        if isinstance(v, RPoly):
            var = v.single_variable()
            if var is None or var[0] != "x":
                raise EvalError("a step function of a combination of random variables")
            return RPoly({((("step", var[1], var[2]), 1),): Fraction(1)})
        return super()._heaviside(e)

    def _E(self, e):
        raise EvalError("nested expectations are not checked")

    _Var = _Mean = _Cov = _E


def make_moments(table):
    """A callable for ``Evaluator(moments=...)`` that knows the spec's random variables."""
    families = {info.obj: info for info in table.random_families()}

    def moments(expr, kind, evaluator):
        latent: dict = {}
        value = RandomEvaluator(evaluator.env, families, latent, repeats=binds_nothing(expr)).eval(expr)
        if kind in ("Mean", "Cov"):
            from .random_arrays import covariance_of, mean_of

            fn = mean_of if kind == "Mean" else covariance_of
            return fn(value, lambda poly: _expect(_poly(poly), families, evaluator, latent))
        poly = _poly(value)
        first = _expect(poly, families, evaluator, latent)
        if kind == "E":
            return first
        second = _expect(poly * poly, families, evaluator, latent)
        return second + (-(first * first))  # Fraction - mpf is not defined; + (-x) is

    return moments


_MISSING = object()
_BINDS_NOTHING: dict = {}       # expression -> binds_nothing(expression), for this process
_BINDS_NOTHING_LIMIT = 10_000


def binds_nothing(expr) -> bool:
    """True when evaluating ``expr`` sets no variable of the env: it holds no sum, matrix sum,
    derivative, substitution or gradient (whose evaluation binds an index or variable), and no
    object that evaluates itself (``_numeric``), so every subexpression has one value throughout.
    Remembered per expression (an expectation is evaluated at every point a certificate tries)."""
    try:
        return _BINDS_NOTHING[expr]
    except KeyError:
        pass
    except TypeError:                           # unhashable: not remembered, and not claimed
        return False
    from sympy import Derivative, Subs, Sum, preorder_traversal

    from .expr.objects import Grad, MatSum

    binding = (Sum, Derivative, Subs, Grad, MatSum)
    out = not any(isinstance(node, binding) or hasattr(type(node), "_numeric") for node in preorder_traversal(expr))
    if len(_BINDS_NOTHING) >= _BINDS_NOTHING_LIMIT:
        _BINDS_NOTHING.clear()
    _BINDS_NOTHING[expr] = out
    return out


def _expect(poly: RPoly, families, evaluator, latent=None):
    total = Fraction(0)
    cache: dict = {}
    latent = latent or {}
    for monomial, coeff in poly.terms.items():
        groups: dict = {}
        for (kind, base, index), power in monomial:
            g = groups.setdefault((base, index), [0, 0, 0])
            g[_SLOT[kind]] += power
        value = coeff
        for (base, index), (p, q, r) in groups.items():
            own = (base, index) in latent          # a latent variable of a random vector: its own law
            key = (base, index if own else None, p, q, min(r, 1))
            if key not in cache:
                dist = latent[(base, index)] if own else families[base].dist
                cache[key] = _moment(dist, p, q, evaluator, step=r > 0)
            value = value * cache[key]
        total = total + value
    return total


_SLOT = {"x": 0, "relu": 1, "step": 2}      # where a monomial's power of each kind is counted


def _moment(dist, p: int, q: int, evaluator, step: bool = False):
    """E[X^p relu(X)^q H(X)^r] (r ≥ 1 when ``step``) for one variable X with its declared
    distribution; relu(X)^q H(X) = X^q on X > 0 and 0 elsewhere, as relu(X)^q is for q ≥ 1."""
    params = [x if isinstance(x, (Fraction, mpmath.mpf)) else evaluator.eval(x) for x in dist[1:3]]
    if dist[0] == "bernoulli":
        if step:
            return params[0]      # X ∈ {0, 1}: H(X) = X
        return Fraction(1) if p + q == 0 else params[0]   # X ∈ {0, 1}, relu(X) = X
    mean, var = params
    if q == 0 and not step:
        if type(mean) is Fraction and type(var) is Fraction:
            return _rational_gauss_moment(p, mean, var)
        return _gauss_moment(p, mean, var)
    if mean != 0:
        raise EvalError("relu or the step of a non-centred Gaussian is not supported")
    return _half_moment(p + q, var)


def _double_factorial(k: int) -> int:
    out = 1
    while k > 1:
        out *= k
        k -= 2
    return out


def _gauss_moment(k: int, mean, var):
    """E[X^k] for X ~ N(mean, var), exactly when mean and var are rational."""
    total = Fraction(0)
    for i in range(0, k + 1, 2):  # odd central moments vanish
        total = total + comb(k, i) * _pow(mean, k - i) * (_double_factorial(i - 1) * _pow(var, i // 2))
    return total


@lru_cache(maxsize=4096)
def _rational_gauss_moment(k: int, mean: Fraction, var: Fraction) -> Fraction:
    """``_gauss_moment`` of rational parameters, computed once: the same few moments are asked
    for at every monomial of every expectation in an instance (the key holds only Fractions, so
    a value never comes back with another number type)."""
    return _gauss_moment(k, mean, var)


def _half_moment(k: int, var):
    """∫_0^∞ x^k φ(x; 0, var) dx."""
    if k == 0:
        return Fraction(1, 2)
    if k % 2 == 0:
        return _pow(var, k // 2) * _double_factorial(k - 1) / 2
    s = mpmath.sqrt(_mp(var))
    return s ** k * 2 ** ((k - 1) // 2) * factorial((k - 1) // 2) / mpmath.sqrt(2 * mpmath.pi)


def _pow(v, k: int):
    out = Fraction(1)
    for _ in range(k):
        out = out * v
    return out

"""Exact evaluation of SymPy expressions at concrete values, independent of SymPy's algebra.

Scalars are ``Fraction`` while every operation stays rational, and become high-precision
``mpmath`` numbers only where a root, exp or log is irrational. Matrices are tuples of rows.
``Dual`` numbers (value + derivative) give exact directional derivatives, so a gradient step is
checked without trusting SymPy's matrix calculus. Random variables inside ``E``/``Var`` are
handled by exact moments (``moments.py``).
"""
from __future__ import annotations

from fractions import Fraction
from math import gcd
from operator import mul
from typing import Any

import mpmath

mpmath.mp.dps = 60
MAX_POWER = 64
MAX_SUM_TERMS = 64


class EvalError(Exception):
    """The expression cannot be evaluated here (singular matrix, unsupported node, ...)."""


class Singular(EvalError):
    pass


# -- scalars ---------------------------------------------------------------------------------
def _co(a, b):
    """Make a Fraction and an mpf meet as mpfs (neither type knows the other for - and /)."""
    if isinstance(a, Fraction) and isinstance(b, mpmath.mpf):
        return _mp(a), b
    if isinstance(b, Fraction) and isinstance(a, mpmath.mpf):
        return a, _mp(b)
    return a, b


def sub(a, b):
    a, b = _co(a, b)
    return a - b


def div(a, b):
    a, b = _co(a, b)
    return a / b


class Dual:
    """a + b·ε with ε² = 0: carries a value and one directional derivative."""

    __slots__ = ("a", "b")

    def __init__(self, a, b=0):
        self.a, self.b = a, b

    def __add__(self, o):
        kind = type(o)
        if kind is Dual:
            return Dual(self.a + o.a, self.b + o.b)
        if (kind is Fraction or kind is int) and type(self.b) is Fraction:
            return Dual(self.a + o, self.b)         # b + 0 is b (a Fraction either way)
        o = _dual(o)
        return Dual(self.a + o.a, self.b + o.b)

    __radd__ = __add__

    def __neg__(self):
        return Dual(-self.a, -self.b)

    def __sub__(self, o):
        return self + (-_dual(o))

    def __rsub__(self, o):
        return _dual(o) + (-self)

    def __mul__(self, o):
        kind = type(o)
        if (kind is Fraction or kind is int) and type(self.a) is Fraction and type(self.b) is Fraction:
            return Dual(self.a * o, self.b * o)     # a·0 + b·o is b·o (a Fraction either way)
        o = _dual(o)
        return Dual(self.a * o.a, self.a * o.b + self.b * o.a)

    __rmul__ = __mul__

    def __truediv__(self, o):
        o = _dual(o)
        if is_zero(o.a):
            raise Singular("division by zero")
        return Dual(div(self.a, o.a), div(sub(self.b * o.a, self.a * o.b), o.a * o.a))

    def __rtruediv__(self, o):
        return _dual(o) / self

    def __abs__(self):
        """|a + bε| = sign(a)(a + bε) away from a = 0 (where |·| has no derivative)."""
        if is_zero(self.a):
            raise Singular("|x| has no derivative at 0")
        return self if _positive(self.a) else -self

    def __eq__(self, o):
        return isinstance(o, Dual) and self.a == o.a and self.b == o.b

    def __hash__(self):
        return hash((self.a, self.b))

    def __repr__(self):
        return f"Dual({self.a}, {self.b})"


def _dual(x) -> Dual:
    return x if isinstance(x, Dual) else Dual(x, 0)


def _positive(x) -> bool:
    return _positive(x.a) if isinstance(x, Dual) else x > 0


def is_zero(x) -> bool:
    if isinstance(x, Dual):
        return is_zero(x.a) and is_zero(x.b)
    if isinstance(x, Fraction) or isinstance(x, int):
        return x == 0
    return abs(x) < mpmath.mpf(10) ** -40


def close(a, b) -> bool:
    """Exact equality for rationals; 40-digit relative agreement otherwise."""
    if isinstance(a, Dual) or isinstance(b, Dual):
        a, b = _dual(a), _dual(b)
        return close(a.a, b.a) and close(a.b, b.b)
    if isinstance(a, (Fraction, int)) and isinstance(b, (Fraction, int)):
        return a == b
    a, b = _mp(a), _mp(b)
    scale = max(mpmath.mpf(1), abs(a), abs(b))
    return abs(a - b) <= scale * mpmath.mpf(10) ** -40


def _apply(fn, x):
    """Apply a smooth real function (value and derivative) to a scalar or Dual."""
    f, df = fn
    if isinstance(x, Dual):
        return Dual(f(x.a), df(x.a) * x.b)
    return f(x)


def _mp(x):
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    return x if isinstance(x, mpmath.mpf) else mpmath.mpf(x)


def _sqrt_value(x):
    if isinstance(x, Fraction):
        if x < 0:
            raise EvalError("square root of a negative number")
        n, d = _isqrt(x.numerator), _isqrt(x.denominator)
        if n is not None and d is not None:
            return Fraction(n, d)
    if _mp(x) < 0:
        raise EvalError("square root of a negative number")
    return mpmath.sqrt(_mp(x))


def _isqrt(k: int):
    import math

    r = math.isqrt(k)
    return r if r * r == k else None


SQRT = (_sqrt_value, lambda x: 1 / (2 * _sqrt_value(x)) if not is_zero(x) else _raise(Singular("derivative of sqrt at 0")))
EXP = (lambda x: Fraction(1) if x == 0 else mpmath.exp(_mp(x)), lambda x: Fraction(1) if x == 0 else mpmath.exp(_mp(x)))
def _sigmoid_value(x):
    return Fraction(1, 2) if x == 0 else 1 / (1 + mpmath.exp(-_mp(x)))


SIGMOID = (_sigmoid_value, lambda x: _sigmoid_value(x) * (1 - _sigmoid_value(x)))
SOFTPLUS = (lambda x: mpmath.log(1 + mpmath.exp(_mp(x))), _sigmoid_value)
TANH = (lambda x: Fraction(0) if x == 0 else mpmath.tanh(_mp(x)),
        lambda x: Fraction(1) if x == 0 else 1 - mpmath.tanh(_mp(x)) ** 2)
LOGIT = (lambda x: Fraction(0) if x == Fraction(1, 2) else (
            mpmath.log(_mp(x) / (1 - _mp(x))) if 0 < _mp(x) < 1 else _raise(EvalError("logit outside (0, 1)"))),
         lambda x: 1 / (x * (1 - x)))
LOG = (lambda x: Fraction(0) if x == 1 else (mpmath.log(_mp(x)) if _mp(x) > 0 else _raise(EvalError("log of a non-positive number"))),
       lambda x: 1 / x)


def _raise(err):
    raise err


def power(base, e: Fraction):
    if e.denominator == 1:
        k = e.numerator
        if abs(k) > MAX_POWER:
            raise EvalError(f"power {k} is too large to evaluate")
        if k < 0:
            if is_zero(base):
                raise Singular("division by zero")
            return div(Fraction(1), power(base, Fraction(-k)))
        if type(base) is Fraction:
            return base ** k                # exact: the product below, in one step
        out = Fraction(1)
        for _ in range(k):
            out = out * base
        return out
    if e.denominator == 2:
        return power(_apply(SQRT, base), Fraction(e.numerator))
    if isinstance(base, Dual):
        raise EvalError("fractional power of a dual number")
    return mpmath.power(_mp(base), mpmath.mpf(e.numerator) / e.denominator)


def sign(x):
    v = x.a if isinstance(x, Dual) else x
    return Fraction((v > 0) - (v < 0))


# -- matrices ---------------------------------------------------------------------------------
class Mat(tuple):
    """A concrete matrix: a tuple of row tuples."""

    @property
    def shape(self):
        return (len(self), len(self[0]) if self else 0)


def mat(rows) -> Mat:
    return Mat(tuple(tuple(r) for r in rows))


def identity(k: int) -> Mat:
    return mat([[Fraction(int(i == j)) for j in range(k)] for i in range(k)])


def zeros(r: int, c: int) -> Mat:
    return mat([[Fraction(0)] * c for _ in range(r)])


def madd(a: Mat, b: Mat) -> Mat:
    if a.shape != b.shape:
        raise EvalError(f"adding {a.shape} and {b.shape}")
    return mat([[x + y for x, y in zip(ra, rb)] for ra, rb in zip(a, b)])


def mscale(c, a: Mat) -> Mat:
    return mat([[c * x for x in r] for r in a])


def mmul(a: Mat, b: Mat) -> Mat:
    if a.shape[1] != b.shape[0]:
        raise EvalError(f"multiplying {a.shape} by {b.shape}")
    cols = list(zip(*b))
    fast = _mmul_rational(a, cols)
    if fast is not None:
        return fast
    out = []
    for r in a:
        row = []
        for c in cols:
            acc = Fraction(0)
            for x, y in zip(r, c):
                acc = acc + x * y
            row.append(acc)
        out.append(row)
    return mat(out)


def _common(vec):
    """A vector of rationals as (integer numerators, common denominator); None if an entry is
    not a ``Fraction`` or ``int``."""
    den = 1
    for x in vec:
        if type(x) is not Fraction and type(x) is not int:
            return None
        d = x.denominator
        if den % d:
            den = den // gcd(den, d) * d
    return [x.numerator * (den // x.denominator) for x in vec], den


def _split(vec):
    """(values, derivatives, has a Dual) of a vector of rationals and Duals of rationals (None if
    any entry is something else): each as ``_common`` gives it."""
    common = _common(vec)                   # the usual case: plain rationals, one pass
    if common is not None:
        return common, ([0] * len(vec), 1), False
    values, slopes, dual = [], [], False
    for x in vec:
        if type(x) is Dual:
            if type(x.a) is not Fraction or type(x.b) is not Fraction:
                return None
            values.append(x.a)
            slopes.append(x.b)
            dual = True
        else:
            values.append(x)
            slopes.append(_ZERO)
    v, s = _common(values), _common(slopes)
    return None if v is None or s is None else (v, s, dual)


def _mmul_rational(a: Mat, cols) -> Mat | None:
    """``mmul`` when every entry is a rational or a Dual of rationals: each entry one integer dot
    product over common denominators, instead of k Fraction products and sums. The result is
    exactly what the Fraction arithmetic gives, entry by entry (a Dual where its row or column
    holds one, as there)."""
    rows = [_split(r) for r in a]
    if any(r is None for r in rows):
        return None
    cs = [_split(c) for c in cols]
    if any(c is None for c in cs):
        return None
    out = []
    for (rv, rn), (rs, rsd), rdual in rows:
        row = []
        for (cv, cn), (cs_, csd), cdual in cs:
            value = Fraction(sum(map(mul, rv, cv)), rn * cn)
            if rdual or cdual:
                slope = Fraction(sum(map(mul, rv, cs_)), rn * csd) + Fraction(sum(map(mul, rs, cv)), rsd * cn)
                row.append(Dual(value, slope))
            else:
                row.append(value)
        out.append(row)
    return mat(out)


_ZERO = Fraction(0)
_ONE = Fraction(1)


def _all_fractions(m: Mat) -> bool:
    return all(type(x) is Fraction for row in m for x in row)


def _scaled(c: Fraction, m: Mat) -> Mat:
    """``mscale(c, m)`` for exact c and m (``m`` itself when c is 1: every entry is a Fraction)."""
    return m if c == _ONE else mscale(c, m)


def chain_product(mats: list) -> Mat:
    """M₁M₂…M_k of compatible matrices of rationals, in the order that makes the fewest entry
    products and entries (the textbook matrix-chain recurrence): Xᵀ(Xw) instead of (XᵀX)w.
    Exact arithmetic is associative, so every order gives the same matrix."""
    k = len(mats)
    if k == 1:
        return mats[0]
    if k == 2:
        return mmul(mats[0], mats[1])
    dims = [mats[0].shape[0]] + [m.shape[1] for m in mats]
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(2, k + 1):
        for i in range(k - length + 1):
            j = i + length - 1
            best = None
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1] + 4 * dims[i] * dims[j + 1]
                if best is None or c < best:
                    best, split[i][j] = c, s
            cost[i][j] = best

    def product(i, j):
        if i == j:
            return mats[i]
        s = split[i][j]
        return mmul(product(i, s), product(s + 1, j))

    return product(0, k - 1)


def transpose(a: Mat) -> Mat:
    return mat(list(zip(*a)))


def inverse(a: Mat) -> Mat:
    n = a.shape[0]
    if a.shape[1] != n:
        raise EvalError("inverse of a non-square matrix")
    m = [list(r) + [Fraction(int(i == j)) for j in range(n)] for i, r in enumerate(a)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if not is_zero(m[r][col])), None)
        if pivot is None:
            raise Singular("singular matrix")
        m[col], m[pivot] = m[pivot], m[col]
        pv = m[col][col]
        m[col] = [div(x, pv) for x in m[col]]
        for r in range(n):
            if r != col and not is_zero(m[r][col]):
                f = m[r][col]
                m[r] = [sub(x, f * y) for x, y in zip(m[r], m[col])]
    return mat([row[n:] for row in m])


def to_int(x) -> int:
    v = x.a if isinstance(x, Dual) else x
    if isinstance(v, Fraction) and v.denominator == 1:
        return int(v)
    if isinstance(v, int):
        return v
    raise EvalError(f"expected an integer, got {v}")


# -- the evaluator ----------------------------------------------------------------------------
_SMALL = 1024
_INTEGERS: dict = {}    # p -> Fraction(p) for |p| ≤ _SMALL
_ROUTES: dict = {}      # evaluator class -> {id(expression type): (that type, how it is evaluated)}
_ROUTES_LIMIT = 10_000


def _own_numeric(evaluator, expr):
    """An object that states its own definition (Conv): its ``_numeric``."""
    return expr._numeric(evaluator)


def _route(evaluator_class, kind):
    """The function ``evaluator_class`` evaluates an expression of type ``kind`` with, decided
    once per pair: its method ``_<kind's name>``; else the expression's own ``_numeric``; else
    the method for the nearest base class of ``kind`` that has one; None if none does."""
    method = getattr(evaluator_class, "_" + kind.__name__, None)
    if method is not None:
        return method
    if hasattr(kind, "_numeric"):
        return _own_numeric
    for klass in kind.__mro__[1:]:
        method = getattr(evaluator_class, "_" + klass.__name__, None)
        if method is not None:
            return method
    return None


class Evaluator:
    """``Evaluator(env).eval(expr)``: env maps SymPy atoms (and IndexedBase labels) to values."""

    def __init__(self, env: dict, moments=None):
        self.env = env
        self.moments = moments  # a callable (expr, kind, evaluator) -> value, for E/Var
        share = getattr(env, "shared_values", None)      # a drawn instance's values (instance_values.py)
        self.shared = share(self, moments) if share is not None else None

    def eval(self, expr) -> Any:
        shared = self.shared
        if shared is not None and not shared.env.changed:    # (Sharing.eval evaluates directly otherwise)
            return shared.eval(self, expr)
        return self._eval(expr)

    def _eval(self, expr) -> Any:
        """The method for ``type(expr)`` (``_route``), looked up by the type's identity: hashing a
        type can cost more than evaluating (an undefined function's class, f or L', builds a
        set of its argument counts at every hash)."""
        kind = type(expr)
        routes = _ROUTES.get(type(self))
        if routes is None:
            routes = _ROUTES[type(self)] = {}
        entry = routes.get(id(kind))
        if entry is None or entry[0] is not kind:
            if len(routes) >= _ROUTES_LIMIT:
                routes.clear()
            entry = routes[id(kind)] = (kind, _route(type(self), kind))     # holds kind: its id stays its own
        method = entry[1]
        if method is None:
            raise EvalError(f"cannot evaluate {kind.__name__}")
        return method(self, expr)

    # atoms
    def _Integer(self, e):
        p = int(e)
        if -_SMALL <= p <= _SMALL:          # 0, ±1, 2, …: one Fraction each (immutable), made once
            v = _INTEGERS.get(p)
            if v is None:
                v = _INTEGERS[p] = Fraction(p)
            return v
        return Fraction(p)

    def _Rational(self, e):
        return Fraction(int(e.p), int(e.q))

    def _Zero(self, e):
        return _ZERO

    def _Float(self, e):
        return mpmath.mpf(str(e))

    def _Pi(self, e):
        return mpmath.pi

    def _Exp1(self, e):
        return mpmath.e

    def _Symbol(self, e):
        try:
            return self.env[e]
        except KeyError:
            raise EvalError(f"no value for {e}") from None

    _Dummy = _Symbol
    _MatrixSymbol = _Symbol

    def _Indexed(self, e):
        family = self.env.get(e.base.label)
        if family is None:
            raise EvalError(f"no value for family {e.base}")
        ks = tuple(to_int(self.eval(i)) for i in e.indices)
        k = ks[0] if len(ks) == 1 else ks
        if k not in family:
            raise EvalError(f"{e.base}[{', '.join(map(str, ks))}] is outside the sampled range")
        return family[k]

    # scalar algebra
    def _Add(self, e):
        num, den, exact = 0, 1, True     # while every term is rational: an integer sum over their lcm
        out: Any = None
        for a in e.args:
            v = self.eval(a)
            if isinstance(v, Mat):
                raise EvalError("matrix inside a scalar sum")
            if exact and (type(v) is Fraction or type(v) is int):
                d = v.denominator
                if d == den:
                    num += v.numerator
                else:
                    lcm = den // gcd(den, d) * d
                    num, den = num * (lcm // den) + v.numerator * (lcm // d), lcm
                continue
            if exact:
                out, exact = Fraction(num, den), False
            out = out + v
        return Fraction(num, den) if exact else out

    def _Mul(self, e):
        num, den, exact = 1, 1, True     # while every factor is rational: two integer products
        out: Any = None
        for a in e.args:
            v = self.eval(a)
            if exact and (type(v) is Fraction or type(v) is int):
                num *= v.numerator
                den *= v.denominator
                continue
            if exact:
                out, exact = Fraction(num, den), False
            out = mscale(out, v) if isinstance(v, Mat) else (mscale(v, out) if isinstance(out, Mat) else out * v)
        return Fraction(num, den) if exact else out

    def _Pow(self, e):
        base = self.eval(e.base)
        ex = self.eval(e.exp)
        if isinstance(ex, Dual):
            raise EvalError("variable exponent")
        if not isinstance(ex, Fraction):
            if isinstance(base, Dual):
                raise EvalError("irrational exponent of a dual number")
            return mpmath.power(_mp(base), ex)
        return power(base, ex)

    def _Abs(self, e):
        v = self.eval(e.args[0])
        return v * sign(v)

    def _sign(self, e):
        return sign(self.eval(e.args[0]))

    def _exp(self, e):
        return _apply(EXP, self.eval(e.args[0]))

    def _log(self, e):
        return _apply(LOG, self.eval(e.args[0]))

    def _sigmoid(self, e):
        return _apply(SIGMOID, self.eval(e.args[0]))

    def _softplus(self, e):
        return _apply(SOFTPLUS, self.eval(e.args[0]))

    def _logit(self, e):
        return _apply(LOGIT, self.eval(e.args[0]))

    def _tanh(self, e):
        return _apply(TANH, self.eval(e.args[0]))

    def _heaviside(self, e):
        v = self.eval(e.args[0])
        s = sign(v)
        if s == 0:
            raise Singular("the step function at 0")
        return Fraction(1) if s > 0 else Fraction(0)

    def _AppliedUndef(self, e):
        """A declared function (kind: function) or one of its derivatives (L', L''), drawn at
        random for each instance as a cubic with rational coefficients."""
        name = type(e).__name__
        base, order = name.rstrip("'"), len(name) - len(name.rstrip("'"))
        coeffs = self.env.get(("function", base))
        if coeffs is None:
            raise EvalError(f"no value for the function {base}")
        for _ in range(order):
            coeffs = [k * c for k, c in enumerate(coeffs)][1:] or [Fraction(0)]
        x = self.eval(e.args[0])
        out = Fraction(0)
        for c in reversed(coeffs):
            out = out * x + c
        return out

    def _relu(self, e):
        v = self.eval(e.args[0])
        return v if sign(v) > 0 else Fraction(0) * v

    def _Max(self, e):
        vals = [self.eval(a) for a in e.args]
        best = vals[0]
        for v in vals[1:]:
            if sign(v - best) > 0:
                best = v
        return best

    def _Sum(self, e):
        return self._sum_over(e.function, list(e.limits))

    def _sum_over(self, function, limits):
        """Σ over ``limits`` (SymPy lists the innermost first), the outermost index in this loop."""
        var, lo, hi = limits[-1]
        lo_i, hi_i = to_int(self.eval(lo)), to_int(self.eval(hi))
        if hi_i - lo_i + 1 > MAX_SUM_TERMS:
            raise EvalError("sum has too many terms to evaluate")
        out: Any = Fraction(0)
        saved = self.env.get(var)
        try:
            for k in range(lo_i, hi_i + 1):
                self.env[var] = Fraction(k)
                v = self._sum_over(function, limits[:-1]) if len(limits) > 1 else self.eval(function)
                out = madd(out, v) if isinstance(out, Mat) else out + v
        finally:
            if saved is None:
                self.env.pop(var, None)
            else:
                self.env[var] = saved
        return out

    def _Scalar(self, e):
        m = self.eval(e.args[0])
        if isinstance(m, Mat):
            if m.shape != (1, 1):
                raise EvalError(f"Scalar of a {m.shape} matrix")
            return m[0][0]
        return m

    def _E(self, e):
        return self._moment(e, "E")

    def _Var(self, e):
        return self._moment(e, "Var")

    def _moment(self, e, kind):
        if self.moments is None:
            raise EvalError("expectations need the spec's random variables")
        return self.moments(e.args[0], kind, self)

    def _Mean(self, e):
        """𝔼[X] of a random vector or matrix: exact entrywise moments (``moments.py``)."""
        return self._moment(e, "Mean")

    def _Cov(self, e):
        """Cov[x] of a random column vector: exact (``moments.py``)."""
        return self._moment(e, "Cov")

    def _Derivative(self, e):
        (var, count), = e.variable_count
        if count > 2:
            raise EvalError("only first and second derivatives are checked")
        x0 = self.eval(var)
        saved = self.env.get(var)
        if count == 2:      # a dual number over dual numbers: the outer ε's coefficient carries f' + f''ε
            base = x0 if not isinstance(x0, Dual) else x0.a
            self.env[var] = Dual(Dual(base, Fraction(1)), Dual(Fraction(1), Fraction(0)))
            try:
                return _dual(_dual(self.eval(e.expr)).b).b
            except (TypeError, AttributeError) as err:   # a function without nested duals (sqrt, exp)
                raise EvalError("this second derivative is checked only through rational functions") from err
            finally:
                self.env[var] = saved
        self.env[var] = Dual(x0 if not isinstance(x0, Dual) else x0.a, Fraction(1))
        try:
            v = self.eval(e.expr)
        finally:
            self.env[var] = saved
        return _dual(v).b

    # matrices
    def _ImmutableDenseMatrix(self, e):
        return mat([[self.eval(e[i, j]) for j in range(e.cols)] for i in range(e.rows)])

    _MutableDenseMatrix = _ImmutableDenseMatrix

    def _Identity(self, e):
        return identity(to_int(self.eval(e.rows)))

    def _ZeroMatrix(self, e):
        return zeros(to_int(self.eval(e.rows)), to_int(self.eval(e.cols)))

    def _OneMatrix(self, e):
        r, c = to_int(self.eval(e.rows)), to_int(self.eval(e.cols))
        return mat([[Fraction(1)] * c for _ in range(r)])

    def _MatAdd(self, e):
        vals = [self.eval(a) for a in e.args]
        out = vals[0]
        for v in vals[1:]:
            out = madd(out, v)
        return out

    def _MatMul(self, e):
        """The product of the factors in turn. While every factor is exact (a ``Fraction``, or a
        matrix of ``Fraction`` entries), the scalars are gathered into one coefficient and the
        matrices multiplied in the cheapest order (``chain_product``), the coefficient applied
        last: rational arithmetic is exact, so every order gives the same entries, and the
        shapes are checked factor by factor as before. From the first factor that is not exact
        (a Dual, an mpf), the product goes on factor by factor from the value so far."""
        coeff: Any = Fraction(1)
        mats: list = []
        args = e.args
        for i, a in enumerate(args):
            v = self.eval(a)
            if type(v) is Fraction:
                coeff = coeff * v
                continue
            if isinstance(v, Mat) and _all_fractions(v):
                if mats and mats[-1].shape[1] != v.shape[0]:
                    raise EvalError(f"multiplying {(mats[0].shape[0], mats[-1].shape[1])} by {v.shape}")
                mats.append(v)
                continue
            out = _scaled(coeff, chain_product(mats)) if mats else coeff
            for j in range(i, len(args)):
                w = v if j == i else self.eval(args[j])
                if isinstance(w, Mat):
                    out = mmul(out, w) if isinstance(out, Mat) else mscale(out, w)
                else:
                    out = mscale(w, out) if isinstance(out, Mat) else out * w
            return out
        return _scaled(coeff, chain_product(mats)) if mats else coeff

    def _Transpose(self, e):
        v = self.eval(e.arg)
        return transpose(v) if isinstance(v, Mat) else v

    def _Inverse(self, e):
        v = self.eval(e.arg)
        if not isinstance(v, Mat):
            return div(Fraction(1), v)
        if any(isinstance(x, Dual) for r in v for x in r):
            raise EvalError("inverse of a dual matrix")
        return inverse(v)

    def _MatPow(self, e):
        v = self.eval(e.base)
        k = to_int(self.eval(e.exp))
        if abs(k) > MAX_POWER:
            raise EvalError("matrix power too large")
        if k < 0:
            v, k = inverse(v), -k
        out = identity(v.shape[0])
        for _ in range(k):
            out = mmul(out, v)
        return out

    def _KroneckerDelta(self, e):
        a, b = (self.eval(x) for x in e.args[:2])
        return Fraction(1) if a == b else Fraction(0)

    def _Trace(self, e):
        m = self.eval(e.arg)
        if not isinstance(m, Mat) or m.shape[0] != m.shape[1]:
            raise EvalError("the trace needs a square matrix")
        out = Fraction(0)
        for k in range(m.shape[0]):
            out = out + m[k][k]
        return out

    def _MatrixElement(self, e):
        m = self.eval(e.parent)
        i, j = to_int(self.eval(e.i)), to_int(self.eval(e.j))
        if not (0 <= i < m.shape[0] and 0 <= j < m.shape[1]):
            raise EvalError(f"element ({i}, {j}) outside a {m.shape} matrix")
        return m[i][j]

    def _norm1(self, e):
        out = Fraction(0)
        for row in self.eval(e.args[0]):
            for x in row:
                out = out + x * sign(x)
        return out

    def _norminf(self, e):
        best = Fraction(0)
        for row in self.eval(e.args[0]):
            for x in row:
                a = x * sign(x)
                if sign(a - best) > 0:
                    best = a
        return best

    def _PeakSign(self, e):
        v = self.eval(e.args[0])
        values = [abs(_mp(x.a if isinstance(x, Dual) else x)) for row in v for x in row]
        k = max(range(len(values)), key=lambda i: (values[i], -i))
        if values.count(values[k]) > 1 and values[k] != 0:
            raise Singular("two coordinates tie for the largest magnitude")
        return mat([[sign(x) if r == k else Fraction(0) for x in row] for r, row in enumerate(v)])

    def _Sgn(self, e):
        v = self.eval(e.args[0])
        return mat([[sign(x) for x in r] for r in v])

    def _Grad(self, e):
        """Exact gradient by forward-mode dual numbers, one coordinate at a time."""
        var = e.var
        v0 = self.eval(e.at)
        saved = self.env.get(var)
        out = []
        try:
            for i in range(v0.shape[0]):
                rows = [[Dual(x if not isinstance(x, Dual) else x.a, Fraction(int(r == i and c == 0))) for c, x in enumerate(row)]
                        for r, row in enumerate(v0)]
                self.env[var] = mat(rows)
                val = self.eval(e.expr)
                if isinstance(val, Mat):
                    val = val[0][0]
                out.append([_dual(val).b])
        finally:
            if saved is None:
                self.env.pop(var, None)
            else:
                self.env[var] = saved
        return mat(out)

    def _Subs(self, e):
        points = [self.eval(p) for p in e.point]
        saved = {v: self.env.get(v) for v in e.variables}
        try:
            for v, p in zip(e.variables, points):
                self.env[v] = p
            return self.eval(e.expr)
        finally:
            for v, old in saved.items():
                if old is None:
                    self.env.pop(v, None)
                else:
                    self.env[v] = old

    # relations
    def _Equality(self, e):
        return (self.eval(e.lhs), self.eval(e.rhs))


def difference(a, b):
    """a - b for scalars or matrices of the same shape."""
    if isinstance(a, Mat) or isinstance(b, Mat):
        if not (isinstance(a, Mat) and isinstance(b, Mat)):
            a = a if isinstance(a, Mat) else mat([[a]])
            b = b if isinstance(b, Mat) else mat([[b]])
        return madd(a, mscale(Fraction(-1), b))
    return sub(a, b)


def all_close(a, b) -> bool:
    if isinstance(a, Mat) or isinstance(b, Mat):
        a = a if isinstance(a, Mat) else mat([[a]])
        b = b if isinstance(b, Mat) else mat([[b]])
        if a.shape != b.shape:
            return False
        return all(close(x, y) for ra, rb in zip(a, b) for x, y in zip(ra, rb))
    return close(a, b)


def show(v) -> str:
    """A value as short text for counterexamples."""
    if isinstance(v, Mat):
        return "[" + "; ".join(", ".join(show(x) for x in r) for r in v) + "]"
    if isinstance(v, Dual):
        return show(v.a)
    if isinstance(v, Fraction):
        if max(v.numerator.bit_length(), v.denominator.bit_length()) > SHOW_BITS:
            bits = v.numerator.bit_length() - v.denominator.bit_length()
            if abs(bits) < SHOW_BITS:                   # a long fraction of modest size: its leading digits
                return "≈ " + mpmath.nstr(mpmath.mpf(v.numerator) / v.denominator, 6).replace("-", "−")
            return _order_of_magnitude(bits, v < 0)
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    if isinstance(v, mpmath.mpf) and mpmath.isfinite(v) and v != 0 and abs(mpmath.mag(v)) > SHOW_BITS:
        return _order_of_magnitude(int(mpmath.mag(v)), bool(v < 0))  # printing all its digits takes minutes
    return mpmath.nstr(v, 12)


SHOW_BITS = 400


def _order_of_magnitude(bits: int, negative: bool) -> str:
    """A number too long to print, as its order of magnitude: '≈ 10^301', '≈ −10^-45'."""
    digits = bits * 30103 // 100000                      # exact integers: bits may be astronomically large
    shown = str(digits) if digits.bit_length() < 64 else f"(about 2^{digits.bit_length()})"
    return f"≈ {'−' if negative else ''}10^{shown}"

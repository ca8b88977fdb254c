"""Exact expectations for certification: E and Var of expressions in independent random
variables, evaluated at concrete values of everything else.

This is deliberately a different method from the rules in ``rules/moments.py``: sums are
expanded into their concrete terms, the expression is multiplied out, and every monomial's
expectation is the product of per-variable moments (independence). Bernoulli variables are
averaged over their two outcomes exactly; Gaussian ones use their exact raw moments, and
``relu`` of a centred Gaussian uses exact half-line moments.
"""
from __future__ import annotations

from fractions import Fraction
from math import factorial

import mpmath

from .numeric import EvalError, _mp


def make_moments(table):
    """A callable for ``Evaluator(moments=...)`` that knows the spec's random variables."""
    families = {info.obj: info for info in table.random_families()}

    def moments(expr, kind, evaluator):
        if kind == "Var":
            first = _expectation(expr, evaluator, families)
            second = _expectation(expr ** 2, evaluator, families)
            return second + (-(first * first))  # Fraction - mpf is not defined; + (-x) is
        return _expectation(expr, evaluator, families)

    return moments


def _to_sympy(v):
    from sympy import Float, Rational

    if isinstance(v, Fraction):
        return Rational(v.numerator, v.denominator)
    if isinstance(v, int):
        return Rational(v)
    return Float(mpmath.nstr(v, 50), 50)


def _from_sympy(v):
    from sympy import Rational

    if isinstance(v, Rational):
        return Fraction(int(v.p), int(v.q))
    return mpmath.mpf(str(v.evalf(50)))


def _expectation(expr, evaluator, families):
    from sympy import Add, Indexed, Mul, Pow, Symbol, expand, Sum

    # 1. concrete sums: evaluate bounds, expand into terms
    def expand_sums(e):
        if isinstance(e, Sum):
            (var, lo, hi), = e.limits
            a = int(evaluator.eval(lo))
            b = int(evaluator.eval(hi))
            if b - a > 64:
                raise EvalError("sum too long for exact expectation")
            return Add(*[expand_sums(e.function).xreplace({var: k}) for k in range(a, b + 1)])
        if not e.args:
            return e
        return e.func(*[expand_sums(x) for x in e.args])

    e = expand_sums(expr)
    # 2. replace random instances by fresh symbols, deterministic atoms by values
    rv_of: dict = {}
    replace = {}
    for atom in e.atoms(Indexed):
        if atom.base in families:
            idx = int(evaluator.eval(atom.indices[0]))
            key = (atom.base, idx)
            rv_of.setdefault(key, Symbol(f"_rv_{atom.base}_{idx}", real=True))
            replace[atom] = rv_of[key]
        else:
            replace[atom] = _to_sympy(evaluator.eval(atom))
    for atom in e.free_symbols:
        if atom in replace or isinstance(atom, Indexed):
            continue
        if atom in families:
            rv_of.setdefault((atom, None), Symbol(f"_rv_{atom}", real=True))
            replace[atom] = rv_of[(atom, None)]
        elif atom.is_Symbol and atom not in rv_of.values():
            if isinstance(evaluator.env.get(atom), dict):
                continue  # the label of an indexed family: its members were replaced above
            replace[atom] = _to_sympy(evaluator.eval(atom))
    e = e.xreplace(replace)
    dist_of = {sym: families[key[0]].dist for key, sym in rv_of.items()}
    total = Fraction(0)
    for term in Add.make_args(expand(e)):
        groups: dict = {}
        coeff = Fraction(1)
        for factor in Mul.make_args(term):
            rvs = [s for s in factor.free_symbols if s in dist_of]
            if not rvs:
                coeff = coeff * _from_sympy(factor)
                continue
            if len(rvs) > 1:
                raise EvalError("a factor mixes two random variables")
            groups.setdefault(rvs[0], []).append(factor)
        value = coeff
        for sym, factors in groups.items():
            value = value * _single(Mul(*factors), sym, dist_of[sym], evaluator)
        total = total + value
    return total


def _single(g, x, dist, evaluator):
    """E[g(X)] for one random variable X with the given distribution."""
    from sympy import Poly, S

    from .expr.objects import relu

    params = [evaluator.eval(p) for p in dist[1:]]
    if dist[0] == "bernoulli":
        p = params[0]
        return (1 - p) * _from_sympy(g.xreplace({x: S.Zero}).replace(relu, _relu0)) + \
            p * _from_sympy(g.xreplace({x: S.One}).replace(relu, _relu0))
    mean, var = params
    if g.has(relu):
        if mean != 0:
            raise EvalError("relu of a non-centred Gaussian is not supported")
        positive = g.replace(relu, lambda a: a)
        poly = Poly(positive, x)
        return sum((_from_sympy(c) * _half_moment(k, var) for (k,), c in poly.terms()), Fraction(0))
    poly = Poly(g, x)
    return sum((_from_sympy(c) * _gauss_moment(k, mean, var) for (k,), c in poly.terms()), Fraction(0))


def _relu0(a):
    from sympy import Max

    return Max(a, 0)


def _double_factorial(k: int) -> int:
    out = 1
    while k > 1:
        out *= k
        k -= 2
    return out


def _gauss_moment(k: int, mean, var):
    """E[X^k] for X ~ N(mean, var), exactly when mean and var are rational."""
    from math import comb

    total = Fraction(0) if not isinstance(mean, mpmath.mpf) else mpmath.mpf(0)
    for i in range(0, k + 1, 2):  # odd central moments vanish
        central = _double_factorial(i - 1) * _pow(var, i // 2)
        total = total + comb(k, i) * _pow(mean, k - i) * central
    return total


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

"""Issue 13, fifth pass: each speed change gives what the code it replaces gave.

- the evaluator finds the method for an expression's type once per type, by the type's
  identity, and picks the method the old lookup picked (a singleton such as One through its
  base class Integer, an object with its own ``_numeric``, a subclass's override);
- small integers evaluate to the same Fractions as before;
- dual numbers times or plus a rational skip the zero slope, with the same values and types;
- the product of two monomials of random variables is remembered, and is the old product.
"""
from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import pytest

from exact_values import same_exactly


def _old_eval(ev, expr):
    """The evaluator's dispatch before the fifth pass."""
    from derive.numeric import EvalError

    kind = type(expr)
    method = getattr(ev, "_" + kind.__name__, None)
    if method is not None:
        return method(expr)
    if hasattr(expr, "_numeric"):
        return expr._numeric(ev)
    for klass in kind.__mro__[1:]:
        method = getattr(ev, "_" + klass.__name__, None)
        if method is not None:
            return method(expr)
    raise EvalError(f"cannot evaluate {kind.__name__}")




def _expressions():
    from sympy import (Function, Identity, Integer, MatrixSymbol, Rational, S, Symbol, Transpose, exp,
                       log)

    from derive.expr.objects import sigmoid

    x, y = Symbol("x"), Symbol("y")
    X, w = MatrixSymbol("X", 3, 2), MatrixSymbol("w", 2, 1)
    f, g = Function("f"), Function("L'")
    return [S.One, S.Zero, S.NegativeOne, S.Half, Integer(7), Integer(-3), Integer(10 ** 6), Rational(3, 4),
            x, x + 2 * y, x * y ** 2 - S.Half, exp(x), log(x), sigmoid(x), f(x), g(x + 1), f(x) * g(y),
            X * w, Transpose(X) * X, X.T * X + 2 * Identity(2), (X * w).T * (X * w)]


def _env():
    from sympy import MatrixSymbol, Symbol

    from derive.numeric import mat

    rng = random.Random(3)
    return {Symbol("x"): Fraction(3, 2), Symbol("y"): Fraction(-2, 5),
            MatrixSymbol("X", 3, 2): mat([[Fraction(rng.randint(-4, 4)) for _ in range(2)] for _ in range(3)]),
            MatrixSymbol("w", 2, 1): mat([[Fraction(rng.randint(-4, 4), rng.randint(1, 3))] for _ in range(2)]),
            ("function", "f"): [Fraction(1), Fraction(-2), Fraction(1, 3), Fraction(2)],
            ("function", "L"): [Fraction(2), Fraction(1), Fraction(0), Fraction(-1)]}


def test_routed_evaluation_picks_the_old_method():
    from derive.numeric import Evaluator

    env = _env()
    for expr in _expressions():
        new, old = Evaluator(dict(env)), Evaluator(dict(env))
        assert same_exactly(new.eval(expr), _old_eval(old, expr)), expr
        assert same_exactly(new.eval(expr), new.eval(expr)), expr         # a second time, from the routes


def test_routes_follow_the_evaluator_class_and_own_definitions():
    from sympy import Integer, Symbol

    from derive.numeric import EvalError, Evaluator

    class Doubling(Evaluator):
        def _Integer(self, e):
            return Fraction(2 * int(e))

    class Unknown(Symbol):
        pass

    class OwnDefinition(Symbol):
        def _numeric(self, ev):
            return Fraction(42)

    env = {Symbol("x"): Fraction(1)}
    assert Evaluator(env).eval(Integer(5)) == 5
    assert Doubling(env).eval(Integer(5)) == 10           # a subclass's override, not the base's route
    assert Doubling(env).eval(Integer(1) + Symbol("x")) == 3
    assert Evaluator(env).eval(OwnDefinition("q")) == 42
    u = Unknown("u")
    with pytest.raises(EvalError, match="no value for u"):          # Symbol's method, through the mro
        Evaluator(env).eval(u)
    with pytest.raises(EvalError, match="no value for z"):
        Evaluator(env).eval(Symbol("z"))


def test_an_undefined_functions_class_is_not_hashed_to_evaluate_it(monkeypatch):
    """Hashing f's class builds a set of its argument counts; the routes go by identity."""
    from sympy import Function, Symbol
    from sympy.core.function import UndefinedFunction

    from derive.numeric import Evaluator

    f = Function("f")
    expr = f(Symbol("x"))
    ev = Evaluator(_env())
    ev.eval(expr)                       # routed once
    calls = []
    real = UndefinedFunction.__hash__
    monkeypatch.setattr(UndefinedFunction, "__hash__", lambda cls: calls.append(cls) or real(cls))
    assert ev.eval(expr) == Evaluator(_env()).eval(expr)
    assert not calls


def test_small_integers_evaluate_to_the_same_fractions():
    from sympy import Integer, S

    from derive.numeric import Evaluator

    ev = Evaluator({})
    for k in [*range(-1100, 1100, 7), 10 ** 9, -(10 ** 12), 0, 1, -1]:
        v = ev.eval(Integer(k))
        assert type(v) is Fraction and v == Fraction(k)
    for one in (S.One, S.Zero, S.NegativeOne, S.Half):
        v = ev.eval(one)
        assert type(v) is Fraction and v == Fraction(int(one.p), int(one.q))


def _old_add(d, o):
    from derive.numeric import _dual

    o = _dual(o)
    return type(d)(d.a + o.a, d.b + o.b)


def _old_mul(d, o):
    from derive.numeric import _dual

    o = _dual(o)
    return type(d)(d.a * o.a, d.a * o.b + d.b * o.a)


def test_dual_arithmetic_with_rationals_is_the_old_arithmetic():
    from derive.numeric import Dual

    rng = random.Random(5)

    def number():
        k = rng.randrange(4)
        if k == 0:
            return Fraction(rng.randint(-9, 9), rng.randint(1, 5))
        if k == 1:
            return rng.randint(-4, 4)
        if k == 2:
            return mpmath.mpf(rng.randint(-9, 9)) / 7
        return Dual(Fraction(rng.randint(-9, 9), 2), Fraction(rng.randint(-3, 3)))

    for _ in range(3000):
        d = Dual(number(), number())
        for o in (number(), Fraction(rng.randint(-9, 9), rng.randint(1, 4)), rng.randint(-3, 3)):
            assert same_exactly(d + o, _old_add(d, o)), (d, o)
            assert same_exactly(o + d, _old_add(d, o)), (d, o)
            assert same_exactly(d * o, _old_mul(d, o)), (d, o)
            assert same_exactly(o * d, _old_mul(d, o)), (d, o)


def _old_merge(m1, m2):
    from derive.moments import _key_order

    powers = dict(m1)
    for k, p in m2:
        powers[k] = powers.get(k, 0) + p
    return tuple(sorted(powers.items(), key=_key_order))


def test_remembered_monomial_products_are_the_old_products():
    from sympy import IndexedBase, Symbol

    from derive import moments

    rng = random.Random(9)
    bases = [Symbol("m"), Symbol("z"), IndexedBase("x"), IndexedBase("eps")]

    def monomial():
        items = {}
        for _ in range(rng.randint(0, 3)):
            kind = rng.choice(["x", "relu", "step"])
            base = rng.choice(bases)
            index = None if isinstance(base, Symbol) else rng.randint(1, 3)
            items[(kind, base, index)] = rng.randint(1, 3)
        return tuple(sorted(items.items(), key=moments._key_order))

    moments._MERGED.clear()
    for _ in range(2000):
        m1, m2 = monomial(), monomial()
        assert moments._merge(m1, m2) == _old_merge(m1, m2)
        assert moments._merge(m1, m2) == _old_merge(m1, m2)         # remembered
    assert moments._MERGED

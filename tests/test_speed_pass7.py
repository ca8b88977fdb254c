"""Issue 13, seventh pass: each speed change gives what the code it replaces gave.

- ``mexpand`` of a product SymPy's ``expand`` and canonical form leave as they are (wᵀx, XᵀXw,
  η gᵀg) skips them, and its transpose is built directly: the same expression (``srepr``) as
  ``canonical_transposes(expand(e.doit()), prefer)``, on products it accepts and on products
  it must refuse (sums, powers, inverses, identities, equal neighbours, a coefficient that
  expands).
"""
from __future__ import annotations

import random

import pytest


def _slow_mexpand(e, prefer):
    """The code the fast path replaces."""
    from sympy import expand

    from derive.rules.matrix import canonical_transposes

    return canonical_transposes(expand(e.doit()), prefer)


def _symbols():
    from sympy import MatrixSymbol, Symbol, symbols

    n, d = symbols("n d", integer=True, positive=True)
    eta, mu = symbols("eta mu", positive=True)
    t = Symbol("t")                     # no assumptions
    return {
        "n": n, "d": d, "eta": eta, "mu": mu, "t": t,
        "A": MatrixSymbol("A", d, d), "B": MatrixSymbol("B", d, d), "X": MatrixSymbol("X", n, d),
        "w": MatrixSymbol("w", d, 1), "v": MatrixSymbol("v", d, 1), "y": MatrixSymbol("y", n, 1),
        "c": MatrixSymbol("c", 1, 1), "S": MatrixSymbol("S", 3, 3), "u": MatrixSymbol("u", 3, 1),
    }


def _coefficients(s):
    from sympy import Rational, sqrt

    eta, mu, t = s["eta"], s["mu"], s["t"]
    plain = [None, 2, -1, Rational(1, 3), Rational(-5, 2), eta, eta**2, -2 * eta * mu, 1 / eta,
             mu / (2 * eta), t, t**3 * eta]
    refused = [1, 0, eta + 1, sqrt(eta), eta**Rational(1, 2) * mu, (eta - mu) ** 2]
    return plain, refused


def _random_product(rng, s):
    """A chain of factors with matching shapes, sometimes with a factor SymPy would rewrite."""
    from sympy import Identity, Inverse, MatAdd, MatPow, Transpose

    A, B, X, w, v, y, c = (s[k] for k in "ABXwvyc")
    squares = [A, B, Transpose(A), Transpose(B), "XtX"]
    odd = [Identity(s["d"]), Inverse(A), MatPow(A, 2), MatAdd(A, B), Transpose(MatAdd(A, B))]
    chain = []
    for _ in range(rng.randint(0, 4)):
        pick = rng.choice(squares) if rng.random() < 0.9 else rng.choice(odd)
        chain += [Transpose(X), X] if pick == "XtX" else [pick]
    if rng.random() < 0.15 and chain:
        chain.insert(rng.randrange(len(chain)), chain[rng.randrange(len(chain))])   # maybe equal neighbours
    left = rng.choice([None, Transpose(w), Transpose(v), "Xrow"])
    right = rng.choice([None, w, v, MatAdd(w, v)] if rng.random() < 0.2 else [None, w, v])
    if left == "Xrow":
        chain = [Transpose(y), X] + chain
    elif left is not None:
        chain = [left] + chain
    if right is not None:
        chain = chain + [right]
    if not chain:
        chain = [rng.choice([c, w, Transpose(w), A])]
    return chain


@pytest.mark.parametrize("seed", range(6))
def test_mexpand_of_plain_products_is_what_sympy_gives(seed):
    from sympy import MatMul, Transpose, srepr

    from derive.rules import matrix
    from derive.rules.matrix import _mexpand, _plain_product, _plain_transpose

    rng = random.Random(seed)
    s = _symbols()
    plain, refused = _coefficients(s)
    accepted = 0
    for _ in range(60):
        chain = _random_product(rng, s)
        coeff = rng.choice(plain + refused[:2] if rng.random() < 0.8 else refused)
        args = ([coeff] if coeff is not None else []) + chain
        e = MatMul(*args)
        if not getattr(e, "is_Matrix", False):
            continue
        prefer = rng.choice([None, s["w"], s["v"], s["A"], s["X"]])
        fast = _mexpand(e, prefer)
        assert srepr(fast) == srepr(_slow_mexpand(e, prefer)), e
        if _plain_product(e):
            accepted += 1
            assert srepr(_plain_transpose(e)) == srepr(Transpose(e).doit()), e
            assert srepr(e.doit()) == srepr(e)
    assert accepted >= 10               # the fast path is exercised
    matrix._EXPANDED.clear()


def test_products_sympy_would_rewrite_are_refused():
    from sympy import Identity, Inverse, MatAdd, MatMul, MatPow, Rational, Transpose, sqrt

    from derive.rules.matrix import _plain_product

    s = _symbols()
    A, B, w, v, X = (s[k] for k in "ABwvX")
    eta = s["eta"]
    refused = [
        MatMul(A, A), MatMul(Transpose(w), A, A, w), MatMul(w, Transpose(w), Transpose(w)),  # a power
        MatMul(1, A, B), MatMul(0, A, B), MatMul(eta + 1, A, w), MatMul(sqrt(eta), A, w),
        MatMul(Rational(2), MatMul(A, B)), MatMul(A, eta, B), MatMul(A), MatMul(Identity(s["d"]), A),
        MatMul(Inverse(A), A), MatMul(MatPow(A, 2), w), MatMul(MatAdd(A, B), w), MatMul(2, MatAdd(A, B)),
        MatMul(Transpose(MatMul(A, B)), w), MatMul(Transpose(Transpose(A)), B),
        A, Transpose(w), MatAdd(MatMul(A, w), v),
    ]
    for e in refused:
        assert not _plain_product(e), e
    for e in [MatMul(Transpose(w), v), MatMul(2, A, w), MatMul(-eta**2, Transpose(X), X, w),
              MatMul(eta / 3, Transpose(w), A, Transpose(A), v), MatMul(eta, A)]:
        assert _plain_product(e), e


def test_mexpand_gives_the_same_answers_on_the_banks_kind_of_products():
    """Products the bank expands (ridge, an SGD step, the online-learning regret), against the
    code the fast path replaces."""
    from sympy import MatAdd, MatMul, Rational, Transpose, srepr

    from derive.rules import matrix
    from derive.rules.matrix import _mexpand

    s = _symbols()
    A, X, w, v, y = (s[k] for k in "AXwvy")
    eta, n = s["eta"], s["n"]
    cases = [
        MatMul(Transpose(w), Transpose(X), X, w),
        MatMul(Rational(1, 2), Transpose(v), A, v),
        MatMul(-2 * eta, Transpose(y), X, w),
        MatMul(Transpose(MatAdd(MatMul(X, w), -y)), MatAdd(MatMul(X, w), -y)),
        MatMul(2 / n, Transpose(X), MatAdd(MatMul(X, w), -y)),
        MatMul(eta**2, Transpose(v), Transpose(A), A, v),
        MatMul(Transpose(X), X),
    ]
    for e in cases:
        for prefer in (None, w, v):
            matrix._EXPANDED.clear()
            assert srepr(_mexpand(e, prefer)) == srepr(_slow_mexpand(e, prefer)), (e, prefer)
    matrix._EXPANDED.clear()

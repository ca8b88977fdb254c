"""The fast paths of ``numeric`` (issue 13) give exactly what plain Fraction and Dual arithmetic
gives: the same values and the same types, entry by entry."""
import random
from fractions import Fraction

from derive.numeric import Dual, mat, mmul


def reference(a, b):
    """mmul as it was: k Fraction (or Dual) products and sums per entry."""
    out = []
    for r in a:
        row = []
        for c in zip(*b):
            acc = Fraction(0)
            for x, y in zip(r, c):
                acc = acc + x * y
            row.append(acc)
        out.append(row)
    return mat(out)


def entry(rng, dual_rate):
    x = Fraction(rng.randint(-9, 9), rng.randint(1, 7))
    if rng.random() < dual_rate:
        return Dual(x, Fraction(rng.randint(-3, 3), rng.randint(1, 4)))
    return x if rng.random() < 0.9 else rng.randint(-5, 5)


def same(p, q):
    assert p.shape == q.shape
    for rp, rq in zip(p, q):
        for x, y in zip(rp, rq):
            assert type(x) is type(y), (x, y)
            if isinstance(x, Dual):
                assert (x.a, x.b) == (y.a, y.b) and type(x.a) is type(y.a) and type(x.b) is type(y.b)
            else:
                assert x == y


def test_mmul_matches_fraction_and_dual_arithmetic():
    rng = random.Random(13)
    for trial in range(400):
        n, k, m = rng.randint(1, 4), rng.randint(0, 4), rng.randint(1, 4)
        rate = (0.0, 0.2, 1.0)[trial % 3]
        a = mat([[entry(rng, rate) for _ in range(k)] for _ in range(n)]) if k else mat([[] for _ in range(n)])
        b = mat([[entry(rng, rate) for _ in range(m)] for _ in range(k)])
        if k == 0:
            continue
        same(mmul(a, b), reference(a, b))


def test_mmul_of_other_numbers_takes_the_plain_path():
    import mpmath

    a = mat([[mpmath.mpf(1) / 3, Fraction(1, 2)]])
    b = mat([[Fraction(3)], [Dual(Dual(Fraction(1), Fraction(1)), Fraction(0))]])
    assert str(mmul(a, b)) == str(reference(a, b))


def test_sums_and_products_of_rationals_match_fraction_arithmetic():
    import sympy

    from derive.numeric import Evaluator

    rng = random.Random(7)
    xs = sympy.symbols("x0:6")
    for _ in range(300):
        env = {x: (Fraction(rng.randint(-20, 20), rng.randint(1, 12)) if rng.random() < 0.8 else rng.randint(-4, 4))
               for x in xs}
        k = rng.randint(2, 6)
        chosen = rng.sample(xs, k)
        total, product = Fraction(0), Fraction(1)
        for x in chosen:
            total, product = total + env[x], product * env[x]
        ev = Evaluator(env)
        for expr, want in ((sympy.Add(*chosen, evaluate=False), total), (sympy.Mul(*chosen, evaluate=False), product)):
            got = ev.eval(expr)
            assert got == want and type(got) is Fraction, (expr, got, want)
    d = Dual(Fraction(2), Fraction(1))
    ev = Evaluator({xs[0]: Fraction(1, 3), xs[1]: d, xs[2]: Fraction(5)})
    got = ev.eval(sympy.Mul(*xs[:3], evaluate=False))
    assert isinstance(got, Dual) and (got.a, got.b) == (Fraction(10, 3), Fraction(5, 3))
    got = ev.eval(sympy.Add(*xs[:3], evaluate=False))
    assert isinstance(got, Dual) and (got.a, got.b) == (Fraction(22, 3), Fraction(1))

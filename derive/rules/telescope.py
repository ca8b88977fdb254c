"""Sums in a chain of bounds (``rules/bounds.py``): sums split term by term with constants pulled
out, and telescoping, c·Σ_{i=lo}^{hi} f(i) − c·Σ_{i=lo}^{hi} f(i + 1) = c·(f(lo) − f(hi + 1)) for any
summand f (a family member a[i − 1], a function value r(i)², i·a[i]). The ``telescope`` step is
an equality, certified like any other at random instances.
"""
from __future__ import annotations

from .tidy import tidy


def terms_apart(e):
    """Σ(a + b) = Σa + Σb and constants out of sums, term by term (not recombined)."""
    from sympy import expand

    from .tidy import pull_constants_out_of_sums

    return pull_constants_out_of_sums(expand(e))


def split_sums(e):
    """Σ(a + b) = Σa + Σb and constants out of sums, then the usual scalar tidying."""
    from sympy import expand

    from .tidy import pull_constants_out_of_sums

    return tidy(pull_constants_out_of_sums(expand(e)))


def telescope(e):
    """c·Σ_{i=lo}^{hi} f(i) − c·Σ_{i=lo}^{hi} f(i + 1)  →  c·(f(lo) − f(hi + 1)), for any summand f
    (a family member a[i − 1], a function value r(i)², …) once the sums are split and constants
    pulled out; None when no such pair is present."""
    from sympy import Add, expand

    from .tidy import pull_constants_out_of_sums

    for split in (pull_constants_out_of_sums(expand(e)), pull_constants_out_of_sums(e)):
        found = _telescoping_pair(list(Add.make_args(split)))
        if found is not None:
            return found
    return None


def _telescoping_pair(terms):
    from sympy import Add

    for k, t in enumerate(terms):
        c1, s1 = _coefficient_and_sum(t)
        if s1 is None:
            continue
        (i, lo, hi), = s1.limits
        f = s1.function
        for m, t2 in enumerate(terms):
            c2, s2 = _coefficient_and_sum(t2)
            if m == k or s2 is None or s2.limits != s1.limits or tidy(c1 + c2) != 0:
                continue
            if tidy(s2.function - f.xreplace({i: i + 1})) != 0:
                continue
            rest = [x for j, x in enumerate(terms) if j not in (k, m)]
            ends = c1 * (f.xreplace({i: lo}) - f.xreplace({i: hi + 1}))
            return tidy(Add(*rest) + ends) if rest else ends
    return None


def _coefficient_and_sum(t):
    from sympy import Mul, Sum

    sums = [f for f in Mul.make_args(t) if isinstance(f, Sum)]
    if len(sums) != 1 or len(sums[0].limits) != 1:
        return None, None
    return Mul(*[f for f in Mul.make_args(t) if not isinstance(f, Sum)]), sums[0]

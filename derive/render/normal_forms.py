"""Human normal forms: how an expression is *shown*, never what it is.

Where it sits: ``printing.latex`` and ``printing.text`` pass every expression through
``normal_form`` before printing it, so every format shows the same forms. The derivation's own
expressions (what was certified) are never changed: this returns a new expression of the same
value, built only by rewrites that hold for every value of the symbols (checked in
``tests/test_normal_forms.py`` at random instances of every expression of the bank):

- a minus sign goes into a binomial factor whose constant is negative: −(ηλ − 1)w₀ is shown as
  (1 − ηλ)w₀, and −1/(a − 1) as 1/(1 − a);
- a common numeric factor of a sum inside a product comes out, so it cancels with the product's
  own numbers: η(2a + 2b)/(2n) is shown as η(a + b)/n;
- square roots multiply into one radical over a fraction when that is valid for the symbols'
  declared signs: √(1 − p)/√p is shown as √((1 − p)/p) for p > 0, √a·√(1/(1 − a)) as
  √(a/(1 − a)) for a ≥ 0.

Anything the rules do not match is returned as it is (the same object), so an author's order
kept with ``evaluate=False`` survives.
"""
from __future__ import annotations

from functools import lru_cache, reduce
from math import gcd

from sympy import Add, Basic, Integer, MatAdd, MatMul, Mul, Pow, Rational, S

_UNEVALUATED = (Add, Mul, Pow, MatAdd, MatMul)


def normal_form(expr):
    """The expression as a reader should see it, equal in value to ``expr``."""
    if not isinstance(expr, Basic):
        return expr
    try:
        return _normal(expr)
    except (TypeError, ValueError, AttributeError, NotImplementedError):
        return expr                   # a node that cannot be rebuilt is shown as it is


@lru_cache(maxsize=4096)
def _normal(expr):
    if expr.is_Atom or not expr.args:
        return expr
    args = tuple(_normal(a) if isinstance(a, Basic) else a for a in expr.args)
    if args != expr.args:
        keep = isinstance(expr, _UNEVALUATED) and not _canonical(expr)
        expr = expr.func(*args, evaluate=False) if keep else expr.func(*args)
    if isinstance(expr, MatMul) and (single := _one_by_one(expr)) is not None:
        return single
    if isinstance(expr, Mul):           # MatMul too (a subclass of Mul)
        return _radicals(_content(_sign_into_binomial(expr)))
    return expr


def _one_by_one(expr):
    """``t·[−2/c]``, a product of scalars and explicit 1×1 matrices, as the 1×1 matrix of its
    product (−2t/c), which prints as that entry; None for any other product."""
    from sympy import ImmutableMatrix
    from sympy.matrices import MatrixBase

    coeff, mats = expr.as_coeff_matrices()
    if not mats or not all(isinstance(m, MatrixBase) and m.shape == (1, 1) for m in mats):
        return None
    from sympy.core.parameters import distribute

    with distribute(False):             # 2·[a + b] is 2(a + b), not 2a + 2b
        entry = Mul(coeff, *(m[0, 0] for m in mats))
    return ImmutableMatrix([[_normal(entry)]])


def _canonical(expr) -> bool:
    """Were the arguments in SymPy's own order (so rebuilding may sort them again), rather than
    an author's order kept with ``evaluate=False``?"""
    from functools import cmp_to_key

    from sympy.core.sorting import default_sort_key

    args = list(expr.args)
    if isinstance(expr, (MatAdd, MatMul)):
        return isinstance(expr, MatMul) or args == sorted(args, key=default_sort_key)
    if isinstance(expr, Pow):
        return True
    return args == sorted(args, key=cmp_to_key(Basic.compare))


# ---------------------------------------------------------------- −(x − 1) -> (1 − x)


def _negative_constant(term) -> bool:
    """A binomial ``x − c`` with a number ``c > 0`` and a positive ``x`` (λ − 1, ηλ − 1)."""
    if not isinstance(term, Add) or len(term.args) != 2:
        return False
    constants = [a for a in term.args if a.is_Number]
    others = [a for a in term.args if not a.is_Number]
    return (len(constants) == 1 and constants[0].is_negative and bool(others)
            and not any(a.could_extract_minus_sign() for a in others))


def _binomial_factors(args) -> list[int]:
    """Positions of factors ``A`` or ``A⁻¹`` with ``A`` a sum that reads better negated."""
    out = []
    for i, f in enumerate(args):
        base = f.base if isinstance(f, Pow) and f.exp in (S.NegativeOne,) else f
        if _negative_constant(base):
            out.append(i)
    return out


def _flip(f):
    if isinstance(f, Pow):
        return Pow(_flip(f.base), f.exp)
    return Add(*[-a for a in f.args])


def _split(expr):
    """A product as (scalar factors, matrix factors)."""
    if isinstance(expr, MatMul):
        coeff, mats = expr.as_coeff_matrices()
        return list(Mul.make_args(coeff)), list(mats)
    return list(expr.args), []


def _join(expr, scalars, mats):
    if isinstance(expr, MatMul):
        return MatMul(Mul(*scalars), *mats).doit(deep=False) if mats else Mul(*scalars)
    return Mul(*scalars)


def _sign_into_binomial(expr):
    scalars, mats = _split(expr)
    coefficient = Mul(*[a for a in scalars if a.is_Number])
    if not coefficient.is_negative:
        return expr
    where = _binomial_factors(scalars)
    if len(where) != 1:
        return expr
    i = where[0]
    rest = [a for k, a in enumerate(scalars) if k != i and not a.is_Number]
    return _join(expr, [-coefficient, _flip(scalars[i])] + rest, mats)


# ---------------------------------------------------------------- η(2a + 2b)/(2n) -> η(a + b)/n


def _term_coefficient(term) -> Rational:
    if isinstance(term, MatMul):
        coeff = term.as_coeff_mmul()[0]
        coeff = coeff if coeff.is_Number else coeff.as_coeff_Mul()[0]
    else:
        coeff = term.as_coeff_Mul()[0]
    return coeff if coeff.is_Rational else Integer(1)


def _common_content(terms) -> Rational:
    coeffs = [_term_coefficient(t) for t in terms]
    if any(c == 0 for c in coeffs):
        return Integer(1)
    num = reduce(gcd, (abs(int(c.p)) for c in coeffs))
    den = reduce(lambda p, q: p * q // gcd(p, q), (int(c.q) for c in coeffs))
    return Rational(num, den)


def _content(expr):
    """Take a common number out of the one sum among the factors of a product."""
    if not isinstance(expr, (Mul, MatMul)):
        return expr
    scalars, mats = _split(expr)
    factors = scalars + mats
    sums = [i for i, a in enumerate(factors) if isinstance(a, (Add, MatAdd))]
    if len(sums) != 1 or len(factors) < 2:
        return expr
    i = sums[0]
    content = _common_content(factors[i].args)
    if not content.is_Integer or content <= 1:      # 2(a + b), never (a + b)/2 from (a/2 + b/2)
        return expr
    inner = factors[i].func(*[t / content for t in factors[i].args])
    if i < len(scalars):
        return _join(expr, scalars[:i] + [content, inner] + scalars[i + 1:], mats)
    k = i - len(scalars)
    return _join(expr, scalars + [content], mats[:k] + [inner] + mats[k + 1:])


# ---------------------------------------------------------------- √A/√B -> √(A/B)


def _radicals(expr):
    """Several square roots of a product as one, when the signs make that valid."""
    if not isinstance(expr, Mul):
        return expr
    roots = [a for a in expr.args if isinstance(a, Pow) and a.exp in (S.Half, -S.Half)]
    if len(roots) < 2:
        return expr
    below = [r for r in roots if r.exp == -S.Half]
    above = [r for r in roots if r.exp == S.Half]
    if not all(r.base.is_positive for r in below):
        return expr                   # √A/√B = √(A/B) needs B > 0
    if sum(1 for r in above if not r.base.is_nonnegative) > 1:
        return expr                   # √A·√B = √(AB) needs A ≥ 0 or B ≥ 0
    inside = Mul(*[r.base for r in above]) / Mul(*[r.base for r in below])
    rest = [a for a in expr.args if a not in roots]
    root = Pow(_normal(inside), S.Half, evaluate=False)
    return Mul(*rest, root, evaluate=False) if rest else root


__all__ = ["normal_form"]

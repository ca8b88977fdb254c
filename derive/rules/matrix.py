"""Matrix algebra rules SymPy lacks: expansion with canonical 1×1 transposes, collecting a
linear unknown (keeping factor order), solving A w = b, absorbing scalars into an inverse,
abbreviations and specialisation of a matrix result to one dimension.
"""
from __future__ import annotations

from ..errors import RuleError


def is_matrix(e) -> bool:
    return bool(getattr(e, "is_Matrix", False))


_EXPANDED: dict = {}        # (expression, prefer) -> mexpand's result, for this process
_EXPANDED_LIMIT = 20_000


def mexpand(e, prefer=None):
    """Expand products over sums and transposes over products, then combine 1×1 terms that are
    transposes of each other, oriented so that ``prefer`` (an unknown) comes first.

    Remembered: the rules expand the same expressions again and again (``expose_scalar``
    re-expands every 1×1 product until nothing changes, so its last round expands only
    expressions already expanded): 627 calls over the bank, 289 distinct. The result depends
    only on the expression (no Dummy is created, so later Dummies and the hash order they set
    are as before)."""
    try:
        return _EXPANDED[(e, prefer)]
    except KeyError:
        pass
    except TypeError:                       # unhashable: expanded every time
        return _mexpand(e, prefer)
    out = _mexpand(e, prefer)
    if len(_EXPANDED) >= _EXPANDED_LIMIT:
        _EXPANDED.clear()
    _EXPANDED[(e, prefer)] = out
    return out


def _mexpand(e, prefer=None):
    from sympy import expand

    if not is_matrix(e):
        return expand(e)
    if _plain_product(e):               # expand(e.doit()) gives e back: skip SymPy's walks
        if e.shape != (1, 1):
            return e                    # as canonical_transposes returns it
        # canonical_transposes(e): the oriented term, which MatAdd(term).doit() gives back
        return _orient(e, prefer, _plain_transpose(e))
    out = expand(e.doit())
    return canonical_transposes(out, prefer)


def _plain_product(e) -> bool:
    """Whether ``e`` is a product that ``expand(e.doit())`` returns unchanged, read from its
    form alone: an optional first coefficient that is a monomial (a rational other than 0 and
    1, commutative symbols, their integer powers), then at least one factor, each a matrix
    symbol or the transpose of one with plain dimensions, no two neighbours alike. Then no hint
    of ``expand`` and no rule of ``MatMul``'s canonical form applies: there is no sum to
    distribute, no power, inverse, identity, zero, ones or explicit matrix, no nested product,
    a single coefficient already in front, and no equal neighbours to combine into a power.
    Over the bank 132 of mexpand's 289 distinct calls are such products (wᵀx, XᵀXw, ηgᵀg);
    anything else goes through SymPy as before."""
    from sympy import MatMul, MatrixSymbol, Transpose

    if type(e) is not MatMul:
        return False
    args = e.args
    if args[0].is_Matrix:
        coeff, factors = None, args
        if len(factors) < 2:            # a product of one factor is unpacked
            return False
    else:
        coeff, factors = args[0], args[1:]
        if not factors or not _monomial_coefficient(coeff):
            return False
    previous = None
    for f in factors:
        kind = type(f)
        if kind is Transpose:
            inner = f.args[0]
            if type(inner) is not MatrixSymbol or not _plain_dimensions(inner):
                return False
        elif kind is not MatrixSymbol or not _plain_dimensions(f):
            return False
        if f == previous:
            return False
        previous = f
    return True


def _plain_transpose(e):
    """``Transpose(e).doit()`` of a product ``_plain_product`` accepts: the factors reversed and
    each transposed (Xᵀ for X, X for Xᵀ), the coefficient in front, which is what SymPy's
    ``MatMul._eval_transpose`` builds and its canonical form leaves as it is (the reversed
    product is again such a product)."""
    from sympy import MatMul, Transpose

    args = e.args
    coeff = [] if args[0].is_Matrix else [args[0]]
    factors = args[len(coeff):]
    flipped = [f.args[0] if type(f) is Transpose else Transpose(f) for f in reversed(factors)]
    return MatMul(*coeff, *flipped)


def _plain_dimensions(m) -> bool:
    return all(x.is_Integer or x.is_Symbol for x in m.shape)


def _monomial_coefficient(c) -> bool:
    """A product of a rational and commutative symbols to integer powers, not 0 or 1."""
    from sympy import Mul, Pow, Rational, Symbol

    if c.is_Rational:
        return c != 0 and c != 1
    for f in (c.args if type(c) is Mul else (c,)):
        if isinstance(f, Rational):
            continue
        if type(f) is Pow:
            base, power = f.args
            if not power.is_Integer:
                return False
            f = base
        if not isinstance(f, Symbol) or f.is_commutative is not True:
            return False
    return True


def _as_terms(e):
    from sympy import MatAdd

    return list(e.args) if isinstance(e, MatAdd) else [e]


def _orient(term, prefer, flipped=None):
    """Of a 1×1 term and its transpose (``flipped``, when the caller has it), the one that
    reads with ``prefer`` first (else the one that sorts first)."""
    from sympy import Transpose

    if term.shape != (1, 1):
        return term
    if flipped is None:
        flipped = Transpose(term).doit()
    cands = [term, flipped]

    from .tidy import text

    def key(t):
        pos = _first_position(t, prefer) if prefer is not None else 0
        return (pos, text(t))

    return min(cands, key=key)


def _first_position(t, sym):
    from sympy import MatMul, Transpose

    _, mats = t.as_coeff_matrices() if isinstance(t, MatMul) else (1, [t])
    for i, m in enumerate(mats):
        if m == sym or m == Transpose(sym):
            return i
    return 99


def canonical_transposes(e, prefer=None):
    from sympy import MatAdd

    if not is_matrix(e) or e.shape != (1, 1):
        return e
    terms = [_orient(t, prefer) for t in _as_terms(e)]
    return MatAdd(*terms).doit()


def split_linear(e, unknown):
    """Write a matrix expression as A·u + c; return (A terms, c terms) or raise RuleError."""
    from sympy import Identity, MatMul

    coeff_terms, rest = [], []
    for term in _as_terms(e):
        if term.shape == (1, 1) and term.has(unknown):
            from sympy import Transpose

            flipped = Transpose(term).doit()  # a 1×1 term equals its transpose: put u last
            if _ends_with(flipped, unknown) and not _ends_with(term, unknown):
                term = flipped
        if not term.has(unknown):
            rest.append(term)
            continue
        if term == unknown:
            coeff_terms.append(Identity(unknown.shape[0]))
            continue
        if isinstance(term, MatMul):
            scalar, mats = term.as_coeff_matrices()
            if mats and mats[-1] == unknown and not any(m.has(unknown) for m in mats[:-1]) and not scalar.has(unknown):
                if len(mats) == 1:
                    coeff_terms.append(MatMul(scalar, Identity(unknown.shape[0])))
                else:
                    coeff_terms.append(MatMul(scalar, *mats[:-1]) if scalar != 1 else (MatMul(*mats[:-1]) if len(mats) > 2 else mats[0]))
                continue
        raise RuleError(f"the term {term} is not of the form A·{unknown}; cannot collect {unknown}")
    return coeff_terms, rest


def _ends_with(term, unknown) -> bool:
    from sympy import MatMul

    if term == unknown:
        return True
    return isinstance(term, MatMul) and term.args[-1] == unknown


def collect(eq, unknown):
    """(… terms in u …) = rhs  →  A u = b, with A = sum of left coefficients (order kept)."""
    from sympy import Eq, MatAdd, MatMul, ZeroMatrix

    from ..equivalence import residual

    r = mexpand(residual(eq), unknown)
    coeffs, rest = split_linear(r, unknown)
    if not coeffs:
        raise RuleError(f"{unknown} does not appear in the equation")
    a = coeffs[0] if len(coeffs) == 1 else MatAdd(*coeffs)
    if rest:
        b = MatMul(-1, MatAdd(*rest)).doit() if len(rest) > 1 else MatMul(-1, rest[0]).doit()
        b = mexpand(b)
    else:
        b = ZeroMatrix(*unknown.shape)
    return Eq(MatMul(a, unknown), b, evaluate=False), a, b


def solve_linear(a, b, unknown):
    """A u = b → u = A⁻¹ b (scalar-times-identity coefficients invert to a scalar)."""
    from sympy import Eq, Identity, Inverse, MatMul

    if getattr(a, "is_Identity", False):
        return Eq(unknown, b, evaluate=False)
    if isinstance(a, MatMul):
        scalar, mats = a.as_coeff_matrices()
        if len(mats) == 1 and isinstance(mats[0], Identity):
            return Eq(unknown, MatMul(1 / scalar, b).doit(), evaluate=False)
    return Eq(unknown, MatMul(Inverse(a), b).doit(), evaluate=False)


def scalars_out_of_inverses(e):
    """(c·A)⁻¹ → (1/c)·A⁻¹, and the inverse of a 1×1 product → 1/(that number); the scalars
    then combine: −Xᵀ(−XXᵀ/2)⁻¹t/2 → Xᵀ(XXᵀ)⁻¹t."""
    from sympy import Identity, Inverse, MatMul

    def rewrite(inv):
        inner = inv.arg
        if inner.shape == (1, 1):
            from .calculus import to_scalar

            return MatMul(1 / to_scalar(inner), Identity(1))
        if isinstance(inner, MatMul):
            coeff, mats = inner.as_coeff_matrices()
            if coeff != 1 and mats:
                rest = MatMul(*mats) if len(mats) > 1 else mats[0]
                return MatMul(1 / coeff, Inverse(rest))
        return inv

    out = e.replace(lambda x: isinstance(x, Inverse), rewrite)
    if out == e:
        return e
    out = out.doit()
    from sympy import MatMul as MM

    if isinstance(out, MM):  # drop the I₁ factors that stood for 1×1 inverses
        out = MM(*[a for a in out.args if not (isinstance(a, Identity) and a.shape == (1, 1))]).doit() \
            if out.shape != (1, 1) else out
    return out


def absorb_scalar(e):
    """A⁻¹·(c·B) → (A/c)⁻¹·B with A/c expanded: clears fractions like 1/n from the answer."""
    from sympy import Inverse, MatMul, expand

    if not isinstance(e, MatMul):
        return None
    scalar, mats = e.as_coeff_matrices()
    if scalar == 1 or not mats or not isinstance(mats[0], Inverse):
        return None
    inner = mexpand(MatMul(1 / scalar, mats[0].arg).doit())
    inner = expand(inner)
    new = MatMul(Inverse(inner), *mats[1:]).doit() if len(mats) > 1 else Inverse(inner)
    return new, scalar


def abbreviate(e, name, value):
    """Replace occurrences of ``value`` (a sum or any subexpression) in ``e`` by ``name``."""
    from sympy import MatAdd, MatMul

    if e == value:
        return name
    if isinstance(value, MatAdd) and isinstance(e, MatAdd):
        want = list(value.args)
        have = list(e.args)
        if all(w in have for w in want):
            rest = [h for h in have if h not in want]
            return MatAdd(name, *[abbreviate(r, name, value) for r in rest]) if rest else name
        neg = [MatMul(-1, w).doit() for w in want]
        if all(w in have for w in neg):
            rest = [h for h in have if h not in neg]
            return MatAdd(MatMul(-1, name), *[abbreviate(r, name, value) for r in rest])
    if not e.args:
        return e
    new_args = [abbreviate(a, name, value) for a in e.args]
    if all(x is y for x, y in zip(new_args, e.args)):
        return e
    return e.func(*new_args)


def distribute_once(node):
    """A·(x + y)·B → A·x·B + A·y·B for the first sum factor of a product (one level only)."""
    from sympy import MatAdd, MatMul

    from ..expr.build_values import _madd, _mmul

    if not isinstance(node, MatMul):
        return None
    for i, f in enumerate(node.args):
        if isinstance(f, MatAdd):
            pre, post = node.args[:i], node.args[i + 1:]
            return _madd(*[_mmul(*pre, term, *post) for term in f.args])
    return None


def regroup(e, name, value, limit: int = 12):
    """Distribute products one level at a time wherever that lets ``value`` be abbreviated as
    ``name`` (a greedy search; e.g. X(w₀ − c·Xᵀ(Xw₀ − t)) − t → a − c·XXᵀa). A distribution is
    kept only if it lowers the number of leftover occurrences of the symbols inside ``value``."""
    from sympy import MatMul

    from .tidy import text

    def leftover(x):
        return sum(x.count(s) for s in value.free_symbols)

    best = abbreviate(_flatten_sums(e), name, value)
    for _ in range(limit):
        improved = False
        for node in sorted({n for n in _preorder(best) if isinstance(n, MatMul)}, key=lambda n: (len(text(n)), text(n))):
            new = distribute_once(node)
            if new is None:
                continue
            cand = abbreviate(_flatten_sums(best.xreplace({node: new})), name, value)
            if leftover(cand) < leftover(best):
                best, improved = cand, True
                break
        if not improved:
            return best
    return best


def _preorder(e):
    yield e
    for a in e.args:
        yield from _preorder(a)


def _flatten_sums(e):
    """Rebuild bottom-up with flat sums and products (nested MatMul/MatAdd merged)."""
    from sympy import MatAdd, MatMul

    from ..expr.build_values import _madd, _mmul

    if not e.args:
        return e
    args = [_flatten_sums(a) for a in e.args]
    if isinstance(e, MatAdd):
        return _madd(*args)
    if isinstance(e, MatMul):
        return _mmul(*args)
    return e.func(*args) if any(a is not b for a, b in zip(args, e.args)) else e


def scalarize(e, dims: dict, renames: dict, scalars: dict):
    """A matrix expression whose sizes all become 1 (``dims``), as ordinary scalar algebra.

    ``renames`` maps a matrix symbol name to the scalar's name; ``scalars`` maps names to the
    scalar SymPy symbols to use."""
    from sympy import (Identity, Inverse, MatAdd, MatMul, MatPow, MatrixSymbol, Transpose, ZeroMatrix, Add, Mul,
                       Pow, S)

    from ..expr.objects import Scalar

    def go(x):
        if isinstance(x, MatrixSymbol):
            name = renames.get(str(x.name), str(x.name))
            if name not in scalars:
                raise RuleError(f"cannot specialise {x} to a scalar")
            return scalars[name]
        if isinstance(x, Identity):
            return S.One
        if isinstance(x, ZeroMatrix):
            return S.Zero
        if isinstance(x, Transpose):
            return go(x.arg)
        if isinstance(x, Inverse):
            return 1 / go(x.arg)
        if isinstance(x, MatMul):
            return Mul(*[go(a) for a in x.args])
        if isinstance(x, MatAdd):
            return Add(*[go(a) for a in x.args])
        if isinstance(x, MatPow):
            return Pow(go(x.base), x.exp)
        if isinstance(x, Scalar):
            return go(x.args[0])
        if not x.args:
            return x.subs(dims) if x in dims else x
        return x.func(*[go(a) for a in x.args])

    return go(e)

"""Rules for expectations and variances of expressions in random vectors and matrices.

A random array is a ``kind: random`` symbol with a shape (``spec_random.py``): a vector
x ~ N(μ, Σ) (or N(μ, σ²I), or the mean of B i.i.d. draws), or a matrix W with i.i.d. entries
N(M, s²). Scalars built from them are 1×1 products held in ``Scalar``. The rules:

- ``open_products``: E[Scalar(A + B)] → E[Scalar(A) + Scalar(B)] (inner products multiplied out);
- ``mean_of_linear``: E[Scalar(L x R)] → Scalar(L 𝔼[x] R) when each random array occurs once;
- ``second_moment``: E[Scalar(L x K xᵀ R)] and the other three arrangements of two occurrences
  of one array: the product of the means plus the covariance contracted with K;
- ``variance_of_linear``: Var[Σ uᵀx + c] = Σ uᵀ Cov[x] u over independent arrays;
- ``substitute_moments``: 𝔼[x] and Cov[x] by the declared distribution (Σ/B for a mean of B
  draws).

Each returns the new expression or None; the strategy records and certifies every step.
"""
from __future__ import annotations

from sympy import Add, Identity, MatMul, Mul, Pow, S, Trace, Transpose

from ..expr.objects import E, Cov, Mean, Scalar, Var
from .moments import _replace


class Arrays:
    """The spec's random vectors and matrices, by SymPy object."""

    def __init__(self, table):
        from ..spec_random import is_array

        self.info = {i.obj: i for i in table.symbols.values() if is_array(i)}

    def __bool__(self):
        return bool(self.info)

    def occurrences(self, mats):
        """Positions of random arrays (or their transposes) in a list of factors."""
        out = []
        for k, f in enumerate(mats):
            base = f.arg if isinstance(f, Transpose) else f
            if base in self.info:
                out.append((k, base, isinstance(f, Transpose)))
            elif any(s in self.info for s in getattr(f, "free_symbols", ())) and not _held(f):
                return None          # a random array inside a sum or an inverse: not a monomial
        return out

    def in_expr(self, e) -> bool:
        return any(s in self.info for s in _free_outside_moments(e))


def _held(f) -> bool:
    """A factor whose random arrays sit inside 𝔼[·] or Cov[·] (no longer random)."""
    return not any(True for _ in _free_outside_moments(f))


def _free_outside_moments(e):
    from sympy import MatrixSymbol

    if isinstance(e, (Mean, Cov, E, Var)):
        return
    if isinstance(e, MatrixSymbol):
        yield e
        return
    for a in getattr(e, "args", ()):
        yield from _free_outside_moments(a)


def _factors(m):
    """(coefficient, flat list of matrix factors) of a 1×1 matrix monomial."""
    if isinstance(m, MatMul):
        coeff, mats = m.as_coeff_matrices()
        return coeff, list(mats)
    return S.One, [m]


def _monomial(inner):
    """A product of powers of Scalar(·) (and deterministic scalars) as (coeff, factors), or None."""
    coeff, mats = S.One, []
    for f in Mul.make_args(inner):
        base, k = (f.base, f.exp) if isinstance(f, Pow) else (f, S.One)
        if isinstance(base, Scalar) and getattr(k, "is_Integer", False) and k > 0:
            c, fs = _factors(base.args[0])
            coeff *= c ** k
            mats += fs * int(k)
        elif isinstance(base, Scalar):
            return None
        else:
            coeff *= f
    return coeff, mats


def _product(mats):
    if not mats:
        return None
    return mats[0] if len(mats) == 1 else MatMul(*mats)


# -- E[Scalar(A + B)] -> E[Scalar(A) + Scalar(B)] ------------------------------------------------------
def open_products(e, arrays: Arrays):
    from .calculus import to_scalar
    from .matrix import mexpand

    def fn(x):
        inner = x.args[0]
        if not arrays.in_expr(inner):
            return None
        mapping = {}
        for s in inner.atoms(Scalar):
            if arrays.in_expr(s):
                opened = to_scalar(mexpand(s.args[0]))
                if opened != s:
                    mapping[s] = opened
        if not mapping:
            return None
        new = inner.xreplace(mapping)
        if isinstance(new, Pow) and isinstance(new.base, Add) or isinstance(new, Add):
            return x.func(new)
        from sympy import expand

        return x.func(expand(new))

    return _replace(e, lambda x: isinstance(x, (E, Var)), fn)


# -- E of a monomial ---------------------------------------------------------------------------------
def mean_of_linear(e, arrays: Arrays):
    """E[c·Scalar(L x R)] → c·Scalar(L 𝔼[x] R): each random array at most once (independent)."""
    def fn(x):
        mono = _monomial(x.args[0])
        if mono is None:
            return None
        coeff, mats = mono
        occ = arrays.occurrences(mats)
        if not occ or len({b for _, b, _ in occ}) != len(occ):
            return None
        for k, base, transposed in occ:
            mats[k] = Transpose(Mean(base)) if transposed else Mean(base)
        return coeff * Scalar(_product(mats))

    return _replace(e, lambda x: isinstance(x, E), fn)


def second_moment(e, arrays: Arrays):
    """E[c·Scalar(L r₁ K r₂ R)] with r₁, r₂ ∈ {x, xᵀ} the only random factors:
    the same product at the mean plus L·𝔼[(r₁ − 𝔼r₁) K (r₂ − 𝔼r₂)]·R."""
    facts = []

    def fn(x):
        mono = _monomial(x.args[0])
        if mono is None:
            return None
        coeff, mats = mono
        occ = arrays.occurrences(mats)
        if not occ or len(occ) != 2 or occ[0][1] != occ[1][1]:
            return None
        (i, base, t1), (j, _, t2) = occ
        info = arrays.info[base]
        left, middle, right = mats[:i], mats[i + 1:j], mats[j + 1:]
        at_mean = list(mats)
        for k, tr in ((i, t1), (j, t2)):
            at_mean[k] = Transpose(Mean(base)) if tr else Mean(base)
        outer = _contraction(info, base, t1, t2, middle)
        if outer is None:
            return None
        scalar_part, matrix_part = outer
        keep = matrix_part is not None and not (isinstance(matrix_part, Identity) and (left or right))
        ends = left + ([matrix_part] if keep else []) + right
        spread = scalar_part * (Scalar(_product(ends)) if ends else S.One)
        facts.append(base)
        return coeff * (Scalar(_product(at_mean)) + spread)

    out = _replace(e, lambda x: isinstance(x, E), fn)
    return out, facts


def _contraction(info, base, t1, t2, middle):
    """𝔼[(r₁ − 𝔼r₁) K (r₂ − 𝔼r₂)] as (scalar factor, matrix or None)."""
    from ..spec_random import entry_variance

    k = _product(middle)
    if info.shape[1] == 1:                       # a vector: its covariance Cov[x]
        sigma = Cov(base)
        if (t1, t2) == (True, False):            # xᵀ K x → tr(K Σ)
            return Trace(MatMul(k, sigma) if k is not None else sigma), None
        if (t1, t2) == (False, True):            # x K xᵀ → K Σ (K is 1×1)
            return (Scalar(k) if k is not None else S.One), sigma
        if k is None:
            return None
        if (t1, t2) == (False, False):           # x K x → Σ Kᵀ
            return S.One, MatMul(sigma, Transpose(k))
        return S.One, MatMul(Transpose(k), sigma)  # xᵀ K xᵀ → Kᵀ Σ
    s2 = entry_variance(info)                    # i.i.d. entries with variance s²
    rows, cols = info.shape
    if (t1, t2) == (False, True):                # W K Wᵀ → s² tr(K) I
        return s2 * (Trace(k) if k is not None else cols), Identity(rows)
    if (t1, t2) == (True, False):                # Wᵀ K W → s² tr(K) I
        return s2 * (Trace(k) if k is not None else rows), Identity(cols)
    if k is None:
        return None
    return s2, Transpose(k)                      # W K W or Wᵀ K Wᵀ → s² Kᵀ


# -- Var of a linear form ------------------------------------------------------------------------------
def variance_of_linear(e, arrays: Arrays):
    """Var[Σₖ cₖ Scalar(mₖ) + const] with each mₖ linear in one random array:
    Σ over arrays of uᵀ Cov[x] u (vectors) or s² Σₖₗ cₖcₗ (LₖLₗᵀ)(RₗᵀRₖ) (i.i.d. matrices)."""
    from sympy import expand

    def fn(x):
        inner = expand(x.args[0])
        groups: dict = {}
        for term in Add.make_args(inner):
            if not arrays.in_expr(term):
                continue
            mono = _monomial(term)
            if mono is None:
                return None
            coeff, mats = mono
            occ = arrays.occurrences(mats)
            if occ is None or len(occ) != 1:
                return None
            (k, base, transposed), = occ
            left, right = mats[:k], mats[k + 1:]
            if transposed:       # L xᵀ R = Rᵀ x Lᵀ (a 1×1 product equals its transpose)
                left, right = [Transpose(f) for f in reversed(right)], [Transpose(f) for f in reversed(left)]
            groups.setdefault(base, []).append((coeff, left, right))
        if not groups:
            return None
        total = S.Zero
        for base, terms in groups.items():
            total += _linear_variance(arrays.info[base], base, terms)
        return total

    return _replace(e, lambda x: isinstance(x, Var), fn)


def _linear_variance(info, base, terms):
    from sympy import MatAdd

    from ..spec_random import entry_variance

    if info.shape[1] == 1:
        # L x R with R 1×1: uᵀ = c·L·R
        vectors = []
        for coeff, left, right in terms:
            row = MatMul(coeff, *left, *right) if left or right else None
            if row is None:
                return None
            vectors.append(Transpose(row).doit())
        u = vectors[0] if len(vectors) == 1 else MatAdd(*vectors).doit()
        return Scalar(MatMul(Transpose(u).doit(), Cov(base), u))
    s2 = entry_variance(info)
    total = S.Zero
    for c1, l1, r1 in terms:
        for c2, l2, r2 in terms:
            lrow = Scalar(MatMul(*l1, *[Transpose(f) for f in reversed(l2)]).doit()) if l1 else S.One
            rcol = Scalar(MatMul(*[Transpose(f) for f in reversed(r2)], *r1).doit()) if r1 else S.One
            total += c1 * c2 * lrow * rcol
    return s2 * total


# -- the declared moments ----------------------------------------------------------------------------
def substitute_moments(e, arrays: Arrays):
    """𝔼[x] → its declared mean, Cov[x] → its covariance (Σ/B for a mean of B draws)."""
    from ..spec_random import covariance, draws

    mapping, used = {}, []
    for node in e.atoms(Mean, Cov):
        info = arrays.info.get(node.arg)
        if info is None:
            continue
        if isinstance(node, Mean):
            mapping[node] = info.dist[1]
        else:
            cov = covariance(info)
            count = draws(info)
            mapping[node] = MatMul(1 / count, cov) if count is not None else cov
        used.append((node, mapping[node], info))
    if not mapping:
        return None, []
    return e.xreplace(mapping), used


def tidy_products(e):
    """Multiply out the 1×1 products and simplify traces after the moments are put in."""
    from .calculus import to_scalar
    from .matrix import mexpand

    for _ in range(6):
        new = e.xreplace({s: to_scalar(mexpand(s.args[0])) for s in e.atoms(Scalar)})
        new = new.xreplace({t: simplify_trace(t) for t in new.atoms(Trace)})
        if new == e:
            return e
        e = new
    return e


def simplify_trace(t):
    """tr(c·A) → c·tr(A), tr(I_d) → d, tr(A + B) → tr A + tr B, tr(u vᵀ) → vᵀu (cyclic)."""
    from sympy import MatAdd, ZeroMatrix

    from .calculus import to_scalar

    arg = t.arg.doit()
    if isinstance(arg, MatAdd):
        return Add(*[simplify_trace(Trace(a)) for a in arg.args])
    if isinstance(arg, ZeroMatrix):
        return S.Zero
    coeff, mats = _factors(arg)
    mats = [m for m in mats if not isinstance(m, Identity)]
    if not mats:
        return coeff * arg.shape[0]
    if mats[0].shape[1] == 1 and len(mats) > 1 or mats[-1].shape[0] == 1 and len(mats) > 1:
        # rotate so that the product is 1×1: tr(a … bᵀ) = bᵀ a …  (a column first or a row last)
        for k in range(1, len(mats)):
            rotated = mats[k:] + mats[:k]
            if rotated[0].shape[0] == 1 and rotated[-1].shape[1] == 1:
                return coeff * to_scalar(MatMul(*rotated).doit())
    if coeff != 1:
        return coeff * Trace(_product(mats))
    return Trace(_product(mats))

"""Rules for expectations and variances of expressions in independent random variables.

Random variables are the spec's ``kind: random`` symbols and families (``m[j]``); families are
i.i.d. across their index and all declared variables are mutually independent. Each function
rewrites every matching node once and returns the new expression (or None if nothing matched),
plus words for the explanation where useful.
"""
from __future__ import annotations

from sympy import Add, Indexed, Integer, Mul, Pow, Rational, Sum
from sympy.core.relational import Relational

from ..expr.objects import E, Var, heaviside, relu


class RandomVars:
    """Knows which atoms are random and their distributions."""

    def __init__(self, table):
        self.by_obj = {info.obj: info for info in table.random_families()}

    def atoms(self, e) -> set:
        out = set()
        for a in e.atoms(Indexed):
            if a.base in self.by_obj:
                out.add(a)
        for s in e.free_symbols:
            if s in self.by_obj:
                out.add(s)
        return out

    def is_random(self, e) -> bool:
        return bool(self.atoms(e))

    def dist(self, atom):
        info = self.by_obj[atom.base if isinstance(atom, Indexed) else atom]
        return info.dist

    def latex_name(self, atom) -> str:
        return str(atom)


def _split(term, rv: RandomVars):
    """term = c · X with c deterministic: returns (c, X)."""
    det, rand = [], []
    for f in Mul.make_args(term):
        (rand if rv.is_random(f) else det).append(f)
    return Mul(*det), Mul(*rand)


def _replace(e, pred, fn):
    """Rewrite nodes matching ``pred`` (outermost first); None if none changed."""
    changed = False

    def walk(x):
        nonlocal changed
        if pred(x):
            new = fn(x)
            if new is not None and new != x:
                changed = True
                return new
        if not x.args or isinstance(x, (Sum,)) and False:
            return x
        args = [walk(a) for a in x.args]
        if any(a is not b for a, b in zip(args, x.args)):
            return _rebuild(x, args)
        return x

    out = walk(e)
    return out if changed else None


def _rebuild(x, args):
    """``x`` with new arguments. An equation (a ``show`` goal) is rebuilt as it stands: Eq's
    own evaluation tries to decide it, which costs tens of milliseconds on sums of moments
    and leaves it unchanged whenever it cannot decide."""
    if isinstance(x, Relational):
        return x.func(*args, evaluate=False)
    return x.func(*args)


def bias_variance(e, rv: RandomVars):
    def fn(x):
        inner = x.args[0]
        if not (isinstance(inner, Pow) and inner.exp == 2):
            return None
        base = inner.base
        rand = [t for t in Add.make_args(base) if rv.is_random(t)]
        const = [t for t in Add.make_args(base) if not rv.is_random(t)]
        if not rand or not const:
            return None
        y, c = Add(*rand), -Add(*const)
        return (E(y) - c) ** 2 + Var(y)

    return _replace(e, lambda x: isinstance(x, E), fn)


def linearity(e, rv: RandomVars):
    def fn(x):
        inner = x.args[0]
        if not rv.is_random(inner):
            return inner
        if isinstance(inner, Add):
            return Add(*[E(t) if rv.is_random(t) else t for t in inner.args])
        if isinstance(inner, Sum):
            return Sum(E(inner.function), *inner.limits)
        if isinstance(inner, Mul):
            c, r = _split(inner, rv)
            if c != 1:
                return c * E(r)
            if any(isinstance(f, (Add, Sum)) for f in Mul.make_args(r)):
                from sympy import expand

                ex = expand(r)
                if isinstance(ex, Add):
                    return E(ex)
        return None

    return _replace(e, lambda x: isinstance(x, E), fn)


def _independent_factors(x, rv: RandomVars):
    """Group the factors of a product into independent groups: factors that share a random
    variable (or a family) go together; distinct variables are independent. None if one group."""
    groups: list[tuple[set, list]] = []
    for f in Mul.make_args(x):
        bases = {a.base if isinstance(a, Indexed) else a for a in rv.atoms(f)}
        if not bases:
            return None                     # a deterministic factor: the caller splits those off
        joined = [g for g in groups if g[0] & bases]
        merged = (set(bases), [f])
        for g in joined:
            merged[0].update(g[0])
            merged[1].extend(g[1])
            groups.remove(g)
        groups.append(merged)
    return [Mul(*fs) for _, fs in groups] if len(groups) > 1 else None


def _parts_of(x, rv: RandomVars):
    """The independent factors of the product inside E(...) or Var(...), or None."""
    inner = x.args[0]
    return _independent_factors(inner, rv) if isinstance(inner, Mul) else None


def independence(e, rv: RandomVars):
    def fn(x):
        parts = _parts_of(x, rv)
        return None if parts is None else Mul(*[E(p) for p in parts])

    return _replace(e, lambda x: isinstance(x, E), fn)


def second_moment_of_sum(e, rv: RandomVars):
    """E[S²] = Var(S) + E[S]² for a sum S of random terms over an index."""
    def fn(x):
        inner = x.args[0]
        if isinstance(inner, Pow) and inner.exp == 2 and isinstance(inner.base, Sum) and rv.is_random(inner.base):
            return Var(inner.base) + E(inner.base) ** 2
        return None

    return _replace(e, lambda x: isinstance(x, E), fn)


def variance_of_sum(e, rv: RandomVars):
    index = []

    def fn(x):
        inner = x.args[0]
        if not isinstance(inner, Sum):
            return None
        summed = [lim[0] for lim in inner.limits]
        atoms = rv.atoms(inner.function)
        # independent across the indices: every random atom is a family member whose indices
        # include every summed one (m[j], or m[i, j] summed over j, or over i and j), so distinct
        # terms share no variable
        if not atoms or not all(isinstance(a, Indexed) and all(v in a.indices for v in summed) for a in atoms):
            return None
        index.append(" and ".join(str(v) for v in reversed(summed)))
        return Sum(Var(inner.function), *inner.limits)

    out = _replace(e, lambda x: isinstance(x, Var), fn)
    return out, (index[0] if index else "")


def variance_scaling(e, rv: RandomVars):
    from sympy import expand

    def fn(x):
        inner = x.args[0]
        if not rv.is_random(inner):
            return 0
        terms = Add.make_args(expand(inner)) if isinstance(inner, (Mul, Add)) else (inner,)
        rand = [t for t in terms if rv.is_random(t)]
        if len(rand) != len(terms):
            return Var(Add(*rand))  # drop additive constants
        if len(rand) == 1:
            c, r = _split(rand[0], rv)
            if c != 1:
                return c ** 2 * Var(r)
            return None
        # common random factor X with deterministic coefficients: Var(sum c_k X) = (sum c_k)^2 Var(X)
        splits = [_split(t, rv) for t in rand]
        if all(r == splits[0][1] for _, r in splits):
            return Add(*[c for c, _ in splits]) ** 2 * Var(splits[0][1])
        return None

    return _replace(e, lambda x: isinstance(x, Var), fn)


def variance_of_product(e, rv: RandomVars):
    def fn(x):
        parts = _parts_of(x, rv)
        if parts is None:
            return None
        second = Mul(*[E(p ** 2) for p in parts])
        first = Mul(*[E(p) ** 2 for p in parts])
        return second - first

    return _replace(e, lambda x: isinstance(x, Var), fn)


def moments(e, rv: RandomVars):
    """E[X], E[X²], Var[X] for a single declared variable X (and E[c + X] pieces)."""
    facts = []

    def single(x):
        inner = x.args[0]
        base, k = (inner.base, inner.exp) if isinstance(inner, Pow) else (inner, Integer(1))
        if base not in rv.atoms(base) or not getattr(k, "is_Integer", False) or k < 1:
            return None
        dist = rv.dist(base)
        if dist[0] == "bernoulli":
            p = dist[1]
            value = p if isinstance(x, E) else (p * (1 - p) if k == 1 else None)
        else:
            mu, s2 = dist[1], dist[2]
            if isinstance(x, Var):
                value = s2 if k == 1 else None
            elif k == 1:
                value = mu
            elif k == 2:
                value = mu ** 2 + s2
            else:
                return None
        if value is None:
            return None
        fact = ("E" if isinstance(x, E) else "Var", inner, value)
        if fact not in facts:
            facts.append(fact)
        return value

    out = _replace(e, lambda x: isinstance(x, (E, Var)), single)
    return out, facts


def half_moment(e, rv: RandomVars):
    """E[relu(a)^k] for a centred Gaussian a, by integrating over a > 0."""
    from sympy import Symbol, exp, integrate, oo, pi, sqrt

    def fn(x):
        inner = x.args[0]
        base, k = (inner.base, inner.exp) if isinstance(inner, Pow) else (inner, Integer(1))
        if isinstance(base, heaviside) and getattr(k, "is_Integer", False) and k >= 1:
            arg = base.args[0]
            if arg in rv.atoms(arg) and rv.dist(arg)[0] == "normal" and rv.dist(arg)[1] == 0:
                return Rational(1, 2)           # P(a > 0) for a centred Gaussian; Hᵏ = H
            return None
        if not isinstance(base, relu) or not getattr(k, "is_Integer", False):
            return None
        arg = base.args[0]
        if arg not in rv.atoms(arg):
            return None
        dist = rv.dist(arg)
        if dist[0] != "normal" or dist[1] != 0:
            return None
        s2 = dist[2]
        u = Symbol("u", positive=True)
        s = sqrt(s2)
        return integrate(u ** k * exp(-u ** 2 / (2 * s2)) / (sqrt(2 * pi) * s), (u, 0, oo))

    return _replace(e, lambda x: isinstance(x, E), fn)


def sum_of_constant(e):
    from .tidy import pull_constants_out_of_sums

    info = []

    def fn(s):
        if len(s.limits) != 1:
            return None
        (var, lo, hi), = s.limits
        if s.function.has(var):
            return None
        info.append((str(var), hi - lo + 1))
        return s.function * (hi - lo + 1)

    out = _replace(e, lambda x: isinstance(x, Sum), fn)
    pulled = pull_constants_out_of_sums(out if out is not None else e)
    if out is None and pulled == e:
        return None, ("", "")
    return pulled, (info[0] if info else ("", ""))

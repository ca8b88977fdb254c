"""Random concrete instances of a symbol table, for certification and checking.

Dimensions get small distinct integers (so n ≠ d and a transposed product cannot pass by
accident), scalars exact rationals drawn from their declared domains (0 < p < 1 stays inside),
vectors and matrices random integer entries, indexed families one value per index.
"""
from __future__ import annotations

import math
import random
from fractions import Fraction

from .expr.symbols import SymbolTable

DIM_CHOICES = (2, 3, 4)


def rational(rng: random.Random, lo: Fraction, hi: Fraction) -> Fraction:
    """An exact rational strictly inside (lo, hi), never an integer endpoint by accident."""
    q = rng.randint(2, 9)
    span = hi - lo
    k = rng.randint(1, q - 1)
    return lo + span * Fraction(k, q)


def scalar_value(rng: random.Random, info=None, symbol=None, positive_only=False) -> Fraction:
    dom = info.domain if info is not None else None
    words = set(info.assumptions) if info is not None else set()
    if symbol is not None:
        if symbol.is_positive:
            words.add("positive")
        if symbol.is_nonnegative:
            words.add("nonnegative")
        if symbol.is_negative:
            words.add("negative")
        if symbol.is_integer:
            words.add("integer")
    if positive_only:
        words.add("positive")
    if dom is not None and dom.lower is not None and dom.upper is not None:
        if "integer" in words:                  # a label t ∈ {0, 1}: an integer of the interval
            lo, hi = Fraction(str(dom.lower)), Fraction(str(dom.upper))
            first = math.floor(lo) + 1 if dom.lower_open else math.ceil(lo)
            last = math.ceil(hi) - 1 if dom.upper_open else math.floor(hi)
            allowed = [k for k in range(first, last + 1) if k != 0 or "nonzero" not in words]
            return Fraction(rng.choice(allowed))
        return rational(rng, Fraction(str(dom.lower)), Fraction(str(dom.upper)))
    lo, hi = Fraction(-3), Fraction(3)
    if dom is not None and dom.lower is not None:
        lo, hi = Fraction(str(dom.lower)), Fraction(str(dom.lower)) + 3
    if dom is not None and dom.upper is not None:
        lo, hi = Fraction(str(dom.upper)) - 3, Fraction(str(dom.upper))
    if words & {"positive", "nonnegative"}:
        lo, hi = max(lo, Fraction(0)), max(hi, Fraction(3))
    if "negative" in words:
        lo, hi = Fraction(-3), Fraction(0)
    if "integer" in words:
        v = rng.randint(int(max(lo, 1 if "positive" in words else -3)), int(hi) + 2)
        return Fraction(v if v != 0 else 1)
    while True:
        v = Fraction(rng.randint(1, 19), rng.randint(1, 7)) * (1 if lo >= 0 else rng.choice((-1, 1)))
        if lo >= 0:
            v = lo + v if lo > 0 else v
        if (lo < v < hi or (lo >= 0 and v > lo)) and v != 0:
            return v


def sample(table: SymbolTable, rng: random.Random, extra_symbols=(), positive=frozenset()) -> tuple[dict, dict]:
    """One random instance: (env for ``numeric.Evaluator``, {name: value} for display).

    ``positive`` names scalars to draw from (0, ∞) only (to test 'holds under x > 0')."""
    from sympy import Symbol

    from .numeric import mat

    env: dict = {}
    shown: dict = {}
    dims = [s for s in table.symbols.values() if s.kind == "dim" and isinstance(s.obj, Symbol)]
    choices = list(DIM_CHOICES)
    rng.shuffle(choices)
    for i, info in enumerate(dims):
        v = choices[i % len(choices)] if i < len(choices) else rng.choice(DIM_CHOICES)
        env[info.obj] = Fraction(v)
        shown[info.name] = Fraction(v)
    _order_dims_for_rank(table, env, shown)
    for info in table.symbols.values():
        if info.kind in ("index",):
            continue
        if info.kind == "scalar" and info.index is None or info.kind == "random" and info.index is None and info.shape is None:
            if info.obj is None:
                continue
            if info.kind == "random":
                v = _draw_random(info, rng, env)
            else:
                v = scalar_value(rng, info, info.obj, positive_only=info.name in positive)
            env[info.obj] = v
            shown[info.name] = v
        elif info.shape is not None and info.kind in ("vector", "matrix", "random"):
            from .structured import draw

            r, c = (_size(s, env) for s in info.shape)
            v = mat(draw(rng, r, c, info.assumptions))
            env[info.obj] = v
            shown[info.name] = v
    for info in table.symbols.values():  # families after scalars: ranges may use dims
        if info.index is not None and info.shape is None:
            from itertools import product

            names = info.index if isinstance(info.index, tuple) else (info.index,)
            spans = [range(_size(table[n].range[0], env), _size(table[n].range[1], env) + 1) for n in names]
            values = {}
            for ks in product(*spans):
                k = ks[0] if len(ks) == 1 else ks
                values[k] = _draw_random(info, rng, env) if info.kind == "random" else scalar_value(rng, info)
            env[info.obj.label] = values
            shown[info.name] = values
    for info in table.symbols.values():
        if info.kind == "index" and info.range is not None:
            lo, hi = _size(info.range[0], env), _size(info.range[1], env)
            env[info.obj] = Fraction(rng.randint(lo, hi))
    for info in table.symbols.values():  # a declared function: a random cubic for this instance
        if info.kind == "ufunc":
            env[("function", info.name)] = [Fraction(rng.randint(-5, 5), rng.randint(1, 4)) for _ in range(4)]
    for s in extra_symbols:
        if s not in env and getattr(s, "is_Symbol", False):
            env[s] = scalar_value(rng, None, s, positive_only=str(s) in positive)
            shown[str(s)] = env[s]
    return env, shown


_DRAWN: dict = {}          # (table's fingerprint, seed, extra symbols, positive) -> (rng, instances drawn)
_DRAWN_LIMIT = 256


def instances(table: SymbolTable, seed: int, extra_symbols=(), positive=frozenset(), attempts: int = 40):
    """Yield (env, shown) as ``sample`` gives them one after another from ``random.Random(seed)``,
    each a fresh copy. Every step of a part certifies with the same seed over the same table,
    so the same instances recur: they are drawn once and remembered, keyed by everything
    ``sample`` reads (the table's symbols as they are now, the seed, the extra symbols and the
    names drawn positive). The values are the ones a fresh draw gives, in the same order.
    Each env is an ``instance_values.Instance``: the values computed at it are shared by every
    later use of the same instance."""
    from .instance_values import Instance, Values

    drawn_anyway = _always_drawn(table)        # an extra that is one of these draws nothing
    extra_symbols = tuple(s for s in extra_symbols if s not in drawn_anyway)
    try:
        key = (_fingerprint(table), seed, extra_symbols, frozenset(positive))
        hash(key)
    except TypeError:                           # something unhashable in the table: draw afresh
        rng = random.Random(seed)
        for _ in range(attempts):
            yield sample(table, rng, extra_symbols=extra_symbols, positive=positive)
        return
    entry = _DRAWN.get(key)
    if entry is None:
        if len(_DRAWN) >= _DRAWN_LIMIT:
            _DRAWN.clear()
        entry = _DRAWN[key] = (random.Random(seed), [])
    rng, drawn = entry
    for i in range(attempts):
        if i == len(drawn):                     # the rng has made exactly len(drawn) draws
            try:
                drawn.append((*sample(table, rng, extra_symbols=extra_symbols, positive=positive), Values()))
            except BaseException:
                _DRAWN.pop(key, None)           # a draw that failed half-way leaves the rng elsewhere
                raise
        env, shown, values = drawn[i]
        yield Instance(env, values), dict(shown)


def _always_drawn(table) -> set:
    """The symbols ``sample`` gives a value before it looks at the extra symbols: every dimension
    and every plain scalar (random or not). ``sample`` skips an extra symbol it has already
    drawn, so leaving these out of the extras changes neither the draws nor what is shown, and
    steps whose expressions name different ones of them share one set of instances."""
    from sympy import Symbol

    out = set()
    for info in table.symbols.values():
        if info.obj is None:
            continue
        if info.kind == "dim" and isinstance(info.obj, Symbol):
            out.add(info.obj)
        elif info.index is None and (info.kind == "scalar" or info.kind == "random" and info.shape is None):
            out.add(info.obj)
    return out


def _fingerprint(table) -> tuple:
    """Every field of every symbol that ``sample`` reads, in the table's order."""
    return tuple((i.name, i.kind, i.obj, i.shape, tuple(i.assumptions), i.domain, i.index, i.dist, i.range)
                 for i in table.symbols.values())


def _order_dims_for_rank(table, env, shown) -> None:
    """A full-row-rank n × d matrix needs n ≤ d (full column rank: n ≥ d): swap the two drawn
    dimensions when they come out the other way round."""
    for info in table.symbols.values():
        if info.kind != "matrix" or info.shape is None:
            continue
        r, c = info.shape
        want = "le" if "full_row_rank" in info.assumptions else "ge" if "full_column_rank" in info.assumptions else ""
        if not want or r not in env or c not in env:
            continue
        if (want == "le" and env[r] > env[c]) or (want == "ge" and env[r] < env[c]):
            env[r], env[c] = env[c], env[r]
            shown[str(r)], shown[str(c)] = env[r], env[c]


def _size(expr, env) -> int:
    from .numeric import Evaluator, to_int

    if isinstance(expr, int):
        return expr
    return to_int(Evaluator(env).eval(expr))


def _draw_random(info, rng, env):
    """A value in the support of a random variable (used outside E and Var)."""
    if info.dist[0] == "bernoulli":
        return Fraction(rng.randint(0, 1))
    return Fraction(rng.randint(-9, 9), rng.randint(1, 4))

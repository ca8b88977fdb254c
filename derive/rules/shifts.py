"""A shift of a vector of sines and cosines as one matrix (positional encodings), or a proof that
no matrix does it.

The goal is ``weight_matrix: EXPR, of: v`` where ``v`` is a given vector whose entries are sines
and cosines of multiples of some symbols (the position n) and EXPR the same kind of vector at a
shifted argument. Rules (each returns the rewritten expression, or None when it does not apply):

- ``angle_addition``: sin(u + c) = sin u cos c + cos u sin c and cos(u + c) = cos u cos c −
  sin u sin c, where u collects the terms in the varying symbols and c the rest;
- ``linear_in``: the result as M v when every term is a multiple of an entry of v, M free of the
  varying symbols;
- ``vanishing_point``: otherwise, values of the varying symbols at which v is exactly 0 while
  EXPR is not: then M v = 0 ≠ EXPR for every matrix M, so there is none.

Wording in ``explanations_structured.yaml``; the remark on rotation blocks comes from
``derive/blocks.py`` through ``rules/attention.block_remark``.
"""
from __future__ import annotations

from itertools import product

from sympy import Add, And, Eq, ImmutableMatrix, Integer, MatMul, Ne, Symbol, ZeroMatrix, expand

from ..errors import RuleError
from ..expr.attention import Cos, Sin


def angle_addition(e, varying):
    """Every sin(u + c) and cos(u + c) in ``e`` opened by the angle-addition formulas."""
    def split(a):
        terms = Add.make_args(expand(a))
        u = Add(*[t for t in terms if t.free_symbols & varying])
        return u, Add(*[t for t in terms if not t.free_symbols & varying])

    def opened(f):
        u, c = split(f.args[0])
        if u == 0 or c == 0:
            return f
        if isinstance(f, Sin):
            return Sin(u) * Cos(c) + Cos(u) * Sin(c)
        return Cos(u) * Cos(c) - Sin(u) * Sin(c)

    out = e.replace(lambda t: isinstance(t, (Sin, Cos)), opened)
    return None if out == e else out


def linear_in(e, basis, varying):
    """The matrix M with e = M·basis, M free of the varying symbols (None if there is none)."""
    from .convolution import weights_of

    marks = [Symbol(f"_entry{i}") for i in range(basis.rows)]
    marked = e.xreplace({basis[i, 0]: marks[i] for i in range(basis.rows)})
    m = weights_of(ImmutableMatrix(marked), marks)
    if m is None or m.free_symbols & varying:
        return None
    return m


def vanishing_point(e, basis, varying, tries=range(-3, 4)):
    """Values at which ``basis`` is exactly 0 and ``e`` is not: ({symbol: value}, e there)."""
    from ..numeric import Evaluator, close

    names = sorted(varying, key=str)
    others = sorted(e.free_symbols - varying, key=str)
    for point in product(tries, repeat=len(names)):
        at = {s: Integer(v) for s, v in zip(names, point)}
        if any(x != 0 for x in basis.xreplace(at)):
            continue
        for shift in (1, 2, 3):
            values = {**at, **{s: Integer(shift) for s in others}}
            there = e.xreplace(values)
            try:
                numbers = [Evaluator({}).eval(x) for x in there]
            except Exception:  # noqa: BLE001 - a point that cannot be evaluated is skipped
                continue
            if not all(close(v, 0) for v in numbers):
                return values, ImmutableMatrix(there)
    return None


def shift_matrix_goal(run, goal, expr):
    from .attention import block_remark

    v = run.table[goal.wrt].obj
    basis = run.ctx.expand_definitions(v)
    if not isinstance(basis, ImmutableMatrix) or basis.cols != 1 or not basis.free_symbols:
        raise RuleError(f"weight_matrix of the given '{goal.wrt}' needs it to be a vector of functions of some "
                        "symbols (such as an encoding of a position n)")
    varying = set(basis.free_symbols)
    expr = run.substitute_all(expr)
    opened = angle_addition(expr, varying)
    if opened is not None:
        run.rec.step("angle-addition", expr, opened, vars=", ".join(sorted(run.name(s) for s in varying)))
        expr = opened
    m = linear_in(expr, basis, varying)
    if m is not None:
        run.rec.step("read-off-weights", expr, MatMul(m, v, evaluate=False), x=run.name(v))
        sizes = _pairs(basis)
        run.rec.note("remark", block_remark(m, sizes, sizes, run.name, "group") +
                     f" It depends only on {', '.join(sorted(run.name(s) for s in m.free_symbols))}, not on "
                     f"{', '.join(sorted(run.name(s) for s in varying))}.", None)
        return m
    found = vanishing_point(expr, basis, varying)
    if found is None:
        raise RuleError(f"the shifted vector is not a fixed linear combination of the entries of {run.name(v)}, "
                        "and no point was found where the input vanishes and the output does not")
    values, there = found
    answer = And(*[Eq(s, values[s], evaluate=False) for s in sorted(values, key=str)],
                 Eq(v, ZeroMatrix(*v.shape), evaluate=False), Ne(there, ZeroMatrix(*v.shape), evaluate=False),
                 evaluate=False)
    at = ", ".join(f"{run.name(s)} = {values[s]}" for s in sorted(varying, key=str))
    missing = sorted({run.name(f) for f in expr.atoms(Sin, Cos) if f.free_symbols & varying} -
                     {run.name(b) for b in basis})
    run.rec.step("no-shift-matrix", expr, answer, "custom", extra=_still_no_matrix(run, v), relation="→",
                 x=run.name(v), at=at, missing=", ".join(missing))
    return answer


def _still_no_matrix(run, v):
    def check(before, after):
        from ..certificate_structured import _no_matrix

        return _no_matrix(after, v, before, run.rec.ctx)[0]

    return check


def _pairs(basis) -> list[int]:
    """Consecutive entries with the same argument form one group (a sine–cosine pair)."""
    sizes, last = [], None
    for x in basis:
        arg = x.args[0] if isinstance(x, (Sin, Cos)) else None
        if sizes and arg is not None and arg == last:
            sizes[-1] += 1
        else:
            sizes.append(1)
        last = arg
    return sizes

"""Binary labels: a symbol declared ``assume: [integer, {interval: [0, 1], open: false}]`` takes
only the values 0 and 1, so a function of an expression in it is a selection between the two
cases (``label-select``):

    F(u(t)) = t·F(u(1)) + (1 − t)·F(u(0))        for t ∈ {0, 1}

which turns the negative log-probability of an observed label, −log(tq + (1 − t)(1 − q)), into
the cross-entropy form −t log q − (1 − t) log(1 − q). The certifier draws such a symbol from
{0, 1} (``sampling.scalar_value``), so the step is checked on both labels and nowhere else.
"""
from __future__ import annotations


def binary_symbols(table) -> list:
    """The scalars declared as integers in a closed interval [0, 1]."""
    out = []
    for info in table.symbols.values():
        dom = info.domain
        if info.kind == "scalar" and info.index is None and "integer" in info.assumptions and dom is not None \
                and dom.lower == 0 and dom.upper == 1 and not dom.lower_open and not dom.upper_open:
            out.append(info.obj)
    return out


def select(expr, table):
    """Every function of an argument that depends on a binary symbol t, split into its two
    cases; None when there is none. The split goes one label at a time, outermost first."""
    from sympy import Function

    labels = binary_symbols(table)
    if not labels or not hasattr(expr, "atoms"):
        return None
    for t in labels:
        found = [a for a in expr.atoms(Function) if len(a.args) == 1 and a.args[0].has(t)
                 and a.args[0].is_polynomial(t)]
        if not found:
            continue
        mapping = {a: _split(a, t) for a in found}
        after = expr.xreplace(mapping)
        if after != expr:
            return after
    return None


def _split(call, t):
    from sympy import expand

    from .tidy import tidy

    u = call.args[0]
    one, zero = tidy(expand(u.subs(t, 1))), tidy(expand(u.subs(t, 0)))
    return t * call.func(one) + (1 - t) * call.func(zero)

"""Mutation testing of certification: perturb what each rule proposes and require the certifier
to reject it.

``mutants(expr)`` yields small, well-typed changes of a SymPy expression: drop a term (which also
drops offsets such as θᵗ), flip a term's sign, swap the factors of a non-commuting product,
change a numeric constant, and replace a symbol by zero. ``run_bank`` derives every bank part
with the recorder and the end-to-end certificate wrapped: each step's ``after`` and each final
answer is mutated, mutants that happen to have the same value (checked at fresh instances) are
set aside, and every other mutant must fail certification.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

MAX_PER_STEP = 10


@dataclass
class Tally:
    killed: int = 0
    equivalent: int = 0
    survivors: list = field(default_factory=list)   # (problem, part, where, mutation, mutant)

    @property
    def total(self) -> int:
        return self.killed + len(self.survivors)


def _subterms(e):
    """The subterms a mutation may touch: not the shapes of matrix symbols nor the variable
    counts of derivatives, which are structure rather than values."""
    yield e
    if isinstance(e, (sp.MatrixSymbol, sp.ZeroMatrix, sp.Identity, sp.Tuple)):
        return
    args = e.args[:1] if isinstance(e, sp.Derivative) else getattr(e, "args", ())
    for a in args:
        if isinstance(a, sp.Basic):
            yield from _subterms(a)


def _rebuild(node, args):
    if len(args) == 1:
        return args[0]
    return node.func(*args)


def _neg(term):
    return sp.MatMul(-1, term) if getattr(term, "is_Matrix", False) else -term


def mutants(expr):
    """(name, mutant) pairs; each replaces one subterm of ``expr``."""
    out, seen = [], set()

    def add(name, node, make):
        try:
            new = make()
            mutant = new if node is expr else expr.xreplace({node: new})
            if getattr(mutant, "is_Matrix", False):
                mutant.shape  # noqa: B018 - raises on inconsistent shapes
            if isinstance(mutant, sp.MatrixExpr):
                sp.MatMul(sp.Identity(mutant.shape[0]), mutant)  # validates shapes
        except Exception:  # noqa: BLE001 - an ill-typed mutant is not a mutant
            return
        if mutant != expr and mutant not in seen:
            seen.add(mutant)
            out.append((name, mutant))

    for node in _subterms(expr):
        if isinstance(node, (sp.Add, sp.MatAdd)) and len(node.args) >= 2:
            for i, a in enumerate(node.args):
                add("drop a term", node, lambda: _rebuild(node, node.args[:i] + node.args[i + 1:]))
                add("flip a sign", node, lambda: node.func(*(node.args[:i] + (_neg(a),) + node.args[i + 1:])))
        if isinstance(node, sp.MatMul):
            _, mats = node.as_coeff_matrices()
            if len(mats) >= 2 and mats != mats[::-1]:
                add("swap a product", node, lambda: sp.MatMul(*[a for a in node.args if not a.is_Matrix], *mats[::-1]))
        if isinstance(node, sp.Rational) and node not in (0,):
            add("change a constant", node, lambda: node + 1)
            if node not in (1, -1):
                add("change a constant", node, lambda: -node)
        if isinstance(node, sp.ImmutableMatrix):       # an explicit matrix: one entry changed at a time
            for k in spread(range(len(node)), 4):
                add("change an entry", node, lambda: sp.ImmutableMatrix(
                    node.rows, node.cols, [v + 1 if m == k else v for m, v in enumerate(node)]))
        if isinstance(node, sp.MatrixSymbol) and node.shape[1] == 1:
            add("zero a vector", node, lambda: sp.ZeroMatrix(*node.shape))
    return out


def spread(items, k):
    """At most k items, spread over the list (deterministic)."""
    if len(items) <= k:
        return items
    step = len(items) / k
    return [items[int(i * step)] for i in range(k)]

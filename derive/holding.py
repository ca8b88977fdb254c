"""Evaluating one expression many times while only one variable changes.

Solving an affine residual r(u) = 0 exactly evaluates r at u = 0, at each basis vector, at the
solution and at a probe; the parts of r that do not involve u (an inverse such as
(XᵀX + 2nλI)⁻¹, a product XᵀX) come out the same every time. ``Holding`` remembers their
values for as long as it lives, so a caller makes one per instance and changes only the
variables it named. The values are those a plain ``Evaluator`` computes, computed once.
"""
from __future__ import annotations

from .numeric import Evaluator

_MISSING = object()


def _bound_and_compound(exprs, varying) -> tuple[set, list]:
    """The symbols that vary or that the evaluator binds itself anywhere in ``exprs`` (a sum's
    index, a matrix sum's, a derivative's variable, a substitution's, a gradient's), and the
    compound subexpressions of ``exprs``."""
    from sympy import Derivative, Subs, Sum, preorder_traversal

    from .expr.objects import Grad, MatSum

    bound, nodes = set(varying), []
    for e in exprs:
        if not hasattr(e, "args"):
            continue
        for node in preorder_traversal(e):
            if isinstance(node, Sum):
                bound.update(limit[0] for limit in node.limits)
            elif isinstance(node, (Derivative, Subs)):
                bound.update(node.variables)
            elif isinstance(node, Grad):
                bound.add(node.var)
            elif isinstance(node, MatSum):          # Σ_j of a matrix body: its _numeric sets j
                bound.add(matsum_variable(node))
            if node.args:
                nodes.append(node)
    return bound, nodes


def matsum_variable(node):
    """The index a ``MatSum`` binds (its limits are (j, lo, hi), or j alone)."""
    from sympy import Tuple

    limits = node.args[1]
    return limits[0] if isinstance(limits, Tuple) else limits


def fixed_parts(exprs, varying) -> frozenset:
    """The compound subexpressions of ``exprs`` whose value cannot change while only ``varying``
    change: none of their free symbols is one of ``varying`` or a variable bound anywhere in
    ``exprs`` (a sum's index, a derivative's variable, a substitution's, a gradient's), since the
    evaluator assigns those itself while it works."""
    bound, nodes = _bound_and_compound(exprs, varying)
    out = set()
    for node in nodes:
        try:
            if not (node.free_symbols & bound):
                out.add(node)
        except TypeError:               # unhashable: never remembered
            continue
    return frozenset(out)


def held_gradients(exprs, varying) -> frozenset:
    """The gradients at a point, ∇_v g at x (``Grad(g, v, x)``), inside ``exprs`` whose value
    cannot change while only ``varying`` change. ``fixed_parts`` leaves every such node out,
    since its variable v is bound; but the evaluator binds v itself (it saves v's value, sets dual
    numbers, and puts the value back), so the node's value depends only on x and on g's other
    symbols. Kept: a node whose x does not mention v, and whose x and g (v aside) mention none of
    ``varying`` nor any variable bound anywhere in ``exprs`` (as ``fixed_parts`` counts them).
    The line-search objective f(w − α∇f(w)) then computes ∇f(w) once per instance, not at every
    point α tried."""
    from .expr.objects import Grad

    bound, nodes = _bound_and_compound(exprs, varying)
    out = set()
    for g in nodes:
        if not isinstance(g, Grad) or len(g.args) < 3:      # ∇g at v itself: depends on v's value
            continue
        at = g.at.free_symbols
        inner = g.expr.free_symbols - {g.var}
        if g.var in at or (at | inner) & bound:
            continue
        try:
            out.add(g)
        except TypeError:                        # unhashable: never remembered
            continue
    return frozenset(out)


class Holding(Evaluator):
    """An ``Evaluator`` on ``env`` that remembers the value of each of ``fixed`` (``fixed_parts``)."""

    def __init__(self, env: dict, moments, fixed: frozenset):
        super().__init__(env, moments)
        self.fixed = fixed
        self.held: dict = {}

    def eval(self, expr):
        try:
            if expr not in self.fixed:
                return Evaluator.eval(self, expr)
        except TypeError:               # an unhashable value (a mutable matrix)
            return Evaluator.eval(self, expr)
        value = self.held.get(expr, _MISSING)
        if value is _MISSING:
            value = self.held[expr] = Evaluator.eval(self, expr)
        return value


def holding(ev: Evaluator, fixed: frozenset) -> Evaluator:
    """``ev`` remembering ``fixed``: a ``Holding`` on the same env and moments (``ev`` itself if
    there is nothing to remember or it is not a plain ``Evaluator``)."""
    if not fixed or type(ev) is not Evaluator:
        return ev
    return Holding(ev.env, ev.moments, fixed)

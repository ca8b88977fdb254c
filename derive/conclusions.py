"""One-sentence answers built from a derived fact, for the questions that ask "does it" or "why".

A derivation ends in a fact; the sentence says what the fact means, and only what it proves:

- a derivative (``gradient:`` with respect to a scalar) that is identically 0: the quantity does
  not depend on that symbol;
- a derivative whose sign the assumptions fix: the quantity increases (or decreases) with it;
- an identity shown (``show:``): it holds, for every admissible value of its symbols.

The sentence is a remark on the part (``kind: remark``), with the fact as its math, so every
renderer shows it next to the answer. Nothing here knows a problem: the wording is made from the
goal's own text and the answer.
"""
from __future__ import annotations


def conclusions(goal, answer, table, show) -> list[tuple[str, object]]:
    """(sentence, fact) pairs for ``answer`` to ``goal``; [] when the goal asks nothing of the kind."""
    if goal.kind == "gradient" and goal.order == 1:
        return _derivative(goal, answer, table, show)
    if goal.kind == "show" and getattr(answer, "is_Relational", False):
        return [(f"Yes: {show(answer.lhs)} = {show(answer.rhs)} for every admissible value of its symbols.", answer)]
    return []


def _derivative(goal, answer, table, show):
    from sympy import Derivative, Eq, Gt, Lt

    from .expr.build import Builder
    from .rules.solve import positive_view

    info = table.get(goal.wrt)
    if info is None or info.shape is not None or getattr(answer, "is_Matrix", False):
        return []
    try:
        f = Builder(table).build(goal.expr).expr
    except Exception:  # noqa: BLE001 - a goal that cannot be rebuilt gets no sentence
        return []
    s, what = info.obj, show(f)
    fact = Eq(Derivative(f, s), answer, evaluate=False)
    if answer == 0:
        return [(f"No: the derivative of {what} with respect to {show(s)} is 0, so {what} does not depend on "
                 f"{show(s)}.", fact)]
    view = positive_view(answer, table)
    if view.is_positive:
        return [(f"{what} increases with {show(s)}: its derivative is positive for every admissible value.",
                 Gt(answer, 0))]
    if view.is_negative:
        return [(f"{what} decreases with {show(s)}: its derivative is negative for every admissible value.",
                 Lt(answer, 0))]
    return []

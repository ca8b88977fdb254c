"""One-sentence answers built from a derived fact, for the questions that ask "does it" or "why".

A derivation ends in a fact; the sentence says what the fact means, and only what it proves:

- a derivative (``gradient:`` with respect to a scalar) that is identically 0: the quantity does
  not depend on that symbol;
- a derivative whose sign the assumptions fix: the quantity increases (or decreases) with it;
- an identity shown (``show:``): it holds, for every admissible value of its symbols (the identity
  itself is in the answer box above, so the sentence does not repeat it).

The sentence is a remark on the part (``kind: remark``), with the fact as its math, so every
renderer shows it next to the answer. Nothing here knows a problem: the wording is made from the
goal's own text and the answer.
"""
from __future__ import annotations


def conclusions(goal, answer, table, show, values=None, definitions=None) -> list[tuple[str, object]]:
    """(sentence, fact) pairs for ``answer`` to ``goal``; [] when the goal asks nothing of the kind.
    ``values`` are the part's given values (a derivative at a point says so); ``definitions``
    the definitions in force, to name the symbols a vanishing result holds for."""
    values = values or {}
    if goal.kind == "gradient" and goal.order == 1 and table.get(goal.wrt) is not None \
            and table[goal.wrt].obj in values:
        return _derivative_at(goal, answer, table, show, values, definitions)
    if goal.kind == "gradient" and goal.order == 1:
        return _derivative(goal, answer, table, show)
    if goal.kind == "step" and values:
        return _update_at(goal, answer, table, show, values, definitions)
    if goal.kind == "show" and getattr(answer, "is_Relational", False):
        at = " and ".join(f"{show(k)} = {show(v)}" for k, v in values.items() if not getattr(v, "is_Matrix", False))
        where = f"at {at}, " if at else ""
        return [(f"Yes: {where}the identity holds for every admissible value of the other symbols." if at else
                 "Yes: the identity holds for every admissible value of its symbols.", answer)]   # the box states it
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


def _free_left(goal, answer, table, values, definitions) -> list:
    """The symbols the goal still has (no value given, the step size included) that the answer
    lacks: the result holds for every value of them."""
    from .equivalence import Context
    from .expr.build import Builder

    build = Builder(table).build
    try:
        f = Context(table, dict(definitions or {})).expand_definitions(build(goal.expr).expr)
    except Exception:  # noqa: BLE001 - no list of symbols, no claim about them
        return []
    found = set(f.free_symbols)
    if getattr(goal, "rate", None) is not None:
        found |= build(goal.rate).expr.free_symbols
    return sorted((s for s in found if s not in values and not answer.has(s)), key=str)


def _every(symbols, show) -> str:
    return " for every " + " and ".join(show(s) for s in symbols) if symbols else ""


def _derivative_at(goal, answer, table, show, values, definitions):
    """A derivative at a point the part gives: 0 there means the quantity is flat there."""
    from sympy import Derivative, Eq

    from .expr.build import Builder

    if answer != 0:
        return []
    s = table[goal.wrt].obj
    f = Builder(table).build(goal.expr).expr
    every = _every(_free_left(goal, answer, table, values, definitions), show)
    what = show(f)
    return [(f"At {show(s)} = {show(values[s])} the derivative of {what} with respect to {show(s)} is 0{every}: "
             f"{what} is flat in {show(s)} there, so a gradient step leaves {show(s)} where it is.",
             Eq(Derivative(f, s), 0, evaluate=False))]


def _update_at(goal, answer, table, show, values, definitions):
    """An update that leaves the parameter where it started: its gradient there is 0."""
    from sympy import Eq

    from .expr.build import Builder

    u = table[goal.wrt].obj
    start = Builder(table).build(goal.start).expr.xreplace(values)
    if getattr(answer, "is_Matrix", False) or not start.is_number or answer != start:
        return []
    every = _every(_free_left(goal, answer, table, values, definitions), show)
    loss = show(Builder(table).build(goal.expr).expr)
    return [(f"The update leaves {show(u)} at {show(start)}{every}: the derivative of {loss} with respect to "
             f"{show(u)} is 0 there, so the step does not move it.", Eq(u, answer, evaluate=False))]

"""Values computed at a drawn instance, shared by every evaluation at that instance.

Every step of a part is certified at the same random instances (``sampling.instances`` draws
them once per table and seed), and consecutive steps share most of their expressions: one
step's right side is the next step's left side, and a rewrite leaves most subexpressions (an
inverse, a product XᵀX, an expectation) as they were. ``Instance`` is the env of one drawn
instance; it carries a table of the values of the compound expressions already evaluated at
it, shared by every copy of that instance, so a subexpression is evaluated once per instance
instead of once per step that contains it.

A remembered value is used only while the env still holds exactly the drawn values: once a
caller sets a variable (the unknown at a candidate solution, a dual-number seed, a sum's
index), that env's evaluations neither read nor fill the table until the drawn value is back.
Only a plain ``numeric.Evaluator`` (or ``holding.Holding``, which gives the same values) with
the table's moments shares it; every value is the one that evaluator computes, computed once.
"""
from __future__ import annotations

MAX_VALUES = 50_000          # per instance; past it nothing more is remembered


class Values:
    """The shared table of one drawn instance: compound expression -> value."""

    __slots__ = ("table",)

    def __init__(self):
        self.table: dict = {}


class Instance(dict):
    """The env of one drawn instance (a copy per use) that knows whether it still holds the drawn
    values (``changed``: the keys that differ) and carries the instance's shared ``Values``."""

    __slots__ = ("drawn", "values", "changed")

    def __init__(self, drawn: dict, values: Values):
        super().__init__(drawn)
        self.drawn = drawn
        self.values = values
        self.changed: set = set()

    def _mark(self, key) -> None:
        drawn = self.drawn
        if dict.__contains__(self, key):
            same = key in drawn and dict.__getitem__(self, key) is drawn[key]
        else:
            same = key not in drawn
        if same:
            self.changed.discard(key)
        else:
            self.changed.add(key)

    def __setitem__(self, key, value):
        dict.__setitem__(self, key, value)
        self._mark(key)

    def __delitem__(self, key):
        dict.__delitem__(self, key)
        self._mark(key)

    def pop(self, key, *default):
        out = dict.pop(self, key, *default)
        self._mark(key)
        return out

    def popitem(self):
        key, value = dict.popitem(self)
        self._mark(key)
        return key, value

    def setdefault(self, key, default=None):
        out = dict.setdefault(self, key, default)
        self._mark(key)
        return out

    def update(self, *args, **kwargs):
        other = dict(*args, **kwargs)
        dict.update(self, other)
        for key in other:
            self._mark(key)

    def __ior__(self, other):
        self.update(other)
        return self

    def clear(self):
        keys = list(self)
        dict.clear(self)
        for key in keys:
            self._mark(key)

    def copy(self) -> "Instance":
        """A copy that shares the instance's values (and knows what differs from the drawn one)."""
        out = Instance(self, self.values)
        out.drawn = self.drawn
        out.changed = set(self.changed)
        return out

    def shared_values(self, evaluator, moments):
        """The table ``evaluator`` may share, or None: only a plain ``Evaluator`` or a
        ``Holding`` that evaluates expectations (so a value one evaluator computes is the value
        any other would)."""
        from .holding import Holding
        from .numeric import Evaluator

        if moments is None or type(evaluator) not in (Evaluator, Holding):
            return None
        return Sharing(self, self.values.table)


class Sharing:
    """One evaluator's view of its instance's table."""

    __slots__ = ("env", "table")

    def __init__(self, env: Instance, table: dict):
        self.env, self.table = env, table

    def eval(self, evaluator, expr):
        if self.env.changed or not getattr(expr, "_args", None):
            return evaluator._eval(expr)
        table = self.table
        try:
            value = table.get(expr, _MISSING)
        except TypeError:                       # unhashable (a mutable matrix): never remembered
            return evaluator._eval(expr)
        if value is _MISSING:
            value = evaluator._eval(expr)
            if not self.env.changed and len(table) < MAX_VALUES:
                table[expr] = value
        return value


_MISSING = object()

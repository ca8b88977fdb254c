"""Faster equivalents of SymPy methods that derive calls very often, each returning exactly what
SymPy's own returns.

- ``MatMul.could_extract_minus_sign``: ``MatMul`` inherits ``Mul``'s, which first compares the
  product with its negation, and negating a matrix product builds ``MatMul(-1, self).doit()``.
  The printers ask it of every product they parenthesise (``precedence_Mul``), so printing a
  step cost a ``doit`` per nested product. A matrix product never equals its own negation (that
  needs a zero, and a zero matrix is not a ``MatMul``), so the answer is whether its leading
  factor is a negative number, as in ``Mul``'s second line.
- ``units_unused``: SymPy's ``simplify`` and ``solve`` import ``sympy.physics.units`` (0.1 s) only to
  find that an expression holds no physical quantity.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from functools import wraps

from sympy.matrices.expressions.matmul import MatMul


def _matmul_could_extract_minus_sign(self) -> bool:
    c = self.args[0]
    return bool(c.is_Number and c.is_extended_negative)


MatMul.could_extract_minus_sign = _matmul_could_extract_minus_sign


# -- sympy.physics.units, imported only to be told that nothing is a physical quantity ----------
_UNITS = "sympy.physics.units"


def _stand_in():
    import types

    from sympy import Expr

    module = types.ModuleType(_UNITS, "derive's stand-in: no expression of derive holds a unit")
    module.Quantity = module.Unit = type("NoQuantity", (Expr,), {})    # never instantiated
    return module


_STAND_IN = None
_CHECKER = frozenset({"derive.check.batch", "derive.check.sandbox"})   # the checker's worker pool


@contextmanager
def units_unused():
    """While this block runs, ``from sympy.physics.units import Quantity`` (in ``simplify``) and
    ``import Unit`` (in ``solve``'s ``checksol``) get a stand-in class that no expression contains,
    which is what the real ones find in derive's expressions: ``expr.has(Quantity)`` is False and
    ``as_independent(Unit)`` keeps the whole product. The real module costs 0.1 s to import,
    the largest single import of a cold derivation. Nothing changes where SymPy's units are
    already imported (by a user, or an earlier call), and the stand-in is gone after the block.

    Nor in a process that has loaded the checker: it forks a worker per student file, and its
    own calls to ``solve`` would then import the real module once in every worker instead of
    once in the parent, as its derivation of the problem did."""
    global _STAND_IN
    if _UNITS in sys.modules or _CHECKER.intersection(sys.modules):
        yield
        return
    if _STAND_IN is None:
        _STAND_IN = _stand_in()
    physics = "sympy.physics" in sys.modules
    sys.modules[_UNITS] = _STAND_IN
    try:
        yield
    finally:
        if sys.modules.get(_UNITS) is _STAND_IN:
            del sys.modules[_UNITS]
        if not physics and "sympy.physics" in sys.modules:     # imported meanwhile around the stand-in
            del sys.modules["sympy.physics"]
            import sympy

            sympy.__dict__.pop("physics", None)


def without_units(fn):
    """``fn`` run inside ``units_unused``."""
    @wraps(fn)
    def run(*args, **kwargs):
        with units_unused():
            return fn(*args, **kwargs)

    return run

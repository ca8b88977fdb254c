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
- The shuffle of related facts in SymPy's assumption queries (``_shuffler``): the same random
  permutations, drawn with fewer Python calls.
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


# -- the old-style assumptions (is_positive, …): SymPy's shuffle of related facts, made cheaper --
def _shuffler(rng):
    """``rng.shuffle`` (Python 3's ``Random.shuffle``), the same permutation from the same draws.

    SymPy's ``_ask`` (``sympy/core/assumptions.py``), asked a fact it does not yet know, queues
    the related facts (positive needs negative and zero, …) and shuffles them with a generator of
    its own (``sympy.core.random._assumptions_rng``). Which order comes out can decide the form
    of an answer (a fixed order changed one in the bank), so the order is drawn exactly as
    before: ``Random.shuffle`` draws ``j = randbelow(i + 1)`` for i from the end, and
    ``randbelow(m)`` draws ``getrandbits(m.bit_length())`` until it is below m. Only the Python
    calls in between are gone (``_randbelow`` once per element, and the whole call for the
    many lists of one fact): 374,000 shuffles over the bank took about 1.5% of its time.
    Where the generator's class draws some other way (a subclass), its own ``shuffle`` is kept."""
    import random

    if type(rng) is not random.Random or type(rng)._randbelow is not random.Random._randbelow_with_getrandbits:
        return rng.shuffle
    getrandbits = rng.getrandbits

    def shuffle(x) -> None:
        i = len(x) - 1
        while i > 0:
            m = i + 1
            k = m.bit_length()
            j = getrandbits(k)
            while j >= m:
                j = getrandbits(k)
            x[i], x[j] = x[j], x[i]
            i -= 1

    return shuffle


def _install_shuffle() -> None:
    from importlib import import_module

    assumptions = import_module("sympy.core.assumptions")
    sympy_random = import_module("sympy.core.random")      # (sympy.core.random is also a function's name)

    if assumptions.shuffle == sympy_random._assumptions_rng.shuffle:       # SymPy's own, untouched
        assumptions.shuffle = _shuffler(sympy_random._assumptions_rng)


_install_shuffle()


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

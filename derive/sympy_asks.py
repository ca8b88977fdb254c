"""SymPy's matrix derivative asks the same question again and again; remember the answers.

Differentiating a matrix expression (``f.diff(w)``) converts it to an array expression and back,
and on the way back ``identify_removable_identity_matrices`` asks ``ask(Q.diagonal(A))`` of
every factor A of every contraction, again in every pass of its loop and in every derivative.
With no assumptions given and none in force globally, ``ask`` is a pure function of its
proposition, answered by SymPy's SAT-based assumptions system in a few milliseconds each: over
the bank, 401 questions about 107 distinct factors took 0.9 s, a fifth of all matrix
differentiation. ``remember_diagonal_asks`` makes that module's ``ask`` remember its answers
for exactly that case; any other call (assumptions given, or global assumptions in force) goes
to SymPy's ``ask`` as before. The answers are SymPy's own, computed once (and ``ask`` creates
no Dummy, so later Dummies are numbered as before).

Most of these questions have an answer that SymPy's diagonal handlers give without its SAT
solver (``handler_answer``): every question the bank asks is about a matrix symbol, a scalar or a
sum of array expressions. Those are answered here as SymPy answers them, without calling ``ask``,
whose first line imports the SAT machinery (``satask``, ``lra_satask`` and the handler modules:
60 ms of a cold derivation).
"""
from __future__ import annotations

_ASKED: dict = {}
_ASKED_LIMIT = 10_000
_INSTALLED = False


def remember_diagonal_asks() -> None:
    """Install the remembering ``ask`` in SymPy's array-to-matrix conversion (once)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from sympy import ask as sympy_ask
    from sympy.tensor.array.expressions import from_array_to_matrix

    real = from_array_to_matrix.ask
    if real is not sympy_ask:          # someone else replaced it: leave it alone
        _INSTALLED = True
        return
    from sympy.assumptions import global_assumptions

    def ask(proposition, assumptions=True, context=global_assumptions):
        if assumptions is not True or context is not global_assumptions or len(global_assumptions):
            return real(proposition, assumptions, context)
        try:
            return _ASKED[proposition]
        except KeyError:
            pass
        except TypeError:                   # unhashable: asked every time
            return real(proposition, assumptions, context)
        known, answer = handler_answer(proposition)
        if not known:
            answer = real(proposition, assumptions, context)
        if len(_ASKED) >= _ASKED_LIMIT:
            _ASKED.clear()
        _ASKED[proposition] = answer
        return answer

    ask.remembers = True
    from_array_to_matrix.ask = ask
    _INSTALLED = True


def handler_answer(proposition) -> tuple[bool, object]:
    """``(True, answer)`` when ``ask(proposition)``, with no assumptions given and none in force,
    is decided by what SymPy's handlers for ``Q.diagonal`` say of its argument alone; else
    ``(False, None)``. The cases, each SymPy's own answer (tests/test_speed_pass4.py):

    - a ``MatrixSymbol``: True when it is 0×0 or 1×1 (its handler), else None. Nothing else is
      known of a bare symbol, so the SAT solver finds both answers consistent;
    - a scalar (``NumberKind``): None. No handler is registered for it, and no fact SymPy knows
      ties a matrix property of a scalar to anything else;
    - an ``ArrayAdd``: None, for the same reason (no handler; no class facts).
    """
    from sympy import MatrixSymbol, Q
    from sympy.assumptions.assume import AppliedPredicate
    from sympy.core.kind import NumberKind
    from sympy.tensor.array.expressions import ArrayAdd

    if not isinstance(proposition, AppliedPredicate) or proposition.function != Q.diagonal:
        return False, None
    arg, = proposition.arguments
    if isinstance(arg, MatrixSymbol):
        return True, (True if arg.shape in ((0, 0), (1, 1)) else None)
    if isinstance(arg, ArrayAdd) or getattr(arg, "kind", None) is NumberKind:
        return True, None
    return False, None

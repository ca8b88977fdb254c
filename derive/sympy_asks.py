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
        answer = real(proposition, assumptions, context)
        if len(_ASKED) >= _ASKED_LIMIT:
            _ASKED.clear()
        _ASKED[proposition] = answer
        return answer

    ask.remembers = True
    from_array_to_matrix.ask = ask
    _INSTALLED = True

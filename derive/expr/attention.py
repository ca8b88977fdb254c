"""Attention and positional encodings as SymPy objects: ``Softmax(S)``, ``Softmax(S, G)``,
``Sin(a)`` and ``Cos(a)``.

Where it sits: the builder (``build_structured.py``) makes them from ``softmax(S)``,
``softmax(S, G)``, ``sin(a)`` and ``cos(a)`` in a spec; the rules in ``rules/attention.py`` and
``rules/shifts.py`` rewrite them; the certifier evaluates them by ``_numeric``, each written
from its definition, so no rule's rewriting is ever reused to check a rule.

- ``Softmax(S)`` is the softmax of each row of S: entry (n, m) is exp(S_nm) / Σ_m' exp(S_nm').
- ``Softmax(S, G)`` is the softmax of each row over the entries a 0/1 mask G keeps (graph
  attention over a neighbourhood): G_nm exp(S_nm) / Σ_m' G_nm' exp(S_nm').
- ``Sin``, ``Cos``: the sine and cosine of a scalar (their own classes, so that SymPy never
  rewrites them behind the rules' back).
"""
from __future__ import annotations

import mpmath
from sympy import Function, Integer
from sympy.matrices.expressions import MatrixExpr
from sympy.matrices.expressions.matexpr import MatrixElement


class Softmax(MatrixExpr):
    """Row-wise softmax of a square score matrix, optionally masked by a 0/1 matrix."""

    def __new__(cls, scores, mask=None):
        if mask is None:
            return MatrixExpr.__new__(cls, scores)
        return MatrixExpr.__new__(cls, scores, mask)

    scores = property(lambda self: self.args[0])
    mask = property(lambda self: self.args[1] if len(self.args) > 1 else None)

    @property
    def shape(self):
        return self.scores.shape

    def _eval_transpose(self):
        return None

    # -- the certifier's definition ---------------------------------------------------------
    def _numeric(self, ev):
        from ..numeric import EvalError, Mat, _mp, div, mat

        s = ev.eval(self.scores)
        g = ev.eval(self.mask) if self.mask is not None else None
        if not isinstance(s, Mat) or g is not None and (not isinstance(g, Mat) or g.shape != s.shape):
            raise EvalError("softmax needs a matrix of scores (and a mask of the same shape)")
        out = []
        for n, row in enumerate(s):
            weights = []
            for m, value in enumerate(row):
                keep = 1 if g is None else g[n][m]
                if keep not in (0, 1):
                    raise EvalError("a softmax mask holds 0s and 1s")
                weights.append(mpmath.exp(_mp(value)) if keep else 0)
            total = sum(weights)
            if total == 0:
                raise EvalError("a row of the mask keeps no entry")
            out.append([div(w, total) for w in weights])
        return mat(out)

    # -- printing ---------------------------------------------------------------------------
    def _latex(self, printer):
        body = printer._print(self.scores)
        if self.mask is None:
            return rf"\operatorname{{softmax}}\left({body}\right)"
        return rf"\operatorname{{softmax}}_{{{printer._print(self.mask)}}}\left({body}\right)"

    def _derive_text(self, printer):
        body = printer._print(self.scores)
        if self.mask is None:
            return f"softmax({body})"
        return f"softmax_{printer._print(self.mask)}({body})"


class _Trig(Function):
    """A sine or cosine the rules own: evaluated by mpmath in the certifier."""

    _mp_fn = None
    _trig = ""

    def _numeric(self, ev):
        from fractions import Fraction

        from ..numeric import Dual, _mp

        x = ev.eval(self.args[0])
        if isinstance(x, Dual):
            raise TypeError("no derivative of a sine or cosine is needed here")
        if x == 0:
            return Fraction(int(self._trig == "cos"))
        return self._mp_fn(_mp(x))

    def _latex(self, printer):
        return rf"\{self._trig}\left({printer._print(self.args[0])}\right)"

    def _derive_text(self, printer):
        return f"{self._trig}({printer._print(self.args[0])})"

    def _eval_is_real(self):
        return self.args[0].is_real


class Sin(_Trig):
    _mp_fn = staticmethod(mpmath.sin)
    _trig = "sin"

    @classmethod
    def eval(cls, a):
        if a == 0:
            return Integer(0)
        return None

    def fdiff(self, argindex=1):
        return Cos(self.args[0])


class Cos(_Trig):
    _mp_fn = staticmethod(mpmath.cos)
    _trig = "cos"

    @classmethod
    def eval(cls, a):
        if a == 0:
            return Integer(1)
        return None

    def fdiff(self, argindex=1):
        return -Sin(self.args[0])


class Rows(MatrixExpr):
    """The rows of a matrix written one after another as a single column: the N tokens of
    width d of an N × d input, read as one vector of length N·d."""

    def __new__(cls, m):
        return MatrixExpr.__new__(cls, m)

    matrix = property(lambda self: self.args[0])

    @property
    def shape(self):
        r, c = self.matrix.shape
        return r * c, Integer(1)

    def _eval_transpose(self):
        return None

    def _numeric(self, ev):
        from ..numeric import EvalError, Mat, mat

        m = ev.eval(self.matrix)
        if not isinstance(m, Mat):
            raise EvalError("rows(·) needs a matrix")
        return mat([[v] for row in m for v in row])

    def _latex(self, printer):
        return rf"\operatorname{{rows}}\left({printer._print(self.matrix)}\right)"

    def _derive_text(self, printer):
        return f"rows({printer._print(self.matrix)})"


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


class Entry(MatrixElement):
    """An entry of a named matrix in an answer, printed as a reader counts: (W_v)₁₂ is row 1,
    column 2 (SymPy's own element is 0-based). Evaluated as the entry it is."""

    def _numeric(self, ev):
        from ..numeric import EvalError, Mat

        m = ev.eval(self.parent)
        if not isinstance(m, Mat):
            raise EvalError("an entry of something that is not a matrix")
        return m[int(self.i)][int(self.j)]

    def _index(self) -> str:
        rows, cols = self.parent.shape
        if cols == 1:
            return str(int(self.i) + 1)
        if rows == 1:
            return str(int(self.j) + 1)
        return f"{int(self.i) + 1}{int(self.j) + 1}"

    def _latex(self, printer):
        base = printer._print(self.parent)
        base = base if len(base) == 1 else rf"\left({base}\right)"
        return rf"{base}_{{{self._index()}}}"

    def _derive_text(self, printer):
        base = printer._print(self.parent)
        base = base if len(base) == 1 else f"({base})"
        return base + self._index().translate(_SUB)


def named_entries(e):
    """``e`` with every entry of a matrix symbol written as an ``Entry`` (for printing)."""
    return e.xreplace({m: Entry(m.parent, m.i, m.j) for m in e.atoms(MatrixElement)
                       if not isinstance(m, Entry) and m.i.is_Integer and m.j.is_Integer})

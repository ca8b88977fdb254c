"""Convolution as a SymPy object: ``Conv(x, k, pad, stride, flip)``.

Where it sits: the builder (``build_structured.py``) makes it from ``conv(x, k, …)`` and
``xcorr(x, k, …)`` in a spec; the rules in ``rules/convolution.py`` rewrite it (turn the filter,
pad, slide it); the certifier evaluates it by ``_numeric``, the definition written as a scatter
over the input, so no rule's gather over windows is ever reused to check a rule.

- ``x`` is a column vector (1-D) or a matrix (2-D), ``k`` a kernel of the same kind.
- ``pad`` rings of zeros go round the input (for a vector: at both ends), ``stride`` is the step
  between windows.
- ``flip = 1`` is the convolution of the lectures, (x ∗ k)ᵢ = Σₐ kₐ x₍ᵢ₋ₐ₎, which turns the
  kernel by 180° before sliding it; ``flip = 0`` is cross-correlation, what a deep-learning
  convolution layer computes.
"""
from __future__ import annotations

from sympy import Integer
from sympy.matrices.expressions import MatrixExpr


def out_size(n: int, m: int, pad: int, stride: int) -> int:
    """How many windows of width m fit along n inputs padded by ``pad`` at both ends."""
    return (n + 2 * pad - m) // stride + 1


class Conv(MatrixExpr):
    """The convolution (``flip = 1``) or cross-correlation (``flip = 0``) of x with kernel k."""

    def __new__(cls, x, k, pad, stride, flip):
        return MatrixExpr.__new__(cls, x, k, Integer(pad), Integer(stride), Integer(flip))

    x = property(lambda self: self.args[0])
    kernel = property(lambda self: self.args[1])
    pad = property(lambda self: int(self.args[2]))
    stride = property(lambda self: int(self.args[3]))
    flip = property(lambda self: bool(self.args[4]))

    @property
    def two_d(self) -> bool:
        return self.x.shape[1] != 1

    @property
    def shape(self):
        (n, c), (m, mc) = self.x.shape, self.kernel.shape
        rows = out_size(int(n), int(m), self.pad, self.stride)
        cols = out_size(int(c), int(mc), self.pad, self.stride) if self.two_d else 1
        return Integer(rows), Integer(cols)

    def _eval_transpose(self):
        return None

    # -- the certifier's definition ---------------------------------------------------------
    def _numeric(self, ev):
        """Each input entry x[u][v] times each kernel entry k[a][b] is added to the output
        position it reaches (if any): the defining sum, organised by input position."""
        from ..numeric import Mat, mat

        x, k = ev.eval(self.x), ev.eval(self.kernel)
        if not isinstance(x, Mat) or not isinstance(k, Mat):
            raise TypeError("a convolution needs a vector or matrix and a kernel")
        rows, cols = (int(d) for d in self.shape)
        (m, mc), p, s = k.shape, self.pad, self.stride
        pc = p if self.two_d else 0
        out = [[0] * cols for _ in range(rows)]
        for u, row in enumerate(x):
            for v, value in enumerate(row):
                for a in range(m):
                    for b in range(mc):
                        ta = u + p - (m - 1 - a if self.flip else a)
                        tb = v + pc - (mc - 1 - b if self.flip else b)
                        if ta % s or tb % s:
                            continue
                        i, j = ta // s, tb // s
                        if 0 <= i < rows and 0 <= j < cols:
                            out[i][j] = out[i][j] + k[a][b] * value
        return mat(out)

    # -- printing (the printers call these by their printmethod) -----------------------------
    def _options(self) -> str:
        parts = []
        if self.pad:
            parts.append(f"padding {self.pad}")
        if self.stride != 1:
            parts.append(f"stride {self.stride}")
        return ", ".join(parts)

    def _latex(self, printer):
        x, k = printer._print(self.x), printer._print(self.kernel)
        op = r"\ast" if self.flip else r"\star"
        body = rf"{x} {op} {k}"
        extra = self._options()
        return rf"\left({body}\right)_{{\text{{{extra}}}}}" if extra else body

    def _derive_text(self, printer):
        x, k = printer._print(self.x), printer._print(self.kernel)
        op = "∗" if self.flip else "⋆"
        body = f"{x} {op} {k}"
        extra = self._options()
        return f"({body}) [{extra}]" if extra else body


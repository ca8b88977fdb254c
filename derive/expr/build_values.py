"""Typed values and the shape-aware arithmetic the builder and its mixins share: ``Value``
(an expression with its shape), a pending ``c*I``, and products and sums that keep matrix
and scalar parts apart."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Value:
    expr: Any
    shape: tuple | None          # None = scalar


@dataclass(frozen=True)
class _PendingIdentity:
    """``c*I`` whose size is not known yet."""

    coeff: Any


SCALAR_FUNCS = ("sqrt", "exp", "log", "abs", "sign", "relu", "sigmoid", "softplus", "tanh", "logit", "heaviside",
                "E", "Var")


def _show(expr) -> str:
    try:
        from ..render.printing import text

        return text(expr)
    except Exception:  # noqa: BLE001 - a message must never fail to print
        return str(expr)


def _same_column(a, b) -> bool:
    """Two column vectors of one length (not 1): ``a \\cdot b`` is then their dot product."""
    return all(isinstance(v, Value) and v.shape is not None for v in (a, b)) and a.shape == b.shape \
        and a.shape[1] == 1 and not _is_1x1(a.shape)


def _is_1x1(shape) -> bool:
    return shape is not None and shape[0] == 1 and shape[1] == 1


def _differ(a, b) -> bool:
    return (a - b) != 0


def _fmt(shape) -> str:
    return f"{shape[0]}×{shape[1]}"


def _scale(c, m):
    from sympy import S

    if c == S.One:
        return m
    return _mmul(c, m)


def _mmul(*args):
    """A flat matrix product (nested products flattened, scalar factors gathered)."""
    from sympy import MatMul, Mul

    flat = []
    for a in args:
        flat.extend(a.args if isinstance(a, MatMul) else [a])
    scalars = [a for a in flat if not getattr(a, "is_Matrix", False)]
    matrices = [a for a in flat if getattr(a, "is_Matrix", False)]
    coeff = Mul(*scalars)
    if not matrices:
        return coeff
    return MatMul(*([coeff] if coeff != 1 else []), *matrices) if coeff != 1 or len(matrices) > 1 else matrices[0]


def _madd(*args):
    from sympy import MatAdd

    flat = []
    for a in args:
        flat.extend(a.args if isinstance(a, MatAdd) else [a])
    return MatAdd(*flat)


def _scale_either(a: Value, b: Value):
    return _scale(a.expr, b.expr) if a.shape is None else _scale(b.expr, a.expr)

"""The expression AST shared by the spec grammar (``parse.py``) and the student LaTeX parser
(``derive/check``). Nodes are frozen dataclasses; ``pos`` (a column) is excluded from equality
so two parses of the same mathematics compare equal.

Node kinds and what they mean:

- ``Num("3")``, ``Num("0.5")``: an exact number (decimals become rationals).
- ``Name("w")``: a symbol, or a function defined in the spec's givens.
- ``BinOp(op, left, right)`` with ``op`` one of ``+ - * / @ **``. ``@`` is the matrix product
  (a scalar operand makes it ordinary scaling); ``**`` with a matrix base and exponent -1 is the
  inverse.
- ``Neg(x)``: unary minus. ``Transpose(x)``: ``x.T``, ``x'``, ``x^T``.
- ``Call(func, args)``: a built-in function (``inv``, ``norm``, ``E``, ``Var`` ...) or a given.
- ``Index(base, index)``: ``m[j]``, an element of an indexed family.
- ``SumOver(body, index, lower, upper)``: ``sum(body, j)``; bounds default to the index's range.
- ``Rel(op, left, right)``: ``=``, ``<=``, ``<``, ``>=``, ``>``.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Node:
    pass


@dataclass(frozen=True)
class Num(Node):
    value: str
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Name(Node):
    id: str
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class BinOp(Node):
    op: str
    left: Node
    right: Node
    pos: int = field(default=0, compare=False)
    dot: bool = field(default=False, compare=False)    # written with \cdot: between two vectors, aᵀb


@dataclass(frozen=True)
class Neg(Node):
    operand: Node
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Transpose(Node):
    operand: Node
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call(Node):
    func: str
    args: tuple
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Index(Node):
    base: Node
    index: Node
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class SumOver(Node):
    body: Node
    index: str
    lower: Node | None = None
    upper: Node | None = None
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Rel(Node):
    op: str
    left: Node
    right: Node
    pos: int = field(default=0, compare=False)


RELATIONS = ("=", "<=", "<", ">=", ">")


def walk(node: Node):
    """Every node of the tree, parents before children."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        for attr in ("left", "right", "operand", "base", "index", "body", "lower", "upper"):
            child = getattr(n, attr, None)
            if isinstance(child, Node):
                stack.append(child)
        if isinstance(n, Call):
            stack.extend(n.args)


def names_in(node: Node) -> set[str]:
    """Every ``Name`` id used in ``node`` (sum indices included)."""
    out: set[str] = set()
    for n in walk(node):
        if isinstance(n, Name):
            out.add(n.id)
        elif isinstance(n, SumOver):
            out.add(n.index)
    return out

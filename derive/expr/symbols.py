"""The symbol table: typed symbols declared by a spec, turned into SymPy objects.

Scalars become ``Symbol`` with assumptions, vectors ``MatrixSymbol(name, d, 1)``, matrices
``MatrixSymbol(name, n, d)`` with symbolic dimensions (positive integer symbols), indexed
families ``IndexedBase``. Interval assumptions (0 < p < 1) cannot live on a SymPy Symbol, so
they are carried here as a ``Domain`` and fed both to solving and to sampling.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from ..errors import ParseError

KINDS = ("scalar", "vector", "matrix", "index", "random")
DISTRIBUTIONS = {"bernoulli": 1, "normal": 2}


@dataclass(frozen=True)
class Domain:
    """A real interval: lower/upper (None = unbounded) and whether each end is open."""

    lower: Any = None
    upper: Any = None
    lower_open: bool = True
    upper_open: bool = True

    def describe(self, name: str) -> str:
        parts = []
        if self.lower is not None:
            parts.append(f"{self.lower} {'<' if self.lower_open else '≤'} ")
        parts.append(name)
        if self.upper is not None:
            parts.append(f" {'<' if self.upper_open else '≤'} {self.upper}")
        return "".join(parts)

    def contains(self, value) -> bool:
        if self.lower is not None and (value <= self.lower if self.lower_open else value < self.lower):
            return False
        if self.upper is not None and (value >= self.upper if self.upper_open else value > self.upper):
            return False
        return True


FUNCTION_OF_SCALAR = "@fn"       # 'q@fn': a student's function q(u) := … beside the problem's scalar q


@dataclass
class SymbolInfo:
    name: str
    kind: str                         # one of KINDS, or "dim", "defined", "function"
    obj: Any                          # SymPy object (Symbol, MatrixSymbol, IndexedBase)
    shape: tuple | None = None        # None for scalars, (rows, cols) for matrices/vectors
    latex: str = ""
    assumptions: tuple[str, ...] = ()
    domain: Domain | None = None
    index: str | None = None          # indexed family over this index name
    dist: tuple | None = None         # ("bernoulli", p) or ("normal", mean, variance): SymPy exprs
    range: tuple | None = None        # for kind "index": (lower, upper) SymPy exprs
    description: str = ""
    line: int | None = None
    params: tuple[str, ...] = ()      # for kind "function": parameter names
    body: Any = None                  # for "function"/"defined": the AST of the definition

    @property
    def is_random(self) -> bool:
        return self.kind == "random"


@dataclass
class SymbolTable:
    symbols: dict[str, SymbolInfo] = field(default_factory=dict)

    def __contains__(self, name: str) -> bool:
        return name in self.symbols

    def __getitem__(self, name: str) -> SymbolInfo:
        return self.symbols[name]

    def get(self, name: str) -> SymbolInfo | None:
        return self.symbols.get(name)

    def add(self, info: SymbolInfo) -> None:
        self.symbols[info.name] = info

    def unknown(self, name: str, text: str = "", pos: int | None = None) -> ParseError:
        """A ParseError for an unknown name, with a did-you-mean suggestion."""
        known = sorted(self.symbols)
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
        return ParseError(f"unknown symbol '{name}'.{hint} Known: {shown}.", text, pos, kind="name")

    def latex_names(self) -> dict[str, str]:
        """SymPy name -> LaTeX spelling, for printers."""
        return {n: s.latex for n, s in self.symbols.items() if s.latex}

    def by_object(self) -> dict[Any, SymbolInfo]:
        return {s.obj: s for s in self.symbols.values() if s.obj is not None}

    def random_families(self) -> list[SymbolInfo]:
        return [s for s in self.symbols.values() if s.kind == "random"]

    def copy(self) -> "SymbolTable":
        return SymbolTable(dict(self.symbols))


def make_scalar(name: str, assumptions: tuple[str, ...], domain: Domain | None):
    """A SymPy Symbol carrying whatever of the assumptions SymPy can hold."""
    from sympy import Symbol

    kw: dict[str, bool] = {"real": True}
    for a in assumptions:
        if a in ("positive", "negative", "nonnegative", "nonpositive", "nonzero", "integer"):
            kw[a] = True
    if domain is not None:
        lo, hi = domain.lower, domain.upper
        if lo is not None and lo >= 0:
            kw["positive" if (lo > 0 or domain.lower_open) else "nonnegative"] = True
        if hi is not None and hi <= 0:
            kw["negative" if (hi < 0 or domain.upper_open) else "nonpositive"] = True
    return Symbol(name, **kw)


def make_dim(name: str):
    from sympy import Symbol

    return Symbol(name, integer=True, positive=True)

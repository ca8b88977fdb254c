"""The derivation as plain, frozen data: what the engine produces and every renderer reads.

Expressions inside are SymPy objects (equations are ``sympy.Eq``); renderers print them with
the project's printers (``render/printing.py``), never with ``repr``. ``to_data`` in
``render/json_out.py`` turns a derivation into JSON-ready dictionaries.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Step:
    """One rule application: ``before`` became ``after`` because of ``rule``."""

    rule: str                      # stable id, e.g. "differentiate", "solve-linear-matrix"
    before: Any                    # SymPy expression or Eq
    after: Any
    because: str                   # plain words, rendered from the rule's explanation text
    substeps: tuple["Step", ...] = ()
    certified_by: str = ""         # e.g. "symbolic", "numeric: 12 random instances (exact)"
    relation: str = ""             # how after follows from before: "=" equal, "⇔" same solutions, "⇒" implies, "→" becomes


@dataclass(frozen=True)
class Note:
    """A statement attached to a part: a side condition, a dropped branch, an assumption used."""

    kind: str                      # "condition" | "dropped" | "assumption" | "remark"
    text: str                      # plain words
    math: Any = None               # optional SymPy expression or relation shown with the text


@dataclass(frozen=True)
class Variant:
    """The same goal under another declared convention (e.g. without the 1/(2n) factor)."""

    name: str
    description: str
    steps: tuple[Step, ...]
    answer: Any
    certificate: str = ""          # how the answer was checked against this convention's goal
    role: str = "convention"       # "convention": another accepted statement; "goal": another answer of the part
    notes: tuple = ()


@dataclass(frozen=True)
class PartResult:
    id: str
    goal: str                      # the goal restated in words (from the spec)
    steps: tuple[Step, ...]
    answer: Any                    # SymPy Eq (unknown = value) or expression
    notes: tuple[Note, ...] = ()
    variants: tuple[Variant, ...] = ()
    figure: Any = None             # optional figure data (plain dict) for renderers
    also: tuple = ()               # the same answer in other forms, e.g. δ = … when answer is θ = θᵗ + δ
    names: dict = field(default_factory=dict)   # SymPy name -> LaTeX for this part (1-D parts unbold)
    certificate: str = ""          # how the answer was checked end to end against the goal as stated
    error: str = ""                # why the part could not be derived ("" when it was)
    discussion: str = ""           # the instructor's prose answer (not derived), shown as such

    @property
    def failed(self) -> bool:
        return bool(self.error)

    @property
    def answers(self) -> tuple:
        """Every answer of the part: the first goal's, then those of its other goals."""
        return (self.answer,) + tuple(v.answer for v in self.variants if v.role == "goal")


@dataclass(frozen=True)
class SymbolRow:
    """How a symbol is shown in a document's table of symbols."""

    name: str
    latex: str
    kind: str                      # "scalar" | "vector" | "matrix" | "random" | "index" | ...
    shape: str                     # e.g. "n × d", "" for scalars
    assumptions: str               # e.g. "λ > 0", "0 < p < 1"
    description: str = ""


@dataclass(frozen=True)
class Derivation:
    id: str
    title: str
    source: dict
    statement: str
    symbols: tuple[SymbolRow, ...]
    parts: tuple[PartResult, ...]
    sheet: str = ""                # which source sheet groups this problem
    certification: str = ""        # one line on how steps were certified
    extra: dict = field(default_factory=dict)
    givens: tuple = ()             # (name, value): the problem's given numbers and explicit matrices, shown with its statement

    @property
    def failed(self) -> list:
        """The parts that could not be derived."""
        return [p for p in self.parts if p.error]

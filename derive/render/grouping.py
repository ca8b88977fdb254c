"""Atomic steps -> the steps a reader sees: the one place where moves are grouped for display.

Where it sits: every renderer (text, LaTeX and Markdown templates, the notebook view, JSON's
``groups``) asks ``display_steps`` for the steps of a part or variant; nothing else groups.
The engine's steps (``derive/steps.py``) are never changed: certification stays per atomic
step, and ``--detail full`` (``detail("full")``) shows them one by one as they are.

A displayed group is one or more *prep* moves (substituting a definition or an earlier result,
collecting terms), then a run of one main move (the same rule repeated, or moves of one family
such as the algebra of expectations and variances, or the chain rule with its local
derivatives), then *clean-up* moves (simplify, expand, putting in the given values).
A group never spans a break in the chain (a step that does not start from the previous step's
result), never holds a step with substeps of its own, and never mixes ``⇒`` with ``→``. Its
connector is the weakest of its moves' (``=`` < ``⇔`` < ``⇒`` < ``→``); its justification names
every move (``Linearity of expectation (3 moves); Var(aX + b) = a²Var(X)``). It is marked
certified only when every move is; otherwise the justification says which move is not, and the
moves are listed under it as substeps, each with its own mark, in every format.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar

from . import connector

DETAILS = ("grouped", "full")
_DETAIL: ContextVar[str] = ContextVar("derive_detail", default="grouped")

# moves a TA writes in the same line as the move after them
PREP = frozenset({"substitute-definition", "apply-function", "substitute-result", "norm-squared",
                  "open-inner-products", "collect", "move-to-one-side", "expose-unknown", "specialize",
                  "abbreviate", "gradient-step", "lagrangian-equality", "lagrangian",
                  "substitute-into-constraint"})
# moves a TA writes in the same line as the move before them
CLEANUP = frozenset({"simplify", "expand", "canonical-transpose", "multiply-out", "sum-of-constant",
                     "absorb-scalar", "collect-start", "use-symmetry", "arithmetic", "substitute-values"})
# main moves of one kind, done together in one line
FAMILIES = {rule: "moment algebra" for rule in (
    "linearity-of-expectation", "variance-scaling", "variance-of-sum", "independence",
    "variance-of-product", "mean-of-linear-form", "variance-of-linear-form",
    "second-moment-of-vector", "second-moment", "minibatch-covariance",
    "moments")}    # the declared distributions' moments put in: the last move of the same algebra
FAMILIES.update({rule: "backpropagation" for rule in ("chain-rule", "local-derivatives")})

# a move's name inside a group, where its full justification would be too long
SHORT = {
    "linearity-of-expectation": "linearity of expectation",
    "variance-scaling": "Var(aX + b) = a²Var(X)",
    "variance-of-sum": "the variance of a sum of independent terms is the sum of the variances",
    "independence": "E[XY] = E[X]E[Y] for independent factors",
    "variance-of-product": "Var(XY) = E[X²]E[Y²] − E[X]²E[Y]² for independent X and Y",
    "expand": "expand",
    "simplify": "simplify",
    "canonical-transpose": "combine like terms (a 1×1 product equals its transpose)",
    "multiply-out": "multiply out",
}
_SHORTEN = {   # rule -> the part of its justification kept inside a group
    "differentiate": re.compile(r"^(Differentiate with respect to .+?) \(matrix calculus"),
    "collect": re.compile(r"^(Collect the terms in .+?) on the left"),
}
# a word, or the article "A" (not a matrix A, which a verb follows: "A has full row rank")
_WORD = re.compile(r"[A-Z][a-z]+(?![\w(\[])|A (?=[a-z])(?!(?:has|is|are|was|must|can|will|needs|equals|stays)\b)")
_ORDER = {"equals": 0, "iff": 1, "implies": 2, "becomes": 3}
_RELATION = {"equals": "=", "iff": "⇔", "implies": "⇒", "becomes": "→"}


def current() -> str:
    """The detail level in force: ``"grouped"`` (the default) or ``"full"``."""
    return _DETAIL.get()


@contextmanager
def detail(level: str | None):
    """Render with this detail level (``None`` keeps the one in force)."""
    if level is None:
        yield
        return
    if level not in DETAILS:
        raise ValueError(f"detail must be one of {', '.join(DETAILS)}, not {level!r}")
    token = _DETAIL.set(level)
    try:
        yield
    finally:
        _DETAIL.reset(token)


class DisplayStep:
    """Several atomic steps shown as one; reads like a ``Step`` to every renderer."""

    def __init__(self, moves):
        self.moves = tuple(moves)
        self.before = self.moves[0].before
        self.after = self.moves[-1].after
        kind = max((connector(m) for m in self.moves), key=_ORDER.__getitem__)
        self.relation = _RELATION[kind]
        self.rule = "+".join(dict.fromkeys(m.rule for m in self.moves))
        failed = [k for k, m in enumerate(self.moves, 1) if not m.certified_by]
        self.uncertified = tuple(self.moves[k - 1] for k in failed)
        self.certified_by = "" if failed else "; ".join(dict.fromkeys(m.certified_by for m in self.moves))
        words = _names(self.moves)
        if failed:
            which = ", ".join(str(k) for k in failed)
            words = (f"NOT CERTIFIED: move{'s' if len(failed) > 1 else ''} {which} of {len(self.moves)} "
                     f"(listed below). {words}")
        self.because = words
        self.substeps = self.moves if failed else ()

    def __repr__(self) -> str:
        return f"<DisplayStep {self.rule} ({len(self.moves)} moves)>"


def _name(step) -> str:
    if step.rule in SHORT:
        return SHORT[step.rule]
    pattern = _SHORTEN.get(step.rule)
    m = pattern.match(step.because) if pattern else None
    return (m.group(1) if m else " ".join(step.because.split())).rstrip(".")


def _names(moves) -> str:
    counts: dict[str, int] = {}
    for m in moves:
        name = _name(m)
        counts[name] = counts.get(name, 0) + 1
    parts = []
    for i, (name, k) in enumerate(counts.items()):
        if i and _WORD.match(name):
            name = name[0].lower() + name[1:]       # a word, not math such as Var(X)
        parts.append(name + (f" ({k} moves)" if k > 1 else ""))
    out = "; ".join(parts)
    return (out[:1].upper() + out[1:]) + ("" if out.endswith((".", "?", "!")) else ".")


def _kind(step) -> str:
    if step.rule in PREP:
        return "prep"
    if step.rule in CLEANUP:
        return "cleanup"
    return "main"


def _compatible(kinds: set) -> bool:
    return not {"implies", "becomes"} <= kinds


def groups(steps) -> list[tuple[int, ...]]:
    """The displayed groups of a part's (or variant's) steps, as 0-based indices into ``steps``."""
    out: list[list[int]] = []
    open_group: list[int] | None = None     # the group clean-up moves may still join
    main_key = None                         # its main move's rule or family
    pending: list[int] = []                 # prep moves waiting for their main move
    previous_after = None

    def close_pending():
        nonlocal open_group, main_key
        if pending:
            out.append(list(pending))
            open_group, main_key = out[-1], None
            pending.clear()

    for i, step in enumerate(steps):
        chained = previous_after is not None and step.before == previous_after
        previous_after = step.after
        if not chained or step.substeps:
            close_pending()
            open_group, main_key = None, None
        if step.substeps:
            out.append([i])
            continue
        kind = _kind(step)
        members = (open_group or []) + pending + [i]
        fits = _compatible({connector(steps[k]) for k in members})
        key = FAMILIES.get(step.rule, step.rule)
        if kind == "prep" or (kind == "cleanup" and (pending or open_group is None or not fits)):
            if pending and not _compatible({connector(steps[k]) for k in pending + [i]}):
                close_pending()
            pending.append(i)               # waits for the move it prepares
        elif kind == "cleanup" or (open_group is not None and not pending and key == main_key and fits):
            open_group.append(i)
        else:
            if not _compatible({connector(steps[k]) for k in pending + [i]}):
                close_pending()
            out.append(pending + [i])
            pending = []
            open_group = out[-1]
            main_key = key
    if pending:
        members = (open_group or []) + pending
        if open_group is not None and _compatible({connector(steps[k]) for k in members}):
            open_group.extend(pending)
        else:
            out.append(list(pending))
    return [tuple(g) for g in out]


def display_steps(steps, level: str | None = None) -> list:
    """What a renderer shows for ``steps``: each atomic ``Step`` (``full``), or a group of one
    step as that step and a larger group as a ``DisplayStep`` (``grouped``, the default)."""
    steps = list(steps)
    if (level or current()) == "full":
        return steps
    return [steps[g[0]] if len(g) == 1 else DisplayStep(steps[k] for k in g) for g in groups(steps)]


__all__ = ["DETAILS", "DisplayStep", "current", "detail", "display_steps", "groups"]

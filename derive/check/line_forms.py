"""Parts of a written line that are read but not checked, split off before it is parsed: a ≠ at
the end of a chain (``4σ(0) = 2 \\ne 1``) and the probability of an event as one item of a chain
(``q = P(y' = 1) = h(1 − ε) + (1 − h)ε``)."""
from __future__ import annotations

import re

_UNEQUAL_TAIL = re.compile(r"^(?P<claim>[^=]*=.*?)\s*\\neq?(?![A-Za-z])\s*(?P<other>[^=<>]*?)[\s.,]*$")
_PROBABILITY = re.compile(r"^\s*(?:\\(?:Pr|mathbb\s*\{?P\}?|mathrm\s*\{?P\}?|operatorname\s*\{?P\}?)|P)\s*(?:\\left|\\big|\\Big)?\s*[(\[]")


def unequal_tail(latex: str) -> tuple[str, str]:
    """``4σ(0) = 4·½ = 2 \\ne 1``: the chain of equalities, and the ≠ at its end (read, not
    checked), as (claim, what it differs from); else (latex, "")."""
    m = _UNEQUAL_TAIL.match(latex)
    if m is None or "\\ne" in m.group("claim") or m.group("claim").count("{") != m.group("claim").count("}"):
        return latex, ""        # Σ_{k ≠ l}: an index condition inside the sum, not a claim
    return m.group("claim"), m.group("other").strip()


def without_event_probabilities(latex: str) -> tuple[str, list[str]]:
    """``q = P(y'=1) = h(1-ε) + (1-h)ε``: the chain without its items that are the probability of
    an event (a relation inside P(…)), and those items. The chain's other links are checked; an
    event's probability is a name for the value next to it."""
    items = _top_level_items(latex)
    events = [item for item in items if _PROBABILITY.match(item) and re.search(r"[=<>|]|\\mid", _inside(item))]
    if not events:
        return latex, []
    kept = [item for item in items if item not in events]
    return " = ".join(kept), events


def _top_level_items(latex: str) -> list[str]:
    """The items of a chain of '=' (not inside brackets or braces)."""
    items, depth, start = [], 0, 0
    for i, ch in enumerate(latex):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "=" and depth == 0 and latex[i - 1:i] not in ("<", ">", ":", "!"):
            items.append(latex[start:i].strip())
            start = i + 1
    items.append(latex[start:].strip())
    return items


def _inside(item: str) -> str:
    opened = min((i for i in (item.find("("), item.find("[")) if i >= 0), default=-1)
    return item[opened + 1:] if opened >= 0 else ""


def rebinding(latex: str) -> tuple[str, str]:
    """``w_1 = w_2 =: w``: the claim before ``=:`` and the name the student gives its value (which
    may be a name the problem already uses), as (claim, name); else (latex, "")."""
    head, sep, name = latex.rpartition("=:")
    if not sep or not head.strip() or not name.strip() or "=" not in head and "<" not in head and ">" not in head \
            and len(head.strip()) == 0:
        return latex, ""
    return head.strip(), name.strip().rstrip(".,")

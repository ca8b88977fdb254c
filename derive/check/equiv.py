"""``derive equiv``: are two LaTeX expressions (or equations) the same under a symbol table?
The same parser and equivalence module the checker uses, for answer keys and quick questions."""
from __future__ import annotations

from ..equivalence import Context, proportional, same_value
from ..errors import ParseError
from ..expr import ast as A
from ..expr.build import Builder


def compare(a: str, b: str, table, definitions=None) -> dict:
    """A verdict as data: status (equivalent | equivalent-under | not-equivalent | unknown |
    unparsed), condition, counterexample {values, left, right}, reason."""
    from .latex_math import parse_latex

    names = {n: s.latex for n, s in table.symbols.items() if s.latex}
    out = {"a": a, "b": b, "status": "unknown", "condition": "", "counterexample": None, "reason": ""}
    try:
        na, nb = parse_latex(a, names), parse_latex(b, names)
        build = Builder(table, "", lenient=True).build
        if isinstance(na, A.Rel) != isinstance(nb, A.Rel):
            out.update(status="not-equivalent", reason="one is an equation and the other an expression")
            return out
        ctx = Context(table, dict(definitions or {}))
        if isinstance(na, A.Rel):
            ea, eb = build(na).expr, build(nb).expr
            free = sorted({s for e in (ea, eb) for s in e.free_symbols if s.is_Symbol or s.is_Matrix}, key=str)
            v = proportional(ea, eb, ctx, vary=free)
        else:
            v = same_value(build(na).expr, build(nb).expr, ctx)
    except ParseError as err:
        out.update(status="unparsed" if err.kind != "type" else "not-equivalent", reason=err.message)
        return out
    out["status"] = v.status
    out["condition"] = v.condition
    out["reason"] = v.reason
    if v.counterexample is not None:
        ce = v.counterexample
        out["counterexample"] = {"values": dict(ce.values), "left": ce.left, "right": ce.right}
    return out


def describe(verdict: dict) -> str:
    status = verdict["status"]
    if status == "equivalent":
        return "equivalent"
    if status == "equivalent-under":
        return f"equivalent when {verdict['condition']}"
    if status == "not-equivalent":
        ce = verdict["counterexample"]
        if ce:
            values = ", ".join(f"{k} = {v}" for k, v in ce["values"].items())
            return f"not equivalent: with {values} the left side is {ce['left']} and the right side is {ce['right']}"
        return f"not equivalent: {verdict['reason']}"
    return f"{status}: {verdict['reason']}"


def read_batch(path) -> list[tuple[str, str]]:
    """Pairs from a YAML list of {a, b} (or [a, b]) or from JSON Lines with "a" and "b"."""
    import json
    from pathlib import Path

    import yaml

    from ..errors import SpecError

    text = Path(path).read_text(encoding="utf-8")
    pairs = []
    if str(path).endswith((".jsonl", ".ndjson")):
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as err:
                raise SpecError(f"invalid JSON: {err.msg}", str(path), n) from None
            if not isinstance(item, dict) or "a" not in item or "b" not in item:
                raise SpecError('each line needs {"a": ..., "b": ...}', str(path), n)
            pairs.append((str(item["a"]), str(item["b"])))
        return pairs
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise SpecError(f"invalid YAML: {err}", str(path)) from None
    if not isinstance(data, list):
        raise SpecError("a batch file is a list of pairs: - {a: '...', b: '...'}", str(path))
    for i, item in enumerate(data):
        if isinstance(item, dict) and "a" in item and "b" in item:
            pairs.append((str(item["a"]), str(item["b"])))
        elif isinstance(item, list) and len(item) == 2:
            pairs.append((str(item[0]), str(item[1])))
        else:
            raise SpecError(f"item {i + 1} must be {{a: ..., b: ...}}", str(path))
    return pairs

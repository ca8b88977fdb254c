"""``derive equiv``: are two LaTeX expressions (or equations) the same under a symbol table?
The same parser and equivalence module the checker uses, for answer keys and quick questions."""
from __future__ import annotations

from ..equivalence import Context, proportional, same_value
from ..errors import DeriveError, ParseError
from ..expr import ast as A
from ..expr.build import Builder


def compare(a: str, b: str, table, definitions=None) -> dict:
    """A verdict as data: status (equivalent | equivalent-under | not-equivalent | unknown |
    unparsed), condition, counterexample {values, left, right}, reason. Never raises: any
    failure is this pair's ``unparsed`` or ``unknown`` verdict, with the reason."""
    out = {"a": a, "b": b, "status": "unknown", "condition": "", "counterexample": None, "reason": ""}
    try:
        _judge(a, b, table, definitions, out)
    except ParseError as err:
        out.update(status="unparsed" if err.kind not in ("type", "shape") else "not-equivalent", reason=err.message)
    except DeriveError as err:
        out.update(status="unknown", reason=str(err))
    except (RecursionError, MemoryError):
        out.update(status="unknown", reason="too long or too deeply nested to compare")
    except Exception as err:  # noqa: BLE001 - hostile input gets a verdict, never a traceback
        out.update(status="unknown", reason=f"could not compare ({type(err).__name__}: {err})"[:300])
    return out


def _judge(a: str, b: str, table, definitions, out: dict) -> None:
    from .latex_math import given_functions

    names = {n: s.latex for n, s in table.symbols.items() if s.latex}
    applied = given_functions(table)
    na, nb = _read(a, names, applied), _read(b, names, applied)
    build = Builder(table, "", lenient=True).build
    na, nb, named = _answer_sides(na, nb)
    if isinstance(na, A.Rel) != isinstance(nb, A.Rel):
        out.update(status="not-equivalent", reason="one is an equation and the other an expression")
        return
    ctx = Context(table, dict(definitions or {}))
    if isinstance(na, A.Rel):
        ea, eb = build(na).expr, build(nb).expr
        free = sorted({s for e in (ea, eb) for s in e.free_symbols if s.is_Symbol or s.is_Matrix}, key=str)
        v = proportional(ea, eb, ctx, vary=free)
    else:
        v = same_value(build(na).expr, build(nb).expr, ctx)
    out.update(status=v.status, condition=str(v.condition or ""), reason=str(v.reason or ""))
    if named:
        out["reason"] = (out["reason"] + "; " if out["reason"] else "") + f"compared the right-hand sides of {named} = …"
    if v.counterexample is not None:
        ce = v.counterexample
        out["counterexample"] = {"values": {str(k): str(x) for k, x in dict(ce.values).items()},
                                 "left": str(ce.left), "right": str(ce.right)}


def _read(latex: str, names, applied):
    """One expression or relation; a chain of equalities ``f = … = c`` (a student's final line)
    is read as its first and last items, ``f = c``."""
    from .latex_math import parse_chain

    terms, ops = parse_chain(latex, names, given_functions=applied)
    if len(terms) == 1:
        return terms[0]
    if len(terms) > 2 and any(op != "=" for op in ops):
        raise ParseError(f"a chain of {len(ops)} relations that are not all '='; give one relation", latex)
    return A.Rel(ops[0], terms[0], terms[-1], terms[0].pos)


def _names(node) -> str:
    """The name a left-hand side gives the answer: ``w``, ``w^*``, ``f(x'; w)``, ``ε(λ)``; else ''."""
    if isinstance(node, A.Name):
        return node.id
    if isinstance(node, A.Call) and node.args and all(isinstance(a, A.Name) for a in node.args):
        return f"{node.func}({', '.join(a.id for a in node.args)})"
    return ""


def _answer_sides(na, nb):
    """``w = expr`` against a bare expression: the left side names the answer, so the right side
    is what is compared. Returns the two nodes and the name ('' when nothing was unwrapped)."""
    if isinstance(na, A.Rel) and isinstance(nb, A.Rel) and na.op == nb.op == "=" and na.left == nb.left:
        # w = … against w = … (or E[…] = … against E[…] = …): compare what each side gives
        return na.right, nb.right, na.left.id if isinstance(na.left, A.Name) else "the same left side"
    for first, second in ((na, nb), (nb, na)):
        if isinstance(first, A.Rel) and first.op == "=" and not isinstance(second, A.Rel) and _names(first.left):
            unwrapped = (first.right, second) if first is na else (second, first.right)
            return unwrapped[0], unwrapped[1], _names(first.left)
    return na, nb, ""


def compare_all(pairs: list, table, definitions=None, timeout: float = 60.0) -> list[dict]:
    """Verdicts for many pairs, all in one limited worker with ``timeout`` seconds per pair. A
    pair is (a, b) or (a, b, problem): a problem (a malformed batch item) is its ``unparsed``
    verdict. A pair that times out or exhausts the worker is ``unknown``; the rest go on."""
    from .sandbox import run_each

    verdicts: list = [None] * len(pairs)
    todo, index = [], []
    for i, pair in enumerate(pairs):
        a, b, problem, own = (tuple(pair) + ("", None))[:4]
        if problem:
            verdicts[i] = {"a": a, "b": b, "status": "unparsed", "condition": "", "counterexample": None,
                           "reason": problem}
        else:
            todo.append((a, b, *(own or (table, definitions))))    # a batch entry may bring its own context
            index.append(i)
    for i, (item, outcome) in zip(index, zip(todo, run_each(compare, todo, timeout=timeout))):
        if outcome.ok:
            verdicts[i] = outcome.value
        else:
            verdicts[i] = {"a": item[0], "b": item[1], "status": "unknown", "condition": "",
                           "counterexample": None, "reason": outcome.error}
    return verdicts


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


CONTEXT_KEYS = ("problem", "part", "symbols")


def read_batch(path) -> list[tuple[str, str, str, dict]]:
    """(a, b, problem, context) for every item of a YAML list of {a, b} (or [a, b]) or of JSON
    Lines with "a" and "b". ``problem`` is "" or why the item cannot be compared; a bad item
    never stops the batch. ``context`` holds the item's own ``problem``, ``part`` or ``symbols``
    (a file, relative to the batch file), if it gives them. A file that cannot be read at all
    raises ``SpecError``."""
    import json

    import yaml

    from ..errors import SpecError

    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as err:
        raise SpecError(f"cannot read the batch file: {err.strerror or err}", str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise SpecError(f"the batch file is not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start})",
                        str(path)) from None
    if str(path).endswith((".jsonl", ".ndjson")):
        pairs = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as err:
                pairs.append(("", "", f"line {n}: invalid JSON ({getattr(err, 'msg', 'nested too deeply')})"))
                continue
            pairs.append(_pair(item, f"line {n}", '{"a": ..., "b": ...}'))
        return pairs
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError) as err:
        raise SpecError(f"invalid YAML: {err}"[:500], str(path)) from None
    if not isinstance(data, list):
        raise SpecError("a batch file is a list of pairs: - {a: '...', b: '...'}", str(path))
    return [_pair(item, f"item {i + 1}", "{a: ..., b: ...}") for i, item in enumerate(data)]


def _pair(item, where: str, form: str) -> tuple[str, str, str, dict]:
    context = {}
    if isinstance(item, dict) and "a" in item and "b" in item:
        a, b = item["a"], item["b"]
        extra = sorted(set(item) - {"a", "b", *CONTEXT_KEYS}, key=str)
        if extra:
            return (str(a)[:200], str(b)[:200], f"{where}: unknown key '{extra[0]}' (an entry has a, b and "
                    "optionally problem, part, symbols)", {})
        context = {k: item[k] for k in CONTEXT_KEYS if k in item}
        if not all(isinstance(v, str) for v in context.values()):
            return (str(a)[:200], str(b)[:200], f"{where}: problem, part and symbols must be text", {})
    elif isinstance(item, list) and len(item) == 2:
        a, b = item
    else:
        return ("", "", f"{where} must be {form}", {})
    if not all(isinstance(x, (str, int, float)) and not isinstance(x, bool) for x in (a, b)):
        return (str(a)[:200], str(b)[:200], f"{where}: a and b must be text (LaTeX), not lists or maps", {})
    return (str(a), str(b), "", context)

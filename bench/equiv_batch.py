"""The ``derive equiv --batch`` workload: pairs read from the tests' own data, with mixed contexts.

Sources (read with ``ast``, nothing is imported or run):

- every ``@pytest.mark.parametrize("a, b…")`` list in tests/test_equiv_notation.py (compared
  under that file's ``SYMBOLS``) and tests/test_check.py (under the problem ridge-fgm, as
  ``test_equiv_command`` does);
- every list of ``{"a": …, "b": …}`` entries written in a test with "equiv" or "batch" in its
  name (each entry brings its own problem, part or symbols file; bad entries stay bad);
- every batch file a test with "equiv" in its name writes (``….write_text('…')``), under the
  symbols file the same test writes, else its module's ``SYMBOLS``.

The pairs are repeated round-robin up to ``count`` (125 by default) and written as one JSON
Lines file, with the symbols files beside it. Contexts: symbols files, a problem, a problem's
part, and entries that cannot be compared (no context, unknown problem, unknown key).
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
COUNT = 125


def _const(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return None


def _module_symbols(tree) -> str | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "SYMBOLS" for t in node.targets):
            return _const(node.value)
    return None


def _parametrized(tree):
    """(function name, list of tuples) for each parametrize("a, b…", [...])."""
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef):
            continue
        for dec in fn.decorator_list:
            if isinstance(dec, ast.Call) and getattr(dec.func, "attr", "") == "parametrize" and len(dec.args) >= 2:
                names = _const(dec.args[0])
                if isinstance(names, str) and names.replace(" ", "").startswith("a,b"):
                    rows = _const(dec.args[1])
                    if isinstance(rows, list):
                        yield fn.name, rows


def _written(fn) -> list[str]:
    return [c for node in ast.walk(fn) if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "write_text"
            and node.args and isinstance(c := _const(node.args[0]), str)]


def _entry_lists(fn) -> list[list[dict]]:
    out = []
    for node in ast.walk(fn):
        if isinstance(node, ast.List) and node.elts and all(isinstance(e, ast.Dict) for e in node.elts):
            value = _const(node)
            if value and all(isinstance(e, dict) and "a" in e and "b" in e for e in value):
                out.append(value)
    return out


def _batch_lines(text: str) -> list[dict] | None:
    """The entries of a JSON Lines batch a test writes (malformed lines kept as text)."""
    if not text.lstrip().startswith("{\""):
        return None
    return [{"raw": line} for line in text.splitlines() if line.strip()]


def unique_pairs() -> tuple[list[dict], dict[str, str]]:
    """The distinct entries (JSON-ready dicts, or {"raw": line}) and the symbols files they use."""
    import yaml

    entries: list[dict] = []
    files: dict[str, str] = {}
    for name, default in (("test_equiv_notation.py", {"symbols": "notation.yaml"}),
                          ("test_check.py", {"problem": "ridge-fgm"}),
                          ("test_hostile_input.py", {"symbols": "hostile.yaml"})):
        path = TESTS / name
        if not path.exists():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_symbols = _module_symbols(tree)
        if module_symbols and "symbols" in default:
            files[default["symbols"]] = module_symbols
        for _, rows in _parametrized(tree):
            entries += [{"a": r[0], "b": r[1], **default} for r in rows if isinstance(r, tuple) and len(r) >= 2]
        for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
            if "equiv" not in fn.name and "batch" not in fn.name:
                continue
            for lst in _entry_lists(fn):
                for e in lst:          # their symbols file is the module's
                    if "symbols" in e and module_symbols:
                        files[f"{path.stem}-{e['symbols']}"] = module_symbols
                        e = {**e, "symbols": f"{path.stem}-{e['symbols']}"}
                    entries.append(e)
            texts = _written(fn)
            own = next((t for t in texts if isinstance(_yaml(yaml, t), dict) and "symbols" in _yaml(yaml, t)), None)
            ctx_file = f"{fn.name}.yaml" if own else default.get("symbols")
            if own:
                files[ctx_file] = own
            for t in texts:
                lines = _batch_lines(t)
                if lines and ctx_file:
                    entries += [{**ln, "symbols": ctx_file} for ln in lines]
    return entries, files


def _yaml(yaml, text):
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def write(dest: Path, count: int = COUNT) -> tuple[Path, int, dict]:
    """The batch file (JSON Lines) of ``count`` entries in ``dest``; its number of distinct
    entries and how many entries use each kind of context."""
    entries, files = unique_pairs()
    if not entries:
        raise SystemExit("no equiv pairs found in tests/")
    for name, text in files.items():
        (dest / name).write_text(text, encoding="utf-8")
    lines, kinds = [], {}
    for i in range(count):
        e = entries[i % len(entries)]
        if "raw" in e:
            try:
                item = json.loads(e["raw"])
            except json.JSONDecodeError:
                lines.append(e["raw"])
                kinds["malformed line"] = kinds.get("malformed line", 0) + 1
                continue
            e = {**item, "symbols": e["symbols"]} if isinstance(item, dict) and not ({"problem", "symbols"} & set(item)) else item
        kind = ("part" if "part" in e else "problem") if "problem" in e else ("symbols" if "symbols" in e else "none")
        kinds[kind] = kinds.get(kind, 0) + 1
        lines.append(json.dumps(e, ensure_ascii=False))
    path = dest / "pairs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, len(entries), kinds


if __name__ == "__main__":
    import sys
    import tempfile

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="derive-equiv-"))
    out.mkdir(parents=True, exist_ok=True)
    p, n, k = write(out)
    print(f"{p}: {COUNT} entries from {n} distinct ({k})")

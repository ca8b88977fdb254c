"""Displayed steps per part of every bank problem, before and after step grouping (issue 12).

    python bench/step_counts.py            # print the table, write bench/step_counts.json
    python bench/step_counts.py --check    # print only; do not write

"before" is every atomic step (``--detail full``), "after" the steps shown by default
(``derive/render/grouping.py``), of the part's own steps (its variants' are counted beside
them). When a TA's
reference solutions are there (``/work/blind/refs/counts.json``, or ``--refs FILE``), the ratio
displayed/reference is printed per part, with the parts over 1.5×.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REFS = Path("/work/blind/refs/counts.json")
LIMIT = 1.5


def part_counts(part) -> dict:
    """The part's own steps before and after grouping; its variants' steps (other conventions,
    other goals) beside them, since a TA's reference shows the part's own working only."""
    from derive.render.grouping import display_steps

    out = {"before": len(display_steps(part.steps, "full")), "after": len(display_steps(part.steps, "grouped"))}
    if part.variants:
        out["variants_before"] = sum(len(display_steps(v.steps, "full")) for v in part.variants)
        out["variants_after"] = sum(len(display_steps(v.steps, "grouped")) for v in part.variants)
    return out


def bank_counts() -> dict:
    """``{"problem/part": {"before": n, "after": m}}`` for every part of the bank."""
    from derive.bank import entries
    from derive.engine import derive
    from derive.spec import load_spec

    out = {}
    for e in entries():
        d = derive(load_spec(e.path))
        for part in d.parts:
            out[f"{e.id}/{part.id}"] = {**part_counts(part), **({"error": True} if part.error else {})}
    return out


def load_refs(path: Path) -> dict:
    """A reference count per ``problem/part``, from ``{problem: {part: n}}``, ``{"problem/part": n}``
    or a list of ``{"problem", "part", "steps"|"count"|"lines"}``; values may be ``{"steps": n}``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and isinstance(data.get("parts"), (dict, list)):
        data = data["parts"]

    def number(v):
        if isinstance(v, dict):
            v = next((v[k] for k in ("steps", "count", "lines", "n") if k in v), None)
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    out = {}
    if isinstance(data, list):
        for row in data:
            if isinstance(row, dict) and "problem" in row and "part" in row and number(row) is not None:
                out[f"{row['problem']}/{row['part']}"] = number(row)
        return out
    for key, value in data.items():
        if isinstance(value, dict) and number(value) is None:
            for part, v in value.items():
                if number(v) is not None:
                    out[f"{key}/{part}"] = number(v)
        elif number(value) is not None:
            out[str(key)] = number(value)
    return out


def report(counts: dict, refs: dict | None) -> str:
    before = sum(c["before"] for c in counts.values())
    after = sum(c["after"] for c in counts.values())
    lines = [f"{len(counts)} parts: {before} displayed steps before grouping, {after} after "
             f"({after / max(before, 1):.0%})", "", "worst parts (most steps shown after grouping):"]
    for key, c in sorted(counts.items(), key=lambda kv: (-kv[1]["after"], kv[0]))[:10]:
        lines.append(f"  {key:<52} {c['before']:>3} -> {c['after']:>3}")
    if refs:
        shared = [k for k in counts if k in refs and refs[k]]
        lines += ["", f"against the TA references ({len(shared)} of {len(counts)} parts have one):"]
        over = []
        for key in sorted(shared):
            ratio = counts[key]["after"] / refs[key]
            lines.append(f"  {key:<52} {counts[key]['after']:>3} / {refs[key]:<3} = {ratio:.2f}")
            if ratio > LIMIT:
                over.append((key, ratio))
        total_ref = sum(refs[k] for k in shared)
        total = sum(counts[k]["after"] for k in shared)
        lines += ["", f"total {total} / {total_ref} = {total / max(total_ref, 1):.2f}; "
                      f"{len(over)} part(s) over {LIMIT}×" + (":" if over else "")]
        lines += [f"  {k} ({r:.2f}×)" for k, r in sorted(over, key=lambda kr: -kr[1])]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="print only; do not write the JSON")
    parser.add_argument("--refs", type=Path, default=REFS, help="the TA reference counts (JSON)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "step_counts.json")
    args = parser.parse_args(argv)
    counts = bank_counts()
    refs = load_refs(args.refs) if args.refs.is_file() else None
    print(report(counts, refs))
    if not args.check:
        data = {"totals": {"before": sum(c["before"] for c in counts.values()),
                           "after": sum(c["after"] for c in counts.values())},
                "parts": counts}
        if refs:
            data["references"] = {k: refs[k] for k in counts if k in refs}
        args.out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nwrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

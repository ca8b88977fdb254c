"""Run the fuzzer: ``python tests/fuzz/run.py [--seed S] [--count N] [--start I] [--limit SECONDS]
[--report FILE]``, or ``--only I`` to replay one input. ``make fuzz`` runs 2,000 inputs.

All inputs run one after another in one worker process with the sandbox's memory limit and a time
limit per input (``derive.check.sandbox.run_each``, as ``derive equiv --batch`` runs its pairs).
Prints a progress line every 1,000 inputs and, at the end, one summary line and each distinct
cause with the index that reproduces it."""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from fuzz import Finding, World, run_one  # noqa: E402


def fuzz(seed: int, count: int, start: int = 0, limit: float = 30.0, progress=None, problems=None) -> dict:
    """Run inputs ``start .. start+count-1`` of ``seed``; the tallies and first reproducers."""
    from derive.check.sandbox import run_each

    world = World(problems) if problems else World()
    indices = list(range(start, start + count))
    began = time.monotonic()
    totals = Counter()
    causes: dict[str, dict] = {}

    def note(kind: str, cause: str, i: int, summary: str):
        entry = causes.setdefault(f"{kind}: {cause}", {"count": 0, "first": i, "input": summary[:600]})
        entry["count"] += 1

    def done(k, outcome):
        i = indices[k]
        totals["inputs"] += 1
        if not outcome.ok:
            kind = "hang" if "timed out" in outcome.error else "crash"
            totals[kind + "es" if kind == "crash" else kind + "s"] += 1
            note(kind, outcome.error, i, f"--seed {seed} --only {i}")
        else:
            f = Finding(**outcome.value)
            totals[f.kind] += 1
            if f.crash:
                totals["crashes"] += 1
                note("crash", f.crash, i, f.summary)
            for c in f.caught:
                totals["caught"] += 1
                note("caught", c, i, f.summary)
            if f.asymmetric:
                totals["asymmetric"] += 1
                note("asymmetric", f.asymmetric, i, f.summary)
        if progress and totals["inputs"] % 1000 == 0:
            progress(summary_line(seed, totals, time.monotonic() - began))

    run_each(lambda i: asdict(run_one(world, seed, i)), [(i,) for i in indices], timeout=limit, on_done=done)
    return {"seed": seed, "start": start, "totals": dict(totals), "seconds": round(time.monotonic() - began, 1),
            "causes": causes}


def summary_line(seed: int, totals: Counter, seconds: float) -> str:
    return (f"fuzz seed {seed}: {totals['inputs']} inputs (equiv {totals['equiv']}, check {totals['check']}, "
            f"spec {totals['spec']}): {totals['crashes']} crashes, {totals['hangs']} hangs, "
            f"{totals['asymmetric']} asymmetric, {totals['caught']} caught by the safety net; {seconds:.0f} s")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--limit", type=float, default=30.0, help="seconds per input before it counts as a hang")
    ap.add_argument("--report", help="write the tallies and causes as JSON here")
    ap.add_argument("--only", type=int, help="replay this one input and print it")
    args = ap.parse_args(argv)
    if args.only is not None:
        from derive.check.sandbox import worker_limits

        worker_limits()
        found = run_one(World(), args.seed, args.only)
        print(json.dumps(asdict(found), indent=2, ensure_ascii=False))
        return 1 if found.crash or found.asymmetric else 0
    result = fuzz(args.seed, args.count, args.start, args.limit, progress=lambda line: print(line, file=sys.stderr, flush=True))
    t = Counter(result["totals"])
    for name, entry in sorted(result["causes"].items(), key=lambda kv: -kv[1]["count"]):
        print(f"  {entry['count']:>6}x {name}\n          first: --seed {args.seed} --only {entry['first']}: {entry['input'][:300]}")
    print(summary_line(args.seed, t, result["seconds"]))
    if args.report:
        Path(args.report).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 1 if t["crashes"] or t["hangs"] or t["asymmetric"] else 0


if __name__ == "__main__":
    sys.exit(main())

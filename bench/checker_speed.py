"""Time the checker's two batch paths on a labelled corpus (the figures issue 10 asks for):

    python bench/checker_speed.py tests/fixtures/blind_writeups_v1

1. ``derive check PROBLEM FILE…`` over 100 submissions of one problem (the corpus's files for the
   problem with the most, repeated up to 100), in one command;
2. ``derive equiv --batch`` over 125 answer pairs with mixed contexts in one process: each file's
   boxed answer for each part it answers, against itself rewritten (``\\cdot`` for juxtaposition
   and ``^\\top`` for ``^T``), each entry naming its own problem and part.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from checker_corpus import DERIVE, run_checker  # noqa: E402


def timed(cmd, cwd) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - start, done


def main(argv=None) -> int:
    corpus = Path((argv or sys.argv[1:])[0]).resolve()
    labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    problem, _ = Counter(e["problem"] for e in labels).most_common(1)[0]
    files = [e["file"] for e in labels if e["problem"] == problem]
    files = (files * (100 // len(files) + 1))[:100]
    seconds, done = timed([*DERIVE, "check", problem, *files, "--json"], corpus)
    reports = json.loads(done.stdout)
    print(f"check: {len(reports)} submissions of {problem} in {seconds:.1f} s ({seconds / len(reports) * 1000:.0f} ms each)")

    reports, _ = run_checker(corpus, labels)          # one `derive check` per problem
    pairs = []
    for entry in labels:
        for part, answer in (reports[entry["file"]].get("final_answers") or {}).items():
            a = answer.get("latex") or ""
            if a and len(pairs) < 125:
                pairs.append({"a": a, "b": a.replace("^T", "^{\\top}"), "problem": entry["problem"], "part": part})
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "pairs.jsonl"
        batch.write_text("\n".join(json.dumps(p) for p in pairs), encoding="utf-8")
        seconds, done = timed([*DERIVE, "equiv", "--batch", str(batch), "--json"], tmp)
    verdicts = [json.loads(line) for line in done.stdout.splitlines()]
    contexts = len({(p["problem"], p["part"]) for p in pairs})
    tally = Counter(v["status"] for v in verdicts)
    print(f"equiv --batch: {len(verdicts)} pairs over {contexts} contexts in one process, {seconds:.1f} s "
          f"({', '.join(f'{k} {n}' for k, n in tally.most_common())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

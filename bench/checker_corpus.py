"""Score ``derive check`` on a labelled corpus of student write-ups.

    python bench/checker_corpus.py tests/fixtures/blind_writeups_v1 [--details] [--json OUT]

The corpus folder holds ``labels.json``: one entry per file, with ``file``, ``problem``,
``parts``, ``fully_correct``, ``error_line`` (the line of the one planted error, or null) and
``final_answers`` (part id -> "correct" | "wrong"). The files are checked with the real command,
``derive check PROBLEM FILES --json``, one process per problem, and the figures the checker
issue asks for are printed:

- false alarms: correct write-ups with any step or final answer marked wrong;
- errors located: planted errors whose line is the first line marked wrong;
- final-answer agreement: (file, part) pairs where the verdict matches the label
  (``unknown`` counts as disagreement);
- unknown share: the share of judged lines that came out ``unknown`` or ``unparsed``.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DERIVE = [sys.executable, "-c", "from derive.cli import main; main()"]


def load_labels(corpus: Path) -> list:
    """The corpus's labels, each naming its file from the corpus folder (a label may say
    ``files/x.md`` or just ``x.md`` beside ``files/``)."""
    labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    for entry in labels:
        if not (corpus / entry["file"]).exists() and (corpus / "files" / entry["file"]).exists():
            entry["file"] = f"files/{entry['file']}"
    return labels


def run_checker(corpus: Path, labels: list) -> tuple[dict, float]:
    by_problem = defaultdict(list)
    for entry in labels:
        by_problem[entry["problem"]].append(entry["file"])
    reports, start = {}, time.perf_counter()
    for problem, files in sorted(by_problem.items()):
        done = subprocess.run([*DERIVE, "check", problem, *files, "--json"], cwd=corpus,
                              capture_output=True, text=True)
        try:
            out = json.loads(done.stdout)
        except json.JSONDecodeError:
            sys.exit(f"derive check {problem} gave no JSON:\n{done.stderr[-2000:]}")
        for report in out:
            reports[report["file"]] = report
    return reports, time.perf_counter() - start


def score(labels: list, reports: dict) -> dict:
    alarms, located, missed, agree, pairs, lines, unknown = [], [], [], 0, 0, 0, 0
    disagreements = []
    for entry in labels:
        report = reports.get(entry["file"]) or {"steps": [], "final_answers": {}}
        wrong = [s["line"] for s in report["steps"] if s["status"] == "wrong"]
        answers = report.get("final_answers") or {}
        lines += len(report["steps"])
        unknown += sum(s["status"] in ("unknown", "unparsed") for s in report["steps"])
        if entry["fully_correct"]:
            bad_answers = [p for p, a in answers.items() if a["status"] == "wrong"]
            if wrong or bad_answers or report.get("error"):
                alarms.append((entry["file"], wrong[:3], bad_answers, report.get("error")))
        else:
            (located if wrong and wrong[0] == entry["error_line"] else missed).append(
                (entry["file"], entry["error_line"], wrong[:3]))
        for part, label in entry["final_answers"].items():
            pairs += 1
            got = (answers.get(part) or {}).get("status", "missing")
            if got == label:
                agree += 1
            else:
                disagreements.append((entry["file"], part, label, got, (answers.get(part) or {}).get("reason", "")))
    correct = sum(e["fully_correct"] for e in labels)
    return {
        "files": len(labels), "correct_files": correct, "false_alarms": len(alarms),
        "planted": len(labels) - correct, "located": len(located),
        "answer_pairs": pairs, "answers_agree": agree,
        "lines": lines, "unknown_lines": unknown,
        "alarm_files": alarms, "missed_errors": missed, "answer_disagreements": disagreements,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--details", action="store_true", help="list every false alarm, missed error and disagreement")
    ap.add_argument("--json", type=Path, help="write the figures and the lists here")
    args = ap.parse_args(argv)
    labels = load_labels(args.corpus)
    reports, seconds = run_checker(args.corpus, labels)
    s = score(labels, reports)
    s["seconds"] = round(seconds, 1)
    print(f"{s['files']} files ({s['correct_files']} correct, {s['planted']} with one planted error), "
          f"checked in {seconds:.1f} s")
    print(f"  false alarms:           {s['false_alarms']} of {s['correct_files']} correct write-ups")
    print(f"  errors located:         {s['located']} of {s['planted']} ({100 * s['located'] / max(1, s['planted']):.0f}%)")
    print(f"  final-answer agreement: {s['answers_agree']} of {s['answer_pairs']} "
          f"({100 * s['answers_agree'] / max(1, s['answer_pairs']):.0f}%)")
    print(f"  unknown lines:          {s['unknown_lines']} of {s['lines']} "
          f"({100 * s['unknown_lines'] / max(1, s['lines']):.0f}%)")
    if args.details:
        for title, rows in (("false alarms", s["alarm_files"]), ("missed errors", s["missed_errors"]),
                            ("answer disagreements", s["answer_disagreements"])):
            print(f"\n{title}:")
            for row in rows:
                print("  ", *row)
    if args.json:
        args.json.write_text(json.dumps(s, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

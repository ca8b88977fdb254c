"""Benchmark: the speed targets of issue 13, each next to ``import sympy`` measured in the same run.

    python bench/run.py              the table: target, median, min–max over runs, pass/fail
    python bench/run.py --json       the same figures as JSON
    python bench/run.py --runs 9     more repetitions of the short rows (default 5)
    python bench/run.py --heavy-runs 5   more repetitions of the bank, checker and equiv rows (default 3)
    python bench/run.py --profile    cProfile every part of the bank: the slowest parts, and the
                                     rules and functions where their time goes

Not a test: it measures and prints, and fails only when a command it times fails. Every figure
is a wall-clock time on this machine; whatever could not be measured says "not measured".
See bench/README.md for what each row means.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DERIVE = Path(sys.executable).parent / "derive"
CHECK_BATCH = 100              # submissions per checker timing
FIXTURES = REPO / "tests" / "fixtures" / "students"

# (key, label, target, how the target reads); "ratio" targets are × the sympy import of the same run
TARGETS = [
    ("cli_latex_cold", "cold `derive ridge-fgm --latex`, empty cache", ("ratio", 1.5)),
    ("slowest_part", "slowest single part in the bank, in process", ("seconds", 0.5)),
    ("bank_total", "the whole bank, every part, one process", ("seconds", 10.0)),
    ("check", "`derive check` on 100 submissions", ("seconds", 20.0)),
    ("equiv", "`derive equiv --batch`, 125 mixed-context pairs, after import", ("seconds", 2.0)),
]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DERIVE_NO_CACHE", "DERIVE_CACHE_DIR")}
    env.update(extra)
    return env


def _timed(cmd: list[str], env: dict[str, str] | None = None, ok=(0,)) -> tuple[float, str]:
    """Wall time of one fresh process, and its stdout. A failing command stops the benchmark."""
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env or _env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        sys.exit(f"benchmark command failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return elapsed, done.stdout


def compile_derive() -> None:
    """Write the .pyc files of the derive package the timed commands import (the one on
    PYTHONPATH, else the installed one), as installing it does: with PYTHONDONTWRITEBYTECODE
    set, as on this machine, every fresh process would compile derive's modules again."""
    env = {k: v for k, v in _env().items() if k != "PYTHONDONTWRITEBYTECODE"}
    where = _timed([PYTHON, "-c", "import derive, os; print(os.path.dirname(derive.__file__))"], env)[1].strip()
    _timed([PYTHON, "-m", "compileall", "-q", where], env)


def _child(*args: str) -> dict:
    """Run this script as a fresh process in one of its child modes; its JSON result."""
    return json.loads(_timed([PYTHON, str(Path(__file__).resolve()), "--child", *args])[1])


def stats(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


# -- start-up: import sympy and a cold CLI call, alternating -------------------------------

def bench_startup(runs: int, problem: str = "ridge-fgm") -> dict:
    """``import sympy`` and ``derive PROBLEM --latex`` as fresh processes, alternating, so both
    see the same machine load: the latter first with an empty cache directory (a new one each
    run), then again with the same directory (a warm cache)."""
    sympy_cmd = [PYTHON, "-c", "import sympy"]
    cmd = [str(DERIVE), problem, "--latex"]
    scratch = Path(tempfile.mkdtemp(prefix="derive-bench-"))
    try:
        # untimed: .pyc files and the OS file cache. PYTHONDONTWRITEBYTECODE (set on this machine)
        # would leave derive's own modules to be compiled again in every timed run, which no
        # installed copy does (pip compiles them); these two runs may write them.
        compile_env = {k: v for k, v in _env(DERIVE_NO_CACHE="1").items() if k != "PYTHONDONTWRITEBYTECODE"}
        _timed(sympy_cmd, compile_env)
        _timed(cmd, compile_env)
        base, cold, warm, ratio = [], [], [], []
        for i in range(runs):
            cache_dir = scratch / f"cache-{i}"
            cache_dir.mkdir()
            env = _env(DERIVE_CACHE_DIR=str(cache_dir))
            t_base = _timed(sympy_cmd)[0]
            t_cold, first = _timed(cmd, env)
            t_warm, second = _timed(cmd, env)
            if first != second or not first.strip():
                sys.exit(f"the cached output of '{' '.join(cmd)}' differs from the fresh one (or is empty)")
            base.append(t_base)
            cold.append(t_cold)
            warm.append(t_warm)
            ratio.append(t_cold / t_base)
        return {"sympy_import": stats(base), "cli_latex_cold": stats(cold), "cli_latex_warm": stats(warm),
                "cli_latex_cold_ratio": stats(ratio)}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# -- the whole bank in one process (a child process per run) ----------------------------------

def child_bank() -> dict:
    """Import, then derive every problem in the bank in this process, timing each part."""
    start = time.perf_counter()
    import sympy  # noqa: F401

    from derive import engine
    from derive.bank import entries
    from derive.spec import load_spec
    imports = time.perf_counter() - start

    parts: dict[str, float] = {}
    current = [""]
    real = engine.derive_or_fail

    def timed(spec, part, results, *args, **kwargs):
        t = time.perf_counter()
        try:
            return real(spec, part, results, *args, **kwargs)
        finally:
            parts[f"{current[0]} {part.id}"] = time.perf_counter() - t

    engine.derive_or_fail = timed
    problems, failed = {}, []
    for entry in entries():
        current[0] = entry.id
        t = time.perf_counter()
        d = engine.derive(load_spec(entry.path))
        problems[entry.id] = time.perf_counter() - t
        failed += [f"{entry.id} {p.id}" for p in d.failed]
    return {"imports": imports, "per_problem": problems, "per_part": parts, "total": sum(problems.values()),
            "failed": failed}


def bench_bank(runs: int) -> dict:
    results = [_child("bank") for _ in range(runs)]
    slowest = [max(r["per_part"].items(), key=lambda kv: kv[1]) for r in results]
    median_run = sorted(results, key=lambda r: r["total"])[len(results) // 2]
    return {"bank_total": stats([r["total"] for r in results]),
            "slowest_part": {**stats([s[1] for s in slowest]), "which": [s[0] for s in slowest]},
            "imports": stats([r["imports"] for r in results]),
            "parts": len(median_run["per_part"]), "problems": len(median_run["per_problem"]),
            "failed": median_run["failed"],
            "top_parts": sorted(median_run["per_part"].items(), key=lambda kv: -kv[1])[:10]}


# -- the TA checker --------------------------------------------------------------------------

def make_submissions(dest: Path, count: int = CHECK_BATCH) -> dict[str, list[Path]]:
    """``count`` submission files, copied round-robin from the student fixtures, grouped by the
    problem id their name starts with (``ridge-fgm_1.2.2_dropped-transpose.md``)."""
    fixtures = sorted(p for p in FIXTURES.glob("*") if p.suffix in (".md", ".tex"))
    batches: dict[str, list[Path]] = {}
    for i in range(count if fixtures else 0):
        src = fixtures[i % len(fixtures)]
        target = dest / f"{i:04d}-{src.name}"
        shutil.copyfile(src, target)
        batches.setdefault(src.name.split("_", 1)[0], []).append(target)
    return batches


def bench_check(runs: int, count: int = CHECK_BATCH) -> dict:
    """``derive check PROBLEM FILES… --json`` over ``count`` submissions, one process per problem
    (the CLI's batch mode), uncached; the sum over the problems is one run."""
    scratch = Path(tempfile.mkdtemp(prefix="derive-bench-check-"))
    try:
        batches = make_submissions(scratch, count)
        if not batches:
            return {"status": "not measured", "reason": f"no student fixtures in {FIXTURES}"}
        totals, exit_codes = [], {}
        for _ in range(runs):
            seconds = 0.0
            for problem, files in batches.items():
                cmd = [str(DERIVE), "check", problem, *map(str, files), "--json"]
                t, out = _timed(cmd, _env(DERIVE_NO_CACHE="1"), ok=(0, 1))   # 1: mistakes found
                seconds += t
                reports = json.loads(out)
                exit_codes[problem] = sum(1 for r in reports if r.get("error"))
            totals.append(seconds)
        return {"status": "measured", **stats(totals), "submissions": sum(len(f) for f in batches.values()),
                "files_not_checked": exit_codes}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# -- derive equiv --batch ------------------------------------------------------------------------

def child_equiv(folder: str) -> dict:
    """What ``derive equiv --batch FILE --json`` does, in this process: the imports of the
    command, then reading the batch and comparing every pair (in one forked, limited worker)."""
    start = time.perf_counter()
    import sympy  # noqa: F401

    from derive import cli  # noqa: F401
    from derive.check import batch as checking
    from derive.check.equiv import read_batch
    imports = time.perf_counter() - start
    path = Path(folder) / "pairs.jsonl"
    start = time.perf_counter()
    verdicts = checking.equiv_pairs(read_batch(path), None, None, 60.0, base_dir=str(path.parent))
    work = time.perf_counter() - start
    statuses: dict[str, int] = {}
    for v in verdicts:
        statuses[v["status"]] = statuses.get(v["status"], 0) + 1
    return {"imports": imports, "seconds": work, "pairs": len(verdicts), "statuses": statuses}


def bench_equiv(runs: int) -> dict:
    from equiv_batch import write

    scratch = Path(tempfile.mkdtemp(prefix="derive-bench-equiv-"))
    try:
        _, distinct, kinds = write(scratch)
        results = [_child("equiv", str(scratch)) for _ in range(runs)]
        return {"status": "measured", **stats([r["seconds"] for r in results]),
                "imports": stats([r["imports"] for r in results]), "pairs": results[0]["pairs"],
                "distinct": distinct, "contexts": kinds, "statuses": results[0]["statuses"]}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# -- report ------------------------------------------------------------------------------------

def run(runs: int, heavy: int) -> dict:
    if not DERIVE.exists():
        sys.exit(f"no derive console script next to {PYTHON}; install the package (pip install -e .)")
    r = {"machine": {"python": sys.version.split()[0], "cpus": os.cpu_count(), "runs": runs, "heavy_runs": heavy}}
    r.update(bench_startup(runs))
    r.update(bench_bank(heavy))
    r["check"] = bench_check(heavy)
    r["equiv"] = bench_equiv(heavy)
    return r


def _verdict(value: float, target: float) -> str:
    return "pass" if value <= target else "FAIL"


def report(r: dict) -> str:
    m = r["machine"]
    base = r["sympy_import"]
    lines = [f"derive benchmark (Python {m['python']}, {m['cpus']} CPUs; {m['runs']} runs of the start-up rows, "
             f"{m['heavy_runs']} of the others; median [min–max])", "",
             f"{'measure':<64}{'target':>14}  {'median [min–max]':<26}  result"]

    def row(label, target, s, unit="s", note=""):
        fmt = (lambda v: f"{v:.2f}×") if unit == "×" else (lambda v: f"{v:.3f}")
        spread = f"{fmt(s['median'])} [{fmt(s['min'])}–{fmt(s['max'])}]"
        lines.append(f"{label:<64}{target:>14}  {spread:<26}  {note}")

    row("python -c 'import sympy' (s)", "", base, note="the floor")
    for key, label, (kind, target) in TARGETS:
        if key == "cli_latex_cold":
            ratio = r["cli_latex_cold_ratio"]
            row(label + " (× import sympy)", f"≤ {target:g}×", ratio, "×", _verdict(ratio["median"], target))
            row("  the same in seconds", "", r["cli_latex_cold"])
            row("  warm cache (s, for comparison)", "", r["cli_latex_warm"])
            continue
        s = r[key] if key in r else None
        if s is None or s.get("status", "measured") != "measured":
            lines.append(f"{label:<64}{f'≤ {target:g} s':>14}  not measured: {s and s.get('reason')}")
            continue
        row(label + " (s)", f"≤ {target:g} s", s, note=_verdict(s["median"], target))
        if key == "slowest_part":
            lines.append(f"  slowest part in each run: {', '.join(dict.fromkeys(s['which']))}")
        if key == "bank_total":
            lines.append(f"  {r['problems']} problems, {r['parts']} parts; imports before the first "
                         f"{r['imports']['median']:.3f} s" + (f"; FAILED parts: {r['failed']}" if r["failed"] else ""))
            lines.append("  slowest parts (median run): " + ", ".join(f"{p} {t:.2f}" for p, t in r["top_parts"][:6]))
        if key == "check":
            lines.append(f"  {s['submissions']} submissions, one process per problem")
        if key == "equiv":
            lines.append(f"  {s['pairs']} pairs ({s['distinct']} distinct; contexts {s['contexts']}); "
                         f"imports before {s['imports']['median']:.3f} s; verdicts {s['statuses']}")
    return "\n".join(lines)


# -- --profile ---------------------------------------------------------------------------------

def profile(top: int = 12) -> str:
    """cProfile around every part of the bank, in this process: the slowest parts (with the
    functions of derive that took their time), and over the whole bank the rules (derive/rules)
    and the functions (derive and SymPy) where the time goes."""
    import cProfile
    import pstats

    import sympy  # noqa: F401

    from derive import engine
    from derive.bank import entries
    from derive.spec import load_spec

    bank = cProfile.Profile()
    per_part: list[tuple[float, str, pstats.Stats]] = []
    real = engine.derive_or_fail
    current = [""]

    def profiled(spec, part, results, *args, **kwargs):
        prof = cProfile.Profile()
        t = time.perf_counter()
        prof.enable()
        try:
            return real(spec, part, results, *args, **kwargs)
        finally:
            prof.disable()
            per_part.append((time.perf_counter() - t, f"{current[0]} {part.id}", pstats.Stats(prof)))

    engine.derive_or_fail = profiled
    load = 0.0
    for entry in entries():
        current[0] = entry.id
        t = time.perf_counter()
        bank.enable()
        spec = load_spec(entry.path)
        bank.disable()
        load += time.perf_counter() - t
        engine.derive(spec)
    total = pstats.Stats(bank)
    for _, _, st in per_part:
        total.add(st)

    def ours(stats: pstats.Stats, where: str, n: int, key: int = 3) -> list[str]:
        """Functions whose file contains ``where``, by cumulative (key=3) or own (key=2) time."""
        rows = [(v[key], v[2], v[3], f"{Path(f).parent.name}/{Path(f).name}:{fn}")
                for (f, _, fn), v in stats.stats.items() if where in f]
        rows.sort(reverse=True)
        return [f"{cum:8.3f} s cumulative {own:7.3f} s own  {name}" for _, own, cum, name in rows[:n]]

    per_part.sort(key=lambda t: -t[0])
    wall = sum(t for t, _, _ in per_part)
    lines = [f"profile of the bank ({len(per_part)} parts, {wall:.2f} s deriving under cProfile, "
             f"{load:.2f} s loading specs)", "", f"the {top} slowest parts:"]
    for seconds, name, st in per_part[:top]:
        lines.append(f"  {seconds:7.3f} s  {name}")
        lines += [f"      {x}" for x in ours(st, f"{os.sep}derive{os.sep}rules{os.sep}", 3)]
        lines += [f"      {x}" for x in ours(st, f"{os.sep}derive{os.sep}certificate", 2)]
    lines += ["", "rules (derive/rules), whole bank, by cumulative time:"]
    lines += [f"  {x}" for x in ours(total, f"{os.sep}derive{os.sep}rules{os.sep}", 20)]
    lines += ["", "derive's functions, whole bank, by cumulative time:"]
    lines += [f"  {x}" for x in ours(total, f"{os.sep}derive{os.sep}", 30)]
    lines += ["", "all functions (SymPy included), whole bank, by own time:"]
    lines += [f"  {x}" for x in ours(total, "", 25, key=2)]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--runs", type=int, default=5, help="repetitions of the start-up rows")
    parser.add_argument("--heavy-runs", type=int, default=3, help="repetitions of the bank, checker and equiv rows")
    parser.add_argument("--profile", action="store_true", help="profile every part of the bank instead")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if args.child:
        result = child_bank() if args.child[0] == "bank" else child_equiv(args.child[1])
        print(json.dumps(result))
        return 0
    if args.profile:
        print(profile())
        return 0
    compile_derive()
    result = run(max(1, args.runs), max(1, args.heavy_runs))
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

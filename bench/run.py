"""Benchmark: start-up cost, the output cache, and derivation time for the whole bank.

    python bench/run.py            a table
    python bench/run.py --json     the same figures as JSON
    python bench/run.py --runs 9   more repetitions per timing (median reported)

Not a test: it measures and prints, and fails only when a command it times fails. Every figure
is a wall-clock time on this machine; whatever could not be measured says "not measured".
See bench/README.md for what each row means.
"""
from __future__ import annotations

import argparse
import importlib.util
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
TARGET_TOTAL_SECONDS = 3.0
CHECK_BATCH = 100              # submissions per checker timing
FIXTURES = REPO / "tests" / "fixtures" / "students"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DERIVE_NO_CACHE", "DERIVE_CACHE_DIR")}
    env.update(extra)
    return env


def _timed(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, str]:
    """Wall time of one fresh process, and its stdout. A failing command stops the benchmark."""
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"benchmark command failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return elapsed, done.stdout


# -- start-up -------------------------------------------------------------------------------

def bench_sympy_import(runs: int) -> list[float]:
    cmd = [PYTHON, "-c", "import sympy"]
    _timed(cmd, _env())  # untimed: compiles .pyc files and fills the OS file cache
    return [_timed(cmd, _env())[0] for _ in range(runs)]


def bench_cli_cache(runs: int, problem: str = "ridge-fgm") -> tuple[list[float], list[float]]:
    """``derive PROBLEM --latex`` as a fresh process: first with an empty cache directory (a
    new one each run), then again with the same directory (a warm cache)."""
    cmd = [str(DERIVE), problem, "--latex"]
    scratch = Path(tempfile.mkdtemp(prefix="derive-bench-"))
    try:
        _timed(cmd, _env(DERIVE_NO_CACHE="1"))  # untimed warm-up of .pyc files, not of the cache
        cold, warm = [], []
        for i in range(runs):
            cache_dir = scratch / f"cache-{i}"
            cache_dir.mkdir()
            env = _env(DERIVE_CACHE_DIR=str(cache_dir))
            t_cold, first = _timed(cmd, env)
            t_warm, second = _timed(cmd, env)
            if first != second or not first.strip():
                sys.exit(f"the cached output of '{' '.join(cmd)}' differs from the fresh one (or is empty)")
            cold.append(t_cold)
            warm.append(t_warm)
        return cold, warm
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# -- the whole bank in one process ------------------------------------------------------------

def bench_derivations() -> dict:
    """Import once, then derive every problem in the bank in this process."""
    start = time.perf_counter()
    import sympy  # noqa: F401

    from derive import equivalence, strategies  # noqa: F401
    from derive.bank import entries
    from derive.engine import derive
    from derive.spec import load_spec
    imports = time.perf_counter() - start

    def one_pass() -> dict[str, float]:
        seconds = {}
        for entry in entries():
            start = time.perf_counter()
            derive(load_spec(entry.path))
            seconds[entry.id] = time.perf_counter() - start
        return seconds

    first = one_pass()
    # a second pass shows what the first paid once: lazy imports inside the engine and
    # SymPy's own expression cache (which a real batch run would also enjoy)
    again = one_pass()
    return {"imports": imports, "per_problem": first, "total": sum(first.values()),
            "per_problem_again": again, "total_again": sum(again.values())}


# -- the TA checker (being built) ---------------------------------------------------------------

def checker_available() -> str:
    """'' when ``derive check`` can be timed, else why not."""
    if importlib.util.find_spec("derive.check.checker") is None:
        return "derive.check.checker does not exist yet"
    # an unknown command falls through to ``derive show``, so look at whose usage is printed
    probe = subprocess.run([str(DERIVE), "check", "--help"], capture_output=True, text=True, env=_env())
    if probe.returncode != 0 or "Usage: derive check" not in probe.stdout:
        return "the derive check command does not exist yet"
    return ""


def make_submissions(dest: Path, count: int = CHECK_BATCH) -> dict[str, list[Path]]:
    """``count`` submission files, copied round-robin from the student fixtures, grouped by the
    problem id their name starts with (``ridge-fgm_1.2.2_dropped-transpose.md``)."""
    fixtures = sorted(p for p in FIXTURES.glob("*") if p.suffix in (".md", ".tex"))
    if not fixtures:
        return {}
    batches: dict[str, list[Path]] = {}
    for i in range(count):
        src = fixtures[i % len(fixtures)]
        target = dest / f"{i:04d}-{src.name}"
        shutil.copyfile(src, target)
        batches.setdefault(src.name.split("_", 1)[0], []).append(target)
    return batches


def bench_check(count: int = CHECK_BATCH) -> dict:
    """Time ``derive check PROBLEM FILES…`` over a batch of at least ``count`` submissions, one
    process per problem (the batch mode the CLI promises). To time another entry point (the
    library API, or a parallel mode), add a function beside this one and a row in ``report``."""
    why = checker_available()
    if why:
        return {"status": "not measured", "reason": f"not yet available ({why})"}
    scratch = Path(tempfile.mkdtemp(prefix="derive-bench-check-"))
    try:
        batches = make_submissions(scratch, count)
        if not batches:
            return {"status": "not measured", "reason": f"no student fixtures in {FIXTURES}"}
        seconds, exit_codes, step_ms = 0.0, {}, []
        for problem, files in batches.items():
            start = time.perf_counter()
            done = subprocess.run([str(DERIVE), "check", problem, *map(str, files), "--json"], capture_output=True,
                                  text=True, env=_env(DERIVE_NO_CACHE="1"))
            seconds += time.perf_counter() - start
            exit_codes[problem] = done.returncode
            if done.returncode not in (0, 1):  # 1 may mean "mistakes found"; anything else is a failure
                return {"status": "not measured",
                        "reason": f"derive check {problem} exited {done.returncode}: {done.stderr.strip()[:300]}"}
            for report in json.loads(done.stdout):
                step_ms += [s["ms"] for s in report["steps"] if "ms" in s]
        n = sum(len(f) for f in batches.values())
        step_ms.sort()
        p95 = step_ms[min(len(step_ms) - 1, int(0.95 * len(step_ms)))] if step_ms else None
        return {"status": "measured", "submissions": n, "seconds": seconds, "per_submission": seconds / n,
                "submissions_per_second": n / seconds, "steps": len(step_ms),
                "step_ms_median": statistics.median(step_ms) if step_ms else None, "step_ms_p95": p95,
                "exit_codes": exit_codes}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# -- report ---------------------------------------------------------------------------------

def run(runs: int) -> dict:
    if not DERIVE.exists():
        sys.exit(f"no derive console script next to {PYTHON}; install the package (pip install -e .)")
    sympy_runs = bench_sympy_import(runs)
    cold, warm = bench_cli_cache(runs)
    bank = bench_derivations()
    return {
        "machine": {"python": sys.version.split()[0], "cpus": os.cpu_count(), "runs": runs},
        "sympy_import": {"median": statistics.median(sympy_runs), "runs": sympy_runs},
        "cli_latex_cold": {"median": statistics.median(cold), "runs": cold},
        "cli_latex_warm": {"median": statistics.median(warm), "runs": warm},
        "derivations": bank,
        "check": bench_check(),
    }


def report(r: dict) -> str:
    base = r["sympy_import"]["median"]
    rows = [("python -c 'import sympy'", base, "1.00×")]
    for key, label in (("cli_latex_cold", "derive ridge-fgm --latex, empty cache"),
                       ("cli_latex_warm", "derive ridge-fgm --latex, warm cache")):
        m = r[key]["median"]
        rows.append((label, m, f"{m / base:.2f}×"))
    width = max(len(label) for label, _, _ in rows) + 2
    m = r["machine"]
    lines = [f"derive benchmark (Python {m['python']}, {m['cpus']} CPUs, median of {m['runs']} fresh processes)", "",
             f"{'command':<{width}}{'seconds':>9}  vs sympy import"]
    lines += [f"{label:<{width}}{sec:>9.3f}  {ratio}" for label, sec, ratio in rows]
    bank = r["derivations"]
    total = bank["total"]
    lines += ["", f"derivations in one process (imports first: {bank['imports']:.3f} s)",
              f"  {'problem':<{width - 2}}{'first':>9}  {'again':>7}"]
    lines += [f"  {pid:<{width - 2}}{sec:>9.3f}  {bank['per_problem_again'][pid]:>7.3f}"
              for pid, sec in bank["per_problem"].items()]
    verdict = "met" if total < TARGET_TOTAL_SECONDS else "NOT met"
    lines.append(f"  {'total':<{width - 2}}{total:>9.3f}  {bank['total_again']:>7.3f}"
                 f"  (target < {TARGET_TOTAL_SECONDS:.0f} s for the first pass: {verdict})")
    c = r["check"]
    lines += ["", "checker (derive check)"]
    if c["status"] == "measured":
        lines.append(f"  {c['submissions']} submissions in {c['seconds']:.3f} s "
                     f"({c['submissions_per_second']:.1f} per second, {c['per_submission'] * 1000:.1f} ms each; "
                     f"target: 100 in under 30 s)")
        lines.append(f"  {c['steps']} steps: median {c['step_ms_median']:.1f} ms, 95th percentile "
                     f"{c['step_ms_p95']:.1f} ms per step (target: median under 20 ms)")
        lines.append(f"  exit codes per problem batch: {c['exit_codes']}")
    else:
        lines.append(f"  not measured: {c['reason']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--runs", type=int, default=5, help="repetitions per timed command (median reported)")
    args = parser.parse_args(argv)
    result = run(max(1, args.runs))
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

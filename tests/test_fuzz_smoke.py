"""A short run of the fuzzer (tests/fuzz): a few hundred hostile inputs for equiv, the checker and
the spec loader, with no crash, hang or asymmetric verdict. ``make fuzz`` runs a longer one."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RUNNER = Path(__file__).parent / "fuzz" / "run.py"


def test_fuzz_smoke(tmp_path):
    report = tmp_path / "fuzz.json"
    done = subprocess.run([sys.executable, str(RUNNER), "--seed", "3", "--count", "300", "--limit", "20",
                           "--report", str(report)], capture_output=True, text=True, timeout=300)
    summary = done.stdout.strip().splitlines()[-1]
    assert summary.startswith("fuzz seed 3: 300 inputs"), done.stdout + done.stderr
    assert " 0 crashes, 0 hangs, 0 asymmetric" in summary, done.stdout
    assert done.returncode == 0


def test_fuzz_is_deterministic():
    sys.path.insert(0, str(RUNNER.parent))
    try:
        import inputs
    finally:
        sys.path.remove(str(RUNNER.parent))
    import random

    draw = lambda: [inputs.mutate(random.Random(f"5:{i}"), inputs.expression(random.Random(f"5:{i}")))  # noqa: E731
                    for i in range(50)]
    assert draw() == draw()

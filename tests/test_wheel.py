"""The wheel, installed outside the repo, is a working ``derive``.

Builds a wheel from this checkout with pip, installs it into a fresh virtual environment in a
temporary directory (its dependencies come from the package index), and runs that
environment's ``derive`` from an unrelated working directory, so nothing can be picked up from
the source tree: the problems and templates must travel inside the package.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# every spec in the repository must travel in the wheel
PROBLEM_IDS = tuple(sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "problems").glob("*.yaml")))

pytestmark = pytest.mark.slow


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    env["DERIVE_NO_CACHE"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(args, cwd, timeout=150) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=_clean_env(), capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, (
        f"{' '.join(map(str, args))} exited {done.returncode}\nstdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}")
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv bin directory, a working directory outside the repo) with the wheel installed."""
    root = tmp_path_factory.mktemp("wheel")
    assert REPO not in root.parents, "the test venv must live outside the repo"
    dist, venv, work = root / "dist", root / "venv", root / "work"
    work.mkdir()
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, REPO], cwd=work)
    wheels = sorted(dist.glob("derive-*.whl"))
    assert len(wheels) == 1, f"expected one derive wheel in {dist}, found {[w.name for w in wheels]}"
    _run([sys.executable, "-m", "venv", venv], cwd=work)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    _run([bindir / "python", "-m", "pip", "install", "--quiet", wheels[0]], cwd=work, timeout=170)
    return bindir, work


def test_installed_derive_lists_every_problem(installed):
    bindir, work = installed
    out = _run([bindir / "derive", "list"], cwd=work).stdout
    listed = {line.split()[0] for line in out.splitlines() if line and not line[0].isspace()}
    assert set(PROBLEM_IDS) <= listed, f"derive list from the wheel shows {sorted(listed)}:\n{out}"


def test_installed_derive_prints_a_derivation_as_json(installed):
    bindir, work = installed
    out = _run([bindir / "derive", "ridge-fgm", "--json"], cwd=work).stdout
    data = json.loads(out)
    assert data["id"] == "ridge-fgm"
    assert data["title"].strip()
    assert [p["id"] for p in data["parts"]] == ["1.1.2", "1.2.2", "1.2.3"]
    assert all(p["steps"] for p in data["parts"]), "every part should carry its steps"


def test_installed_package_carries_problems_and_templates(installed):
    bindir, work = installed
    out = _run([bindir / "python", "-c", "import derive, pathlib; print(pathlib.Path(derive.__file__).parent)"],
               cwd=work).stdout
    package = Path(out.strip())
    assert package.is_relative_to(bindir.parent), f"derive was imported from {package}, not the test venv"
    problems = sorted(p.stem for p in (package / "problems").glob("*.yaml"))
    assert problems == sorted(PROBLEM_IDS), f"derive/problems/ in the wheel holds {problems}"
    templates = sorted(p.name for p in (package / "templates").iterdir())
    assert any(name.endswith(".tex.j2") for name in templates), f"derive/templates/ in the wheel holds {templates}"
    assert any(name.endswith(".md.j2") for name in templates), f"derive/templates/ in the wheel holds {templates}"

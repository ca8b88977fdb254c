"""The fuzzer: hostile and careless inputs fed to ``derive equiv``'s comparison, the checker (the
file reader and ``check_text``, as ``derive check`` calls them) and the spec loader.

Input ``i`` of seed ``s`` is drawn from ``random.Random(f"{s}:{i}")``, so every finding is
reproduced by its seed and index. Each input is one of:

- equiv: two expressions, compared both ways (``a`` vs ``b`` and ``b`` vs ``a``);
- check: a student file (Markdown or LaTeX, maybe mutated, maybe with bad bytes) for one part;
- spec: a bundled spec with its text mutated, loaded with ``load_spec(path, text=...)``.

Findings, per input:

- crash: an exception other than ``DeriveError`` out of a library entry point (``compare``,
  ``read_student_file``/``check_text``, ``load_spec``): a traceback a user would see;
- caught: an exception other than ``DeriveError`` raised inside, which the entry point's safety net
  turned into an ``unparsed``/``unknown`` verdict (a bug to fix at its root, not a traceback);
- hang: the input overran its time limit;
- asymmetric: equiv(a, b) and equiv(b, a) disagree on equivalent versus not equivalent.
"""
from __future__ import annotations

import random
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from inputs import expression, mutate, mutate_bytes, student_file, variant

ROOT = Path(__file__).resolve().parents[2]
PROBLEMS = ["ridge-fgm", "dropout-gaussian", "trust-region", "optimal-lr", "relu-init", "ridge-toy"]
SYMBOLS_FILE = """symbols:
  z: {kind: scalar}
  x: {kind: scalar}
  t: {kind: scalar}
  lambda: {kind: scalar, assume: [positive], latex: '\\\\lambda'}
  A: {kind: matrix, shape: [k, k]}
  B: {kind: matrix, shape: [k, k]}
  X: {kind: matrix, shape: [n, d]}
  w: {kind: vector, shape: [d], latex: '\\\\mathbf{w}'}
givens:
  sigma(z): 'sigmoid(z)'
"""
GOOD = {"equivalent", "equivalent-under"}
_CAUGHT = re.compile(r"\((?:could not \w+ \w+ )?\(?([A-Z]\w*(?:Error|Exception|Warning)|KeyError|StopIteration)"
                     r": ([^)]{0,80})")


@dataclass
class Finding:
    kind: str                         # equiv | check | spec
    crash: str = ""                   # cause of an escaped exception
    caught: list = field(default_factory=list)    # causes the safety net turned into verdicts
    asymmetric: str = ""
    summary: str = ""                 # the input, shortened, for the report


class World:
    """Everything prepared once, before the worker forks: tables, derived problems, spec texts."""

    def __init__(self, problems=PROBLEMS, tmp: Path | None = None):
        from derive.check.batch import equiv_context, prepare_problem
        from derive.spec import load_symbols

        import tempfile

        tmp = tmp or Path(tempfile.mkdtemp(prefix="derive-fuzz-"))
        sym = tmp / "symbols.yaml"
        sym.write_text(SYMBOLS_FILE, encoding="utf-8")
        self.tmp = tmp
        self.tables = [(load_symbols(sym), {})]
        self.problems = {}
        for pid in problems:
            self.problems[pid] = prepare_problem(pid)
            self.tables.append(equiv_context(pid, None, None))
        self.specs = {p.stem: (p, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "problems").glob("*.yaml"))}


def run_one(world: World, seed: int, i: int) -> Finding:
    rng = random.Random(f"{seed}:{i}")
    roll = rng.random()
    if roll < 0.5:
        return _equiv(world, rng)
    if roll < 0.85:
        return _check(world, rng)
    return _spec(world, rng)


def _cause(err: BaseException) -> str:
    """``Type: message`` at ``file:line in function`` (the innermost frame in derive/)."""
    frames = [f for f in traceback.extract_tb(err.__traceback__) if "/derive/" in f.filename]
    where = ""
    if frames:
        f = frames[-1]
        where = f" at {f.filename.split('/derive/', 1)[1]}:{f.lineno} in {f.name}"
    return f"{type(err).__name__}: {str(err)[:80]}{where}"


# -- equiv -----------------------------------------------------------------------------------------

def _equiv_pair(rng):
    a = expression(rng)
    b = variant(rng, a)
    if rng.random() < 0.6:
        a = mutate(rng, a)
    if rng.random() < 0.3:
        b = mutate(rng, b)
    if rng.random() < 0.2:
        a, b = f"{a} = {b}", f"{b} = {a}"
    return a, b


def _equiv(world: World, rng) -> Finding:
    from derive.check.equiv import _judge, compare
    from derive.errors import DeriveError

    table, defs = rng.choice(world.tables)
    a, b = _equiv_pair(rng)
    found = Finding("equiv", summary=f"equiv {a!r} {b!r}")
    verdicts = []
    for x, y in ((a, b), (b, a)):
        try:
            verdicts.append(compare(x, y, table, defs)["status"])
        except Exception as err:  # noqa: BLE001 - counted
            found.crash = _cause(err)
            return found
        try:
            _judge(x, y, table, defs, {})
        except DeriveError:
            pass
        except Exception as err:  # noqa: BLE001 - what the safety net in compare() caught
            found.caught.append(_cause(err))
    if (verdicts[0] in GOOD and verdicts[1] == "not-equivalent") or (verdicts[1] in GOOD and verdicts[0] == "not-equivalent"):
        found.asymmetric = f"{verdicts[0]} vs {verdicts[1]}"
    return found


# -- check -----------------------------------------------------------------------------------------

def _student(world: World, rng):
    pid = rng.choice(sorted(world.problems))
    problem = world.problems[pid]
    part = rng.choice(problem.spec.parts).id
    text = student_file(rng, part, latex=rng.random() < 0.4)
    if rng.random() < 0.7:
        text = mutate(rng, text)
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.1:
        data = mutate_bytes(rng, data)
    name = rng.choice(["hw.md", "hw.tex", "=HYPERLINK(\"x\").md", "notes"])
    return pid, part, name, data


def _check(world: World, rng) -> Finding:
    from derive.check.batch import read_student_file
    from derive.check.report import render_csv, render_json, render_text
    from derive.check.run import check_text

    pid, part, name, data = _student(world, rng)
    found = Finding("check", summary=f"check {pid} --part {part} {name!r} {data[:300]!r}")
    path = world.tmp / f"student-{rng.randrange(10**9)}-{Path(name).suffix or '.md'}"
    path.write_bytes(data)
    try:
        text, problem = read_student_file(str(path))
        if not problem:
            parts = [part] if rng.random() < 0.7 else None
            report = check_text(text, name, world.problems[pid], parts)
            render_text(report), render_json([report]), render_csv([report])
            for s in report.steps + [p.final_answer for p in report.parts if p.final_answer]:
                m = _CAUGHT.search(s.reason or "")
                if m:
                    found.caught.append(f"{m.group(1)}: {m.group(2)} (checker reason)")
    except Exception as err:  # noqa: BLE001 - counted
        found.crash = _cause(err)
    finally:
        path.unlink(missing_ok=True)
    return found


# -- spec --------------------------------------------------------------------------------------------

def _spec(world: World, rng) -> Finding:
    from derive.errors import DeriveError
    from derive.spec import load_spec

    stem = rng.choice(sorted(world.specs))
    path, text = world.specs[stem]
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        k = rng.randrange(len(lines))
        lines[k] = mutate(rng, lines[k])
    mutated = "\n".join(lines)
    found = Finding("spec", summary=f"spec {stem} {mutated!r}"[:2000])
    try:
        load_spec(path, text=mutated)
    except DeriveError:
        pass
    except Exception as err:  # noqa: BLE001 - counted
        found.crash = _cause(err)
    return found

"""Every part of every bank problem shows the same number of steps in text, Markdown and LaTeX:
the groups of ``derive/render/grouping.py`` by default, every atomic step with ``detail="full"``;
and grouping makes the bank's solutions markedly shorter (bench/step_counts.py records the
figures per part)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from derive.render.grouping import display_steps  # noqa: E402
from derive.render.latex import render_latex  # noqa: E402
from derive.render.markdown import render_markdown  # noqa: E402
from derive.render.text import render_text  # noqa: E402

# how each format numbers a displayed step, and where each part begins
STEP = {"text": re.compile(r"^\s+\d+  [=⇔⇒→]  ", re.M),
        "markdown": re.compile(r"^\*\*\(\d+\)\*\*", re.M),
        "latex": re.compile(r"\\dvreason\{\d+\}")}
PART = {"text": lambda pid: re.compile(rf"^Part {re.escape(pid)}(?: —|$)", re.M),
        "markdown": lambda pid: re.compile(rf"^## Part {re.escape(pid)}$", re.M),
        "latex": lambda pid: re.compile(rf"\\section\*\{{Part {re.escape(pid)}\}}")}
RENDER = {"text": lambda d, level: render_text(d, detail=level),
          "markdown": lambda d, level: render_markdown(d, detail=level),
          "latex": lambda d, level: render_latex(d, detail=level)}


@pytest.fixture(scope="module")
def bank():
    from derive.bank import entries
    from derive.engine import derive
    from derive.spec import load_spec

    return [(e.id, derive(load_spec(e.path))) for e in entries()]


def shown_per_part(doc: str, fmt: str, parts) -> dict:
    """The number of numbered steps in each part's section of a rendered document."""
    starts = []
    for part in parts:
        m = PART[fmt](part.id).search(doc)
        assert m, f"part {part.id} has no heading in the {fmt} document"
        starts.append(m.start())
    ends = starts[1:] + [len(doc)]
    return {p.id: len(STEP[fmt].findall(doc[s:e])) for p, s, e in zip(parts, starts, ends)}


def expected(part, level: str) -> int:
    if part.error:
        return 0
    runs = [part.steps] + [v.steps for v in part.variants]
    return sum(len(display_steps(steps, level)) for steps in runs)


@pytest.mark.parametrize("level", ["grouped", "full"])
def test_every_part_shows_its_steps_alike_in_every_format(bank, level):
    mismatches = []
    for problem, d in bank:
        for fmt, render in RENDER.items():
            counts = shown_per_part(render(d, level), fmt, d.parts)
            for part in d.parts:
                if counts[part.id] != expected(part, level):
                    mismatches.append((problem, part.id, fmt, counts[part.id], expected(part, level)))
    assert not mismatches, mismatches[:20]


def test_grouping_shortens_the_bank_and_never_lengthens_a_part(bank):
    from step_counts import part_counts

    counts = {f"{problem}/{part.id}": part_counts(part) for problem, d in bank for part in d.parts}
    assert all(c["after"] <= c["before"] for c in counts.values())
    before = sum(c["before"] for c in counts.values())
    after = sum(c["after"] for c in counts.values())
    assert after <= 0.65 * before, (before, after)
    dropout = counts["dropout-gaussian/3.1"]
    assert dropout["before"] >= 8 and dropout["after"] <= 4


def test_the_recorded_counts_cover_the_bank(bank):
    """bench/step_counts.json is the record the closing note quotes: one entry per bank part."""
    import json

    recorded = json.loads((Path(__file__).resolve().parents[1] / "bench" / "step_counts.json").read_text())
    keys = {f"{problem}/{part.id}" for problem, d in bank for part in d.parts}
    assert len(keys & set(recorded["parts"])) >= 0.9 * len(keys)     # other sessions add parts
    assert recorded["totals"]["after"] < recorded["totals"]["before"]

"""Step grouping for display (derive/render/grouping.py): routine moves shown as one step, every
renderer sharing the one grouping, certification kept per atomic step, ``--detail full``."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from sympy import Eq, symbols

sys.path.insert(0, str(Path(__file__).resolve().parent))

from derive.render.grouping import DisplayStep, detail, display_steps, groups  # noqa: E402
from derive.render.json_out import to_data  # noqa: E402
from derive.render.latex import render_latex  # noqa: E402
from derive.render.markdown import render_markdown  # noqa: E402
from derive.render.text import render_text  # noqa: E402
from derive.steps import Derivation, PartResult, Step  # noqa: E402

a, b, c, x = symbols("a b c x", positive=True)
OK = "numeric: 6 random instances (exact)"


def chain(*moves, start=a):
    """Steps that each start from the previous step's result; a move is
    ``(rule, after[, relation[, certified_by]])``."""
    steps, before = [], start
    for rule, after, *rest in moves:
        relation, cert = (list(rest) + ["=", OK][len(rest):])[:2]
        steps.append(Step(rule, before, after, f"Because of {rule}.", certified_by=cert, relation=relation))
        before = after
    return tuple(steps)


def derivation(steps) -> Derivation:
    return Derivation("toy", "Toy", {}, "", (), (PartResult("1", "the toy goal", steps, steps[-1].after),))


LINEARITY = chain(("substitute-definition", a + b), ("bias-variance", a + 2 * b),
                  ("linearity-of-expectation", a + 3 * b), ("linearity-of-expectation", a + 4 * b),
                  ("linearity-of-expectation", a + 5 * b), ("variance-scaling", a + 6 * b),
                  ("moments", a + 7 * b), ("simplify", 7 * b + a))


def test_repeats_and_routine_moves_become_one_step_naming_each_move():
    # the distributions' moments end the same algebra, and the simplification cleans up after it
    assert groups(LINEARITY) == [(0, 1), (2, 3, 4, 5, 6, 7)]
    shown = display_steps(LINEARITY)
    assert [len(s.moves) for s in shown] == [2, 6]
    linear = shown[1]
    assert "Linearity of expectation (3 moves)" in linear.because
    assert "Var(aX + b) = a²Var(X)" in linear.because        # math keeps its capital
    assert "because of moments; simplify." in linear.because
    assert linear.before == LINEARITY[2].before and linear.after == LINEARITY[7].after
    assert shown[0].because.startswith("Because of substitute-definition; because of bias-variance")


def test_full_detail_is_every_atomic_step_unchanged():
    assert display_steps(LINEARITY, "full") == list(LINEARITY)
    with detail("full"):
        assert display_steps(LINEARITY) == list(LINEARITY)
    assert len(display_steps(LINEARITY)) == 2
    with pytest.raises(ValueError):
        with detail("some"):
            pass


def test_a_group_never_spans_a_chain_break_nor_mixes_implies_with_becomes():
    broken = chain(("linearity-of-expectation", a + b), ("linearity-of-expectation", a + 2 * b))
    restart = chain(("linearity-of-expectation", c + b), start=c)
    assert groups(broken + restart) == [(0, 1), (2,)]
    mixed = chain(("stationary", Eq(a, b), "→"), ("collect", Eq(a - b, 0), "⇒"), ("solve-scalar", Eq(x, b), "⇒"))
    assert groups(mixed) == [(0,), (1, 2)]
    shown = display_steps(mixed)
    assert shown[1].relation == "⇒"              # the weakest relation of its moves


def test_the_connector_of_a_group_is_its_weakest_move():
    steps = chain(("collect", Eq(a, b), "⇔"), ("solve-scalar", Eq(x, b), "⇒"), ("simplify", Eq(x, b + 0 * a), "="))
    [group] = display_steps(steps)
    assert group.relation == "⇒"
    equal = chain(("linearity-of-expectation", a + b), ("linearity-of-expectation", a + 2 * b))
    assert display_steps(equal)[0].relation == "="


def test_a_group_is_certified_only_when_every_move_is_and_a_failure_is_shown_with_its_move():
    steps = chain(("linearity-of-expectation", a + b), ("linearity-of-expectation", a + 2 * b, "=", ""),
                  ("linearity-of-expectation", a + 3 * b))
    [group] = display_steps(steps)
    assert isinstance(group, DisplayStep)
    assert group.certified_by == "" and group.uncertified == (steps[1],)
    assert "NOT CERTIFIED: move 2 of 3" in group.because
    assert group.substeps == steps                 # every format lists the moves under it
    d = derivation(steps)
    text = render_text(d)
    assert "NOT CERTIFIED" in text and "1.2" in text and "· not certified" in text
    assert "NOT CERTIFIED" in render_markdown(d) and r"NOT CERTIFIED" in render_latex(d)
    certified = chain(*[("linearity-of-expectation", a + k * b) for k in (1, 2, 3)])
    assert display_steps(certified)[0].certified_by == OK


def _numbered_text(doc: str) -> int:
    return len(re.findall(r"^\s+\d+  [=⇔⇒→]  ", doc, flags=re.M))


def _numbered_latex(doc: str) -> int:
    return len(re.findall(r"\\dvreason\{\d+\}", doc))


def _numbered_markdown(doc: str) -> int:
    return len(re.findall(r"^\*\*\(\d+\)\*\*", doc, flags=re.M))


def test_every_format_shows_the_same_groups():
    d = derivation(LINEARITY)
    for level, count in (("grouped", 2), ("full", len(LINEARITY))):
        assert _numbered_text(render_text(d, detail=level)) == count
        assert _numbered_latex(render_latex(d, detail=level)) == count
        assert _numbered_markdown(render_markdown(d, detail=level)) == count


def test_json_keeps_the_atomic_steps_and_adds_the_grouping():
    data = json.loads(json.dumps(to_data(derivation(LINEARITY)), ensure_ascii=False))
    part = data["parts"][0]
    assert len(part["steps"]) == len(LINEARITY)
    covered = [k for g in part["groups"] for k in g["steps"]]
    assert covered == list(range(len(LINEARITY)))
    assert [g["certified"] for g in part["groups"]] == [True, True]
    assert "Linearity of expectation (3 moves)" in part["groups"][1]["because"]


def test_the_bank_dropout_part_reads_in_two_steps(tmp_path, monkeypatch):
    """dropout-gaussian 3.1 through the CLI: grouped by default, every step with --detail full."""
    from click.testing import CliRunner

    from derive.cli import main

    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path))
    grouped = CliRunner().invoke(main, ["dropout-gaussian", "--part", "3.1"])
    full = CliRunner().invoke(main, ["dropout-gaussian", "--part", "3.1", "--detail", "full"])
    assert grouped.exit_code == 0 and full.exit_code == 0
    assert _numbered_text(grouped.output) == 2     # bias–variance split; then the moment algebra
    assert _numbered_text(full.output) == 10
    assert "Linearity of expectation (3 moves)" in grouped.output
    assert full.output.count("Linearity of expectation:") == 3


def test_a_moves_sentence_after_a_semicolon_starts_lower_case_but_a_matrix_keeps_its_capital():
    from derive.render.grouping import _names

    moves = [Step("substitute-definition", a, b, "Substitute the definition of δ."),
             Step("norm-scaling", b, c, "A norm is absolutely homogeneous."),
             Step("rank", c, x, "A has full row rank, so AAᵀ is invertible.")]
    assert _names(moves) == ("Substitute the definition of δ; a norm is absolutely homogeneous; "
                             "A has full row rank, so AAᵀ is invertible.")

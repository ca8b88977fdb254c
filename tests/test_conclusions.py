"""One-sentence answers made from the derived fact (issue 9: "why" and "does it" questions)."""
import sympy as sp

from derive.bank import find
from derive.conclusions import conclusions
from derive.engine import derive
from derive.spec import load_spec
from derive.spec_goals import Goal
from derive.expr.parse import parse


def remarks(pid, part):
    d = derive(load_spec(find(pid)))
    result = next(p for p in d.parts if p.id == part)
    return [n for n in result.notes if n.kind == "remark"]


def test_a_derivative_that_vanishes_answers_does_it_depend():
    notes = remarks("fgsm-weight-decay", "1.2.4c")
    assert any(n.text.startswith("No: the derivative") and "does not depend on λ" in n.text for n in notes)


def _table():
    from derive.spec import load_symbols
    import tempfile, pathlib

    path = pathlib.Path(tempfile.mkdtemp()) / "s.yaml"
    path.write_text("symbols:\n  a: {kind: scalar, assume: [positive]}\n  b: {kind: scalar}\n", encoding="utf-8")
    return load_symbols(path)


def test_the_sentence_follows_the_sign_the_assumptions_fix_and_says_nothing_otherwise():
    table = _table()
    a, b = table["a"].obj, table["b"].obj
    goal = Goal("gradient", parse("a**2 + b"), "a**2 + b", wrt="a")
    up = conclusions(goal, 2 * a, table, str)
    assert up and "increases with a" in up[0][0] and up[0][1] == sp.Gt(2 * a, 0)
    down = conclusions(goal, -3 * a, table, str)
    assert down and "decreases with a" in down[0][0]
    assert conclusions(goal, 2 * a - 1, table, str) == []          # the sign is not fixed: no claim
    assert conclusions(Goal("gradient", parse("b"), "b", wrt="b"), sp.Integer(1), table, str)[0][0].startswith("b increases")
    assert conclusions(Goal("simplify", parse("b"), "b"), b, table, str) == []

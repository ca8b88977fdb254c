"""A part that ``uses`` an earlier part starts from that part's result (issue 12): each quantity of
the goal that an earlier answer gives is replaced by it in one certified step, instead of being
derived again; the answer is still checked end to end against the goal as stated."""
import math
from fractions import Fraction

import pytest
import sympy as sp

from derive import engine
from derive.bank import find
from derive.engine import derive
from derive.equivalence import Context
from derive.expr.build import Builder
from derive.spec import load_spec
from derive.strategies import Run

MOMENT_RULES = {"linearity-of-expectation", "bias-variance", "variance-of-sum", "variance-scaling", "moments"}


def _part(problem, pid):
    d = derive(load_spec(find(problem)), [pid])
    part, = d.parts
    assert not part.error, part.error
    return part


def test_dropout_average_32b_starts_from_31_and_32a():
    part = _part("dropout-average", "3.2b")
    first, second, *rest = part.steps
    assert [first.rule, second.rule] == ["substitute-result", "substitute-result"]
    assert "part 3.1:" in first.because and "part 3.2a:" in second.because
    # the derivation starts from the goal as stated (both expectations) and never redoes the moment algebra
    assert len(first.before.atoms(sp.Function)) and not any(s.rule in MOMENT_RULES for s in part.steps)
    assert all(s.certified_by for s in part.steps)
    assert "Answer checked against the goal as stated" in part.certificate
    sigma, p = part.answer.lhs, next(s for s in part.answer.rhs.free_symbols if s.name == "p")
    for keep in (Fraction(1, 5), Fraction(1, 2), Fraction(9, 10)):
        assert float(part.answer.rhs.subs(p, sp.Rational(keep))) == pytest.approx(math.sqrt((1 - keep) / keep))
    assert sigma.name == "sigma"


def test_one_step_substitutes_both_answers_of_a_part_with_two_goals():
    part = _part("weight-decay-l2", "2.3.2")
    first = part.steps[0]
    assert first.rule == "substitute-result"
    assert "gradient step on the penalised loss; plain step with weight decay" in first.because
    assert [s.rule for s in part.steps].count("substitute-result") == 1
    assert not any(s.rule == "differentiate" for s in part.steps)
    lam, eta = (next(s for s in part.answer.rhs.free_symbols if s.name == n) for n in ("lambda", "eta"))
    assert sp.simplify(part.answer.rhs - lam / (2 * eta)) == 0


def test_a_part_that_names_the_result_substitutes_it_as_before():
    spec = load_spec(find("ridge-fgm"))
    d = derive(spec, ["1.2.3"])
    results = {p.id: p for p in derive(spec).parts}
    assert engine.starting_points(spec, spec.part("1.2.3"), results) == []
    assert any(s.rule == "substitute-result" and "1.1.2" in s.because for s in d.parts[0].steps)


def test_an_earlier_result_that_does_not_match_is_not_used():
    spec = load_spec(find("dropout-average"))
    results = {p.id: p for p in derive(spec).parts}
    part = spec.part("3.2b")
    points = engine.starting_points(spec, part, results)
    assert [pid for pid, _, _ in points] == ["3.1", "3.2a"]
    definitions, sources = engine.part_definitions(spec, part, results)
    run = Run(Context(part.table, definitions), part.table, str, sources)
    goal = Builder(part.table).build(part.goal.expr).expr
    doubled = [(pid, label, 2 * value) for pid, label, value in points]
    assert engine.start_from_earlier(run, goal, doubled) == goal and run.rec.steps == []
    assert engine.start_from_earlier(run, goal, points) != goal and len(run.rec.steps) == 2


def test_a_wrong_earlier_result_fails_certification_loudly(monkeypatch):
    real = engine.starting_points

    def tampered(*args):
        return [(pid, label, value + 1) for pid, label, value in real(*args)]

    monkeypatch.setattr(engine, "starting_points", tampered)
    monkeypatch.setattr(engine, "_stands_for", lambda quantity, value, ctx: True)
    *earlier, part = derive(load_spec(find("dropout-average"))).parts
    assert not any(p.error for p in earlier) and part.answer is None
    assert "substitute-result" in part.error and "failed certification" in part.error

"""The end-to-end certificate of a ``minimize`` goal tests the answer against the unknown's own
declared domain: a stationary point outside it (a mutant h = −R/(G√n) for a positive h, which
is stationary and beats every admissible point) fails loudly, whatever the objective says."""
import pytest
from sympy import Eq, Rational, sqrt

from derive import certificate, engine
from derive.errors import CertificationError
from derive.spec import load_spec


def _goal(path, part_id):
    spec = load_spec(path)
    part = spec.part(part_id)
    definitions, _ = engine.part_definitions(spec, part, {})
    return part.goals[0], part.table, definitions


def test_a_negative_step_size_for_a_positive_h_fails():
    goal, table, defs = _goal("problems/mit-6790-hw4-online-stepsize.yaml", "4e-eta")
    h, R, G, n = (table[k].obj for k in "hRGn")
    certificate.certify_answer(goal, Eq(h, R / (G * sqrt(n))), table, defs)          # the true minimiser passes
    with pytest.raises(CertificationError, match="outside the declared domain of h"):
        certificate.certify_answer(goal, Eq(h, -R / (G * sqrt(n)), evaluate=False), table, defs)


SPEC = """
id: domain-check
title: A minimiser inside an interval
source: {course: test, institution: test, year: 2024, sheet: test, questions: ['1']}
statement: p is a probability strictly between 0 and 1.
symbols:
  p: {kind: scalar, assume: [{interval: [0, 1], open: true}], latex: 'p'}
  v: {kind: vector, shape: [d], assume: [nonzero], latex: 'v'}
  c: {kind: vector, shape: [d], latex: 'c'}
parts:
  - id: '1'
    goal: {minimize: '(p**2 - 1/4)**2', wrt: p}
  - id: '2'
    goal: {minimize: 'norm(v - c)**2', wrt: v}
"""


@pytest.fixture
def spec_path(tmp_path):
    path = tmp_path / "domain-check.yaml"
    path.write_text(SPEC)
    return path


def test_a_root_outside_the_interval_fails(spec_path):
    goal, table, defs = _goal(spec_path, "1")
    p = table["p"].obj
    certificate.certify_answer(goal, Eq(p, Rational(1, 2)), table, defs)
    for outside in (Rational(-1, 2), Rational(1)):     # −1/2 is stationary with the same value 0; 1 is the open end
        with pytest.raises(CertificationError, match="outside the declared domain of p"):
            certificate.certify_answer(goal, Eq(p, outside, evaluate=False), table, defs)


def test_the_zero_vector_fails_for_a_nonzero_unknown(spec_path):
    from sympy import ZeroMatrix

    goal, table, defs = _goal(spec_path, "2")
    v, c = table["v"].obj, table["c"].obj
    certificate.certify_answer(goal, Eq(v, c), table, defs)
    with pytest.raises(CertificationError, match="outside the declared domain of v"):
        certificate.certify_answer(goal, Eq(v, ZeroMatrix(*v.shape), evaluate=False), table, defs)


def test_4e_with_the_sheets_numbers_kills_the_negative_root():
    """4e is a minimize goal again: h = −1/(154√n), the mutant that survived, now fails."""
    spec = load_spec("problems/mit-6790-hw4-online-stepsize.yaml")
    part = spec.part("4e")
    definitions, _ = engine.part_definitions(spec, part, {})
    everything = {**definitions, **engine.part_values(part)}
    h, n = part.table["h"].obj, part.table["n"].obj
    assert part.goals[0].kind == "minimize"
    certificate.certify_answer(part.goals[0], Eq(h, 1 / (154 * sqrt(n))), part.table, everything)
    with pytest.raises(CertificationError, match="outside the declared domain of h"):
        certificate.certify_answer(part.goals[0], Eq(h, -1 / (154 * sqrt(n)), evaluate=False), part.table, everything)

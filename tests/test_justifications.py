"""Issue 12: a justification fits the case at hand. A coefficient that is a multiple of I or a
number is said to be one (not "a Gram matrix plus …" or "we assume it is"), and then no side
condition asks for its invertibility."""
from sympy import Identity, ImmutableMatrix, Rational

from derive.api import derive
from derive.rules.forms import explicit_invertible_reason, positive_definite_reason


def _part(problem, pid):
    return next(p for p in derive(problem, parts=[pid]).derivation.parts if p.id == pid)


def test_a_numeric_coefficient_is_shown_invertible_and_needs_no_condition():
    part = _part("ridge-toy-lambda", "1.2.1d")
    whys = " ".join(s.because for s in part.steps)
    assert "2I, a positive multiple of I" in whys and "the number −1 (not 0)" in whys, whys
    assert "we assume it is" not in whys and "Gram matrix" not in whys, whys
    assert not [n for n in part.notes if "invertible" in str(n.text)], part.notes


def test_the_reasons_say_what_the_matrix_is_and_refuse_a_singular_one():
    assert explicit_invertible_reason(ImmutableMatrix([[2, 1], [1, 1]])) == \
        "its entries are numbers and its determinant, 1, is not 0"
    assert explicit_invertible_reason(ImmutableMatrix([[1, 2], [2, 4]])) is None        # singular
    assert explicit_invertible_reason(ImmutableMatrix([[Rational(-1)]])) == "it is the number -1 (not 0)"
    assert positive_definite_reason(2 * Identity(3)).startswith("it is 2*I, a positive multiple of I")


def test_the_certificate_names_the_variable_as_the_document_spells_it():
    part = _part("weight-decay-l2", "2.3.2")
    assert "agree for every w_0 tried" in part.certificate, part.certificate   # prose sets w_0 as w₀

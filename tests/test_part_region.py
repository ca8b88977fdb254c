"""A part asked on one side of a boundary (``where:``): the spec states it, the documents show
it as an assumption, and the checker judges the student's lines where it holds."""
import pytest

from derive.errors import SpecError


def test_the_region_is_read_and_shown_as_an_assumption():
    from derive import service

    d = service.derivation("mit-6790-hw4-adversarial")
    part = next(p for p in d.parts if p.id == "5c-positive")
    notes = [n for n in part.notes if n.kind == "assumption"]
    assert notes and str(notes[0].math.rel_op) == ">"


def test_a_line_true_only_on_the_parts_side_is_accepted_and_a_slip_is_not(problems):
    from derive.check.run import check_text

    line = ("## 5c-positive\n\n$$\\nabla_x J(x) = 2\\alpha(x - x^*) + \\sigma(W^\\top x + W_0)"
            "(1 - \\sigma(W^\\top x + W_0))W$$\n")
    report = check_text(line, "s.md", problems("mit-6790-hw4-adversarial"))
    assert report.steps[0].status == "ok", report.steps[0].reason
    report = check_text(line.replace("## 5c-positive", "## 5c-negative"), "s.md", problems("mit-6790-hw4-adversarial"))
    assert report.steps[0].status == "wrong"            # on the other side the hinge is 0


@pytest.mark.parametrize("where, message", [
    ("'x + 1'", "is not an inequality"),
    ("[3]", "give an inequality"),
])
def test_a_bad_region_is_refused_with_its_place(tmp_path, where, message):
    from derive.spec import load_spec

    spec = tmp_path / "bad.yaml"
    spec.write_text("id: bad\ntitle: t\nsource: {course: c, sheet: s, questions: [a]}\nsymbols:\n  x: {kind: scalar}\nparts:\n"
                    f"  - id: a\n    ask: q\n    where: {where}\n    goal: {{simplify: 'x + 1'}}\n", encoding="utf-8")
    with pytest.raises(SpecError, match=message):
        load_spec(spec)

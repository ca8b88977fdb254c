"""The TA checker on the student fixtures (tests/fixtures/students/MANIFEST.yaml): correct
write-ups are never flagged; each planted error is caught at its line with a counterexample that
really separates the two sides (recomputed here with SymPy, not with derive's evaluator)."""
import json
import time
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp
import yaml
from click.testing import CliRunner

from derive.check.latex_math import parse_chain
from derive.check.run import check_text
from derive.cli import main
from derive.expr.build import Builder

FIXTURES = Path(__file__).parent / "fixtures" / "students"
HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
MANIFEST = yaml.safe_load((FIXTURES / "MANIFEST.yaml").read_text())
CASES = MANIFEST["files"]



def run_case(problems, case):
    parts = case["part"] if isinstance(case["part"], list) else (None if case["part"] == "all" else [case["part"]])
    path = FIXTURES / case["file"]
    return check_text(path.read_text(), str(path), problems(case["problem"]), parts)


@pytest.mark.parametrize("case", [c for c in CASES if c["expect"] == "correct"], ids=lambda c: c["file"])
def test_correct_write_ups_are_never_flagged(problems, case):
    report = run_case(problems, case)
    flagged = [(s.line, s.status, s.reason) for s in report.steps if s.status in ("wrong", "unparsed")]
    assert not flagged
    assert report.parts and all(p.final_answer.status == "correct" for p in report.parts)
    assert report.fully_right


@pytest.mark.parametrize("case", [c for c in CASES if c["expect"] != "correct"], ids=lambda c: c["file"])
def test_planted_error_is_caught_at_its_line(problems, case):
    report = run_case(problems, case)
    wrong = [s for s in report.steps if s.status == "wrong"]
    assert wrong, f"missed: {case['expect']['error']}"
    first = wrong[0]
    assert first.line == case["expect"]["first_wrong_line"], (first.line, first.reason)
    assert report.first_wrong_step == first.index
    assert not report.fully_right
    if first.counterexample:
        assert first.counterexample["left"] != first.counterexample["right"]
        recompute(problems(case["problem"]), report, first)


def recompute(problem, report, step):
    """Substitute the counterexample's values into both sides with SymPy's own arithmetic."""
    part = problem.spec.part(step.part)
    table = part.table
    ce = step.counterexample
    if set(ce["values"]) - {n for n in table.symbols} or not all(
            "[" not in v and "(" not in v for v in ce["values"].values()):
        return  # matrices and families: the verdict was recomputed in test_counterexample_matrices
    names = {n: s.latex for n, s in table.symbols.items() if s.latex}
    terms, _ = parse_chain(step.latex, names)
    if len(terms) < 2:
        return
    values = {table[k].obj: sp.Rational(Fraction(v)) for k, v in ce["values"].items()}
    defs = {k: v for k, v in problem.definitions[part.id].items()}
    sides = []
    for t in terms:
        e = Builder(table, "", lenient=True).build(t).expr
        for _ in range(5):
            e = e.xreplace(defs)
        sides.append(sp.nsimplify(e.subs(values).doit()))
    assert len(set(sides)) > 1, f"the counterexample does not separate the sides: {sides}"


def test_counterexample_with_matrices_separates_the_sides(problems):
    """A sign error in a vector identity: evaluate both sides at the reported matrices."""
    case = next(c for c in CASES if c["file"] == "ridge-fgm_1.1.2_sign-error.tex")
    report = run_case(problems, case)
    step = next(s for s in report.steps if s.status == "wrong")
    vals = step.counterexample["values"]

    def matrix(text):
        return sp.Matrix([[sp.Rational(Fraction(x)) for x in row.split(",")] for row in text.strip("[]").split(";")])

    w, x = matrix(vals["w"]), matrix(vals["x"])
    eps = sp.Rational(Fraction(vals["epsilon"]))
    assert (w.T * (x - eps * w))[0] != (w.T * x + eps * w.T * w)[0]


def test_error_carried_forward_later_steps_checked_against_the_students_line(problems):
    case = next(c for c in CASES if c["file"] == "ridge-fgm_1.2.3_dropped-lambda.md")
    report = run_case(problems, case)
    after = [s for s in report.steps if s.line > case["expect"]["first_wrong_line"]]
    assert all(s.status != "wrong" for s in after[1:])  # only the slip itself is marked


@pytest.mark.parametrize("name", ["exponent-tower.md", "deep-nesting.md", "input-passwd.tex", "python-injection.md"])
def test_hostile_inputs_end_quickly_as_unparsed_or_unknown(problems, name, tmp_path):
    start = time.monotonic()
    report = check_text((HOSTILE / name).read_text(), name, problems("ridge-fgm"))
    assert time.monotonic() - start < 10
    assert report.steps and all(s.status in ("unparsed", "unknown") for s in report.steps)
    assert not list(tmp_path.parent.glob("derive-pwned*")) and not Path("/tmp/derive-pwned-by-fixture").exists()
    assert not report.fully_right


def test_names_that_feed_each_other_end_quickly_as_unknown(problems):
    """p defined by q and q by p: expanding them would grow without bound (a fuzzed file spent
    minutes in the final-answer comparison). The line that needs them is unknown, quickly."""
    start = time.monotonic()
    report = check_text((HOSTILE / "self-feeding-names.md").read_text(), "self-feeding-names.md", problems("ridge-fgm"))
    assert time.monotonic() - start < 10
    last = report.steps[-1]
    assert last.status == "unknown" and "too large" in last.reason
    assert not report.fully_right


def test_five_megabyte_file_is_refused_without_reading_it_all(tmp_path):
    big = tmp_path / "big.md"
    big.write_text("$$ x = " + "x + " * 1_300_000 + "x $$\n")
    result = CliRunner().invoke(main, ["check", "ridge-fgm", str(big), "--json"])
    data = json.loads(result.output)
    assert result.exit_code == 1
    assert data[0]["steps"] == [] and not data[0]["fully_right"]
    assert data[0]["error"] == "the file is 5.2 MB; the limit is 1 MB"


def test_worker_timeout_gives_unknown(tmp_path):
    result = CliRunner().invoke(main, ["check", "ridge-fgm", str(FIXTURES / "ridge-fgm_correct.md"),
                                       "--timeout", "0.001", "--json"])
    data = json.loads(result.output)
    assert result.exit_code == 1
    assert "timed out" in data[0]["error"]


def test_worker_memory_limit():
    from derive.check.sandbox import run_all

    out = run_all(_hog, [()], timeout=30, extra_memory=256 * 1024 * 1024)
    assert not out[0].ok and "memory" in out[0].error


def _hog():
    return bytearray(2 * 1024 ** 3)


def test_cli_json_shape_and_exit_codes(tmp_path):
    good, bad = FIXTURES / "ridge-fgm_correct.md", FIXTURES / "ridge-fgm_1.1.2_sign-error.tex"
    ok = CliRunner().invoke(main, ["check", "ridge-fgm", str(good), "--json"])
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.output)
    assert set(data[0]) >= {"file", "problem", "part", "steps", "first_wrong_step", "final_answer"}
    assert {"index", "line", "latex", "status", "reason", "counterexample"} <= set(data[0]["steps"][0])
    assert data[0]["final_answer"]["status"] == "correct" and data[0]["final_answer"]["convention"]
    csv_path = tmp_path / "grades.csv"
    mixed = CliRunner().invoke(main, ["check", "ridge-fgm", str(good), str(bad), "--csv", str(csv_path)])
    assert mixed.exit_code == 1
    rows = csv_path.read_text().splitlines()
    assert len(rows) == 3 and rows[0].startswith("file,problem")
    assert rows[2].split(",")[8] == "13"          # first wrong line of the sign-error write-up
    unreadable = CliRunner().invoke(main, ["check", "ridge-fgm", str(tmp_path / "missing.md"), str(good)])
    assert unreadable.exit_code in (1, 2)


def test_alias_lets_a_renamed_symbol_type_check(tmp_path):
    sub = tmp_path / "alias.md"
    sub.write_text("$$ \\mathbf{w} = (x^T x + 2n\\lambda I)^{-1} x^T \\mathbf{t} $$\n")
    plain = CliRunner().invoke(main, ["check", "ridge-fgm", str(sub), "--part", "1.2.2", "--json"])
    hint = json.loads(plain.output)[0]["steps"][0]["reason"]
    assert "--alias x=X" in hint
    fixed = CliRunner().invoke(main, ["check", "ridge-fgm", str(sub), "--part", "1.2.2", "--alias", "x=X", "--json"])
    assert json.loads(fixed.output)[0]["final_answer"]["status"] == "correct"


@pytest.mark.parametrize("a, b, status", [
    (r"(X^\top X)^{-1}X^\top \mathbf{t}", r"(X^TX)^{-1}X^T\mathbf t", "equivalent"),
    (r"X^\top X \mathbf{w}", r"X^\top X \mathbf{w} + 0", "equivalent"),
    (r"\frac{1}{n}X^\top(X\mathbf{w} - \mathbf{t})", r"\frac{1}{n}X^\top X\mathbf{w} - \frac{1}{n}X^\top\mathbf{t}", "equivalent"),
    (r"\lambda \mathbf{w}^\top\mathbf{w}", r"\mathbf{w}^\top\mathbf{w}", "not-equivalent"),
    (r"\sqrt{\epsilon^2}", r"\epsilon", "equivalent"),
])
def test_equiv_command(a, b, status):
    result = CliRunner().invoke(main, ["equiv", "ridge-fgm", a, b, "--json"])
    assert json.loads(result.output)["status"] == status
    assert result.exit_code == (0 if status.startswith("equivalent") else 1)


def test_equiv_with_a_symbols_file_and_a_batch(tmp_path):
    symbols = tmp_path / "s.yaml"
    symbols.write_text("symbols:\n  A: {kind: matrix, shape: [k, k]}\n  B: {kind: matrix, shape: [k, k]}\n"
                       "  q: {kind: scalar}\n")
    batch = tmp_path / "pairs.jsonl"
    batch.write_text('{"a": "(AB)^{-1}", "b": "B^{-1}A^{-1}"}\n{"a": "(AB)^{-1}", "b": "A^{-1}B^{-1}"}\n'
                     '{"a": "\\\\sqrt{q^2}", "b": "q"}\n')
    result = CliRunner().invoke(main, ["equiv", "--symbols", str(symbols), "--batch", str(batch), "--json"])
    verdicts = [json.loads(line) for line in result.output.splitlines()]
    assert [v["status"] for v in verdicts] == ["equivalent", "not-equivalent", "equivalent-under"]
    assert verdicts[2]["condition"] == "q > 0"
    assert result.exit_code == 1

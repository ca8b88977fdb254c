"""Loading specs: every kind of malformed spec gives one clear message with file and line."""
import textwrap

import pytest
from click.testing import CliRunner

from derive.cli import main
from derive.errors import SpecError
from derive.spec import load_spec

GOOD = textwrap.dedent("""\
    id: toy
    title: Toy ridge
    source: {course: CSC413, year: 2021, sheet: Homework 3}
    symbols:
      X: {kind: matrix, shape: [n, d]}
      w: {kind: vector, shape: [d]}
      t: {kind: vector, shape: [n]}
      lambda: {kind: scalar, assume: [positive]}
    parts:
      - id: '1'
        goal: {minimize: 'norm(X @ w - t)**2 + lambda * norm(w)**2', wrt: w}
    """)


def write(tmp_path, text, name="toy.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as err:
        load_spec(path)
    return err.value, path


def test_good_spec_loads(tmp_path):
    spec = load_spec(write(tmp_path, GOOD))
    assert spec.id == "toy" and [p.id for p in spec.parts] == ["1"]
    assert spec.table["w"].shape == (spec.table["d"].obj, 1)
    assert spec.table["lambda"].obj.is_positive


@pytest.mark.parametrize("old, new, line, message", [
    ("lambda * norm(w)**2", "lamda * norm(w)**2", 11,
     "in 'norm(X @ w - t)**2 + lamda * norm(w)**2': unknown symbol 'lamda'. Did you mean 'lambda'? "
     "Known: X, d, lambda, n, t, w."),
    ("norm(X @ w - t)**2", "norm(w @ X - t)**2", 11,
     "in 'norm(w @ X - t)**2 + lambda * norm(w)**2': shape mismatch: cannot multiply d×1 by n×d (w is d×1, X is n×d)"),
    ("goal: {minimize:", "goal: {minimise:", 11,
     "unknown goal kind 'minimise'. Did you mean 'minimize'? Kinds: simplify, evaluate, minimize, solve, mean, variance, gradient, show, condition, match, step, unroll, bound, weight_matrix, count, shape."),
    ("{kind: vector, shape: [d]}", "{kind: vectr, shape: [d]}", 6,
     "symbol 'w' has unknown kind 'vectr'. Did you mean 'vector'? Kinds: scalar, vector, matrix, index, random, function."),
    ("title: Toy ridge\n", "", 1, "the spec is missing the required field 'title'"),
    ("[positive]", "[positve]", 8,
     "unknown assumption 'positve'. Did you mean 'positive'? Known: real, positive, negative, nonnegative, nonpositive, nonzero, integer, or {interval: [lo, hi], open: true}"),
    (", wrt: w}", "}", 11, "a minimize goal is missing the required field 'wrt'"),
    ("{kind: matrix, shape: [n, d]}", "{kind: matrix, shape: [n]}", 5,
     "matrix 'X' needs shape with 2 entries, e.g. [n, d]"),
    ("  - id: '1'\n", "  - id: '1'\n    answr: x\n", 11,
     "unknown key 'answr' in part 1. Did you mean 'answer_as'? Allowed: id, ask, goal, goals, uses, specialize, conventions, expect, figure, answer_as, discussion, where."),
])
def test_spec_errors_name_file_line_and_fix(tmp_path, old, new, line, message):
    assert old in GOOD
    err, path = error_of(tmp_path, GOOD.replace(old, new, 1))
    assert (err.file, err.line, err.message) == (str(path), line, message)
    assert str(err) == f"{path}, line {line}: {message}"


def test_bad_yaml_names_the_line(tmp_path):
    err, path = error_of(tmp_path, GOOD.replace("  w: {kind: vector, shape: [d]}", "  w: {kind: vector, shape: [d]"))
    assert err.line == 7
    assert err.message.startswith("invalid YAML:")


def test_uses_must_name_an_earlier_part(tmp_path):
    text = GOOD + "  - id: '2'\n    uses: {w: '9'}\n    goal: {simplify: 'w'}\n"
    err, _ = error_of(tmp_path, text)
    assert err.line == 13
    assert err.message == "uses 'w: 9' but no earlier part has id '9'. Earlier parts: 1"


def test_cli_reports_spec_errors_with_exit_2_and_no_traceback(tmp_path):
    path = write(tmp_path, GOOD.replace("lambda * norm", "lamda * norm"))
    result = CliRunner().invoke(main, [str(path)])
    assert result.exit_code == 2
    assert result.output.strip() == (f"Error: {path}, line 11: in 'norm(X @ w - t)**2 + lamda * norm(w)**2': "
                                     "unknown symbol 'lamda'. Did you mean 'lambda'? Known: X, d, lambda, n, t, w.")
    assert "Traceback" not in result.output


def test_every_bundled_spec_loads():
    from derive.bank import spec_files

    files = spec_files()
    assert len(files) >= 5
    for path in files:
        spec = load_spec(path)
        assert spec.statement and spec.source.get("course")

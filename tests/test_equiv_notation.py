"""``derive equiv`` on the notation of real answer keys (issue 10): ⟨a, b⟩, the indicator 𝟙[·],
the trace, a·b between vectors, θᵗ names, bound sum indices, an equation against a bare
expression, and a batch whose entries bring their own context, all in one process."""
import json

import pytest
from click.testing import CliRunner

from derive.check.equiv import compare
from derive.cli import main
from derive.spec import load_symbols

SYMBOLS = """symbols:
  a: {kind: vector, shape: [d]}
  b: {kind: vector, shape: [d]}
  z: {kind: scalar}
  A: {kind: matrix, shape: [d, d]}
  x: {kind: vector, shape: [d]}
  theta_t: {kind: vector, shape: [d], latex: '\\theta^t'}
  g_t: {kind: vector, shape: [d], latex: 'g^t'}
  eta: {kind: scalar, latex: '\\eta'}
  N: {kind: scalar, assume: [positive, integer]}
"""


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    path = tmp_path_factory.mktemp("equiv") / "symbols.yaml"
    path.write_text(SYMBOLS, encoding="utf-8")
    return load_symbols(path)


@pytest.mark.parametrize("a, b", [
    (r"\langle a, b\rangle", "a^T b"),
    (r"\left\langle a, b \right\rangle", "b^T a"),
    (r"\mathbb{1}[z > 0]", r"\frac{1 + \operatorname{sign}(z)}{2}"),
    (r"\mathbf{1}_{z \ge 1}", r"\mathbb{1}\{z - 1 > 0\}"),
    (r"\operatorname{tr}(A)", r"\sum_{i=1}^{d} A_{ii}"),
    (r"\operatorname{tr}(A x x^T)", "x^T A x"),
    (r"a \cdot b", "a^T b"),
    (r"\theta^t - \eta g^t", r"\theta^t - \eta\, g^t"),
    (r"\sum_{i=0}^{N-1} z", "N z"),
    (r"\sum_{j} a_j b_j", r"\langle a, b \rangle"),
    (r"x = \theta^t - \eta g^t", r"\theta^t - \eta g^t"),
    (r"z = \sqrt{(1 - z^2)^2}", r"z = |1 - z^2|"),
])
def test_answer_key_notation_is_read(table, a, b):
    v = compare(a, b, table)
    assert v["status"] == "equivalent", v


@pytest.mark.parametrize("a, b", [
    (r"\langle a, b\rangle", "a^T b + 1"),
    (r"\mathbb{1}[z > 0]", r"\mathbb{1}[z < 0]"),
    (r"\operatorname{tr}(A)", r"\sum_{i=1}^{d} A_{i1}"),
    (r"a \cdot b", "2 a^T b"),
    (r"x = \theta^t - \eta g^t", r"\theta^t + \eta g^t"),
])
def test_the_same_notation_with_a_slip_is_not_equivalent(table, a, b):
    v = compare(a, b, table)
    assert v["status"] == "not-equivalent" and v["counterexample"], v


def test_a_students_final_chain_against_a_bare_answer():
    from derive.check.batch import equiv_context

    table, defs = equiv_context("ridge-fgm", None, None)
    chain = r"f(x'; w) = w^T(x - \epsilon w) = w^Tx - \epsilon w^Tw"
    assert compare(chain, r"w^T x - \epsilon \|w\|^2", table, defs)["status"] == "equivalent"
    assert compare(chain, r"w^T x - \epsilon \|w\|", table, defs)["status"] == "not-equivalent"
    mixed = compare(r"a = b \le c", "c", table, defs)
    assert mixed["status"] == "unparsed" and "not all" in mixed["reason"]


def test_a_dot_between_matrices_is_still_a_shape_error(table):
    v = compare(r"a \cdot A", "a", table)
    assert v["status"] == "not-equivalent" and "shape" in v["reason"]


def test_a_batch_with_its_own_contexts_in_one_process(tmp_path):
    (tmp_path / "symbols.yaml").write_text(SYMBOLS, encoding="utf-8")
    entries = [
        {"a": r"\langle a, b\rangle", "b": "a^T b", "symbols": "symbols.yaml"},
        {"a": r"2\lambda w", "b": r"2 w \lambda", "problem": "ridge-fgm"},
        {"a": "w", "b": r"\frac{x t}{x^2 + 2\lambda}", "problem": "ridge-fgm", "part": "1.2.3"},
        {"a": "w", "b": r"\frac{x t}{x^2 + \lambda}", "problem": "ridge-fgm", "part": "1.2.3"},
        {"a": "x", "b": "x", "problem": "no-such-problem"},
        {"a": "x", "b": "x"},
        {"a": "x", "b": "x", "colour": "red"},
    ]
    batch = tmp_path / "key.jsonl"
    batch.write_text("\n".join(json.dumps(e) for e in entries), encoding="utf-8")
    result = CliRunner().invoke(main, ["equiv", "--batch", str(batch), "--json"])
    verdicts = [json.loads(line) for line in result.output.splitlines()]
    assert [v["status"] for v in verdicts] == ["equivalent", "equivalent", "equivalent", "not-equivalent",
                                               "unparsed", "unparsed", "unparsed"]
    assert "no-such-problem" in verdicts[4]["reason"] and "no context" in verdicts[5]["reason"]
    assert "colour" in verdicts[6]["reason"]
    assert result.exit_code == 1

"""Typing expressions against a symbol table: shapes, order, identity sizing, 1×1 bridging."""
import pytest
import sympy as sp

from derive.errors import ParseError
from derive.expr.build import Builder
from derive.expr.parse import parse

SPEC = """
id: t
title: T
source: {course: C}
symbols:
  X: {kind: matrix, shape: [n, d]}
  A: {kind: matrix, shape: [d, d]}
  w: {kind: vector, shape: [d]}
  t: {kind: vector, shape: [n]}
  lam: {kind: scalar, assume: [positive]}
  p: {kind: scalar, assume: {interval: [0, 1], open: true}}
parts:
  - {id: a, goal: {simplify: 'w'}}
"""


@pytest.fixture(scope="module")
def table(spec_table):
    return spec_table(SPEC)


def build(table, text):
    return Builder(table, text).build(parse(text))


def test_vectors_and_matrices_have_symbolic_shapes(table):
    v = build(table, "X @ w - t")
    assert v.shape == (table["n"].obj, 1)
    assert isinstance(table["X"].obj, sp.MatrixSymbol)


def test_identity_is_sized_from_context(table):
    v = build(table, "inv(X.T @ X + 2*lam*I) @ X.T @ t")
    d = table["d"].obj
    assert v.shape == (d, 1)
    assert sp.Identity(d) in v.expr.atoms(sp.Identity)


def test_squared_norm_is_an_inner_product(table):
    v = build(table, "norm(X @ w - t)**2")
    assert v.shape == (1, 1)
    assert isinstance(v.expr, sp.MatMul) and len(v.expr.args) == 2
    assert v.expr.args[0] == sp.Transpose(v.expr.args[1])


def test_product_order_is_kept(table):
    assert build(table, "X.T @ X").expr != build(table, "A @ A.T").expr
    assert build(table, "A @ w").expr.args[0] == table["A"].obj


def test_scalar_added_to_a_1x1_product_stays_a_matrix_expression(table):
    v = build(table, "w.T @ w + lam")
    assert v.shape == (1, 1)


@pytest.mark.parametrize("text, message", [
    ("X + w", "shape mismatch: cannot add n×d and d×1"),
    ("w @ X", "shape mismatch: cannot multiply d×1 by n×d"),
    ("X * X", "'*' between a n×d and a n×d matrix: use '@' for a matrix product"),
    ("inv(X)", "inv(...) needs a square matrix; this one is n×d"),
    ("lamda * w", "unknown symbol 'lamda'. Did you mean 'lam'?"),
    ("I", "cannot tell the size of I here; use it next to a square matrix"),
    ("X**2", "only a square matrix has powers; this one is n×d"),
    ("frob(X)", "unknown function 'frob'"),
])
def test_type_errors_are_clear(table, text, message):
    with pytest.raises(ParseError) as err:
        build(table, text)
    assert err.value.message.startswith(message)


def test_interval_assumption_is_kept_as_a_domain(table):
    dom = table["p"].domain
    assert (dom.lower, dom.upper, dom.lower_open, dom.upper_open) == (0, 1, True, True)
    assert table["p"].obj.is_positive

"""The spec expression grammar: structure, precedence, and clear errors with columns."""
import pytest

from derive.errors import ParseError
from derive.expr.ast import BinOp, Call, Index, Name, Neg, Num, Rel, SumOver, Transpose
from derive.expr.parse import parse


@pytest.mark.parametrize("text, tree", [
    ("w.T @ x", BinOp("@", Transpose(Name("w")), Name("x"))),
    ("w' @ x", BinOp("@", Transpose(Name("w")), Name("x"))),
    ("-x**2", Neg(BinOp("**", Name("x"), Num("2")))),
    ("a - b - c", BinOp("-", BinOp("-", Name("a"), Name("b")), Name("c"))),
    ("a / b * c", BinOp("*", BinOp("/", Name("a"), Name("b")), Name("c"))),
    ("x**-1", BinOp("**", Name("x"), Neg(Num("1")))),
    ("inv(A) @ b", BinOp("@", Call("inv", (Name("A"),)), Name("b"))),
    ("sum(m[j] * w[j], j)", SumOver(BinOp("*", Index(Name("m"), Name("j")), Index(Name("w"), Name("j"))), "j")),
    ("f(x) = 0", Rel("=", Call("f", (Name("x"),)), Num("0"))),
    ("norm(d) <= eps", Rel("<=", Call("norm", (Name("d"),)), Name("eps"))),
    ("sgn(g)", Call("sign", (Name("g"),))),
    ("0.5 * x", BinOp("*", Num("0.5"), Name("x"))),
])
def test_parse_builds_the_expected_tree(text, tree):
    assert parse(text) == tree


def test_matrix_products_keep_their_order():
    assert parse("X.T @ X") != parse("X @ X.T")


@pytest.mark.parametrize("text, message", [
    ("w $ x", "unexpected character '$' at column 3"),
    ("(a + b", "expected ')' at column 7 but found the end"),
    ("a +", "expected a number, a name or '(' at column 4 but found the end of the expression"),
    ("a = b = c", "chained relations are not supported here; write one relation"),
    ("2**1000", "exponent 1000 is larger than 100"),
    ("2**10**10", "a tower of exponents (a**b**c) is not allowed"),
    ("a b", "unexpected 'b' at column 3"),
])
def test_parse_errors_name_the_problem_and_column(text, message):
    with pytest.raises(ParseError) as err:
        parse(text)
    assert err.value.message == message


def test_hostile_nesting_is_refused_not_a_recursion_error():
    with pytest.raises(ParseError, match="nests deeper than"):
        parse("(" * 2000 + "x" + ")" * 2000)


def test_long_input_is_refused():
    with pytest.raises(ParseError, match="the limit is 10000"):
        parse("x+" * 6000 + "x")


def test_python_is_never_evaluated():
    with pytest.raises(ParseError):
        parse("__import__('os').system('echo pwned')")

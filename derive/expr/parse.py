"""The spec expression grammar: a tokenizer and a Pratt parser producing ``ast`` nodes.

Syntax (documented in the README)::

    expr   := rel | sum
    rel    := sum ('=' | '<=' | '<' | '>=' | '>') sum
    sum    := term (('+' | '-') term)*
    term   := unary (('*' | '/' | '@') unary)*
    unary  := '-' unary | '+' unary | power
    power  := postfix ('**' unary)?            # right associative, -x**2 == -(x**2)
    postfix:= atom ('.T' | "'" | '(' args ')' | '[' args ']')*     # m[j], m[i, j]
    atom   := NUMBER | NAME | '(' expr ')' | '[' args ']'           # [a, b] is vec(a, b)

Limits protect against hostile text: length, nesting depth, number size and exponent size (the
values are in ``limits.py``). Flat sums and products are read in a loop, so only nesting recurses,
and nesting is counted per bracket, argument list, prefix operator or exponent.
"""
from __future__ import annotations

import re

from ..errors import ParseError
from .ast import BinOp, Call, Index, Name, Neg, Node, Num, Rel, SumOver, Transpose
from .limits import MAX_DEPTH, MAX_DIGITS, MAX_EXPONENT
from .limits import MAX_EXPRESSION as MAX_LENGTH

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|<=|>=|==|\.T\b|[-+*/@()\[\],=<>']))"
)


def tokenize(text: str) -> list[tuple[str, str, int]]:
    """Split ``text`` into (kind, value, column) triples, ending with ('end', '', len)."""
    if len(text) > MAX_LENGTH:
        raise ParseError(f"expression is {len(text)} characters long; the limit is {MAX_LENGTH}", text[:80])
    tokens, i = [], 0
    while i < len(text):
        if text[i:].strip() == "":
            break
        m = _TOKEN.match(text, i)
        if not m or m.end() == i:
            j = i + len(text[i:]) - len(text[i:].lstrip())
            raise ParseError(f"unexpected character {text[j]!r} at column {j + 1}", text, j)
        kind = m.lastgroup
        value = m.group(kind)
        start = m.start(kind)
        if kind == "num" and len(value) > MAX_DIGITS:
            raise ParseError(f"number at column {start + 1} has more than {MAX_DIGITS} digits", text, start)
        if value == "==":
            value = "="
        tokens.append((kind, value, start))
        i = m.end()
    tokens.append(("end", "", len(text)))
    return tokens


_BINARY = {"+": 10, "-": 10, "*": 20, "/": 20, "@": 20}
_FUNCTION_ALIASES = {"sgn": "sign", "Var": "Var", "var": "Var", "mean": "E"}


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def next(self) -> tuple[str, str, int]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def fail(self, message: str, pos: int) -> ParseError:
        return ParseError(message, self.text, pos)

    def enter(self, pos: int) -> None:
        """One more level of nesting (a bracket, an argument list, a prefix operator, an exponent)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"expression nests deeper than {MAX_DEPTH} levels (at column {pos + 1})", pos)

    def leave(self) -> None:
        self.depth -= 1

    def expect(self, value: str) -> None:
        kind, got, pos = self.next()
        if got != value:
            shown = "the end" if kind == "end" else repr(got)
            raise self.fail(f"expected {value!r} at column {pos + 1} but found {shown}", pos)

    def parse(self) -> Node:
        node = self.relation()
        kind, value, pos = self.peek()
        if kind != "end":
            raise self.fail(f"unexpected {value!r} at column {pos + 1}", pos)
        return node

    def relation(self) -> Node:
        left = self.expression(0)
        kind, value, pos = self.peek()
        if value in ("=", "<=", "<", ">=", ">"):
            self.next()
            right = self.expression(0)
            nxt = self.peek()
            if nxt[1] in ("=", "<=", "<", ">=", ">"):
                raise self.fail("chained relations are not supported here; write one relation", nxt[2])
            return Rel(value, left, right, pos)
        return left

    def expression(self, min_bp: int) -> Node:
        """Operators of binding power above ``min_bp``; a run of equal operators is a loop."""
        left = self.unary()
        while True:
            kind, value, pos = self.peek()
            bp = _BINARY.get(value) if kind == "op" else None
            if bp is None or bp <= min_bp:
                break
            self.next()
            right = self.expression(bp)
            left = BinOp(value, left, right, pos)
        return left

    def unary(self) -> Node:
        kind, value, pos = self.peek()
        if value in ("-", "+") and kind == "op":
            self.next()
            self.enter(pos)
            operand = self.unary()
            self.leave()
            return Neg(operand, pos) if value == "-" else operand
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        kind, value, pos = self.peek()
        if value == "**":
            self.next()
            self.enter(pos)
            exponent = self.unary()
            self.leave()
            _check_exponent(exponent, self)
            return BinOp("**", base, exponent, pos)
        return base

    def postfix(self) -> Node:
        node = self.atom()
        while True:
            kind, value, pos = self.peek()
            if value in (".T", "'"):
                self.next()
                node = Transpose(node, pos)
            elif value == "(" and isinstance(node, Name):
                self.next()
                self.enter(pos)
                args = self.arguments(")")
                self.leave()
                node = _call(node.id, args, node.pos, self)
            elif value == "[":
                self.next()
                self.enter(pos)
                indices = self.arguments("]")
                self.leave()
                if not indices:
                    raise self.fail(f"an index is missing at column {pos + 1}", pos)
                for index in indices:          # m[i, j] is m[i][j]: a family over two indices
                    node = Index(node, index, pos)
            else:
                return node

    def arguments(self, closer: str) -> tuple:
        args = []
        if self.peek()[1] == closer:
            self.next()
            return ()
        while True:
            args.append(self.relation())
            kind, value, pos = self.next()
            if value == closer:
                return tuple(args)
            if value != ",":
                shown = "the end" if kind == "end" else repr(value)
                raise self.fail(f"expected ',' or {closer!r} at column {pos + 1} but found {shown}", pos)

    def atom(self) -> Node:
        kind, value, pos = self.next()
        if kind == "num":
            return Num(value, pos)
        if kind == "name":
            return Name(value, pos)
        if value == "(":
            self.enter(pos)
            node = self.relation()
            self.leave()
            self.expect(")")
            return node
        if value == "[":                       # [a, b, c] is the column vector vec(a, b, c)
            self.enter(pos)
            items = self.arguments("]")
            self.leave()
            if not items:
                raise self.fail(f"an empty list at column {pos + 1}; write [a, b, ...]", pos)
            return _call("vec", items, pos, self)
        shown = "the end of the expression" if kind == "end" else repr(value)
        raise self.fail(f"expected a number, a name or '(' at column {pos + 1} but found {shown}", pos)


def _call(func: str, args: tuple, pos: int, parser: _Parser) -> Node:
    func = _FUNCTION_ALIASES.get(func, func)
    if func == "sum":
        if len(args) not in (2, 4) or not isinstance(args[1], Name):
            raise parser.fail("sum takes (body, index) or (body, index, lower, upper), e.g. sum(w[j]*x[j], j)", pos)
        lower, upper = (args[2], args[3]) if len(args) == 4 else (None, None)
        return SumOver(args[0], args[1].id, lower, upper, pos)
    return Call(func, args, pos)


def _check_exponent(node: Node, parser: _Parser) -> None:
    value = node.operand if isinstance(node, Neg) else node
    if isinstance(value, Num) and float(value.value) > MAX_EXPONENT:
        raise parser.fail(f"exponent {value.value} is larger than {MAX_EXPONENT}", value.pos)
    if isinstance(value, BinOp) and value.op == "**":
        raise parser.fail("a tower of exponents (a**b**c) is not allowed", value.pos)


def parse(text: str) -> Node:
    """Parse one spec expression or relation into an AST. Raises ``ParseError``."""
    if not isinstance(text, str):
        raise ParseError(f"expected an expression as text, got {type(text).__name__}")
    parser = _Parser(text)
    try:
        return parser.parse()
    except RecursionError:      # a safety net: the depth limit is meant to stop well before this
        raise ParseError(f"expression nests deeper than {MAX_DEPTH} levels", text[:80]) from None

"""Typed construction of SymPy objects from the AST, against a ``SymbolTable``.

Every value carries a shape: ``None`` for a scalar, ``(rows, cols)`` for a matrix. Products
respect order and conformability; ``I`` is an identity whose size is taken from context; a
1x1 matrix used where a scalar is needed becomes ``Scalar(M)``; a scalar added to a 1x1 matrix
becomes ``s*Identity(1)`` so losses stay matrix expressions that SymPy can differentiate.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..errors import ParseError
from . import ast as A
from .build_calculus import CalculusBuilding
from .build_indices import IndexBuilding
from .build_structured import STRUCTURED_FUNCS, StructuredBuilding
from .build_values import (
    SCALAR_FUNCS,
    Value,
    _differ,
    _fmt,
    _is_1x1,
    _madd,
    _mmul,
    _PendingIdentity,
    _same_column,
    _scale,
    _scale_either,
    _show,
)
from .symbols import FUNCTION_OF_SCALAR, SymbolTable


class Builder(IndexBuilding, CalculusBuilding, StructuredBuilding):
    """Builds AST nodes into typed SymPy values. ``lenient`` makes ``*`` between matrices a
    matrix product (student LaTeX); specs must use ``@``."""

    def __init__(self, table: SymbolTable, text: str = "", lenient: bool = False):
        self.table = table
        self.text = text
        self.lenient = lenient
        self._spans: dict = {}      # index symbol -> (lower, upper) of what it indexes
        self.call_names: set = set()  # lenient: names a student may write as functions, ε(λ)
        self.default_wrt: str = ""    # lenient: the variable of a bare ∇ (‖Av − b‖² in the part's v)
        self.iterates: dict = {}      # lenient: state name -> (first index, k-th iterate, k): b_{k+1}, v_k
        self.identity_size = None     # the size of a side that is only c·I (E[ΞᵀΞ] = τ²I: the other side's)

    # -- entry points ----------------------------------------------------------------------
    def build(self, node: A.Node, env: dict | None = None) -> Value:
        v = self._build(node, env or {})
        if isinstance(v, _PendingIdentity) and self.identity_size is not None:
            from sympy import Identity

            return Value(v.coeff * Identity(self.identity_size), (self.identity_size, self.identity_size))
        if isinstance(v, _PendingIdentity):
            raise self.fail("cannot tell the size of I here; use it next to a square matrix", node)
        return v

    def fail(self, message: str, node: A.Node | None = None, shape: bool = False) -> ParseError:
        """A typing error; ``shape=True`` marks a mathematical one (non-conformable shapes, a
        matrix where a scalar must be), which a checker reports as a wrong step, not unread."""
        return ParseError(message, self.text, getattr(node, "pos", None), kind="shape" if shape else "type")

    # -- dispatch ----------------------------------------------------------------------------
    def _build(self, node, env):
        method = getattr(self, "_" + type(node).__name__)
        return method(node, env)

    def _Num(self, node, env):
        from sympy import Rational

        f = Fraction(node.value)
        return Value(Rational(f.numerator, f.denominator), None)

    def _Name(self, node, env):
        from sympy import pi

        if node.id in env:
            return env[node.id]
        info = self.table.get(node.id)
        if info is None:
            if node.id == "I":
                from sympy import S

                return _PendingIdentity(S.One)
            if node.id == "pi":
                return Value(pi, None)
            member = self._family_member(node) or self._numbered_vector(node)
            if member is not None:
                return member
            spelled = [n for n in self.table.symbols if self.lenient and "_" in node.id + n
                       and n.replace("_", "") == node.id.replace("_", "")]
            if len(spelled) == 1:
                return self._Name(A.Name(spelled[0], node.pos), env)     # w_min for the problem's wmin
            raise self.table.unknown(node.id, self.text, node.pos)
        if info.kind == "function":
            if self.lenient:  # a student's bare J means J(w) at the function's own parameters
                return self.build(info.body, {p: self.build(A.Name(p)) for p in info.params if p in self.table})
            raise self.fail(f"'{node.id}' is a function of {', '.join(info.params)}; call it as {node.id}(...)", node)
        if info.index is not None:
            raise self.fail(f"'{node.id}' is a family indexed by {info.index}; write {node.id}[{info.index}]", node)
        if info.kind == "defined" and info.obj is None:
            return self.build(info.body, {})
        return Value(info.obj, info.shape)

    def _numbered_vector(self, node):
        """Lenient: ``a`` for the problem's scalars a1, a2 (and no a of its own) is (a1, a2)."""
        from sympy import ImmutableMatrix, Integer

        members = self.numbered_scalars(node.id) if self.lenient and node.id.isalpha() else []
        if not members:
            return None
        return Value(ImmutableMatrix([[m] for m in members]), (Integer(len(members)), Integer(1)))

    def _same_but_case(self, name: str):
        """The one function of the table spelled ``name`` but for case (Attn for attn), names of
        three letters or more; None otherwise."""
        if len(name) < 3:
            return None
        found = [n for n, i in self.table.symbols.items() if n.lower() == name.lower() and n != name and i.kind == "function"]
        return found[0] if len(found) == 1 else None

    def _family_member(self, node):
        """Lenient: ``D1`` for a function D(i) of one index (``D_i := r(i)²``) is D(1); ``A12`` for
        a matrix A of known size is its entry (1, 2); ``x1`` beside a matrix X of known size (and
        no x of the problem's) is X's first row, as a column: the first token or example."""
        import re

        m = re.fullmatch(r"([A-Za-z]+)(\d+)", node.id) if self.lenient else None
        info = self.table.get(m.group(1)) if m else None
        digits = m.group(2) if m else ""
        if info is not None and info.kind in ("matrix", "defined") and len(digits) == 2 and _known_size(info.obj):
            return self._numbered_entry(info, digits, node)
        plain = info is None or info.index is None and (info.kind == "defined" or info.kind == "scalar" and info.shape is None)
        capital = self.table.get(m.group(1).upper()) if m and plain and m.group(1).islower() else None
        if capital is not None and capital.kind == "matrix" and capital.index is None and _known_size(capital.obj) \
                and (len(digits) == 1 or not self.table.get(node.id)):
            found = self._numbered_entry(capital, digits, node)     # a12 beside A: A's entry; x1 beside X: token 1
            if found is not None:
                return found
        if info is None or info.kind != "function" or len(info.params) != 1 \
                or getattr(self.table.get(info.params[0]), "shape", None) is not None:
            return None         # L1 for a loss L(w) of a vector w is a name of its own
        return self._build(A.Call(m.group(1), (A.Num(m.group(2), node.pos),), node.pos), {})

    def _numbered_entry(self, info, digits: str, node):
        """Entry (i, j) of a matrix of known size for two digits ``ij``, its row k as a column for one
        digit ``k`` (a token, an example), counted from 1; None outside its size."""
        rows, cols = (int(n) for n in info.obj.shape)
        if len(digits) == 2 and 1 <= int(digits[0]) <= rows and 1 <= int(digits[1]) <= cols:
            return Value(info.obj[int(digits[0]) - 1, int(digits[1]) - 1], None)
        if len(digits) == 1 and 1 <= int(digits) <= rows:
            return self._token(info, [A.Num(digits, node.pos)], node, {})
        return None

    def _Neg(self, node, env):
        v = self._build(node.operand, env)
        if isinstance(v, _PendingIdentity):
            return _PendingIdentity(-v.coeff)
        return Value(-v.expr, v.shape)

    def _Transpose(self, node, env):
        v = self._build(node.operand, env)
        if isinstance(v, _PendingIdentity) or v.shape is None:
            return v  # the transpose of a scalar (or of I) is itself
        from sympy import Transpose

        return Value(Transpose(v.expr).doit(deep=False), (v.shape[1], v.shape[0]))

    def _BinOp(self, node, env):
        """A left-deep chain of binary operators (a + b − c + …, a·b·c …) is built in a loop,
        so a long flat sum or product never recurses once per term."""
        if node.op == "**":
            return self._power(node, env)
        chain = []
        while isinstance(node, A.BinOp) and node.op != "**":
            chain.append(node)
            node = node.left
        value = self._build(node, env)
        for link in reversed(chain):
            value = self._combine(value, self._build(link.right, env), link)
        return value

    def _combine(self, left, right, node):
        if node.op in "+-":
            if node.op == "-":
                right = _PendingIdentity(-right.coeff) if isinstance(right, _PendingIdentity) else Value(-right.expr, right.shape)
            return self._add(left, right, node)
        if node.op == "/":
            return self._divide(left, right, node)
        if getattr(node, "dot", False) and self.lenient and _same_column(left, right):
            from sympy import Transpose

            return self._multiply(Value(Transpose(left.expr), (left.shape[1], left.shape[0])), right, node, True)
        return self._multiply(left, right, node, matmul=(node.op == "@"))

    def _add(self, a, b, node):
        from sympy import Identity

        if isinstance(a, _PendingIdentity) and isinstance(b, _PendingIdentity):
            return _PendingIdentity(a.coeff + b.coeff)
        if isinstance(a, _PendingIdentity) or isinstance(b, _PendingIdentity):
            pending, other = (a, b) if isinstance(a, _PendingIdentity) else (b, a)
            if other.shape is None:
                raise self.fail("cannot add the identity I to a scalar", node, shape=True)
            r, c = other.shape
            if _differ(r, c):
                raise self.fail(f"I is square but is added to a {_fmt(other.shape)} matrix", node, shape=True)
            return Value(_madd(other.expr, pending.coeff * Identity(r)), other.shape)
        if a.shape is None and b.shape is None:
            return Value(a.expr + b.expr, None)
        if a.shape is None or b.shape is None:
            mat = b if a.shape is None else a
            sc = a if a.shape is None else b
            if sc.expr == 0:
                return mat  # a literal 0 next to a matrix is the zero matrix
            if _is_1x1(mat.shape):
                return Value(_madd(mat.expr, sc.expr * Identity(1)) if a.shape else _madd(sc.expr * Identity(1), mat.expr), (1, 1))
            raise self.fail(f"cannot add a scalar and a {_fmt(mat.shape)} matrix", node, shape=True)
        if _differ(a.shape[0], b.shape[0]) or _differ(a.shape[1], b.shape[1]):
            raise self.fail(f"shape mismatch: cannot add {_fmt(a.shape)} and {_fmt(b.shape)}", node, shape=True)
        return Value(_madd(a.expr, b.expr), a.shape)

    def _multiply(self, a, b, node, matmul: bool):
        if isinstance(a, _PendingIdentity) and isinstance(b, _PendingIdentity):
            return _PendingIdentity(a.coeff * b.coeff)
        if isinstance(a, _PendingIdentity):
            if b.shape is None:
                return _PendingIdentity(a.coeff * b.expr)
            return Value(_scale(a.coeff, b.expr), b.shape)  # I @ B = B
        if isinstance(b, _PendingIdentity):
            if a.shape is None:
                return _PendingIdentity(b.coeff * a.expr)
            return Value(_scale(b.coeff, a.expr), a.shape)
        if a.shape is None or b.shape is None:
            return Value(a.expr * b.expr if a.shape is None and b.shape is None else _scale_either(a, b), a.shape or b.shape)
        if not matmul and not self.lenient:
            if _is_1x1(a.shape) or _is_1x1(b.shape):
                return self._scalar_times(a, b)
            raise self.fail(f"'*' between a {_fmt(a.shape)} and a {_fmt(b.shape)} matrix: use '@' for a matrix product", node)
        if _differ(a.shape[1], b.shape[0]):
            if _is_1x1(a.shape) or _is_1x1(b.shape):
                return self._scalar_times(a, b)
            raise self.fail(f"shape mismatch: cannot multiply {_fmt(a.shape)} by {_fmt(b.shape)} "
                            f"({_show(a.expr)} is {_fmt(a.shape)}, {_show(b.expr)} is {_fmt(b.shape)})", node, shape=True)
        return Value(_mmul(a.expr, b.expr), (a.shape[0], b.shape[1]))

    def _scalar_times(self, a, b):
        from ..expr.objects import Scalar

        if _is_1x1(a.shape):
            return Value(_scale(Scalar(a.expr), b.expr), b.shape)
        return Value(_scale(Scalar(b.expr), a.expr), a.shape)

    def _divide(self, a, b, node):
        from sympy import S

        if isinstance(b, _PendingIdentity):
            raise self.fail("cannot divide by I; use inv(...)", node)
        den = self.as_scalar(b, node)
        if den == 0:
            raise self.fail("division by zero", node)
        if isinstance(a, _PendingIdentity):
            return _PendingIdentity(a.coeff / den)
        if a.shape is None:
            return Value(a.expr / den, None)
        return Value(_scale(S.One / den, a.expr), a.shape)

    def as_scalar(self, v, node) -> Any:
        """The scalar held by ``v`` (a scalar, or a 1x1 matrix via ``Scalar``)."""
        from .objects import Scalar

        if isinstance(v, _PendingIdentity):
            raise self.fail("expected a scalar here, found I", node)
        if v.shape is None:
            return v.expr
        if _is_1x1(v.shape):
            return Scalar(v.expr)
        raise self.fail(f"expected a scalar here, found a {_fmt(v.shape)} matrix", node, shape=True)

    def _power(self, node, env):
        from sympy import Inverse, MatPow, Integer

        if isinstance(node.left, A.Call) and node.left.func == "norm" and len(node.left.args) == 1:
            exponent = self._build(node.right, env)
            v = self._build(node.left.args[0], env)
            if not isinstance(v, _PendingIdentity) and v.shape is not None and exponent.shape is None and exponent.expr == 2:
                if _differ(v.shape[1], 1):
                    raise self.fail("norm(...) is the vector 2-norm; its argument must be a column vector", node.left, shape=True)
                from sympy import MatMul, Transpose

                return Value(MatMul(Transpose(v.expr), v.expr), (1, 1))
        base = self._build(node.left, env)
        exponent = self._build(node.right, env)
        if isinstance(exponent, _PendingIdentity) or exponent.shape is not None:
            raise self.fail("an exponent must be a scalar", node.right)
        e = exponent.expr
        if isinstance(base, _PendingIdentity):
            return _PendingIdentity(base.coeff ** e)
        if base.shape is None:
            return Value(base.expr ** e, None)
        if _is_1x1(base.shape):
            from .objects import Scalar

            return Value(Scalar(base.expr) ** e, None)
        if _differ(base.shape[0], base.shape[1]):
            raise self.fail(f"only a square matrix has powers; this one is {_fmt(base.shape)}", node, shape=True)
        if e == -1:
            return Value(Inverse(base.expr), base.shape)
        if e.is_Integer:
            return Value(MatPow(base.expr, Integer(e)), base.shape)
        if e.is_integer:
            return Value(MatPow(base.expr, e), base.shape)      # Mᵏ for k declared an integer
        raise self.fail("a matrix power must be an integer", node.right)

    def _argument(self, param: str, arg, env):
        """An argument for a function's parameter; a student's bare 0 for a vector parameter
        (ℓ(0)) is the zero vector."""
        value = self.build(arg, env)
        declared = self.table.get(param)
        shape = getattr(declared, "shape", None)
        if self.lenient and value.shape is None and value.expr == 0 and shape is not None and shape[1] == 1:
            from sympy import ZeroMatrix

            return Value(ZeroMatrix(*shape), shape)
        return value

    def _Call(self, node, env):
        info = self.table.get(node.func)
        if info is None and self.lenient and (same := self._same_but_case(node.func)) is not None:
            return self._Call(A.Call(same, node.args, node.pos), env)      # Attn(X) for the problem's attn(X)
        if info is not None and info.kind == "ufunc":
            if len(node.args) != len(info.params):
                raise self.fail(f"{node.func} takes {len(info.params)} argument(s), got {len(node.args)}", node)
            return Value(info.obj(*[self.as_scalar(self.build(a, env), a) for a in node.args]), None)
        if info is not None and info.kind == "function":
            if self.lenient and len(node.args) == 1 and len(info.params) > 1:
                point = self.build(node.args[0], env)       # J(u) for J(u₁, u₂): u's entries
                if point.shape is not None and point.shape[1] == 1 and point.shape[0] == len(info.params):
                    local = {p: Value(point.expr[k, 0], None) for k, p in enumerate(info.params)}
                    return self.build(info.body, local)
            if self.lenient and len(node.args) > len(info.params):
                node = A.Call(node.func, node.args[:len(info.params)], node.pos)  # f(x; w): w is a parameter
            if self.lenient and 0 < len(node.args) < len(info.params) \
                    and all(p in self.table for p in info.params[len(node.args):]):
                rest = tuple(A.Name(p, node.pos) for p in info.params[len(node.args):])
                node = A.Call(node.func, node.args + rest, node.pos)      # P(x) for P(x, x⁰): x⁰ as it stands
            if len(node.args) != len(info.params):
                raise self.fail(f"{node.func} takes {len(info.params)} argument(s), got {len(node.args)}", node)
            local = {p: self._argument(p, a, env) for p, a in zip(info.params, node.args)}
            return self.build(info.body, local)
        if info is not None and self.lenient and info.kind not in ("function", "ufunc") \
                and (own := self.table.get(node.func + FUNCTION_OF_SCALAR)) is not None \
                and len(node.args) == len(own.params):
            return self.build(own.body, {p: self._argument(p, a, env) for p, a in zip(own.params, node.args)})
        if info is not None and self.lenient and info.kind not in ("function", "ufunc") \
                and all(isinstance(a, A.Name) for a in node.args):
            return self._function_notation(info, node, env)
        handler = getattr(self, "_call_" + node.func, None)
        if handler is None:
            if node.func in SCALAR_FUNCS:
                return self._scalar_func(node, env)
            err = self.fail(f"unknown function '{node.func}'. Known: {', '.join(sorted(KNOWN_FUNCTIONS))}", node)
            err.kind = "name"
            raise err
        return handler(node, env)

    def _function_notation(self, info, node, env):
        """``ε(λ)``, ``L_1(η)`` in a student's line: a defined name (or one the caller lists in
        ``call_names``, such as the unknown) written as a function of symbols means the name
        itself; any other symbol followed by ``(a)`` is a product, ``x(a) = x·a``."""
        if info.kind == "defined" or info.name in self.call_names:
            return self._Name(A.Name(info.name, node.pos), env)
        product = A.Name(info.name, node.pos)
        for arg in node.args:
            product = A.BinOp("*", product, arg, node.pos)
        return self._build(product, env)

    def _args(self, node, count, env):
        if len(node.args) != count:
            raise self.fail(f"{node.func} takes {count} argument(s), got {len(node.args)}", node)
        return [self.build(a, env) for a in node.args]

    def _scalar_func(self, node, env):
        import sympy

        from . import objects

        (v,) = self._args(node, 1, env)
        if node.func == "sign" and v.shape is not None and not _is_1x1(v.shape):
            return Value(objects.Sgn(v.expr), v.shape)
        if node.func == "E" and self.lenient and v.shape is not None and not _is_1x1(v.shape):
            return Value(objects.Mean(v.expr), v.shape)     # 𝔼[e] = 0, 𝔼[eeᵀ] = C: a vector's, a matrix's mean
        x = self.as_scalar(v, node)
        fn = {
            "sqrt": sympy.sqrt, "exp": sympy.exp, "log": sympy.log, "abs": sympy.Abs,
            "sign": sympy.sign, "relu": objects.relu, "E": objects.E, "Var": objects.Var,
            "sigmoid": objects.sigmoid, "softplus": objects.softplus, "tanh": sympy.tanh,
            "logit": objects.logit, "heaviside": objects.heaviside,
        }[node.func]
        return Value(fn(x), None)

    def _call_vec(self, node, env):
        """vec(a, b, ...): a column vector from scalars. A student's vec(X) of a matrix of known size
        is its rows, one after another (the tokens, as the bank lays them out); vec(u₁, u₂) of vectors
        stacks them."""
        from sympy import ImmutableMatrix, Integer

        if not node.args:
            raise self.fail("vec(...) needs at least one entry", node)
        built = [self.build(a, env) for a in node.args]
        if self.lenient and len(built) == 1 and built[0].shape is not None and built[0].shape[1] != 1:
            rows = self._explicit(node, built[0])
            return Value(ImmutableMatrix(rows.reshape(rows.shape[0] * rows.shape[1], 1)), (Integer(len(rows)), Integer(1)))
        if self.lenient and any(v.shape is not None and v.shape[1] == 1 and v.shape[0] != 1 for v in built):
            return self._call_stack(node, env)      # (u_1, u_2, u_3, u_4) of tokens: one under another
        entries = [self.as_scalar(v, a) for v, a in zip(built, node.args)]
        return Value(ImmutableMatrix([[e] for e in entries]), (Integer(len(entries)), Integer(1)))

    def _call_max(self, node, env):
        """max(0, z) and max(z, 0) are relu(z); max(a, b) of two scalars otherwise."""
        from sympy import Max

        from .objects import relu

        a, b = (self.as_scalar(v, n) for v, n in zip(self._args(node, 2, env), node.args))
        if a == 0:
            return Value(relu(b), None)
        if b == 0:
            return Value(relu(a), None)
        return Value(Max(a, b), None)

    def _call_mat(self, node, env):
        """mat(vec(a, b), vec(c, d)): an explicit matrix, one vec(...) (or [a, b]) per row."""
        from sympy import ImmutableMatrix, Integer

        if self.lenient and (blocks := self._block_matrix(node, env)) is not None:
            return blocks
        rows = []
        for a in node.args:
            row = self.build(a, env)
            if not isinstance(row.expr, ImmutableMatrix) or row.shape[1] != 1:
                raise self.fail("mat(...) takes its rows as vec(a, b, ...), e.g. mat(vec(1, 1), vec(-1, -1))", a)
            rows.append(list(row.expr))
        if not rows or any(len(r) != len(rows[0]) for r in rows):
            raise self.fail("mat(...) needs rows of the same length", node)
        return Value(ImmutableMatrix(rows), (Integer(len(rows)), Integer(len(rows[0]))))

    def _block_matrix(self, node, env):
        """Lenient: ``\\begin{pmatrix} W^\\top & 0 \\\\ 0 & W^\\top \\end{pmatrix}`` with matrix blocks of
        known sizes, written out entry by entry (a 0 block takes the size its row and column
        give it). None when no entry is a matrix, or the sizes are not all known."""
        from sympy import ImmutableMatrix, Integer, zeros

        grid = [[self.build(e, env) for e in a.args] for a in node.args if isinstance(a, A.Call) and a.func == "vec"]
        if len(grid) != len(node.args) or not any(v.shape is not None and not _is_1x1(v.shape) for r in grid for v in r) \
                or any(len(r) != len(grid[0]) for r in grid):
            return None
        heights = [next((v.shape[0] for v in r if v.shape is not None), None) for r in grid]
        widths = [next((r[j].shape[1] for r in grid if r[j].shape is not None), None) for j in range(len(grid[0]))]
        if not all(isinstance(x, Integer) or isinstance(x, int) for x in heights + widths):
            return None
        rows = []
        for r, h in zip(grid, heights):
            blocks = []
            for v, w in zip(r, widths):
                if v.shape is None:
                    if v.expr != 0:
                        return None         # a number among matrix blocks: not a block matrix
                    blocks.append(zeros(int(h), int(w)))
                elif v.shape != (h, w):
                    raise self.fail(f"a block of size {_fmt(v.shape)} where its row and column need {h}×{w}", node, shape=True)
                else:
                    blocks.append(v.expr.as_explicit())
            rows.append(ImmutableMatrix.hstack(*blocks))
        out = ImmutableMatrix.vstack(*rows)
        return Value(ImmutableMatrix(out), (Integer(out.rows), Integer(out.cols)))

    def _call_kdelta(self, node, env):
        """[j = k] as 1 or 0 (from a student's \\sum_{j \\neq k})."""
        from sympy import KroneckerDelta

        a, b = (self.as_scalar(v, node) for v in self._args(node, 2, env))
        return Value(KroneckerDelta(a, b), None)

    def _call_Cov(self, node, env):
        """Lenient: Cov(x) of a random column vector, the d × d matrix 𝔼[(x − 𝔼x)(x − 𝔼x)ᵀ]."""
        from . import objects

        (v,) = self._args(node, 1, env)
        if not self.lenient or v.shape is None or v.shape[1] != 1 or _is_1x1(v.shape):
            raise self.fail("Cov(x) is read for a random column vector x", node)
        return Value(objects.Cov(v.expr), (v.shape[0], v.shape[0]))

    def _call_trace(self, node, env):
        """tr(A) of a square matrix; tr of a scalar (a 1×1 product) is the scalar."""
        from sympy import Trace

        (m,) = self._args(node, 1, env)
        if m.shape is None or _is_1x1(m.shape):
            return Value(self.as_scalar(m, node), None)
        if _differ(m.shape[0], m.shape[1]):
            raise self.fail(f"the trace needs a square matrix; this one is {_fmt(m.shape)}", node, shape=True)
        return Value(Trace(m.expr), None)

    def _call_inv(self, node, env):
        from sympy import Inverse

        (v,) = self._args(node, 1, env)
        if v.shape is None:
            return Value(1 / v.expr, None)
        if _differ(v.shape[0], v.shape[1]):
            raise self.fail(f"inv(...) needs a square matrix; this one is {_fmt(v.shape)}", node, shape=True)
        return Value(Inverse(v.expr), v.shape)

    def _call_norm(self, node, env):
        from sympy import MatMul, Transpose, sqrt

        from .objects import Scalar

        if len(node.args) not in (1, 2):
            raise self.fail(f"norm takes (v) or (v, p) with p = 1, 2 or inf, got {len(node.args)} arguments", node)
        v = self.build(node.args[0], env)
        p = "2"
        if len(node.args) == 2:
            which = node.args[1]
            p = which.id if isinstance(which, A.Name) else getattr(which, "value", None)
            p = "inf" if p == "oo" else p           # \|v\|_\infty in student LaTeX
            if p not in ("1", "2", "inf"):
                raise self.fail("the p of norm(v, p) must be 1, 2 or inf", which)
        if v.shape is None:
            from sympy import Abs

            return Value(Abs(v.expr), None)
        if _differ(v.shape[1], 1):
            raise self.fail("norm(...) is a vector norm; its argument must be a column vector", node, shape=True)
        if p == "1":
            from .objects import norm1

            return Value(norm1(v.expr), None)
        if p == "inf":
            from .objects import norminf

            return Value(norminf(v.expr), None)
        return Value(sqrt(Scalar(MatMul(Transpose(v.expr), v.expr))), None)

    def _Rel(self, node, env):
        from sympy import Eq, Ge, Gt, Le, Lt

        left = self.build(node.left, env)
        right = self.build(node.right, env)
        if node.op == "=":
            if left.shape is None and right.shape is None:
                return Value(Eq(left.expr, right.expr, evaluate=False), None)
            if left.shape is not None and right.shape is not None:
                if _differ(left.shape[0], right.shape[0]) or _differ(left.shape[1], right.shape[1]):
                    raise self.fail(f"the two sides have different shapes: {_fmt(left.shape)} and {_fmt(right.shape)}", node, shape=True)
                return Value(Eq(left.expr, right.expr, evaluate=False), left.shape)
            l_ = self._zero_aware(left, right, node)
            r_ = self._zero_aware(right, left, node)
            return Value(Eq(l_, r_, evaluate=False), None if l_ is not None and not hasattr(l_, "shape") else left.shape or right.shape)
        rel = {"<=": Le, "<": Lt, ">=": Ge, ">": Gt}[node.op]
        return Value(rel(self.as_scalar(left, node), self.as_scalar(right, node), evaluate=False), None)

    def _zero_aware(self, v, other, node):
        """In ``M = 0`` a scalar zero stands for the zero matrix of M's shape."""
        from sympy import ZeroMatrix

        if v.shape is None and other.shape is not None and v.expr == 0:
            if _is_1x1(other.shape):
                return 0
            return ZeroMatrix(*other.shape)
        if v.shape is not None and other.shape is None and _is_1x1(v.shape):
            return self.as_scalar(v, node)
        if v.shape is None and other.shape is not None and not _is_1x1(other.shape):
            raise self.fail(f"one side is a scalar and the other a {_fmt(other.shape)} matrix", node, shape=True)
        return v.expr


KNOWN_FUNCTIONS = set(SCALAR_FUNCS) | {"inv", "norm", "grad", "diff", "sum", "vec", "mat", "max", "trace", "Cov"} | STRUCTURED_FUNCS


def _known_size(obj) -> bool:
    """A matrix whose two sizes are numbers."""
    shape = getattr(obj, "shape", ())
    return obj is not None and len(shape) == 2 and all(str(n).isdigit() for n in shape)

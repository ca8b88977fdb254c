"""Typed construction of SymPy objects from the AST, against a ``SymbolTable``.

Every value carries a shape: ``None`` for a scalar, ``(rows, cols)`` for a matrix. Products
respect order and conformability; ``I`` is an identity whose size is taken from context; a
1x1 matrix used where a scalar is needed becomes ``Scalar(M)``; a scalar added to a 1x1 matrix
becomes ``s*Identity(1)`` so losses stay matrix expressions that SymPy can differentiate.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..errors import ParseError
from . import ast as A
from .symbols import SymbolInfo, SymbolTable


@dataclass(frozen=True)
class Value:
    expr: Any
    shape: tuple | None          # None = scalar


@dataclass(frozen=True)
class _PendingIdentity:
    """``c*I`` whose size is not known yet."""

    coeff: Any


SCALAR_FUNCS = ("sqrt", "exp", "log", "abs", "sign", "relu", "sigmoid", "softplus", "tanh", "logit", "heaviside",
                "E", "Var")


class Builder:
    """Builds AST nodes into typed SymPy values. ``lenient`` makes ``*`` between matrices a
    matrix product (student LaTeX); specs must use ``@``."""

    def __init__(self, table: SymbolTable, text: str = "", lenient: bool = False):
        self.table = table
        self.text = text
        self.lenient = lenient
        self._spans: dict = {}      # index symbol -> (lower, upper) of what it indexes
        self.call_names: set = set()  # lenient: names a student may write as functions, ε(λ)

    # -- entry points ----------------------------------------------------------------------
    def build(self, node: A.Node, env: dict | None = None) -> Value:
        v = self._build(node, env or {})
        if isinstance(v, _PendingIdentity):
            raise self.fail("cannot tell the size of I here; use it next to a square matrix", node)
        return v

    def fail(self, message: str, node: A.Node | None = None) -> ParseError:
        return ParseError(message, self.text, getattr(node, "pos", None), kind="type")

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

    def _Index(self, node, env):
        if self.lenient and isinstance(node.base, A.Index) and isinstance(node.base.index, A.Name) \
                and node.base.index.id not in self.table and node.base.index.id not in env:
            node = A.Index(node.base.base, node.index, node.pos)  # w_{ij} with row i fixed: the family w over j
        if not isinstance(node.base, (A.Name, A.Index)):
            raise self.fail("only a named family can be indexed, e.g. m[j]", node)
        given = self.table.get(node.base.id) if isinstance(node.base, A.Name) else None
        if given is not None and given.kind == "function" and len(given.params) == 1:
            return self._Call(A.Call(node.base.id, (node.index,), node.pos), env)  # z_j for a given z(j)
        indices = [node.index]
        while isinstance(node.base, A.Index):       # m[i, j] is Index(Index(m, i), j)
            node = node.base
            indices.insert(0, node.index)
        info = self.table.get(node.base.id) if isinstance(node.base, A.Name) else None
        if (info is None or info.index is None and info.shape is None) and self.lenient \
                and isinstance(node.base, A.Name):
            info = self.family_spelled(node.base.id) or info
        if info is None:
            if not isinstance(node.base, A.Name):
                raise self.fail("only a named family can be indexed, e.g. m[j]", node)
            raise self.table.unknown(node.base.id, self.text, node.base.pos)
        if info.index is None and self.lenient and info.shape is not None:
            return self._component(info, indices, node, env)
        if info.index is None:
            raise self.fail(f"'{node.base.id}' is not an indexed family; declare it with index: j", node)
        want = 2 if isinstance(info.index, tuple) else 1
        if len(indices) != want:
            shown = ", ".join(info.index) if want == 2 else info.index
            raise self.fail(f"'{node.base.id}' takes {want} ind{'ices' if want == 2 else 'ex'}: write {node.base.id}[{shown}]", node)
        built = []
        names = info.index if want == 2 else (info.index,)
        for index, name in zip(indices, names):
            family_range = self.table[name].range
            idx = self._index_value(index, env, family_range) if self.lenient else self._build(index, env)
            if isinstance(idx, _PendingIdentity) or idx.shape is not None:
                raise self.fail("an index must be a scalar", index)
            built.append(idx.expr)
        return Value(info.obj[tuple(built)] if want == 2 else info.obj[built[0]], None)

    # -- coordinates (student LaTeX): v_j, X_{ij}, sums over undeclared indices --------------
    def family_spelled(self, letter: str):
        """The one indexed family whose LaTeX is ``letter`` with decorations (``a^{(\\ell-1)}``
        for a student's ``a_j``), or None."""
        import re

        found = [info for info in self.table.symbols.values() if info.index is not None and info.latex
                 and re.sub(r"\\(mathbf|boldsymbol|bm|mathrm|tilde|hat|bar)\b|[{}\s]", "", info.latex)
                 .split("^")[0].split("_")[0].lstrip("\\") == letter]
        return found[0] if len(found) == 1 else None

    def _component(self, info, indices, node, env):
        """``w_j`` for a vector w, ``X_{ij}`` for a matrix X: one entry, counted from 1."""
        rows, cols = info.shape
        if len(indices) == 1 and (cols == 1 or rows == 1):
            dim = rows if cols == 1 else cols
            k = self.as_scalar(self._index_value(indices[0], env, (1, dim)), indices[0]) - 1
            return Value(info.obj[k, 0] if cols == 1 else info.obj[0, k], None)
        if len(indices) == 2:
            i = self.as_scalar(self._index_value(indices[0], env, (1, rows)), indices[0]) - 1
            j = self.as_scalar(self._index_value(indices[1], env, (1, cols)), indices[1]) - 1
            return Value(info.obj[i, j], None)
        raise self.fail(f"'{info.name}' has shape {_fmt(info.shape)}; write one index for a vector, two for a matrix", node)

    def _index_value(self, index, env, span):
        """The value of an index: bound by a sum (env), declared in the spec, or a free index the
        student uses (``x'_j = x_j − ε w_j`` holds for every j), added to the table with the
        range of what it indexes so that checking draws it at random."""
        from sympy import Symbol

        if isinstance(index, A.Name) and index.id not in env and index.id not in self.table \
                and len(index.id) == 1 and index.id.isalpha():
            obj = Symbol(index.id, integer=True, positive=True)
            self.table.add(SymbolInfo(index.id, "index", obj, range=tuple(span), latex=index.id))
        value = self._build(index, env)
        if isinstance(value, _PendingIdentity) or value.shape is not None:
            raise self.fail("an index must be a scalar", index)
        if span is not None:
            self._spans.setdefault(value.expr, tuple(span))
        return value

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
                raise self.fail("cannot add the identity I to a scalar", node)
            r, c = other.shape
            if _differ(r, c):
                raise self.fail(f"I is square but is added to a {_fmt(other.shape)} matrix", node)
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
            raise self.fail(f"cannot add a scalar and a {_fmt(mat.shape)} matrix", node)
        if _differ(a.shape[0], b.shape[0]) or _differ(a.shape[1], b.shape[1]):
            raise self.fail(f"shape mismatch: cannot add {_fmt(a.shape)} and {_fmt(b.shape)}", node)
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
                            f"({_show(a.expr)} is {_fmt(a.shape)}, {_show(b.expr)} is {_fmt(b.shape)})", node)
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
        raise self.fail(f"expected a scalar here, found a {_fmt(v.shape)} matrix", node)

    def _power(self, node, env):
        from sympy import Inverse, MatPow, Integer

        if isinstance(node.left, A.Call) and node.left.func == "norm" and len(node.left.args) == 1:
            exponent = self._build(node.right, env)
            v = self._build(node.left.args[0], env)
            if not isinstance(v, _PendingIdentity) and v.shape is not None and exponent.shape is None and exponent.expr == 2:
                if _differ(v.shape[1], 1):
                    raise self.fail("norm(...) is the vector 2-norm; its argument must be a column vector", node.left)
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
            raise self.fail(f"only a square matrix has powers; this one is {_fmt(base.shape)}", node)
        if e == -1:
            return Value(Inverse(base.expr), base.shape)
        if e.is_Integer:
            return Value(MatPow(base.expr, Integer(e)), base.shape)
        raise self.fail("a matrix power must be an integer", node.right)

    def _Call(self, node, env):
        info = self.table.get(node.func)
        if info is not None and info.kind == "ufunc":
            if len(node.args) != len(info.params):
                raise self.fail(f"{node.func} takes {len(info.params)} argument(s), got {len(node.args)}", node)
            return Value(info.obj(*[self.as_scalar(self.build(a, env), a) for a in node.args]), None)
        if info is not None and info.kind == "function":
            if self.lenient and len(node.args) > len(info.params):
                node = A.Call(node.func, node.args[:len(info.params)], node.pos)  # f(x; w): w is a parameter
            if len(node.args) != len(info.params):
                raise self.fail(f"{node.func} takes {len(info.params)} argument(s), got {len(node.args)}", node)
            local = {p: self.build(a, env) for p, a in zip(info.params, node.args)}
            return self.build(info.body, local)
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
        x = self.as_scalar(v, node)
        fn = {
            "sqrt": sympy.sqrt, "exp": sympy.exp, "log": sympy.log, "abs": sympy.Abs,
            "sign": sympy.sign, "relu": objects.relu, "E": objects.E, "Var": objects.Var,
            "sigmoid": objects.sigmoid, "softplus": objects.softplus, "tanh": sympy.tanh,
            "logit": objects.logit, "heaviside": objects.heaviside,
        }[node.func]
        return Value(fn(x), None)

    def _call_vec(self, node, env):
        """vec(a, b, ...): a column vector from scalars."""
        from sympy import ImmutableMatrix, Integer

        if not node.args:
            raise self.fail("vec(...) needs at least one entry", node)
        entries = [self.as_scalar(self.build(a, env), a) for a in node.args]
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

        rows = []
        for a in node.args:
            row = self.build(a, env)
            if not isinstance(row.expr, ImmutableMatrix) or row.shape[1] != 1:
                raise self.fail("mat(...) takes its rows as vec(a, b, ...), e.g. mat(vec(1, 1), vec(-1, -1))", a)
            rows.append(list(row.expr))
        if not rows or any(len(r) != len(rows[0]) for r in rows):
            raise self.fail("mat(...) needs rows of the same length", node)
        return Value(ImmutableMatrix(rows), (Integer(len(rows)), Integer(len(rows[0]))))

    def _call_kdelta(self, node, env):
        """[j = k] as 1 or 0 (from a student's \\sum_{j \\neq k})."""
        from sympy import KroneckerDelta

        a, b = (self.as_scalar(v, node) for v in self._args(node, 2, env))
        return Value(KroneckerDelta(a, b), None)

    def _call_trace(self, node, env):
        """tr(A) of a square matrix; tr of a scalar (a 1×1 product) is the scalar."""
        from sympy import Trace

        (m,) = self._args(node, 1, env)
        if m.shape is None or _is_1x1(m.shape):
            return Value(self.as_scalar(m, node), None)
        if _differ(m.shape[0], m.shape[1]):
            raise self.fail(f"the trace needs a square matrix; this one is {_fmt(m.shape)}", node)
        return Value(Trace(m.expr), None)

    def _call_inv(self, node, env):
        from sympy import Inverse

        (v,) = self._args(node, 1, env)
        if v.shape is None:
            return Value(1 / v.expr, None)
        if _differ(v.shape[0], v.shape[1]):
            raise self.fail(f"inv(...) needs a square matrix; this one is {_fmt(v.shape)}", node)
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
            raise self.fail("norm(...) is a vector norm; its argument must be a column vector", node)
        if p == "1":
            from .objects import norm1

            return Value(norm1(v.expr), None)
        if p == "inf":
            from .objects import norminf

            return Value(norminf(v.expr), None)
        return Value(sqrt(Scalar(MatMul(Transpose(v.expr), v.expr))), None)

    def _derivative_of_call(self, node, env):
        """grad(f(x), x) for a given function f: differentiate f's body in a fresh variable and
        evaluate at x, so f's other symbols (parameters like w) are held fixed."""
        from sympy import Derivative, Dummy, MatrixSymbol, Subs

        from .objects import Grad

        if len(node.args) != 2 or not isinstance(node.args[0], A.Call) or not isinstance(node.args[1], A.Name):
            return None
        call, var = node.args
        info = self.table.get(call.func)
        if info is None or info.kind != "function":
            return None
        args = call.args[:len(info.params)]
        where = [i for i, a in enumerate(args) if a == var]
        if self.lenient and not where and var.id in info.params:
            where = [info.params.index(var.id)]         # ∇_w L(w₀): the gradient in w, taken at w₀
            if where[0] >= len(args):
                return None
            var = args[where[0]]
            if not isinstance(var, A.Name):
                return None
        if len(args) != len(info.params) or len(where) != 1:
            return None
        point = self.build(var, env)
        fresh = Dummy(var.id, real=True) if point.shape is None else MatrixSymbol(Dummy(var.id), *point.shape)
        local = {p: (Value(fresh, point.shape) if i == where[0] else self.build(a, env))
                 for i, (p, a) in enumerate(zip(info.params, args))}
        body = self.build(info.body, local)
        if point.shape is None:
            return Value(Subs(Derivative(self.as_scalar(body, call), fresh, evaluate=False), fresh, point.expr), None)
        if body.shape is not None and not _is_1x1(body.shape):
            raise self.fail("grad(f, v) needs a scalar-valued f", node)
        return Value(Grad(body.expr, fresh, point.expr), point.shape)

    def _call_grad(self, node, env):
        from .objects import Grad

        if self.lenient and len(node.args) == 1 and isinstance(node.args[0], A.Call) \
                and len(node.args[0].args) >= 1 and isinstance(node.args[0].args[0], A.Name):
            node = A.Call("grad", (node.args[0], node.args[0].args[0]), node.pos)   # ∇L(w): in L's argument
        elif self.lenient and len(node.args) == 1 and isinstance(node.args[0], A.Call):
            at = self._gradient_at(node.args[0], env)                              # ∇F(v₀ − ρp): at a point
            if at is not None:
                return at
        special = self._derivative_of_call(node, env)
        if special is not None:
            return special
        f, var = self._args(node, 2, env)
        if var.shape is None:
            return self._call_diff(node, env)  # the gradient in one dimension is the derivative
        if _differ(var.shape[1], 1):
            raise self.fail("grad(f, v) needs a column vector v", node)
        if f.shape is not None and not _is_1x1(f.shape):
            raise self.fail("grad(f, v) needs a scalar-valued f", node)
        return Value(Grad(f.expr, var.expr), var.shape)

    def _gradient_at(self, call, env):
        """∇F(expr) for a function F of one vector: F's gradient, evaluated at expr."""
        from sympy import Dummy, MatrixSymbol

        from .objects import Grad

        info = self.table.get(call.func)
        if info is None or info.kind != "function" or len(info.params) != 1 or len(call.args) != 1:
            return None
        point = self.build(call.args[0], env)
        if point.shape is None or _differ(point.shape[1], 1):
            return None
        fresh = MatrixSymbol(Dummy(info.params[0]), *point.shape)
        body = self.build(info.body, {info.params[0]: Value(fresh, point.shape)})
        if body.shape is not None and not _is_1x1(body.shape):
            return None
        return Value(Grad(body.expr, fresh, point.expr), point.shape)

    def _derivative_at_point(self, node, env):
        """diff(body, x) where x is a function parameter bound to an expression (a given such as
        fp(x0): 'diff(f(x0), x0)' called as fp(σ(η))): the derivative at that point, f'(σ(η)) for a
        declared function, else Subs(d body/dξ, ξ, point)."""
        from sympy import Derivative, Dummy, Subs, Symbol

        if len(node.args) != 2 or not isinstance(node.args[1], A.Name):
            return None
        body = node.args[0]
        info = self.table.get(body.func) if isinstance(body, A.Call) else None
        if info is not None and info.kind == "ufunc" and len(body.args) == 1 and body.args[0] == node.args[1]:
            from ..rules.differentials import derivative_function

            point = self.build(node.args[1], env)
            return Value(derivative_function(info.obj)(self.as_scalar(point, node.args[1])), None)
        if node.args[1].id not in env:
            return None
        point = env[node.args[1].id]
        if point.shape is not None or isinstance(point.expr, Symbol):
            return None
        xi = Dummy("xi", real=True)
        inner = self.as_scalar(self.build(body, {**env, node.args[1].id: Value(xi, None)}), body)
        return Value(Subs(Derivative(inner, xi), xi, point.expr), None)

    def _call_diff(self, node, env):
        from sympy import Derivative, Symbol

        special = self._derivative_of_call(node, env)
        if special is not None:
            return special
        bound = self._derivative_at_point(node, env)
        if bound is not None:
            return bound
        f, var = self._args(node, 2, env)
        if self.lenient:
            leibniz = self._leibniz(f, var, node)
            if leibniz is not None:
                return leibniz
        if var.shape is not None or not isinstance(var.expr, Symbol):
            raise self.fail("diff(f, s) differentiates with respect to a scalar symbol", node)
        x = self.as_scalar(f, node) if f.shape is not None and _is_1x1(f.shape) else f.expr
        if f.shape is not None and not _is_1x1(f.shape):
            raise self.fail("diff(f, s) of a matrix is not supported; differentiate a scalar", node)
        return Value(Derivative(x, var.expr, evaluate=False), None)

    def _leibniz(self, f, var, node):
        """∂f/∂w for a vector w is the gradient; ∂f/∂w_j (an entry) is the gradient's entry j."""
        from sympy import MatrixSymbol
        from sympy.matrices.expressions.matexpr import MatrixElement

        from .objects import Grad

        if f.shape is not None and not _is_1x1(f.shape):
            return None
        if var.shape is not None and isinstance(var.expr, MatrixSymbol) and var.shape[1] == 1:
            return Value(Grad(f.expr, var.expr), var.shape)
        if isinstance(var.expr, MatrixElement) and isinstance(var.expr.parent, MatrixSymbol) \
                and var.expr.parent.shape[1] == 1:
            return Value(MatrixElement(Grad(f.expr, var.expr.parent), var.expr.i, 0), None)
        return None

    def _SumOver(self, node, env):
        from sympy import Sum, Symbol

        info = self.table.get(node.index)
        if (info is None or info.kind != "index") and self.lenient:
            # a student's own summation index: bound here, its range read off what it indexes
            var = Symbol(node.index, integer=True, positive=True)
            body = self.build(node.body, {**env, node.index: Value(var, None)})
            x = self.as_scalar(body, node.body)
            span = self._spans.get(var)
            lo = self.as_scalar(self.build(node.lower, env), node) if node.lower is not None else span and span[0]
            hi = self.as_scalar(self.build(node.upper, env), node) if node.upper is not None else span and span[1]
            if lo is None or hi is None:
                raise self.fail(f"cannot tell the range of the sum over {node.index}; write its limits", node)
            return Value(Sum(x, (var, lo, hi)), None)
        if info is None or info.kind != "index":
            raise self.fail(f"'{node.index}' is not a declared index; declare it with kind: index and a range", node)
        body = self.build(node.body, env)
        x = self.as_scalar(body, node.body)
        lo = self.as_scalar(self.build(node.lower, env), node) if node.lower is not None else info.range[0]
        hi = self.as_scalar(self.build(node.upper, env), node) if node.upper is not None else info.range[1]
        return Value(Sum(x, (info.obj, lo, hi)), None)

    def _Rel(self, node, env):
        from sympy import Eq, Ge, Gt, Le, Lt

        left = self.build(node.left, env)
        right = self.build(node.right, env)
        if node.op == "=":
            if left.shape is None and right.shape is None:
                return Value(Eq(left.expr, right.expr, evaluate=False), None)
            if left.shape is not None and right.shape is not None:
                if _differ(left.shape[0], right.shape[0]) or _differ(left.shape[1], right.shape[1]):
                    raise self.fail(f"the two sides have different shapes: {_fmt(left.shape)} and {_fmt(right.shape)}", node)
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
            raise self.fail(f"one side is a scalar and the other a {_fmt(other.shape)} matrix", node)
        return v.expr


KNOWN_FUNCTIONS = set(SCALAR_FUNCS) | {"inv", "norm", "grad", "diff", "sum", "vec", "mat", "max", "trace"}


def _show(expr) -> str:
    try:
        from ..render.printing import text

        return text(expr)
    except Exception:  # noqa: BLE001 - a message must never fail to print
        return str(expr)


def _same_column(a, b) -> bool:
    """Two column vectors of one length (not 1): ``a \\cdot b`` is then their dot product."""
    return all(isinstance(v, Value) and v.shape is not None for v in (a, b)) and a.shape == b.shape \
        and a.shape[1] == 1 and not _is_1x1(a.shape)


def _is_1x1(shape) -> bool:
    return shape is not None and shape[0] == 1 and shape[1] == 1


def _differ(a, b) -> bool:
    return (a - b) != 0


def _fmt(shape) -> str:
    return f"{shape[0]}×{shape[1]}"


def _scale(c, m):
    from sympy import S

    if c == S.One:
        return m
    return _mmul(c, m)


def _mmul(*args):
    """A flat matrix product (nested products flattened, scalar factors gathered)."""
    from sympy import MatMul, Mul

    flat = []
    for a in args:
        flat.extend(a.args if isinstance(a, MatMul) else [a])
    scalars = [a for a in flat if not getattr(a, "is_Matrix", False)]
    matrices = [a for a in flat if getattr(a, "is_Matrix", False)]
    coeff = Mul(*scalars)
    if not matrices:
        return coeff
    return MatMul(*([coeff] if coeff != 1 else []), *matrices) if coeff != 1 or len(matrices) > 1 else matrices[0]


def _madd(*args):
    from sympy import MatAdd

    flat = []
    for a in args:
        flat.extend(a.args if isinstance(a, MatAdd) else [a])
    return MatAdd(*flat)


def _scale_either(a: Value, b: Value):
    return _scale(a.expr, b.expr) if a.shape is None else _scale(b.expr, a.expr)

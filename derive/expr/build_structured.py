"""Building structured-matrix operations from spec text: ``conv(x, k, pad, stride)`` and
``xcorr(x, k, pad, stride)``; ``softmax(S)`` and ``softmax(S, G)``; ``ones(r, c)``; ``sin(a)``
and ``cos(a)``; ``stack(a, b, …)``, vectors one under another, and ``kron(A, B)``, the Kronecker
product, both of known sizes; ``diag(a, b, …)`` and ``diag(v)``; ``eye(n)`` (a mixin of
``build.Builder``).

``x`` is a vector (1-D) or a matrix (2-D) of known size and ``k`` a kernel of the same kind;
``pad`` (default 0) and ``stride`` (default 1) are integers written as numbers. ``S`` is a
square matrix of scores, softmax taken along each row; ``G`` a 0/1 mask of the same shape (the
adjacency of a graph). ``ones(r, c)`` is the all-ones matrix; ``r`` and ``c`` are numbers or
dimension names.
"""
from __future__ import annotations

from . import ast as A
from .build_values import Value, _fmt, _is_1x1

STRUCTURED_FUNCS = {"conv", "xcorr", "softmax", "ones", "sin", "cos", "stack", "kron", "eye", "diag", "at"}


class StructuredBuilding:
    def _explicit(self, node, arg: Value) -> object:
        """``arg``, a built value, as an explicit matrix (a scalar as 1×1); its sizes must be numbers."""
        from sympy import ImmutableMatrix

        v = arg
        if v.shape is None:
            return ImmutableMatrix([[v.expr]])
        if not all(getattr(d, "is_Integer", False) for d in v.shape):
            raise self.fail(f"{node.func}(…) needs sizes that are numbers, not {_fmt(v.shape)}", node)
        return ImmutableMatrix(v.expr.as_explicit())

    def _call_stack(self, node, env):
        """stack(x₁, x₂, x₃): the vectors one under another, (x₁; x₂; x₃)."""
        from sympy import ImmutableMatrix, Integer

        parts = [self._explicit(node, self.build(a, env)) for a in node.args]
        if any(p.shape[1] != 1 for p in parts):
            raise self.fail("(a; b; …) stacks column vectors", node)
        value = ImmutableMatrix.vstack(*parts)
        return Value(value, (Integer(value.shape[0]), Integer(1)))

    def _call_diag(self, node, env):
        """diag(a, b, …): the diagonal matrix of those scalars; diag(v): of a vector's entries;
        diag(B₁, B₂, …) with a matrix among them: the block-diagonal matrix."""
        from sympy import ImmutableMatrix, Integer

        built = [self.build(a, env) for a in node.args]
        if len(built) == 1 and built[0].shape is not None:
            entries = list(self._explicit(node, built[0]))
        elif len(built) > 1 and any(v.shape is not None and v.shape[1] != 1 for v in built):
            from sympy.matrices import diag as block_diag      # diag(B₁, B₂, B₃) of matrices: block-diagonal

            blocks = [self._explicit(node, v) if v.shape is not None else ImmutableMatrix([[v.expr]]) for v in built]
            value = ImmutableMatrix(block_diag(*blocks))
            return Value(value, (Integer(value.shape[0]), Integer(value.shape[1])))
        else:
            entries = [self.as_scalar(v, a) for v, a in zip(built, node.args)]
        n = len(entries)
        value = ImmutableMatrix(n, n, lambda i, j: entries[i] if i == j else 0)
        return Value(value, (Integer(n), Integer(n)))

    def _call_at(self, node, env):
        """at(f, x, a): f with x put to a (a student's ``E|_{ε=0}``, ``f'(x)|_{x=1}``). Kept as an
        unevaluated substitution for a scalar, so a name defined later is seen through first."""
        from sympy import Subs

        if len(node.args) != 3:
            raise self.fail("a bar |_{x=a} takes one variable and one value", node)
        body, var, value = (self.build(a, env) for a in node.args)
        if var.shape is not None and not _is_1x1(var.shape) or value.shape is not None and not _is_1x1(value.shape):
            raise self.fail("a bar |_{x=a} puts a scalar to a value; a vector's is not read", node)
        if body.shape is not None and not _is_1x1(body.shape):
            return Value(body.expr.xreplace({var.expr: value.expr}), body.shape)
        return Value(Subs(self.as_scalar(body, node.args[0]), var.expr, value.expr), None)

    def _call_eye(self, node, env):
        """eye(n): the n × n identity, n a number (a student's I₃)."""
        from sympy import Identity, Integer

        n = self._whole(node, 0, None, "the size of the identity", minimum=1)
        return Value(Identity(n), (Integer(n), Integer(n)))

    def _call_kron(self, node, env):
        """kron(A, B): the Kronecker product A ⊗ B, written out entry by entry."""
        from sympy import ImmutableMatrix, Integer

        if len(node.args) != 2:
            raise self.fail(f"A \\otimes B takes 2 factors, got {len(node.args)}", node)
        a, b = (self._explicit(node, self.build(x, env)) for x in node.args)
        (p, q), (r, c) = a.shape, b.shape
        value = ImmutableMatrix(p * r, q * c, lambda i, j: a[i // r, j // c] * b[i % r, j % c])
        return Value(value, (Integer(p * r), Integer(q * c)))

    def _call_conv(self, node, env):
        """conv(x, k, pad, stride): the convolution of the lectures (kernel turned by 180°)."""
        return self._convolution(node, env, flip=1)

    def _call_xcorr(self, node, env):
        """xcorr(x, k, pad, stride): cross-correlation, what a convolution layer computes."""
        return self._convolution(node, env, flip=0)

    def _convolution(self, node, env, flip: int) -> Value:
        from .conv import Conv, out_size

        if not 2 <= len(node.args) <= 4:
            raise self.fail(f"{node.func}(x, k, pad, stride) takes 2 to 4 arguments, got {len(node.args)}", node)
        x, k = (self.build(a, env) for a in node.args[:2])
        pad = self._whole(node, 2, 0, "the padding", minimum=0)
        stride = self._whole(node, 3, 1, "the stride", minimum=1)
        for v, what in ((x, "input"), (k, "kernel")):
            if v.shape is None or not all(getattr(d, "is_Integer", False) for d in v.shape):
                got = "a scalar" if v.shape is None else _fmt(v.shape)
                raise self.fail(f"the {what} of {node.func} must be a vector or matrix of known size, not {got}", node)
        one_d = x.shape[1] == 1
        if one_d != (k.shape[1] == 1):
            raise self.fail(f"{node.func} needs a vector kernel for a vector input and a matrix kernel for a "
                            f"matrix input; got {_fmt(x.shape)} and {_fmt(k.shape)}", node, shape=True)
        axes = [(x.shape[0], k.shape[0])] + ([] if one_d else [(x.shape[1], k.shape[1])])
        for n, m in axes:
            if out_size(int(n), int(m), pad, stride) < 1:
                raise self.fail(f"the kernel ({_fmt(k.shape)}) is larger than the padded input ({_fmt(x.shape)}, "
                                f"padding {pad})", node, shape=True)
        value = Conv(x.expr, k.expr, pad, stride, flip)
        return Value(value, value.shape)

    def _whole(self, node, index: int, default: int, what: str, minimum: int) -> int:
        if len(node.args) <= index:
            return default
        arg = node.args[index]
        if not isinstance(arg, A.Num) or "." in str(arg.value) or int(arg.value) < minimum:
            raise self.fail(f"{what} of {node.func} must be a whole number ≥ {minimum}", arg)
        return int(arg.value)

    # -- attention and positional encodings (expr/attention.py) ----------------------------
    def _call_softmax(self, node, env):
        """softmax(S) along each row; softmax(S, G) over the entries a 0/1 mask G keeps."""
        from .attention import Softmax

        if len(node.args) not in (1, 2):
            raise self.fail(f"softmax(S) or softmax(S, G) takes 1 or 2 arguments, got {len(node.args)}", node)
        s = self.build(node.args[0], env)
        if s.shape is None or s.shape[0] != s.shape[1]:
            got = "a scalar" if s.shape is None else _fmt(s.shape)
            raise self.fail(f"softmax needs a square matrix of scores, not {got}", node, shape=True)
        if len(node.args) == 1:
            value = Softmax(s.expr)
        else:
            g = self.build(node.args[1], env)
            if g.shape is None or tuple(g.shape) != tuple(s.shape):
                got = "a scalar" if g.shape is None else _fmt(g.shape)
                raise self.fail(f"the mask of softmax must have the scores' shape {_fmt(s.shape)}, not {got}",
                                node, shape=True)
            value = Softmax(s.expr, g.expr)
        return Value(value, value.shape)

    def _call_ones(self, node, env):
        """ones(r, c): the r × c matrix of ones."""
        from sympy import OneMatrix

        if len(node.args) != 2:
            raise self.fail(f"ones(r, c) takes 2 arguments, got {len(node.args)}", node)
        dims = []
        for arg in node.args:
            v = self.build(arg, env)
            if v.shape is not None or not (v.expr.is_Integer and v.expr > 0 or v.expr.is_Symbol
                                           and v.expr.is_integer and v.expr.is_positive):
                raise self.fail("the sizes of ones(r, c) must be whole numbers or dimension names", arg)
            dims.append(v.expr)
        value = OneMatrix(*dims)
        return Value(value, value.shape)

    def _call_sin(self, node, env):
        from .attention import Sin

        return self._trig(node, env, Sin)

    def _call_cos(self, node, env):
        from .attention import Cos

        return self._trig(node, env, Cos)

    def _trig(self, node, env, cls) -> Value:
        if len(node.args) != 1:
            raise self.fail(f"{node.func} takes 1 argument, got {len(node.args)}", node)
        arg = self.as_scalar(self.build(node.args[0], env), node.args[0])
        return Value(cls(arg), None)

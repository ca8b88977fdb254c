"""Building structured-matrix operations from spec text: ``conv(x, k, pad, stride)`` and
``xcorr(x, k, pad, stride)`` (a mixin of ``build.Builder``).

``x`` is a vector (1-D) or a matrix (2-D) of known size and ``k`` a kernel of the same kind;
``pad`` (default 0) and ``stride`` (default 1) are integers written as numbers.
"""
from __future__ import annotations

from . import ast as A
from .build_values import Value, _fmt

STRUCTURED_FUNCS = {"conv", "xcorr"}


class StructuredBuilding:
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

"""A stack of layers, and what is counted on it: ``Count(kind, input, layers)``.

Where it sits: ``spec_layers.py`` reads a ``count:`` goal into layers; ``rules/layers.py``
derives the count by the general formula of each layer type; the certifier evaluates ``Count``
by ``_numeric``, which counts by enumeration here, never by those formulas:

- neurons: a layer's output positions are found by trying every window start, and its units
  are counted one by one;
- parameters: every weight of every layer is listed (kernel entry by channel pair, dense
  weight by input–output pair, one bias per output channel or unit) and the list is counted;
- receptive field: the set of input positions that reach output position 0 is carried back
  through the layers, window by window, and its size is the answer (a side of the square).

A layer is a tuple: ``("conv", k, channels, pad, stride)``, ``("pool", k, stride)`` or
``("dense", h, w, c)`` (``h = w = 1`` for a flat layer of c units).
"""
from __future__ import annotations

from sympy import Expr, Integer, Tuple

KINDS = ("neurons", "parameters", "receptive_field")


class Count(Expr):
    """The number of neurons or parameters of a stack of layers, or its receptive field."""

    is_integer = True
    is_commutative = True

    def __new__(cls, kind, input_shape, layers=None):
        from sympy import Symbol

        if layers is None:                   # rebuilt from its own args (xreplace, func(*args))
            return Expr.__new__(cls, kind, input_shape)

        arch = Tuple(Tuple(*[Integer(d) for d in input_shape]),
                     Tuple(*[Tuple(Symbol(layer[0]), *[Integer(v) for v in layer[1:]]) for layer in layers]))
        return Expr.__new__(cls, Symbol(kind), arch)

    @property
    def kind(self) -> str:
        return self.args[0].name

    @property
    def input_shape(self) -> tuple:
        return tuple(int(d) for d in self.args[1][0])

    @property
    def layers(self) -> list:
        return [(layer[0].name, *[int(v) for v in layer[1:]]) for layer in self.args[1][1]]

    @property
    def free_symbols(self):
        return set()

    def _numeric(self, ev):
        from fractions import Fraction

        return Fraction({"neurons": count_neurons, "parameters": count_parameters,
                         "receptive_field": receptive_field}[self.kind](self.input_shape, self.layers))

    def _latex(self, printer):
        return r"\#\,\text{" + self.kind.replace("_", " ") + "}"

    def _derive_text(self, printer):
        return "#" + self.kind.replace("_", " ")


def _positions(n: int, k: int, pad: int, stride: int) -> int:
    """How many windows of width k start inside n inputs padded by ``pad``: tried one by one."""
    return sum(1 for start in range(-pad, n + pad) if (start + pad) % stride == 0 and start + k <= n + pad)


def shapes(input_shape, layers) -> list:
    """The (h, w, c) after each layer, window positions counted by trying each start."""
    h, w, c = input_shape
    out = []
    for layer in layers:
        if layer[0] == "conv":
            _, k, channels, pad, stride = layer
            h, w, c = _positions(h, k, pad, stride), _positions(w, k, pad, stride), channels
        elif layer[0] == "pool":
            _, k, stride = layer
            h, w = _positions(h, k, 0, stride), _positions(w, k, 0, stride)
        else:
            h, w, c = layer[1:]
        out.append((h, w, c))
    return out


def count_neurons(input_shape, layers) -> int:
    total = 0
    for h, w, c in shapes(input_shape, layers):
        for _unit in range(h * w * c):
            total += 1
    return total


def count_parameters(input_shape, layers) -> int:
    weights = []
    sizes = [tuple(input_shape)] + shapes(input_shape, layers)
    for (h, w, c), layer in zip(sizes, layers):
        if layer[0] == "conv":
            _, k, channels, _pad, _stride = layer
            weights += [("kernel", o, i, a, b) for o in range(channels) for i in range(c)
                        for a in range(k) for b in range(k)]
            weights += [("bias", o) for o in range(channels)]
        elif layer[0] == "dense":
            units = layer[1] * layer[2] * layer[3]
            weights.append(("dense", units, h * w * c))           # a block of weights, expanded below
            weights += [("bias", u) for u in range(units)]
    total = 0
    for item in weights:
        total += item[1] * item[2] if item[0] == "dense" else 1     # units × inputs, one per pair
    return total


def receptive_field(input_shape, layers) -> int:
    """Side of the input square that can reach one output unit (padding counts as positions)."""
    reach = {0}
    for layer in reversed(layers):
        if layer[0] == "dense":
            raise ValueError("a fully connected layer sees the whole input")
        k, stride = layer[1], layer[-1]
        pad = layer[3] if layer[0] == "conv" else 0
        reach = {i * stride - pad + a for i in reach for a in range(k)}
    return max(reach) - min(reach) + 1

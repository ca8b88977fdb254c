"""Reading a ``count:`` goal: what to count on a stack of layers (a mixin of the spec reader).

    count: parameters            # neurons | parameters | receptive_field
    input: [32, 32, 1]           # height, width, channels
    layers:
      - {conv: 3, channels: 1, padding: 1, stride: 1}   # a k × k convolution
      - {pool: 2, stride: 2}                            # k × k pooling (stride defaults to k)
      - {dense: 10}                                     # fully connected: 10 units, or [h, w, c]
"""
from __future__ import annotations

from typing import Any

from .expr import ast as A

LAYER_KEYS = {"conv": ("conv", "channels", "padding", "stride"), "pool": ("pool", "stride"), "dense": ("dense",)}


class LayerReading:
    def count_goal(self, goal, data: dict, path) -> None:
        from .architecture import KINDS

        if data["count"] not in KINDS:
            raise self.err(f"count must be one of {', '.join(KINDS)}, not {data['count']!r}", *path, "count")
        goal.count = data["count"]
        goal.expr = A.Num("0")
        shape = self.require(data, "input", *path, what="a count goal")
        if not (isinstance(shape, list) and len(shape) == 3 and all(self._whole(v) for v in shape)):
            raise self.err("input must be [height, width, channels], three whole numbers ≥ 1", *path, "input")
        goal.input_shape = tuple(shape)
        layers = self.require(data, "layers", *path, what="a count goal")
        if not isinstance(layers, list) or not layers:
            raise self.err("layers must be a non-empty list of layers ({conv: k, …}, {pool: k, …}, {dense: n})",
                           *path, "layers")
        goal.layers = tuple(self.layer(item, *path, "layers", k) for k, item in enumerate(layers))
        from .architecture import shapes

        for k, (h, w, _c) in enumerate(shapes(goal.input_shape, goal.layers)):
            if h < 1 or w < 1:
                raise self.err(f"layer {k + 1} has no output: its window is larger than its (padded) input",
                               *path, "layers", k)

    def layer(self, item: Any, *path) -> tuple:
        kinds = [k for k in LAYER_KEYS if isinstance(item, dict) and k in item]
        if len(kinds) != 1:
            raise self.err("a layer is a mapping with exactly one of conv, pool, dense", *path)
        kind = kinds[0]
        self.check_keys(item, LAYER_KEYS[kind], *path, what=f"a {kind} layer")
        if kind == "dense":
            units = item["dense"]
            shape = units if isinstance(units, list) else [1, 1, units]
            if len(shape) != 3 or not all(self._whole(v) for v in shape):
                raise self.err("dense takes a number of units or [height, width, channels]", *path, "dense")
            return ("dense", *shape)
        k = item[kind]
        stride = item.get("stride", 1 if kind == "conv" else k)
        numbers = [k, stride] + ([item.get("channels", 1), item.get("padding", 0)] if kind == "conv" else [])
        if not all(self._whole(v) for v in numbers[:3]) or (kind == "conv" and not self._whole(numbers[3], 0)):
            raise self.err(f"the sizes of a {kind} layer must be whole numbers (padding ≥ 0, the rest ≥ 1)", *path)
        if kind == "conv":
            return ("conv", k, numbers[2], numbers[3], stride)
        return ("pool", k, stride)

    @staticmethod
    def _whole(v, least: int = 1) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and v >= least

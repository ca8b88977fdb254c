"""CSC413 2022 HW2 3.2 and 3.3 and the cousin cnn-sizes-strided: neuron and parameter counts
and receptive fields, against a NumPy network built from the same layer list.

Neurons are the sizes of the arrays a real forward pass produces; parameters the sizes of the
weight arrays it allocates; a receptive field is found by perturbing each input pixel in turn
and seeing whether one output unit moves (positive weights, average pooling, so no cancellation).
"""
from __future__ import annotations

import numpy as np
import pytest

from bank_values import parts_of

from derive.spec import load_spec
from bank_values import spec_path


def layers_of(name, pid, k=0):
    part = load_spec(spec_path(name)).part(pid)
    goal = part.goals[k]
    return goal.input_shape, goal.layers


class Net:
    def __init__(self, input_shape, layers, rng):
        self.input_shape, self.layers, self.weights = input_shape, layers, []
        h, w, c = input_shape
        for layer in layers:
            if layer[0] == "conv":
                _, k, out, pad, stride = layer
                self.weights.append((rng.uniform(0.5, 1, (out, c, k, k)), rng.uniform(0.5, 1, out)))
                c = out
            elif layer[0] == "dense":
                units = int(np.prod(layer[1:]))
                self.weights.append((rng.uniform(0.5, 1, (units, h * w * c)), rng.uniform(0.5, 1, units)))
                h, w, c = layer[1:]
            else:
                self.weights.append(None)
            if layer[0] == "conv" or layer[0] == "pool":
                x = self.forward_shape(h, w, c, layer)
                h, w = x

    @staticmethod
    def forward_shape(h, w, c, layer):
        probe = np.zeros((c, h, w))
        return Net.window(probe, layer).shape[1:3]

    @staticmethod
    def window(x, layer):
        """(c, h, w) -> windows (c, H, W, k, k) of the padded input at the layer's stride."""
        k, stride = layer[1], layer[-1]
        pad = layer[3] if layer[0] == "conv" else 0
        x = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
        view = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(1, 2))
        return view[:, ::stride, ::stride]

    def forward(self, image):
        x, outputs = image, []
        for layer, weights in zip(self.layers, self.weights):
            if layer[0] == "conv":
                kernel, bias = weights
                x = np.einsum("chwab,ocab->ohw", self.window(x, layer), kernel) + bias[:, None, None]
            elif layer[0] == "pool":
                x = self.window(x, layer).mean(axis=(3, 4))
            else:
                matrix, bias = weights
                x = (matrix @ x.ravel() + bias).reshape(layer[3], layer[1], layer[2])
            outputs.append(x)
        return outputs

    def parameters(self):
        return sum(a.size + b.size for a, b in filter(None, self.weights))


CASES = [("csc413-2022-hw2-cnn-sizes", "3.2", 0, 1), ("csc413-2022-hw2-cnn-sizes", "3.2", 2, 3),
         ("cnn-sizes-strided", "sizes", 0, 1)]


@pytest.mark.parametrize("name, pid, neurons, params", CASES)
def test_counts_are_the_sizes_of_a_real_forward_pass_and_its_weights(name, pid, neurons, params):
    input_shape, layers = layers_of(name, pid, neurons)
    rng = np.random.default_rng(0)
    net = Net(input_shape, layers, rng)
    h, w, c = input_shape
    outputs = net.forward(rng.uniform(size=(c, h, w)))
    answers = [parts_of(name)[pid].answer] + [v.answer for v in parts_of(name)[pid].variants]
    assert answers[neurons] == sum(o.size for o in outputs)
    assert answers[params] == net.parameters()


@pytest.mark.parametrize("name, pid", [("csc413-2022-hw2-cnn-sizes", "3.3"), ("cnn-sizes-strided", "field")])
def test_receptive_field_is_the_span_of_the_pixels_that_move_one_unit(name, pid):
    input_shape, layers = layers_of(name, pid)
    rng = np.random.default_rng(1)
    net = Net(input_shape, layers, rng)
    h, w, c = input_shape
    base = rng.uniform(size=(c, h, w))
    out = net.forward(base)[-1]
    i, j = out.shape[1] // 2, out.shape[2] // 2          # a unit away from the border
    moved = np.zeros((h, w), dtype=bool)
    for u in range(h):
        for v in range(w):
            probe = base.copy()
            probe[:, u, v] += 1.0
            moved[u, v] = abs(net.forward(probe)[-1][0, i, j] - out[0, i, j]) > 1e-9
    rows, cols = np.nonzero(moved)
    side = parts_of(name)[pid].answer
    assert rows.max() - rows.min() + 1 == side and cols.max() - cols.min() + 1 == side


def test_the_sheet_s_own_receptive_fields_come_out_of_the_same_rules():
    """The sheet states 3 × 3, 4 × 4 and 8 × 8 for the 3 × 3 architecture: derived by the rule."""
    from derive.architecture import Count
    from derive.rules.layers import formula, substituted

    layers = [("conv", 3, 1, 1, 1), ("pool", 2, 2), ("conv", 3, 1, 1, 1)]
    got = [int(substituted(*formula(Count("receptive_field", (32, 32, 1), layers[:n]))).doit()) for n in (1, 2, 3)]
    assert got == [3, 4, 8]


BAD = """\
id: bad-count
title: t
source: {course: C}
symbols: {}
parts:
  - id: a
    goal:
      count: KIND
      input: INPUT
      layers: LAYERS
"""


@pytest.mark.parametrize("kind, shape, layers, words", [
    ("weights", "[4, 4, 1]", "[{pool: 2}]", "count must be one of"),
    ("neurons", "[4, 4]", "[{pool: 2}]", "input must be [height, width, channels]"),
    ("neurons", "[4, 4, 1]", "[{conv: 5}]", "layer 1 has no output"),
    ("neurons", "[4, 4, 1]", "[{conv: 3, chanels: 2}]", "Did you mean 'channels'"),
    ("neurons", "[4, 4, 1]", "[{pool: 2, dense: 3}]", "exactly one of conv, pool, dense"),
])
def test_a_bad_count_goal_names_the_file_and_line(tmp_path, kind, shape, layers, words):
    from derive.errors import SpecError

    path = tmp_path / "bad.yaml"
    path.write_text(BAD.replace("KIND", kind).replace("INPUT", shape).replace("LAYERS", layers), encoding="utf-8")
    with pytest.raises(SpecError) as err:
        load_spec(path)
    assert str(path) in str(err.value) and "line" in str(err.value) and words in str(err.value)

"""CSC413 2022 HW2 3.1 and MIT 6.790 HW4 3.2(a), and their cousins: convolutions computed
exactly, and a 1-D convolution layer as a weight matrix with shared entries.

Every answer is compared with NumPy: 2-D convolutions by the FFT (a different algorithm from the
window sums the rules write and from the certifier's scatter), 1-D ones by ``np.convolve`` /
``np.correlate``, a weight matrix by multiplying it with random inputs at random weights.
"""
from __future__ import annotations

import random

import numpy as np
import pytest
import sympy

from bank_values import parts_of

from derive.errors import SpecError
from derive.spec import load_spec

IMAGE = np.array([[0, 0, 0, 0, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 0], [0, 1, 1, 1, 0], [0, 0, 1, 0, 0]])
FILTER = np.array([[-1, -1, -1], [0, 0, 0], [1, 1, 1]])


def fft_convolve_full(a, k):
    """The full 2-D convolution (kernel turned), by the FFT, rounded to the integers it is."""
    shape = (a.shape[0] + k.shape[0] - 1, a.shape[1] + k.shape[1] - 1)
    out = np.fft.irfft2(np.fft.rfft2(a, shape) * np.fft.rfft2(k, shape), shape)
    return np.rint(out).astype(int)


def matrix(ans) -> np.ndarray:
    return np.array(sympy.Matrix(ans).tolist(), dtype=object)


def test_hw2_3_1_equals_the_fft_convolution_cropped_to_the_input_size():
    full = fft_convolve_full(IMAGE, FILTER)
    same = full[1:6, 1:6]                    # one ring of zero padding: the centre of the full result
    part = parts_of("csc413-2022-hw2-convolution")["3.1"]
    assert (matrix(part.answer).astype(int) == same).all()


def test_hw2_3_1_cross_correlation_reading_is_the_fft_convolution_with_the_filter_turned():
    full = fft_convolve_full(IMAGE, FILTER[::-1, ::-1])
    variant = parts_of("csc413-2022-hw2-convolution")["3.1"].variants[0]
    assert (matrix(variant.answer).astype(int) == full[1:6, 1:6]).all()


def test_hw2_3_1_the_filter_is_zero_on_flat_regions():
    flat = np.ones((5, 5), dtype=int)
    assert (fft_convolve_full(flat, FILTER)[2:5, 2:5] == 0).all()      # the sanity the discussion states


def _weights(ans, names, rng):
    values = {sympy.Symbol(n, real=True): rng.randint(-9, 9) for n in names}
    values.update({sympy.Symbol(n): v for n, v in list(values.items()) for n in [str(n)]})
    m = np.array(sympy.Matrix(ans).subs(values).tolist(), dtype=float)
    return m, np.array([values[sympy.Symbol(n, real=True)] for n in names], dtype=float)


@pytest.mark.parametrize("seed", range(5))
def test_mit_3_2a_weight_matrix_times_input_is_numpy_correlate(seed):
    rng = random.Random(seed)
    ans = parts_of("mit-6790-hw4-conv-matrix")["3.2a"].answer
    m, w = _weights(ans, ["w1", "w2", "w3"], rng)
    x = np.array([rng.randint(-9, 9) for _ in range(5)], dtype=float)
    assert m.shape == (3, 5)
    assert np.allclose(m @ x, np.correlate(x, w, "valid"))


def test_mit_3_2a_every_row_holds_the_same_three_weights_and_zeros_elsewhere():
    m = sympy.Matrix(parts_of("mit-6790-hw4-conv-matrix")["3.2a"].answer)
    for i in range(3):
        row = [m[i, j] for j in range(5)]
        nonzero = [j for j, v in enumerate(row) if v != 0]
        assert nonzero == [i, i + 1, i + 2]
        assert [str(row[j]) for j in nonzero] == ["w1", "w2", "w3"]


@pytest.mark.parametrize("seed", range(5))
def test_strided_padded_cousin_matches_numpy(seed):
    rng = random.Random(seed)
    parts = parts_of("conv-layer-strided")
    m, a = _weights(parts["stride-2"].answer, ["a1", "a2", "a3"], rng)
    u = np.array([rng.randint(-9, 9) for _ in range(7)], dtype=float)
    assert np.allclose(m @ u, np.correlate(np.pad(u, 1), a, "valid")[::2])
    m, b = _weights(parts["full"].answer, ["b1", "b2"], rng)
    v = np.array([rng.randint(-9, 9) for _ in range(4)], dtype=float)
    assert np.allclose(m @ v, np.convolve(v, b, "full"))


def test_numeric_cousin_matches_numpy():
    parts = parts_of("conv-filters-numeric")
    image = np.array([[1, 1, 1, 0, 0, 0], [1, 1, 1, 0, 0, 0], [2, 2, 1, 0, 0, 1],
                      [1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 0, 0], [1, 1, 1, 0, 0, 0]])
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    valid = fft_convolve_full(image, sobel[::-1, ::-1])[2:6, 2:6]        # correlation, no padding
    assert (matrix(parts["edges"].answer).astype(int) == valid[::2, ::2]).all()
    s = np.array([0, 4, 8, 4, 0, -4], dtype=float)
    smooth = np.convolve(s, [0.25, 0.5, 0.25], "same")
    assert np.allclose(np.array(sympy.Matrix(parts["smooth"].answer).tolist(), dtype=float).ravel(), smooth)


SPEC = """\
id: bad-conv
title: t
source: {course: C}
symbols:
  x: {kind: vector, shape: [4]}
  A: {kind: matrix, shape: [4, 4]}
  k: {kind: vector, shape: [3]}
  n: {kind: scalar}
parts:
  - id: a
    goal: {evaluate: 'GOAL'}
"""


@pytest.mark.parametrize("goal, words", [
    ("conv(x, k, -1)", "padding of conv must be a whole number"),
    ("xcorr(x, k, 0, 0)", "stride of xcorr must be a whole number ≥ 1"),
    ("conv(A, k)", "vector kernel for a vector input"),
    ("conv(n, k)", "must be a vector or matrix of known size"),
    ("conv(k, x)", "larger than the padded input"),
    ("conv(x)", "takes 2 to 4 arguments"),
])
def test_a_bad_convolution_in_a_spec_names_the_file_and_line(tmp_path, goal, words):
    path = tmp_path / "bad.yaml"
    path.write_text(SPEC.replace("GOAL", goal), encoding="utf-8")
    with pytest.raises(SpecError) as err:
        load_spec(path)
    assert "line 11" in str(err.value) and words in str(err.value)

"""MIT 6.790 HW4 3.3 (transformers) and 3.4 (graph attention), and their cousins.

Every answer is compared with a computation written here in NumPy, from the definitions:
attention by its formula softmax(XW_q(XW_k)ᵀ/√d)XW_v, a permutation applied to a random input,
graph attention by its per-node sums over the neighbours, the positional encodings by the sheet's
formula with numpy's sin and cos. Derived SymPy answers are turned into numbers by ``_value``
below, a small evaluator of its own (never derive's).
"""
from __future__ import annotations

import random

import numpy as np
import pytest
import sympy
from sympy import ImmutableMatrix, MatAdd, MatMul, MatrixSymbol, OneMatrix, Transpose

from bank_values import answer, parts_of

from derive.expr.attention import Cos, Entry, Sin, Softmax


# -- an evaluator of derived answers, independent of derive/numeric.py -------------------------
def _value(e, env: dict):
    """``e`` (a SymPy expression over matrix symbols and scalars) as numbers, at ``env``."""
    if isinstance(e, MatrixSymbol):
        return env[e.name]
    if isinstance(e, Entry) or isinstance(e, sympy.matrices.expressions.matexpr.MatrixElement):
        return _value(e.parent, env)[int(e.i), int(e.j)]
    if isinstance(e, ImmutableMatrix):
        return np.array([[_value(e[i, j], env) for j in range(e.cols)] for i in range(e.rows)], dtype=float)
    if isinstance(e, OneMatrix):
        return np.ones((int(_value(e.rows, env)), int(_value(e.cols, env))))
    if isinstance(e, Transpose):
        return _value(e.arg, env).T
    if isinstance(e, MatMul):
        out = 1.0
        for a in e.args:
            v = _value(a, env)
            out = out @ v if np.ndim(out) == 2 and np.ndim(v) == 2 else out * v
        return out
    if isinstance(e, MatAdd) or isinstance(e, sympy.Add):
        return sum(_value(a, env) for a in e.args)
    if isinstance(e, sympy.Mul):
        out = 1.0
        for a in e.args:
            out = out * _value(a, env)
        return out
    if isinstance(e, sympy.Pow):
        return _value(e.base, env) ** float(e.exp)
    if isinstance(e, Softmax):
        s = _value(e.scores, env)
        g = np.ones_like(s) if e.mask is None else _value(e.mask, env)
        w = g * np.exp(s - s.max(axis=1, keepdims=True))
        return w / w.sum(axis=1, keepdims=True)
    if isinstance(e, Sin):
        return np.sin(_value(e.args[0], env))
    if isinstance(e, Cos):
        return np.cos(_value(e.args[0], env))
    if isinstance(e, sympy.Symbol):
        return env[e.name]
    if e.is_number:
        return float(e)
    raise TypeError(f"no value for {type(e).__name__}: {e}")


def softmax_rows(s, mask=None):
    mask = np.ones_like(s) if mask is None else mask
    w = mask * np.exp(s - s.max(axis=1, keepdims=True))
    return w / w.sum(axis=1, keepdims=True)


def attention(x, wq, wk, wv):
    """A transformer's self-attention, straight from its formula."""
    return softmax_rows((x @ wq) @ (x @ wk).T / np.sqrt(wq.shape[0])) @ x @ wv


# -- 3.3(a): the layer as one matrix on the tokens written one after another --------------------
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("k, name", [(0, "Wq"), (1, "Wk"), (2, "Wv")])
def test_3_3a_projection_matrix_times_concatenated_tokens_is_the_projection(seed, k, name):
    rng = np.random.default_rng(seed)
    w, x = rng.normal(size=(2, 2)), rng.normal(size=(3, 2))
    m = _value(answer("mit-6790-hw4-attention", "3.3a", k), {name: w})
    assert m.shape == (6, 6)
    assert np.allclose(m @ x.reshape(-1), (x @ w).reshape(-1))


def test_3_3a_projection_blocks_are_one_shared_block_and_zeros():
    m = sympy.Matrix(answer("mit-6790-hw4-attention", "3.3a", 0))
    blocks = [[m[2 * i:2 * i + 2, 2 * j:2 * j + 2] for j in range(3)] for i in range(3)]
    assert all(blocks[i][j] == blocks[0][0] for i in range(3) for j in range(3) if i == j)
    assert all(v == 0 for i in range(3) for j in range(3) if i != j for v in blocks[i][j])


@pytest.mark.parametrize("seed", range(5))
def test_3_3a_layer_matrix_is_direct_attention_at_the_weights_the_input_produces(seed):
    rng = np.random.default_rng(seed)
    x, wq, wk, wv = rng.normal(size=(3, 2)), *rng.normal(size=(3, 2, 2))
    a = softmax_rows((x @ wq) @ (x @ wk).T / np.sqrt(2))          # the weights this input produces
    m = _value(answer("mit-6790-hw4-attention", "3.3a-layer"), {"A": a, "Wv": wv})
    assert np.allclose(m @ x.reshape(-1), attention(x, wq, wk, wv).reshape(-1))


def test_3_3a_figures_label_shared_and_zero_blocks():
    fig = parts_of("mit-6790-hw4-attention")["3.3a"].figure
    labels = [p["label"] for p in fig["point"]]
    assert labels.count("0") == 6 and labels.count("W_q^\\top") == 3
    layer = [p["label"] for p in parts_of("mit-6790-hw4-attention")["3.3a-layer"].figure["point"]]
    assert "0" not in layer and all(lab.endswith("W_v^\\top") for lab in layer)


# -- 3.3(b): equivariance under a permutation of the tokens -------------------------------------
def _mha_env(rng, n, d):
    names = ["Wq1", "Wk1", "Wv1", "Wq2", "Wk2", "Wv2", "Wo1", "Wo2"]
    env = {name: rng.normal(size=(d, d)) for name in names}
    env.update(Z=rng.normal(size=(n, d)), P=np.eye(n)[rng.permutation(n)], d=d, N=n)
    return env


def _mha(z, env):
    heads = [attention(z, env[f"Wq{h}"], env[f"Wk{h}"], env[f"Wv{h}"]) for h in (1, 2)]
    return np.hstack(heads) @ np.vstack([env["Wo1"], env["Wo2"]])     # concatenate, then mix


@pytest.mark.parametrize("seed", range(5))
def test_3_3b_both_sides_are_the_permuted_layer_computed_directly(seed):
    rng = np.random.default_rng(seed)
    env = _mha_env(rng, n=int(rng.integers(2, 6)), d=int(rng.integers(2, 4)))
    identity = answer("mit-6790-hw4-attention", "3.3b")
    direct = _mha(env["P"] @ env["Z"], env)
    assert np.allclose(_value(identity.lhs, env), direct)
    assert np.allclose(_value(identity.rhs, env), direct)
    assert np.allclose(direct, env["P"] @ _mha(env["Z"], env))


def test_3_3b_derivation_takes_the_permutation_out_of_the_softmax():
    steps = [s.rule for s in parts_of("mit-6790-hw4-attention")["3.3b"].steps]
    assert "softmax-permutation" in steps and "permutation-orthogonal" in steps


def test_permutation_rule_needs_a_declared_permutation_and_no_mask(spec_table):
    """softmax(PSPᵀ) = P softmax(S) Pᵀ fails for an orthogonal P that is not a permutation, and
    for a causal mask: the rule must not apply there (checked numerically first)."""
    from derive.rules.attention import permuted_softmax

    rng = np.random.default_rng(0)
    s = rng.normal(size=(3, 3))
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    assert not np.allclose(softmax_rows(q @ s @ q.T), q @ softmax_rows(s) @ q.T)
    p, causal = np.eye(3)[[2, 0, 1]], np.tril(np.ones((3, 3)))
    assert not np.allclose(softmax_rows(p @ s @ p.T, causal), p @ softmax_rows(s, causal) @ p.T)
    table = spec_table("id: t\ntitle: t\nstatement: t\nsource: {course: T}\nsymbols:\n"
                       "  P: {kind: matrix, shape: [3, 3], assume: [orthogonal]}\n"
                       "  Q: {kind: matrix, shape: [3, 3], assume: [permutation]}\n"
                       "  S: {kind: matrix, shape: [3, 3]}\n  M: {kind: matrix, shape: [3, 3]}\n"
                       "parts:\n  - {id: a, goal: {simplify: 'S'}}\n")
    P, Q, S, M = (table[n].obj for n in "PQSM")
    assert permuted_softmax(Softmax(P * S * P.T), table) is None
    assert permuted_softmax(Softmax(Q * S * Q.T, M), table) is None
    assert permuted_softmax(Softmax(Q * S * Q.T), table) == Q * Softmax(S) * Q.T


# -- 3.3(c): positional encodings ----------------------------------------------------------------
def encoding(n, d=2, big_l=10000.0, sines_only=False):
    """The sheet's formula: r_ni = sin(n / L^(i/D)) for even i, cos(n / L^((i−1)/D)) for odd i."""
    dim = 2 * d
    out = []
    for i in range(dim):
        if sines_only or i % 2 == 0:
            out.append(np.sin(n / big_l ** (i / dim)))
        else:
            out.append(np.cos(n / big_l ** ((i - 1) / dim)))
    return np.array(out)


@pytest.mark.parametrize("seed", range(5))
def test_3_3c_shift_matrix_maps_each_encoding_to_the_shifted_one(seed):
    rng = random.Random(seed)
    w = answer("mit-6790-hw4-attention-positions", "3.3c")
    assert {str(s) for s in w.free_symbols} == {"k"}                     # a function of k only
    k = rng.randint(-50, 50)
    wk = _value(w, {"k": k})
    for n in (rng.randint(-1000, 1000) for _ in range(4)):
        assert np.allclose(wk @ encoding(n), encoding(n + k))
    assert np.allclose(wk @ wk.T, np.eye(4))                              # rotations: orthogonal


def test_3_3c_sines_only_counterexample_and_no_least_squares_fit():
    ce = answer("mit-6790-hw4-attention-positions", "3.3c-sines")
    values = {str(a.lhs): int(a.rhs) for a in ce.args if isinstance(a, sympy.Eq) and isinstance(a.lhs, sympy.Symbol)}
    n, k = values["n"], values["k"]
    assert np.array_equal(encoding(n, sines_only=True), np.zeros(4))      # every W maps it to 0 ...
    assert np.abs(encoding(n + k, sines_only=True)).max() > 1e-3          # ... but the shift is not 0
    ns = np.arange(-40, 40)                                               # and no W fits any data
    s = np.array([encoding(m, sines_only=True) for m in ns])
    t = np.array([encoding(m + k, sines_only=True) for m in ns])
    w, *_ = np.linalg.lstsq(s, t, rcond=None)
    assert np.abs(s @ w - t).max() > 1e-3


@pytest.mark.parametrize("seed", range(3))
def test_cousin_cosine_first_base_100_shift(seed):
    rng = random.Random(seed)
    v = answer("positional-cosine-first", "shift")
    k = rng.randint(-30, 30)
    vk = _value(v, {"k": k})

    def q(n):
        return np.array([f(n / 100 ** (2 * j / 6)) for j in range(3) for f in (np.cos, np.sin)])

    for n in (rng.randint(-500, 500) for _ in range(4)):
        assert np.allclose(vk @ q(n), q(n + k))


# -- 3.4(a): graph attention on the complete graph -----------------------------------------------
def gat_by_nodes(x, wq, wk, wv, adjacency):
    """Graph attention node by node: a softmax of the scores over each node's neighbours."""
    n, d = x.shape
    out = np.zeros((n, wv.shape[1]))
    for i in range(n):
        nbrs = [j for j in range(n) if adjacency[i, j]]
        e = np.array([(wq.T @ x[i]) @ (wk.T @ x[j]) / np.sqrt(d) for j in nbrs])
        alpha = np.exp(e - e.max()) / np.exp(e - e.max()).sum()
        out[i] = sum(a * (wv.T @ x[j]) for a, j in zip(alpha, nbrs))
    return out


@pytest.mark.parametrize("seed", range(5))
def test_3_4a_both_sides_are_graph_attention_on_the_complete_graph(seed):
    rng = np.random.default_rng(seed)
    n, d = int(rng.integers(2, 6)), int(rng.integers(1, 4))
    x, (wq, wk, wv) = rng.normal(size=(n, d)), rng.normal(size=(3, d, d))
    env = {"X": x, "Wq": wq, "Wk": wk, "Wv": wv, "d": d, "N": n, "G": np.ones((n, n))}
    identity = answer("mit-6790-hw4-gat", "3.4a")
    complete = gat_by_nodes(x, wq, wk, wv, np.ones((n, n), dtype=bool))
    assert np.allclose(_value(identity.lhs, env), complete)
    assert np.allclose(_value(identity.rhs, env), complete)
    ring = np.eye(n, dtype=bool) | np.roll(np.eye(n, dtype=bool), 1, axis=1)   # not complete: differs
    if n > 2:
        assert not np.allclose(gat_by_nodes(x, wq, wk, wv, ring), complete)


# -- cousin: causal attention --------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(5))
def test_cousin_causal_matrix_is_masked_attention_and_block_lower_triangular(seed):
    rng = np.random.default_rng(seed)
    u, b = rng.normal(size=(4, 2)), rng.normal(size=(2, 2))
    scores = rng.normal(size=(4, 4))
    a = softmax_rows(scores, np.tril(np.ones((4, 4))))                   # causal attention weights
    m = _value(answer("attention-causal", "causal-matrix"), {"A": a, "B": b})
    assert np.allclose(m @ u.reshape(-1), (a @ u @ b).reshape(-1))
    sym = sympy.Matrix(answer("attention-causal", "causal-matrix"))
    for i in range(4):
        for j in range(4):
            assert all(v == 0 for v in sym[2 * i:2 * i + 2, 2 * j:2 * j + 2]) == (j > i)


# -- the rules on their own ----------------------------------------------------------------------
def test_angle_addition_and_the_vanishing_point_on_a_table_of_cases():
    from derive.rules.shifts import angle_addition, linear_in, vanishing_point

    n, k = sympy.Symbol("n", integer=True), sympy.Symbol("k", integer=True)
    opened = angle_addition(ImmutableMatrix([Sin(n + k), Cos(2 * n + 3)]), {n})
    for nv, kv in ((0.3, 1.7), (-2.0, 5.0)):
        got = _value(opened, {"n": nv, "k": kv})
        assert np.allclose(got.ravel(), [np.sin(nv + kv), np.cos(2 * nv + 3)])
    assert angle_addition(ImmutableMatrix([Sin(n)]), {n}) is None              # nothing to open
    both = ImmutableMatrix([Sin(n), Cos(n)])
    assert linear_in(opened[:1, :], both, {n}) is not None
    assert linear_in(ImmutableMatrix([Sin(n) * Cos(n)]), both, {n}) is None      # not linear in the basis
    assert vanishing_point(ImmutableMatrix([Sin(n + k), Cos(n + k)]), both, {n}) is None   # cos 0 = 1: never 0
    values, there = vanishing_point(ImmutableMatrix([Sin(n + k)]), ImmutableMatrix([Sin(n)]), {n})
    assert values[n] == 0 and there != ImmutableMatrix([0])


def test_block_description_names_zero_shared_scaled_and_rotation_blocks():
    from derive.blocks import describe
    from derive.expr.attention import named_entries

    w, a = MatrixSymbol("W", 2, 2), MatrixSymbol("A", 2, 2)
    wt = named_entries(ImmutableMatrix(w.T.as_explicit()))
    z = sympy.zeros(2, 2)
    m = ImmutableMatrix(sympy.BlockMatrix([[wt, z], [named_entries(a[1, 0]) * wt, wt + sympy.eye(2)]]).as_explicit())
    kinds = [[b.kind for b in line] for line in describe(m, [2, 2], [2, 2])]
    assert kinds == [["scaled", "zero"], ["scaled", "other"]]
    t = sympy.Symbol("t")
    rot = ImmutableMatrix([[Cos(t), -Sin(t)], [Sin(t), Cos(t)]])
    (b,), = describe(rot, [2], [2])
    assert b.kind == "rotation" and b.angle == -t

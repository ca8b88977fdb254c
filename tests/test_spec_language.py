"""Each feature of the spec language on its own: matrix assumptions (sampled so that they hold),
declared functions, families over two indices, values in specialize, list and matrix literals,
norms, several goals in one part, and the goal kinds beyond minimise/solve. Answers are checked
by independent numerics (numpy, exact fractions), never against typed strings."""
import random
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
import yaml

from derive.engine import derive
from derive.errors import SpecError
from derive.sampling import sample
from derive.spec import load_spec
from derive.structured import draw


def spec_of(tmp_path, symbols, parts, givens=None):
    data = {"id": "lang", "title": "spec language", "source": {"course": "TEST"}, "symbols": symbols, "parts": parts}
    if givens:
        data["givens"] = givens
    path = tmp_path / "lang.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return load_spec(path)


def parts_of(spec):
    d = derive(spec)
    for p in d.parts:
        assert not p.error, (p.id, p.error)
    return {p.id: p for p in d.parts}


def as_array(m):
    return np.array([[float(x) for x in row] for row in m], dtype=float)


# -- matrix assumptions are sampled so that they hold ------------------------------------------

@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("words, check", [
    (["symmetric"], lambda a: np.allclose(a, a.T)),
    (["positive_definite"], lambda a: np.allclose(a, a.T) and np.linalg.eigvalsh(a).min() > 0),
    (["positive_semidefinite"], lambda a: np.allclose(a, a.T) and np.linalg.eigvalsh(a).min() > -1e-9),
    (["orthogonal"], lambda a: np.allclose(a.T @ a, np.eye(len(a)))),
    (["diagonal"], lambda a: np.allclose(a, np.diag(np.diag(a)))),
    (["invertible"], lambda a: abs(np.linalg.det(a)) > 1e-9),
])
def test_square_matrix_assumptions_hold_in_every_draw(words, check, seed):
    rng = random.Random(seed)
    for k in (2, 3, 4):
        m = draw(rng, k, k, words)
        assert all(isinstance(x, Fraction) for row in m for x in row)   # exact
        assert check(as_array(m)), (words, m)


def test_full_row_rank_dimensions_are_ordered(tmp_path):
    spec = spec_of(tmp_path, {"X": {"kind": "matrix", "shape": ["n", "d"], "assume": ["full_row_rank"]}},
                   [{"id": "a", "goal": {"simplify": "X @ X.T"}}])
    for seed in range(12):
        env, _ = sample(spec.table, random.Random(seed))
        x = as_array(env[spec.table["X"].obj])
        assert x.shape[0] <= x.shape[1] and np.linalg.matrix_rank(x) == x.shape[0]


def test_a_square_assumption_on_a_rectangular_matrix_is_refused(tmp_path):
    with pytest.raises(SpecError) as err:
        spec_of(tmp_path, {"A": {"kind": "matrix", "shape": ["n", "d"], "assume": ["symmetric"]}},
                [{"id": "a", "goal": {"simplify": "A"}}])
    assert "must be square" in str(err.value)


def test_symmetry_is_used_in_gradients(tmp_path):
    spec = spec_of(tmp_path, {"A": {"kind": "matrix", "shape": ["d", "d"], "assume": ["symmetric"]},
                              "w": {"kind": "vector", "shape": ["d"]}},
                   [{"id": "g", "goal": {"gradient": "w.T @ A @ w", "wrt": "w"}}])
    g = parts_of(spec)["g"].answer
    assert not g.has(sp.Transpose(spec.table["A"].obj))
    rng = np.random.default_rng(0)
    b = rng.normal(size=(3, 3))
    a, w = b + b.T, rng.normal(size=(3, 1))
    got = g.xreplace({spec.table["A"].obj: sp.ImmutableMatrix(a), spec.table["w"].obj: sp.ImmutableMatrix(w)})
    got = np.array(got.subs(sp.Symbol("d", integer=True, positive=True), 3).doit(), dtype=float)
    np.testing.assert_allclose(got, 2 * a @ w)


# -- declared functions ------------------------------------------------------------------------

def test_a_declared_function_differentiates_by_the_chain_rule(tmp_path):
    spec = spec_of(tmp_path, {"w": {"kind": "vector", "shape": ["d"]}, "x": {"kind": "vector", "shape": ["d"]},
                              "L": {"kind": "function", "args": 1}},
                   [{"id": "g", "goal": {"gradient": "L(w.T @ x)", "wrt": "w"}}])
    g = parts_of(spec)["g"].answer
    # substitute L = sin: the answer must be cos(wᵀx)·x
    rng = np.random.default_rng(1)
    w, x = rng.normal(size=(4, 1)), rng.normal(size=(4, 1))
    lprime = next(f for f in g.atoms(sp.Function) if type(f).__name__ == "L'")
    concrete = g.xreplace({lprime: sp.cos(lprime.args[0])})
    concrete = concrete.xreplace({spec.table["w"].obj: sp.ImmutableMatrix(w), spec.table["x"].obj: sp.ImmutableMatrix(x)})
    concrete = concrete.subs(sp.Symbol("d", integer=True, positive=True), 4).doit()
    from derive.expr.objects import Scalar
    concrete = concrete.replace(lambda e: isinstance(e, Scalar), lambda e: e.args[0].as_explicit()[0, 0]).doit()
    np.testing.assert_allclose(np.array(sp.N(concrete), dtype=float), np.cos((w.T @ x).item()) * x, rtol=1e-10)


def test_a_function_takes_no_shape_or_assumptions(tmp_path):
    with pytest.raises(SpecError):
        spec_of(tmp_path, {"L": {"kind": "function", "assume": ["positive"]}}, [{"id": "a", "goal": {"simplify": "1"}}])


# -- families over two indices -----------------------------------------------------------------

def test_a_two_index_family_has_a_mean_over_a_double_sum(tmp_path):
    spec = spec_of(tmp_path, {"i": {"kind": "index", "range": [1, "N"]}, "j": {"kind": "index", "range": [1, "D"]},
                              "p": {"kind": "scalar", "assume": [{"interval": [0, 1], "open": True}]},
                              "a": {"kind": "scalar", "index": ["i", "j"]},
                              "m": {"kind": "random", "dist": "bernoulli(p)", "index": ["i", "j"]}},
                   [{"id": "v", "goal": {"variance": "sum(sum(m[i, j] * a[i, j], j), i)"}}])
    answer = parts_of(spec)["v"].answer
    # exact: Var = p(1 − p) Σᵢⱼ aᵢⱼ² by independence; check at N = 2, D = 3 with fractions
    vals = {(1, 1): 2, (1, 2): -1, (1, 3): 3, (2, 1): 5, (2, 2): 1, (2, 3): -2}
    a = spec.table["a"].obj
    e = answer.subs({sp.Symbol("N", integer=True, positive=True): 2, sp.Symbol("D", integer=True, positive=True): 3}).doit()
    e = e.xreplace({sp.Indexed(a, i, j): v for (i, j), v in vals.items()}).doit()
    p = spec.table["p"].obj
    assert sp.simplify(e - p * (1 - p) * sum(v * v for v in vals.values())) == 0


def test_a_family_used_with_the_wrong_number_of_indices_is_refused(tmp_path):
    with pytest.raises(SpecError) as err:
        spec_of(tmp_path, {"i": {"kind": "index", "range": [1, "N"]}, "j": {"kind": "index", "range": [1, "D"]},
                           "a": {"kind": "scalar", "index": ["i", "j"]}},
                [{"id": "v", "goal": {"simplify": "sum(a[i], i)"}}])
    assert "takes 2 indices" in str(err.value)


# -- values in specialize, list and matrix literals, norms, goals lists -------------------------

def test_specialize_values_are_put_in_and_evaluated_exactly(tmp_path):
    spec = spec_of(tmp_path, {"X": {"kind": "matrix", "shape": ["n", "d"]}, "t": {"kind": "vector", "shape": ["n"]},
                              "w": {"kind": "vector", "shape": ["d"]}, "lam": {"kind": "scalar", "assume": ["positive"]}},
                   [{"id": "r", "specialize": {"n": 3, "d": 2, "X": "mat([1, 2], [0, 1], [3, -1])", "t": "[1, 0, 2]", "lam": "1/2"},
                     "goal": {"minimize": "norm(X @ w - t)**2 + lam * norm(w)**2", "wrt": "w"}}])
    got = parts_of(spec)["r"].answer.rhs
    assert all(x.is_Rational for x in got)                       # exact numbers
    x, t = np.array([[1, 2], [0, 1], [3, -1]], float), np.array([[1], [0], [2]], float)
    np.testing.assert_allclose(np.array(got, dtype=float), np.linalg.solve(x.T @ x + 0.5 * np.eye(2), x.T @ t))


def test_norms_one_and_inf_and_several_goals(tmp_path):
    spec = spec_of(tmp_path, {"v": {"kind": "vector", "shape": ["k"]}, "c": {"kind": "scalar", "assume": ["positive"]}},
                   [{"id": "n", "specialize": {"k": 3, "v": "[2, -5, 1]"},
                     "goals": [{"name": "one", "evaluate": "norm(c * v, 1)"},
                               {"name": "inf", "evaluate": "norm(c * v, inf)"}]}])
    part = parts_of(spec)["n"]
    one, inf = part.answers
    c = spec.table["c"].obj
    v = np.array([2, -5, 1])
    assert sp.simplify(one - int(np.abs(v).sum()) * c) == 0 and sp.simplify(inf - int(np.abs(v).max()) * c) == 0
    assert [v.name for v in part.variants if v.role == "goal"] == ["inf"]


# -- goal kinds ----------------------------------------------------------------------------------

def test_condition_match_and_show(tmp_path):
    spec = spec_of(tmp_path, {"a": {"kind": "scalar", "assume": ["positive"]}, "l": {"kind": "scalar", "assume": ["positive"]},
                              "s": {"kind": "scalar", "assume": ["positive"]}, "k": {"kind": "scalar"},
                              "w": {"kind": "vector", "shape": ["d"]}, "g": {"kind": "vector", "shape": ["d"]}},
                   [{"id": "cond", "goal": {"condition": "(1 - s*l)**2 + s**2 * a**2 < 1", "for": "s"}},
                    {"id": "match", "goal": {"match": "w - s * (g + 2 * k * w) = (1 - l) * w - s * g", "for": "k", "every": "w"}},
                    {"id": "show", "goal": {"show": "(w + g).T @ (w + g) = w.T @ w + 2 * g.T @ w + g.T @ g"}}])
    parts = parts_of(spec)
    cond = parts["cond"].answer
    rng = np.random.default_rng(3)
    for _ in range(50):   # the condition holds exactly where the inequality does
        a, l, s = rng.uniform(0.1, 3, size=3)
        truth = (1 - s * l) ** 2 + s * s * a * a < 1
        bound = float(cond.rhs.subs({spec.table["a"].obj: a, spec.table["l"].obj: l}))
        assert truth == (s < bound)
    k = parts["match"].answer.rhs
    l_, s_ = 0.3, 0.7
    assert float(k.subs({spec.table["l"].obj: l_, spec.table["s"].obj: s_})) == pytest.approx(l_ / (2 * s_))
    assert "Answer checked" in parts["show"].certificate


def test_equality_constrained_minimum_norm(tmp_path):
    spec = spec_of(tmp_path, {"X": {"kind": "matrix", "shape": ["n", "d"], "assume": ["full_row_rank"]},
                              "t": {"kind": "vector", "shape": ["n"]}, "w": {"kind": "vector", "shape": ["d"]}},
                   [{"id": "mn", "goal": {"minimize": "norm(w)**2", "wrt": "w", "subject_to": "X @ w = t"}}])
    answer = parts_of(spec)["mn"].answer.rhs
    rng = np.random.default_rng(4)
    x, t = rng.normal(size=(2, 4)), rng.normal(size=(2, 1))
    dims = {sp.Symbol("n", integer=True, positive=True): 2, sp.Symbol("d", integer=True, positive=True): 4}
    got = answer.subs(dims).xreplace({spec.table["X"].obj.subs(dims): sp.ImmutableMatrix(x),
                                      spec.table["t"].obj.subs(dims): sp.ImmutableMatrix(t)})
    got = np.array(sp.N(got.doit()), dtype=float)
    np.testing.assert_allclose(got, np.linalg.pinv(x) @ t, rtol=1e-9)


def test_max_with_zero_is_relu(tmp_path):
    from derive.expr.objects import relu

    spec = spec_of(tmp_path, {"z": {"kind": "scalar"}, "y": {"kind": "scalar"}},
                   [{"id": "a", "goal": {"gradient": "max(0, z)**2 + max(z, y)", "wrt": "z"}}])
    part = parts_of(spec)["a"]
    assert part.answer.has(relu)
    z, y = spec.table["z"].obj, spec.table["y"].obj
    for zv, yv in ((1.5, -2.0), (-0.5, -2.0), (0.7, 3.0)):
        want = 2 * max(zv, 0) + (1.0 if zv > yv else 0.0)
        got = part.answer.subs({z: zv, y: yv})
        got = got.replace(lambda e: type(e).__name__ == "heaviside", lambda e: 1 if e.args[0] > 0 else 0)
        got = float(got.replace(lambda e: isinstance(e, relu), lambda e: sp.Max(e.args[0], 0)))
        assert got == pytest.approx(want)

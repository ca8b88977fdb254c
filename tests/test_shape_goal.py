"""The ``shape`` goal (MIT 6.790 HW4 5(b) and the cousin shapes-linear-layer): every derived shape
is compared with the shape of an array NumPy computes from scratch, by central differences at
random sizes with n ≠ d; mutated shapes fail the end-to-end certificate; a derivative with more
than two indices is refused with the reason."""
from __future__ import annotations

import numpy as np
import pytest
from sympy import Integer

from bank_values import answer, evaluate, parts_of, spec_path
from derive import certificate, engine
from derive.errors import CertificationError
from derive.shapes import Dims
from derive.spec import load_spec

H = 1e-6


def sig(z):
    return 1 / (1 + np.exp(-z))


def dims(ans, **sizes):
    """The derived r × c at the given sizes, as a pair of ints."""
    assert isinstance(ans, Dims)
    return tuple(int(x.xreplace({s: sizes[s.name] for s in x.free_symbols})) for x in ans.args)


def numeric_derivative(f, at):
    """∂f/∂at by central differences, laid out by the convention: a scalar f gives at's shape,
    a column f by a column gives (len f) × (len at), anything by a scalar keeps f's shape."""
    at = np.asarray(at, dtype=float)
    value = np.asarray(f(at), dtype=float)
    cols = []
    for k in range(at.size):
        e = np.zeros(at.size)
        e[k] = H
        e = e.reshape(at.shape)
        cols.append((np.asarray(f(at + e)) - np.asarray(f(at - e))) / (2 * H))
    if value.size == 1:
        return np.array([float(np.ravel(c)[0]) for c in cols]).reshape(at.shape)
    if at.size == 1:
        return cols[0].reshape(value.shape)
    return np.hstack([np.reshape(c, (-1, 1)) for c in cols])


def test_5b_the_gradient_of_J_has_the_shape_of_x():
    rng = np.random.default_rng(5)
    ans = answer("mit-6790-hw4-adversarial", "5b")
    for d in (2, 3, 5):
        W, xs, x = (rng.normal(size=(d, 1)) for _ in range(3))
        zs, alpha = 1.3, 0.7
        W0 = zs - (W.T @ xs).item()

        def J(v):
            return alpha * ((v - xs).T @ (v - xs)).item() + max(0.0, sig((W.T @ v).item() + W0) - 0.5)

        g = numeric_derivative(J, x)
        assert g.shape == dims(ans, d=d) == (d, 1)
        derived = evaluate(answer("mit-6790-hw4-adversarial", "5c"), x=x, x_star=xs, W=W, zs=zs, alpha=alpha, d=d)
        assert np.shape(derived) == dims(ans, d=d)           # 5c's gradient has 5b's shape
        assert np.allclose(np.ravel(derived), np.ravel(g), atol=1e-5)


def test_the_cousin_shapes_match_finite_differences():
    rng = np.random.default_rng(11)
    parts = {p: answer("shapes-linear-layer", p) for p in ("jacobian", "weights", "scale", "bias")}
    for n, d in ((3, 2), (2, 5), (4, 3)):
        W, x, b, v = rng.normal(size=(n, d)), rng.normal(size=(d, 1)), rng.normal(size=(n, 1)), rng.normal(size=(n, 1))
        y, s, lam = 0.3, 1.7, 0.4

        def loss(Wm, bias=b):
            return (sig((v.T @ (Wm @ x + bias)).item()) - y) ** 2 + lam * np.trace(Wm.T @ Wm)

        found = {
            "jacobian": numeric_derivative(lambda u: W @ u + b, x),
            "weights": numeric_derivative(loss, W),
            "scale": numeric_derivative(lambda t: t.item() * (W @ x + b), np.array([[s]])),
            "bias": numeric_derivative(lambda c: (sig((v.T @ (W @ x + c)).item()) - y) ** 2, b),
        }
        for part, array in found.items():
            assert array.shape == dims(parts[part], n=n, d=d), (part, n, d)
        assert np.allclose(found["jacobian"], W, atol=1e-6)        # the Jacobian is W itself


def _goal(name, part_id):
    spec = load_spec(spec_path(name))
    part = spec.part(part_id)
    definitions, _ = engine.part_definitions(spec, part, {})
    return part.goals[0], part.table, definitions


@pytest.mark.parametrize("name, part_id", [("mit-6790-hw4-adversarial", "5b"), ("shapes-linear-layer", "jacobian"),
                                           ("shapes-linear-layer", "weights"), ("shapes-linear-layer", "scale"),
                                           ("shapes-linear-layer", "bias")])
def test_mutated_shapes_fail_the_certificate(name, part_id):
    goal, table, defs = _goal(name, part_id)
    right = answer(name, part_id)
    certificate.certify_answer(goal, right, table, defs)
    r, c = right.args
    for wrong in {Dims(c, r), Dims(r, c + 1), Dims(r + 1, c), Dims(Integer(1), Integer(1)), Dims(r * c, Integer(1))} - {right}:
        with pytest.raises(CertificationError):
            certificate.certify_answer(goal, wrong, table, defs)


SPEC = """
id: shape-tensor
title: A derivative with three indices
source: {course: test, institution: test, year: 2024, sheet: test, questions: ['1']}
statement: A matrix-valued expression differentiated by a vector.
symbols:
  A: {kind: matrix, shape: [n, d], latex: 'A'}
  x: {kind: vector, shape: [d], latex: 'x'}
  s: {kind: scalar, latex: 's'}
parts:
  - id: tensor
    goal: {shape: 's * A', wrt: x}
  - id: plain
    goal: {shape: 'A.T @ A @ x'}
"""


def test_more_than_two_indices_is_refused_and_a_plain_shape_derives(tmp_path):
    path = tmp_path / "shape-tensor.yaml"
    path.write_text(SPEC)
    d = engine.derive(load_spec(path))
    tensor, plain = d.parts
    assert tensor.answer is None and "more than two indices" in tensor.error
    assert not plain.error and dims(plain.answer, n=3, d=2) == np.shape(np.zeros((2, 3)) @ np.zeros((3, 2)) @ np.zeros((2, 1)))


def test_every_shape_part_is_certified():
    for name in ("mit-6790-hw4-adversarial", "shapes-linear-layer"):
        for pid, part in parts_of(name).items():
            if isinstance(part.answer, Dims):
                assert "random sizes" in part.certificate, (name, pid)

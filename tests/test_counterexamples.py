"""A false inequality is answered by an instance where it fails, made as plain as a TA's (issue 12:
no 10-digit sides, no SymPy '&'); a shown identity gets a sentence that does not repeat it."""
from __future__ import annotations

import numpy as np
from sympy import Eq, Rational

from bank_values import parts_of


def _instance(answer) -> tuple[dict, list]:
    values = {str(a.lhs): a.rhs for a in answer.args if isinstance(a, Eq)}
    rest = [a for a in answer.args if not isinstance(a, Eq)]
    return values, rest


def test_the_counterexample_is_plain_and_really_fails():
    """tangent-plane-bounds 'below': F(z) − F(b) ≤ ∇F(b)ᵀ(z − b) fails at the instance given;
    checked here with numpy from the values alone, and every entry is one of 0, ±1, 2."""
    part = parts_of("tangent-plane-bounds")["below"]
    values, rest = _instance(part.answer)
    assert len(rest) == 1 and set(values) >= {"a", "b", "c", "mu", "z"}, part.answer
    flat = [x for v in values.values() for x in (list(v) if hasattr(v, "shape") else [v])]
    assert all(x in (0, 1, -1, 2) or isinstance(x, Rational) and abs(x) <= 2 for x in flat), values
    a, b, z = (np.array([float(x) for x in values[k]]) for k in ("a", "b", "z"))
    c, mu = float(values["c"]), float(values["mu"])

    def F(u):
        return np.exp(-c * a @ u) + mu * u @ u

    grad = -c * np.exp(-c * a @ b) * a + 2 * mu * b
    assert F(z) - F(b) > grad @ (z - b) + 1e-12          # the reverse inequality: it does fail there


def test_the_counterexample_reads_as_values_then_the_relation_in_text():
    from derive.render.printing import text as show

    part = parts_of("tangent-plane-bounds")["below"]
    shown = show(part.answer)
    assert "&" not in shown and ": " in shown and shown.index("z = ") < shown.index(">"), shown


def test_a_shown_identity_is_answered_yes_without_repeating_it():
    part = parts_of("minnorm-sgd")["1.1.1b"]
    remarks = [n.text for n in part.notes if n.kind == "remark"]
    assert remarks and remarks[0].startswith("Yes: the identity holds for every admissible value"), remarks
    assert "∇" not in remarks[0] and "=" not in remarks[0], remarks


def test_the_counterexample_in_latex_packs_its_values_into_rows():
    """The instance's values share rows (a column vector as a transposed tuple), and the relation
    that fails has a row of its own: three rows, not one per value."""
    from derive.render.printing import latex

    part = parts_of("tangent-plane-bounds")["below"]
    tex = latex(part.answer)
    rows = tex.removeprefix(r"\begin{gathered}").removesuffix(r"\end{gathered}").split(r" \\ ")
    values, _ = _instance(part.answer)
    assert len(rows) < len(values) and ">" in rows[-1] and "=" not in rows[-1].split(">")[0][-3:], rows
    assert r"z = \left(0, 1\right)^{\top}" in tex and "pmatrix" not in tex and r"\begin{matrix}" not in tex, tex
    assert all(name + " = " in " ".join(rows[:-1]) for name in (r"\mu", "c", "a", "b", "z")), rows

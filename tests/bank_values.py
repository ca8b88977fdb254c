"""Helpers for the issue-9 tests: derive a spec once, and turn a derived SymPy answer into numbers.

The numbers a derived answer is compared with are always computed from scratch in the tests
(numpy, fractions, finite differences, Monte Carlo, brute force); nothing here uses derive's own
evaluator (derive/numeric.py, derive/equivalence.py) and nothing compares with a typed formula.
``evaluate`` follows tests/test_problems.py, extended for the issue-9 features: two-index families,
concrete stand-ins for ``kind: function`` symbols, and derive's own atoms (Scalar, Sgn, relu,
heaviside, norms), which are lowered to plain SymPy by class name.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import sympy
from sympy import ImmutableMatrix, Indexed, IndexedBase, MatrixSymbol, Symbol

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = ROOT / "problems"
EXAMPLES = PROBLEMS / "examples"

_DERIVED: dict[Path, dict] = {}


def spec_path(name: str) -> Path:
    """A problem file by id: problems/NAME.yaml, else problems/examples/NAME.yaml."""
    for folder in (PROBLEMS, EXAMPLES):
        p = folder / f"{name}.yaml"
        if p.exists():
            return p
    raise FileNotFoundError(name)


def parts_of(name: str) -> dict:
    """{part id: PartResult}; each spec is derived once per test session."""
    from derive.engine import derive
    from derive.spec import load_spec

    path = spec_path(name)
    if path not in _DERIVED:
        d = derive(load_spec(path))
        _DERIVED[path] = {p.id: p for p in d.parts}
    return _DERIVED[path]


def answer(name: str, pid: str, k: int | None = None):
    """The derived answer of a part (the k-th entry of a ``goals:`` part's tuple when k is given);
    fails with the part's error when it was not derived."""
    parts = parts_of(name)
    assert pid in parts, f"{name} has no part {pid}; parts: {list(parts)}"
    part = parts[pid]
    assert not part.error, f"{name} {pid} was not derived: {part.error}"
    if k is None:
        return part.answer
    answers = part.answers
    assert len(answers) > k, f"{name} {pid}: a goals: part should have {k + 1} answers, got {len(answers)}"
    return answers[k]


def value_of(ans):
    """The value side of an answer: the right side of ``Eq(unknown, value)``, else itself."""
    return ans.rhs if isinstance(ans, sympy.Equality) else ans


def sides(ans):
    """Both sides of an identity answer (a ``show:`` goal)."""
    assert isinstance(ans, sympy.Equality), f"expected an identity, got {ans!r}"
    return ans.lhs, ans.rhs


# -- turning a derived expression into numbers ---------------------------------------------------

def to_sympy(v):
    if isinstance(v, Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    if isinstance(v, (bool, np.bool_)):
        raise TypeError("booleans are not values")
    if isinstance(v, (int, np.integer)):
        return sympy.Integer(int(v))
    if isinstance(v, (float, np.floating)):
        return sympy.Float(float(v), 30)
    if isinstance(v, sympy.Basic):
        return v
    if isinstance(v, np.ndarray):
        rows = v.reshape(v.shape[0], -1)
        return ImmutableMatrix(rows.shape[0], rows.shape[1], [to_sympy(x) for x in rows.ravel()])
    raise TypeError(f"cannot turn {v!r} into a SymPy value")


def _explicit(m):
    return m.as_explicit() if hasattr(m, "as_explicit") else sympy.Matrix([[m]])


def _norm(e):
    v = _explicit(e.args[0])
    name = type(e).__name__.lower()
    p = e.args[1] if len(e.args) > 1 else ("inf" if name.endswith("inf") else 1 if name.endswith("1") else 2)
    entries = list(v)
    if p in (sympy.oo, sympy.Symbol("inf")) or str(p) in ("oo", "inf"):
        return sympy.Max(*[sympy.Abs(x) for x in entries])
    if p == 1:
        return sum(sympy.Abs(x) for x in entries)
    return sympy.sqrt(sum(x ** 2 for x in entries))


_LOWER = {
    "scalar": lambda e: _explicit(e.args[0])[0, 0],
    "sgn": lambda e: _explicit(e.args[0]).applyfunc(sympy.sign),
    "relu": lambda e: sympy.Max(0, e.args[0]),
    "heaviside": lambda e: sympy.Heaviside(e.args[0]),
    "sigmoid": lambda e: 1 / (1 + sympy.exp(-e.args[0])),
    "logit": lambda e: sympy.log(e.args[0] / (1 - e.args[0])),
    "softplus": lambda e: sympy.log(1 + sympy.exp(e.args[0])),
}


def _derive_atom(e) -> str | None:
    name = type(e).__name__.lower()
    if not type(e).__module__.startswith("derive"):
        return None
    if name in _LOWER:
        return name
    if "norm" in name:
        return "norm"
    return None


def _lower(expr):
    for _ in range(6):
        found = [a for a in sympy.preorder_traversal(expr) if isinstance(a, sympy.Basic) and _derive_atom(a)]
        if not found:
            return expr
        expr = expr.replace(lambda e: isinstance(e, sympy.Basic) and _derive_atom(e) is not None,
                            lambda e: _norm(e) if _derive_atom(e) == "norm" else _LOWER[_derive_atom(e)](e))
        expr = expr.doit()
    return expr


def _apply_functions(expr, functions):
    """Replace each applied unknown function (``kind: function``) by a concrete one; derive
    writes its derivatives as functions named L', L'', … (the derivative of L)."""
    for name, fn in (functions or {}).items():
        for order in range(3, -1, -1):
            fname = name + "'" * order

            def concrete(e, order=order, fn=fn):
                z = sympy.Dummy("z", real=True)
                return sympy.diff(fn(z), z, order).subs(z, e.args[0]) if order else fn(*e.args)

            expr = expr.replace(
                lambda e, fname=fname: isinstance(e, sympy.Basic) and getattr(e, "is_Function", False)
                and getattr(e.func, "__name__", None) == fname,
                concrete)
    return expr


def _lower_grad(g, replace):
    """derive's unevaluated gradient Grad(body, var[, at]) by explicit differentiation."""
    body, var = g.args[0], g.args[1]
    at = g.args[2] if len(g.args) > 2 else var
    k = int(var.shape[0])
    syms = sympy.Matrix(k, 1, [sympy.Dummy(f"g{i}", real=True) for i in range(k)])
    b = _lower(body.xreplace({**replace, var: syms}).doit())
    if getattr(b, "is_Matrix", False):
        b = b.as_explicit()[0, 0]
    point = _explicit(at.xreplace(replace).doit())
    grad = sympy.Matrix([sympy.diff(b, s) for s in syms]).subs(dict(zip(list(syms), list(point))))
    return ImmutableMatrix(grad)


def evaluate(expr, functions=None, **values):
    """Substitute ``values`` by symbol name into a derived expression and evaluate it.

    Scalars and dimensions go in first (so sums expand and matrix symbols get concrete shapes),
    then matrices (numpy arrays) and indexed families (sequences indexed from 1; 2-D arrays for
    two-index families). ``functions`` maps the name of a ``kind: function`` symbol to a Python
    callable building a SymPy expression. Returns a numpy array for a matrix, a float for a 1x1
    matrix or a real number, or an exact SymPy rational when the inputs were exact."""
    expr = sympy.sympify(expr)
    expr = _apply_functions(expr, functions).doit()
    scalars = {k: v for k, v in values.items() if np.ndim(v) == 0}
    names = set()
    for m in expr.atoms(MatrixSymbol):
        for size in m.shape:
            names |= sympy.sympify(size).free_symbols
    names |= {s for s in expr.free_symbols if isinstance(s, Symbol) and not isinstance(s, sympy.Dummy)}
    bases = {str(b.label) for b in expr.atoms(IndexedBase)}
    bound = set()
    for s in expr.atoms(sympy.Sum):
        bound |= {lim[0].name for lim in s.limits}
    missing = {s.name for s in names} - set(values) - bound - bases
    assert not missing, f"test did not give values for {sorted(missing)} in {expr}"
    expr = expr.subs({s: to_sympy(scalars[s.name]) for s in names if s.name in scalars}).doit()
    replace = {}
    for m in expr.atoms(MatrixSymbol):
        if m.name in values:
            replace[m] = to_sympy(np.asarray(values[m.name], dtype=object).reshape(int(m.shape[0]), int(m.shape[1])))
    expr = expr.replace(lambda e: type(e).__name__ == "Grad", lambda e: _lower_grad(e, replace))
    for base in expr.atoms(IndexedBase):
        arr = np.asarray(values[str(base.label)], dtype=object)
        for idx in np.ndindex(*arr.shape):
            key = tuple(k + 1 for k in idx)
            replace[Indexed(base, *key)] = to_sympy(arr[idx])
    expr = expr.xreplace(replace).doit()
    expr = _lower(expr)
    expr = _apply_functions(expr, functions).doit()
    if getattr(expr, "is_Matrix", False):
        out = np.array(expr.as_explicit().evalf(30), dtype=float)
        return float(out[0, 0]) if out.shape == (1, 1) else out
    assert not expr.free_symbols, f"symbols left after substitution: {expr}"
    if expr.is_Rational:
        return expr
    return float(sympy.N(expr, 30))


def holds(relation, **values) -> bool:
    """Whether a derived condition (a relation, And/Or of relations, or a set membership) holds."""
    rel = relation.subs({Symbol(k, **a): to_sympy(v) for k, v in values.items()
                         for a in ({}, {"real": True}, {"positive": True})})
    for s in list(rel.free_symbols):
        if s.name in values:
            rel = rel.subs(s, to_sympy(values[s.name]))
    rel = sympy.simplify(rel) if not isinstance(rel, (bool, sympy.logic.boolalg.BooleanAtom)) else rel
    assert rel in (sympy.true, sympy.false, True, False), f"condition did not evaluate: {rel}"
    return bool(rel)


# -- independent numerics ----------------------------------------------------------------------

def numeric_gradient(f, x, h=1e-6):
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = h
        g.flat[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def derivative(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def second_derivative(f, x, h=1e-3):
    return (f(x + h) - 2 * f(x) + f(x - h)) / (h * h)


def golden_min(f, lo, hi, iters=200):
    """The minimiser of a unimodal function on [lo, hi] by golden-section search."""
    g = (np.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    for _ in range(iters):
        if f(c) < f(d):
            b = d
        else:
            a = c
        c, d = b - g * (b - a), a + g * (b - a)
    return (a + b) / 2


def fractions(rng, size, denominator=4, low=-9, high=9, nonzero=False):
    out = []
    while len(out) < size:
        k = int(rng.integers(low, high + 1))
        if nonzero and k == 0:
            continue
        out.append(Fraction(k, denominator))
    return out


def parabola_vertex(f, a=0.0, b=0.5, c=1.0):
    """The minimiser of the parabola through three points: the exact argmin of a convex quadratic."""
    fa, fb, fc = f(a), f(b), f(c)
    num = (b - a) ** 2 * (fb - fc) - (b - c) ** 2 * (fb - fa)
    den = (b - a) * (fb - fc) - (b - c) * (fb - fa)
    curvature = ((fc - fb) / (c - b) - (fb - fa) / (b - a)) / (c - a)
    assert curvature > 0, "not convex along this line"
    return b - 0.5 * num / den


def num(v) -> float:
    """A float from a number, a SymPy number or a one-element numpy array (such as wᵀx)."""
    if isinstance(v, np.ndarray):
        assert v.size == 1, f"expected one number, got shape {v.shape}"
        return float(v.reshape(-1)[0])
    return float(v)

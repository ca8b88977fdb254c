"""Bounds on 2-norms, as links of a ``bound`` chain (``rules/bounds.py``):

- ``regroup-in-norm``: the terms inside a norm gathered into a multiple of a vector whose norm the
  target has (2μθ − 2μc → 2μ(θ − c)), an equality certified by value;
- ``triangle``: ‖t₁ + … + t_k‖ ≤ ‖t₁‖ + … + ‖t_k‖, each scalar factor out as its absolute value
  (‖c·v‖ = |c|‖v‖); the certifier checks the step is an instance of the triangle inequality by
  its own construction (``certificate_bounds.triangle_step``);
- ``unit-factors``: a factor known to lie in [0, 1] (σ(·), a Heaviside step, |y| for y declared in
  [−1, 1]) multiplying a term known to be ≥ 0 is replaced by 1, which can only make an upper
  bound larger; certified by the sign oracle (``inequalities.sign`` knows 1 − P ≥ 0 for such
  products P, ``inequalities.in_unit_interval``).

A 2-norm is written √(vᵀv) (``Pow(Scalar(vᵀv), 1/2)``). Wording in ``explanations_bounds.yaml``.
"""
from __future__ import annotations


def norm_argument(e):
    """v when e is ‖v‖ = √(vᵀv), else None."""
    from sympy import MatMul, Pow, Rational, Transpose

    from ..expr.objects import Scalar

    if not (isinstance(e, Pow) and e.exp == Rational(1, 2) and isinstance(e.base, Scalar)):
        return None
    m = e.base.args[0]
    if isinstance(m, MatMul) and len(m.args) == 2 and isinstance(m.args[0], Transpose) and m.args[0].arg == m.args[1]:
        return m.args[1]
    return None


def norm_of(v):
    """‖v‖ with a scalar factor out as its absolute value: ‖c·u‖ = |c|·√(uᵀu)."""
    from sympy import Abs, MatMul, Pow, Rational, Transpose

    from ..expr.objects import Scalar

    coeff, mats = (v.as_coeff_matrices() if isinstance(v, MatMul) else (1, [v]))
    u = MatMul(*mats) if len(mats) > 1 else mats[0]
    return Abs(coeff) * Pow(Scalar(MatMul(Transpose(u), u)), Rational(1, 2))


def sum_terms(v):
    """The terms of a vector sum, or None when v is not a sum of two or more vectors."""
    from sympy import MatAdd

    return list(v.args) if isinstance(v, MatAdd) and len(v.args) > 1 else None


def triangle(e, target=0):
    """The first 2-norm of a sum in ``e`` split by the triangle inequality, except a norm the target
    itself has; None when there is none."""
    from sympy import Add

    from .matrix import mexpand

    keep = {mexpand(norm_argument(n)) for n in _norms(target)}
    for n in _norms(e):
        terms = sum_terms(norm_argument(n))
        if terms is not None and mexpand(norm_argument(n)) not in keep:
            return e.xreplace({n: Add(*[norm_of(t) for t in terms])})
    return None


def _norms(e):
    from sympy import Pow, preorder_traversal

    return [a for a in preorder_traversal(e) if isinstance(a, Pow) and norm_argument(a) is not None]


def unit_factors(e, table):
    """Each term c·F·rest of ``e`` with F ∈ [0, 1] and the rest ≥ 0: F replaced by 1 (the term can
    only grow). Returns (after, the factors as a list) or None."""
    from sympy import Add, Mul

    from ..inequalities import in_unit_interval, sign

    out, replaced = [], []
    for t in Add.make_args(e):
        factors = Mul.make_args(t)
        unit = [f for f in factors if not f.is_number and in_unit_interval(f, table)]
        rest = Mul(*[f for f in factors if f not in unit])
        if unit and sign(rest, table) == 1:
            out.append(rest)
            replaced.extend(unit)
        else:
            out.append(t)
    return (Add(*out), replaced) if replaced else None


def _coefficients(v):
    """{matrix atom: scalar coefficient} for a sum of scalar multiples of single matrices; None
    for anything else."""
    from sympy import MatAdd, MatMul

    from .matrix import mexpand

    out = {}
    for t in (mexpand(v).args if isinstance(mexpand(v), MatAdd) else (mexpand(v),)):
        coeff, mats = t.as_coeff_matrices() if isinstance(t, MatMul) else (1, [t])
        if len(mats) != 1:
            return None
        out[mats[0]] = out.get(mats[0], 0) + coeff
    return out


def regroup(e, target):
    """Inside the first norm of a sum in ``e``: the terms that add up to a scalar multiple c·v of
    a vector v whose norm the target has (2μθ − 2μc → 2μ(θ − c)), written as that multiple, so
    the triangle inequality splits the sum along the target's norms. None when nothing regroups."""
    from itertools import combinations

    from sympy import MatAdd, MatMul, Pow, Rational, Transpose, cancel

    from ..expr.objects import Scalar

    wanted = [norm_argument(n) for n in _norms(target)]
    wanted = [(v, _coefficients(v)) for v in wanted if sum_terms(v) is not None]
    for n in _norms(e):
        terms = sum_terms(norm_argument(n))
        if terms is None or len(terms) > 8:
            continue
        for v, vc in wanted:
            if vc is None:
                continue
            for size in range(len(vc), len(terms) + 1):
                for group in combinations(terms, size):
                    gc = _coefficients(MatAdd(*group))
                    if gc is None or set(gc) != set(vc):
                        continue
                    key = next(iter(vc))
                    c = cancel(gc[key] / vc[key])
                    if c == 1 and size == len(terms):      # already the target's vector
                        continue
                    if all(cancel(gc[m] - c * vc[m]) == 0 for m in vc):
                        rest = [t for t in terms if t not in group]
                        inside = MatAdd(MatMul(c, v), *rest) if rest else MatMul(c, v)
                        return e.xreplace({n: Pow(Scalar(MatMul(Transpose(inside), inside)), Rational(1, 2))})
    return None

"""Human normal forms (derive/render/normal_forms.py) change how an expression is shown, never its
value: every form shown for an expression of the bank equals the expression at random instances
drawn from its spec's declared domains, and each rule does what it says on small cases."""
from __future__ import annotations

import pytest
from sympy import Add, Basic, MatMul, MatrixSymbol, Mul, Pow, S, Symbol, sqrt, symbols

from derive.render.normal_forms import normal_form
from derive.render.printing import latex, text

eta, lam, n = symbols("eta lambda n", positive=True)
a = Symbol("a", nonnegative=True)
p = Symbol("p", positive=True)
u, v = symbols("u v", real=True)
w = MatrixSymbol("w", 3, 1)
X = MatrixSymbol("X", 4, 3)
t = MatrixSymbol("t", 4, 1)


def _values(symbols_, seed: int) -> dict:
    """Exact random values for ``symbols_`` honouring their declared signs."""
    import random

    from sympy import Rational, randMatrix

    rng = random.Random(seed)
    env = {}
    for s in sorted(symbols_, key=str):
        if isinstance(s, MatrixSymbol):
            env[s] = randMatrix(*s.shape, min=-5, max=5, seed=rng.randrange(10**6))
        elif s.is_positive or s.is_nonnegative:
            env[s] = Rational(rng.randrange(1, 40), rng.randrange(1, 40))
        else:
            env[s] = Rational(rng.randrange(-40, 40), rng.randrange(1, 40))
    return env


def same_value(x, y, trials: int = 5) -> bool:
    """``x`` and ``y`` agree at ``trials`` random exact instances."""
    from sympy import Matrix

    for seed in range(trials):
        env = _values(x.free_symbols | y.free_symbols, seed)
        ex, ey = x.xreplace(env).doit(), y.xreplace(env).doit()
        diff = Matrix(ex) - Matrix(ey) if getattr(ex, "is_Matrix", False) else Matrix([ex - ey])
        if any(abs(complex(e.evalf(30))) > 1e-20 for e in diff):
            return False
    return True


# ---------------------------------------------------------------- each rule on a small case


def test_a_minus_sign_goes_into_a_binomial_with_a_negative_constant():
    scalar = Mul(-1, eta * lam - 1, u, evaluate=False)        # −(ηλ − 1)u
    shown = normal_form(scalar)
    assert same_value(scalar, shown)
    assert not text(shown).startswith("−") and not latex(shown).startswith("-")
    matrix = MatMul(1 - eta * lam, w)                          # stored as (1 − ηλ)w
    assert not text(matrix).startswith("−") and same_value(matrix, normal_form(matrix))
    # −(1 − t) log(…) is already how it is written: the binomial has a positive constant
    kept = Mul(-1, 1 - u, v, evaluate=False)
    assert text(normal_form(kept)).startswith("−")


def test_a_common_number_of_a_sum_inside_a_product_comes_out_and_cancels():
    expr = MatMul(eta / (2 * n), (MatMul(2, lam, w) + MatMul(2, X.T, X * w - t)))
    shown = normal_form(expr)
    assert same_value(expr, shown)
    coefficient = shown.as_coeff_matrices()[0] if isinstance(shown, MatMul) else None
    assert coefficient is not None and coefficient == eta / n   # 2/(2n) cancelled
    halves = MatMul(eta, MatMul(S.Half, X.T, X) + MatMul(lam, MatrixSymbol("I3", 3, 3)), w)
    assert normal_form(halves) == halves                        # never (A + 2λI)/2 from A/2 + λI


def test_square_roots_join_only_where_the_signs_allow():
    ratio = sqrt(1 - p) / sqrt(p)                              # p > 0
    joined = normal_form(ratio)
    assert isinstance(joined, Pow) and joined.exp == S.Half and same_value(ratio, joined)
    product = sqrt(a) * sqrt(-1 / (a - 1))                     # a ≥ 0
    shown = normal_form(product)
    assert isinstance(shown, Pow) and same_value(product, shown)
    assert not text(shown).startswith("−") and "(−" not in text(shown)     # √(a/(1 − a))
    unknown = sqrt(u) * sqrt(v)                                # signs unknown: √u√v ≠ √(uv) in general
    assert normal_form(unknown) == unknown


# ---------------------------------------------------------------- every expression of the bank


@pytest.fixture(scope="module")
def bank_expressions():
    """(problem, spec table, expression) for every step side and answer of the bank whose
    displayed normal form differs from the expression itself."""
    from derive.bank import entries
    from derive.engine import derive
    from derive.spec import load_spec

    out, total = [], 0
    for e in entries():
        spec = load_spec(e.path)
        d = derive(spec)
        for part in d.parts:
            steps = list(part.steps) + [s for v in part.variants for s in v.steps]
            for expr in [x for s in steps for x in (s.before, s.after)] + list(part.answers):
                if not isinstance(expr, Basic):
                    continue
                total += 1
                if normal_form(expr) != expr:
                    out.append((e.id, spec.table, expr))
    return out, total


def test_every_displayed_normal_form_of_the_bank_has_the_certified_value(bank_expressions):
    from derive.equivalence import Context, same_value as certified_same

    changed, total = bank_expressions
    assert total > 1000 and len(changed) >= 10        # the rules do fire on the bank
    checked, wrong = 0, []
    for problem, table, expr in changed:
        shown = normal_form(expr)
        sides = [(expr.lhs, shown.lhs), (expr.rhs, shown.rhs)] if expr.is_Relational else [(expr, shown)]
        for original, form in sides:
            if original == form:
                continue
            verdict = certified_same(original, form, Context(table, seed=11), symbolic=False)
            if verdict.status == "unknown":
                continue
            checked += 1
            if verdict.status != "equivalent":
                wrong.append((problem, text(original), text(form), verdict.status))
    assert not wrong, wrong
    assert checked >= 0.8 * len(changed)


def test_a_scalar_times_a_one_by_one_matrix_shows_one_signed_product():
    """ν = t·[−2/c] (a multiplier solved from a single constraint) reads −2t/c, never the
    t − 2/c that juxtaposing the factors would show."""
    from sympy import ImmutableMatrix

    s, c = symbols("s c", positive=True)
    e = MatMul(s, ImmutableMatrix([[-2 / (c + 1)]]))
    shown = normal_form(e)
    assert same_value(shown[0, 0], -2 * s / (c + 1)) and text(e) == "−2s/(c + 1)", text(e)
    assert "s -" not in latex(e) and latex(e).startswith("- "), latex(e)
    assert text(MatMul(s, ImmutableMatrix([[c - 1]]))) == "s(c − 1)"

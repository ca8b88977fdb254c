"""Each problem's derived answers against an independent numeric computation.

The derived SymPy answer is turned into numbers by substituting concrete values (SymPy's own
``subs``/``doit``); what it is compared with is computed from scratch here, with numpy and
``fractions``: finite differences of the objective as the sheet writes it, exact enumeration
of dropout masks, Monte-Carlo sampling, brute force over a box's vertices. Nothing here uses
derive's evaluator (``derive/numeric.py``, ``derive/equivalence.py``) or a hand-typed answer.
"""
from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy
from click.testing import CliRunner
from sympy import Symbol

from derive.cli import main
from derive.engine import derive
from derive.spec import load_spec

PROBLEMS_DIR = Path(__file__).resolve().parents[1] / "problems"
PROBLEM_IDS = ("ridge-fgm", "dropout-gaussian", "trust-region", "optimal-lr", "relu-init")


# -- deriving once per session --------------------------------------------------------------

@pytest.fixture(scope="session")
def derived():
    """``derived(problem_id)`` -> {part id: PartResult}; each problem is derived once."""
    cache: dict[str, dict] = {}

    def get(problem_id: str) -> dict:
        if problem_id not in cache:
            d = derive(load_spec(PROBLEMS_DIR / f"{problem_id}.yaml"))
            cache[problem_id] = {p.id: p for p in d.parts}
        return cache[problem_id]

    return get


def value_of(answer):
    """The value side of an answer: the right side of ``Eq(unknown, value)``, else itself."""
    return answer.rhs if isinstance(answer, sympy.Equality) else answer


# -- evaluating a derived formula at concrete values ------------------------------------------

from bank_values import evaluate  # noqa: E402 - one evaluator of derived answers for every bank test


# -- independent numerics -------------------------------------------------------------------

def numeric_gradient(f, x, h=1e-5):
    """Central differences of a scalar function of a column vector."""
    g = np.zeros_like(x, dtype=float)
    for i in range(x.size):
        e = np.zeros_like(x, dtype=float)
        e.flat[i] = h
        g.flat[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def numeric_hessian(f, x, h=1e-3):
    """Second central differences (exact up to rounding for a quadratic)."""
    k = x.size
    H = np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            ei = np.zeros_like(x, dtype=float)
            ej = np.zeros_like(x, dtype=float)
            ei.flat[i] = h
            ej.flat[j] = h
            H[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h * h)
    return (H + H.T) / 2


def parabola_vertex(f, a, b, c):
    """The minimiser of the parabola through (a, f(a)), (b, f(b)), (c, f(c)): the exact
    argmin of a convex quadratic from three evaluations."""
    fa, fb, fc = f(a), f(b), f(c)
    num = (b - a) ** 2 * (fb - fc) - (b - c) ** 2 * (fb - fa)
    den = (b - a) * (fb - fc) - (b - c) * (fb - fa)
    curvature = ((fc - fb) / (c - b) - (fb - fa) / (b - a)) / (c - a)
    assert curvature > 0, "the function is not convex along this line; no minimiser"
    return b - 0.5 * num / den


def random_fractions(rng, size, denominator=4, low=-9, high=9, nonzero=False):
    from bank_values import fractions

    return fractions(rng, size, denominator, low, high, nonzero)


# == ridge-fgm ==============================================================================

def sheet_ridge_objective(X, t, lam):
    n = X.shape[0]
    return lambda w: float(np.sum((X @ w - t) ** 2) / (2 * n) + lam * np.sum(w ** 2))


def plain_ridge_objective(X, t, lam):
    return lambda w: float(np.sum((X @ w - t) ** 2) + lam * np.sum(w ** 2))


def sheet_ridge_lstsq(X, t, lam):
    """Ridge as ordinary least squares on an augmented system: [X/√(2n); √λ I] w ≈ [t/√(2n); 0]."""
    n, d = X.shape
    A = np.vstack([X / np.sqrt(2 * n), np.sqrt(lam) * np.eye(d)])
    b = np.vstack([t / np.sqrt(2 * n), np.zeros((d, 1))])
    return np.linalg.lstsq(A, b, rcond=None)[0]


def plain_ridge_lstsq(X, t, lam):
    d = X.shape[1]
    A = np.vstack([X, np.sqrt(lam) * np.eye(d)])
    b = np.vstack([t, np.zeros((d, 1))])
    return np.linalg.lstsq(A, b, rcond=None)[0]


RIDGE_CONVENTIONS = {
    # name -> (which answer, objective as the sheet writes it, independent least-squares solve)
    "sheet (1/(2n))": (lambda part: part.answer, sheet_ridge_objective, sheet_ridge_lstsq),
    "without 1/(2n)": (lambda part: part.variants[0].answer, plain_ridge_objective, plain_ridge_lstsq),
}
RIDGE_CASES = [(5, 3, 0), (3, 5, 1), (7, 2, 2)]  # (n, d, seed), n ≠ d both ways


def ridge_instance(n, d, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(n, 1)), float(rng.uniform(0.1, 2.0))


def test_ridge_convention_variant_is_the_one_without_the_factor(derived):
    part = derived("ridge-fgm")["1.2.2"]
    assert [v.name for v in part.variants] == ["without the 1/(2n) factor"]


@pytest.mark.parametrize("convention", RIDGE_CONVENTIONS)
@pytest.mark.parametrize("n,d,seed", RIDGE_CASES)
def test_ridge_solution_is_a_stationary_point_with_positive_definite_hessian(derived, convention, n, d, seed):
    pick, objective, _ = RIDGE_CONVENTIONS[convention]
    X, t, lam = ridge_instance(n, d, seed)
    w = evaluate(value_of(pick(derived("ridge-fgm")["1.2.2"])), n=n, d=d, X=X, t=t, **{"lambda": lam})
    assert w.shape == (d, 1), f"the ridge solution should be a {d}x1 vector, got shape {w.shape}"
    f = objective(X, t, lam)
    grad = numeric_gradient(f, w)
    scale = np.linalg.norm(numeric_gradient(f, np.zeros((d, 1)))) + 1.0
    assert np.linalg.norm(grad) < 1e-7 * scale, (
        f"[{convention}] the objective's numerical gradient at the derived w is {grad.ravel()}, not 0 "
        f"(n={n}, d={d}, λ={lam:.3f})")
    eigenvalues = np.linalg.eigvalsh(numeric_hessian(f, w))
    assert eigenvalues.min() > 1e-6, f"[{convention}] Hessian eigenvalues {eigenvalues} are not all positive"


@pytest.mark.parametrize("convention", RIDGE_CONVENTIONS)
@pytest.mark.parametrize("n,d,seed", RIDGE_CASES)
def test_ridge_solution_matches_least_squares_on_augmented_system(derived, convention, n, d, seed):
    pick, objective, lstsq = RIDGE_CONVENTIONS[convention]
    X, t, lam = ridge_instance(n, d, seed)
    w = evaluate(value_of(pick(derived("ridge-fgm")["1.2.2"])), n=n, d=d, X=X, t=t, **{"lambda": lam})
    reference = lstsq(X, t, lam)
    np.testing.assert_allclose(w, reference, rtol=1e-9, atol=1e-12,
                               err_msg=f"[{convention}] derived ridge solution differs from numpy's lstsq")
    f = objective(X, t, lam)
    rng = np.random.default_rng(seed + 100)
    for _ in range(50):
        other = w + rng.normal(scale=0.1, size=w.shape)
        assert f(w) <= f(other) + 1e-12, f"[{convention}] a perturbed w has a lower objective"


@pytest.mark.parametrize("seed", range(4))
def test_fgm_attacked_logit_matches_direct_computation(derived, seed):
    rng = np.random.default_rng(seed)
    d = 4
    w, x = rng.normal(size=(d, 1)), rng.normal(size=(d, 1))
    eps = float(rng.uniform(0.05, 2.0))

    def logit(v):
        return (w.T @ v).item()

    x_adv = x - eps * numeric_gradient(logit, x)
    derived_value = evaluate(derived("ridge-fgm")["1.1.2"].answer, d=d, w=w, x=x, epsilon=eps)
    assert derived_value == pytest.approx(logit(x_adv), rel=1e-9, abs=1e-12), (
        f"f(x - ε∇f) is {logit(x_adv)} numerically but the derived formula gives {derived_value}")


def attacked_1d_output(x, t, lam, eps):
    """Train the 1-D ridge model on (x, t) from scratch, attack x with FGM step ε, score x'."""
    objective = lambda w: 0.5 * (x * w - t) ** 2 + lam * w ** 2  # noqa: E731
    scale = abs(t / x) + 1.0
    w_star = parabola_vertex(objective, -scale, 0.0, scale)
    grad_x = (w_star * (x + 1e-6) - w_star * (x - 1e-6)) / 2e-6  # ∇ₓ of the logit w* x
    x_adv = x - eps * grad_x
    return w_star * x_adv, w_star * x


@pytest.mark.parametrize("seed", range(6))
def test_fgm_step_drives_the_1d_ridge_output_to_zero(derived, seed):
    rng = np.random.default_rng(seed)
    x = float(rng.choice([-1, 1]) * rng.uniform(0.2, 3.0))
    t = float(rng.uniform(0.1, 3.0))
    lam = float(rng.uniform(0.05, 2.0))
    eps = float(evaluate(value_of(derived("ridge-fgm")["1.2.3"].answer), x=x, t=t, **{"lambda": lam}))
    assert eps > 0, f"ε = {eps} should be positive for t = {t} > 0"
    attacked, clean = attacked_1d_output(x, t, lam, eps)
    assert abs(attacked) < 1e-6 * (abs(clean) + 1.0), (
        f"with ε = {eps} the attacked output is {attacked} (clean output {clean}); x={x}, t={t}, λ={lam}")


@pytest.mark.parametrize("lam", [0.05, 0.5, 2.0, 10.0])
def test_fgm_step_grows_with_weight_decay_for_positive_target(derived, lam):
    answer = value_of(derived("ridge-fgm")["1.2.3"].answer)
    x, t, h = 0.7, 1.3, 1e-4
    lower = float(evaluate(answer, x=x, t=t, **{"lambda": lam}))
    upper = float(evaluate(answer, x=x, t=t, **{"lambda": lam + h}))
    assert upper > lower, f"ε(λ) should increase with λ for t > 0: ε({lam}) = {lower}, ε({lam + h}) = {upper}"


def _is_t_positive(relation) -> bool:
    if not isinstance(relation, (sympy.StrictGreaterThan, sympy.StrictLessThan)):
        return False
    big, small = relation.gts, relation.lts
    return isinstance(big, Symbol) and big.name == "t" and small == 0


def test_fgm_step_notes_state_that_target_must_be_positive(derived):
    notes = derived("ridge-fgm")["1.2.3"].notes
    assert any(_is_t_positive(n.math) for n in notes), (
        "no note of part 1.2.3 carries the condition t > 0; notes: "
        + "; ".join(f"{n.kind}: {n.text} [{n.math}]" for n in notes))


# == dropout-gaussian =======================================================================

def dropout_expected_squared_error(p: Fraction, w, x, t: Fraction) -> Fraction:
    """E[(ỹ − t)²] by exact enumeration of all 2^D dropout masks."""
    total = Fraction(0)
    for mask in itertools.product((0, 1), repeat=len(w)):
        kept = sum(mask)
        prob = p ** kept * (1 - p) ** (len(w) - kept)
        y = sum(m * wj * xj for m, wj, xj in zip(mask, w, x)) / p
        total += prob * (y - t) ** 2
    return total


def gaussian_expected_squared_error(sigma: float, w, x, t) -> float:
    """E[(ỹ − t)²] for ỹ = Σ (1 + π_j) w_j x_j, π_j ~ N(0, σ²) independent: ỹ is Gaussian with
    mean Σ w_j x_j and variance σ² Σ (w_j x_j)², so the error is bias² + variance."""
    terms = [float(wj) * float(xj) for wj, xj in zip(w, x)]
    return (sum(terms) - float(t)) ** 2 + sigma ** 2 * sum(c * c for c in terms)


DROPOUT_CASES = [(1, Fraction(1, 2), 0), (3, Fraction(1, 3), 1), (4, Fraction(4, 5), 2), (6, Fraction(9, 10), 3)]


@pytest.mark.parametrize("D,p,seed", DROPOUT_CASES)
def test_dropout_expected_squared_error_matches_exact_enumeration(derived, D, p, seed):
    rng = np.random.default_rng(seed)
    w, x = random_fractions(rng, D), random_fractions(rng, D)
    t = random_fractions(rng, 1)[0]
    exact = dropout_expected_squared_error(p, w, x, t)
    got = evaluate(value_of(derived("dropout-gaussian")["3.1"].answer), d=D, p=p, t=t, w=w, x=x)
    assert got == sympy.Rational(exact.numerator, exact.denominator), (
        f"derived E[(ỹ−t)²] = {got}, enumeration over 2^{D} masks gives {exact} (p={p}, w={w}, x={x}, t={t})")


@pytest.mark.parametrize("p", [Fraction(1, 10), Fraction(1, 3), Fraction(1, 2), Fraction(3, 4), Fraction(19, 20)])
def test_gaussian_noise_level_matches_dropout_error(derived, p):
    rng = np.random.default_rng(int(p * 100))
    D = 4
    w, x = random_fractions(rng, D, nonzero=True), random_fractions(rng, D, nonzero=True)
    t = random_fractions(rng, 1)[0]
    sigma = float(evaluate(value_of(derived("dropout-gaussian")["3.2"].answer), p=p))
    assert sigma > 0, f"σ({p}) = {sigma} should be positive"
    dropout = float(dropout_expected_squared_error(p, w, x, t))
    gaussian = gaussian_expected_squared_error(sigma, w, x, t)
    assert gaussian == pytest.approx(dropout, rel=1e-12), (
        f"with σ({p}) = {sigma}, Gaussian noise gives E[(ỹ−t)²] = {gaussian} but dropout gives {dropout}")


def test_dropout_monte_carlo_agrees_with_derived_error(derived):
    """A sampling check for a size where enumeration would still work, as a second opinion."""
    rng = np.random.default_rng(7)
    D, p, n = 5, 0.6, 200_000
    w, x, t = rng.normal(size=D), rng.normal(size=D), float(rng.normal())
    masks = rng.random((n, D)) < p
    errors = ((masks * (w * x)).sum(axis=1) / p - t) ** 2
    got = evaluate(value_of(derived("dropout-gaussian")["3.1"].answer), d=D, p=p, t=t, w=list(w), x=list(x))
    stderr = errors.std() / np.sqrt(n)
    assert abs(errors.mean() - got) < 5 * stderr, (
        f"Monte-Carlo E[(ỹ−t)²] = {errors.mean():.5f} ± {stderr:.5f}, derived {got:.5f}")


# == trust-region ===========================================================================

TRUST_CASES = [(2, 0), (3, 1), (5, 2), (8, 3)]  # (d, seed)


def trust_instance(d, seed):
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(d, 1))
    g[np.abs(g) < 0.05] = 0.5  # the box answer is unique only for nonzero coordinates
    return rng, g, rng.normal(size=(d, 1)), float(rng.uniform(0.1, 2.0))


@pytest.mark.parametrize("d,seed", TRUST_CASES)
def test_ball_step_is_on_the_sphere_and_beats_every_feasible_step(derived, d, seed):
    rng, g, theta_t, eps = trust_instance(d, seed)
    theta = evaluate(value_of(derived("trust-region")["1a"].answer), d=d, g=g, theta_t=theta_t, epsilon=eps)
    step = theta - theta_t
    assert np.linalg.norm(step) == pytest.approx(eps, rel=1e-12), f"‖θ−θᵗ‖ = {np.linalg.norm(step)}, radius {eps}"
    best = (g.T @ step).item()
    directions = rng.normal(size=(d, 4000))
    directions /= np.linalg.norm(directions, axis=0)
    radii = eps * rng.random(4000) ** (1 / d)
    radii[:1000] = eps  # a quarter of the samples on the boundary, where the optimum lies
    values = g.ravel() @ (directions * radii)
    assert best <= values.min() + 1e-12, f"a feasible δ gives gᵀδ = {values.min()} < {best} (derived)"
    np.testing.assert_allclose(step, -eps * g / np.linalg.norm(g), rtol=1e-12, atol=1e-14,
                               err_msg="the ball step is not −ε g/‖g‖")


@pytest.mark.parametrize("d,seed", TRUST_CASES)
def test_box_step_attains_the_box_minimum_at_a_vertex(derived, d, seed):
    rng, g, theta_t, eps = trust_instance(d, seed)
    theta = evaluate(value_of(derived("trust-region")["1b"].answer), d=d, g=g, theta_t=theta_t, epsilon=eps)
    step = theta - theta_t
    vertex_minimum = min(float(g.ravel() @ (eps * np.array(signs)))
                         for signs in itertools.product((-1.0, 1.0), repeat=d))
    assert vertex_minimum == pytest.approx(-eps * np.abs(g).sum(), rel=1e-12)
    assert (g.T @ step).item() == pytest.approx(vertex_minimum, rel=1e-12), (
        f"gᵀ(θ−θᵗ) = {(g.T @ step).item()} but the minimum over the box is {vertex_minimum}")
    np.testing.assert_allclose(np.abs(step), eps, rtol=1e-12,
                               err_msg="every coordinate of the box step should move by exactly ε")
    inside = eps * rng.uniform(-1, 1, size=(d, 2000))
    assert (g.T @ step).item() <= (g.ravel() @ inside).min() + 1e-12


# == optimal-lr =============================================================================

LR_CASES = [(5, 3, 0), (3, 5, 1), (8, 2, 2)]  # (n, d, seed)


def lr_instance(n, d, seed):
    rng = np.random.default_rng(seed)
    X, t, w0 = rng.normal(size=(n, d)), rng.normal(size=(n, 1)), rng.normal(size=(d, 1))

    def loss(w):
        return float(np.sum((X @ w - t) ** 2) / n)

    def after_step(eta):
        return w0 - eta * numeric_gradient(loss, w0)

    return X, t, w0, loss, after_step


@pytest.mark.parametrize("n,d,seed", LR_CASES)
@pytest.mark.parametrize("eta", [0.0, 0.01, 0.3])
def test_one_gradient_step_matches_numpy(derived, n, d, seed, eta):
    X, t, w0, loss, after_step = lr_instance(n, d, seed)
    w1 = evaluate(value_of(derived("optimal-lr")["2.2.1a"].answer), n=n, d=d, X=X, t=t, w0=w0, eta=eta)
    np.testing.assert_allclose(w1, after_step(eta), rtol=1e-7, atol=1e-9,
                               err_msg=f"w₁ differs from a numpy gradient step with η = {eta}")


@pytest.mark.parametrize("n,d,seed", LR_CASES)
@pytest.mark.parametrize("eta", [0.0, 0.05, 0.2, 1.0])
def test_loss_after_one_step_matches_numpy(derived, n, d, seed, eta):
    X, t, w0, loss, after_step = lr_instance(n, d, seed)
    L1 = evaluate(value_of(derived("optimal-lr")["2.2.1b"].answer), n=n, d=d, X=X, a=X @ w0 - t, eta=eta)
    assert L1 == pytest.approx(loss(after_step(eta)), rel=1e-7), (
        f"L₁({eta}) derived {L1}, numpy {loss(after_step(eta))}")


@pytest.mark.parametrize("n,d,seed", LR_CASES)
def test_optimal_learning_rate_minimises_numpy_loss_after_one_step(derived, n, d, seed):
    X, t, w0, loss, after_step = lr_instance(n, d, seed)
    eta_star = float(evaluate(value_of(derived("optimal-lr")["2.2.3"].answer), n=n, d=d, X=X, a=X @ w0 - t))
    L1 = lambda eta: loss(after_step(eta))  # noqa: E731
    vertex = parabola_vertex(L1, 0.0, 0.5, 1.0)
    assert eta_star == pytest.approx(vertex, rel=1e-6), f"η* derived {eta_star}, numpy vertex {vertex}"
    for h in (1e-3, 1e-2, 1e-1):
        assert L1(eta_star) <= min(L1(eta_star - h), L1(eta_star + h)), f"L₁ is lower at η* ± {h}"


# == relu-init ==============================================================================

def simulated_preactivation(M, lam, eps, samples=400_000, seed=0):
    """Σ_j w_j relu(a_j) with a_j ~ N(0, λ²), w_j ~ N(0, ε²), all independent."""
    rng = np.random.default_rng(seed)
    out = np.empty(samples)
    chunk = 50_000
    for start in range(0, samples, chunk):
        k = min(chunk, samples - start)
        a = rng.normal(0.0, lam, size=(k, M))
        w = rng.normal(0.0, eps, size=(k, M))
        out[start:start + k] = (w * np.maximum(a, 0.0)).sum(axis=1)
    return out


@pytest.mark.parametrize("M,lam", [(4, 0.5), (16, 2.0)])
def test_relu_init_scale_keeps_preactivation_variance(derived, M, lam):
    eps = float(evaluate(value_of(derived("relu-init")["3.1a"].answer), M=M, **{"lambda": lam}))
    sample = simulated_preactivation(M, lam, eps)
    ratio = sample.var() / lam ** 2
    # kurtosis of the sum is below 20, so the relative standard error is under 0.7 %
    assert ratio == pytest.approx(1.0, abs=0.03), f"with ε = {eps} the variance is {ratio:.4f} λ², not λ²"
    assert abs(sample.mean()) < 5 * sample.std() / np.sqrt(sample.size), "the pre-activation mean is not 0"
    doubled = simulated_preactivation(M, lam, 2 * eps, seed=1).var() / lam ** 2
    assert doubled > 3.5, f"with 2ε the variance should be about 4λ², got {doubled:.3f} λ²"


# == every problem ==========================================================================

def all_steps(steps):
    for s in steps:
        yield s
        yield from all_steps(s.substeps)


@pytest.mark.parametrize("problem_id", PROBLEM_IDS)
def test_every_step_is_certified(derived, problem_id):
    parts = derived(problem_id)
    assert parts, f"{problem_id} derived no parts"
    for pid, part in parts.items():
        assert part.steps, f"{problem_id} {pid} has no steps"
        groups = [("", part.steps)] + [(f" (variant '{v.name}')", v.steps) for v in part.variants]
        for where, steps in groups:
            for step in all_steps(steps):
                assert step.certified_by.strip(), f"{problem_id} {pid}{where}: step '{step.rule}' is not certified"


def test_every_spec_part_is_derived(derived):
    for problem_id in PROBLEM_IDS:
        spec = load_spec(PROBLEMS_DIR / f"{problem_id}.yaml")
        assert list(derived(problem_id)) == [p.id for p in spec.parts]


def test_derive_verify_passes_for_every_problem():
    result = CliRunner().invoke(main, ["verify"])
    assert result.exit_code == 0, f"derive verify failed:\n{result.output}"
    assert result.output.strip().splitlines()[-1].endswith(" 0 failed"), result.output

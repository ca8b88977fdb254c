"""Are two expressions (or two equations) the same mathematics? One API for the engine's step
certification and for the student checker.

Each check substitutes random concrete instances (``sampling.py``) and evaluates both sides
exactly (``numeric.py``): matrices of random sizes with n ≠ d, exact rationals, scalars from
their declared domains. A mismatch is returned as a ``Counterexample`` a person can re-check by
hand. Where it is cheap, a symbolic proof is tried first.
"""
from __future__ import annotations

import operator
import random
from dataclasses import dataclass, field, replace
from fractions import Fraction

from .errors import DeriveError
from .holding import fixed_parts, holding
from .numeric import EvalError, Evaluator, Mat, Singular, all_close, div, is_zero, mat, show

TRIALS = 6
MAX_ATTEMPTS = 40
WHERE_ATTEMPTS = 200
def _comparing(op):
    """``op`` on two numbers, a Fraction against an mpmath value (σ(z) is one) made an mpf first:
    the two types do not compare with each other."""
    def compare(a, b):
        import mpmath

        if isinstance(a, Fraction) and not isinstance(b, (Fraction, int)):
            a = mpmath.mpf(a.numerator) / a.denominator
        if isinstance(b, Fraction) and not isinstance(a, (Fraction, int)):
            b = mpmath.mpf(b.numerator) / b.denominator
        return op(a, b)
    return compare


COMPARE = {"<=": _comparing(operator.le), ">=": _comparing(operator.ge), "<": _comparing(operator.lt), ">": _comparing(operator.gt)}
MAX_NODES = 4000


class TooLarge(DeriveError):
    """An expression grew past what a comparison can afford."""


def _larger_than(expr, limit: int) -> bool:
    """Has ``expr`` more than ``limit`` nodes? Stops counting as soon as it has."""
    from sympy import preorder_traversal

    for n, _ in enumerate(preorder_traversal(expr), 1):
        if n > limit:
            return True
    return False


@dataclass(frozen=True)
class Counterexample:
    values: dict                    # symbol name -> value shown as text
    left: str
    right: str

    def describe(self) -> str:
        vals = ", ".join(f"{k} = {v}" for k, v in self.values.items())
        return f"with {vals}: the left side is {self.left} and the right side is {self.right}"


@dataclass(frozen=True)
class Verdict:
    status: str                     # "equivalent" | "equivalent-under" | "not-equivalent" | "unknown"
    method: str = ""
    condition: str = ""             # for equivalent-under: e.g. "p > 0"
    counterexample: Counterexample | None = None
    reason: str = ""                # for unknown / not-equivalent without a counterexample
    trials: int = 0

    @property
    def ok(self) -> bool:
        return self.status in ("equivalent", "equivalent-under")


@dataclass
class Context:
    """What equivalence needs to know: the symbol table and the definitions in force."""

    table: object
    definitions: dict = field(default_factory=dict)   # SymPy symbol -> expression
    seed: int = 0
    trials: int = TRIALS
    held: set = field(default_factory=set)   # symbols whose definitions are values of variables
    distinct: tuple = ()                     # pairs of index symbols that must differ ("k ≠ l")

    def expand_definitions(self, expr):
        """``expr`` with the definitions substituted until none is left (at most 12 rounds).

        Definitions come from specs and from students' own lines, so a chain of them can grow
        without bound (``p = z q``, ``q = p p``): past ``MAX_NODES`` nodes this raises
        ``TooLarge`` and the caller says ``unknown`` rather than running for minutes."""
        if self.definitions:
            expr = self._derivatives_first(expr)
        for _ in range(12):
            new = expr.xreplace(self.definitions) if self.definitions else expr
            if new == expr:
                return new
            if _larger_than(new, MAX_NODES):
                raise TooLarge("the definitions in force expand this expression past "
                               f"{MAX_NODES:,} terms; too large to compare")
            expr = new
        return expr

    def _derivatives_first(self, expr):
        """d/dw f and ∇_w f where w, or a variable in f, also has a value (w = xt/(x² + 2λ) from
        an earlier part; w₂ = 1 − w₁ under ∂𝓛/∂w₁): a derivative holds its variables and the
        ``held`` symbols fixed, so it is taken first, with only the other definitions (names for
        expressions) substituted, and the values come in afterwards."""
        from sympy import Derivative, Dummy, MatrixSymbol

        from .expr.objects import Grad

        defs = self.definitions
        held = {s for s in defs if s in self.held}
        atoms = getattr(expr, "atoms", None)
        if atoms is None:
            return expr

        def concerned(variables, body):
            return any(v in defs for v in variables) or (held and body.has(*held))

        replace = {}
        for d in atoms(Derivative):
            variables = {v for v, _ in d.variable_count}
            body = d.expr.args[0] if type(d.expr).__name__ == "Scalar" else d.expr
            if concerned(variables, d.expr) and not (body in held and not variables & set(defs)):
                # L₁'(η) differentiates L₁'s own definition; ∂𝓛/∂w₁ holds w₂ fixed
                try:
                    kept = (held - {body}) | variables      # dL₁/dη differentiates L₁'s own value
                    inner = self._through(self._without(kept), d.expr, variables, held)
                    replace[d] = Derivative(inner, *d.variable_count).doit()
                except Exception:  # noqa: BLE001 - SymPy cannot differentiate it: substitute as before
                    continue
        for g in atoms(Grad):
            if concerned({g.var}, g.expr):
                fresh = MatrixSymbol(Dummy("v"), *g.var.shape)
                body = self._without(held | {g.var}).expand_definitions(g.expr).xreplace({g.var: fresh})
                replace[g] = Grad(body, fresh, g.at)
        return expr.xreplace(replace) if replace else expr

    def _through(self, ctx, body, variables, held):
        """``body`` expanded, and written through a variable that names an expression of others
        where the expansion no longer shows it: ∂y₁/∂s₁ for s₁ := w₂a₁ and y₁ = σ(w₂a₁) is σ′(s₁),
        not 0. A variable that holds a value (a number, an earlier part's result) is left alone."""
        inner = ctx.expand_definitions(body)
        for v in variables:
            meaning = self.definitions.get(v)
            if meaning is None or v in held or getattr(v, "is_Matrix", False) or inner.has(v) \
                    or not getattr(meaning, "free_symbols", None) or getattr(meaning, "is_Symbol", False) \
                    or getattr(meaning, "is_Matrix", False):
                continue
            meaning = ctx.expand_definitions(meaning)
            if inner.has(*meaning.free_symbols):
                inner = inner.subs(meaning, v)
        return inner

    def _without(self, symbols) -> "Context":
        return Context(self.table, {k: v for k, v in self.definitions.items() if k not in symbols}, self.seed)

    def evaluator(self, env):
        from .moments import make_moments

        return Evaluator(env, make_moments(self.table))

    def instances(self, exprs, positive=frozenset(), attempts: int = 0):
        """Yield (env, shown) random instances for the free symbols of ``exprs`` (at most
        ``attempts`` of them, MAX_ATTEMPTS by default)."""
        from .sampling import instances

        extra = set()
        for e in exprs:
            extra |= {s for s in getattr(e, "free_symbols", ()) if s.is_Symbol}
        for env, shown in instances(self.table, self.seed, sorted(extra, key=str), positive, attempts or MAX_ATTEMPTS):
            if any(env.get(a) is not None and env.get(a) == env.get(b) for a, b in self.distinct):
                continue                    # "for k ≠ l": an instance with k = l is not admissible
            yield env, shown


def _relevant(shown: dict, exprs) -> dict:
    """Only the symbols that occur in ``exprs`` (with dims), shown as text."""
    from sympy import Indexed, MatrixSymbol

    names = set()
    for e in exprs:
        for s in getattr(e, "free_symbols", ()):
            names.add(str(getattr(s, "label", s)))
            if isinstance(s, MatrixSymbol):
                for dim in s.shape:
                    names |= {str(x) for x in getattr(dim, "free_symbols", ())}

    for e in exprs:
        for atom in e.atoms(Indexed) if hasattr(e, "atoms") else ():
            names.add(str(atom.base.label))
    return {k: show(v) if not isinstance(v, dict) else "(" + ", ".join(show(x) for x in v.values()) + ")"
            for k, v in shown.items() if k in names}


def same_value(a, b, ctx: Context, symbolic: bool = True) -> Verdict:
    """Do expressions ``a`` and ``b`` take the same value at every admissible instance?"""
    a, b = ctx.expand_definitions(a), ctx.expand_definitions(b)
    if getattr(a, "is_Matrix", False) != getattr(b, "is_Matrix", False) and 0 in (a, b):
        from sympy import ZeroMatrix      # w₀ = 0 = Xᵀ0: a bare 0 is the zero of the other side's shape

        a, b = (ZeroMatrix(*b.shape), b) if a == 0 else (a, ZeroMatrix(*a.shape))
    if symbolic and _symbolic_zero(a, b):
        return Verdict("equivalent", "symbolic", trials=0)
    verdict = _numeric_compare(a, b, ctx)
    if verdict.status == "not-equivalent":
        under = _holds_under_positivity(a, b, ctx)
        if under:
            return Verdict("equivalent-under", verdict.method, condition=under, trials=verdict.trials)
    return verdict


def _trials(ctx: Context, exprs, judge, success: str, positive=frozenset(), attempts: int = 0) -> Verdict:
    """Run ``judge(env, evaluator, shown)`` on random instances until ``ctx.trials`` agree.

    ``judge`` returns None when the instance agrees, or a decisive ``Verdict``; a singular
    instance (``Singular``) is skipped and redrawn; an expression that cannot be evaluated makes
    the verdict 'unknown'; one outside a function's domain at this instance (the log of a
    negative) is skipped, and the verdict is then decisive only where both sides were defined
    and differ, never 'equivalent'. ``success`` is formatted with ``n``, the number of instances."""
    done, skipped, undefined = 0, "", None
    for env, shown in ctx.instances(exprs, positive, attempts):
        try:
            outcome = judge(env, ctx.evaluator(env), shown)
        except Singular as e:
            skipped = str(e)
            continue
        except EvalError as e:
            if not str(e).startswith(_OUTSIDE_DOMAIN):
                return Verdict("unknown", reason=f"cannot evaluate: {e}")
            undefined = undefined or Verdict("unknown", reason=f"cannot evaluate: {e}")
            continue                    # log of a negative here: an instance where both are defined may still differ
        except (ZeroDivisionError, OverflowError, TypeError, ValueError) as e:
            skipped = str(e)
            continue
        if outcome is not None:
            if undefined is not None and outcome.method == SHAPES_DIFFER:
                break                   # w_k, an entry, against a vector once k is whole: no comparison at all
            return replace(outcome, trials=done + 1)
        done += 1
        if done >= ctx.trials:
            break
    if undefined is not None:
        return replace(undefined, trials=done)     # never 'equivalent' past an instance outside the domain
    if done >= ctx.trials:
        return Verdict("equivalent", success.format(n=done), trials=done)
    return Verdict("unknown", reason=f"no admissible instance could be evaluated ({skipped or 'all singular'})", trials=done)


SHAPES_DIFFER = "numeric: the two sides have different shapes"
# numeric.py's messages for a value outside a function's domain (the instance, not the expression, is at fault)
_OUTSIDE_DOMAIN = ("log of a non-positive number", "square root of a negative number", "logit outside")


def holds_everywhere(a, b, op: str, ctx: Context) -> bool:
    """Does ``a op b`` (op one of < <= > >=) hold at every admissible random instance?"""
    compare = COMPARE[op]
    a, b = ctx.expand_definitions(a), ctx.expand_definitions(b)

    def judge(env, ev, shown):
        va, vb = ev.eval(a), ev.eval(b)
        if isinstance(va, Mat) or isinstance(vb, Mat):
            raise EvalError("not a scalar inequality")
        return None if compare(va, vb) else Verdict("not-equivalent")

    return _trials(ctx, [a, b], judge, "holds at {n} random instances").status == "equivalent"


def _admissible(symbol, value) -> bool:
    """Does ``value`` respect the sign the symbol is declared with?"""
    return not ((symbol.is_positive and value <= 0) or (symbol.is_nonnegative and value < 0)
                or (symbol.is_negative and value >= 0) or (symbol.is_nonpositive and value > 0))


def same_condition(first: tuple, second: tuple, ctx: Context) -> Verdict:
    """Do two conditions (lhs, op, rhs) hold at exactly the same random instances? The answer of
    a ``condition`` goal against a student's rearranged inequality (α² a − 2αλ < 0 ⇔ α < 2λ/a)."""
    compare = COMPARE
    sides = [ctx.expand_definitions(x) for x in (first[0], first[2], second[0], second[2])]

    unknown = sides[2] if getattr(sides[2], "is_Symbol", False) and not sides[3].has(sides[2]) else None

    def truth(ev):
        values = [ev.eval(x) for x in sides]
        if any(isinstance(v, Mat) for v in values):
            raise EvalError("a condition between matrices")
        return compare[first[1]](values[0], values[1]), compare[second[1]](values[2], values[3])

    def judge(env, ev, shown):
        trials = [env]
        if unknown is not None and unknown in env:     # u < bound: also just inside and outside the bound
            bound = ev.eval(sides[3])
            if not isinstance(bound, Mat):
                step = Fraction(1, 10) * (abs(Fraction(bound)) + 1) if isinstance(bound, (int, Fraction)) else 0.1 * (abs(bound) + 1)
                trials += [{**env, unknown: bound + k * step} for k in (-1, 1, -5, 5) if _admissible(unknown, bound + k * step)]
        for at in trials:
            one, two = truth(ctx.evaluator(at))
            if one != two:
                shown = {**shown, str(unknown): show(at[unknown])} if at is not env else shown
                return Verdict("not-equivalent", "numeric: one condition holds where the other does not",
                               counterexample=Counterexample(_relevant(shown, sides), str(one).lower(), str(two).lower()))
        return None

    return _trials(ctx, sides, judge, "numeric: {n} random instances")


def same_value_where(a, b, conditions, ctx: Context) -> Verdict:
    """Do ``a`` and ``b`` agree at every random instance where the conditions (lhs, op, rhs) all
    hold (``∂a/∂z = 1 when z > 0``)? ``conditions`` is one such triple or a list of them;
    instances outside them are redrawn."""
    compare = COMPARE
    conditions = [conditions] if isinstance(conditions, tuple) else list(conditions)
    a, b = ctx.expand_definitions(a), ctx.expand_definitions(b)
    sides = [(ctx.expand_definitions(l), op, ctx.expand_definitions(r)) for l, op, r in conditions]

    def judge(env, ev, shown):
        for lhs, op, rhs in sides:
            cl, cr = ev.eval(lhs), ev.eval(rhs)
            if isinstance(cl, Mat) or isinstance(cr, Mat):
                raise EvalError("the condition is not a scalar inequality")
            if not compare[op](cl, cr):
                raise Singular("outside the stated condition")
        va, vb = ev.eval(a), ev.eval(b)
        if all_close(va, vb):
            return None
        return Verdict("not-equivalent", "numeric: differs where the condition holds",
                       counterexample=Counterexample(_relevant(shown, [a, b]), show(va), show(vb)))

    exprs = [a, b] + [x for lhs, _, rhs in sides for x in (lhs, rhs)]
    return _trials(ctx, exprs, judge, "numeric: {n} random instances where the condition holds",
                   attempts=WHERE_ATTEMPTS)         # a condition such as w > τν may hold at few instances


def _numeric_compare(a, b, ctx: Context, positive=frozenset()) -> Verdict:
    def judge(env, ev, shown):
        va, vb = ev.eval(a), ev.eval(b)
        if all_close(va, vb):
            return None
        ce = Counterexample(_relevant(shown, [a, b]), show(va), show(vb))
        method = "numeric: differs at a random instance" if _shape_of(va) == _shape_of(vb) else SHAPES_DIFFER
        return Verdict("not-equivalent", method, counterexample=ce)

    return _trials(ctx, [a, b], judge, "numeric: {n} random instances (exact)", positive)


def _shape_of(value) -> tuple:
    return value.shape if isinstance(value, Mat) and value.shape != (1, 1) else (1, 1)


def _holds_under_positivity(a, b, ctx: Context) -> str:
    """If a = b fails in general but holds when some scalars are positive, name them."""
    scalars = sorted({str(s) for e in (a, b) for s in e.free_symbols if s.is_Symbol and not s.is_positive
                      and getattr(s, "is_integer", False) is not True})
    if not scalars or len(scalars) > 6:
        return ""
    if _numeric_compare(a, b, ctx, positive=frozenset(scalars)).status != "equivalent":
        return ""
    for name in scalars:  # a single variable's sign is the usual culprit
        if _numeric_compare(a, b, ctx, positive=frozenset([name])).status == "equivalent":
            return f"{name} > 0"
    return " and ".join(f"{n} > 0" for n in scalars)


def _symbolic_zero(a, b) -> bool:
    """A cheap symbolic proof for plain scalar algebra; False means 'not proven', not 'different'."""
    from sympy import Derivative, Subs, cancel, count_ops

    from .expr.objects import E, Scalar, Var

    for e in (a, b):
        if not getattr(e, "is_commutative", False) or getattr(e, "is_Matrix", False):
            return False
        if e.has(E, Var, Scalar, Subs, Derivative) or count_ops(e) > 60:   # cancel() crawls through Subs
            return False
        if any(p.exp.is_Number and abs(p.exp) > 8 for p in e.atoms(__import__("sympy").Pow)):
            return False
    try:
        return cancel(a - b) == 0
    except Exception:  # noqa: BLE001 - a failed proof attempt just falls back to numbers
        return False


def residual(eq):
    """lhs - rhs of an equation, as a SymPy expression (matrix or scalar)."""
    from sympy import MatAdd, MatMul, ZeroMatrix

    lhs, rhs = eq.lhs, eq.rhs
    if getattr(lhs, "is_Matrix", False) != getattr(rhs, "is_Matrix", False):
        from .rules.calculus import scalar_if_1x1   # uᵀw = 1: a 1×1 product against a scalar

        lhs, rhs = (scalar_if_1x1(x) for x in (lhs, rhs))
    if getattr(lhs, "is_Matrix", False) or getattr(rhs, "is_Matrix", False):
        if rhs == 0 or isinstance(rhs, ZeroMatrix):
            return lhs
        if lhs == 0 or isinstance(lhs, ZeroMatrix):
            return MatMul(-1, rhs)
        return MatAdd(lhs, MatMul(-1, rhs))
    return lhs - rhs


def same_solutions(eq1, eq2, unknown, ctx: Context) -> Verdict:
    """Do two equations in ``unknown`` have the same (unique) solution at every instance?

    Both residuals must be affine in the unknown (checked); each is solved exactly."""
    r1, r2 = ctx.expand_definitions(residual(eq1)), ctx.expand_definitions(residual(eq2))
    fixed = fixed_parts([r1, r2], [unknown])

    def judge(env, ev, shown):
        ev = holding(ev, fixed)             # only the unknown changes below
        s1, s2 = _solve_affine(r1, unknown, env, ev), _solve_affine(r2, unknown, env, ev)
        if s1 is None or s2 is None:
            return Verdict("unknown", reason="the equation is not linear in the unknown")
        if all_close(s1, s2):
            return None
        ce = Counterexample(_relevant(shown, [r1, r2]), f"{unknown} = {show(s1)}", f"{unknown} = {show(s2)}")
        return Verdict("not-equivalent", "numeric: solutions differ", counterexample=ce)

    return _trials(ctx, [r1, r2], judge, "numeric: same solution at {n} random instances (exact)")


def implied_by(eq1, eq2, unknown, ctx: Context) -> Verdict:
    """Does ``eq2`` hold at the solution of ``eq1`` (affine in ``unknown``)? An implication,
    e.g. multiplying an equation through by a vector."""
    r1, r2 = ctx.expand_definitions(residual(eq1)), ctx.expand_definitions(residual(eq2))
    fixed = fixed_parts([r1, r2], [unknown])

    def judge(env, ev, shown):
        ev = holding(ev, fixed)             # only the unknown changes below
        sol = _solve_affine(r1, unknown, env, ev)
        if sol is None:
            return Verdict("unknown", reason="the previous equation is not linear in the unknown")
        env[unknown] = sol
        res = ev.eval(r2)
        if _vanishes(res, r2, ev):
            return None
        ce = Counterexample(_relevant(shown, [r1, r2]), f"{unknown} = {show(sol)} leaves {show(res)}", "0")
        return Verdict("not-equivalent", "numeric: fails at the previous solution", counterexample=ce)

    return _trials(ctx, [r1, r2], judge, "numeric: holds at the previous equation's solution, {n} instances")


def _vanishes(v, r=None, ev=None) -> bool:
    """Is the evaluated residual ``v`` zero? Exact values must be 0. A float residual of a sum
    ``r`` is zero to 40 digits of its largest term (e^{θ₀}e^{−κg} − e^{θ₁} at 10¹⁸ leaves 10⁻³²)."""
    if all(is_zero(x) for row in _as_mat(v) for x in row):
        return True
    if r is None or not getattr(r, "is_Add", False) or isinstance(v, (Fraction, int, Mat)) or hasattr(v, "b"):
        return False
    from .numeric import _mp

    try:
        scale = max(abs(_mp(ev.eval(term))) for term in r.args)
    except Exception:  # noqa: BLE001 - a term that cannot be evaluated alone: keep the absolute test
        return False
    return abs(_mp(v)) <= max(1, scale) * _mp(10) ** -40


def _solve_affine(r, unknown, env, ev):
    """Solve r(u) = 0 where r is affine in u; None if r is not affine."""
    from .numeric import inverse, madd, mmul, mscale

    saved = env.get(unknown)
    is_vec = getattr(unknown, "is_Matrix", False)
    try:
        if is_vec:
            k = int(ev.eval(unknown.shape[0]))
            basis = [mat([[Fraction(int(i == j))] for i in range(k)]) for j in range(k)]
            zero = mat([[Fraction(0)] for _ in range(k)])
        else:
            basis, zero = [Fraction(1)], Fraction(0)
        env[unknown] = zero
        r0 = _as_mat(ev.eval(r))
        cols = []
        for e in basis:
            env[unknown] = e
            cols.append(madd(_as_mat(ev.eval(r)), mscale(Fraction(-1), r0)))
        M = mat([[c[i][0] for c in cols] for i in range(len(r0))])
        if M.shape[0] != M.shape[1]:
            return None
        sol = mmul(inverse(M), mscale(Fraction(-1), r0))
        env[unknown] = sol if is_vec else sol[0][0]
        if not all(is_zero(x) for row in _as_mat(ev.eval(r)) for x in row):
            return None  # not affine: the linear solution does not satisfy it
        # affinity check at a second point
        probe = mscale(Fraction(2), sol) if is_vec else sol * 2 + 1
        env[unknown] = probe
        lin = madd(mmul(M, probe if is_vec else mat([[probe]])), r0)
        if not all_close(_as_mat(ev.eval(r)), lin):
            return None
        return sol if is_vec else sol[0][0]
    finally:
        if saved is None:
            env.pop(unknown, None)
        else:
            env[unknown] = saved


def _as_mat(v) -> Mat:
    return v if isinstance(v, Mat) else mat([[v]])


def satisfies(eq, unknown, value, ctx: Context, check_domain: bool = True) -> Verdict:
    """Does ``unknown = value`` satisfy ``eq`` at every admissible instance? With
    ``check_domain``, an instance where the value breaks the unknown's own assumptions (sign,
    interval) is not admissible: the verdict then holds under that condition, and a value that
    never fits them is never certified."""
    r = ctx.expand_definitions(residual(eq))
    value = ctx.expand_definitions(value)
    outside_seen = []

    def judge(env, ev, shown):
        env[unknown] = ev.eval(value)
        outside = _outside_domain(unknown, env[unknown], ctx.table) if check_domain else ""
        if outside:
            outside_seen.append(outside)
            raise Singular(f"the value breaks {outside}")
        res = ev.eval(r)
        if _vanishes(res, r, ev):
            return None
        ce = Counterexample(_relevant(shown, [r, value]), f"residual {show(res)}", "0")
        return Verdict("not-equivalent", "numeric: substitution leaves a residual", counterexample=ce)

    verdict = _trials(ctx, [r, value], judge, "numeric: substituted back at {n} random instances (exact)")
    if outside_seen and verdict.status == "equivalent":
        return replace(verdict, status="equivalent-under", condition=f"the value satisfies {outside_seen[0]}")
    return verdict


def _outside_domain(unknown, value, table) -> str:
    """'' if a scalar value fits the unknown's declared sign and interval, else the assumption."""
    from .numeric import Mat, _mp

    if isinstance(value, Mat) or not getattr(unknown, "is_Symbol", False):
        return ""
    v = _mp(value.a if hasattr(value, "a") else value)
    for test, words in ((unknown.is_positive, "> 0"), (unknown.is_negative, "< 0"),
                        (unknown.is_nonnegative, "≥ 0"), (unknown.is_nonpositive, "≤ 0")):
        if test and not {"> 0": v > 0, "< 0": v < 0, "≥ 0": v >= 0, "≤ 0": v <= 0}[words]:
            return f"{unknown} {words}"
    info = table.get(str(unknown)) if table is not None and hasattr(table, "get") else None
    dom = getattr(info, "domain", None)
    if dom is not None and getattr(info, "obj", None) == unknown:
        lo, hi = dom.lower, dom.upper
        if lo is not None and (v < _mp(_frac(lo)) or dom.lower_open and v == _mp(_frac(lo))) or \
                hi is not None and (v > _mp(_frac(hi)) or dom.upper_open and v == _mp(_frac(hi))):
            return dom.describe(str(unknown))
    return ""


def _frac(r):
    return Fraction(int(r.p), int(r.q))


def proportional(eq1, eq2, ctx: Context, vary=()) -> Verdict:
    """Is lhs1 - rhs1 = c·(lhs2 - rhs2) for a nonzero c that does not depend on ``vary`` (the
    unknowns)? The same equation rescaled or rearranged. With nothing to vary, a scalar
    residual is proportional to any other at one point, so that case answers 'unknown'."""
    r1, r2 = ctx.expand_definitions(residual(eq1)), ctx.expand_definitions(residual(eq2))
    rng = random.Random(ctx.seed + 11)

    def judge(env, ev, shown):
        a, b = _as_mat(ev.eval(r1)), _as_mat(ev.eval(r2))
        if a.shape != b.shape:
            return Verdict("not-equivalent", reason="the equations have different shapes")
        if a.shape == (1, 1) and not vary:
            return Verdict("unknown", reason="a scalar equation needs its unknown to compare")
        c = _ratio(a, b)
        if c is not None and c != "zero" and vary:
            for sym in vary:  # the factor may depend on parameters, never on the unknowns
                env[sym] = _redraw(sym, env, rng, ctx.table)
            c2 = _ratio(_as_mat(ev.eval(r1)), _as_mat(ev.eval(r2)))
            if c2 is None or (c2 != "zero" and not all_close(c, c2)):
                c = None
        if c is not None:
            return None
        ce = Counterexample(_relevant(shown, [r1, r2]), f"lhs − rhs = {show(a)}", f"lhs − rhs = {show(b)}")
        return Verdict("not-equivalent", "numeric: residuals not proportional", counterexample=ce)

    return _trials(ctx, [r1, r2], judge, "numeric: proportional at {n} random instances (exact)")


def _ratio(a: Mat, b: Mat):
    """c with a = c·b (c ≠ 0), "zero" if both vanish, None if not proportional."""
    flat_a = [x for row in a for x in row]
    flat_b = [x for row in b for x in row]
    if len(flat_a) != len(flat_b):
        return None
    k = next((i for i, x in enumerate(flat_b) if not is_zero(x)), None)
    if k is None:
        return "zero" if all(is_zero(x) for x in flat_a) else None
    c = div(flat_a[k], flat_b[k])
    if is_zero(c) or not all(all_close(x, c * y) for x, y in zip(flat_a, flat_b)):
        return None
    return c


def _redraw(sym, env, rng, table=None):
    """A fresh value for an unknown, from its declared domain (x in (0, 1) stays there)."""
    from .sampling import scalar_value

    old = env.get(sym)
    if isinstance(old, Mat):
        return mat([[Fraction(rng.choice([-3, -2, -1, 1, 2, 3, 4, 5])) for _ in row] for row in old])
    info = table.get(str(sym)) if table is not None else None
    return scalar_value(rng, info if getattr(info, "obj", None) == sym else None, sym)

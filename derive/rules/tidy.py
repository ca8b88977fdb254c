"""Scalar simplification that treats sums, expectations and 1×1 products as atoms, so that
SymPy's rational-function algebra (cancel, factor) never reaches inside them."""
from __future__ import annotations


_TEXT: dict = {}
_TEXT_LIMIT = 50_000


def text(e) -> str:
    """``str(e)``, remembered: the rules sort candidates by their printed text (a tie-break that
    fixes the answer's form), and printing a large expression costs more than the rule. Equal
    SymPy expressions (structural equality, assumptions and number types included) print alike."""
    try:
        return _TEXT[e]
    except KeyError:
        pass
    except TypeError:             # not hashable
        return str(e)
    out = str(e)
    if len(_TEXT) >= _TEXT_LIMIT:
        _TEXT.clear()
    _TEXT[e] = out
    return out


def _atoms(e):
    from sympy import Sum, sign

    from ..expr.objects import E, Scalar, Var, norm1, norminf, relu

    return [a for a in e.atoms(Sum, E, Var, Scalar, relu, sign, norm1, norminf)]


def freeze(e):
    """Replace opaque subexpressions by dummies; returns (frozen, undo mapping)."""
    from sympy import Dummy

    mapping = {}
    for a in sorted(_atoms(e), key=lambda x: -len(text(x))):
        if a in mapping:
            continue
        mapping[a] = Dummy("z", real=True, nonnegative=True if getattr(a, "is_nonnegative", False) else None,
                           nonzero=True if getattr(a, "is_nonzero", False) else None)
    return e.xreplace(mapping), {v: k for k, v in mapping.items()}


def pull_constants_out_of_sums(e):
    """Σ_j c·f(j) → c·Σ_j f(j) for factors c free of j."""
    from sympy import Mul, Sum

    def rewrite(s):
        from sympy import Add

        body = s.function
        if len(s.limits) != 1:
            return s                                  # Σ over several indices: kept as written
        (var, lo, hi), = s.limits
        if isinstance(body, Add):                    # Σ(a + b) = Σa + Σb
            parts = [Sum(t, (var, lo, hi)) for t in body.args]
            return Add(*[rewrite(q) if isinstance(q, Sum) else q for q in parts])
        inside, outside = [], []
        for f in Mul.make_args(body):
            (inside if f.has(var) else outside).append(f)
        if not outside:
            return s
        if not inside:
            return Mul(*outside) * (hi - lo + 1)
        return Mul(*outside) * Sum(Mul(*inside), (var, lo, hi))

    return e.replace(lambda x: isinstance(x, Sum), rewrite)


def signs_simplified(e):
    """1/sgn(a) → sgn(a) and a·sgn(a) → |a| for a nonzero a (sgn(a) is ±1)."""
    from sympy import Abs, Mul, Pow, sign

    e = e.replace(lambda x: isinstance(x, Pow) and isinstance(x.base, sign) and x.exp == -1
                  and x.base.args[0].is_nonzero, lambda x: x.base)

    def absorb(m):
        args = list(m.args)
        for s_ in [a for a in args if isinstance(a, sign)]:
            if s_.args[0] in args:
                args.remove(s_)
                args.remove(s_.args[0])
                args.append(Abs(s_.args[0]))
        return Mul(*args)

    return e.replace(lambda x: isinstance(x, Mul) and any(isinstance(a, sign) and a.args[0] in x.args for a in x.args), absorb)


def tidy(e):
    """A compact form of a scalar expression: cancel, then factor if that is shorter.

    Remembered for the process: the rules tidy the same expressions again and again (832 calls
    over the bank, 359 distinct). The opaque parts are still frozen at every call, so the
    Dummies made, and with them every later Dummy's number and hash, are as before; a result
    whose rewriting made a Dummy of its own is not reused."""
    if getattr(e, "is_Matrix", False):
        return e
    e = _signs_and_sums(e)
    frozen, undo = freeze(e)            # always: the Dummies it makes number every later one
    try:
        return _TIDIED[e]
    except KeyError:
        pass
    except TypeError:                   # unhashable: tidied every time
        return _tidy_frozen(frozen, undo)
    from sympy import Dummy

    made = Dummy._count
    out = _tidy_frozen(frozen, undo)
    if Dummy._count == made:            # a result holding a Dummy made here is not reused
        if len(_TIDIED) >= _TIDIED_LIMIT:
            _TIDIED.clear()
        _TIDIED[e] = out
    return out


def _signs_and_sums(e):
    """``signs_simplified(pull_constants_out_of_sums(e))``, skipping each where it has nothing to
    rewrite: SymPy's ``replace`` rebuilds nothing when no node matches (the same object comes
    back), but walking the tree to find that out took about 1% of the bank. A sum or a sign in
    ``e`` is what either may rewrite; a sum's rewriting can make a sign only from one inside it."""
    from sympy import Sum, sign

    if not hasattr(e, "has"):
        return signs_simplified(pull_constants_out_of_sums(e))
    if e.has(Sum):
        e = pull_constants_out_of_sums(e)
    elif not e.has(sign):
        return e
    return signs_simplified(e)


_TIDIED: dict = {}      # expression (signs simplified, constants out of sums) -> tidy's result
_TIDIED_LIMIT = 20_000


def _tidy_frozen(frozen, undo):
    from sympy import cancel, count_ops, expand, factor

    candidates = [frozen]
    for f in (cancel, factor, expand):
        try:
            candidates.append(f(frozen))
        except Exception:  # noqa: BLE001 - a failed rewrite just keeps the other candidates
            pass
    return _shortest(candidates, count_ops).xreplace(undo)


def _shortest(candidates, count_ops):
    """The first candidate with the fewest operations, and of those the first with the shortest
    text: ``min`` by (operations, length), printing only the candidates tied on operations."""
    ops = [count_ops(c) for c in candidates]
    fewest = min(ops)
    tied = [c for c, n in zip(candidates, ops) if n == fewest]
    return tied[0] if len(tied) == 1 else min(tied, key=lambda c: len(text(c)))


def _unit_interval_symbols(e, table):
    """Symbols of ``e`` declared inside (0, 1), from the table or their own assumptions."""
    out = []
    for sym in e.free_symbols:
        info = table.get(str(sym)) if table is not None else None
        dom = getattr(info, "domain", None)
        if dom is not None and dom.lower == 0 and dom.upper == 1 and getattr(info, "obj", None) == sym:
            out.append(sym)
    return out


def log_odds(value, table=None):
    """log(v/(1 − v)) for a value v in (0, 1), simplified: each symbol a in (0, 1) is written as
    u/(1 + u) with u = a/(1 − a) > 0 while the logarithm is expanded, and log u is read back as
    logit(a). None when the logarithm does not expand into a sum."""
    from sympy import Dummy, cancel, expand_log, factor, log

    from ..expr.objects import logit

    from sympy.core.function import AppliedUndef

    units = _unit_interval_symbols(value, table)
    fresh = {a: Dummy(f"{a}_odds", positive=True) for a in units}
    opaque = {f: Dummy("f", real=True) for f in value.atoms(AppliedUndef)}   # f'(x⁰) stays whole
    value = value.xreplace(opaque)
    odds = factor(cancel((value / (1 - value)).xreplace({a: u / (1 + u) for a, u in fresh.items()})))
    if not odds.is_positive:
        return None
    lo = expand_log(log(odds), force=True)
    back = {log(u): logit(a) for a, u in fresh.items()}
    lo = lo.xreplace(back).xreplace({u: a / (1 - a) for a, u in fresh.items()})
    return lo.xreplace({d: f for f, d in opaque.items()})


def sigmoid_form(value, table=None):
    """A value in (0, 1) written as σ(L), L its log-odds: x⁰/(x⁰ + (1 − x⁰)e^c) → σ(logit(x⁰) − c).
    None when that is not simpler."""
    from sympy import count_ops, exp

    from ..expr.objects import sigmoid

    if not value.has(exp):
        return None
    lo = log_odds(value, table)
    if lo is None:
        return None
    result = sigmoid(lo)
    return result if count_ops(result) < count_ops(value) else None


def logits(e, table=None):
    """log a − log(1 − a) → logit(a) for a in (0, 1) (a σ(·) or a symbol declared in (0, 1));
    log(1/(1 − a)) counts as −log(1 − a). logit(σ(z)) is z. None when nothing changes."""
    from sympy import Add, cancel, log

    from ..expr.objects import logit, sigmoid

    units = set(_unit_interval_symbols(e, table)) | set(e.atoms(sigmoid))
    if not units or not e.has(log):
        return None
    terms = list(Add.make_args(e))

    def as_log_of(t):
        """(sign, a, complement) when t = ±log(a) or ±log(1 − a) for a unit a."""
        sign, core = (1, t) if not (t.could_extract_minus_sign() and isinstance(-t, log)) else (-1, -t)
        if not isinstance(core, log):
            return None
        arg = core.args[0]
        for a in units:
            if arg == a:
                return (sign, a, False)
            if cancel(arg - (1 - a)) == 0:
                return (sign, a, True)
            if cancel(arg - 1 / (1 - a)) == 0:
                return (-sign, a, True)
        return None

    parsed = [as_log_of(t) for t in terms]
    out, used = [], set()
    for i, p in enumerate(parsed):
        if i in used or p is None or p[2] or p[0] != 1:
            continue
        j = next((j for j, q in enumerate(parsed) if j not in used and j != i and q == (-1, p[1], True)), None)
        if j is not None:
            used |= {i, j}
            out.append(logit(p[1]))
    if not used:
        return None
    return Add(*out, *[t for k, t in enumerate(terms) if k not in used])

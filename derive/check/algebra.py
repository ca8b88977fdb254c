"""Small pieces of algebra the checker's moves share: names in an expression, isolating the
unknown, zero matrices, renaming a student's symbols, and comparing two scalar equations by
their roots."""
from __future__ import annotations

from ..equivalence import Verdict, proportional, residual, satisfies
from ..expr import ast as A
from ..expr.build import KNOWN_FUNCTIONS

def _solved_symbol(eq):
    """``v`` for an equation ``v = expr`` with expr free of v, else None."""
    from sympy import MatrixSymbol, Symbol

    lhs = getattr(eq, "lhs", None)
    if isinstance(lhs, (Symbol, MatrixSymbol)) and not eq.rhs.has(lhs):
        return lhs
    return None


def _is_zero_matrix(m) -> bool:
    return getattr(m, "is_ZeroMatrix", False) or (getattr(m, "is_Matrix", False) and getattr(m, "is_zero_matrix", False) is True)


def _isolated(eq, u):
    """``u`` from ``u + c = r`` (c and r free of u): ``r − c``; None for any other form."""
    from sympy import Add, MatAdd

    lhs, rhs = getattr(eq, "lhs", None), getattr(eq, "rhs", None)
    if u is None or not isinstance(lhs, (Add, MatAdd)) or u not in lhs.args or _mentions(rhs, u):
        return None
    rest = [a for a in lhs.args if a != u]
    if any(_mentions(a, u) for a in rest):
        return None
    return rhs - (MatAdd(*rest) if getattr(u, "is_Matrix", False) else Add(*rest))


def _index_names(node) -> set:
    return {n.index.id for n in A.walk(node) if isinstance(n, A.Index) and isinstance(n.index, A.Name)}


_BUILTINS = KNOWN_FUNCTIONS | {"argmin"}


def _zero(m):
    from sympy import ZeroMatrix

    return ZeroMatrix(*m.shape)


def _side(k: int) -> str:
    return "the right-hand side" if k == 0 else f"item {k + 2} of the chain"


def _mentions(expr, sym) -> bool:
    return sym is not None and bool(getattr(expr, "has", lambda s: False)(sym))


def _is_call_head(node, name) -> bool:
    return any(isinstance(n, A.Call) and n.func == name for n in A.walk(node))


def _rename(node, aliases: dict):
    """The AST with names replaced per ``aliases`` (student spelling -> spec name)."""
    if not aliases:
        return node

    def renamed(n):
        if isinstance(n, A.Name) and n.id in aliases:
            return A.Name(aliases[n.id], n.pos)
        if isinstance(n, A.Call) and n.func in aliases:
            return A.Call(aliases[n.func], n.args, n.pos)
        return None

    return _rewrite(node, renamed)


def _small_polynomial(e, u, degree: int = 4, ops: int = 80) -> bool:
    """Is e (over a common denominator) a polynomial of low degree in u, of modest size? Only
    then is SymPy's solve bounded in time; anything else is compared by proportional residuals."""
    from sympy import count_ops, fraction, together

    try:
        if count_ops(e) > ops:
            return False
        num, _ = fraction(together(e))
        poly = num.as_poly(u)
        return poly is not None and poly.degree() <= degree and all(
            not c.has(u) and count_ops(c) <= ops for c in poly.all_coeffs())
    except Exception:  # noqa: BLE001 - not a polynomial we can read
        return False


def _small_polynomial_in(e, unknowns, degree: int = 2, ops: int = 60) -> bool:
    """Is e (over a common denominator) a polynomial of degree ≤ 2 in ``unknowns``, of modest
    size? Systems of such equations are solved; anything larger is left alone."""
    from sympy import count_ops, fraction, together

    try:
        if count_ops(e) > ops:
            return False
        num, _ = fraction(together(e))
        poly = num.as_poly(*unknowns)
        return poly is not None and poly.total_degree() <= degree
    except Exception:  # noqa: BLE001 - not a polynomial we can read
        return False


def _scalar_equations_agree(prev, eq, u, ctx) -> Verdict:
    """Two scalar equations in u agree when each one's roots satisfy the other."""
    from sympy import solve

    from ..rules.tidy import freeze

    roots = {}
    for name, e in (("prev", prev), ("new", eq)):
        r = ctx.expand_definitions(residual(e))
        frozen, undo = freeze(r)
        if not frozen.has(u):
            return proportional(prev, eq, ctx, vary=[u])
        if not _small_polynomial(frozen, u):
            return proportional(prev, eq, ctx, vary=[u])   # solve() can run without end on hostile forms
        try:
            sols = solve(frozen, u, dict=False)
        except Exception:  # noqa: BLE001 - an unsolvable form falls back to proportional residuals
            return proportional(prev, eq, ctx, vary=[u])
        roots[name] = [s.xreplace(undo) for s in sols]
    if not roots["prev"] or not roots["new"]:
        return proportional(prev, eq, ctx, vary=[u])
    for root in roots["new"]:
        v = satisfies(prev, u, root, ctx)
        if not v.ok:
            return v
    for root in roots["prev"]:
        v = satisfies(eq, u, root, ctx)
        if v.ok:
            return v
    return satisfies(eq, u, roots["prev"][0], ctx)


def _rewrite(node, fn):
    """The AST with ``fn`` applied bottom-up: ``fn(node)`` returns a replacement or None."""
    from dataclasses import fields, replace

    if not isinstance(node, A.Node):
        return node
    changes = {}
    for f in fields(node):
        value = getattr(node, f.name)
        if isinstance(value, A.Node):
            changes[f.name] = _rewrite(value, fn)
        elif isinstance(value, tuple):
            changes[f.name] = tuple(_rewrite(v, fn) for v in value)
    node = replace(node, **changes) if changes else node
    out = fn(node)
    return node if out is None else out


def _family_members(terms, table) -> tuple[list[str], str, int] | None:
    """``a_i`` where the problem has a₁, a₂ (a1, a2) but no family a: (the bases, the index, the
    count of members). None when the line has no such family or its members do not line up."""
    bases, index = [], None
    for t in terms:
        bound = {n.index for n in A.walk(t) if isinstance(n, A.SumOver)}
        for n in A.walk(t):
            if isinstance(n, A.Index) and isinstance(n.base, A.Name) and isinstance(n.index, A.Name) \
                    and n.base.id not in table and f"{n.base.id}1" in table and n.index.id not in bound:
                if index not in (None, n.index.id):
                    return None
                index = n.index.id
                if n.base.id not in bases:
                    bases.append(n.base.id)
    if not bases:
        return None
    counts = {b: next(k for k in range(1, 12) if f"{b}{k}" not in table) - 1 for b in bases}
    if len(set(counts.values())) != 1 or min(counts.values()) < 2:
        return None
    return bases, index, counts[bases[0]]


def _family_copy(node, bases: list[str], index: str, k: int, own=frozenset()):
    """The line for member k: a_i -> a_k for every base, and a bare i -> k. A family of the
    student's own (``own``: v in v_i = (1 − β)g_i²) gets a name per member too."""
    def member(n):
        if isinstance(n, A.Index) and isinstance(n.base, A.Name) and (n.base.id in bases or n.base.id in own) \
                and n.index == A.Num(str(k)):          # the index itself was rewritten first (bottom-up)
            return A.Name(f"{n.base.id}{k}", n.pos)
        if isinstance(n, A.Name) and n.id == index:
            return A.Num(str(k), n.pos)
        return None

    return _rewrite(node, member)


def _derivative_claim(a, b) -> bool:
    """``∂D/∂x = log(x/x⁰) + …``: a derivative stated equal to an expression other than 0 claims an
    identity (a wrong one is wrong for every x), not an equation to solve for the unknown."""
    from sympy import Derivative

    from ..expr.objects import Grad

    return isinstance(a, (Derivative, Grad)) and not (b == 0 or getattr(b, "is_zero", False)
                                                      or getattr(b, "is_ZeroMatrix", False))


def _direction(ops) -> str:
    """'>=' when a chain's inequalities all say its first item is at least its last, '<=' for the
    other way, '' when they are mixed."""
    signs = {">" if op in (">", ">=") else "<" for op in ops if op != "="}
    return {">": ">=", "<": "<="}.get(signs.pop(), "") if len(signs) == 1 else ""

"""Backpropagation as a derivation. A network given as equations (givens such as z₁ = w₁x,
a₁ = relu(z₁), z₂ = w₂a₁ + b, y = σ(z₂), E = (y − t)²/2) is read as a graph whose nodes are the
defined scalars, and the derivative of one node with respect to a weight (or another node) is
written the way backpropagation computes it:

1. ``chain-rule``: the chain rule written abstractly, ∂E/∂w = Σ over the paths from w to E of
   the product of local derivatives ∂F/∂v along the path (``Partial``);
2. ``local-derivatives``: each local derivative in closed form, written in the network's own
   quantities (∂y/∂z₂ = σ(z₂)(1 − σ(z₂)) = y(1 − y), ∂a₁/∂z₁ = H(z₁));
3. ``forward-pass``: with the part's values, each quantity's exact value, computed in order and
   put in; the side of each relu's kink the values fall on is stated as a note.

A local derivative ∂F/∂v means F's definition differentiated with v as a variable; it is the
chain rule's factor only when no other input of F depends on v (no skip connection around v),
which is checked. Every step is certified like any other: the certifier expands a ``Partial``
with the definitions, differentiating first with v held (``Context.expand_definitions``), and
evaluates it with dual numbers. Wording is in ``explanations_network.yaml``.
"""
from __future__ import annotations

from functools import lru_cache

from ..errors import RuleError
from .base import explain
from .tidy import tidy


class Network:
    """The defined scalars in force (not the part's values, not earlier parts' results) as a
    graph: each node's inputs are the symbols of its definition."""

    def __init__(self, body: dict):
        self.body = body
        self.depends = lru_cache(maxsize=None)(self._depends)

    @classmethod
    def of(cls, run) -> "Network":
        from sympy import Symbol

        body = {}
        for s, b in run.ctx.definitions.items():
            if (isinstance(s, Symbol) and s not in run.values and s not in run.sources
                    and not getattr(b, "is_Matrix", False) and hasattr(b, "free_symbols")):
                body[s] = b
        return cls(body)

    def inputs(self, node) -> list:
        return sorted(self.body[node].free_symbols, key=str) if node in self.body else []

    def _depends(self, node, u) -> bool:
        """Does ``node`` change with ``u`` (directly or through other nodes)?"""
        return node == u or any(self.depends(p, u) for p in self.inputs(node))

    def in_network(self, node) -> bool:
        """Is ``node`` a defined scalar linked to another one (an input of it, or fed by it)?"""
        if node not in self.body:
            return False
        return any(p in self.body for p in self.inputs(node)) or \
            any(node in self.body[n].free_symbols for n in self.body if n != node)

    def applies(self, f, u) -> bool:
        """Backpropagation derives ∂f/∂u: f is a node of a network and depends on the scalar u."""
        return (getattr(u, "is_Symbol", False) and not getattr(u, "is_Matrix", False)
                and self.in_network(f) and f != u and self.depends(f, u))

    def paths(self, f, u) -> list[list]:
        """Every path from u up to f, as the list of local derivatives along it (f's first)."""
        from ..expr.objects import Partial

        if f == u:
            return [[]]
        feeding = [p for p in self.inputs(f) if self.depends(p, u)]
        out = []
        for p in feeding:
            around = [q for q in feeding if q != p and self.depends(q, p)]
            if around:
                raise RuleError(f"{f} depends on {p} both directly and through {around[0]} (a skip connection); "
                                "the chain rule over local derivatives needs each input reached one way")
            for path in self.paths(p, u):
                out.append([Partial(f, p)] + path)
        return out

    def chain(self, f, u):
        """Σ over paths of Π local derivatives: the chain rule written abstractly."""
        from sympy import Add, Mul

        return Add(*[Mul(*path) for path in self.paths(f, u)])

    def local(self, f, v):
        """∂f/∂v in closed form, in the network's quantities: f's definition differentiated with v
        as a variable, then every node's definition that appears folded back into the node."""
        d = tidy(self.fold(tidy(self.body[f].diff(v))))
        return _signs_out_of_denominator(d)

    def fold(self, e):
        """σ(z₂) → y where y = σ(z₂) is given: a forward value named as the network names it."""
        named = {b: n for n, b in self.body.items() if not (b.is_Symbol or b.is_Number)}
        return e.xreplace(named) if named else e

    def upstream(self, nodes) -> list:
        """The nodes needed to compute ``nodes``, inputs first (a topological order)."""
        out: list = []

        def visit(n):
            if n in out or n not in self.body:
                return
            for p in self.inputs(n):
                visit(p)
            out.append(n)

        for n in sorted(nodes, key=str):
            visit(n)
        return out


def _signs_out_of_denominator(e):
    """−(p − t)/(p(p − 1)) → (p − t)/(p(1 − p)): a factor of the denominator with a negative
    constant term is written the other way round (1 − p, as by hand), its sign moved up."""
    from sympy import Mul, S, factor, fraction

    num, den = fraction(factor(e))
    if den == 1:
        return e
    sign, factors = 1, []
    for f in Mul.make_args(den):
        base, k = f.as_base_exp()
        constant = base.as_coeff_Add()[0] if base.is_Add else S.Zero
        if constant.is_negative and k.is_Integer:
            base, sign = -base, sign * (-1) ** int(k)
        factors.append(base ** k)
    return tidy(sign * num) / Mul(*factors)


def gradient(run, goal, expr):
    """∂f/∂u for a node f of a network, by backpropagation; None when f is not one (the
    ordinary gradient strategy then applies). ``form: chain`` stops at the abstract chain rule."""
    from ..expr.objects import Partial

    u = run.table[goal.wrt].obj
    net = Network.of(run)
    if goal.order != 1 or not net.applies(expr, u):
        if goal.form == "chain":
            raise RuleError(f"form: chain needs a quantity of a network given as equations that depends on "
                            f"{run.name(u)} through other given quantities; {run.show(expr)} is not one")
        return None
    return backprop(run, net, Partial(expr, u), abstract_only=goal.form == "chain")


def backprop(run, net, expr, abstract_only=False):
    """Every ``Partial`` of ``expr`` through the three steps (chain rule, local derivatives,
    forward pass when the part has values). Returns the last expression."""
    from ..expr.objects import Partial, chain_order

    wanted = expr.atoms(Partial)
    mapping = {p: net.chain(p.expr, p.variables[0]) for p in wanted}
    chained = expr.xreplace(mapping)
    if chained != expr and any(m != p for p, m in mapping.items()):
        paths = sum(len(net.paths(p.expr, p.variables[0])) for p in wanted)
        run.rec.step("chain-rule", expr, chained, "custom", extra=_strictly_equal(run), relation="=",
                     paths=_count(paths, "path"))
        expr = chained
    if abstract_only:
        return expr
    factors = chain_order(sorted(expr.atoms(Partial), key=str))
    closed = {p: net.local(p.expr, p.variables[0]) for p in factors}
    after = _in_chain_order(expr, closed)
    listing = "; ".join(f"{run.show(p)} = {run.show(v)}" for p, v in closed.items())
    run.rec.step("local-derivatives", expr, after, "custom", extra=_strictly_equal(run), relation="=", listing=listing)
    expr = after
    if run.values:
        return forward_pass(run, net, expr)
    _kink_notes(run, expr, None)
    return expr


def _in_chain_order(expr, closed):
    """Each product of local derivatives replaced by the product of their closed forms, kept in
    the chain's order (an unevaluated product, printed as built)."""
    from sympy import Mul

    from ..expr.objects import Partial, chain_order

    def ordered(m):
        factors = [closed.get(f, f) for f in chain_order(list(m.args))]
        numbers = [f for f in factors if f.is_Number]
        rest = [f for f in factors if not f.is_Number and f != 1]
        return Mul(*([Mul(*numbers)] if numbers and Mul(*numbers) != 1 else []), *rest, evaluate=False)

    out = expr.replace(lambda e: isinstance(e, Mul) and sum(isinstance(a, Partial) for a in e.args) > 1, ordered)
    return out.xreplace(closed)


def forward_pass(run, net, expr):
    """Each node ``expr`` needs, computed exactly from the part's values in order, and put in."""
    from ..expr.objects import relu
    from .numbers import evaluate_exactly

    nodes = net.upstream(expr.free_symbols & set(net.body))
    if not nodes:
        return expr
    known, lines = dict(run.values), []
    for n in nodes:
        if not net.body[n].has(*known):        # nothing given reaches it: it keeps its name (h = σ(a))
            continue
        value = evaluate_exactly(net.body[n].xreplace(known))
        known[n] = value
        lines.append(f"{run.show(n)} = {run.show(net.body[n])} = {run.show(value)}")
    if not lines:
        return expr
    _kink_notes(run, expr, known, [r.args[0] for n in nodes if n in known for r in net.body[n].atoms(relu)])
    after = expr.xreplace({n: known[n] for n in nodes if n in known})
    run.rec.step("forward-pass", expr, after, "custom", extra=_strictly_equal(run), relation="=",
                 values="; ".join(lines))
    return after


def _strictly_equal(run):
    """Equal at every instance, on both sides of every kink: an equality that holds only where
    some symbols are positive (one side of a relu) is refused, not accepted under a condition."""
    from ..equivalence import Verdict, same_value

    def check(before, after):
        verdict = same_value(before, after, run.rec.ctx)
        if verdict.status == "equivalent-under":
            return Verdict("not-equivalent", verdict.method,
                           reason=f"equal only when {verdict.condition}: one side of a kink is not enough")
        return verdict

    return check


def _kink_notes(run, expr, known, relu_inputs=()):
    """Say which side of its kink each relu is on (H(z) = 1 or 0) at the values, or, without
    values, that H is relu's derivative away from the kink."""
    from ..expr.objects import heaviside
    from .numbers import evaluate_exactly

    inputs = [h.args[0] for h in sorted(expr.atoms(heaviside), key=str)]
    inputs += [z for z in relu_inputs if z not in inputs]
    for z in inputs:
        if known is None:
            run.rec.note("assumption", explain("relu-kink", z=run.show(z)))
            continue
        value = evaluate_exactly(z.xreplace(known))
        if not value.is_number:
            run.rec.note("assumption", explain("relu-kink", z=run.show(z)))
        elif value.is_zero:
            raise RuleError(f"{run.show(z)} = 0 at the given values: relu has no derivative at its kink")
        else:
            side = "relu-active" if value.is_positive else "relu-dead"
            run.rec.note("condition", explain(side, z=run.show(z), value=run.show(value)))


def _count(k: int, word: str) -> str:
    return f"one {word}" if k == 1 else f"{k} {word}s, summed"

"""The engine: derive every part of a spec, goal by goal, into a ``Derivation``.

For each part it builds the part's expressions, sets up the definitions in force (givens and
earlier parts' results, specialised when the part asks for it), and hands the goal to the
strategy for its kind (``strategies.py``). A part that ``uses`` an earlier part without naming
its result in the goal starts from that result wherever the goal states the earlier quantity
(``starting_points``, ``start_from_earlier``). Every step is certified as it is recorded.
"""
from __future__ import annotations

from functools import lru_cache

from .budget import DEFAULT_SECONDS, time_budget
from .equivalence import Context
from .errors import DeriveError, RuleError
from .expr.build import Builder
from .spec import Part, Spec
from .steps import Derivation, Note, PartResult, SymbolRow, Variant


def printer_for(table):
    """Unicode text printer for messages (falls back to SymPy's str)."""
    try:
        from .render.printing import text

        names = table.latex_names()
        return lambda e: text(e, names)
    except Exception:  # noqa: BLE001 - printing must never hide the real error
        return str


def derive(spec: Spec, parts: list[str] | None = None, seed: int = 0, timeout: float | None = DEFAULT_SECONDS) -> Derivation:
    """Derive the requested parts (all by default) and any earlier parts they use.

    A part that fails (a missing rule, a failed certificate, its time budget) carries its error
    in place; the other parts are still derived, and a part that uses a failed one fails too."""
    wanted = set(parts or [p.id for p in spec.parts])
    for pid in wanted:
        spec.part(pid)
    needed = set(wanted)
    for p in reversed(spec.parts):
        if p.id in needed:
            needed |= set(p.uses.values())
    results: dict[str, PartResult] = {}
    for part in spec.parts:
        if part.id in needed:
            results[part.id] = derive_or_fail(spec, part, results, seed, timeout)
    return Derivation(
        id=spec.id, title=spec.title, source=spec.source, statement=spec.statement,
        symbols=symbol_rows(spec), parts=tuple(results[p.id] for p in spec.parts if p.id in wanted),
        sheet=spec.sheet,
        certification=("Each step was checked independently of the rule that produced it: both sides were "
                       "evaluated exactly (rational arithmetic, dual numbers for derivatives, exact moments for "
                       "expectations) at random instances with matrices of random sizes (n ≠ d) and scalars "
                       "drawn from their declared domains, or proved symbolically where that is cheap."),
        extra={"latex_names": spec.table.latex_names()},
        givens=given_values(spec),
    )


def given_values(spec: Spec) -> tuple:
    """(name, value) for each given of the spec that is data: a number, or a vector or matrix of
    numbers (the image P a filter slides over), in the spec's order."""
    from sympy import MatrixBase

    out = []
    for info in spec.table.symbols.values():
        if info.kind != "defined" or info.body is None or info.params:
            continue
        try:
            value = Builder(spec.table).build(info.body).expr
        except Exception:  # noqa: BLE001 - a given that is no value on its own is not data
            continue
        if (isinstance(value, MatrixBase) and all(e.is_number for e in value)) or getattr(value, "is_Number", False):
            out.append((info.name, value))
    return tuple(out)


def derive_or_fail(spec: Spec, part: Part, results: dict, seed: int = 0, timeout: float | None = DEFAULT_SECONDS) -> PartResult:
    """``derive_part``, or a result that carries the error in place of an answer."""
    failed = [pid for pid in part.uses.values() if results[pid].error]
    if failed:
        return PartResult(part.id, part.ask, (), None, error=f"part {part.id} uses part {failed[0]}, which failed")
    try:
        with time_budget(timeout, f"part {part.id}"):
            return derive_part(spec, part, results, seed)
    except DeriveError as err:
        return PartResult(part.id, part.ask, (), None, error=str(err))
    except RecursionError:
        return PartResult(part.id, part.ask, (), None, error="the expressions are nested too deeply to derive")
    except Exception as err:  # noqa: BLE001 - a bug in one part must not hide the others
        return PartResult(part.id, part.ask, (), None,
                          error=f"internal error (a bug in derive; please report it): {type(err).__name__}: {err}")


def derive_part(spec: Spec, part: Part, results: dict, seed: int = 0) -> PartResult:
    table = part.table
    definitions, sources = part_definitions(spec, part, results)
    values = part_values(part)
    show = printer_for(table)
    earlier = starting_points(spec, part, results, definitions)
    steps, answer, notes, certificate, run = derive_goal(part.goal, table, definitions, values, sources, show, seed,
                                                         earlier)
    variants = []
    for k, goal in enumerate(part.goals[1:], start=2):
        gsteps, ganswer, gnotes, gcert, _ = derive_goal(goal, table, definitions, values, sources, show, seed, earlier)
        variants.append(Variant(goal.name or f"answer {k}", "", gsteps, ganswer, gcert, role="goal", notes=gnotes))
    for conv in part.conventions:
        csteps, canswer, cnotes, ccert, _ = derive_goal(conv.goal, table, definitions, values, sources, show, seed,
                                                        earlier)
        variants.append(Variant(conv.name, conv.description, csteps, canswer, ccert, notes=cnotes))
    also = ()
    if part.answer_as is not None:
        also = (answer,)
        answer = run.answer_as(answer, part.answer_as)
    figure = None
    if part.figure:
        from .figures import figure_data

        figure = figure_data(part.figure, also[0] if also else answer, table, results, definitions, part.id)
    names = {n: i.latex for n, i in table.symbols.items()
             if i.latex and (n not in spec.table or spec.table[n].latex != i.latex)}
    notes = tuple(_region_notes(part)) + tuple(notes)
    return PartResult(part.id, part.ask, tuple(steps), answer, tuple(notes), tuple(variants), figure,
                      also, names, certificate=certificate, discussion=part.discussion)


def _region_notes(part: Part) -> list:
    """A part asked on one side of a boundary (``where:``) states that side as an assumption."""
    from sympy import Ge, Gt, Le, Lt

    from .expr.build import Builder
    from .rules.calculus import scalar_if_1x1

    out = []
    for rel in part.where:
        left, right = (scalar_if_1x1(Builder(part.table).build(side).expr) for side in (rel.left, rel.right))
        relation = {"<": Lt, "<=": Le, ">": Gt, ">=": Ge}[rel.op](left, right, evaluate=False)
        out.append(Note("assumption", "this part is asked where", relation))
    return out


def derive_goal(goal, table, definitions, values, sources, show, seed, earlier=()):
    """One goal: its steps, answer (with given values substituted), notes and certificate.
    ``earlier``: the used parts' results it may start from (``starting_points``)."""
    from .certificate import certify_answer
    from .conclusions import conclusions

    everything = {**definitions, **values}
    run = run_from_earlier(Context(table, everything, seed=seed), table, show, sources, values=values,
                           start=goal.expr, earlier=earlier)
    answer = run.goal(goal)
    if values:
        answer = run.substitute_values(answer)
    certificate = certify_answer(goal, answer, table, everything, seed, dropped_roots(run, goal, table))
    for text, fact in conclusions(goal, answer, table, run.show, values, everything):
        run.rec.note("remark", text, fact)       # "does it …?" answered by the certified fact
    return run.rec.steps, answer, run.rec.notes, certificate, run


def starting_points(spec: Spec, part: Part, results: dict, definitions: dict | None = None) -> list:
    """The results a part starts from: ``(part id, what it is, value)`` for each answer of a part
    it ``uses`` whose name neither the goal nor a definition in force mentions (a part that names
    the result, as ``solve: 'fadv = 0'`` does, substitutes it as a definition instead)."""
    if definitions is None:
        definitions = part_definitions(spec, part, results)[0]
    named = set()
    for goal in part.goals:
        named |= _names_in(goal)
    for value in definitions.values():
        named |= {str(s) for s in getattr(value, "free_symbols", ())}
    out = []
    for name, pid in part.uses.items():
        if name in named:
            continue
        earlier, goals = results[pid], spec.part(pid).goals
        labels = [g.name or spec.part(pid).ask for g in goals] if len(goals) > 1 else [spec.part(pid).ask]
        for label, answer in zip(labels, earlier.answers):
            value = answer.rhs if hasattr(answer, "rhs") else answer
            if part.specialize:
                try:
                    value = specialise(value, spec, part)
                except RuleError:
                    continue
            out.append((pid, " ".join(str(label).split()), value))
    return out


def _names_in(node) -> set:
    """Every name in a goal's parsed expressions (``expr/ast.py`` nodes are dataclasses)."""
    from dataclasses import fields, is_dataclass

    from .expr.ast import Name

    out, todo = set(), [node]
    while todo:
        n = todo.pop()
        if isinstance(n, Name):
            out.add(n.id)
        elif isinstance(n, (list, tuple)):
            todo.extend(n)
        elif is_dataclass(n):
            todo.extend(getattr(n, f.name) for f in fields(n))
    return out


@lru_cache(maxsize=1)
def _run_class():
    from .strategies import Run

    class FromEarlier(Run):
        """A run that starts the goal from the results of the parts it uses: each expression of
        the goal that equals an earlier answer (a side of an equation, an expectation or
        variance inside it) is replaced by that answer, one certified step per earlier part."""

        def __init__(self, *args, start=None, earlier=(), **kwargs):
            super().__init__(*args, **kwargs)
            self._start, self._earlier = start, list(earlier)

        def build(self, node):
            expr = super().build(node)
            if node is self._start and self._earlier:
                self._start = None
                expr = start_from_earlier(self, expr, self._earlier)
            return expr

    return FromEarlier


def run_from_earlier(*args, **kwargs):
    """A ``strategies.Run`` that starts its goal from the earlier results it is given."""
    return _run_class()(*args, **kwargs)


def start_from_earlier(run, expr, earlier):
    """``expr`` with each of its quantities that an earlier result gives replaced by it, one step
    per earlier part ("Substitute the result of part 3.1: …"), certified like any other step."""
    from sympy import Eq

    used = set()
    for pid in dict.fromkeys(p for p, _, _ in earlier):
        mapping, labels = {}, []
        for _, label, value in (e for e in earlier if e[0] == pid):
            for quantity in _quantities(expr):
                if (quantity in used or quantity in mapping or quantity == value or getattr(quantity, "is_number", False)
                        or not _stands_for(quantity, value, run.ctx)):
                    continue
                mapping[quantity] = value
                labels.append(label)
                break
        if mapping:
            after = expr.xreplace(mapping)
            run.rec.step("substitute-result", expr, after, part=pid, name="; ".join(labels),
                         relation="⇔" if isinstance(expr, Eq) else None)
            used |= set(mapping.values())
            expr = after
    return expr


def _quantities(expr) -> list:
    """What an earlier result may stand for: each side of a relation (or the expression), then
    the expectations and variances inside them, outermost first."""
    from .expr.objects import E, Var

    sides = list(expr.args[:2]) if getattr(expr, "is_Relational", False) else [expr]
    out = list(sides)
    for side in sides:
        out += [a for a in _preorder(side) if isinstance(a, (E, Var)) and a not in out]
    return out


def _preorder(expr):
    yield expr
    for arg in getattr(expr, "args", ()):
        yield from _preorder(arg)


def _stands_for(quantity, value, ctx) -> bool:
    """Does the earlier result ``value`` equal ``quantity`` (of the same shape) at random
    instances? Only a match starts the goal from it; the step is then certified again."""
    from .equivalence import same_value

    if bool(getattr(quantity, "is_Matrix", False)) != bool(getattr(value, "is_Matrix", False)):
        return False
    if getattr(value, "is_Matrix", False) and quantity.shape != value.shape:
        return False
    return same_value(quantity, value, ctx, symbolic=False).status == "equivalent"


def part_values(part: Part) -> dict:
    """``specialize`` values: symbol -> SymPy number, explicit vector or matrix."""
    return {part.table[name].obj: Builder(part.table).build(node).expr for name, node in part.values.items()}


def dropped_roots(run, goal, table) -> list:
    """The roots of the unknown that the derivation dropped (read from its notes)."""
    if goal.kind != "solve":
        return []
    u = table[goal.wrt].obj
    return [(n.math.rhs, n.text) for n in run.rec.notes
            if n.kind == "dropped" and getattr(n.math, "lhs", None) == u]


def part_definitions(spec: Spec, part: Part, results: dict) -> tuple[dict, dict]:
    """The definitions in force in a part: its givens, and the earlier results it ``uses``
    (specialised when the part asks). Returns (symbol -> value, symbol -> source part id)."""
    table = part.table
    definitions = {}
    for info in table.symbols.values():
        if info.kind == "defined" and info.body is not None and info.obj is not None:
            definitions[info.obj] = Builder(table).build(info.body).expr
    sources = {}
    for name, pid in part.uses.items():
        earlier = results[pid]
        value = earlier.answer.rhs if hasattr(earlier.answer, "rhs") else earlier.answer
        if part.specialize:
            value = specialise(value, spec, part)
        definitions[table[name].obj] = value
        sources[table[name].obj] = pid
    return definitions, sources


def specialise(value, spec: Spec, part: Part):
    """An earlier (matrix) result restated for a part that specialises sizes to 1."""
    from sympy import Integer

    from .rules.matrix import scalarize

    dims = {spec.table[k].obj: Integer(v) for k, v in part.specialize.items()
            if k in spec.table and spec.table[k].kind == "dim"}
    renames = {k: str(v) for k, v in part.specialize.items() if k in spec.table and spec.table[k].kind != "dim"}
    scalars = {n: i.obj for n, i in part.table.symbols.items() if i.shape is None and i.obj is not None and i.kind != "dim"}
    if not getattr(value, "is_Matrix", False) and not value.has(*[s for s in dims]):
        return value
    try:
        return scalarize(value.subs(dims) if dims else value, dims, renames, scalars)
    except RuleError:
        raise
    except Exception as err:  # noqa: BLE001
        raise RuleError(f"cannot specialise {value}: {err}") from None


def _indices(index) -> str:
    return " and ".join(index) if isinstance(index, tuple) else str(index)


def symbol_rows(spec: Spec) -> tuple[SymbolRow, ...]:
    rows = []
    for info in spec.table.symbols.values():
        if info.kind in ("function",):
            continue
        shape = ""
        if info.shape is not None:
            r, c = info.shape
            shape = f"{r}" if c == 1 else f"{r} × {c}"
        assumptions = ", ".join(a.replace("_", " ") for a in info.assumptions if a != "real")
        if info.domain is not None:
            d = info.domain.describe(info.name)
            assumptions = f"{assumptions}, {d}" if assumptions else d
        if info.dist is not None:
            assumptions = _distribution_words(info, spec.table) + (f", i.i.d. over {_indices(info.index)}" if info.index else "")
        if info.kind == "index" and info.range is not None:
            assumptions = f"{info.range[0]} ≤ {info.name} ≤ {info.range[1]}"
        kind = "defined" if info.kind == "defined" else info.kind
        rows.append(SymbolRow(info.name, info.latex, "dimension" if kind == "dim" else kind, shape, assumptions,
                              info.description))
    return tuple(rows)


def _distribution_words(info, table) -> str:
    """'𝒩(0, σ²)', 'Bernoulli(p)', '𝒩(μ, Σ)', 'mean of B i.i.d. draws of 𝒩(h, S)': the printer's
    notation, never SymPy's text."""
    from .render.printing import text
    from .spec_random import describe, is_array

    names = table.latex_names()

    def show(e):
        return text(e, names)

    if is_array(info):
        return describe(info, show)
    if info.dist[0] == "bernoulli":
        return f"Bernoulli({show(info.dist[1])})"
    return f"𝒩({show(info.dist[1])}, {show(info.dist[2])})"

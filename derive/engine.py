"""The engine: derive every part of a spec, goal by goal, into a ``Derivation``.

For each part it builds the part's expressions, sets up the definitions in force (givens and
earlier parts' results, specialised when the part asks for it), and hands the goal to the
strategy for its kind (``strategies.py``). Every step is certified as it is recorded.
"""
from __future__ import annotations

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
    )


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
    steps, answer, notes, certificate, run = derive_goal(part.goal, table, definitions, values, sources, show, seed)
    variants = []
    for k, goal in enumerate(part.goals[1:], start=2):
        gsteps, ganswer, gnotes, gcert, _ = derive_goal(goal, table, definitions, values, sources, show, seed)
        variants.append(Variant(goal.name or f"answer {k}", "", gsteps, ganswer, gcert, role="goal", notes=gnotes))
    for conv in part.conventions:
        csteps, canswer, cnotes, ccert, _ = derive_goal(conv.goal, table, definitions, values, sources, show, seed)
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


def derive_goal(goal, table, definitions, values, sources, show, seed):
    """One goal: its steps, answer (with given values substituted), notes and certificate."""
    from . import strategies
    from .certificate import certify_answer
    from .conclusions import conclusions

    everything = {**definitions, **values}
    run = strategies.Run(Context(table, everything, seed=seed), table, show, sources, values=values)
    answer = run.goal(goal)
    if values:
        answer = run.substitute_values(answer)
    certificate = certify_answer(goal, answer, table, everything, seed, dropped_roots(run, goal, table))
    for text, fact in conclusions(goal, answer, table, run.show, values, everything):
        run.rec.note("remark", text, fact)       # "does it …?" answered by the certified fact
    return run.rec.steps, answer, run.rec.notes, certificate, run


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

"""What every rule shares: explanation texts, the step recorder and certification.

A rule is a small function ``rule(expr, ctx) -> (after, facts) | None`` (None: does not apply).
The engine records each application with ``Recorder.step``, which renders the explanation
from ``explanations.yaml`` and certifies the step independently of the rule before accepting it.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from ..equivalence import Context, Verdict, proportional, same_solutions, same_value, satisfies
from ..errors import CertificationError, RuleError
from ..steps import Note, Step


# Beside this module: update steps and recurrences, random vectors, backprop, bounds,
# structured matrices (convolutions, attention) and shapes.
EXTRA_EXPLANATIONS = ("explanations_updates.yaml", "explanations_vectors.yaml", "explanations_network.yaml",
                      "explanations_bounds.yaml", "explanations_structured.yaml", "explanations_shapes.yaml")


def _read_yaml(path: Path):
    """A file of explanations as plain data, with libyaml when PyYAML has it (a tenth of the
    pure-Python reader's time, 35 ms of every cold derivation); both readers give the same
    data for these files (tests/test_speed_pass4.py)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


@functools.lru_cache(maxsize=1)
def explanations() -> dict:
    here = Path(__file__).resolve().parent
    out = _read_yaml(here.parent / "explanations.yaml")
    for name in EXTRA_EXPLANATIONS:
        extra = _read_yaml(here / name)
        twice = sorted(set(extra) & set(out))
        if twice:
            raise RuleError(f"rule ids explained twice ({name}): {', '.join(twice)}")
        out.update(extra)
    return out


def explain(rule: str, **fields) -> str:
    entry = explanations().get(rule)
    if entry is None:
        raise RuleError(f"rule '{rule}' has no explanation in explanations.yaml")
    try:
        return entry["because"].format(**fields)
    except KeyError as err:
        raise RuleError(f"explanation of '{rule}' needs the field {err}") from None


RELATIONS = {"equal": "=", "same-solutions": "⇔", "rescaled": "⇔", "lagrangian": "=", "solves": "⇒",
             "stationary": "⇒", "custom": "⇒", "boundary": "→", "jacobian": "→", "same-relation": "⇔",
             "coefficient": "⇒"}


@dataclass
class Recorder:
    """Collects the steps of one goal, certifying each as it is recorded."""

    ctx: Context
    steps: list[Step] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    printer: object = None      # callable expr -> text, for error messages

    def step(self, rule: str, before, after, claim: str = "equal", *, unknown=None, extra=None,
             substeps=(), relation: str | None = None, **fields) -> Step:
        verdict = certify(claim, before, after, self.ctx, unknown=unknown, extra=extra)
        if not verdict.ok:
            detail = verdict.counterexample.describe() if verdict.counterexample else verdict.reason
            show = self.printer or str
            raise CertificationError(
                f"step '{rule}' failed certification ({claim}): {show(before)}  →  {show(after)}; {detail}")
        step = Step(rule, before, after, explain(rule, **fields), tuple(substeps), verdict.method or "symbolic",
                    relation or RELATIONS.get(claim, "⇒"))
        self.steps.append(step)
        return step

    def note(self, kind: str, text: str, math=None) -> None:
        note = Note(kind, text, math)
        if note not in self.notes:
            self.notes.append(note)


def with_context(run, ctx, fn):
    """Run ``fn`` with the recorder certifying in ``ctx`` (e.g. with a solved value defined)."""
    saved = run.rec.ctx
    run.rec.ctx = ctx
    try:
        return fn()
    finally:
        run.rec.ctx = saved


def certify(claim: str, before, after, ctx: Context, unknown=None, extra=None) -> Verdict:
    """Check a step by the relation it claims, never by re-running the rule.

    - ``equal``: before and after are the same value.
    - ``same-solutions``: two equations with the same solution in ``unknown``.
    - ``rescaled``: two equations whose residuals differ by a nonzero factor.
    - ``solves``: ``after`` is ``unknown = value`` and the value satisfies ``before``.
    - ``stationary``: ``after`` is ``∇f = 0`` for the objective ``before`` (``extra`` = the
      unevaluated gradient node, compared exactly with dual numbers).
    - ``lagrangian``: ``after`` equals ``before + extra`` (multiplier times constraint).
    - ``jacobian``: ``after`` is the matrix of partial derivatives of the vector ``before`` with
      respect to ``unknown`` (dual numbers, one coordinate at a time).
    - ``same-relation``: ``before`` and ``after`` (inequalities or equations in ``unknown``) are
      true for the same values of ``unknown`` at random instances.
    - ``coefficient``: ``after`` is ``c = 0`` where c is the coefficient of ``unknown`` in the
      residual of the identity ``before``.
    - ``boundary``: ``before`` is a constraint ``g ≤ r`` and ``after`` its active form: the
      residual of ``after`` equals g² − r².
    - ``custom``: ``extra`` is a callable ``(before, after) -> Verdict`` (optimality over a
      constraint set, a Hessian): it judges the step's own ``after``, never a value the rule kept.
    """
    if claim == "equal":
        return same_value(_value(before), _value(after), ctx)
    if claim == "same-solutions":
        v = same_solutions(before, after, unknown, ctx)
        if v.status == "unknown":
            return proportional(before, after, ctx, vary=[unknown] if unknown is not None else ())
        return v
    if claim == "rescaled":
        return proportional(before, after, ctx, vary=[unknown] if unknown is not None else ())
    if claim == "solves":
        return satisfies(before, unknown, after.rhs, ctx)
    if claim == "stationary":
        return same_value(extra, after.lhs, ctx)
    if claim == "lagrangian":
        return same_value(after, _add(before, extra), ctx)
    if claim == "jacobian":
        from ..relations import jacobian_matches

        return jacobian_matches(before, after, unknown, ctx)
    if claim == "same-relation":
        from ..relations import same_truth

        return same_truth(before, after, unknown, ctx)
    if claim == "coefficient":
        from ..relations import coefficient_matches

        return coefficient_matches(before, after, unknown, ctx)
    if claim == "boundary":
        return same_value(_value(after), before.lhs ** 2 - before.rhs ** 2, ctx)
    if claim == "custom":
        return extra(before, after)
    raise RuleError(f"unknown certification claim '{claim}'")


def _value(e):
    """Equations compare by both sides; expressions as they are."""
    from sympy import Eq

    if isinstance(e, Eq):
        from ..equivalence import residual

        return residual(e)
    return e


def _add(a, b):
    from sympy import MatAdd

    if getattr(a, "is_Matrix", False) or getattr(b, "is_Matrix", False):
        return MatAdd(a, b)
    return a + b

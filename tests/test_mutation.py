"""Mutation testing of certification on every part of the bank (issue: certified means correct).

Every step a rule proposes, and every final answer, is perturbed (tests/mutation.py). A mutant
whose value differs from the original at fresh random instances must be rejected: by the step's
own certificate for a step, and by the end-to-end certificate for an answer. The kill rate must
be 100%. Run with ``-s`` to see the tally.
"""
import pytest
from sympy import Eq

from derive import certificate, engine
from derive.bank import entries
from derive.equivalence import Context, same_value
from derive.errors import CertificationError
from derive.rules import base
from derive.spec import load_spec

from mutation import MAX_PER_STEP, Tally, mutants, spread

ORACLE_TRIALS = 24


def _targets(after):
    """Mutants of a step's result: for ``u = value`` only the value; else either side. A
    counterexample And(symbol = value, …, relation) is an existential answer: another instance
    at which the inequality fails is just as right, so only its relation is mutated."""
    from sympy import And

    if isinstance(after, And):
        rel = [a for a in after.args if not isinstance(a, Eq)]
        rest = [a for a in after.args if isinstance(a, Eq)]
        if len(rel) == 1:
            for side in ("lhs", "rhs"):
                for name, m in mutants(getattr(rel[0], side)):
                    new = type(rel[0])(m, rel[0].rhs) if side == "lhs" else type(rel[0])(rel[0].lhs, m)
                    yield name, And(*rest, new, evaluate=False)
        return
    if isinstance(after, Eq):
        sides = [("rhs", after.rhs)] if after.lhs.is_Symbol or getattr(after.lhs, "is_MatrixSymbol", False) \
            else [("lhs", after.lhs), ("rhs", after.rhs)]
        for side, expr in sides:
            for name, m in mutants(expr):
                yield name, (Eq(m, after.rhs, evaluate=False) if side == "lhs" else Eq(after.lhs, m, evaluate=False))
    elif hasattr(after, "free_symbols") and not getattr(after, "is_Relational", False):
        yield from mutants(after)


def _same_value(a, b, ctx) -> bool:
    """The oracle: equal values at many fresh instances (exact arithmetic), side by side."""
    strong = Context(ctx.table, dict(ctx.definitions), seed=ctx.seed + 7919, trials=ORACLE_TRIALS)
    pairs = [(a.lhs, b.lhs), (a.rhs, b.rhs)] if isinstance(a, Eq) else [(a, b)]
    for x, y in pairs:
        if x == y:
            continue
        if same_value(x, y, strong, symbolic=False).status != "equivalent":
            return False
    return True


def _equivalent_under_claim(claim, before, mutant, ctx, unknown, extra) -> bool:
    """An equation with the same solutions (e.g. both sides negated) is no mutant of a
    same-solutions step: ask the claim's own check with many more instances."""
    if claim not in ("same-solutions", "rescaled"):
        return False
    strong = Context(ctx.table, dict(ctx.definitions), seed=ctx.seed + 104729, trials=ORACLE_TRIALS)
    return base.certify(claim, before, mutant, strong, unknown=unknown, extra=extra).ok


@pytest.fixture(scope="module")
def tally():
    mp = pytest.MonkeyPatch()
    steps, answers = Tally(), Tally()
    where = {"part": ""}
    real_step, real_answer, real_part = base.Recorder.step, certificate.certify_answer, engine.derive_part

    def step(self, rule, before, after, claim="equal", *, unknown=None, extra=None, **fields):
        for name, mutant in spread(list(_targets(after)), MAX_PER_STEP):
            try:
                if _same_value(after, mutant, self.ctx) or \
                        _equivalent_under_claim(claim, before, mutant, self.ctx, unknown, extra):
                    steps.equivalent += 1
                    continue
            except Exception:  # noqa: BLE001 - an unevaluable mutant is not a mutant
                continue
            try:
                verdict = base.certify(claim, before, mutant, self.ctx, unknown=unknown, extra=extra)
            except Exception:  # noqa: BLE001 - an ill-formed mutant (shapes) is not a mutant
                steps.equivalent += 1
                continue
            if verdict.ok:
                steps.survivors.append((where["part"], rule, name, str(mutant)))
            else:
                steps.killed += 1
        return real_step(self, rule, before, after, claim, unknown=unknown, extra=extra, **fields)

    def certify_answer(goal, answer, table, definitions, seed=0, dropped=()):
        ctx = Context(table, dict(definitions), seed=seed)
        for name, mutant in spread(list(_targets(answer)), MAX_PER_STEP):
            try:
                if _same_value(answer, mutant, ctx):
                    answers.equivalent += 1
                    continue
            except Exception:  # noqa: BLE001
                continue
            try:
                real_answer(goal, mutant, table, definitions, seed, dropped)
            except CertificationError:
                answers.killed += 1
            except Exception:  # noqa: BLE001 - an ill-formed mutant (shapes, domains) is not a mutant
                answers.equivalent += 1
            else:
                answers.survivors.append((where["part"], goal.kind, name, str(mutant)))
        return real_answer(goal, answer, table, definitions, seed, dropped)

    def derive_part(spec, part, results, seed=0):
        where["part"] = f"{spec.id} {part.id}"
        return real_part(spec, part, results, seed)

    mp.setattr(base.Recorder, "step", step)
    mp.setattr(certificate, "certify_answer", certify_answer)
    mp.setattr(engine, "derive_part", derive_part)
    failed = []
    try:
        for e in entries():
            d = engine.derive(load_spec(e.path), timeout=None)
            failed += [(e.id, p.id, p.error) for p in d.parts if p.error]
    finally:
        mp.undo()
    print(f"\nmutation: steps {steps.killed}/{steps.total} killed ({steps.equivalent} equivalent set aside); "
          f"answers {answers.killed}/{answers.total} killed ({answers.equivalent} equivalent set aside)")
    return steps, answers, failed


def test_the_bank_still_derives_under_the_harness(tally):
    assert tally[2] == []


def test_step_certification_kills_every_mutant(tally):
    steps = tally[0]
    assert steps.total >= 300, "too few mutants: the harness is not reaching the rules"
    assert steps.survivors == [], f"{len(steps.survivors)} of {steps.total} step mutants survived"


def test_end_to_end_certificate_kills_every_mutant_answer(tally):
    answers = tally[1]
    assert answers.total >= 40
    assert answers.survivors == [], f"{len(answers.survivors)} of {answers.total} answer mutants survived"



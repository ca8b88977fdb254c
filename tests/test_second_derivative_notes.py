"""The side condition a scalar minimisation leaves (issue 12): convexity when the sign of the
second derivative follows from the declared intervals, a local minimum when its value at the
solution is positive, and 'check' only when neither is shown. A claim SymPy cannot settle is
also true at random instances drawn from the declared domains."""
import random
from pathlib import Path

import pytest

from derive.engine import derive
from derive.equivalence import Context
from derive.inequalities import violated_at
from derive.sampling import sample
from derive.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("spec_path, part, words", [
    ("problems/mirror-descent-kl.yaml", "3a", "is positive, so the objective is convex"),     # x in (0, 1)
    ("problems/examples/mirror-descent-log-coords.yaml", "log-step", "At the stationary point"),
])
def test_a_second_derivative_shown_positive_is_said_so_and_holds(spec_path, part, words):
    spec = load_spec(ROOT / spec_path)
    result = next(p for p in derive(spec).parts if p.id == part)
    said = [n for n in result.notes if n.kind == "condition" and "second derivative" in n.text]
    assert said and words in said[0].text and "Check" not in said[0].text, [n.text for n in result.notes]
    claim = said[0].math
    if claim is None or claim == True:     # noqa: E712 - SymPy settled it (a number, or exp(…)/κ > 0)
        return
    table, rng, checked = spec.part(part).table, random.Random(7), 0
    for _ in range(40):
        env, _ = sample(table, rng, extra_symbols=tuple(claim.free_symbols))
        assert violated_at(claim.lhs, claim.rhs, ">", Context(table, {}), env) is None, env
        checked += 1
        if checked == 5:
            break
    assert checked == 5

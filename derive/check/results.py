"""What the checker reports: a verdict per step, per final answer and per part, and the
per-step time limit (a SIGALRM timer in the worker's main thread)."""
from __future__ import annotations

import signal
from dataclasses import dataclass, field

from ..equivalence import Verdict

STEP_SECONDS = 5


class StepTimeout(Exception):
    pass


@dataclass(frozen=True)
class StepResult:
    index: int
    line: int
    latex: str
    status: str                     # ok | wrong | unparsed | unknown
    move: str = ""                  # what the checker recognised: identity, gradient = 0, ...
    reason: str = ""
    counterexample: dict | None = None
    condition: str = ""             # for ok steps that need an assumption
    part: str = ""
    ms: float = 0.0                 # time spent checking this step


@dataclass(frozen=True)
class AnswerResult:
    latex: str
    status: str                     # correct | wrong | missing | unknown
    convention: str = ""
    reason: str = ""
    counterexample: dict | None = None
    line: int | None = None


@dataclass
class PartCheck:
    part: str
    steps: list[StepResult] = field(default_factory=list)
    final_answer: AnswerResult | None = None
    resemblance: int = 0            # kinds of function the final value shares with this part's answer

    @property
    def first_wrong_step(self):
        return next((s.index for s in self.steps if s.status == "wrong"), None)


def _ce(verdict: Verdict) -> dict | None:
    ce = verdict.counterexample
    if ce is None:
        return None
    return {"values": dict(ce.values), "left": ce.left, "right": ce.right}


def _alarm(seconds):
    def handler(signum, frame):
        raise StepTimeout()

    try:
        signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        return True
    except ValueError:  # not the main thread: no per-step timer (the worker has its own limit)
        return False


def _disarm(armed):
    if armed:
        signal.setitimer(signal.ITIMER_REAL, 0)

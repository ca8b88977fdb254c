"""A time budget for one part of a derivation.

``with time_budget(seconds, "part 1.2.3"):`` raises ``BudgetExceeded`` when the block runs past
its budget. The message names the part and the rule or strategy it was in, read from the stack
at the moment the budget ran out. It uses ``SIGALRM``, so it applies in the main thread only
(elsewhere the block simply runs; the checker's workers have their own limits).
"""
from __future__ import annotations

import math
import signal
import threading
from contextlib import contextmanager

from .errors import DeriveError

DEFAULT_SECONDS = 30.0


class BudgetExceeded(DeriveError):
    """A part ran past its time budget."""


def where(frame) -> str:
    """The innermost rule or strategy function on the stack, as ``module.function``."""
    found = ""
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("derive.rules.") or module in ("derive.strategies", "derive.certificate"):
            found = f"{module.removeprefix('derive.')}.{frame.f_code.co_name}"
            break
        frame = frame.f_back
    return found


@contextmanager
def time_budget(seconds: float | None, what: str):
    usable = (seconds is not None and math.isfinite(seconds) and seconds > 0
              and threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGALRM"))
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        rule = where(frame)
        inside = f" while in {rule}" if rule else ""
        raise BudgetExceeded(f"{what} ran past its time budget of {seconds:g} s{inside}; "
                             "raise it with --timeout, or simplify the goal")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

"""Running untrusted work in a worker process with a time limit and a memory limit.

Each submission is checked in a forked child that caps its address space (``RLIMIT_AS``) before
touching the input and is killed when it overruns its time. ``run_all``: the parent keeps up to
``jobs`` children running, one per item, and collects their results (plain picklable data) as they
finish. ``run_each``: many small items (``derive equiv --batch``) run one after another in ONE
child, each under its own timer; a child that dies or hangs is replaced and the batch goes on.

Workers also get a higher recursion limit (and stack): the typed builder recurses once per term
of a flat sum, so a long sum needs more than Python's default 1,000 frames.
"""
from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import wait

DEFAULT_TIMEOUT = 60.0
EXTRA_MEMORY = 1536 * 1024 * 1024     # bytes a worker may allocate beyond what it inherits
RECURSION = 6_000                      # frames a worker may use: flat sums build in a loop, and deeper
                                       # recursion in SymPy is a RecursionError (unparsed), not a crash
STACK = 256 * 1024 * 1024              # the C stack those frames may need
GRACE = 5.0                            # seconds the parent waits beyond an item's own timer


class TimeLimit(BaseException):
    """An item overran its time (a BaseException, so library code catching Exception lets it by)."""


@dataclass
class Outcome:
    ok: bool
    value: object = None
    error: str = ""                    # "timed out after 60 s", "ran out of memory", ...


def _vm_size() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def worker_limits(extra_memory: int = EXTRA_MEMORY) -> None:
    """Limit this process's memory and give it room to recurse; called first in every worker."""
    try:
        import resource

        limit = _vm_size() + extra_memory
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
        want = STACK if hard == resource.RLIM_INFINITY else min(STACK, hard)
        if soft != resource.RLIM_INFINITY and soft < want:
            resource.setrlimit(resource.RLIMIT_STACK, (want, hard))
    except (ImportError, ValueError, OSError):
        pass
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION))


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise ``TimeLimit`` in this (main) thread after ``seconds``; a no-op off the main thread."""
    def handler(signum, frame):
        raise TimeLimit()

    try:
        previous = signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _failure(err: BaseException, seconds: float | None = None) -> Outcome:
    if isinstance(err, TimeLimit):
        return Outcome(False, error=f"timed out after {seconds:g} s")
    if isinstance(err, MemoryError):
        return Outcome(False, error="ran out of memory (the worker's memory limit)")
    if isinstance(err, RecursionError):
        return Outcome(False, error="too long or too deeply nested to handle (recursion limit)")
    return Outcome(False, error=f"{type(err).__name__}: {err}"[:500])


def _child(conn, fn, args, extra_memory):
    worker_limits(extra_memory)
    try:
        conn.send(Outcome(True, fn(*args)))
    except BaseException as err:  # noqa: BLE001 - the parent reports it; the batch goes on
        try:
            conn.send(_failure(err))
        except Exception:  # noqa: BLE001
            pass
    finally:
        conn.close()


def run_all(fn, items: list, timeout: float = DEFAULT_TIMEOUT, jobs: int = 2,
            extra_memory: int = EXTRA_MEMORY, on_done=None) -> list[Outcome]:
    """``fn(*item)`` for every item, each in its own limited worker; results in item order."""
    ctx = mp.get_context("fork")
    results: list[Outcome | None] = [None] * len(items)
    pending = list(range(len(items)))
    active: dict = {}
    while pending or active:
        while pending and len(active) < max(1, jobs):
            i = pending.pop(0)
            parent, child = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(child, fn, items[i], extra_memory), daemon=True)
            proc.start()
            child.close()
            active[parent] = (i, proc, time.monotonic())
        now = time.monotonic()
        soonest = min(start + timeout for _, _, start in active.values())
        ready = wait(list(active), timeout=max(0.0, soonest - now))
        for conn in ready:
            i, proc, _ = active.pop(conn)
            try:
                results[i] = conn.recv()
            except (EOFError, OSError):
                results[i] = Outcome(False, error="the worker stopped without a result (out of memory?)")
            conn.close()
            proc.join(timeout=5)
            if on_done:
                on_done(i, results[i])
        now = time.monotonic()
        for conn, (i, proc, start) in list(active.items()):
            if now - start >= timeout:
                proc.kill()
                proc.join(timeout=5)
                conn.close()
                del active[conn]
                results[i] = Outcome(False, error=f"timed out after {timeout:g} s")
                if on_done:
                    on_done(i, results[i])
    return results  # type: ignore[return-value]


def _each_child(conn, fn, items, start, timeout, extra_memory):
    worker_limits(extra_memory)
    try:
        for i in range(start, len(items)):
            try:
                with time_limit(timeout):
                    outcome = Outcome(True, fn(*items[i]))
            except BaseException as err:  # noqa: BLE001 - reported as this item's outcome
                outcome = _failure(err, timeout)
            conn.send((i, outcome))
    except BaseException:  # noqa: BLE001 - the parent notices the closed pipe and goes on
        pass
    finally:
        conn.close()


def run_each(fn, items: list, timeout: float = DEFAULT_TIMEOUT, extra_memory: int = EXTRA_MEMORY,
             on_done=None) -> list[Outcome]:
    """``fn(*item)`` for every item, in order, in one limited worker, each item with its own time
    limit. An item that kills or hangs its worker gets a failed outcome; a new worker goes on."""
    ctx = mp.get_context("fork")
    results: list[Outcome | None] = [None] * len(items)
    start = 0
    while start < len(items):
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_each_child, args=(child, fn, items, start, timeout, extra_memory), daemon=True)
        proc.start()
        child.close()
        start = _collect(parent, proc, results, start, timeout, on_done)
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join(timeout=5)
    return results  # type: ignore[return-value]


def _collect(conn, proc, results: list, current: int, timeout: float, on_done) -> int:
    """Read one worker's outcomes; the index of the first item it did not finish (now failed)."""
    while current < len(results):
        if not conn.poll(timeout + GRACE):
            results[current] = Outcome(False, error=f"timed out after {timeout:g} s")
            proc.kill()
        else:
            try:
                i, outcome = conn.recv()
            except (EOFError, OSError):
                results[current] = Outcome(False, error="the worker stopped without a result (out of memory?)")
            else:
                results[i] = outcome
                if on_done:
                    on_done(i, outcome)
                current = i + 1
                continue
        if on_done:
            on_done(current, results[current])
        return current + 1
    return current


def default_jobs() -> int:
    return max(1, min(2, os.cpu_count() or 1))

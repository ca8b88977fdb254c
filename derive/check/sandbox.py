"""Running untrusted work in a worker process with a time limit and a memory limit.

Each submission is checked in a forked child that caps its address space (``RLIMIT_AS``) before
touching the input and is killed when it overruns its time. The parent keeps up to ``jobs``
children running and collects their results (plain picklable data) as they finish.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import time
from dataclasses import dataclass
from multiprocessing.connection import wait

DEFAULT_TIMEOUT = 60.0
EXTRA_MEMORY = 1536 * 1024 * 1024     # bytes a worker may allocate beyond what it inherits


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


def _child(conn, fn, args, extra_memory):
    try:
        import resource

        limit = _vm_size() + extra_memory
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    try:
        conn.send(Outcome(True, fn(*args)))
    except MemoryError:
        conn.send(Outcome(False, error="ran out of memory (the worker's memory limit)"))
    except BaseException as err:  # noqa: BLE001 - the parent reports it; the batch goes on
        try:
            conn.send(Outcome(False, error=f"{type(err).__name__}: {err}"[:500]))
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


def default_jobs() -> int:
    return max(1, min(2, os.cpu_count() or 1))

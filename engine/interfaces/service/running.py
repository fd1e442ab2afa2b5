"""Where a worker runs evaluations: a bounded pool of threads, each call bounded in time, and a
bounded number of calls admitted at once.

The event loop stays free to read and answer requests while cases are evaluated on the pool
(measured: about a third more decisions per second than evaluating on the event loop itself, and
a lower p99; `bench/README.md`). A call that outlives its bound is answered at once with a 504
problem. Python cannot stop a thread, so the abandoned evaluation finishes in the background
and its result is dropped; the pool's size bounds how many can run at once.

A call is admitted only while fewer than `threads + queue` are admitted and unfinished, counting
abandoned evaluations still running until they end: past that, the worker answers at once with a
503 problem and `Retry-After`, instead of queueing work it could not start before the client's
patience (or the case's bound) ran out, e.g. while runaway cases hold every thread.
"""
from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from engine.interfaces.service.problems import Problem

T = TypeVar("T")


class Runner:
    def __init__(self, threads: int, queue: int = 64) -> None:
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="paragraf-eval")
        self.limit = threads + queue
        self.admitted = 0  # calls submitted whose work has not ended (or been cancelled before it began)
        self._lock = threading.Lock()  # the count is lowered from the pool's threads

    async def run(self, seconds: float, work: Callable[[], T], what: str = "the case") -> T:
        """`work()` on the pool; a 503 problem if the worker is saturated, a 504 if it takes longer than `seconds`."""
        with self._lock:
            if self.admitted >= self.limit:
                raise saturated(self.limit)
            self.admitted += 1
        submitted = self.pool.submit(work)
        submitted.add_done_callback(self._ended)  # when the work ends, whether anyone still waits for it
        try:
            return await asyncio.wait_for(asyncio.wrap_future(submitted), seconds)
        except asyncio.TimeoutError:  # a call still waiting for a thread is cancelled; a running one ends alone
            raise timed_out(seconds, what) from None

    def _ended(self, _future: Future[Any]) -> None:
        with self._lock:
            self.admitted -= 1

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def saturated(limit: int) -> Problem:
    return Problem(503, "busy", f"this worker already has {limit} evaluations admitted; try again shortly",
                   [{"path": None, "message": "too many evaluations at once", "category": "busy",
                     "hint": "retry after the time in Retry-After, or send fewer requests at once"}])


def timed_out(seconds: float, what: str) -> Problem:
    return Problem(504, "timeout", f"{what} took longer than {seconds:g} s to evaluate; the service stopped waiting for it",
                   [{"path": None, "message": "evaluation time limit reached", "category": "timeout",
                     "hint": "send a smaller case or payment file, or ask the operator to raise the limit"}])

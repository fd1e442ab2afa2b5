"""How a worker runs an evaluation within its time bound.

Evaluations are CPU work under the GIL, so running them on threads beside the event loop makes
every request wait for the interpreter's thread switches (milliseconds each). A worker under
uvicorn runs its event loop on the main thread; there an evaluation runs inline, and a timer
signal (`SIGALRM`) cuts it off when its bound passes: the evaluation stops at its next Python
step and the request is answered with a 504 problem. Nothing half-made is kept: the rulebook's
caches (the compiled program, the lift index) store an entry only once it is complete.
Long work that spends its time outside the interpreter (refusion over a payment file: Arrow and
the native kernel) runs on a bounded pool of threads instead, as does everything elsewhere (a
test client's thread, a platform without timer signals); there work past its bound is
abandoned: it finishes in the background and its result is dropped.
"""
from __future__ import annotations

import asyncio
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from types import FrameType
from typing import Callable, TypeVar

from engine.service.problems import Problem

T = TypeVar("T")


class CutOff(BaseException):
    """Raised by the timer signal inside an evaluation; a BaseException, so that no `except
    Exception` in the engine mistakes it for an error of the case."""


def _cut_off(_signal: int, _frame: FrameType | None) -> None:
    raise CutOff


class Runner:
    def __init__(self, threads: int) -> None:
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="paragraf-eval")

    async def run(self, seconds: float, work: Callable[[], T], what: str = "the case", on_thread: bool = False) -> T:
        """`work()` within `seconds`; a 504 problem if it takes longer. `on_thread`: long work that
        spends its time outside the interpreter (a payment file's columns, the native kernel) runs
        on the pool, so the worker keeps answering meanwhile."""
        if not on_thread and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
            return self._inline(seconds, work, what)
        future = asyncio.get_running_loop().run_in_executor(self.pool, work)
        try:
            return await asyncio.wait_for(future, seconds)
        except asyncio.TimeoutError:
            raise timed_out(seconds, what) from None

    @staticmethod
    def _inline(seconds: float, work: Callable[[], T], what: str) -> T:
        if signal.getsignal(signal.SIGALRM) is not _cut_off:
            signal.signal(signal.SIGALRM, _cut_off)
        try:  # the outer try also catches a signal that lands while the timer is disarmed
            try:
                signal.setitimer(signal.ITIMER_REAL, seconds)
                return work()
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except CutOff:
            raise timed_out(seconds, what) from None

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def timed_out(seconds: float, what: str) -> Problem:
    return Problem(504, "timeout", f"{what} took longer than {seconds:g} s to evaluate and was cut off",
                   [{"path": None, "message": "evaluation time limit reached", "category": "timeout",
                     "hint": "send a smaller case or payment file, or ask the operator to raise the limit"}])

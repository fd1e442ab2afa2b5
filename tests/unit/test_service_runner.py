"""The worker's evaluation pool: a call past its bound is a 504, and calls past the admitted
bound (threads + queue, counting abandoned evaluations still running) are refused at once with a
503 and Retry-After, until the running ones end."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest

from engine.interfaces.service.problems import Problem
from engine.interfaces.service.running import Runner


def _blocked(release: threading.Event) -> str:
    release.wait(60)
    return "done"


def test_a_runaway_call_holds_its_place_until_it_ends_and_new_calls_are_refused_meanwhile() -> None:
    runner = Runner(threads=1, queue=1)
    release = threading.Event()

    async def scenario() -> None:
        with pytest.raises(Problem) as first:
            await runner.run(0.05, lambda: _blocked(release))
        assert first.value.status == 504
        waiting = asyncio.ensure_future(runner.run(30, lambda: "queued"))  # waits for the one thread
        await asyncio.sleep(0.05)
        with pytest.raises(Problem) as refused:  # the runaway and the queued one fill threads + queue
            await runner.run(30, lambda: "refused")
        assert refused.value.status == 503 and refused.value.category == "busy"
        response = refused.value.response()
        assert response.status_code == 503 and response.headers["retry-after"] == "1"
        release.set()  # the runaway ends, the queued call runs, and calls are admitted again
        assert await waiting == "queued"
        assert await runner.run(30, lambda: "admitted") == "admitted"

    try:
        asyncio.run(scenario())
    finally:
        release.set()
        runner.close()


def test_a_call_that_times_out_before_it_starts_frees_its_place() -> None:
    runner = Runner(threads=1, queue=1)
    release = threading.Event()

    async def scenario() -> None:
        running = asyncio.ensure_future(runner.run(30, lambda: _blocked(release)))
        await asyncio.sleep(0.05)
        with pytest.raises(Problem) as queued:  # never got a thread: cancelled, not left to run later
            await runner.run(0.05, lambda: "never")
        assert queued.value.status == 504
        deadline = time.monotonic() + 10
        while runner.admitted > 1 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert runner.admitted == 1  # only the running call
        release.set()
        assert await running == "done"
        assert runner.admitted == 0

    try:
        asyncio.run(scenario())
    finally:
        release.set()
        runner.close()

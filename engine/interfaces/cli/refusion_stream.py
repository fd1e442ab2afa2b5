"""`paragraf refusion` on a Parquet file grouped by person: unit by unit (`engine.refusion.stream`),
in this process or, with --jobs N, in N worker processes (the GIL does not hold them back), each
reading, checking and deciding its own units. Results come back in file order and are written
by this process as they come, so the output is the same, byte for byte, whatever N is, and at
most a few units are held at a time.
"""
from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections import deque
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import attrs

from engine import rulebook
from engine.lang.compiler import Program
from engine.refusion.payments import BadRow

_WORKER: dict[str, Any] = {}  # a worker process's rulebook, loaded once


@attrs.define
class Totals:
    """What the units gave together: bad rows (in line order at the end), good rows, the summary."""

    bad: list[BadRow] = attrs.field(factory=list)
    rows: int = 0
    summary: dict[tuple[str, str], list[int]] = attrs.field(factory=dict)


def decide(path: Path, units: list[Any], rules: Path | None, program: Program, codes: tuple[str, ...],
           proposals: tuple[str, ...], jobs: int, summary: bool, take: Callable[[Any], None],
           progress: Callable[[int], None]) -> Totals:
    """Decide every unit (with `program` here, or the rulebook of `rules` loaded in each worker),
    handing each table to `take` in file order."""
    totals = Totals()
    for result in _results(path, units, rules, program, codes, proposals, jobs, summary):
        for table in result.read_tables():
            take(table)
        totals.bad += result.bad
        totals.rows += result.rows
        for key, (refusion, cofinancing) in result.summary.items():
            slot = totals.summary.setdefault(key, [0, 0])
            slot[0] += refusion
            slot[1] += cofinancing
        progress(result.persons)
    totals.bad.sort(key=lambda bad: bad.line)
    return totals


def _results(path: Path, units: list[Any], rules: Path | None, program: Program, codes: tuple[str, ...],
             proposals: tuple[str, ...], jobs: int, summary: bool) -> Iterator[Any]:
    from engine.refusion import stream

    if jobs == 1 or len(units) == 1:
        for unit in units:
            yield stream.decide_unit(program, path, unit, codes, proposals, summary)
        return
    # spawned, not forked: a fork would copy Arrow's and Numba's thread pools mid-flight
    # the tables come back through files in memory (/dev/shm where there is one), mapped, not copied
    context = multiprocessing.get_context("spawn")
    shared = "/dev/shm" if _room("/dev/shm") else None
    with tempfile.TemporaryDirectory(prefix="paragraf-units-", dir=shared) as spool, \
            context.Pool(jobs, initializer=_start, initargs=(rules,)) as pool:
        waiting: deque[Any] = deque()
        for unit in units:
            waiting.append(pool.apply_async(_decide, (path, unit, codes, proposals, summary, spool)))
            if len(waiting) > jobs:  # bounded: a fast worker runs at most one unit ahead
                yield waiting.popleft().get()
        while waiting:
            yield waiting.popleft().get()


def _room(folder: str) -> bool:
    """Whether a folder can be written and has a GiB free (a container's /dev/shm is often 64 MiB)."""
    try:
        stat = os.statvfs(folder)
    except OSError:
        return False
    return os.access(folder, os.W_OK) and stat.f_bavail * stat.f_frsize >= 1 << 30


def _start(rules: Path | None) -> None:
    _WORKER["book"] = rulebook.load(rules)


def _decide(path: Path, unit: Any, codes: tuple[str, ...], proposals: Iterable[str], summary: bool, spool: str) -> Any:
    from engine.refusion import stream

    return stream.decide_unit(_WORKER["book"].program, path, unit, codes, proposals, summary, spool)

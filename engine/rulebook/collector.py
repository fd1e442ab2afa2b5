"""The cyclic garbage collector in a process that decides case after case.

Deciding a case allocates many short-lived objects, few of them in cycles. With the default
thresholds the collector runs every 700 allocations and, now and then, a full collection walks
the whole loaded rulebook: about a tenth of a caseload's CPU time, and in the service a pause of
some 40 ms that every request in flight waits out (bench/README.md). Setting what is loaded
aside (`gc.freeze`) and collecting young objects every 10,000 allocations removes both. What
survives a young collection is mostly a caseload's gathered output rows, waiting to become Arrow
tables, and the decisions in flight; walking them again every 10 young collections took half the
collector's time in a caseload run, so the middle generation is collected every 100. The
settings are process-wide, so commands and service workers choose them; the library does not.
"""
from __future__ import annotations

import contextlib
import gc
from typing import Iterator

YOUNG_THRESHOLD = 10_000
MIDDLE_THRESHOLD = 100  # young collections between two collections of the middle generation


def collect_rarely() -> None:
    """From now on: what is loaded is set aside, and young objects are collected rarely."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, gc.get_threshold()[2])


@contextlib.contextmanager
def collected_rarely() -> Iterator[None]:
    """`collect_rarely` for the time of a run; the collector's settings are restored after."""
    threshold = gc.get_threshold()
    collect_rarely()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()

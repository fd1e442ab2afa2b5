"""`paragraf refusion` over payment records in Parquet partitions, on a Dask cluster.

A thin layer over `Rulebook.refusion`: one task per partition (a Parquet, CSV or JSON-lines
file, local or at an fsspec URL), each worker deciding its partition's persons with its own
rulebook, the client writing the per-week tables in partition order. A person's weeks depend
only on that person's payments, so a partition must hold all of a person's rows; a person found
in two partitions stops the run with an error naming both.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Callable

import attrs

from engine.rulebook.caseload import dask as on_dask, run
from engine.lang.errors import CaseError

PAYMENT_SUFFIXES = (".parquet", ".csv", ".jsonl", ".ndjson", ".json")


@attrs.frozen
class Part:
    """One partition's result: its per-week table and its malformed rows (line, reason)."""

    name: str
    table: Any
    bad: tuple[tuple[int, str], ...]


def refusion(payments: str, scheduler: Any, settings: run.Settings | None = None,
             write: Callable[[Any], None] = lambda _: None) -> list[Part]:
    """Per-week refusion for every partition of `payments`; each table goes to `write` in partition order."""
    settings = settings or run.Settings(None, None)
    parts = on_dask.partitions(payments, PAYMENT_SUFFIXES)
    done: list[Part] = []
    seen: dict[str, str] = {}
    with on_dask.connected(scheduler) as client:
        for part in on_dask.in_order(client, refusion_partition, parts, settings):
            _check_disjoint(part, seen)
            write(part.table)
            done.append(attrs.evolve(part, table=None))  # the table is written; keep only its bad rows
    return done


def refusion_partition(part: str, settings: run.Settings) -> Part:
    """On a worker: one partition through `Rulebook.refusion` (a remote file is copied locally first)."""
    import fsspec

    book = run.worker_book(settings)
    if Path(part).exists():
        result = book.refusion(part, settings.proposals)
    else:
        with tempfile.TemporaryDirectory() as folder:
            local = Path(folder) / Path(part).name
            with fsspec.open(part, "rb") as source:
                local.write_bytes(source.read())
            result = book.refusion(local, settings.proposals)
    return Part(part, result.table, tuple((bad.line, bad.reason) for bad in result.bad))


def _check_disjoint(part: Part, seen: dict[str, str]) -> None:
    for person in part.table.column("person").unique().to_pylist():
        if seen.setdefault(person, part.name) != part.name:
            raise CaseError(f"person {person} has payments in {seen[person]} and in {part.name}; "
                            "partition the payments by person")

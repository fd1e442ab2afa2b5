"""A caseload evaluated on one core or over several processes, written in case order.

`evaluate_caseload` reads a caseload through `Rulebook.read_cases`, decides every good case,
writes each decision through `rows.outcome` to the sink, and hands every bad row to a callback
as it comes, so a bad row never stops the run. With `jobs > 1`, a pool of processes, each of
which loads the rulebook once, decides the cases: a Parquet caseload is cut into slices of rows
that each process reads itself and returns gathered as Arrow tables (as a Dask worker returns a
partition), so this process only writes; other caseloads are read here and sent in chunks of read
cases. At most two tasks per process are in flight, so memory stays flat however large the
caseload, and outcomes are written in the order of the cases, so the output does not depend on
the number of processes.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing
import sys
import threading
from collections import deque
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator, TypeVar

import attrs

from engine.decide import casesource
from engine.decide.casebatch import Row
from engine.decide.casetable import Slice
from engine.lang.errors import EngineError
from engine.rulebook import Rulebook, collector, load
from engine.rulebook.caseload import sinks
from engine.rulebook.caseload.batches import Decided, gathered
from engine.rulebook.caseload.rows import Outcome, outcome

T = TypeVar("T")
U = TypeVar("U")
CHUNK_CASES = 250  # cases per task sent to a process: large enough that sending them costs little
SLICE_ROWS = 2_000  # rows of a Parquet caseload per task: a process reads them and returns Arrow tables


@attrs.frozen
class Settings:
    """What every process needs to decide cases as the run asks: the rulebook's folders and the options."""

    rules_dir: Path | None                   # None: the bundled rulebook, wherever this process has it
    legal_dir: Path | None
    kind: str = "parquet"                    # `jsonl` or `parquet`: what `rows.outcome` produces
    as_of: dt.date | None = None
    proposals: tuple[str, ...] = ()
    known_on: dt.date | None = None          # the facts as recorded by this day (None: each case's own)

    @classmethod
    def of(cls, book: Rulebook, out: str, as_of: dt.date | None = None, proposals: Iterable[str] = (),
           known_on: dt.date | None = None) -> Settings:
        bundled = book.shown_as is None
        return cls(None if bundled else book.rules_dir, None if bundled else book.legal_dir,
                   sinks.output_kind(out), as_of, tuple(proposals), known_on)


@attrs.frozen
class Summary:
    """What a caseload run did: the cases decided and written, and the bad rows reported."""

    cases: int
    bad: int


_books: dict[tuple[Path | None, Path | None], Rulebook] = {}
_books_lock = threading.Lock()


def worker_book(settings: Settings) -> Rulebook:
    """The rulebook of this process, loaded on first use and kept (one per process, thread-safe)."""
    key = (settings.rules_dir, settings.legal_dir)
    with _books_lock:
        if key not in _books:
            bundled = settings.rules_dir is None or settings.legal_dir is None
            _books[key] = load() if bundled else Rulebook(settings.rules_dir, settings.legal_dir)  # type: ignore[arg-type]
        return _books[key]


def _start_worker(settings: Settings) -> None:
    """A pool process: load the rulebook, then collect garbage rarely for the rest of its life."""
    worker_book(settings)
    collector.collect_rarely()
    if settings.kind == "parquet" or "pyarrow" in sys.modules:
        system_allocator()


def system_allocator() -> None:
    """Arrow allocates through the C library's allocator in this process from now on. Its default
    pool (jemalloc) hands freed pages back and faults them in again as each batch of tables is
    built: a tenth of a caseload run's CPU went to the kernel (1.07 s of system time over
    20,000 cases, 0.15 s with this pool), and the peak was higher (bench/README.md). Process-wide,
    so the caseload commands and their pool processes choose it; the library does not."""
    import pyarrow

    pyarrow.set_memory_pool(pyarrow.system_memory_pool())


def decide_rows(book: Rulebook, rows: Iterable[Row], settings: Settings) -> Iterator[Outcome]:
    """Each row's outcome: its decision in the output's form, or its problems."""
    switched = book.proposals(settings.proposals)
    for row in rows:
        if row.case is None:
            yield Outcome(row.source, problems=row.problems)
            continue
        try:
            yield outcome(row.source, book.evaluate(row.case, settings.as_of, switched, settings.known_on), settings.kind)
        except EngineError as exc:  # e.g. a case without as_of: this row is bad, the others are not
            yield Outcome(row.source, problems=exc.diagnostics)


def evaluate_caseload(book: Rulebook, cases: Path, out: str, settings: Settings, jobs: int = 1,
                      on_bad: Callable[[Outcome], None] = lambda _: None,
                      progress: Callable[[Iterator[Outcome]], Iterator[Outcome]] = lambda it: it,
                      slice_progress: Callable[[Iterator[Decided]], Iterator[Decided]] = lambda it: it) -> Summary:
    """Decide every case of `cases` and write the decisions to `out`; bad rows go to `on_bad`; `progress`
    sees each case as it is written, or `slice_progress` each slice when processes read a Parquet caseload."""
    book.proposals(settings.proposals)  # unknown proposals are refused before anything is written
    slices = casesource.parquet_slices(cases, SLICE_ROWS) if jobs > 1 else None
    if slices is not None:
        return write_decided(slice_progress(in_slices(slices, settings, jobs)), sinks.open_sink(out), on_bad)
    rows = book.read_cases(cases)
    outcomes = decide_rows(book, rows, settings) if jobs <= 1 else in_processes(rows, settings, jobs)
    return write_all(progress(outcomes), sinks.open_sink(out), on_bad)


def write_all(outcomes: Iterable[Outcome], sink: sinks.JsonLinesSink | sinks.ParquetSink,
              on_bad: Callable[[Outcome], None]) -> Summary:
    cases = bad = 0
    try:
        for item in outcomes:
            if item.bad:
                bad += 1
                on_bad(item)
            else:
                cases += 1
                sink.write(item)
    finally:
        sink.close()
    return Summary(cases, bad)


def write_decided(pieces: Iterable[Decided], sink: sinks.JsonLinesSink | sinks.ParquetSink,
                  on_bad: Callable[[Outcome], None]) -> Summary:
    """Write decided pieces of a caseload in order (as a Dask run does); bad rows go to `on_bad`."""
    cases = bad = 0
    try:
        for piece in pieces:
            for item in piece.bad:
                on_bad(item)
            sink.write_batch(piece.batch)
            cases, bad = cases + piece.cases, bad + len(piece.bad)
    finally:
        sink.close()
    return Summary(cases, bad)


def in_slices(slices: list[Slice], settings: Settings, jobs: int) -> Iterator[Decided]:
    """Each slice read and decided in a pool of `jobs` processes, in slice order."""
    return _in_pool(_decide_slice, slices, settings, jobs)


def _decide_slice(piece: Slice, settings: Settings) -> Decided:
    book = worker_book(settings)
    return gathered(decide_rows(book, casesource.read_slice(piece, book.checked.inputs), settings), settings.kind,
                    compact=True)


def in_processes(rows: Iterable[Row], settings: Settings, jobs: int) -> Iterator[Outcome]:
    """`decide_rows` over a pool of `jobs` processes, in the order of `rows`."""
    for outcomes in _in_pool(_decide_chunk, _chunks(rows, CHUNK_CASES), settings, jobs):
        yield from outcomes


def _in_pool(task: Callable[[T, Settings], U], items: Iterable[T], settings: Settings, jobs: int) -> Iterator[U]:
    """`task(item, settings)` for every item in a pool of `jobs` processes, results in item order,
    at most two tasks per process in flight."""
    with multiprocessing.get_context().Pool(jobs, initializer=_start_worker, initargs=(settings,)) as pool:
        pending: deque[multiprocessing.pool.AsyncResult[U]] = deque()
        for item in items:
            pending.append(pool.apply_async(task, (item, settings)))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def _decide_chunk(rows: list[Row], settings: Settings) -> list[Outcome]:
    return list(decide_rows(worker_book(settings), rows, settings))


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk

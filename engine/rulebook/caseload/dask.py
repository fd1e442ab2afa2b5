"""A Parquet caseload decided on a Dask cluster: one task per Parquet file (partition).

`evaluate` lists the partitions of a local folder or any fsspec URL (`s3://bucket/caseload/`),
sends one task per partition to the cluster, and writes the outcomes in partition order
through the same sink as a single-process run, so the output is byte-identical to it. Each
worker process loads the rulebook once (`run.worker_book`) and reads its partition itself, and
returns its good cases gathered as Arrow tables or JSON text (`batches.Gather`), never as one
Python object per row; the client holds at most two partitions per worker in flight, so memory
stays flat on both sides.
"""
from __future__ import annotations

import contextlib
from collections import deque
from typing import Any, Callable, Iterator, TypeVar

from engine.decide import casesource
from engine.lang.errors import CaseError
from engine.rulebook.caseload import run, sinks
from engine.rulebook.caseload.batches import Decided, gathered
from engine.rulebook.caseload.rows import Outcome

PARQUET_SUFFIXES = (".parquet", ".pq")
T = TypeVar("T")


def evaluate(cases: str, out: str, scheduler: Any, settings: run.Settings | None = None,
             on_bad: Callable[[Outcome], None] = lambda _: None,
             progress: Callable[[Iterator[Decided]], Iterator[Decided]] = lambda it: it) -> run.Summary:
    """Decide the Parquet caseload `cases` on `scheduler` (an address or a `distributed.Client`) into `out`;
    `progress` sees each partition as it is written."""
    settings = settings or run.Settings(None, None, sinks.output_kind(out))
    parts = partitions(cases)
    with connected(scheduler) as client:
        # the sink is opened once the cluster answers: a refused address writes nothing
        return run.write_decided(progress(in_order(client, decide_partition, parts, settings)), sinks.open_sink(out),
                                 on_bad)


@contextlib.contextmanager
def connected(scheduler: Any) -> Iterator[Any]:
    """A client of `scheduler`: the given `distributed.Client` itself, or one to its address, closed after."""
    from distributed import Client

    if isinstance(scheduler, Client):
        yield scheduler
    else:
        with Client(scheduler) as client:
            yield client


def partitions(url: str, suffixes: tuple[str, ...] = PARQUET_SUFFIXES) -> list[str]:
    """The files of a caseload URL or path ending in `suffixes`: the file itself, or a folder's files in name order."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(url)
    if fs.isdir(root):
        found = sorted(p for p in fs.glob(root.rstrip("/") + "/*") if p.lower().endswith(suffixes))
    elif fs.exists(root) and root.lower().endswith(suffixes):
        found = [root]
    else:
        raise CaseError(f"{url}: not a {'/'.join(suffixes)} file or a folder of them; --dask reads partitions")
    if not found:
        raise CaseError(f"{url}: no {'/'.join(suffixes)} files; --dask reads a caseload in partitions")
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return [part if protocol in ("file", "local") else f"{protocol}://{part}" for part in found]


def decide_partition(part: str, settings: run.Settings) -> Decided:
    """On a worker: read one partition and decide its cases with this process's rulebook."""
    import fsspec

    book = run.worker_book(settings)
    with fsspec.open(part, "rb") as handle:
        return gathered(run.decide_rows(book, casesource.read_parquet_part(handle, book.checked.inputs, part), settings),
                        settings.kind, compact=True)  # dictionary-encoded: the client holds partitions in flight


def in_order(client: Any, task: Callable[[str, run.Settings], T], parts: list[str], settings: run.Settings) -> Iterator[T]:
    """`task(part, settings)` on the cluster for every part, results in part order, two per worker in flight."""
    window = 2 * max(1, len(client.scheduler_info().get("workers", {})))
    pending: deque[Any] = deque()
    for part in parts:
        pending.append(client.submit(task, part, settings, pure=False))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()

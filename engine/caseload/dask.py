"""A Parquet caseload decided on a Dask cluster: one task per Parquet file (partition).

`evaluate` lists the partitions of a local folder or any fsspec URL (`s3://bucket/caseload/`),
sends one task per partition to the cluster, and writes the outcomes in partition order
through the same sink as a single-process run, so the output is byte-identical to it. Each
worker process loads the rulebook once (`run.worker_book`) and reads its partition itself; the
client holds at most two partitions per worker in flight, so its memory stays flat.
"""
from __future__ import annotations

from collections import deque
from typing import Any, Callable, Iterator

from engine.caseload import run, sinks
from engine.caseload.rows import Outcome
from engine.decide import casesource
from engine.lang.errors import CaseError


def evaluate(cases: str, out: str, scheduler: Any, settings: run.Settings | None = None,
             on_bad: Callable[[Outcome], None] = lambda _: None,
             progress: Callable[[Iterator[Outcome]], Iterator[Outcome]] = lambda it: it) -> run.Summary:
    """Decide the Parquet caseload `cases` on `scheduler` (an address or a `distributed.Client`) into `out`."""
    from distributed import Client

    settings = settings or run.Settings(None, None, sinks.output_kind(out))
    parts = partitions(cases)
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        outcomes = _in_order(client, parts, settings)
        return run.write_all(progress(outcomes), sinks.open_sink(out), on_bad)
    finally:
        if client is not scheduler:
            client.close()


def partitions(cases: str) -> list[str]:
    """The Parquet files of a caseload URL or path: the file itself, or a folder's files in name order."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(cases)
    if fs.isdir(root):
        found = sorted(fs.glob(root.rstrip("/") + "/*.parquet"))
    elif fs.exists(root) and root.lower().endswith((".parquet", ".pq")):
        found = [root]
    else:
        raise CaseError(f"{cases}: not a Parquet file or a folder of them; --dask reads a caseload in Parquet partitions")
    if not found:
        raise CaseError(f"{cases}: no .parquet files; --dask reads a caseload in Parquet partitions")
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return [part if protocol in ("file", "local") else f"{protocol}://{part}" for part in found]


def decide_partition(part: str, settings: run.Settings) -> list[Outcome]:
    """On a worker: read one partition and decide its cases with this process's rulebook."""
    import fsspec

    book = run.worker_book(settings)
    with fsspec.open(part, "rb") as handle:
        rows = casesource.read_parquet_part(handle, book.checked.inputs, part)
        return list(run.decide_rows(book, rows, settings))


def _in_order(client: Any, parts: list[str], settings: run.Settings) -> Iterator[Outcome]:
    window = 2 * max(1, len(client.scheduler_info().get("workers", {})))
    pending: deque[Any] = deque()
    for part in parts:
        pending.append(client.submit(decide_partition, part, settings, pure=False))
        if len(pending) >= window:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()

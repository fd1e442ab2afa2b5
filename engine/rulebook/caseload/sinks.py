"""Where a caseload run writes: JSON lines (a file or stdout) or a folder of two Parquet tables.

`open_sink(out)` chooses by name: `-` or a `.jsonl`/`.ndjson` file is JSON lines, one decision per
line; anything else is a folder holding `cases.parquet` (one row per case) and
`obligations.parquet` (one row per case and obligation). A sink takes one outcome at a time
(`write`) or a gathered `Batch` of them (`write_batch`, what a Dask worker returns). Parquet row
groups hold a fixed number of cases, written from contiguous tables, whatever the run was split
into, so one core, several processes and a Dask cluster write byte-identical files.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from engine.rulebook.caseload.batches import Batch, Gather, Tables, schemas
from engine.rulebook.caseload.rows import Outcome

JSONL_SUFFIXES = (".jsonl", ".ndjson")
ROW_GROUP_CASES = 10_000


def output_kind(out: str) -> str:
    """`jsonl` or `parquet`, from the name given to --out."""
    return "jsonl" if out == "-" or Path(out).suffix.lower() in JSONL_SUFFIXES else "parquet"


class JsonLinesSink:
    def __init__(self, out: str) -> None:
        self._own = out != "-"
        self._handle: TextIO = open(out, "w", encoding="utf-8", newline="\n") if self._own else sys.stdout

    def write(self, outcome: Outcome) -> None:
        assert outcome.line is not None
        self._handle.write(outcome.line + "\n")

    def write_batch(self, batch: Batch) -> None:
        assert isinstance(batch, str)
        self._handle.write(batch)

    def close(self) -> None:
        if self._own:
            self._handle.close()
        else:
            self._handle.flush()


class ParquetSink:
    """Gathers cases into Arrow tables, then writes each ROW_GROUP_CASES of them as one row group of each table."""

    def __init__(self, folder: str) -> None:
        import pyarrow.parquet as pq

        Path(folder).mkdir(parents=True, exist_ok=True)
        self._writers = {name: pq.ParquetWriter(Path(folder) / f"{name}.parquet", schema)
                         for name, schema in schemas().items()}
        self._gather = Gather("parquet")
        self._pending: Tables | None = None

    def write(self, outcome: Outcome) -> None:
        self._gather.add(outcome)
        if self._gather.count >= ROW_GROUP_CASES:
            self.write_batch(self._gather.take())

    def write_batch(self, batch: Batch) -> None:
        assert isinstance(batch, Tables)
        pending = batch if self._pending is None else self._pending.then(batch)
        while pending.count >= ROW_GROUP_CASES:
            group, pending = pending.split(ROW_GROUP_CASES)
            self._write_group(group)
        self._pending = pending

    def _write_group(self, group: Tables) -> None:
        # contiguous columns, so the pages do not depend on how the cases were batched
        group = group.plain()  # tables a worker sent compact are written as any others
        for name, table in (("cases", group.cases), ("obligations", group.obligations)):
            if table.num_rows:
                self._writers[name].write_table(table.combine_chunks())

    def close(self) -> None:
        if self._gather.count:
            self.write_batch(self._gather.take())
        if self._pending is not None and self._pending.count:
            self._write_group(self._pending)
        for writer in self._writers.values():
            writer.close()


def open_sink(out: str) -> JsonLinesSink | ParquetSink:
    return JsonLinesSink(out) if output_kind(out) == "jsonl" else ParquetSink(out)

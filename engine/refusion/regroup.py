"""A payment file whose persons are not together, regrouped on disk into units of whole persons.

A ledger sorted by date holds each person's rows far apart, so it cannot be cut where a person
begins (`engine.refusion.stream`, `engine.refusion.csv_units`). Instead it is read once, batch by
batch, and each row goes to a *bucket* file by the order in which its person first appears in
the file: persons 0 to PERSONS_PER_BUCKET - 1 to the first bucket, and so on. Consecutive buckets
then make a unit (`BucketUnit`) of about UNIT_ROWS rows: its rows, each bucket's in file order,
are checked and decided on their own, as a small file holding all of its persons' rows, each row
with its line in the file. The units follow one another in the order of first appearance, and so
do the persons in a unit, as when the file is read whole: the table, the bad rows (lines and
reasons) and the summary are the same. Memory is bounded by a unit; the buckets take the disk
space of the file's rows in Arrow form, in a temporary folder removed at the end.
"""
from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any, Iterator

import attrs
import numpy as np
import pyarrow as pa

from engine.lang import filekind
from engine.lang.errors import EngineError
from engine.refusion import payment_files
from engine.refusion.payment_files import AsText
from engine.refusion.payments import Payments, check_strictly, from_batches, person_order

PERSONS_PER_BUCKET = 1 << 13
UNIT_ROWS = 1 << 20  # consecutive buckets make a unit of at least this many rows (or the last)
REGROUP_ROWS = 1 << 20  # a file of fewer rows (estimated for text files) is read whole: faster
TEXT_ROW_BYTES = 48     # about the bytes of a CSV or JSON line of a payment, to estimate the rows
LINE = "_line"


@attrs.frozen
class BucketUnit:
    """The rows of consecutive buckets, each bucket's in file order (Arrow IPC files with each
    row's line)."""

    files: tuple[str, ...]
    first: int  # the first bucket's number (names its spool file)

    def read(self, path: Path, codes: tuple[str, ...]) -> Payments:
        return from_batches(self._batches(), codes)

    def _batches(self) -> Iterator[tuple[pa.RecordBatch, np.ndarray]]:
        for file in self.files:
            with pa.memory_map(file) as source:
                reader = pa.ipc.open_file(source)
                for index in range(reader.num_record_batches):
                    batch = reader.get_batch(index)
                    yield batch.drop_columns([LINE]), batch.column(LINE).to_numpy()


def worth_it(path: Path) -> bool:
    """Whether the file is large enough for buckets to pay for the extra pass."""
    if not path.is_file():
        return False
    if filekind.payment_kind(path) == "parquet":
        handle, _ = payment_files.open_parquet(path)
        return int(handle.metadata.num_rows) >= REGROUP_ROWS
    return path.stat().st_size >= REGROUP_ROWS * TEXT_ROW_BYTES


@contextlib.contextmanager
def buckets(path: Path, codes: tuple[str, ...]) -> Iterator[list[BucketUnit]]:
    """The file's rows spilled into bucket files (removed on leaving), as units in order."""
    with tempfile.TemporaryDirectory(prefix="paragraf-buckets-") as folder:
        try:
            try:
                units = _spill(path, Path(folder), codes, typed=True)
            except AsText:  # a CSV row only the text path reports as the whole file's reading does
                units = _spill(path, Path(folder), codes, typed=False)
        except OSError as exc:
            raise EngineError(f"{path}: cannot regroup its rows by person in {folder}: {exc}; set TMPDIR to "
                              "a folder with room for about the file's size") from None
        yield units


def _spill(path: Path, folder: Path, codes: tuple[str, ...], typed: bool) -> list[BucketUnit]:
    strict = typed and filekind.payment_kind(path) == "csv"
    persons: dict[str, int] = {}
    writers: dict[int, Any] = {}
    rows: dict[int, int] = {}
    schema: pa.Schema | None = None
    try:
        for batch, first_line in payment_files.batches(path, typed):
            if strict:
                check_strictly(batch, codes)
            schema = schema or _schema(batch.schema)
            order = person_order(batch.column("person"), persons)
            bucket = order // PERSONS_PER_BUCKET
            lines = np.arange(first_line, first_line + batch.num_rows, dtype=np.int64)
            for number in np.unique(bucket).tolist():
                taken = np.flatnonzero(bucket == number)
                part = _with_columns(batch.take(pa.array(taken)), schema, lines[taken])
                if number not in writers:
                    writers[number] = pa.ipc.new_file(str(folder / f"bucket-{number}.arrow"), schema)
                writers[number].write_batch(part)
                rows[number] = rows.get(number, 0) + len(taken)
    finally:
        for writer in writers.values():
            writer.close()
    return _units(folder, rows)


def _units(folder: Path, rows: dict[int, int]) -> list[BucketUnit]:
    """Consecutive buckets joined into units of at least UNIT_ROWS rows (the last may have fewer)."""
    units, files, count, first = [], [], 0, 0
    for number in sorted(rows):
        files.append(str(folder / f"bucket-{number}.arrow"))
        count += rows[number]
        if count >= UNIT_ROWS:
            units.append(BucketUnit(tuple(files), first))
            files, count, first = [], 0, number + 1
    if files:
        units.append(BucketUnit(tuple(files), first))
    return units


def _schema(first: pa.Schema) -> pa.Schema:
    """Every batch of a file is written with the columns of its first, the text path's `_bad` and
    `_span` (which only some batches have) and each row's line."""
    fields = [first.field(name) for name in first.names if name not in ("_bad", "_span")]
    return pa.schema([*fields, pa.field("_bad", pa.string()), pa.field("_span", pa.string()), pa.field(LINE, pa.int64())])


def _with_columns(batch: pa.RecordBatch, schema: pa.Schema, lines: np.ndarray) -> pa.RecordBatch:
    given = dict(zip(batch.schema.names, batch.columns))
    given[LINE] = pa.array(lines)
    return pa.RecordBatch.from_arrays([given.get(field.name, pa.nulls(batch.num_rows, field.type)).cast(field.type)
                                       for field in schema], schema=schema)

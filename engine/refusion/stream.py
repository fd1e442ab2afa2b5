"""A Parquet payment file whose rows are grouped by person, decided unit by unit.

A *unit* is a run of rows holding whole persons (its cuts fall where a new person begins, next
to the file's row groups), read, checked and decided on its own (`decide_unit`): memory stays
bounded by a unit, whatever the size of the file, and units can go to several processes
(`engine.interfaces.cli.refusion_stream`). Every person's rows are in one unit, so each person's weeks,
the per-person bound on amounts and the per-person facts are what reading the whole file gives;
rows are numbered as in the whole file. `plan_units` first reads the person column alone: when a
person's rows are not together (or the file is not Parquet), it gives None and the file is read
whole (`engine.refusion.payments.read_payments`).
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Iterable

import attrs
import numpy as np
import pyarrow as pa

from engine.lang import filekind
from engine.lang.compiler import Program
from engine.refusion import csv_units, tables
from engine.refusion.payment_files import open_parquet, parquet_rows, person_starts
from engine.refusion.payments import BadRow, Payments, from_batches

# Units at least (row groups cut in parts when fewer), whatever --jobs is, so that the output is
# the same byte for byte with any number of processes, and these share the units evenly.
MIN_UNITS = 8
MIN_UNIT_ROWS = 1 << 16  # a row group is not cut into parts smaller than this
UNIT_ROWS = 1 << 20  # the most rows of a unit of a file without row groups (CSV), bar one person's
_COMPILED: dict[tuple[Any, ...], tuple[Program, Any]] = {}  # the program kept alive: its id stays its own


@attrs.frozen
class Unit:
    """Rows first..end-1 (from 0) of the file: whole persons."""

    first: int
    end: int

    def read(self, path: Path, codes: tuple[str, ...]) -> Payments:
        return from_batches(parquet_rows(path, self.first, self.end), codes)


@attrs.frozen
class UnitResult:
    """What one unit gave: its per-week tables (Arrow IPC), its bad rows, and counts."""

    tables: Any    # the Arrow IPC stream: a buffer, or the path of a file holding it (`spool`)
    bad: list[BadRow]
    rows: int      # good rows
    persons: int
    summary: dict[tuple[str, str], list[int]]

    def read_tables(self) -> list[pa.Table]:
        """The unit's tables, one a slice of persons, as they were made."""
        if not isinstance(self.tables, str):
            source = self.tables
        else:  # mapped, not copied; the file goes once mapped (the mapping keeps its pages)
            source = pa.memory_map(self.tables)
            os.unlink(self.tables)
        with pa.ipc.open_stream(source) as reader:
            return [pa.Table.from_batches([batch], reader.schema) for batch in reader]


def plan_units(path: Path) -> list[Unit] | list[csv_units.CsvUnit] | None:
    """The file cut into units of whole persons, or None when it cannot be decided in units (JSON
    lines, the person column not text, some person's rows not all together, or a CSV file that
    `engine.refusion.csv_units` cannot cut)."""
    if not path.is_file():
        return None  # reading it whole says what is wrong
    kind = filekind.payment_kind(path)
    if kind == "csv":
        return csv_units.plan(path, lambda starts: _cuts(starts, _row_candidates(int(starts[-1]))))
    if kind != "parquet":
        return None
    handle, _ = open_parquet(path)
    if not pa.types.is_string(handle.schema_arrow.field("person").type):
        return None
    starts = person_starts(batch.column(0) for batch in handle.iter_batches(batch_size=1 << 20, columns=["person"]))
    if starts is None:
        return None
    cuts = _cuts(starts, _candidates(handle))
    return [Unit(int(lo), int(hi)) for lo, hi in zip(cuts[:-1], cuts[1:])]


def _cuts(starts: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Where units begin, and the row count last: at the first person beginning at or after each
    candidate (`starts` ends with the row count; a candidate past the last person's start cuts nothing)."""
    total = starts[-1]
    cuts = starts[np.searchsorted(starts, candidates)]
    return np.unique(np.r_[0, cuts[cuts < total], total])


def _row_candidates(rows: int) -> np.ndarray:
    """Where the units of a file without row groups should begin: at most UNIT_ROWS apart, and
    MIN_UNITS of them (of at least MIN_UNIT_ROWS rows) when the file is large enough."""
    count = max(-(-rows // UNIT_ROWS), min(MIN_UNITS, rows // MIN_UNIT_ROWS), 1)
    return (np.arange(count) * rows) // count


def _candidates(handle: Any) -> np.ndarray:
    """Where units should begin: at each row group, and within row groups when there are fewer
    than MIN_UNITS of them (parts of at least MIN_UNIT_ROWS rows)."""
    meta = handle.metadata
    sizes = np.array([meta.row_group(g).num_rows for g in range(meta.num_row_groups)], np.int64)
    parts = max(1, math.ceil(MIN_UNITS / max(len(sizes), 1)))
    out = []
    for begin, size in zip(np.cumsum(sizes) - sizes, sizes):
        count = max(1, min(parts, int(size // MIN_UNIT_ROWS)))
        out.append(begin + (np.arange(count) * size) // count)
    return np.concatenate(out) if out else np.zeros(0, np.int64)


def decide_unit(program: Program, path: Path, unit: Unit, codes: tuple[str, ...], proposals: Iterable[str] = (),
                summary: bool = False, spool: str | None = None) -> UnitResult:
    """Read, check and decide one unit: its per-week tables slice by slice, as Arrow IPC in memory
    or, given a `spool` folder (for another process to map), in a file there."""
    read = unit.read(path, codes)
    key = (id(program), codes, tuple(sorted(proposals)))
    if key not in _COMPILED:  # once per process: the units of a file share it
        _COMPILED.clear()
        _COMPILED[key] = (program, tables.compile_program(program, codes, proposals))
    target = None if spool is None else os.path.join(spool, f"unit-{unit.first}.arrow")
    sink = pa.BufferOutputStream() if target is None else pa.OSFile(target, "wb")
    totals = tables.Summary()
    with pa.ipc.new_stream(sink, tables.SCHEMA) as writer:
        for result, table in tables.evaluate_tables(program, read, proposals, compiled=_COMPILED[key][1]):
            writer.write_table(table)
            if summary:
                totals.add(result, read)
    if target is None:
        return UnitResult(sink.getvalue(), read.bad, read.rows, len(read.persons), totals.totals)
    sink.close()
    return UnitResult(target, read.bad, read.rows, len(read.persons), totals.totals)

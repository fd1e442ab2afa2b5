"""A CSV payment file grouped by person, cut into units of whole persons by byte range.

A unit of a CSV file is a run of its lines, from the byte at which a person's first line begins
to the byte at which another's does: read on its own (Arrow's typed parse, or the text path for
those lines alone when a row there is bad), it gives the same rows, lines and reasons as reading
the whole file. That holds when every record is one line ending in a line feed (a blank line is
a row to Arrow too, reported by the text path), so a file with a quote below the header or a carriage return
anywhere, a line Arrow cannot take apart, or a person whose lines are not together is not cut
(`plan` gives None) and is read whole (`engine.refusion.payments.read_payments`).
"""
from __future__ import annotations

import io
import mmap
from pathlib import Path
from typing import Callable

import attrs
import numpy as np
import pyarrow as pa

from engine.refusion import payment_files
from engine.refusion.payment_files import AsText
from engine.refusion.payments import Payments, from_batches

SCAN_BYTES = 1 << 26  # the file is searched for line feeds this much at a time


@attrs.frozen
class CsvUnit:
    """Bytes start..end-1 of the file: the lines of whole persons, the first of them `first_line`."""

    start: int
    end: int
    first_line: int

    @property
    def first(self) -> int:  # the unit's first row, from 0, as a Parquet unit's (names its spool file)
        return self.first_line - 2

    def read(self, path: Path, codes: tuple[str, ...]) -> Payments:
        """The unit's rows, checked: Arrow's typed parse, or, when a row there is bad, the text path."""
        names = payment_files.csv_header(path)
        with path.open("rb") as handle:
            handle.seek(self.start)
            data = handle.read(self.end - self.start)
        try:
            return from_batches(payment_files.typed_csv_bytes(data, names, self.first_line), codes, strict=True)
        except AsText:
            return from_batches(payment_files.text_csv_lines(io.BytesIO(data), names, self.first_line), codes)


def plan(path: Path, cut_rows: Callable[[np.ndarray], np.ndarray]) -> list[CsvUnit] | None:
    """The file cut into units at the rows `cut_rows(starts)` chooses among the rows where a person
    begins (`starts` ends with the row count), or None when it cannot be cut (see the module)."""
    names = payment_files.csv_header(path)  # a file-level problem is reported as for the whole file
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        body = data.find(b"\n") + 1  # past the header, whose names may be quoted (Arrow quotes them)
        if body == 0 or data.find(b'"', body) >= 0 or data.find(b"\r") >= 0:
            return None
    try:
        starts = payment_files.person_starts(payment_files.csv_persons(path, names))
    except (pa.ArrowInvalid, OSError):  # a line Arrow cannot take apart: the whole file's reading reports it
        return None
    if starts is None or len(starts) < 2:
        return None
    rows = cut_rows(starts)[:-1]
    offsets = _line_offsets(path, rows + 1)  # row r is line r + 2, which begins after the (r + 1)-th line feed
    bounds = np.r_[offsets, path.stat().st_size]
    return [CsvUnit(int(lo), int(hi), int(row) + 2) for lo, hi, row in zip(bounds[:-1], bounds[1:], rows)]


def _line_offsets(path: Path, counts: np.ndarray) -> np.ndarray:
    """For each count n (ascending), the byte just after the file's n-th line feed."""
    found = np.zeros(len(counts), np.int64)
    seen, at = 0, 0
    with path.open("rb") as handle:
        while (chunk := handle.read(SCAN_BYTES)) and at < len(counts):
            feeds = np.flatnonzero(np.frombuffer(chunk, np.uint8) == 10)
            here = int(np.searchsorted(counts, seen + len(feeds), side="right"))
            found[at:here] = feeds[counts[at:here] - seen - 1] + 1 + handle.tell() - len(chunk)
            seen, at = seen + len(feeds), here
    return found

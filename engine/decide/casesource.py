"""The one caseload reader: a folder of case files, JSON lines, CSV or Parquet.

`read_caseload` yields every case of a caseload in a stable order, each one read (validated
against the input rules) or with the problems that made it unusable, and its source: the file,
`file:line` for JSON lines, `file row N` for CSV and Parquet rows. Tables are read by
`casetable`, case files and JSON lines by `casebatch`.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Iterator

from engine.decide import casebatch, casetable
from engine.decide.casebatch import Row
from engine.decide.casefile import read_case
from engine.law.model import Rule

CASELOAD_SUFFIXES = (".jsonl", ".ndjson", *casetable.TABLE_SUFFIXES)


def is_caseload(path: Path) -> bool:
    """Many cases rather than one: a folder, or a JSON-lines, CSV or Parquet file."""
    return path.is_dir() or path.suffix.lower() in CASELOAD_SUFFIXES


def read_caseload(path: Path, inputs: dict[str, Rule]) -> Iterator[Row]:
    """Every case of `path` as a `Row`, in file (and line or row) order."""
    path = Path(path)
    read = functools.partial(read_case, inputs=inputs)
    if casetable.is_table(path):
        return casetable.table_rows(path, read, input_types(inputs))
    return casebatch.read_cases(path, read)


def read_parquet_part(source: Any, inputs: dict[str, Rule], name: str) -> Iterator[Row]:
    """The cases of one Parquet file, given as an open binary file (e.g. from fsspec); rows cite `name`."""
    return casetable.parquet_rows(source, functools.partial(read_case, inputs=inputs), input_types(inputs), name)


def parquet_slices(path: Path, rows: int) -> list[casetable.Slice] | None:
    """A local Parquet caseload cut into slices of at most `rows` rows that processes read apart; None for
    a caseload of another form."""
    path = Path(path)
    if not casetable.is_table(path) or path.suffix.lower() == ".csv":
        return None
    return casetable.parquet_slices(path, rows)


def read_slice(piece: casetable.Slice, inputs: dict[str, Rule]) -> Iterator[Row]:
    """The cases of one slice of a Parquet caseload, as `read_caseload` gives them."""
    return casetable.slice_rows(piece, functools.partial(read_case, inputs=inputs), input_types(inputs))


def input_types(inputs: dict[str, Rule]) -> dict[str, str]:
    """Each input's dotted id → its type (`bool`, `date`, `events`, …): how a table cell is read."""
    return {name: rule.input.type for name, rule in inputs.items() if rule.input is not None}

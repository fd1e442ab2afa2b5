"""Cases as table rows: CSV and Parquet files, one case per row.

A column's name is the fact's dotted path (`citizen.sickness.first_absence_day`); the top-level
columns are `case`, `as_of` and `municipality`. An empty cell is an unknown fact. Lists of
events (`citizen.talks`, `citizen.offers`) are JSON in their cell
(`[{"date": "2021-01-04", "kind": "jobsamtale"}]`); in Parquet they may also be a list column.
CSV cells are text and are read by the type of the input they fill; Parquet columns keep their
types, except floating point, which is refused (numbers and money are exact here).

`table_rows` yields one `Row` per table row, numbered from 1, in file order; a folder of Parquet
files (a partitioned caseload) is read file by file in name order.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import attrs

from engine.decide.casebatch import Row
from engine.decide.casefile import Case
from engine.lang.errors import CaseError, Diagnostic, EngineError

TABLE_SUFFIXES = (".csv", ".parquet", ".pq")
BATCH_ROWS = 4096  # rows taken from the file at a time, so a large caseload is never held whole
TEXT_READERS: dict[str, Callable[[str], Any]] = {
    "bool": lambda text: {"true": True, "false": False}.get(text.strip().lower(), text),
    "events": json.loads,
}


def is_table(path: Path) -> bool:
    """A CSV or Parquet file, or a folder holding Parquet files (a partitioned caseload)."""
    if path.is_dir():
        return any(path.glob("*.parquet"))
    return path.suffix.lower() in TABLE_SUFFIXES


def parquet_parts(path: Path) -> list[Path]:
    """The Parquet files of a caseload: the file itself, or a folder's files in name order."""
    return sorted(path.glob("*.parquet")) if path.is_dir() else [path]


def table_rows(path: Path, read: Callable[[Any], Case], types: Mapping[str, str]) -> Iterator[Row]:
    """Every row of a CSV or Parquet caseload as a read case or its problems; `types` maps input ids to types."""
    if path.suffix.lower() == ".csv":
        yield from _rows(str(path), _csv_records(path), read, types, from_text=True)
        return
    for part in parquet_parts(path):
        yield from parquet_rows(part, read, types)


def parquet_rows(source: Any, read: Callable[[Any], Case], types: Mapping[str, str], name: str | None = None) -> Iterator[Row]:
    """The rows of one Parquet file (a path or an open binary file; `name` is how rows cite it)."""
    label = name or str(source)
    parquet = _open_parquet(source, label)
    records = (record for batch in parquet.iter_batches(BATCH_ROWS) for record in batch.to_pylist())
    yield from _rows(label, records, read, types, from_text=False)


@attrs.frozen
class Slice:
    """Rows `start` to `start + rows` of row group `group` of a Parquet file; its first row is row `first` of the file."""

    part: str
    group: int
    start: int
    rows: int
    first: int


def parquet_slices(path: Path, rows: int) -> list[Slice]:
    """A Parquet caseload (a file or a folder of them) cut into slices of at most `rows` rows, in file order,
    each inside one row group, so that a process can read its slice without reading the others."""
    found = []
    for part in parquet_parts(path):
        parquet = _open_parquet(part, str(part))
        first = 1
        for group in range(parquet.num_row_groups):
            size = parquet.metadata.row_group(group).num_rows
            found += [Slice(str(part), group, start, min(rows, size - start), first + start)
                      for start in range(0, size, rows)]
            first += size
    return found


def slice_rows(piece: Slice, read: Callable[[Any], Case], types: Mapping[str, str]) -> Iterator[Row]:
    """The rows of one slice, numbered as `parquet_rows` numbers them."""
    table = _open_parquet(piece.part, piece.part).read_row_group(piece.group).slice(piece.start, piece.rows)
    records = (record for batch in table.to_batches(BATCH_ROWS) for record in batch.to_pylist())
    yield from _rows(piece.part, records, read, types, from_text=False, first=piece.first)


def _open_parquet(source: Any, label: str) -> Any:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(source)
    except Exception as exc:  # pyarrow raises several kinds for a file that is not Parquet
        raise CaseError(f"{label}: not a readable Parquet file ({exc})") from None
    _refuse_floats(label, parquet.schema_arrow)
    return parquet


def _refuse_floats(label: str, schema: Any) -> None:
    import pyarrow.types as patypes

    floats = [field.name for field in schema if patypes.is_floating(field.type)]
    if floats:
        raise CaseError(f"{label}: column(s) {', '.join(floats)} hold floating-point numbers; "
                        "store numbers and money as text or decimal columns, so they stay exact")


def _csv_records(path: Path) -> Iterator[dict[str, Any]]:
    import pyarrow as pa
    from pyarrow import csv as pacsv

    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle), [])
    if not header:
        raise CaseError(f"{path}: an empty CSV file; the first line names the columns (case, as_of, citizen.…)")
    convert = pacsv.ConvertOptions(column_types={name: pa.string() for name in header},
                                   strings_can_be_null=True)
    try:
        reader = pacsv.open_csv(path, convert_options=convert)
        for batch in reader:
            yield from batch.to_pylist()
    except pa.ArrowInvalid as exc:
        raise CaseError(f"{path}: not a readable CSV file ({exc})") from None


def _rows(label: str, records: Iterator[dict[str, Any]], read: Callable[[Any], Case], types: Mapping[str, str],
          from_text: bool, first: int = 1) -> Iterator[Row]:
    for number, record in enumerate(records, first):
        source = f"{label} row {number}"
        try:
            yield Row(source, case=read(_nested(record, types, from_text)))
        except EngineError as exc:
            yield Row(source, problems=exc.diagnostics)


_PATHS: dict[str, tuple[list[str], str]] = {}  # a column's groups and leaf: the same columns on every row


def _path(column: str) -> tuple[list[str], str]:
    found = _PATHS.get(column)
    if found is None:
        if len(_PATHS) > 10_000:  # the columns of a few caseloads at a time
            _PATHS.clear()
        *parents, leaf = column.split(".")
        found = _PATHS[column] = (parents, leaf)
    return found


def _nested(record: dict[str, Any], types: Mapping[str, str], from_text: bool) -> dict[str, Any]:
    """A flat row with dotted column names → the nested case mapping; empty cells are left out."""
    case: dict[str, Any] = {}
    for column, cell in record.items():
        if cell is None or cell == "":
            continue
        parents, leaf = _path(column)
        place = case
        for parent in parents:
            place = place.setdefault(parent, {})
            if not isinstance(place, dict):
                raise CaseError(f"{column}: '{parent}' is both a fact and a group of facts; rename one column")
        read = cell.__class__ is str and (from_text or types.get(column) == "events")  # else taken as it is
        place[leaf] = _cell(column, cell, types.get(column), from_text) if read else cell
    return case


def _cell(column: str, cell: Any, kind: str | None, from_text: bool) -> Any:
    if not isinstance(cell, str) or (kind != "events" and not from_text):
        return cell
    reader = TEXT_READERS.get(kind or "")
    if reader is None:
        return cell
    try:
        return reader(cell)
    except json.JSONDecodeError as exc:
        raise CaseError([Diagnostic("case", f"{column}: not valid JSON: {exc.msg} (column {exc.colno})", (),
                                    'write a JSON list such as [{"date": "2021-01-04", "kind": "jobsamtale"}]')]) from None

"""Payment files → batches of columns with their first line: the reading half of
`engine.refusion.payments`, which checks and converts the batches.

CSV, Parquet or JSON lines (told by `engine.lang.filekind`). A clean CSV file is read by Arrow
with typed columns; any row Arrow cannot take sends the file to the text path, which reads it
line by line, one record a line, so that a stray quote, a byte that is not UTF-8 or a blank line
costs only its own line and every line number is the true one; a quote that closes a few lines
below, on lines each bad alone, makes one bad record of those lines. A record that cannot be read
carries its reason in the `_bad` column (and the number of lines it runs over in `_span`). A
file-level problem (a column missing, given twice, or of a type that holds no value) is one
`CaseError`.
"""
from __future__ import annotations

import csv as _csv
import io
import itertools
import json
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.lang import filekind
from engine.lang.errors import CaseError

REQUIRED = ("person", "municipality", "benefit", "amount", "from", "to")
PERSON_FACTS = ("flexjob_visitation_date", "early_pension_granted")
# Optional per-row columns that qualify a row's benefit (see `engine.refusion.payments`).
ROW_FACTS = ("eu_export", "hours")
OPTIONAL = (*PERSON_FACTS, *ROW_FACTS)
BATCH_ROWS = 1 << 20
PART_ROWS = 1 << 12  # the batches in which a few rows of a row group are read
UNCLOSED_QUOTE = "a quote that is not closed on its line"
QUOTED_LINE_BREAK = "a quoted value holds a line break, or a quote is stray; write each payment on one line"
SPAN_LINES = 8  # the most lines a quote left open is followed over, to report the record once
# The columns a CSV file is first read with, typed (a row that does not convert: read as text).
TYPED = {"amount": pa.decimal128(15, 2), "from": pa.date32(), "to": pa.date32(),
         **{name: pa.date32() for name in PERSON_FACTS}}


class AsText(Exception):
    """A typed CSV batch held a row that only the text path can report."""


def batches(path: Path, typed: bool = False) -> Iterator[tuple[pa.RecordBatch, int]]:
    if not path.is_file():
        raise CaseError(f"{path}: no such payment file")
    kind = filekind.payment_kind(path)
    if kind == "parquet":
        yield from _parquet_batches(path)
    elif kind == "jsonl":
        yield from _json_batches(path)
    else:
        yield from _csv_batches(path, typed)


def _csv_batches(path: Path, typed: bool) -> Iterator[tuple[pa.RecordBatch, int]]:
    names = csv_header(path)
    if typed:
        yield from _typed_csv_batches(path, names)
    else:
        yield from _text_csv_batches(path, names)


def _typed_csv_batches(path: Path, names: list[str]) -> Iterator[tuple[pa.RecordBatch, int]]:
    """The fast path for a clean file: Arrow parses and converts it. Any row it cannot take (wrong
    width, a blank line, a value that does not convert, invalid UTF-8) sends the whole file to
    the text path, and so does a value holding a quote or a line break (a record over several
    lines): only there is every line number the true one. (A benefit code holding either is no
    code, a bad row already.) No Python callback is handed to Arrow: a callback run on Arrow's
    read-ahead thread while an error unwinds was what aborted the process (SIGABRT) now and then."""
    from pyarrow import csv

    try:
        yield from _typed_batches(lambda: csv.open_csv(path, **_typed_options(names, skip_rows=1)), names, 2)
    except OSError as exc:
        raise CaseError(f"{path}: cannot read as CSV: {exc}") from None


def typed_csv_bytes(data: bytes, names: list[str], first_line: int) -> Iterator[tuple[pa.RecordBatch, int]]:
    """Some whole lines of a CSV file (no header), as `_typed_csv_batches` reads the file."""
    from pyarrow import csv

    yield from _typed_batches(lambda: csv.open_csv(io.BytesIO(data), **_typed_options(names, skip_rows=0)), names, first_line)


def csv_persons(path: Path, names: list[str]) -> Iterator[pa.Array]:
    """The person column alone of a CSV payment file, in parts, parsed as the typed path parses the
    file (ArrowInvalid when a line cannot be taken apart)."""
    from pyarrow import csv

    options = _typed_options(names, skip_rows=1)
    options["convert_options"] = csv.ConvertOptions(include_columns=["person"], column_types={"person": pa.string()})
    yield from (batch.column(0) for batch in csv.open_csv(path, **options))


def _typed_options(names: list[str], skip_rows: int) -> dict[str, Any]:
    from pyarrow import csv

    return {"read_options": csv.ReadOptions(use_threads=False, block_size=1 << 24, column_names=names, skip_rows=skip_rows),
            "parse_options": csv.ParseOptions(ignore_empty_lines=False),
            "convert_options": csv.ConvertOptions(column_types={n: TYPED.get(n, pa.string()) for n in names})}


def person_starts(columns: Iterable[pa.Array]) -> np.ndarray | None:
    """The rows at which a new person begins in a person column read in parts (a missing person
    counts as one), and the row count last; None when a person begins twice: their rows are not
    together (a unit of `engine.refusion.stream` holds whole persons)."""
    starts, names, offset, last = [], [], 0, None
    for column in columns:
        person = pc.fill_null(column, "")
        if not len(person):
            continue
        change = np.flatnonzero(pc.not_equal(person[1:], person[:-1]).to_numpy(zero_copy_only=False)) + 1
        if last is None or person[0].as_py() != last:
            change = np.r_[0, change]
        starts.append(change + offset)
        names.append(person.take(pa.array(change, pa.int64())))
        offset, last = offset + len(person), person[-1].as_py()
    joined = pa.chunked_array(names, pa.string())
    if pc.count_distinct(joined, mode="all").as_py() != len(joined):
        return None
    return np.concatenate([*starts, [offset]]).astype(np.int64)


def _typed_batches(reader: Callable[[], Any], names: list[str], line: int) -> Iterator[tuple[pa.RecordBatch, int]]:
    text_columns = [n for n in names if TYPED.get(n, pa.string()) == pa.string() and n != "benefit"]
    try:
        for batch in reader():
            marks = (pc.any(pc.match_substring(batch.column(n), mark)).as_py() for n in text_columns for mark in '"\n\r')
            if any(marks):
                raise AsText()  # a stray quote or a quoted line break: only the text path says where
            yield batch, line
            line += batch.num_rows
    except pa.ArrowInvalid:
        raise AsText() from None


def _text_csv_batches(path: Path, names: list[str]) -> Iterator[tuple[pa.RecordBatch, int]]:
    """Line by line: payment values never hold a line break, so a stray quote, a byte that is not
    UTF-8 or a blank line costs only its own line. A line ends, as in Arrow's reader and in
    editors, at a line feed, a carriage return or both."""
    def records(lines: Iterator[bytes]) -> Iterator[dict[str, object]]:
        return _csv_records(itertools.islice(_at_carriage_returns(lines), 1, None), names)  # past the header
    with path.open("rb") as handle:
        yield from _line_batches(handle, records, first=2)


def text_csv_lines(handle: BinaryIO, names: list[str], first_line: int) -> Iterator[tuple[pa.RecordBatch, int]]:
    """Some whole lines of a CSV file (no header, no carriage return), as the text path reads them."""
    yield from _line_batches(handle, lambda lines: _csv_records(lines, names), first=first_line)


def _at_carriage_returns(lines: Iterator[bytes]) -> Iterator[bytes]:
    for line in lines:
        if b"\r" in line:  # rare: split only then
            yield from line.splitlines(keepends=True)
        else:
            yield line


def _line_batches(handle: BinaryIO, records: Callable[[Iterator[bytes]], Iterator[dict[str, object]]],
                  first: int = 1) -> Iterator[tuple[pa.RecordBatch, int]]:
    """Batches of one record a line (`records` of the lines, the first numbered `first`), each
    with the line number of its first record."""
    batch: list[dict[str, object]] = []
    for record in records(iter(handle)):
        batch.append(record)
        if len(batch) >= BATCH_ROWS:
            yield as_strings(batch), first
            first, batch = first + len(batch), []
    yield as_strings(batch), first


def _csv_records(lines: Iterator[bytes], names: list[str]) -> Iterator[dict[str, object]]:
    """One record a line. A quote left open on a line and closed on one of the next few lines,
    each of them bad alone (so that no good row is taken into it), is one bad record, reported
    once at its first line with the number of lines it runs over (`_span`; its other lines: 0)."""
    held: list[bytes] = []  # the lines of a record whose quote is still open
    for raw in lines:
        alone = _csv_record(raw, names)
        if held:
            if "_bad" in alone and len(held) < SPAN_LINES:
                held.append(raw)
                if _closes(held):
                    yield {"_bad": QUOTED_LINE_BREAK, "_span": str(len(held))}
                    for _ in held[1:]:
                        yield {"_span": "0"}
                    held = []
                continue
            yield from (_csv_record(line, names) for line in held)
            held = []
        if alone.get("_bad") == UNCLOSED_QUOTE:
            held = [raw]
        else:
            yield alone
    yield from (_csv_record(line, names) for line in held)


def _closes(lines: list[bytes]) -> bool:
    """Whether the quote left open on the first line closes on the last, making them one record:
    an even number of quotes in all (an escaped quote is two) that read as one record."""
    try:
        text = b"".join(lines).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return text.count('"') % 2 == 0 and len(list(_csv.reader(io.StringIO(text, newline="")))) == 1


def _csv_record(raw: bytes, names: list[str]) -> dict[str, object]:
    try:
        text = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        return {"_bad": f"not UTF-8 text (byte {exc.start + 1}); write the file as UTF-8"}
    if not text.strip():
        return {"_bad": "an empty line"}
    try:
        values = next(_csv.reader([text], strict=True))
    except _csv.Error:
        return {"_bad": UNCLOSED_QUOTE}
    if any('"' in value for value in values):
        return {"_bad": "a stray quote inside a value"}
    if len(values) != len(names):
        return {"_bad": f"expected {len(names)} columns, found {len(values)}"}
    return dict(zip(names, values))


def csv_header(path: Path) -> list[str]:
    with path.open("rb") as handle:
        first_line = next(_at_carriage_returns(iter([handle.readline()])), b"")
    header = first_line.decode("utf-8-sig", errors="replace").strip()
    try:
        names = [n.strip() for n in next(_csv.reader([header]))] if header else []
    except _csv.Error:
        names = []
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise CaseError(f"{path}: line 1: the column '{twice[0]}' is given twice; give each column once")
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise CaseError(f"{path}: line 1: the header lacks the column(s) {', '.join(missing)}; "
                        f"a payment file has the columns {', '.join(REQUIRED)}")
    return names


def _parquet_batches(path: Path) -> Iterator[tuple[pa.RecordBatch, int]]:
    handle, wanted = open_parquet(path)
    row = 1
    for batch in handle.iter_batches(batch_size=BATCH_ROWS, columns=wanted):
        yield _parquet_batch(batch, wanted), row
        row += batch.num_rows


def open_parquet(path: Path) -> tuple[Any, list[str]]:
    """A Parquet payment file whose schema has been checked, and the columns to read of it."""
    import pyarrow.parquet as pq

    if not path.is_file():
        raise CaseError(f"{path}: no such payment file")
    try:
        handle = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise CaseError(f"{path}: cannot read as Parquet: {exc}") from None
    schema = handle.schema_arrow
    _check_parquet_schema(path, schema)
    return handle, [n for n in schema.names if n in (*REQUIRED, *OPTIONAL)]


def parquet_rows(path: Path, first: int, end: int) -> Iterator[tuple[pa.RecordBatch, int]]:
    """The rows first..end-1 (from 0) of a Parquet payment file, as `batches` gives them: only the
    row groups holding them are read (a unit of `engine.refusion.stream`)."""
    handle, wanted = open_parquet(path)
    meta, start = handle.metadata, 0
    for group in range(meta.num_row_groups):
        rows = meta.row_group(group).num_rows
        if start < end and start + rows > first:
            yield from _group_rows(handle, group, wanted, max(first - start, 0), min(end - start, rows), start)
        start += rows


def _group_rows(handle: Any, group: int, wanted: list[str], lo: int, hi: int, start: int) -> Iterator[tuple[pa.RecordBatch, int]]:
    """Rows lo..hi-1 of a row group (which begins at row `start` of the file). A unit that ends a
    few rows into the next row group decodes only the first batch of it."""
    size = BATCH_ROWS if hi - lo > BATCH_ROWS // 2 else PART_ROWS
    at = 0
    for batch in handle.iter_batches(batch_size=size, row_groups=[group], columns=wanted):
        count = min(hi, at + batch.num_rows) - max(lo, at)
        if count > 0:
            yield _parquet_batch(batch.slice(max(lo - at, 0), count), wanted), start + max(lo, at) + 1
        at += batch.num_rows
        if at >= hi:
            return


def _parquet_batch(batch: pa.RecordBatch, wanted: list[str]) -> pa.RecordBatch:
    read = {name: _as_read(batch.column(name)) for name in wanted}
    unreadable = [pc.if_else(pc.is_null(text), f"'{name}' is not UTF-8 text", pa.scalar(None, pa.string()))
                  for name, text in read.items() if text is not batch.column(name) and
                  pa.types.is_binary(batch.column(name).type)]
    if unreadable:
        read["_bad"] = pc.coalesce(*unreadable)
    return pa.RecordBatch.from_pydict(read)


def _check_parquet_schema(path: Path, schema: pa.Schema) -> None:
    """A file-level problem, named once: a column missing, given twice, or of a type that holds no value."""
    names = schema.names
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise CaseError(f"{path}: the column '{twice[0]}' is given twice; give each column once")
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise CaseError(f"{path}: the file lacks the column(s) {', '.join(missing)}")
    for field in schema:
        if field.name in (*REQUIRED, *OPTIONAL) and pa.types.is_nested(field.type):
            raise CaseError(f"{path}: the column '{field.name}' is of type {field.type}; "
                            f"write it as text, a number or a date")


def _as_read(column: pa.Array) -> pa.Array:
    """Date32 dates and decimal kroner that fit øre in int64 are taken as they are; floats and
    other decimals become the text of their values, checked as such; any other column is checked
    as text (bytes that are no UTF-8 text become nulls, reported by the caller)."""
    kind = column.type
    if kind == pa.date32() or kind == pa.string() or \
            (pa.types.is_decimal(kind) and kind.scale <= 2 and kind.precision <= 15):
        return column
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):  # never through a float sum
        return _kroner_text(column)
    if pa.types.is_binary(kind):
        return pa.array([_utf8(value) for value in column.to_pylist()], pa.string())
    return pc.cast(column, pa.string())


def _utf8(value: bytes | None) -> str | None:
    try:
        return None if value is None else value.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _kroner_text(column: pa.Array) -> pa.Array:
    """A float or decimal column as the text of its values, which the amount check then takes or
    reports row by row: a float prints as its shortest form (0.1, 0.125, nan, inf), and a decimal
    of a larger scale drops the zeros after its second decimal (12.50000 is 12.50)."""
    text = pc.cast(column, pa.string())
    if pa.types.is_decimal(column.type):
        text = pc.replace_substring_regex(text, pattern=r"(\.[0-9]{2})0+$", replacement=r"\1")
    return text


def _json_batches(path: Path) -> Iterator[tuple[pa.RecordBatch, int]]:
    with path.open("rb") as handle:
        yield from _line_batches(handle, lambda lines: map(_json_record, lines))


def _json_record(raw: bytes) -> dict[str, object]:
    """One JSON line; a line that is no usable JSON object becomes an empty record reported as bad."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return {"_bad": f"not UTF-8 text (byte {exc.start + 1}); write the file as UTF-8"}
    if not text.strip():
        return {"_bad": "an empty line"}
    try:
        record = json.loads(text, parse_float=str)
    except json.JSONDecodeError as exc:
        return {"_bad": f"not JSON: {exc.msg} at column {exc.colno}"}
    except RecursionError:
        return {"_bad": "not JSON paragraf reads: nested too deeply"}
    if not isinstance(record, dict):
        return {"_bad": "not a JSON object"}
    return {"_bad": why} if (why := _unusable_field(record)) else record


def _unusable_field(record: dict[str, object]) -> str | None:
    """Why a field of a JSON record cannot be taken as a value (None when all can)."""
    for name in (*REQUIRED, *OPTIONAL):
        value = record.get(name)
        if isinstance(value, (dict, list)):
            return f"'{name}' is a JSON {'object' if isinstance(value, dict) else 'list'}; write a text or a number"
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return f"'{name}' holds an escape (such as \\ud800) that is no character"
    return None


def as_strings(records: list[dict[str, object]]) -> pa.RecordBatch:
    names = (*REQUIRED, *OPTIONAL, "_bad", "_span")
    columns = {n: [None if r.get(n) is None else str(r.get(n)) for r in records] for n in names}
    return pa.RecordBatch.from_pydict(columns, schema=pa.schema([(n, pa.string()) for n in names]))

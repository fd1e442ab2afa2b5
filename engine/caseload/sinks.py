"""Where a caseload run writes: JSON lines (a file or stdout) or a folder of two Parquet tables.

`open_sink(out)` chooses by name: `-` or a `.jsonl`/`.ndjson` file is JSON lines, one decision per
line; anything else is a folder holding `cases.parquet` (one row per case) and
`obligations.parquet` (one row per case and obligation). Parquet row groups hold a fixed number
of cases whatever the run was split into, so one core, several processes and a Dask cluster
write byte-identical files.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from engine.caseload.rows import STATUSES, Outcome

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

    def close(self) -> None:
        if self._own:
            self._handle.close()
        else:
            self._handle.flush()


class ParquetSink:
    """Buffers ROW_GROUP_CASES cases, then writes them as one row group of each table."""

    def __init__(self, folder: str) -> None:
        import pyarrow.parquet as pq

        Path(folder).mkdir(parents=True, exist_ok=True)
        self._cases: list[dict[str, Any]] = []
        self._obligations: list[dict[str, Any]] = []
        schemas = _schemas()
        self._writers = {name: pq.ParquetWriter(Path(folder) / f"{name}.parquet", schema)
                         for name, schema in schemas.items()}
        self._schemas = schemas

    def write(self, outcome: Outcome) -> None:
        assert outcome.case is not None
        self._cases.append(outcome.case)
        self._obligations.extend(outcome.obligations)
        if len(self._cases) >= ROW_GROUP_CASES:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        for name, rows in (("cases", self._cases), ("obligations", self._obligations)):
            if rows:
                self._writers[name].write_table(pa.Table.from_pylist(rows, schema=self._schemas[name]))
        self._cases, self._obligations = [], []

    def close(self) -> None:
        self._flush()
        for writer in self._writers.values():
            writer.close()


def open_sink(out: str) -> JsonLinesSink | ParquetSink:
    return JsonLinesSink(out) if output_kind(out) == "jsonl" else ParquetSink(out)


def _schemas() -> dict[str, Any]:
    import pyarrow as pa

    text, texts = pa.string(), pa.list_(pa.string())
    cases = pa.schema([
        ("case", text), ("as_of", text), ("municipality", text), ("case_digest", text), ("rulebook", text),
        ("engine_version", text), ("proposals", texts), *[(status, pa.int32()) for status in STATUSES],
        ("exemptions", texts), ("missing", texts), ("values", text),
    ])
    obligations = pa.schema([
        ("case", text), ("rule", text), ("status", text), ("due", text), ("actor", text), ("fulfilled", pa.bool_()),
        ("exempted_by", text), ("legal_basis", texts), ("eli", texts),
    ])
    return {"cases": cases, "obligations": obligations}

"""Good outcomes gathered into the output's compact form: JSON text, or Arrow tables.

A Dask worker decides a whole partition before it answers; holding that partition's outcomes as
Python dicts (some 360,000 obligation rows for 10,000 cases) costs gigabytes across a cluster.
`Gather` turns outcomes into Arrow tables every `GATHER_CASES` cases (or into one block of JSON
lines), so a worker returns, and the client holds, a partition in a few megabytes. The Parquet
sink gathers the same way on one core, so every run writes its row groups from the same tables.
What a worker (a Dask worker, a `--jobs` process) sends is also `compact`: its obligation table's
text columns dictionary-encoded, about a fifth of the plain size (bench/README.md); the sink
writes every table in the plain form, so the files do not depend on where the cases were decided.
"""
from __future__ import annotations

from typing import Any, Iterable, Union

import attrs

from engine.rulebook.caseload.rows import OBLIGATION_COLUMNS, STATUSES, Outcome

GATHER_CASES = 1_000  # cases held as Python rows before they become Arrow tables


@attrs.frozen
class Tables:
    """Cases and their obligation rows as Arrow tables; `per_case` counts each case's obligation rows."""

    cases: Any          # pyarrow.Table
    obligations: Any    # pyarrow.Table
    per_case: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.per_case)

    def split(self, cases: int) -> tuple[Tables, Tables]:
        """The first `cases` cases with their obligations, and the rest."""
        rows = sum(self.per_case[:cases])
        return (Tables(self.cases.slice(0, cases), self.obligations.slice(0, rows), self.per_case[:cases]),
                Tables(self.cases.slice(cases), self.obligations.slice(rows), self.per_case[cases:]))

    def then(self, more: Tables) -> Tables:
        """These tables followed by `more` (no copy: the tables become chunked; compact and plain
        tables together are made plain)."""
        import pyarrow as pa

        mine, theirs = (self, more) if self.obligations.schema == more.obligations.schema else (self.plain(), more.plain())
        return Tables(pa.concat_tables([mine.cases, theirs.cases]),
                      pa.concat_tables([mine.obligations, theirs.obligations]), self.per_case + more.per_case)

    def plain(self) -> Tables:
        """The tables with the schemas of the output (see `compact`)."""
        shapes = schemas()
        if self.obligations.schema == shapes["obligations"]:
            return self
        return Tables(self.cases, self.obligations.cast(shapes["obligations"]), self.per_case)


Batch = Union[str, Tables]  # JSON lines (each ending in a newline), or Parquet tables


@attrs.frozen
class Decided:
    """A piece of a caseload (a partition, a slice) decided: its good cases gathered, how many, and its bad rows."""

    batch: Batch
    cases: int
    bad: tuple[Outcome, ...]


def gathered(outcomes: Iterable[Outcome], kind: str, compact: bool = False) -> Decided:
    """The outcomes of a piece of a caseload: the good ones gathered into one `Batch`, the bad ones kept apart."""
    gather, bad = Gather(kind, compact), []
    for item in outcomes:
        if item.bad:
            bad.append(item)
        else:
            gather.add(item)
    cases = gather.count
    return Decided(gather.take(), cases, tuple(bad))


class Gather:
    """Collects good outcomes of one output kind; `take` hands over what it holds as one `Batch`."""

    def __init__(self, kind: str, compact: bool = False) -> None:
        self.kind, self.compact = kind, compact
        self.count = 0
        self._lines: list[str] = []
        self._cases: list[dict[str, Any]] = []
        self._obligations: list[tuple[Any, ...]] = []
        self._per_case: list[int] = []
        self._tables: Tables | None = None

    def add(self, outcome: Outcome) -> None:
        self.count += 1
        if self.kind == "jsonl":
            assert outcome.line is not None
            self._lines.append(outcome.line + "\n")
            return
        assert outcome.case is not None
        self._cases.append(outcome.case)
        self._obligations.extend(outcome.obligations)
        self._per_case.append(len(outcome.obligations))
        if len(self._cases) >= GATHER_CASES:
            self._seal()

    def take(self) -> Batch:
        """Everything gathered since the last `take`; the gatherer starts empty again."""
        self.count = 0
        if self.kind == "jsonl":
            text, self._lines = "".join(self._lines), []
            return text
        self._seal()
        tables = self._tables if self._tables is not None else _tables([], [], [])
        self._tables = None
        return tables

    def _seal(self) -> None:
        if not self._cases:
            return
        sealed = _tables(self._cases, self._obligations, self._per_case, self.compact)
        self._tables = sealed if self._tables is None else self._tables.then(sealed)
        self._cases, self._obligations, self._per_case = [], [], []


def _tables(cases: list[dict[str, Any]], obligations: list[tuple[Any, ...]], per_case: list[int],
            compact: bool = False) -> Tables:
    import pyarrow as pa

    shapes = schemas()
    shape = shapes["obligations"]
    columns = [pa.array(column, type=field.type)
               for column, field in zip(list(zip(*obligations)) or [()] * len(OBLIGATION_COLUMNS), shape)]
    if compact:
        columns = [_encoded(column) for column in columns]
    return Tables(pa.Table.from_pylist(cases, schema=shapes["cases"]),
                  pa.Table.from_arrays(columns, names=list(OBLIGATION_COLUMNS)) if compact else
                  pa.Table.from_arrays(columns, schema=shape), tuple(per_case))


def _encoded(column: Any) -> Any:
    """A text column (or list of texts) dictionary-encoded: an obligation row repeats its rule's
    id, actor, citations and ELIs, so a partition's table is about a fifth of its plain size."""
    import pyarrow as pa

    if pa.types.is_string(column.type):
        return column.dictionary_encode()
    if pa.types.is_list(column.type):
        return pa.ListArray.from_arrays(column.offsets, column.values.dictionary_encode(), mask=column.is_null())
    return column


def schemas() -> dict[str, Any]:
    """The Arrow schemas of the two Parquet tables, `cases` and `obligations`."""
    import pyarrow as pa

    text, texts = pa.string(), pa.list_(pa.string())
    cases = pa.schema([
        ("case", text), ("as_of", text), ("municipality", text), ("case_digest", text), ("rulebook", text),
        ("engine_version", text), ("proposals", texts), *[(status, pa.int32()) for status in STATUSES],
        ("exemptions", texts), ("missing", texts), ("values", text), ("known_on", text),
    ])
    obligations = pa.schema([
        ("case", text), ("rule", text), ("status", text), ("due", text), ("actor", text), ("fulfilled", pa.bool_()),
        ("exempted_by", text), ("legal_basis", texts), ("eli", texts),
    ])
    return {"cases": cases, "obligations": obligations}

"""A caseload with `citizen.complex_case` set for the costliest citizens: the target group of the
free-municipality application "Tværgående borgerforløb", whose exemptions apply to citizens
identified as complex. `paragraf compare OUT --with tvaergaaende-borgerforloeb` and
`paragraf report exemptions OUT` then evaluate the trial for exactly those citizens.

A case belongs to the payment records' person named by its id: the whole id, or the part before
the first `/` (`217-0042/2019` is a case of person `217-0042`). A case of a marked person gets
`complex_case: true`, every other case `false`; every other fact and the row order are kept,
and rows that cannot be read are copied unchanged (the commands that read OUT report them).
Parquet (a column `citizen.complex_case`) and JSON lines (`citizen: {complex_case: ...}`) are
written in the same format as read. Entry point: `mark`.
"""
from __future__ import annotations

import json
from pathlib import Path

import attrs

from engine.lang.errors import CaseError

COLUMN = "citizen.complex_case"
JSON_SUFFIXES = (".jsonl", ".ndjson")


@attrs.frozen
class Marked:
    cases: int      # cases written
    marked: int     # of which marked complex


def person_of(case_id: str) -> str:
    """The person a case id names: the id up to its first `/`."""
    return case_id.split("/", 1)[0]


def mark(cases: Path, persons: set[str], out: Path) -> Marked:
    """Write `cases` to `out` with `citizen.complex_case` true exactly for the cases of `persons`."""
    suffix, wanted = cases.suffix.lower(), out.suffix.lower()
    if suffix != wanted and not (suffix in JSON_SUFFIXES and wanted in JSON_SUFFIXES):
        raise CaseError(f"{out}: write the marked caseload in the format of {cases} ({suffix or 'no suffix'})")
    if suffix == ".parquet":
        return _parquet(cases, persons, out)
    if suffix in JSON_SUFFIXES:
        return _json_lines(cases, persons, out)
    raise CaseError(f"{cases}: --cases must be a Parquet (.parquet) or JSON-lines (.jsonl) caseload "
                    "to be marked; convert it with `paragraf eval` or write it as one of those")


def _parquet(cases: Path, persons: set[str], out: Path) -> Marked:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(cases)
    except (OSError, pa.ArrowException) as exc:
        raise CaseError(f"{cases}: cannot read as Parquet: {exc}") from None
    if "case" not in table.column_names:
        raise CaseError(f"{cases}: has no column 'case'; the case ids name the persons of the payments")
    flags = [person_of(str(case)) in persons if case is not None else None
             for case in table.column("case").to_pylist()]
    column = pa.array(flags, pa.bool_())
    if COLUMN in table.column_names:
        table = table.set_column(table.column_names.index(COLUMN), COLUMN, column)
    else:
        table = table.append_column(COLUMN, column)
    pq.write_table(table, out, compression="zstd")
    return Marked(table.num_rows, sum(1 for flag in flags if flag))


def _json_lines(cases: Path, persons: set[str], out: Path) -> Marked:
    written, marked = [], 0
    for line in cases.read_text(encoding="utf-8").splitlines(keepends=True):
        try:
            data = json.loads(line)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("citizen", {}), dict):
            written.append(line)  # unreadable: copied as it is, for the reading command to report
            continue
        flag = person_of(str(data.get("case", ""))) in persons
        data["citizen"] = {**data.get("citizen", {}), "complex_case": flag}
        marked += flag
        written.append(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n")
    out.write_text("".join(written), encoding="utf-8")
    return Marked(len(written), marked)

"""The auditor's page as data: a logged decision by its sequence number, the chain verified,
and the decision replayed under the rulebook the service runs, with what changed.

Reads the log through `engine.audit.log` (entries, `verify`), checks the record as
`paragraf audit show` does (`engine.audit.record.check_record`) and replays it with
`engine.audit.replay`, so the page and the command line give the same answers.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.audit import log as auditlog, record as records, replay as replays
from engine.interfaces.service.pages import BadRequest, NotFound


def sequence_number(text: str) -> int:
    """The sequence number as typed; a clear error for anything but a positive whole number."""
    cleaned = text.strip()
    if not cleaned.isdigit() or int(cleaned) < 1:
        raise BadRequest(f"seq: {text!r} is not a sequence number; write a whole number from 1, e.g. 1")
    return int(cleaned)


def entry(log: Path, seq: int) -> dict[str, Any]:
    """The entry's position, time, hashes and its decision record (checked)."""
    with auditlog.DecisionLog(log, create=False) as opened:
        try:
            found = opened.entry(seq)
        except auditlog.LogError:
            raise NotFound(f"{log.name}: no entry {seq}; the log holds entries 1 to {opened.head()[0]}") from None
    record = found.record
    if record.get("schema") != records.SCHEMA:
        raise BadRequest(f"entry {seq} is a {record.get('schema', 'record without a schema')}, not a decision record; "
                         "open another entry")
    return {"seq": found.seq, "logged_at": found.logged_at, "kind": found.kind, "entry_hash": found.entry_hash,
            "prev_hash": found.prev_hash, "record": records.check_record(record, f"{log.name}#{seq}")}


def verification(log: Path) -> auditlog.Verification:
    return auditlog.verify(log)


def replayed(record: dict[str, Any], book: Any) -> replays.Replay:
    return replays.replay(record, book)


def shown(value: Any) -> str:
    """A changed field's value as the command line's replay report shows it."""
    return replays.show_value(value)

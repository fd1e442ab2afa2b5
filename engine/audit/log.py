"""The decision log: an append-only, hash-chained SQLite database of decision records.

Each entry stores a record (any JSON object with a ``schema`` key: a decision record from
``paragraf eval --log``, a refusion record, ...) as canonical JSON, with

* ``content_hash`` = sha256 of that JSON,
* ``prev_hash``    = the ``entry_hash`` of the entry before it (``GENESIS`` for the first),
* ``entry_hash``   = sha256 over the entry's position, time, kind, content hash and ``prev_hash``.

Changing, deleting or reordering an entry breaks the chain at that entry, which `verify`
names. Triggers refuse UPDATE and DELETE on entries, so no ordinary use of the database
changes them; whoever drops the triggers to do so still breaks the chain. The ``head`` table holds the last entry's position and hash, updated in the same
transaction, so deleting the newest entries is caught too, unless whoever deletes them also
rewrites the head; compare the head that `verify` prints with a copy kept elsewhere to rule
that out.

Writing: one ``BEGIN IMMEDIATE`` transaction per entry, WAL journal, ``synchronous=FULL``.
A process killed between two entries leaves every committed entry and a valid chain; two
processes appending at once wait for each other (``busy_timeout``) instead of interleaving.

Use from other commands::

    from engine.audit import log as auditlog
    with auditlog.DecisionLog(path) as log:
        for record in records:
            log.append(record)          # one committed entry each; returns the Entry

or, for a single record, ``auditlog.append(path, record)``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Iterator

import attrs

from engine.lang.errors import EngineError

if TYPE_CHECKING:
    import pyarrow as pa
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

GENESIS = "0" * 64
SCHEMA = "paragraf/decision-log@1"
BUSY_TIMEOUT_MS = 60_000
SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_SEARCHES = 100  # bad entries whose original position verify looks for

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY,
    logged_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    content TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    entry_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, entry_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS signatures (seq INTEGER PRIMARY KEY, key_id TEXT NOT NULL, signature TEXT NOT NULL);
"""
# Append-only: no UPDATE, no DELETE, and no INSERT at or below the last position, which is how
# INSERT OR REPLACE (and REPLACE INTO) would swap an entry without firing a DELETE trigger.
_APPEND_ONLY = """
CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS {table}_no_replace BEFORE INSERT ON {table}
    WHEN NEW.seq <= (SELECT coalesce(max(seq), 0) FROM {table})
    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
"""


REFUSION_SCHEMA = "paragraf/refusion@1"  # a person's weekly refusion results (`paragraf refusion --log`)


class LogError(EngineError):
    """A decision log that cannot be opened or written. The message is one line: SQLite's own
    text (a damaged schema, say) may span several."""

    category = "log"

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


@attrs.frozen
class Entry:
    seq: int
    logged_at: str
    kind: str
    content: str
    content_hash: str
    prev_hash: str
    entry_hash: str

    @property
    def record(self) -> dict[str, Any]:
        try:
            data = json.loads(self.content)
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            raise LogError(f"entry {self.seq}: its content is not a JSON object; run 'paragraf audit verify'")
        return data

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Entry:
        """An entry as stored. A field altered to a number, NULL or bytes is kept as its repr, so
        it no longer matches its hash and `verify` names the entry as edited."""
        seq, *fields = row
        return cls(int(seq), *(field if isinstance(field, str) else repr(field) for field in fields))


@attrs.frozen
class Problem:
    seq: int
    kind: str          # edited, missing, out_of_order, truncated
    message: str


@attrs.frozen
class Verification:
    entries: int
    head_seq: int
    head_hash: str
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def canonical(record: dict[str, Any]) -> str:
    """The record as stored and hashed: sorted keys, no insignificant whitespace."""
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(seq: int, logged_at: str, kind: str, content_hash: str, prev_hash: str) -> str:
    return sha256("\n".join((str(seq), logged_at, kind, content_hash, prev_hash)))


def entry_message(seq: int, entry_hash: str) -> str:
    """What an entry's signature signs: its position and hash, which covers every entry before it."""
    return f"paragraf/decision-log-entry@1\n{seq}\n{entry_hash}"


def is_log(path: Path) -> bool:
    """Whether `path` is an SQLite database (a decision log) rather than a JSON record."""
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == SQLITE_MAGIC
    except OSError:
        return False


class DecisionLog:
    """An open decision log. Each `append` is its own committed transaction."""

    def __init__(self, path: str | Path, create: bool = True, signing_key: Ed25519PrivateKey | None = None) -> None:
        """Open (with `create`, make) the log; entries appended are signed with `signing_key`,
        by default the key PARAGRAF_LOG_KEY names, if any."""
        self.path = Path(path)
        if self.path.exists() and not self.path.is_file():
            raise LogError(f"{self.path}: not a regular file; give the path of a decision log")
        if not create and not self.path.is_file():
            raise LogError(f"{self.path}: no such decision log")
        self.signing_key = signing_key or (_keys().from_environment() if create else None)
        try:
            self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            # text damaged into invalid UTF-8 is read with replacement characters: it then no
            # longer matches its hash, and verify names the entry instead of failing to read it
            self.db.text_factory = lambda data: data.decode("utf-8", errors="replace")
            self._prepare(create)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # a damaged schema's message may not decode
            raise LogError(f"{self.path}: not a paragraf decision log ({exc})") from None

    def _prepare(self, create: bool) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._check_schema(empty_ok=create)
        if create:
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.executescript(_TABLES + "".join(_APPEND_ONLY.format(table=t) for t in ("entries", "signatures")))
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA,))
        self.db.execute("PRAGMA synchronous = FULL")

    def _check_schema(self, empty_ok: bool) -> None:
        """Refuse another program's database before writing anything into it."""
        tables = sorted(row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
        if not tables and empty_ok:
            return
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() if "meta" in tables else None
        if row is None or row[0] != SCHEMA:
            found = f"schema {row[0]!r}" if row else f"tables {', '.join(tables[:5]) or 'none'}"
            raise LogError(f"{self.path}: not a paragraf decision log ({found}); give a new file or an existing log")

    def __enter__(self) -> DecisionLog:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def append(self, record: dict[str, Any]) -> Entry:
        """Add one record at the end of the chain, committed before this returns."""
        content = canonical(record)
        kind = str(record.get("schema", "record"))
        try:
            return self._commit(kind, content)
        except sqlite3.Error as exc:
            raise LogError(f"{self.path}: could not append to the decision log ({exc}); nothing was written") from None

    def _commit(self, kind: str, content: str) -> Entry:
        self.db.execute("BEGIN IMMEDIATE")  # takes the write lock before reading the head
        try:
            entry = self._next_entry(kind, content)
            self.db.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)", attrs.astuple(entry))
            if self.signing_key is not None:
                self.db.execute("INSERT INTO signatures VALUES (?, ?, ?)", (
                    entry.seq, _keys().key_id(self.signing_key.public_key()),
                    _keys().sign(self.signing_key, entry_message(entry.seq, entry.entry_hash))))
            self.db.execute("INSERT OR REPLACE INTO head VALUES (1, ?, ?)", (entry.seq, entry.entry_hash))
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        return entry

    def _next_entry(self, kind: str, content: str) -> Entry:
        last = self.db.execute("SELECT seq, entry_hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        logged_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
        content_hash = sha256(content)
        return Entry(seq, logged_at, kind, content, content_hash, prev,
                     entry_hash(seq, logged_at, kind, content_hash, prev))

    def entries(self) -> Iterator[Entry]:
        for row in self.db.execute("SELECT * FROM entries ORDER BY seq"):
            yield Entry.from_row(row)

    def entry(self, seq: int) -> Entry:
        row = self.db.execute("SELECT * FROM entries WHERE seq = ?", (seq,)).fetchone()
        if row is None:
            raise LogError(f"{self.path}: no entry {seq}")
        return Entry.from_row(row)

    def head(self) -> tuple[int, str]:
        row = self.db.execute("SELECT seq, entry_hash FROM head WHERE id = 1").fetchone()
        if row is None:
            return 0, GENESIS
        return (row[0] if isinstance(row[0], int) else -1), str(row[1])  # -1: a head altered out of shape


def append(path: str | Path, record: dict[str, Any]) -> Entry:
    """Append one record to the log at `path` (created if needed)."""
    with DecisionLog(path) as log:
        return log.append(record)


def backup(path: str | Path, target: str | Path) -> Verification:
    """Copy the log to `target` through SQLite's backup API, which reads committed entries from the
    database and its WAL file alike while writers go on; the copy is then verified. `target`
    must not exist; the copy is written beside it and renamed, so a half-made copy never shows."""
    target = Path(target)
    if target.exists():
        raise LogError(f"{target}: already exists; give a new file for the backup")
    partial = target.with_name(f".{target.name}.partial")
    with DecisionLog(path, create=False) as log:
        try:
            with closing(sqlite3.connect(partial)) as copy:
                log.db.backup(copy)
        except sqlite3.Error as exc:
            partial.unlink(missing_ok=True)
            raise LogError(f"{target}: the backup failed ({exc})") from None
    partial.replace(target)
    return verify(target)


def verify(path: str | Path) -> Verification:
    """Walk the chain from the first entry and report every entry that breaks it.

    Entries are read one at a time, so a log of any length verifies in constant memory.
    """
    with DecisionLog(path, create=False) as log:
        try:
            head_seq, head_hash = log.head()
            walk = _Walk(max(head_seq, log.db.execute("SELECT coalesce(max(seq), 0) FROM entries").fetchone()[0]))
            for entry in log.entries():
                walk.step(entry)
        except (sqlite3.Error, UnicodeDecodeError) as exc:
            raise LogError(f"{path}: the decision log cannot be read ({exc})") from None
    problems = walk.problems + _head_problems(walk.last, head_seq, head_hash)
    return Verification(walk.count, head_seq, head_hash, tuple(sorted(problems, key=lambda p: p.seq)))


class _Walk:
    """The state of a walk along the chain: the entry before, and the problems found so far."""

    def __init__(self, highest: int) -> None:
        self.highest, self.count, self.searches = highest, 0, 0
        self.last: Entry | None = None
        self.last_ok = True
        self.problems: list[Problem] = []

    def step(self, entry: Entry) -> None:
        expected = self.last.seq + 1 if self.last else 1
        gap = entry.seq != expected
        if gap:
            self.problems.append(_missing(expected, entry.seq))
        problem = self._own_problem(entry) or (None if gap or not self.last_ok else _link_problem(entry, self.last))
        if problem is not None:
            self.problems.append(problem)
        self.last, self.last_ok, self.count = entry, problem is None, self.count + 1

    def _own_problem(self, entry: Entry) -> Problem | None:
        """An entry that does not match its own hashes: edited, or moved to another position."""
        if sha256(entry.content) != entry.content_hash:
            return Problem(entry.seq, "edited", f"entry {entry.seq} edited: its content no longer matches its hash")
        if _hash_at(entry, entry.seq) == entry.entry_hash:
            return None
        original = self._written_at(entry)
        if original is not None:
            return Problem(entry.seq, "out_of_order", f"entry {entry.seq} out of order: it was written as entry {original}")
        return Problem(entry.seq, "edited", f"entry {entry.seq} edited: its time, kind or hashes no longer match")

    def _written_at(self, entry: Entry) -> int | None:
        """The position an entry's hash was made for; searched for the first MAX_SEARCHES bad entries only."""
        self.searches += 1
        if self.searches > MAX_SEARCHES:
            return None
        return next((s for s in range(1, self.highest + 2) if _hash_at(entry, s) == entry.entry_hash), None)


def _missing(expected: int, found: int) -> Problem:
    gap = f"entry {expected}" if found == expected + 1 else f"entries {expected}-{found - 1}"
    return Problem(expected, "missing", f"{gap} deleted: the log jumps from entry {expected - 1} to {found}")


def _hash_at(entry: Entry, seq: int) -> str:
    return entry_hash(seq, entry.logged_at, entry.kind, entry.content_hash, entry.prev_hash)


def _link_problem(entry: Entry, prev: Entry | None) -> Problem | None:
    prev_hash = prev.entry_hash if prev else GENESIS
    if entry.prev_hash == prev_hash:
        return None
    return Problem(entry.seq, "broken_link",
                   f"entry {entry.seq} was not written after the entry now before it: the chain breaks here")


def _head_problems(last: Entry | None, head_seq: int, head_hash: str) -> list[Problem]:
    if last is not None and (last.seq, last.entry_hash) == (head_seq, head_hash):
        return []
    if last is None and head_seq == 0:
        return []
    if last is None or head_seq > last.seq:
        first_gone = (last.seq + 1) if last else 1
        return [Problem(first_gone, "truncated",
                        f"entries {first_gone}-{head_seq} deleted: the log's head says it holds {head_seq} entries")]
    return [Problem(last.seq, "edited", f"entry {last.seq} does not match the log's head (entry {head_seq})")]


def _plain(number: Decimal | None) -> str | None:
    """A decimal as the log has always written it: at least two decimals, no trailing zeros beyond."""
    if number is None:
        return None
    text = format(number.normalize(), "f")
    whole, _, part = text.partition(".")
    return f"{whole}.{part.ljust(2, '0')}"


def refusion_records(table: pa.Table, context: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One decision-log record per person of a slice's table: the person's weeks as computed,
    with `context` (rulebook fingerprint, payment file digest, proposals) so it can be checked later."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for row in table.to_pylist():
        person = row.pop("person")
        row["week"] = row["week"].isoformat()
        for column in ("refusion_rate", "refusion_amount", "cofinancing_rate", "cofinancing_amount"):
            row[column] = _plain(row[column])
        rows.setdefault(person, []).append(row)
    for person, weeks in rows.items():
        yield {"schema": REFUSION_SCHEMA, **context, "person": person, "weeks": weeks}


def _keys() -> Any:
    """The signing keys' module, imported when a log is opened for writing: it brings in the
    cryptography library, which every other command would otherwise load at start-up."""
    from engine.audit import keys

    return keys

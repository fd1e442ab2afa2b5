"""The decision log: hash chain, tamper detection, crash safety and concurrent appends."""
from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.audit import log as auditlog
from engine.interfaces.cli import main

REPO = Path(__file__).resolve().parent.parent


def record(n: int, writer: str = "test") -> dict:
    return {"schema": "paragraf/test-record@1", "n": n, "writer": writer, "text": f"decision number {n}"}


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "decisions.sqlite"
    with auditlog.DecisionLog(path) as opened:
        for n in range(1, 7):
            opened.append(record(n))
    return path


def sql(path: Path, *statements: str) -> None:
    """Tamper with the log as someone with write access to the file would: drop the triggers first."""
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER entries_no_update")
    db.execute("DROP TRIGGER entries_no_delete")
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


def verify_cli(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["audit", "verify", str(path)])
    return result.exit_code, result.output


class TestChain:
    def test_entries_link_to_the_one_before(self, log: Path) -> None:
        with auditlog.DecisionLog(log) as opened:
            entries = list(opened.entries())
        assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6]
        assert entries[0].prev_hash == auditlog.GENESIS
        assert all(b.prev_hash == a.entry_hash for a, b in zip(entries, entries[1:]))
        assert entries[2].record == record(3)

    def test_entries_cannot_be_changed_or_deleted_through_the_database(self, log: Path) -> None:
        db = sqlite3.connect(log)
        for statement in ("UPDATE entries SET content = 'x' WHERE seq = 1", "DELETE FROM entries WHERE seq = 6"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(statement)
        db.close()
        assert auditlog.verify(log).ok

    def test_untouched_log_verifies(self, log: Path) -> None:
        result = auditlog.verify(log)
        assert result.ok and result.entries == 6 and result.head_seq == 6
        code, output = verify_cli(log)
        assert code == 0 and output.startswith("ok: 6 entries, chain intact")

    def test_empty_log_verifies(self, tmp_path: Path) -> None:
        auditlog.DecisionLog(tmp_path / "empty.sqlite").close()
        assert auditlog.verify(tmp_path / "empty.sqlite").ok

    def test_not_a_log_is_refused_clearly(self, tmp_path: Path) -> None:
        other = tmp_path / "other.sqlite"
        sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
        code, output = verify_cli(other)
        assert code == 2 and "not a paragraf decision log" in output and "Traceback" not in output
        (tmp_path / "text.sqlite").write_text("hello", encoding="utf-8")
        assert verify_cli(tmp_path / "text.sqlite")[0] == 2


class TestTampering:
    def test_one_edited_byte_in_the_content_is_named(self, log: Path) -> None:
        sql(log, "UPDATE entries SET content = replace(content, 'number 4', 'number 5') WHERE seq = 4")
        code, output = verify_cli(log)
        assert code == 1
        assert "entry 4: edited: entry 4 edited: its content no longer matches its hash" in output
        assert "first bad entry: 4" in output

    def test_one_byte_changed_in_the_database_file_is_named(self, log: Path) -> None:
        data = bytearray(log.read_bytes())
        at = data.index(b"decision number 3")
        data[at + len("decision number ")] = ord("8")
        log.write_bytes(bytes(data))
        problems = auditlog.verify(log).problems
        assert [(p.seq, p.kind) for p in problems] == [(3, "edited")]

    def test_edited_time_is_named(self, log: Path) -> None:
        sql(log, "UPDATE entries SET logged_at = '2020-01-01T00:00:00+00:00' WHERE seq = 2")
        assert [(p.seq, p.kind) for p in auditlog.verify(log).problems] == [(2, "edited")]

    def test_a_deleted_row_is_named(self, log: Path) -> None:
        sql(log, "DELETE FROM entries WHERE seq = 3")
        code, output = verify_cli(log)
        assert code == 1 and "entry 3: missing: entry 3 deleted" in output
        assert [(p.seq, p.kind) for p in auditlog.verify(log).problems] == [(3, "missing")]

    def test_deleting_and_renumbering_is_caught(self, log: Path) -> None:
        sql(log, "DELETE FROM entries WHERE seq = 3", "UPDATE entries SET seq = seq - 1 WHERE seq > 3")
        problems = auditlog.verify(log).problems
        assert problems[0].seq == 3 and problems[0].kind == "out_of_order"
        assert "written as entry 4" in problems[0].message

    def test_deleting_the_newest_entries_is_caught_by_the_head(self, log: Path) -> None:
        sql(log, "DELETE FROM entries WHERE seq >= 5")
        problems = auditlog.verify(log).problems
        assert [(p.seq, p.kind) for p in problems] == [(5, "truncated")]

    def test_swapped_rows_are_named(self, log: Path) -> None:
        sql(log, "UPDATE entries SET seq = -2 WHERE seq = 2", "UPDATE entries SET seq = 2 WHERE seq = 5",
            "UPDATE entries SET seq = 5 WHERE seq = -2")
        code, output = verify_cli(log)
        assert code == 1
        problems = auditlog.verify(log).problems
        assert (2, "out_of_order") in [(p.seq, p.kind) for p in problems]
        assert problems[0].seq == 2 and "written as entry 5" in problems[0].message
        assert any(p.seq == 5 and "written as entry 2" in p.message for p in problems)

    def test_swapped_contents_are_named(self, log: Path) -> None:
        columns = "logged_at, kind, content, content_hash, prev_hash, entry_hash"
        sql(log, "CREATE TABLE saved AS SELECT * FROM entries WHERE seq IN (3, 4)",
            f"UPDATE entries SET ({columns}) = (SELECT {columns} FROM saved WHERE seq = 4) WHERE seq = 3",
            f"UPDATE entries SET ({columns}) = (SELECT {columns} FROM saved WHERE seq = 3) WHERE seq = 4")
        problems = auditlog.verify(log).problems
        assert [(p.seq, p.kind) for p in problems][:2] == [(3, "out_of_order"), (4, "out_of_order")]


WRITER = textwrap.dedent("""
    import sys
    from engine.audit import log as auditlog
    path, writer, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with auditlog.DecisionLog(path) as log:
        for n in range(count):
            entry = log.append({"schema": "paragraf/test-record@1", "writer": writer, "n": n, "pad": "x" * 2000})
            print(entry.seq, flush=True)
""")


def writer(path: Path, name: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(count)], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)


class TestCrashesAndConcurrency:
    def test_sigkill_mid_batch_keeps_every_committed_entry(self, tmp_path: Path) -> None:
        path = tmp_path / "killed.sqlite"
        process = writer(path, "batch", 100_000)
        assert process.stdout is not None
        committed = [int(process.stdout.readline()) for _ in range(40)]
        process.send_signal(signal.SIGKILL)  # while it is still appending
        process.wait()
        committed += [int(line) for line in process.stdout.read().split()]
        result = auditlog.verify(path)
        assert result.ok, result.problems
        assert result.entries >= len(committed) == committed[-1]
        assert result.entries < 100_000  # the batch was cut short
        with auditlog.DecisionLog(path) as log:
            stored = {e.seq: e.record["n"] for e in log.entries()}
        assert all(stored[seq] == seq - 1 for seq in committed)
        with auditlog.DecisionLog(path) as log:  # and the log takes new entries after the crash
            assert log.append(record(0)).seq == result.entries + 1
        assert auditlog.verify(path).ok

    def test_two_processes_appending_at_once(self, tmp_path: Path) -> None:
        path = tmp_path / "shared.sqlite"
        auditlog.DecisionLog(path).close()
        processes = [writer(path, name, 60) for name in ("a", "b")]
        outputs = [p.communicate()[0] for p in processes]
        assert all(p.returncode == 0 for p in processes)
        result = auditlog.verify(path)
        assert result.ok and result.entries == 120
        with auditlog.DecisionLog(path) as log:
            entries = list(log.entries())
        for name, output in zip(("a", "b"), outputs):
            mine = [e for e in entries if e.record["writer"] == name]
            assert [e.record["n"] for e in mine] == list(range(60))
            assert [e.seq for e in mine] == [int(s) for s in output.split()]


def test_a_log_error_is_one_line_even_when_sqlite_says_more() -> None:
    """Found by the log fuzz test: a damaged schema's SQLite message quotes the CREATE TABLE over lines."""
    from engine.audit.log import LogError

    error = LogError('log.sqlite: not a paragraf decision log (malformed database schema (entries) - '
                     'unrecognized token: ""\n    kind TEXT NOT NULL,\n    content TEXT NOT NULL\n)")')
    assert "\n" not in str(error) and "kind TEXT NOT NULL, content TEXT NOT NULL" in str(error)

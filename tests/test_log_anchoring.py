"""The tamper attacks on the decision log (issue 12, item 7), each carried out as someone holding the
file would, and detected in the mode docs/auditing.md names; and backups that keep every entry."""
from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.audit import anchor, keys, log as auditlog
from engine.interfaces.cli import main

REPO = Path(__file__).resolve().parent.parent
TRIGGERS = [f"{table}_no_{what}" for table in ("entries", "signatures") for what in ("update", "delete", "replace")]


def record(n: int) -> dict:
    return {"schema": "paragraf/test-record@1", "n": n, "text": f"decision number {n}"}


@pytest.fixture(scope="module")
def key_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    private = tmp_path_factory.mktemp("keys") / "log.key"
    return private, keys.generate(private)


@pytest.fixture
def log(tmp_path: Path, key_pair: tuple[Path, Path]) -> Path:
    """Six signed entries, and a checkpoint of them in checkpoint.json beside the log."""
    path = tmp_path / "decisions.sqlite"
    with auditlog.DecisionLog(path, signing_key=keys.load_private(key_pair[0])) as opened:
        for n in range(1, 7):
            opened.append(record(n))
    point = anchor.make_checkpoint(path, keys.load_private(key_pair[0]))
    (tmp_path / "checkpoint.json").write_text(json.dumps(point), encoding="utf-8")
    return path


def tamper(path: Path, *statements: str, rechain_from: int | None = None) -> None:
    """Change the log as whoever holds the file can: drop the triggers, run SQL, and rebuild the
    hash chain (it is public and unkeyed) from an entry on, head included."""
    db = sqlite3.connect(path)
    for trigger in TRIGGERS:
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for statement in statements:
        db.execute(statement)
    if rechain_from is not None:
        _rechain(db, rechain_from)
    db.commit()
    db.close()


def _rechain(db: sqlite3.Connection, first: int) -> None:
    prev = db.execute("SELECT entry_hash FROM entries WHERE seq = ?", (first - 1,)).fetchone()
    prev_hash = prev[0] if prev else auditlog.GENESIS
    rows = db.execute("SELECT seq, logged_at, kind, content FROM entries WHERE seq >= ? ORDER BY seq", (first,)).fetchall()
    for seq, logged_at, kind, content in rows:
        content_hash = auditlog.sha256(content)
        new_hash = auditlog.entry_hash(seq, logged_at, kind, content_hash, prev_hash)
        db.execute("UPDATE entries SET content_hash = ?, prev_hash = ?, entry_hash = ? WHERE seq = ?",
                   (content_hash, prev_hash, new_hash, seq))
        prev_hash = new_hash
    last = db.execute("SELECT coalesce(max(seq), 0), (SELECT entry_hash FROM entries ORDER BY seq DESC LIMIT 1) "
                      "FROM entries").fetchone()
    db.execute("DELETE FROM head")
    if last[0]:
        db.execute("INSERT INTO head VALUES (1, ?, ?)", last)


def verify(path: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["audit", "verify", str(path), *options])
    return result.exit_code, result.output


def anchored(path: Path, key_pair: tuple[Path, Path]) -> tuple[int, str]:
    return verify(path, "--expect-head", str(path.parent / "checkpoint.json"), "--public-key", str(key_pair[1]))


def signed(path: Path, key_pair: tuple[Path, Path]) -> tuple[int, str]:
    return verify(path, "--public-key", str(key_pair[1]), "--signed-entries")


FORGED = json.dumps(record(99), sort_keys=True, separators=(",", ":"))


def test_the_untouched_log_passes_every_mode(log: Path, key_pair: tuple[Path, Path]) -> None:
    assert verify(log)[0] == 0
    code, output = anchored(log, key_pair)
    assert code == 0 and "holds 1 checkpoint(s)" in output
    assert signed(log, key_pair)[0] == 0


def test_attack_1_deleting_the_newest_entries_and_rewriting_the_head(log: Path, key_pair: tuple[Path, Path]) -> None:
    tamper(log, "DELETE FROM entries WHERE seq >= 5", rechain_from=5)
    assert verify(log)[0] == 0  # the chain alone cannot tell
    code, output = anchored(log, key_pair)
    assert code == 1 and "entry 6: truncated: entry 6 is gone" in output


def test_attack_2_deleting_everything(log: Path, key_pair: tuple[Path, Path]) -> None:
    tamper(log, "DELETE FROM entries", "DELETE FROM signatures", rechain_from=1)
    assert verify(log)[1].startswith("ok: 0 entries")
    code, output = anchored(log, key_pair)
    assert code == 1 and "truncated" in output
    code, output = verify(log, "--expect-head", json.loads((log.parent / "checkpoint.json").read_text())["head"])
    assert code == 1 and "rewritten" in output  # a bare head hash given on the command line, alike


def test_attack_3_insert_or_replace_is_refused_by_the_triggers(log: Path) -> None:
    db = sqlite3.connect(log)
    for statement in ("INSERT OR REPLACE INTO entries SELECT * FROM entries WHERE seq = 3",
                      "REPLACE INTO entries SELECT * FROM entries WHERE seq = 6",
                      "INSERT OR REPLACE INTO signatures SELECT * FROM signatures WHERE seq = 2"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(statement)
    db.close()
    assert auditlog.verify(log).ok and auditlog.verify(log).entries == 6


def test_attack_4_rewriting_an_entry_and_rebuilding_the_chain(log: Path, key_pair: tuple[Path, Path]) -> None:
    tamper(log, f"INSERT OR REPLACE INTO entries (seq, logged_at, kind, content, content_hash, prev_hash, entry_hash) "
                f"SELECT seq, logged_at, kind, '{FORGED}', '', '', '' FROM entries WHERE seq = 3", rechain_from=3)
    assert verify(log)[0] == 0
    code, output = anchored(log, key_pair)
    assert code == 1 and "entry 6: rewritten" in output
    code, output = signed(log, key_pair)
    assert code == 1 and "entry 3: forged" in output and "entry 2:" not in output


def test_attack_5_replacing_the_last_entry(log: Path, key_pair: tuple[Path, Path]) -> None:
    tamper(log, f"UPDATE entries SET content = '{FORGED}' WHERE seq = 6", rechain_from=6)
    assert verify(log)[0] == 0
    assert "entry 6: rewritten" in anchored(log, key_pair)[1]
    code, output = signed(log, key_pair)
    assert code == 1 and "entry 6: forged" in output


def test_attack_6_appending_a_forged_entry(log: Path, key_pair: tuple[Path, Path]) -> None:
    tamper(log, "INSERT INTO entries SELECT 7, logged_at, kind, content, '', '', '' FROM entries WHERE seq = 6",
           rechain_from=7)
    assert verify(log)[0] == 0
    assert anchored(log, key_pair)[0] == 0  # growth after a checkpoint is what a log does
    code, output = signed(log, key_pair)
    assert code == 1 and "entry 7: unsigned" in output
    tamper(log, "INSERT INTO signatures SELECT 7, key_id, signature FROM signatures WHERE seq = 6")
    code, output = signed(log, key_pair)  # a signature copied from another entry does not fit
    assert code == 1 and "entry 7: forged" in output


def test_attack_7_a_copy_without_its_wal_file(tmp_path: Path, key_pair: tuple[Path, Path]) -> None:
    path = tmp_path / "live.sqlite"
    with auditlog.DecisionLog(path) as writer:  # closed: its entries are moved into the database file
        for n in range(1, 4):
            writer.append(record(n))
    with auditlog.DecisionLog(path) as writer:  # still open: the newer entries sit in the -wal file
        for n in range(4, 7):
            writer.append(record(n))
        (tmp_path / "checkpoint.json").write_text(json.dumps(anchor.make_checkpoint(path)), encoding="utf-8")
        copied = tmp_path / "copied.sqlite"
        shutil.copyfile(path, copied)
        backed_up = auditlog.backup(path, tmp_path / "backup.sqlite")
    assert verify(copied)[0] == 0 and auditlog.verify(copied).entries == 3  # lost 3 entries, silently
    code, output = verify(copied, "--expect-head", str(tmp_path / "checkpoint.json"))
    assert code == 1 and "entry 6: truncated" in output
    assert backed_up.ok and backed_up.entries == 6
    assert verify(tmp_path / "backup.sqlite", "--expect-head", str(tmp_path / "checkpoint.json"))[0] == 0


def test_a_forged_checkpoint_is_refused_with_the_key(log: Path, key_pair: tuple[Path, Path]) -> None:
    path = log.parent / "checkpoint.json"
    point = json.loads(path.read_text())
    tamper(log, "DELETE FROM entries WHERE seq >= 5", rechain_from=5)
    point.update(entries=4, head=auditlog.verify(log).head_hash)  # the attacker edits the checkpoint to fit
    path.write_text(json.dumps(point))
    assert verify(log, "--expect-head", str(path))[0] == 0  # unsigned mode trusts where the file was kept
    code, output = anchored(log, key_pair)
    assert code == 1 and "forged_checkpoint" in output


def test_checkpoint_and_keygen_commands(tmp_path: Path, log: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["audit", "keygen", str(tmp_path / "k")]).exit_code == 0
    assert (tmp_path / "k").stat().st_mode & 0o077 == 0
    again = runner.invoke(main, ["audit", "keygen", str(tmp_path / "k")])
    assert again.exit_code == 2 and "cannot write the key" in again.output
    result = runner.invoke(main, ["audit", "checkpoint", str(log), "--key", str(tmp_path / "k")])
    point = json.loads(result.output)
    assert (point["entries"], point["schema"]) == (6, anchor.CHECKPOINT_SCHEMA) and point["signature"]
    assert verify(log, "--expect-head", point["head"])[0] == 0
    bad = runner.invoke(main, ["audit", "verify", str(log), "--expect-head", "nonsense"])
    assert bad.exit_code == 2 and "neither a 64-digit head hash nor a checkpoint file" in bad.output
    assert runner.invoke(main, ["audit", "checkpoint", str(log), "--key", str(log)]).exit_code == 2


def test_entries_are_signed_when_the_environment_names_a_key(tmp_path: Path, key_pair: tuple[Path, Path],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(keys.KEY_ENV, str(key_pair[0]))
    auditlog.append(tmp_path / "env.sqlite", record(1))
    assert signed(tmp_path / "env.sqlite", key_pair)[0] == 0


def test_a_log_without_the_signatures_table_has_every_entry_unsigned(log: Path, key_pair: tuple[Path, Path]) -> None:
    tamper(log, "DROP TABLE signatures")
    code, output = signed(log, key_pair)
    assert code == 1 and output.count(": unsigned: ") == 6


def test_another_programs_database_is_refused_untouched(tmp_path: Path) -> None:
    other = tmp_path / "other-app.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE customers (id INTEGER, name TEXT)")
    db.commit()
    db.close()
    before = other.read_bytes()
    with pytest.raises(auditlog.LogError, match="not a paragraf decision log .*customers"):
        auditlog.DecisionLog(other)
    assert other.read_bytes() == before
    result = CliRunner().invoke(main, ["eval", str(REPO / "examples" / "aarhus-complex.yaml"), "--log", str(other)])
    assert result.exit_code == 2 and "not a paragraf decision log" in result.output
    assert {r[0] for r in sqlite3.connect(other).execute("SELECT name FROM sqlite_master")} == {"customers"}


def test_bytes_damaged_into_invalid_utf8_are_named_not_a_crash(tmp_path: Path) -> None:
    """Found by the long fuzz run: one byte of the schema made invalid UTF-8 crashed every reader."""
    path = tmp_path / "damaged.sqlite"
    auditlog.DecisionLog(path).close()
    data = bytearray(path.read_bytes())
    data[3977] = 0x80
    path.write_bytes(bytes(data))
    code, output = verify(path)
    assert code in (0, 1, 2) and "internal error" not in output
    path = tmp_path / "content.sqlite"
    with auditlog.DecisionLog(path) as log:
        log.append(record(1))
    data = bytearray(path.read_bytes())
    data[data.index(b"decision number 1")] = 0xff
    path.write_bytes(bytes(data))
    assert [(p.seq, p.kind) for p in auditlog.verify(path).problems] == [(1, "edited")]


WRITER = textwrap.dedent("""
    import sys
    from engine.audit import log as auditlog
    with auditlog.DecisionLog(sys.argv[1]) as log:
        for n in range(100_000):
            print(log.append({"schema": "paragraf/test-record@1", "n": n, "pad": "x" * 500}).seq, flush=True)
""")


def test_a_backup_taken_while_the_writer_is_killed_holds_every_acknowledged_entry(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite"
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    acknowledged = [int(process.stdout.readline()) for _ in range(30)]
    during = auditlog.backup(path, tmp_path / "during.sqlite")  # the writer goes on meanwhile
    acknowledged += [int(process.stdout.readline()) for _ in range(10)]
    process.send_signal(signal.SIGKILL)
    after = auditlog.backup(path, tmp_path / "after.sqlite")  # taken as the writer dies
    process.wait()
    acknowledged += [int(line) for line in process.stdout.read().split()]
    assert during.ok and during.entries >= 30
    assert after.ok
    final = auditlog.backup(path, tmp_path / "final.sqlite")
    assert final.ok and final.entries >= len(acknowledged) == acknowledged[-1]
    with auditlog.DecisionLog(tmp_path / "final.sqlite", create=False) as copy:
        assert [e.record["n"] for e in copy.entries()][:len(acknowledged)] == [seq - 1 for seq in acknowledged]
    refused = CliRunner().invoke(main, ["audit", "backup", str(path), str(tmp_path / "final.sqlite")])
    assert refused.exit_code == 2 and "already exists" in refused.output

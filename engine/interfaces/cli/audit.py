"""Commands for auditors: replay a recorded decision, verify and read a decision log, and
report which exemptions were used on a batch of cases."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterator

import click

from engine import report as reports

from engine.audit import log as auditlog, record as records, replay as replays, exemption_report
from engine.interfaces.cli.group import main
from engine.interfaces.cli.common import (LANG_OPTION, RULES_OPTION, guarded, input_path, load_rulebook,
                               report_bad_rows, stdin_to_file)

EXISTING = input_path()


@main.command()
@click.argument("record", type=EXISTING, callback=stdin_to_file)
@click.option("--entry", "entries", type=int, multiple=True,
              help="For a decision log: replay this entry (may be repeated). Default: every decision in it.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@RULES_OPTION
@guarded
def replay(record: Path, entries: tuple[int, ...], fmt: str, rules_dir: Path | None) -> None:
    """Evaluate a recorded decision again with the current rulebook and say what changed.

    RECORD is a record file (from 'paragraf eval --record') or a decision log (from '--log').
    Exit 0 when every result is identical, 1 when one differs.
    """
    book = load_rulebook(rules_dir)
    results = [(where, replays.replay(data, book)) for where, data in _recorded(record, entries)]
    if fmt == "json":
        click.echo(json.dumps([{"record": w, **r.to_dict()} for w, r in results], sort_keys=True,
                              ensure_ascii=False, indent=2, default=str))
    else:
        click.echo("\n".join(f"{where}: {result_text}" for where, result_text in
                             ((w, replays.report_text(r)) for w, r in results)), nl=False)
    if any(not r.identical for _, r in results):
        sys.exit(1)


def _recorded(path: Path, entries: tuple[int, ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, record) from a record file, or from the chosen entries of a decision log."""
    if not auditlog.is_log(path):
        yield str(path), records.read_record(path)
        return
    with auditlog.DecisionLog(path, create=False) as log:
        chosen = [log.entry(seq) for seq in entries] if entries else [
            e for e in log.entries() if e.kind == records.SCHEMA]
        if not chosen:
            raise records.RecordError(f"{path}: the log holds no decision records")
        for entry in chosen:
            yield f"{path}#{entry.seq}", records.check_record(entry.record, f"{path}#{entry.seq}")


@main.group()
def audit() -> None:
    """Read and verify decision logs."""


@audit.command()
@click.argument("log", type=EXISTING, callback=stdin_to_file)
@click.option("--expect-head", "expected", multiple=True, metavar="HASH|FILE",
              help="A head hash or checkpoint file kept elsewhere; the log must still hold it (may be repeated).")
@click.option("--public-key", type=click.Path(path_type=Path),
              help="The operator's public key: every checkpoint given must be signed by it.")
@click.option("--signed-entries", is_flag=True, help="Every entry must carry a signature by --public-key.")
@guarded
def verify(log: Path, expected: tuple[str, ...], public_key: Path | None, signed_entries: bool) -> None:
    """Check that LOG's hash chain is intact: no entry changed, deleted or reordered; and, with
    --expect-head, that LOG still holds every checkpoint given (docs/auditing.md says which
    tampering each check catches).

    Exit 0 when it is, 1 naming every entry that breaks it.
    """
    from engine.audit import anchor, keys  # the cryptography library: only for these commands

    if signed_entries and public_key is None:
        raise click.BadParameter("give the key to check the signatures with", param_hint="--public-key")
    checkpoints = [anchor.read_checkpoint(given) for given in expected]
    key = keys.load_public(public_key) if public_key is not None else None
    result = anchor.verify_anchored(log, checkpoints, key, signed_entries)
    for problem in result.problems:
        click.echo(f"{log}: entry {problem.seq}: {problem.kind}: {problem.message}")
    if not result.ok:
        click.echo(f"{len(result.problems)} problem(s) in {result.entries} entries; first bad entry: "
                   f"{result.problems[0].seq}")
        sys.exit(1)
    anchored = f"; holds {len(checkpoints)} checkpoint(s)" if checkpoints else ""
    signed = "; every entry signed" if signed_entries else ""
    click.echo(f"ok: {result.entries} entries, chain intact{anchored}{signed}; head: entry {result.head_seq} "
               f"{result.head_hash}")


@audit.command()
@click.argument("log", type=EXISTING)
@click.option("--key", type=click.Path(path_type=Path), help="Sign the checkpoint with this private key.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write it here (default: stdout).")
@guarded
def checkpoint(log: Path, key: Path | None, out: Path | None) -> None:
    """Print LOG's head as a checkpoint (JSON) to keep away from the log, and give later to
    'audit verify --expect-head'. The chain is verified first."""
    from engine.audit import anchor, keys

    made = anchor.make_checkpoint(log, keys.load_private(key) if key is not None else None)
    text = json.dumps(made, sort_keys=True, indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


@audit.command()
@click.argument("private_key", type=click.Path(dir_okay=False, path_type=Path))
@guarded
def keygen(private_key: Path) -> None:
    """Make an Ed25519 key pair: PRIVATE_KEY (owner-readable only) and PRIVATE_KEY.pub.
    Appending processes sign entries when PARAGRAF_LOG_KEY names the private key."""
    from engine.audit import keys

    public = keys.generate(private_key)
    click.echo(f"private key: {private_key}\npublic key: {public} (id {keys.key_id(keys.load_public(public))})")


@audit.command()
@click.argument("log", type=EXISTING)
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@guarded
def backup(log: Path, target: Path) -> None:
    """Copy LOG to TARGET through SQLite's backup API (committed entries in the WAL file included,
    writers may go on), then verify the copy. Copying the file alone can lose entries."""
    result = auditlog.backup(log, target)
    if not result.ok:
        raise auditlog.LogError(f"{target}: the copy does not verify: {result.problems[0].message}")
    click.echo(f"ok: {result.entries} entries copied to {target}; head: entry {result.head_seq} {result.head_hash}")


@audit.command()
@click.argument("log", type=EXISTING, callback=stdin_to_file)
@click.option("--entry", "seq", type=int, required=True, help="The entry to show.")
@click.option("--format", "fmt", type=click.Choice(reports.FORMATS), default="text", show_default=True)
@LANG_OPTION
@guarded
def show(log: Path, seq: int, fmt: str, lang: str) -> None:
    """Render the decision logged as entry SEQ of LOG, as recorded (nothing is evaluated)."""
    with auditlog.DecisionLog(log, create=False) as opened:
        record = opened.entry(seq).record
    if isinstance(record, dict) and record.get("schema") == auditlog.REFUSION_SCHEMA:  # weeks, not a decision
        click.echo(json.dumps(record, sort_keys=True, ensure_ascii=False, indent=2))
        return
    data = records.check_record(record, f"{log}#{seq}")
    click.echo(reports.render(data["decision"], format=fmt, lang=lang), nl=False)


@main.group(name="report")
def report_() -> None:
    """Reports over a batch of cases."""


@report_.command()
@click.argument("cases", nargs=-1, required=True, type=input_path(batch=True), callback=stdin_to_file)
@click.option("--format", "fmt", type=click.Choice((*exemption_report.FORMATS, "html")), default="markdown",
              show_default=True, help="html: a self-contained page with the paragraphs set aside per period as a chart and a table.")
@click.option("--period", type=click.Choice(exemption_report.PERIODS), default="quarter", show_default=True,
              help="Count by this period of each case's as_of date.")
@click.option("--with", "proposals", multiple=True, help="Switch on a proposal (may be repeated).")
@LANG_OPTION
@RULES_OPTION
@guarded
def exemptions(cases: tuple[Path, ...], fmt: str, period: str, proposals: tuple[str, ...], lang: str,
               rules_dir: Path | None) -> None:
    """For each exemption: how many citizens it applied to, by municipality and period, and which
    paragraphs of which act it set aside how often, over CASES (folders, case files, JSON lines, CSV, Parquet).

    Cases that cannot be read are reported on stderr and left out; the exit code is then 1.
    """
    book = load_rulebook(rules_dir)
    result = exemption_report.count_usage(book, cases, period, proposals)
    if fmt == "html":
        from engine.planning import reports

        click.echo(reports.exemptions(result, lang), nl=False)
    else:
        click.echo(exemption_report.render(result, fmt, lang), nl=False)
    report_bad_rows([f"{bad.where}: {bad.message}" for bad in result.bad], len(result.bad),
                    "case(s) could not be evaluated and were left out")

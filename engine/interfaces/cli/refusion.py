"""`paragraf refusion` (per-week refusion for a caseload) and `paragraf explain-week` (why one week)."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import click

from engine import rulebook

from engine.audit import log as auditlog
from engine.interfaces.cli.group import main
from engine.interfaces.cli.caseload import PathOrUrl
from engine.interfaces.cli.common import (LANG_OPTION, RULES_OPTION, choose_rulebook, guarded, input_path, load_rulebook, report_bad_rows,
                               stdin_to_file)

# NumPy and pyarrow are imported inside the refusion commands, so that every other command
# starts without them.

PAYMENTS = click.argument("payments_path", metavar="PAYMENTS", type=input_path(), callback=stdin_to_file)


def _codes(book: rulebook.Rulebook) -> tuple[str, ...]:
    return book.checked.inputs["citizen.benefit"].input.values  # type: ignore[union-attr]


def _bar(total: int | None, unit: str, description: str) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, desc=description, disable=not sys.stderr.isatty(), leave=False)


@main.command()
@click.argument("payments_path", metavar="PAYMENTS", type=PathOrUrl(exists=True, allow_dash=True, path_type=Path),
                callback=stdin_to_file)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the per-week table here (.csv or .parquet). Default: CSV on standard output.")
@click.option("--summary", is_flag=True, help="Print totals per municipality and month (CSV) on standard output.")
@click.option("--with", "proposals", multiple=True, help="Switch on a proposal (may be repeated).")
@click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Append each person's weekly results to this decision log (SQLite, hash-chained).")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Cores to use: slices of persons processed at once, and the kernel's threads.")
@click.option("--dask", "scheduler", metavar="ADDRESS",
              help="Decide a folder of payment files partitioned by person on this Dask scheduler.")
@click.option("--compare-with", "compare_with", metavar="PROPOSAL",
              help="Per municipality and month, refusion and co-financing without and with PROPOSAL: a proposal "
                   "of the rule files, old-scheme, staircase:rates=80,40,30,20;weeks=4,26,52 or "
                   "earlier-into-work:weeks=4.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              help="With --compare-with: also write the planning report, with charts, to this HTML file.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="With --compare-with: the comparison on standard output as a table or as JSON.")
@LANG_OPTION
@RULES_OPTION
@guarded
def refusion(payments_path: Path, out: Path | None, summary: bool, proposals: tuple[str, ...], log_path: Path | None,
             jobs: int, scheduler: str | None, compare_with: str | None, html_path: Path | None, fmt: str, lang: str,
             rules_dir: Path | None) -> None:
    """Per person and week: the affected week's number, refusion and co-financing rates and amounts.

    Malformed rows are reported on standard error with their line and skipped; every good row
    is still processed, and the exit code is then 1. With --log, each person's weeks are one
    entry of the decision log, committed one by one (`paragraf audit verify` checks the chain).
    """
    from engine.refusion import payments as payment_records
    from engine.refusion import regroup, stream
    from engine.refusion import tables as refusion_module

    if compare_with is not None:
        return _compare(payments_path, compare_with, proposals, html_path, fmt, lang, jobs, out, summary, log_path,
                        scheduler, rules_dir)
    if html_path is not None:
        raise click.UsageError("--html writes the planning report of a comparison: add --compare-with PROPOSAL")
    if out is not None and out.suffix.lower() not in (".csv", ".parquet"):
        raise click.BadParameter(f"{out}: write .csv or .parquet", param_hint="--out")
    if scheduler is not None or Path(payments_path).is_dir() or "://" in str(payments_path):
        return _on_dask(payments_path, out, summary, proposals, log_path, scheduler, choose_rulebook(rules_dir).path)
    choice = choose_rulebook(rules_dir)
    book = rulebook.load(choice.path)
    _check_proposals(book, proposals)
    if (units := stream.plan_units(Path(payments_path))) is not None:
        return _in_units(payments_path, units, choice.path, book, proposals, jobs, summary, out, log_path)
    if regroup.worth_it(Path(payments_path)):  # persons apart: regrouped on disk, then in units
        with regroup.buckets(Path(payments_path), _codes(book)) as buckets:
            return _in_units(payments_path, buckets, choice.path, book, proposals, jobs, summary, out, log_path)
    program = book.program
    with _bar(None, "rows", "reading") as bar:
        read = payment_records.read_payments(payments_path, _codes(book), progress=bar.update)
    totals = refusion_module.Summary()
    with _output(book, payments_path, proposals, out, summary, log_path) as take, \
            _bar(len(read.persons), "persons", "refusion") as bar:
        for result, table in refusion_module.evaluate_tables(program, read, proposals, progress=bar.update, jobs=jobs):
            take(table)
            if summary:
                totals.add(result, read)
    if summary:
        _write_csv(totals.to_table(), None)
    _report_bad(payments_path, read.bad, read.rows)


def _in_units(payments_path: Path, units: list[Any], rules: Path | None, book: rulebook.Rulebook,
              proposals: tuple[str, ...], jobs: int, summary: bool, out: Path | None, log_path: Path | None) -> None:
    """A file decided in units of whole persons (bounded memory; with --jobs N, in N processes)."""
    from engine.interfaces.cli import refusion_stream
    from engine.refusion import tables as refusion_module

    with _output(book, payments_path, proposals, out, summary, log_path) as take, \
            _bar(None, "persons", "refusion") as bar:
        totals = refusion_stream.decide(Path(payments_path), units, rules, book.program, _codes(book), proposals,
                                        jobs, summary, take, bar.update)
    if summary:
        _write_csv(refusion_module.Summary(totals.summary).to_table(), None)
    _report_bad(payments_path, totals.bad, totals.rows)


@contextlib.contextmanager
def _output(book: rulebook.Rulebook, payments_path: Path, proposals: tuple[str, ...], out: Path | None,
            summary: bool, log_path: Path | None) -> Iterator[Callable[[Any], None]]:
    """Where each per-week table goes: the output (none when only the summary is asked for) and,
    with --log, the decision log, entry by entry; both closed when all went well."""
    writer = _Writer(out if out is not None else (None if summary else "-"))
    log = auditlog.DecisionLog(log_path) if log_path is not None else None
    context = _log_context(book, payments_path, proposals) if log is not None else {}

    def take(table: Any) -> None:
        writer.write(table)
        for record in auditlog.refusion_records(table, context) if log is not None else ():
            log.append(record)  # type: ignore[union-attr]

    yield take
    writer.close()
    if log is not None:
        log.close()


def _compare(payments: Path, proposal: str, base: tuple[str, ...], html_path: Path | None, fmt: str, lang: str,
             jobs: int, out: Path | None, summary: bool, log_path: Path | None, scheduler: str | None,
             rules_dir: Path | None) -> None:
    from engine.interfaces.cli import refusion_whatif

    if out is not None or summary or log_path is not None or scheduler is not None:
        raise click.UsageError("--compare-with prints its own monthly table: leave out --out, --summary, --log and --dask")
    if Path(payments).is_dir() or "://" in str(payments):
        raise click.UsageError("--compare-with reads one payment file, not a folder or URL")
    refusion_whatif.compare(payments, proposal, base, html_path, fmt, lang, jobs, rules_dir, _bar)


def _on_dask(payments: Path, out: Path | None, summary: bool, proposals: tuple[str, ...], log_path: Path | None,
             scheduler: str | None, rules_dir: Path | None) -> None:
    from engine.interfaces.cli.caseload import refusion_on_dask

    if scheduler is None:
        raise click.UsageError("a folder of payment partitions is decided on a cluster: add --dask ADDRESS")
    if summary or log_path is not None:
        raise click.UsageError("--summary and --log work on one payment file, not with --dask")
    refusion_on_dask(str(payments), out, proposals, rules_dir, scheduler, _Writer(out))


def _log_context(book: rulebook.Rulebook, payments_path: Path, proposals: tuple[str, ...]) -> dict[str, Any]:
    """What a logged result was computed from: the rulebook, the payment file's digest, the switches."""
    digest = hashlib.sha256()
    with payments_path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"rulebook": {"fingerprint": book.fingerprint, "engine_version": rulebook.engine_version()},
            "payments": {"file": payments_path.name, "sha256": digest.hexdigest()},
            "proposals": sorted(proposals)}


def _check_proposals(book: rulebook.Rulebook, proposals: tuple[str, ...]) -> None:
    unknown = [p for p in proposals if p not in book.checked.proposals]
    if unknown:
        raise click.BadParameter(f"unknown proposal '{unknown[0]}'", param_hint="--with")


def _report_bad(path: Path, bad_rows: list[Any], good: int) -> None:
    report_bad_rows([f"{path}:{bad.line}: {bad.reason}" for bad in bad_rows], len(bad_rows),
                    f"malformed row(s) skipped; {good} good row(s) processed")


class _Writer:
    """Streams tables to a CSV or Parquet file, or CSV to standard output ("-"); None writes nothing."""

    def __init__(self, target: Path | str | None) -> None:
        self.target: Path | str | None = target
        self.handle: Any = None

    def write(self, table: Any) -> None:
        if self.target is None:
            return
        if self.handle is None:
            self.handle = self._open(table.schema)
        self.handle.write_table(table) if hasattr(self.handle, "write_table") else self.handle.write(table)

    def _open(self, schema: Any) -> Any:
        import pyarrow.csv as csv
        import pyarrow.parquet as pq

        if self.target == "-":
            return csv.CSVWriter(sys.stdout.buffer, schema)
        if str(self.target).lower().endswith(".parquet"):
            return pq.ParquetWriter(str(self.target), schema)
        return csv.CSVWriter(str(self.target), schema)

    def close(self) -> None:
        if self.handle is None and self.target is not None:
            from engine.refusion.tables import SCHEMA

            self.write(SCHEMA.empty_table())
        if self.handle is not None:
            self.handle.close()
            if self.target == "-":
                sys.stdout.flush()


def _write_csv(table: Any, path: Path | None) -> None:
    import pyarrow.csv as csv

    csv.write_csv(table, sys.stdout.buffer if path is None else str(path))
    sys.stdout.flush()


@main.command(name="explain-week")
@PAYMENTS
@click.option("--person", required=True, help="The person, as named in the payment file.")
@click.option("--week", "week", required=True, help="A day of the week to explain (YYYY-MM-DD; its Monday names it).")
@click.option("--with", "proposals", multiple=True, help="Switch on a proposal (may be repeated).")
@click.option("--format", "fmt", type=click.Choice(["text", "html"]), default="text", show_default=True,
              help="html: a page with the explanation and a chart of the person's staircase, resets marked.")
@LANG_OPTION
@RULES_OPTION
@guarded
def explain_week(payments_path: Path, person: str, week: str, proposals: tuple[str, ...], fmt: str, lang: str,
                 rules_dir: Path | None) -> None:
    """Why a person's week is affected week N on the staircase, with its rates and amounts."""
    from engine.refusion import payments as payment_records
    from engine.refusion import explain_week as refusion_explain

    try:
        day = dt.date.fromisoformat(week)
    except ValueError:
        raise click.BadParameter(f"{week!r} is not a date; write YYYY-MM-DD", param_hint="--week") from None
    book = load_rulebook(rules_dir)
    program = book.program
    _check_proposals(book, proposals)
    read = payment_records.read_payments(payments_path, _codes(book))
    if person not in read.persons:
        raise click.BadParameter(f"no good payment rows for person '{person}' in {payments_path}", param_hint="--person")
    explanation = refusion_explain.explain_week(program, read, person, day, proposals)
    if fmt == "html":
        from engine.planning import staircase_report

        stairs = refusion_explain.staircase(program, read, person, proposals)
        click.echo(staircase_report.html(person, stairs, day, explanation, lang), nl=False)
        return
    click.echo(explanation)

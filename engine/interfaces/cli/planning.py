"""The municipality planner's reports: `paragraf report concentration` (cost concentration, with
`--mark-complex` the trial's target group as a caseload) and `paragraf report goals` (the
application's follow-up goals 5 and 10 for a baseline and a follow-up year). They join the
`report` group of `engine.interfaces.cli.audit`, whose `report exemptions` draws its HTML page here too."""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from engine.interfaces.cli.audit import report_
from engine.interfaces.cli.common import (
    LANG_OPTION,
    RULES_OPTION,
    guarded,
    input_path,
    load_rulebook,
    report_bad_rows,
    stdin_to_file,
)
from engine.rulebook import Rulebook

if TYPE_CHECKING:
    from engine.refusion import payments as payment_records
# NumPy and pyarrow are imported inside the commands, so that every other command starts without them.

PAYMENTS = click.argument("payments_path", metavar="PAYMENTS", type=input_path(), callback=stdin_to_file)
OUT = click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                   help="Write the report to this file. Default: standard output.")


def _read_payments(book: Rulebook, path: Path) -> payment_records.Payments:
    from engine.refusion import payments as payment_records

    return payment_records.read_payments(path, book.checked.inputs["citizen.benefit"].input.values)  # type: ignore[union-attr]


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


def _bad_payments(path: Path, read: payment_records.Payments) -> list[str]:
    return [f"{path}:{bad.line}: {bad.reason}" for bad in read.bad]


@report_.command()
@PAYMENTS
@click.option("--by", type=click.Choice(["municipality"]), help="Also report each municipality's citizens apart.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("--top", type=click.IntRange(1, 100), default=5, show_default=True,
              help="The top segment (per cent of citizens) --mark-complex marks; reported beside 1, 3 and 5 %.")
@click.option("--mark-complex", "mark_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the caseload --cases with complex_case set for exactly the top segment.")
@click.option("--cases", "cases_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The citizen cases to mark (a Parquet or JSON-lines file).")
@OUT
@LANG_OPTION
@RULES_OPTION
@guarded
def concentration(payments_path: Path, by: str | None, fmt: str, top: int, mark_out: Path | None,
                  cases_path: Path | None, out: Path | None, lang: str, rules_dir: Path | None) -> None:
    """The share of gross benefit costs carried by the costliest 1 %, 3 % and 5 % of citizens in
    PAYMENTS, the Lorenz curve, the Gini coefficient and how many different benefits the costliest draw.

    With --mark-complex OUT --cases CASES, the cases of the top segment (--top, of all citizens, or
    of each municipality's with --by municipality) get complex_case true, every other false.
    Malformed payment rows are reported on standard error with their line; every good row is
    used, and the exit code is then 1.
    """
    from engine.planning import concentration as conc
    from engine.planning import reports, texts

    if (mark_out is None) != (cases_path is None):
        raise click.UsageError("--mark-complex OUT and --cases CASES go together")
    book = load_rulebook(rules_dir)
    read = _read_payments(book, payments_path)
    result = conc.measure(read, by, tuple(sorted({*conc.PERCENTS, top})))
    places = book.checked.inputs["municipality"].input.value_titles  # type: ignore[union-attr]
    text = {"text": lambda: texts.concentration(result, lang, places),
            "html": lambda: reports.concentration(result, lang, places),
            "json": lambda: json.dumps(conc.to_dict(result), sort_keys=True, ensure_ascii=False, indent=2) + "\n"}[fmt]()
    _emit(text, out)
    if mark_out is not None and cases_path is not None:
        _mark(result, top, cases_path, mark_out)
    report_bad_rows(_bad_payments(payments_path, read), len(read.bad),
                    f"malformed row(s) skipped; {read.rows} good row(s) used")


def _mark(result: Any, top: int, cases: Path, out: Path) -> None:
    from engine.planning import marking

    persons = result.marked(top)
    marked = marking.mark(cases, persons, out)
    click.echo(f"paragraf: {out}: {marked.marked} of {marked.cases} case(s) marked complex "
               f"({len(persons)} citizen(s) in the top {top} %)", err=True)


@report_.command()
@PAYMENTS
@click.argument("cases", type=input_path(batch=True), callback=stdin_to_file)
@click.option("--baseline", type=click.IntRange(2000, 2100), required=True, help="The baseline year, e.g. 2016.")
@click.option("--follow-up", "follow_up", type=click.IntRange(2000, 2100), required=True,
              help="The follow-up year, e.g. 2019.")
@click.option("--with", "proposals", multiple=True, help="Switch on a proposal (may be repeated).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@OUT
@LANG_OPTION
@RULES_OPTION
@guarded
def goals(payments_path: Path, cases: Path, baseline: int, follow_up: int, proposals: tuple[str, ...], fmt: str,
          out: Path | None, lang: str, rules_dir: Path | None) -> None:
    """The follow-up goals 5 (costs for the target group) and 10 (which parts of the law were set
    aside) of "Tværgående borgerforløb" for a baseline and a follow-up year, from PAYMENTS and CASES.

    The target group is the persons with a case marked complex_case (see `report concentration
    --mark-complex`). Malformed payment rows and cases that cannot be evaluated are reported on
    standard error and left out; the exit code is then 1.
    """
    from engine.planning import goals as goal
    from engine.planning import reports, texts

    book = load_rulebook(rules_dir)
    read = _read_payments(book, payments_path)
    result = goal.measure(book, read, cases, baseline, follow_up, proposals)
    text = {"text": lambda: texts.goals(result, lang), "html": lambda: reports.goals(result, lang),
            "json": lambda: json.dumps(goal.to_dict(result), sort_keys=True, ensure_ascii=False, indent=2) + "\n"}[fmt]()
    _emit(text, out)
    lines = _bad_payments(payments_path, read) + [f"{bad.where}: {bad.message}" for bad in result.bad_cases]
    report_bad_rows(lines, len(lines), "payment row(s) or case(s) could not be used and were left out")

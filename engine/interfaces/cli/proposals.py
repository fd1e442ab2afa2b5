"""Proposals on the command line: `eval CASE --compare-with P` and `compare CASES --with P`."""
from __future__ import annotations

import json
from pathlib import Path

import click


from engine.officer import compare as comparing
from engine.interfaces.cli.group import main
from engine.interfaces.cli.common import (LANG_OPTION, RULES_OPTION, guarded, input_path, load_rulebook,
                               parse_as_of, report_bad_rows, stdin_to_file)
from engine.report import WORDS

TEXT = {
    "da": {"title": "Sammenligning", "with": "med forslag", "none": "Forslaget ændrer intet for denne sag.",
           "lifted": "løftes", "changed": "ændres", "cases": "sager",
           "counts": "Forpligtelser forslaget løfter (antal sager)"},
    "en": {"title": "Comparison", "with": "with proposal", "none": "The proposal changes nothing for this case.",
           "lifted": "lifted", "changed": "changed", "cases": "cases",
           "counts": "Obligations the proposal lifts (number of cases)"},
}


def render(comparison: comparing.Comparison, lang: str) -> str:
    """A comparison as text: one block per obligation that changes, before → after."""
    t, w = TEXT[lang], WORDS[lang]
    lines = [f"{t['title']}: {w['case']} {comparison.case}, {w['as_of']} {comparison.as_of}, "
             f"{w['municipality']} {comparison.municipality or '-'}, {t['with']} {comparison.proposal}", ""]
    if not comparison.changes:
        return "\n".join(lines + [t["none"]]) + "\n"
    for change in comparison.changes:
        kind = t["lifted"] if change.lifted else t["changed"]
        lines.append(f"  [{kind.upper()}] {change.rule} ({change.actor})")
        lines.append(f"      {change.title[lang]}")
        lines.append(f"      {_status(change.before, change.exempted_by_before, w)} -> "
                     f"{_status(change.after, change.exempted_by_after, w)}")
    if comparison.missing:
        lines += ["", f"{w['missing']}:"] + [f"  {name}" for name in comparison.missing]
    return "\n".join(lines) + "\n"


def _status(status: str, exempted_by: str | None, w: dict[str, str]) -> str:
    text = w.get(status, status.replace("_", " "))
    return f"{text} ({w['exempted_by']} {exempted_by})" if exempted_by else text


def render_batch(batch: comparing.BatchComparison, lang: str) -> str:
    t = TEXT[lang]
    parts = [render(c, lang) for c in batch.comparisons]
    summary = [f"{t['counts']}, {len(batch.comparisons)} {t['cases']}:"]
    summary += [f"  {rule}: {count}" for rule, count in batch.lifted_counts().items()] or ["  -"]
    return "\n".join(parts + summary) + "\n"


def print_comparison(case: Path, proposal: str, as_of: str | None, base: tuple[str, ...], fmt: str, lang: str,
                     rules_dir: Path | None) -> None:
    """`paragraf eval CASE --compare-with PROPOSAL`."""
    book = load_rulebook(rules_dir)
    comparison = comparing.compare(book, case, proposal, parse_as_of(as_of), base)
    if fmt == "json":
        click.echo(json.dumps(comparison.to_dict(), sort_keys=True, ensure_ascii=False, indent=2))
    else:
        click.echo(render(comparison, lang), nl=False)


@main.command(name="compare")
@click.argument("cases", type=input_path(batch=True), callback=stdin_to_file)
@click.option("--with", "proposal", required=True, help="The proposal to compare with, e.g. NAME:219,751@2021-01-01.")
@click.option("--as-of", "as_of", help="Evaluate every case on this date instead of its own (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@LANG_OPTION
@RULES_OPTION
@guarded
def compare_(cases: Path, proposal: str, as_of: str | None, fmt: str, lang: str, rules_dir: Path | None) -> None:
    """What PROPOSAL would change for every case in CASES (a folder, JSON lines, CSV, Parquet or one case).

    Cases that cannot be read are reported on stderr and left out; the exit code is then 1.
    """
    book = load_rulebook(rules_dir)
    batch = comparing.compare_batch(book, cases, proposal, parse_as_of(as_of))
    click.echo(batch.to_json() if fmt == "json" else render_batch(batch, lang), nl=False)
    report_bad_rows([f"{row.source}: {d.message}" for row in batch.problems for d in row.problems],
                    len(batch.problems), "case(s) could not be read and were left out")



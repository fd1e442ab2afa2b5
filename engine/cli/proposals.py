"""Proposals on the command line: `eval CASE --compare-with P` and `compare CASES --with P`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from engine import rulebook

from engine.officer import compare as comparing
from engine.cli.group import main
from engine.cli.common import LANG_OPTION, RULES_OPTION, guarded, parse_as_of
from engine.report import WORDS

TEXT = {
    "da": {"title": "Sammenligning", "with": "med forslag", "none": "Forslaget ændrer intet for denne sag.",
           "lifted": "løftes", "changed": "ændres", "cases": "sager", "problems": "Sager der ikke kunne læses",
           "counts": "Forpligtelser forslaget løfter (antal sager)"},
    "en": {"title": "Comparison", "with": "with proposal", "none": "The proposal changes nothing for this case.",
           "lifted": "lifted", "changed": "changed", "cases": "cases", "problems": "Cases that could not be read",
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
    if batch.problems:
        summary += ["", f"{t['problems']}:"]
        summary += [f"  {row.source}: {d.message}" for row in batch.problems for d in row.problems]
    return "\n".join(parts + summary) + "\n"


def print_comparison(case: Path, proposal: str, as_of: str | None, base: tuple[str, ...], fmt: str, lang: str,
                     rules_dir: Path | None) -> None:
    """`paragraf eval CASE --compare-with PROPOSAL`."""
    book = rulebook.load(rules_dir)
    comparison = comparing.compare(book, case, proposal, parse_as_of(as_of), base)
    if fmt == "json":
        click.echo(json.dumps(comparison.to_dict(), sort_keys=True, ensure_ascii=False, indent=2))
    else:
        click.echo(render(comparison, lang), nl=False)


@main.command(name="compare")
@click.argument("cases", type=click.Path(exists=True, path_type=Path))
@click.option("--with", "proposal", required=True, help="The proposal to compare with, e.g. NAME:219,751@2021-01-01.")
@click.option("--as-of", "as_of", help="Evaluate every case on this date instead of its own (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@LANG_OPTION
@RULES_OPTION
@guarded
def compare_(cases: Path, proposal: str, as_of: str | None, fmt: str, lang: str, rules_dir: Path | None) -> None:
    """What PROPOSAL would change for every case in CASES (a folder, a JSON-lines file or one case)."""
    book = rulebook.load(rules_dir)
    batch = comparing.compare_batch(book, cases, proposal, parse_as_of(as_of))
    click.echo(batch.to_json() if fmt == "json" else render_batch(batch, lang), nl=False)
    for row in batch.problems:  # every good case is compared above; the bad ones are named here too
        click.echo(f"{row.source}: {'; '.join(d.message for d in row.problems)}", err=True)
    if batch.problems:
        click.echo(f"paragraf: {len(batch.problems)} case(s) could not be compared and were left out", err=True)
        sys.exit(1)



"""`paragraf tilsyn fokusmaal`: the focus targets of a municipality counted from citizen cases."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from engine import rulebook

from engine.planning import focus_targets
from engine.interfaces.cli.group import main
from engine.interfaces.cli.common import (LANG_OPTION, RULES_OPTION, guarded, input_path, load_rulebook,
                               parse_as_of, report_bad_rows, stdin_to_file)

TEXT = {
    "da": {"title": "Fokusmål", "municipality": "kommune", "year": "år", "law": "lov pr.",
           "population": "Langvarige modtagere (mindst 12 måneder)", "target": "Fokusmål",
           "against": "tæller imod", "share": "andel", "undecided": "Uafklarede (manglende oplysninger)",
           "others": "sager fra andre kommuner", "none": "ingen",
           "missing": "mangler", "not_citizen": "sager uden borger (ikke talt med)",
           "decision": "Tilsynsafgørelse ud fra de optalte andele"},
    "en": {"title": "Focus targets", "municipality": "municipality", "year": "year", "law": "law as of",
           "population": "Long-term recipients (at least 12 months)", "target": "Focus target",
           "against": "count against it", "share": "share", "undecided": "Undecided (facts missing)",
           "others": "cases from other municipalities", "none": "none",
           "missing": "missing", "not_citizen": "cases without a citizen (not counted)",
           "decision": "Supervision decision from the counted shares"},
}


def _reason(citizen: focus_targets.Citizen, target: int, lang: str) -> str:
    facts = citizen.facts
    words = ("tilbud", "timer", "samtaler") if lang == "da" else ("offers", "hours", "talks")
    if target == 1:
        return (f"{facts['maaling.tilbud']} {words[0]}, {facts['citizen.ordinary_hours']} {words[1]} "
                f"(< {facts['maaling.timer_graense']})")
    return f"{facts['maaling.samtaler']} {words[2]} (< 4)"


def render(result: focus_targets.FocusTargets, lang: str) -> str:
    t = TEXT[lang]
    lines = [f"{t['title']}: {t['municipality']} {result.municipality}, {t['year']} {result.year} "
             f"({t['law']} {result.as_of.isoformat()})", "", f"{t['population']}: {len(result.population)}"]
    for target in (1, 2):
        share = result.share(target)
        shown = "-" if share is None else f"{(share * 100).quantize(Decimal('0.1'))} %"  # display only; decisions use the exact share
        against = result.against(target)
        lines += ["", f"{t['target']} {target}: {len(against)} {t['against']}, {t['share']} {shown}"]
        lines += [f"  {c.case}: {_reason(c, target, lang)}" for c in against]
    undecided = [c for c in result.citizens if c.undecided]
    lines += ["", f"{t['undecided']}: {len(undecided) or t['none']}"]
    lines += [f"  {c.case}: {t['missing']} {', '.join(c.missing)}" for c in undecided]
    lines += ["", f"{result.other_municipalities} {t['others']}"]
    if result.not_citizen_cases:
        lines.append(f"{len(result.not_citizen_cases)} {t['not_citizen']}: {', '.join(result.not_citizen_cases)}")
    return "\n".join(lines) + "\n"


@main.group(name="tilsyn")
def tilsyn() -> None:
    """Skærpet tilsyn: count the focus targets of a municipality from citizen cases."""


@tilsyn.command(name="fokusmaal")
@click.argument("cases", type=input_path(batch=True), callback=stdin_to_file)
@click.option("--municipality", required=True, help="Three-digit kommunekode, e.g. 751.")
@click.option("--year", type=click.IntRange(2020, 2100), required=True, help="The calendar year measured.")
@click.option("--as-of", "as_of", help="The law applied (default: 1 April of the next year).")
@click.option("--case", "municipality_case", type=input_path(), callback=stdin_to_file,
              help="A municipality case (tilsyn: block); the counted shares are put into it and it is evaluated.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@LANG_OPTION
@RULES_OPTION
@guarded
def fokusmaal(cases: Path, municipality: str, year: int, as_of: str | None, municipality_case: Path | None,
              fmt: str, lang: str, rules_dir: Path | None) -> None:
    """Count focus targets 1 and 2 for MUNICIPALITY and YEAR from the citizen cases in CASES.

    Cases that cannot be read are reported on stderr and left out; the exit code is then 1.
    """
    book = load_rulebook(rules_dir)
    result = focus_targets.measure(book, cases, municipality, year, parse_as_of(as_of))
    decision = _decide(book, result, municipality_case) if municipality_case else None
    if fmt == "json":
        data: dict[str, Any] = result.to_dict()
        if decision is not None:
            data["decision"] = decision.to_dict()
        click.echo(json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2))
    else:
        click.echo(render(result, lang), nl=False)
        if decision is not None:
            click.echo(f"\n{TEXT[lang]['decision']}:\n")
            click.echo(decision.explain(lang=lang), nl=False)
    report_bad_rows([f"{r.source}: {d.message}" for r in result.problems for d in r.problems],
                    len(result.problems), "case(s) could not be read and were left out")


def _decide(book: rulebook.Rulebook, result: focus_targets.FocusTargets, path: Path) -> Any:
    """The municipality case with the counted focus-target facts put in, evaluated; a case that
    states another year than the one counted is refused rather than silently overwritten."""
    data = book.read_case(path).data
    stated = (data.get("tilsyn") or {}).get("aar")
    if stated is not None and int(stated) != result.year:
        raise click.BadParameter(f"{path} is the municipality case for {stated} (tilsyn.aar), but --year is "
                                 f"{result.year}; give --year {stated} or the case for {result.year}",
                                 param_hint="--case")
    merged = {**data, "municipality": result.municipality,
              "tilsyn": {**(data.get("tilsyn") or {}), **result.tilsyn_facts()}}
    return book.evaluate(merged, result.as_of if data.get("as_of") is None else None)

"""What `paragraf check` reports beyond the clean case: problems and the static analysis in one run,
as text (English or Danish), JSON or SARIF 2.1.0."""
from __future__ import annotations

from typing import Any

import attrs
import click

from engine import rulebook
from engine.interfaces.cli.legal_officer import print_analysis
from engine.lang.errors import Diagnostic, render_diagnostic
from engine.law import analysis
from engine.officer import check_report
from engine.officer.messages_da import translate
from engine.rulebook.clean import clean_part

SUMMARY = {
    "en": "{count} problem(s) found",
    "da": "{count} problem(er) fundet",
}
LEFT_OUT = {
    "en": "static analysis of the files without problems (left out: {files})",
    "da": "statisk analyse af filerne uden problemer (udeladt: {files})",
}


def analyse(book: rulebook.Rulebook) -> tuple[analysis.Analysis | None, tuple[str, ...]]:
    """The static analysis of the whole rulebook, or, when it has problems, of its clean files."""
    if not book.diagnostics:
        return analysis.analyse(book.checked, book.program), ()
    part = clean_part(book.checked.ruleset, book.diagnostics)
    if part is None:
        return None, ()
    result = analysis.analyse(part.checked, part.program)
    # a successor may sit in a file left out: judge windows over every rule that loaded
    rules, refs = book.checked.ruleset.rules, book.checked.legal_refs
    kept = [d for d in result.diagnostics if d.category != "window"] + analysis.successors(rules, refs)
    return attrs.evolve(result, diagnostics=tuple(sorted(kept, key=Diagnostic.sort_key))), part.left_out


def report_problems(book: rulebook.Rulebook, lang: str) -> int:
    """Print every problem, then the static analysis of the clean files; the exit status (1)."""
    for diagnostic in book.diagnostics:
        click.echo(render_diagnostic(translate(diagnostic, lang), book.sources, book.shown_as) + "\n")
    click.echo(SUMMARY[lang].format(count=len(book.diagnostics)))
    result, left_out = analyse(book)
    if result is not None:
        click.echo("\n" + LEFT_OUT[lang].format(files=", ".join(left_out)) + "\n")
        print_analysis(result, book, lang)
    return 1


def report_data(book: rulebook.Rulebook, fmt: str, lang: str) -> int:
    """Print every problem and every finding of the static analysis as JSON or SARIF; the exit status."""
    result, left_out = analyse(book)
    found = [translate(d, lang) for d in [*book.diagnostics, *(result.diagnostics if result else ())]]
    if fmt == "sarif":
        click.echo(check_report.to_sarif(found, rulebook.engine_version(), str(book.rules_dir.parent)), nl=False)
    else:
        click.echo(check_report.to_json(found, _summary(book, result, left_out, found)), nl=False)
    return 1 if any(d.severity == "error" for d in found) else 0


def _summary(book: rulebook.Rulebook, result: analysis.Analysis | None, left_out: tuple[str, ...],
             found: list[Diagnostic]) -> dict[str, Any]:
    errors = sum(1 for d in found if d.severity == "error")
    return {
        "rulebook": book.shown_as or "bundled", "rules": len(book.checked.ruleset.rules),
        "files": len(book.checked.ruleset.files), "errors": errors, "warnings": len(found) - errors,
        "analysis": None if result is None else {
            "analysed": len(result.analysed), "cases_tried": result.points, "left_out": list(left_out),
            "skipped": [{"name": name, "why": why} for name, why in result.skipped]},
    }

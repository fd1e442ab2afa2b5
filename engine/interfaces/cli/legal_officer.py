"""Commands for the legal officer: static analysis for `check`, JSON Schemas, rulebook diffs."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from engine import rulebook


from engine.officer import rulediff, schema
from engine.interfaces.cli.group import main
from engine.interfaces.cli.common import RULES_OPTION, choose_rulebook, guarded, load_rulebook
from engine.lang.errors import EngineError, render_diagnostic
from engine.law import analysis


ANALYSIS_WORDS = {
    "en": {"summary": "static analysis: {analysed} values and exemptions checked for overlaps, gaps and dead "
                      "conditions over {points} cases; {errors} error(s), {warnings} warning(s)",
           "skipped": "  not analysed: {name}: {why}"},
    "da": {"summary": "statisk analyse: {analysed} værdier og fritagelser tjekket for overlap, huller og døde "
                      "betingelser over {points} sager; {errors} fejl, {warnings} advarsel(er)",
           "skipped": "  ikke analyseret: {name}: {why}"},
}


def print_analysis(result: analysis.Analysis, book: rulebook.Rulebook, lang: str = "en") -> int:
    """Print the static analysis's findings and summary; return how many are errors."""
    from engine.officer.messages_da import translate

    for diagnostic in result.diagnostics:
        click.echo(render_diagnostic(translate(diagnostic, lang), book.sources, book.shown_as) + "\n")
    errors = sum(1 for d in result.diagnostics if d.severity == "error")
    words = ANALYSIS_WORDS[lang]
    click.echo(words["summary"].format(analysed=len(result.analysed), points=result.points, errors=errors,
                                       warnings=len(result.diagnostics) - errors))
    for name, why in result.skipped:
        click.echo(words["skipped"].format(name=name, why=why))
    return errors


def _folder(spec: str, tmp: Path, name: str) -> Path:
    try:
        return rulediff.checkout(spec, tmp)
    except EngineError as exc:
        raise click.BadParameter(str(exc), param_hint=name) from None


@main.command(name="schema")
@click.argument("what", type=click.Choice(["rules", "case", "decision"]))
@click.option("--annotate", "schema_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Instead of printing: make every rule file name this schema file on its first line.")
@RULES_OPTION
@guarded
def schema_(what: str, schema_file: Path | None, rules_dir: Path | None) -> None:
    """Print the JSON Schema of rule files (rules), of cases (case, from the rulebook's inputs) or of
    decisions (decision: paragraf/decision@2)."""
    if schema_file is not None:
        folder, _ = rulebook.find_folders(choose_rulebook(rules_dir).path)
        changed = schema.add_modelines(folder, schema_file)
        click.echo(f"{len(changed)} rule file(s) now name {schema_file}")
        return
    if what in ("rules", "decision"):
        from engine.officer.decision_schema import decision_schema

        click.echo(schema.dumps(schema.rules_schema() if what == "rules" else decision_schema()), nl=False)
        return
    book = load_rulebook(rules_dir)
    click.echo(schema.dumps(schema.case_schema(book.checked.inputs)), nl=False)


@main.command()
@click.argument("old")
@click.argument("new")
@click.option("--cases", "cases_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Re-run every case file in this folder under both rulebooks and list the decisions that change.")
@guarded
def diff(old: str, new: str, cases_dir: Path | None) -> None:
    """List the rules added, removed and changed from OLD to NEW (rulebook folders or git revisions).

    Exit status 0 when nothing differs, 1 when something does.
    """
    click.echo(f"rulebooks: {old} (OLD) and {new} (NEW)", err=True)  # like every command's rulebook line
    with tempfile.TemporaryDirectory(prefix="paragraf-diff-") as tmp:
        before = rulebook.load(_folder(old, Path(tmp) / "old", "OLD"))
        after = rulebook.load(_folder(new, Path(tmp) / "new", "NEW"))
        changes = rulediff.diff_rules(before, after)
        counts = {kind: sum(1 for c in changes if c.change == kind) for kind in ("added", "removed", "changed")}
        click.echo(f"rules: {counts['added']} added, {counts['removed']} removed, {counts['changed']} changed")
        for change in changes:
            click.echo("\n".join(change.lines()))
        decided: list[rulediff.DecisionChange] = []
        if cases_dir is not None:
            decided, count = rulediff.diff_decisions(before, after, rulediff.case_files(cases_dir))
            click.echo(f"\ndecisions: {len(decided)} of {count} case(s) change")
            for case in decided:
                click.echo("\n".join(case.lines()))
    if changes or decided:
        sys.exit(1)

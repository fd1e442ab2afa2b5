"""The core commands: check a rulebook, evaluate a case, explain a rule, run scenarios."""
from __future__ import annotations

import difflib
import sys
from pathlib import Path

import click

from engine import report

from engine.officer import citation_coverage as coverage

from engine.audit import record
from engine.interfaces.cli import check_output
from engine.interfaces.cli.caseload import PathOrUrl, caseload_options, eval_caseload
from engine.interfaces.cli.legal_officer import print_analysis
from engine.rulebook import gate
from engine.decide import casesource
from engine.decide.decision import Decision
from engine.interfaces.cli.group import main
from engine.interfaces.cli.common import (RULES_OPTION, case_options, choose_rulebook, guarded, input_path, load_rulebook,
                               parse_as_of, record_options, stdin_to_file)


@main.command()
@RULES_OPTION
@click.option("--coverage", "show_coverage", is_flag=True,
              help="Also report, per act version, which paragraphs and chapters the rules cite and which not.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True,
              help="text; or the problems as data: json, or sarif (SARIF 2.1.0) for CI and editors. "
                   "With --coverage: the coverage report's format (text or json).")
@click.option("--lang", type=click.Choice(["en", "da"]), default="en", show_default=True,
              help="Language of the messages and hints.")
@guarded
def check(rules_dir: Path | None, show_coverage: bool, fmt: str, lang: str) -> None:
    """Report every problem in the rulebook, with file, line, column, a caret and a hint."""
    if show_coverage and fmt == "sarif":
        raise click.BadParameter("the coverage report is text or json", param_hint="--format")
    book = load_rulebook(rules_dir)
    if fmt in ("json", "sarif") and not show_coverage:
        sys.exit(check_output.report_data(book, fmt, lang))
    if book.diagnostics:
        sys.exit(check_output.report_problems(book, lang))
    if show_coverage:
        report = coverage.coverage(book.checked.ruleset)
        click.echo(coverage.to_json(report) if fmt == "json" else coverage.render_text(report), nl=False)
        return
    result = gate.inspect(book).analysis  # the same gate eval and explain pass
    if result is not None and print_analysis(result, book, lang):
        sys.exit(1)
    for name, why in sorted(book.native_fallbacks().items()):
        click.echo(f"note: {name} runs on the NumPy evaluator, not the native kernel: the kernel cannot "
                   f"compile {why}; so does every value that reads it")
    rules = book.checked.ruleset.rules
    click.echo(f"ok: {len(rules)} rules, {len(book.checked.ruleset.files)} files, no problems")


@main.command(name="eval")
@click.argument("case", type=PathOrUrl(exists=True, allow_dash=True, path_type=Path), callback=stdin_to_file)
@case_options
@record_options
@click.option("--compare-with", "compare_with", help="Show what this proposal would change for CASE instead.")
@click.option("--explain", "with_trace", is_flag=True,
              help="With --format json: include the explanation tree (the other formats always explain).")
@caseload_options
@guarded
def eval_(case: Path, as_of: str | None, known_on: str | None, proposals: tuple[str, ...], fmt: str, lang: str,
          rules_dir: Path | None, log_path: Path | None, record_path: Path | None, compare_with: str | None,
          with_trace: bool, out: str | None, jobs: int, scheduler: str | None) -> None:
    """Evaluate CASE: which obligations apply, by when, and which exemptions lift them.

    CASE may also be a caseload (a folder, JSON lines, CSV or Parquet): every case is decided
    and written to --out (JSON lines, or a folder of Parquet tables). Exits 1 when the rules do
    not cover an act in force on the date, naming the acts.
    """
    if out is not None or scheduler is not None or casesource.is_caseload(case):
        single = [name for name, given in (("--log", log_path), ("--record", record_path),
                                           ("--compare-with", compare_with)) if given]
        if single:
            raise click.UsageError(f"{', '.join(single)}: for one case; a caseload's decisions go to --out")
        rules = choose_rulebook(rules_dir).path
        return eval_caseload(case, out or "-", jobs, scheduler, parse_as_of(as_of), proposals, rules,
                             parse_as_of(known_on, "--known-on"))
    if compare_with is not None:
        from engine.interfaces.cli.proposals import print_comparison

        return print_comparison(case, compare_with, as_of, proposals, fmt, lang, rules_dir)
    book = gate.require(load_rulebook(rules_dir))
    read = book.read_case(case)
    decision = book.evaluate(read, parse_as_of(as_of), proposals, parse_as_of(known_on, "--known-on"))
    record.keep(book, read, decision, log_path, record_path)
    if fmt == "json":  # decision@2: compact unless the explanation is asked for
        click.echo(decision.to_json(include=("trace",) if with_trace else (), indent=2), nl=False)
    else:
        click.echo(decision.explain(format=fmt, lang=lang), nl=False)
    exit_if_not_covered(decision)


def exit_if_not_covered(decision: Decision) -> None:
    """The one-line reason, and exit status 1, when the rules do not cover every act in force on the date."""
    if decision.not_covered:
        acts = ", ".join(act["act"] for act in decision.not_covered)
        click.echo(f"paragraf: the rulebook does not cover {acts} on {decision.as_of}; "
                   "the decision is incomplete (see 'coverage' in legal_refs/)", err=True)
        sys.exit(1)


@main.command(name="explain")
@click.argument("case", type=input_path(), callback=stdin_to_file)
@click.argument("rule_id")
@case_options
@guarded
def explain_(case: Path, rule_id: str, as_of: str | None, known_on: str | None, proposals: tuple[str, ...],
             fmt: str, lang: str, rules_dir: Path | None) -> None:
    """Why RULE_ID came out as it did for CASE, or why it does not apply, citing the law."""
    book = gate.require(load_rulebook(rules_dir))
    decision = book.evaluate(case, parse_as_of(as_of), proposals, parse_as_of(known_on, "--known-on"))
    rule = book.checked.rule(rule_id) or next(
        (r for r in book.checked.values.get(rule_id, ()) if r.in_force(decision.as_of_date)), None)
    if rule is None:
        close = difflib.get_close_matches(rule_id, [r.id for r in book.checked.ruleset.rules], n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise click.BadParameter(f"no rule '{rule_id}'{hint}", param_hint="RULE_ID")
    if not rule.in_force(decision.as_of_date):
        window = f"{rule.valid_from or '…'} – {rule.valid_to or '…'}"
        reason = "er ikke i kraft" if lang == "da" else "is not in force"
        click.echo(f"{rule_id} {reason} {report.WORDS[lang]['as_of']} {decision.as_of} ({window})")
        return
    if decision.node(rule_id) is None and rule.kind == "value":  # a definition that was not chosen
        reason = "gav ikke værdien af" if lang == "da" else "did not give the value of"
        click.echo(f"{rule_id} {reason} {rule.name}:\n")
        rule_id = rule.name
    click.echo(decision.explain(rule_id, format=fmt, lang=lang), nl=False)


@main.command(name="test")
@click.argument("paths", nargs=-1, type=input_path(batch=True), callback=stdin_to_file)
@click.option("--coverage", is_flag=True, help="Also list the rules and branches of conditions no scenario exercised.")
@RULES_OPTION
@guarded
def test_(paths: tuple[Path, ...], coverage: bool, rules_dir: Path | None) -> None:
    """Run the YAML scenario tests in PATHS (files or folders)."""
    from engine.officer import scenarios as testing
    from engine.officer.scenario_coverage import Coverage

    book = load_rulebook(rules_dir)
    recorder = Coverage() if coverage else None
    results = testing.run_paths(book, list(paths) or [Path("tests/scenarios")], recorder)
    failures = [r for r in results if not r.passed]
    for result in failures:
        click.echo(result.report() + "\n")
    click.echo(f"{len(results) - len(failures)} passed, {len(failures)} failed")
    if recorder is not None:
        click.echo("\n" + recorder.report(book.checked.ruleset.rules, book.checked.types).render(), nl=False)
    if failures or not results:
        sys.exit(1)

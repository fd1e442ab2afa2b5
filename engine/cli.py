"""The `paragraf` command line. Exit codes: 0 success, 1 findings, 2 unusable input or arguments."""
from __future__ import annotations

import datetime as dt
import os
import sys
from functools import wraps
from pathlib import Path
from typing import Any, Callable

import click

from engine import explain, rulebook
from engine.errors import Diagnostic, EngineError, RulebookError
from engine.source import SourceCache

RULES_OPTION = click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path),
                            help="A rulebook folder (holding rules/ and legal_refs/) or a rules folder. Default: the bundled one.")
LANG_OPTION = click.option("--lang", type=click.Choice(["da", "en"]), default="da", show_default=True,
                           help="Language of the report.")


def _case_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `eval` and `explain` share: the date, proposals, format, language and rulebook."""
    for option in reversed([
        click.option("--as-of", "as_of", help="Evaluate under the law in force on this date (YYYY-MM-DD)."),
        click.option("--with", "proposals", multiple=True, help="Switch on a proposal (may be repeated)."),
        click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True),
        LANG_OPTION, RULES_OPTION,
    ]):
        command = option(command)
    return command


def _report(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...], sources: SourceCache | None) -> None:
    for diagnostic in diagnostics:
        click.echo(explain.render_diagnostic(diagnostic, sources) + "\n", err=True)


def _guarded(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every engine error into its report and exit code; never show a traceback."""
    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except RulebookError as exc:
            click.echo(f"paragraf: the rulebook has {len(exc.diagnostics)} problem(s); run 'paragraf check'", err=True)
            _report(exc.diagnostics, kwargs.get("_sources"))
            sys.exit(1)
        except EngineError as exc:
            _report(exc.diagnostics, None)
            sys.exit(exc.exit_code)
        except BrokenPipeError:  # the reader went away (e.g. `| head`): stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except (KeyboardInterrupt, click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug in paragraf: say so in one line, without a traceback
            click.echo(f"paragraf: internal error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(2)
    return run


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD", param_hint="--as-of") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(rulebook.engine_version(), prog_name="paragraf")
def main() -> None:
    """paragraf: Danish employment law as rules, evaluated and explained to the paragraph."""


@main.command()
@RULES_OPTION
@_guarded
def check(rules_dir: Path | None) -> None:
    """Report every problem in the rulebook, with file, line, column, a caret and a hint."""
    book = rulebook.load(rules_dir)
    if book.diagnostics:
        for diagnostic in book.diagnostics:
            click.echo(explain.render_diagnostic(diagnostic, book.sources) + "\n")
        click.echo(f"{len(book.diagnostics)} problem(s) found")
        sys.exit(1)
    rules = book.checked.ruleset.rules
    click.echo(f"ok: {len(rules)} rules, {len(book.checked.ruleset.files)} files, no problems")


@main.command(name="eval")
@click.argument("case", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_case_options
@_guarded
def eval_(case: Path, as_of: str | None, proposals: tuple[str, ...], fmt: str, lang: str, rules_dir: Path | None) -> None:
    """Evaluate CASE: which obligations apply, by when, and which exemptions lift them."""
    book = rulebook.load(rules_dir)
    decision = book.evaluate(case, _as_of(as_of), proposals)
    click.echo(decision.explain(format=fmt, lang=lang), nl=False)


@main.command(name="explain")
@click.argument("case", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("rule_id")
@_case_options
@_guarded
def explain_(case: Path, rule_id: str, as_of: str | None, proposals: tuple[str, ...], fmt: str, lang: str,
             rules_dir: Path | None) -> None:
    """Why RULE_ID came out as it did for CASE, or why it does not apply, citing the law."""
    book = rulebook.load(rules_dir)
    decision = book.evaluate(case, _as_of(as_of), proposals)
    rule = book.checked.rule(rule_id) or next(
        (r for r in book.checked.values.get(rule_id, ()) if r.in_force(decision.as_of_date)), None)
    if rule is None:
        import difflib

        close = difflib.get_close_matches(rule_id, [r.id for r in book.checked.ruleset.rules], n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise click.BadParameter(f"no rule '{rule_id}'{hint}", param_hint="RULE_ID")
    if not rule.in_force(decision.as_of_date):
        window = f"{rule.valid_from or '…'} – {rule.valid_to or '…'}"
        reason = "er ikke i kraft" if lang == "da" else "is not in force"
        click.echo(f"{rule_id} {reason} {explain.WORDS[lang]['as_of']} {decision.as_of} ({window})")
        return
    if decision.node(rule_id) is None and rule.kind == "value":  # a definition that was not chosen
        reason = "gav ikke værdien af" if lang == "da" else "did not give the value of"
        click.echo(f"{rule_id} {reason} {rule.name}:\n")
        rule_id = rule.name
    click.echo(decision.explain(rule_id, format=fmt, lang=lang), nl=False)


@main.command(name="test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@RULES_OPTION
@_guarded
def test_(paths: tuple[Path, ...], rules_dir: Path | None) -> None:
    """Run the YAML scenario tests in PATHS (files or folders)."""
    from engine import testing

    book = rulebook.load(rules_dir)
    results = testing.run_paths(book, list(paths) or [Path("tests/scenarios")])
    failures = [r for r in results if not r.passed]
    for result in failures:
        click.echo(result.report() + "\n")
    click.echo(f"{len(results) - len(failures)} passed, {len(failures)} failed")
    if failures or not results:
        sys.exit(1)

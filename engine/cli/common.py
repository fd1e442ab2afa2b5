"""What every command shares: options, error reporting and exit codes."""
from __future__ import annotations

import datetime as dt
import os
import sys
from functools import wraps
from pathlib import Path
from typing import Any, Callable

import click

from engine.lang import values
from engine.report import FORMATS
from engine.lang.errors import Diagnostic, EngineError, RulebookError, render_diagnostic
from engine.lang.source import SourceCache

RULES_OPTION = click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path),
                            help="A rulebook folder (holding rules/ and legal_refs/) or a rules folder. Default: the bundled one.")
LANG_OPTION = click.option("--lang", type=click.Choice(["da", "en"]), default="da", show_default=True,
                           help="Language of the report.")


def case_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `eval` and `explain` share: the date, proposals, format, language and rulebook."""
    for option in reversed([
        click.option("--as-of", "as_of", help="Evaluate under the law in force on this date (YYYY-MM-DD)."),
        click.option("--with", "proposals", multiple=True, help="Switch on a proposal (may be repeated)."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True),
        LANG_OPTION, RULES_OPTION,
    ]):
        command = option(command)
    return command


def record_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Where `eval` keeps the decision's record: a decision log (SQLite) and/or a record file."""
    for option in reversed([
        click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Append the decision's record to this decision log (SQLite; created if needed)."),
        click.option("--record", "record_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write the decision's record (decision, case, rulebook digests) to this JSON file."),
    ]):
        command = option(command)
    return command


def print_diagnostics(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...], sources: SourceCache | None,
           root: str | None = None) -> None:
    for diagnostic in diagnostics:
        click.echo(render_diagnostic(diagnostic, sources, root) + "\n", err=True)


def guarded(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every engine error into its report and exit code; never show a traceback."""
    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except RulebookError as exc:
            click.echo(f"paragraf: the rulebook has {len(exc.diagnostics)} problem(s); run 'paragraf check'", err=True)
            print_diagnostics(exc.diagnostics, exc.sources, exc.root)
            sys.exit(1)
        except EngineError as exc:
            print_diagnostics(exc.diagnostics, None)
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


def parse_as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return values.parse_date(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD", param_hint="--as-of") from None

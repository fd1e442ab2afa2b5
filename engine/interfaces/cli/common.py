"""What every command shares: options, error reporting and exit codes."""
from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import sys
import tempfile
from functools import wraps
from pathlib import Path
from typing import Any, Callable

import click

from engine import rulebook
from engine.lang import values
from engine.report import FORMATS
from engine.lang.errors import Diagnostic, EngineError, RulebookError, render_diagnostic
from engine.lang.source import SourceCache

RULES_OPTION = click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path),
                            help="A rulebook folder (holding rules/ and legal_refs/) or a rules folder. Default: $PARAGRAF_RULES, "
                                 "else the current folder when it holds rules/ and legal_refs/, else the bundled one.")
LANG_OPTION = click.option("--lang", type=click.Choice(["da", "en"]), default="da", show_default=True,
                           help="Language of the report.")


def input_path(*, batch: bool = False) -> click.Path:
    """A file the command reads (a folder too for a `batch`); `-` is standard input."""
    return click.Path(exists=True, dir_okay=batch, allow_dash=True, path_type=Path)


def stdin_to_file(_context: click.Context, _param: click.Parameter, value: Any) -> Any:
    """Click callback: `-` (standard input) becomes a temporary file, read once, for readers that
    need a file: to tell its kind from its first bytes, to hash it, or to read it twice."""
    if isinstance(value, tuple):
        return tuple(stdin_to_file(_context, _param, v) for v in value)
    if value is None or str(value) != "-":
        return value
    folder = Path(tempfile.mkdtemp(prefix="paragraf-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "stdin"
    path.write_bytes(sys.stdin.buffer.read())
    return path


def report_bad_rows(lines: list[str], count: int, what: str) -> None:
    """The one contract of batch commands for rows they cannot use, called after every good row
    is written: each bad row on stderr with where it is, then a count, and exit status 1."""
    for line in lines:
        click.echo(line, err=True)
    if count:
        click.echo(f"paragraf: {count} {what}", err=True)
        sys.exit(1)


def load_rulebook(option: Path | None) -> rulebook.Rulebook:
    """The rulebook a command uses (`--rules`, `PARAGRAF_RULES`, the current folder, the bundled
    one), named on the first line of stderr, so that piped output (JSON, HTML) stays clean."""
    return rulebook.load(choose_rulebook(option).path)


def choose_rulebook(option: Path | None) -> rulebook.folders.Choice:
    """Which rulebook a command uses, named on stderr (see `load_rulebook`)."""
    choice = rulebook.choose(option, os.environ, Path.cwd())
    click.echo(f"rulebook: {choice.describe(rulebook.engine_version())}", err=True)
    return choice


def case_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `eval` and `explain` share: the date, proposals, format, language and rulebook."""
    for option in reversed([
        click.option("--as-of", "as_of", help="Evaluate under the law in force on this date (YYYY-MM-DD)."),
        click.option("--known-on", "known_on",
                     help="Use the facts as recorded by this date (YYYY-MM-DD); events recorded later are left out."),
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


def parse_as_of(value: str | None, option: str = "--as-of") -> dt.date | None:
    if value is None:
        return None
    try:
        return values.parse_date(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD", param_hint=option) from None

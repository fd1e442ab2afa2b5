"""`paragraf whatif`: what would have to be different for an obligation (or value) to come out otherwise."""
from __future__ import annotations

from pathlib import Path

import click

from engine import rulebook
from engine.cli.common import LANG_OPTION, RULES_OPTION, guarded, parse_as_of
from engine.cli.group import main


@main.command(name="whatif")
@click.argument("case", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("rule_id")
@click.option("--as-of", "as_of", help="Evaluate under the law in force on this date (YYYY-MM-DD).")
@click.option("--with", "proposals", multiple=True, help="Switch on a proposal (may be repeated).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@LANG_OPTION
@RULES_OPTION
@guarded
def whatif(case: Path, rule_id: str, as_of: str | None, proposals: tuple[str, ...], fmt: str, lang: str,
           rules_dir: Path | None) -> None:
    """The smallest changes of CASE's facts, or of its date, that flip RULE_ID's status; each one verified."""
    book = rulebook.load(rules_dir)
    answer = book.evaluate(case, parse_as_of(as_of), proposals).counterfactuals(rule_id)
    click.echo(answer.to_json() if fmt == "json" else answer.render(lang), nl=False)

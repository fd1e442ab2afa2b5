"""`paragraf whatif`: what would have to be different for an obligation (or value) to come out otherwise."""
from __future__ import annotations

from pathlib import Path

import click

from engine.interfaces.cli.common import LANG_OPTION, RULES_OPTION, guarded, input_path, load_rulebook, parse_as_of, stdin_to_file
from engine.rulebook import gate
from engine.interfaces.cli.group import main


@main.command(name="whatif")
@click.argument("case", type=input_path(), callback=stdin_to_file)
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
    book = gate.require(load_rulebook(rules_dir))  # the same gate as eval
    answer = book.evaluate(case, parse_as_of(as_of), proposals).counterfactuals(rule_id)
    click.echo(answer.to_json() if fmt == "json" else answer.render(lang), nl=False)

"""The `paragraf` command group, on which each command module registers its commands."""
from __future__ import annotations

import click

from engine import rulebook


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(rulebook.engine_version(), prog_name="paragraf")
def main() -> None:
    """paragraf: Danish employment law as rules, evaluated and explained to the paragraph."""

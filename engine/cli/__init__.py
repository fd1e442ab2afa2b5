"""The `paragraf` command line. Exit codes: 0 success, 1 findings, 2 unusable input or arguments.

Each group of commands lives in its own module and registers itself on `main`.
"""
from __future__ import annotations

import click

from engine import rulebook


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(rulebook.engine_version(), prog_name="paragraf")
def main() -> None:
    """paragraf: Danish employment law as rules, evaluated and explained to the paragraph."""


from engine.cli import core  # noqa: E402,F401  (registers the commands)
from engine.cli import refusion  # noqa: E402,F401
from engine.cli import legal_officer  # noqa: E402,F401
from engine.cli import audit  # noqa: E402,F401  (replay, audit, report)
from engine.cli import proposals  # noqa: E402,F401  (compare)
from engine.cli import tilsyn  # noqa: E402,F401  (tilsyn fokusmaal)

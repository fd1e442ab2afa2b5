"""The `paragraf` command group, on which each command module registers its commands.

A command's module is imported when the command is asked for (`LazyGroup`): `paragraf eval`
does not import the auditor's, the planner's or the service's modules, a tenth of its start-up.
"""
from __future__ import annotations

import importlib

import click

from engine import rulebook

# Each command and the module of engine.interfaces.cli that registers it (with what it imports).
COMMANDS = {
    "check": "core", "eval": "core", "explain": "core", "test": "core",
    "audit": "audit", "replay": "audit", "report": "planning",
    "cache": "cache", "lsp": "editor", "schema": "legal_officer", "diff": "legal_officer",
    "compare": "proposals", "refusion": "refusion", "explain-week": "refusion",
    "serve": "serve", "tilsyn": "tilsyn", "whatif": "whatif",
}


class LazyGroup(click.Group):
    """A group that imports a command's module on first use (every module for `--help`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(f"engine.interfaces.cli.{COMMANDS[cmd_name]}")
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(rulebook.engine_version(), prog_name="paragraf")
def main() -> None:
    """paragraf: Danish employment law as rules, evaluated and explained to the paragraph."""

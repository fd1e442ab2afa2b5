"""The `paragraf` command line. Exit codes: 0 success, 1 findings, 2 unusable input or arguments.

Owns the command group (`group`), the options and error handling every command shares
(`common`), and one module per group of commands, each registering itself on `main` when one of
its commands is asked for (`group.COMMANDS`): the core commands (`core`), refusion (`refusion`),
the legal officer's (`legal_officer`), the auditor's (`audit`), proposals (`proposals`),
supervision (`tilsyn`), the planner's reports (`planning`), counterfactuals (`whatif`), the
language server (`editor`) and the HTTP service (`serve`). Part of the top layer, `interfaces`:
it may import every other layer and `service`. Exports `main`, the console script's entry point.
"""
from engine.interfaces.cli.group import main

__all__ = ["main"]

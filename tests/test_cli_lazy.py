"""The command group imports a command's module only when the command is asked for."""
from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import engine.interfaces.cli as cli
from engine.interfaces.cli.group import COMMANDS, main


def test_every_registered_command_is_listed_with_its_module() -> None:
    for module in pkgutil.iter_modules(cli.__path__):
        importlib.import_module(f"engine.interfaces.cli.{module.name}")
    assert set(main.commands) == set(COMMANDS)
    for name, module in COMMANDS.items():  # the listed module registers it (itself or what it imports)
        code = (f"import engine.interfaces.cli.{module}; from engine.interfaces.cli.group import main; "
                f"assert {name!r} in main.commands")
        assert subprocess.run([sys.executable, "-c", code]).returncode == 0, name


def test_eval_does_not_import_the_other_commands_modules() -> None:
    code = ("import sys; from click.testing import CliRunner; from engine.interfaces.cli import main; "
            "CliRunner().invoke(main, ['eval', '--help']); "
            "print(sorted(m for m in sys.modules if m.startswith('engine.interfaces.cli.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "engine.interfaces.cli.core" in loaded
    for other in ("audit", "planning", "serve", "refusion", "tilsyn", "whatif", "proposals"):
        assert f"engine.interfaces.cli.{other}'" not in loaded, other

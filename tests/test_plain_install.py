"""A plain `pip install .` (no test extras) runs everything but the pytest plugin: every module of
`engine` imports with the test extras missing, so `paragraf serve`, `paragraf test` and the act
index do not need pytest."""
from __future__ import annotations

import subprocess
import sys

# the import names of the test extras (pyproject.toml), but Pillow, which matplotlib itself needs
TEST_EXTRAS = ("pytest", "_pytest", "hypothesis", "sphinx", "myst_parser", "jsonschema", "mypy", "schemathesis",
               "playwright")
ONLY_WITH_PYTEST = {"engine.officer.pytest_plugin", "engine.__main__"}  # the plugin; __main__ runs the command line

IMPORT_ALL = f"""
import importlib, pkgutil, sys
for name in {TEST_EXTRAS!r}:
    sys.modules[name] = None  # as if not installed: importing it raises ImportError
import engine
for module in pkgutil.walk_packages(engine.__path__, "engine."):
    if module.name not in {ONLY_WITH_PYTEST!r}:
        try:
            importlib.import_module(module.name)
        except ImportError as exc:
            print(module.name, exc)
"""


def test_every_module_but_the_pytest_plugin_imports_without_the_test_extras() -> None:
    done = subprocess.run([sys.executable, "-c", IMPORT_ALL], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "", f"modules that need a test extra:\n{done.stdout}"


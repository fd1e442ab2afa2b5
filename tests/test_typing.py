"""The engine type-checks under `mypy --strict` (the settings in pyproject.toml)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_engine_type_checks_strictly(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    result = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path), "engine"],
                            cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


CALLER = '''
import engine

book: engine.Rulebook = engine.load()
decision = book.evaluate("examples/hillerod-complex.yaml", as_of="2021-03-01")
report: str = decision.explain("lab.kontaktforloeb.fire_samtaler", lang="en")
problems: list[engine.Diagnostic] = book.check()
'''


def caller_mypy(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    """mypy --strict on a caller's script outside the repository, against the installed package."""
    (tmp_path / "caller.py").write_text(script)
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), "caller.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)


def test_a_caller_type_checks_against_the_installed_package(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    result = caller_mypy(tmp_path, CALLER)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "missing library stubs" not in result.stdout


def test_a_caller_mistake_is_caught_by_the_packages_types(tmp_path: Path) -> None:
    """The types are really read (not Any): a decision is not a number."""
    pytest.importorskip("mypy")
    result = caller_mypy(tmp_path, CALLER + "count: int = book.evaluate('x.yaml')\n")
    assert result.returncode == 1
    assert 'Incompatible types in assignment (expression has type "Decision", variable has type "int")' in result.stdout

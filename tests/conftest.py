"""Shared fixtures: the bundled rulebook, a CLI runner, and golden-file updating."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

import engine

# On CI the property and fuzz tests draw the same examples every run, so a landing is decided by
# the code, not by the draw; on a developer's machine they draw anew each run (the long fuzz run
# of docs/fuzzing.md does too).
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    """Every test (and every `paragraf` it starts) uses a fresh rulebook cache, never the user's."""
    if "PARAGRAF_CACHE" not in os.environ:
        folder = tempfile.mkdtemp(prefix="paragraf-cache-")
        os.environ["PARAGRAF_CACHE"] = folder
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/*.txt from the current output (review the git diff!)")


@pytest.fixture(scope="session")
def rulebook() -> engine.Rulebook:
    return engine.load()


@pytest.fixture
def rulebook_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled rules/ and legal_refs/ for planting mistakes."""
    for folder in ("rules", "legal_refs"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path

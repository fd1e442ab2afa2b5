"""Fixtures for unit tests: tiny rulebooks written to a temporary folder."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def write_rulebook(tmp_path: Path) -> Callable[..., Path]:
    """Write `{file name: YAML text}` under rules/ and copy the named acts into legal_refs/."""
    def write(files: dict[str, str], acts: tuple[str, ...] = ("lab.yaml",)) -> Path:
        (tmp_path / "rules").mkdir(exist_ok=True)
        (tmp_path / "legal_refs").mkdir(exist_ok=True)
        for act in acts:
            shutil.copy(REPO / "legal_refs" / act, tmp_path / "legal_refs" / act)
        for name, text in files.items():
            (tmp_path / "rules" / name).write_text(text, encoding="utf-8")
        return tmp_path
    return write

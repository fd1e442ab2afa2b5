"""What a new user meets first: the licence, the changelog, the extras, and a README and
architecture page that say what the code does."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from engine.report import FORMATS

REPO = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_licence_file_matches_pyproject() -> None:
    declared = PROJECT["license"]["text"]
    assert declared == "MIT"
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith(f"{declared} License\n")


def test_the_changelog_names_the_current_version() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{PROJECT['version']}]" in changelog


def test_a_docs_extra_installs_what_the_docs_build_needs() -> None:
    docs = {re.split(r"[<>=\[]", requirement)[0].lower() for requirement in PROJECT["optional-dependencies"]["docs"]}
    assert {"sphinx", "myst-parser"} <= docs


def test_the_readme_lists_each_folder_once() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+/)` \|", readme, re.M)
    assert len(rows) == len(set(rows)) >= 8, rows
    assert readme.count("bench/") == 1, "bench/ is described in its table row only"


def test_the_architecture_page_lists_every_eval_format() -> None:
    page = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    row = next(line for line in page.splitlines() if line.startswith("| `paragraf eval CASE"))
    assert "--format " + "\\|".join(FORMATS) in row


def test_the_code_names_only_documents_the_project_has() -> None:
    for path in sorted((REPO / "engine").rglob("*.py")):
        for name in re.findall(r"\b([\w./-]+\.md)\b", path.read_text(encoding="utf-8")):
            assert (REPO / name).exists() or (REPO / "docs" / name).exists(), f"{path}: names {name}"

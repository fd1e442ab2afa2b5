"""Where a rulebook's files are: which rulebook a command uses, and its rules and legal_refs folders.

The order in which a command finds its rulebook (`choose`): the `--rules` option, then the
`PARAGRAF_RULES` environment variable, then the current folder when it holds `rules/` and
`legal_refs/`, then the rulebook bundled with the package.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import attrs

ENVIRONMENT_VARIABLE = "PARAGRAF_RULES"


@attrs.frozen
class Choice:
    """The rulebook a command uses (`path` None: the bundled one) and what named it."""

    path: Path | None
    named_by: str

    def describe(self, version: str) -> str:
        """`bundled (paragraf 0.1.0)`, or the path and what named it: `rules-2024 (--rules)`."""
        if self.path is None:
            return f"bundled (paragraf {version})"
        return f"{self.path} ({self.named_by})"


def choose(option: Path | None, environ: Mapping[str, str], cwd: Path) -> Choice:
    """The rulebook a command uses, in the documented order (see the module docstring)."""
    if option is not None:
        return Choice(Path(option), "--rules")
    if environ.get(ENVIRONMENT_VARIABLE):
        return Choice(Path(environ[ENVIRONMENT_VARIABLE]), ENVIRONMENT_VARIABLE)
    if (cwd / "rules").is_dir() and (cwd / "legal_refs").is_dir():
        return Choice(Path("."), "the current folder")
    return Choice(None, "bundled")


def bundled_root() -> Path:
    """The rulebook shipped with the package (installed), or the repository's own folders."""
    installed = Path(__file__).parent.parent / "data"
    return installed if (installed / "rules").is_dir() else Path(__file__).parent.parent.parent


def find_folders(path: Path | None) -> tuple[Path, Path]:
    """(rules folder, legal_refs folder) for a rulebook root, a rules folder, or the bundled one."""
    if path is None:
        root = bundled_root()
        return root / "rules", root / "legal_refs"
    path = Path(path)
    if (path / "rules").is_dir():
        return path / "rules", path / "legal_refs"
    sibling = path.parent / "legal_refs"
    return path, sibling if sibling.is_dir() else bundled_root() / "legal_refs"


def relative_name(path: Path) -> str:
    """A rulebook file's name inside the rulebook (`rules/lab/x.yaml`), the same wherever it lives,
    so that decisions do not depend on the working directory."""
    folder = path.parent
    while folder.name not in ("rules", "legal_refs") and folder != folder.parent:
        folder = folder.parent
    return path.relative_to(folder.parent).as_posix()

"""Where a rulebook's files are: the bundled rulebook, or a folder the user names."""
from __future__ import annotations

from pathlib import Path


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

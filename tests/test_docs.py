"""The Sphinx documentation builds with warnings as errors, and its rule catalogue is generated."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.docs
def test_docs_build_cleanly_and_catalogue_the_rules(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-q",
               "-b", "html", str(DOCS), str(tmp_path / "html")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"docs build failed:\n{result.stderr}\n{result.stdout[-2000:]}"
    lab = (DOCS / "catalogue" / "lab.md").read_text(encoding="utf-8")
    assert "lab.kontaktforloeb.fire_samtaler" in lab
    assert "https://www.retsinformation.dk/eli/lta/2019/548" in lab
    assert (tmp_path / "html" / "catalogue" / "lab.html").is_file()

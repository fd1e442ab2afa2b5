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

    for act in ("lab", "finansieringsloven"):
        page = (DOCS / "catalogue" / f"act-{act}.md").read_text(encoding="utf-8")
        assert "scenarios where it applied: `tests/scenarios/" in page
        assert (tmp_path / "html" / "catalogue" / f"act-{act}.html").is_file()
    assert "§ 31" in (DOCS / "catalogue" / "act-lab.md").read_text(encoding="utf-8")
    assert "finansiering.refusionssats" in (DOCS / "catalogue" / "act-finansieringsloven.md").read_text(encoding="utf-8")
    assert "No rule implements" in (DOCS / "catalogue" / "act-lab.md").read_text(encoding="utf-8")
    assert (tmp_path / "html" / "tutorial-change.html").is_file()


def test_a_changed_rule_shows_up_changed_in_the_act_catalogue(rulebook_copy: Path) -> None:
    sys.path.insert(0, str(DOCS))
    import act_catalogue
    import catalogue_gen

    import engine

    path = rulebook_copy / "rules" / "finansieringsloven" / "refusionstrappe.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Statens refusionssats", "Statens nye sats"), encoding="utf-8")
    page = act_catalogue.act_pages(engine.load(rulebook_copy), catalogue_gen.esc)["act-finansieringsloven.md"]
    section = page.split("### § 5\n", 1)[1].split("### §", 1)[0]
    assert "  - da: Statens nye sats" in section and "Statens refusionssats" not in section

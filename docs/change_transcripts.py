"""Runs the change walked through in `tutorial-change.md` at build time and saves what paragraf prints.

Copies of the bundled rulebook are made in a temporary folder:

* `before/`: as before lov 727/2023: without `rules/lab/kontaktforloeb_2024.yaml`, and the
  jobcentre's 4-talk rule for dagpenge recipients without an end date;
* `ended/`: that rule ends on 2023-12-31 (what the legal officer does first);
* `after/`: the bundled rulebook as it is, with the rules of 2024;
* `planted/`: with the planted mistakes of `tests/legal_officer/` (an overlap of the refusion
  rate and a gap in a deadline), for `legal-officer.md`, which also shows a deliberately wrong
  scenario and the coverage of the bundled scenarios.

The transcripts go to `docs/catalogue/_change/` (not committed). If the bundled rules the
tutorial edits change shape, the build fails here rather than showing a stale story.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from engine import rulebook
from transcripts import run, shown, write

RULE = "lab.kontaktforloeb.fire_samtaler_dagpenge"
RULE_FILE = Path("rules/lab/kontaktforloeb_2019.yaml")
NEW_FILE = Path("rules/lab/kontaktforloeb_2024.yaml")
COMMANDS = {
    "check-ended": ["check", "--rules", "ended"],
    "check-after": ["check", "--rules", "after"],
    "test-after": ["test", "scenarios.yaml", "--rules", "after"],
    "diff": ["diff", "before", "after", "--cases", "cases"],
    "check-planted": ["check", "--rules", "planted"],
    "test-wrong": ["test", "wrong.yaml"],
    "coverage": ["test", "scenarios", "--coverage"],
}


def generate(srcdir: str | Path) -> list[Path]:
    docs = Path(srcdir).resolve()
    with tempfile.TemporaryDirectory(prefix="paragraf-change-") as tmp:
        base = Path(tmp)
        make_books(base, docs.parent / "tests" / "legal_officer")
        copy_inputs(base, docs)
        texts = {name: shown(args, *run(args, base)) for name, args in COMMANDS.items()}
    return [write(docs / "catalogue" / "_change" / f"{name}.txt", text) for name, text in sorted(texts.items())]


def copy_inputs(base: Path, docs: Path) -> None:
    change = docs / "tutorial-change"
    shutil.copytree(change / "cases", base / "cases")
    shutil.copy(change / "scenarios.yaml", base / "scenarios.yaml")
    shutil.copy(docs.parent / "tests" / "legal_officer" / "wrong.yaml", base / "wrong.yaml")
    shutil.copytree(docs.parent / "tests" / "scenarios", base / "scenarios")


def make_books(base: Path, planted: Path) -> None:
    rules_dir, legal_dir = rulebook.find_folders(None)
    for name in ("before", "ended", "after", "planted"):
        shutil.copytree(rules_dir, base / name / "rules")
        shutil.copytree(legal_dir, base / name / "legal_refs")
    for name in ("before", "ended"):
        (base / name / NEW_FILE).unlink()
    edit_rule(base / "before" / RULE_FILE, drop=("valid_to:",))
    (base / "planted" / "rules" / "demo").mkdir()
    for name in ("refusion_2024.yaml", "frist.yaml"):
        shutil.copy(planted / name, base / "planted" / "rules" / "demo" / name)


def edit_rule(path: Path, drop: tuple[str, ...]) -> None:
    """Remove the lines starting with `drop` from the block of RULE in the file."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip() == f"- id: {RULE}"), None)
    if start is None:
        raise RuntimeError(f"docs/tutorial-change: {RULE} is no longer in {RULE_FILE}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("- id:")), len(lines))
    kept = [line for line in lines[start:end] if not line.strip().startswith(drop)]
    if len(kept) != end - start - len(drop):
        raise RuntimeError(f"docs/tutorial-change: {RULE} no longer has the lines {drop}")
    path.write_text("".join(lines[:start] + kept + lines[end:]), encoding="utf-8")

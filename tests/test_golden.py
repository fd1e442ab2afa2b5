"""Golden tests of the CLI's exact output: check, eval and explain, good and bad input."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine.interfaces.cli import main

GOLDEN = Path(__file__).parent / "golden"
REPO = GOLDEN.parent.parent
COMMANDS = yaml.safe_load((GOLDEN / "commands.yaml").read_text(encoding="utf-8"))


def three_mistakes(root: Path) -> None:
    """One file, three mistakes: a misspelt name, a paragraph that does not exist, a syntax error."""
    path = root / "rules" / "lab" / "ret_og_pligt_2019.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("§ 102, stk. 1", "§ 1002, stk. 1", 1)
    text = text.replace("when: lab.maalgruppe in {1, 2, 3}", "when: lab.maalgrupe in {1, 2, 3}", 1)
    text = text.replace("due: citizen.benefit_since + 1 month\n", "due: citizen.benefit_since + 1 month)\n", 1)
    path.write_text(text, encoding="utf-8")


def bad_case(root: Path) -> None:
    (root / "bad-case.yaml").write_text(
        "case: bad\nas_of: 2021-13-01\nmunicipality: '219'\ncitizen:\n"
        "  benefit: kontanthjalp\n  birth_date: 15-06-1985\n  complex_cas: true\n", encoding="utf-8")


PLANTS = {"three_mistakes": three_mistakes, "bad_case": bad_case}


def normalise(text: str) -> str:
    """Hide what legitimately changes between rulebook and engine versions."""
    text = re.sub(r"sha256:[0-9a-f]{12}…", "sha256:<fingerprint>…", text)
    text = re.sub(r'"fingerprint": "sha256:[0-9a-f]{64}"', '"fingerprint": "sha256:<fingerprint>"', text)
    text = re.sub(r"\(paragraf [^)]+\)", "(paragraf <engine-version>)", text)
    return re.sub(r'"engine_version": "[^"]+"', '"engine_version": "<engine-version>"', text)


@pytest.mark.parametrize("command", COMMANDS, ids=[c["name"] for c in COMMANDS])
def test_golden(command: dict, rulebook_copy: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    if "plant" in command:
        PLANTS[command["plant"]](rulebook_copy)
        monkeypatch.chdir(rulebook_copy)
    else:
        monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, command["args"])
    actual = normalise(result.stdout + (f"--- stderr ---\n{result.stderr}" if result.stderr else ""))
    expected_file = GOLDEN / f"{command['name']}.txt"
    if request.config.getoption("--update-golden"):
        expected_file.write_text(actual, encoding="utf-8")
    assert result.exit_code == command["exit"], actual
    assert "Traceback" not in actual
    assert actual == expected_file.read_text(encoding="utf-8")

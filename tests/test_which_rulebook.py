"""Which rulebook a command uses (`--rules`, `PARAGRAF_RULES`, the current folder, the bundled
one), and that every command that loads one names it on the first line of stderr."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import rulebook
from engine.interfaces.cli import main
from engine.rulebook.folders import Choice, choose

REPO = Path(__file__).resolve().parent.parent
CASE = str(REPO / "examples" / "aarhus-complex.yaml")


class TestOrder:
    def test_the_option_comes_first(self, rulebook_copy: Path) -> None:
        chosen = choose(Path("mine"), {"PARAGRAF_RULES": "env"}, rulebook_copy)
        assert chosen == Choice(Path("mine"), "--rules")

    def test_then_the_environment(self, rulebook_copy: Path) -> None:
        assert choose(None, {"PARAGRAF_RULES": "env"}, rulebook_copy) == Choice(Path("env"), "PARAGRAF_RULES")

    def test_then_the_current_folder_when_it_holds_rules_and_legal_refs(self, rulebook_copy: Path) -> None:
        assert choose(None, {}, rulebook_copy) == Choice(Path("."), "the current folder")

    def test_then_the_bundled_one(self, tmp_path: Path) -> None:
        (tmp_path / "rules").mkdir()  # rules/ without legal_refs/ is not a rulebook
        chosen = choose(None, {"PARAGRAF_RULES": ""}, tmp_path)
        assert chosen == Choice(None, "bundled")
        assert chosen.describe("1.2.3") == "bundled (paragraf 1.2.3)"


def plant_typo(root: Path) -> None:
    path = root / "rules" / "lab" / "kontaktforloeb_2019.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("citizen.benefit", "citizen.benfit", 1), encoding="utf-8")


def test_check_inside_an_edited_rulebook_checks_that_rulebook(rulebook_copy: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """After `pip install .` the bundled copy is the installed one: `check` in the edited folder
    must check the edited files, not give a false all-clear."""
    plant_typo(rulebook_copy)
    monkeypatch.chdir(rulebook_copy)
    monkeypatch.delenv("PARAGRAF_RULES", raising=False)
    result = CliRunner().invoke(main, ["check"])
    assert result.stderr.splitlines()[0] == "rulebook: . (the current folder)"
    assert result.exit_code == 1, result.stdout
    assert "citizen.benfit" in result.stdout and "no problems" not in result.stdout


def test_the_environment_variable_names_the_rulebook(rulebook_copy: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    plant_typo(rulebook_copy)
    monkeypatch.chdir(REPO / "examples")
    monkeypatch.setenv("PARAGRAF_RULES", str(rulebook_copy))
    result = CliRunner().invoke(main, ["check"])
    assert result.stderr.splitlines()[0] == f"rulebook: {rulebook_copy} (PARAGRAF_RULES)"
    assert result.exit_code == 1


TILSYN = str(REPO / "examples" / "tilsyn-kommune.yaml")
COMMANDS = {
    "check": ["check"],
    "eval": ["eval", CASE, "--format", "json"],
    "explain": ["explain", CASE, "lab.kontaktforloeb.fire_samtaler"],
    "test": ["test", str(REPO / "tests" / "scenarios" / "refusion" / "scope.yaml")],
    "compare": ["compare", CASE, "--with", "tvaergaaende-borgerforloeb"],
    "report exemptions": ["report", "exemptions", CASE],
    "report concentration": ["report", "concentration", str(REPO / "examples" / "caseload" / "payments.parquet")],
    "report goals": ["report", "goals", str(REPO / "examples" / "payments.csv"), CASE, "--baseline", "2020",
                     "--follow-up", "2021"],
    "tilsyn": ["tilsyn", "fokusmaal", TILSYN, "--municipality", "751", "--year", "2020"],
    "schema case": ["schema", "case"],
}


@pytest.mark.parametrize("args", COMMANDS.values(), ids=COMMANDS.keys())
def test_every_command_names_its_rulebook_first(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "examples")  # no rules/ here: the bundled rulebook
    monkeypatch.delenv("PARAGRAF_RULES", raising=False)
    result = CliRunner().invoke(main, args)
    assert result.stderr.splitlines()[0] == f"rulebook: bundled (paragraf {rulebook.engine_version()})", \
        result.stdout + result.stderr


def test_diff_names_both_rulebooks_first() -> None:
    result = CliRunner().invoke(main, ["diff", str(REPO), str(REPO)])
    assert result.stderr.splitlines()[0] == f"rulebooks: {REPO} (OLD) and {REPO} (NEW)"
    assert result.exit_code == 0, result.stdout

"""`paragraf check --format json|sarif`, `--lang da`, every problem in one run, and type hints.

The SARIF 2.1.0 schema is the official OASIS one, committed under tests/fixtures/sarif/ (see the
README there): no package on PyPI ships it.
"""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import engine
from engine.interfaces.cli import main
from tests.test_golden import three_mistakes

SARIF_SCHEMA = json.loads((Path(__file__).parent / "fixtures/sarif/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def check(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--rules", str(root), *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout


def test_sarif_of_the_three_mistakes_copy_validates_and_holds_all_three(rulebook_copy: Path) -> None:
    three_mistakes(rulebook_copy)
    code, out = check(rulebook_copy, "--format", "sarif")
    log = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    results = log["runs"][0]["results"]
    assert code == 1
    assert sorted(r["ruleId"] for r in results) == ["citation", "name", "syntax"]
    name = next(r for r in results if r["ruleId"] == "name")
    region = name["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (31, 11, 24)
    assert name["properties"]["hint"] == "did you mean 'lab.maalgruppe'?"
    assert name["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "rules/lab/ret_og_pligt_2019.yaml"


def test_sarif_schema_rejects_a_broken_log() -> None:
    """The schema does bite: a result without a message is not SARIF."""
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "paragraf"}}, "results": [{"ruleId": "x"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(broken)


def schema_and_syntax_errors(root: Path) -> None:
    """A schema error in one rule (an unknown actor) and a syntax error in another file's rule."""
    path = root / "rules" / "lab" / "kontaktforloeb_2019.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    actor: jobcenter\n", "    actor: jobcentret\n", 1),
                    encoding="utf-8")
    path = root / "rules" / "lab" / "ret_og_pligt_2019.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "due: citizen.benefit_since + 1 month\n", "due: citizen.benefit_since + 1 month)\n", 1), encoding="utf-8")


def test_a_schema_error_does_not_hide_a_syntax_error(rulebook_copy: Path) -> None:
    schema_and_syntax_errors(rulebook_copy)
    code, out = check(rulebook_copy, "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["schema"] == "paragraf/check@1"
    assert [(p["category"], p["spans"][0]["path"]) for p in data["problems"]] == [
        ("schema", "rules/lab/kontaktforloeb_2019.yaml"), ("syntax", "rules/lab/ret_og_pligt_2019.yaml")]
    assert data["analysis"]["analysed"] > 0  # the clean files were analysed in the same run
    assert "rules/lab/ret_og_pligt_2019.yaml" in data["analysis"]["left_out"]


def test_static_analysis_runs_on_the_clean_files_in_text_too(rulebook_copy: Path) -> None:
    schema_and_syntax_errors(rulebook_copy)
    code, out = check(rulebook_copy)
    assert code == 1
    assert "2 problem(s) found" in out
    assert "static analysis of the files without problems (left out: " in out
    assert "static analysis: " in out and "0 error(s)" in out


def test_danish_messages_and_hints(rulebook_copy: Path) -> None:
    three_mistakes(rulebook_copy)
    code, out = check(rulebook_copy, "--lang", "da")
    assert code == 1
    assert "error[name]: ukendt navn 'lab.maalgrupe'" in out
    assert "hint: mente du 'lab.maalgruppe'?" in out
    assert "error[syntax]: en lukkende parentes har ingen åbnende" in out
    assert "§ 1002 findes ikke i LOV nr 548 af 07/05/2019" in out
    assert "3 problem(er) fundet" in out


def test_a_clean_rulebook_as_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # outside a rulebook folder: the bundled rulebook
    result = CliRunner().invoke(main, ["check", "--format", "json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["errors"] == 0 and data["rulebook"] == "bundled"
    assert data["rules"] == len(engine.load().checked.ruleset.rules)


TYPE_ERRORS = ["citizen.birth_date + 3", "citizen.benefit_since > 30", "-citizen.complex_case",
               "{1, 2 weeks}", "citizen.complex_case < true", "30 in citizen.benefit_since",
               "if citizen.complex_case then 1 else 2021-01-01", "citizen.benefit_since * 2 kr"]


@pytest.mark.parametrize("expr", TYPE_ERRORS)
def test_a_type_error_always_has_a_hint(write_rulebook_files: object, expr: str) -> None:
    book = write_rulebook_files(expr)  # type: ignore[operator]
    problems = [d for d in book.check() if d.category == "type"]
    assert problems, expr
    assert all(d.hint and d.hint.strip() for d in problems), [(d.message, d.hint) for d in problems]


@pytest.fixture
def write_rulebook_files(tmp_path: Path, rulebook_copy: Path) -> object:
    def write(expr: str) -> engine.Rulebook:
        text = ("title: {da: Test, en: Test}\nact: LAB\nrules:\n  - id: test.value\n    kind: value\n"
                "    ref: § 6\n    valid_from: 2020-01-01\n    title: {da: x, en: x}\n"
                f"    expr: \"{expr}\"\n")
        (rulebook_copy / "rules" / "test.yaml").write_text(text, encoding="utf-8")
        return engine.load(rulebook_copy)
    return write

"""CLI contract: exit codes 0/1/2, one clear reason, never a traceback."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.interfaces.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CASE = str(EXAMPLES / "aarhus-complex.yaml")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    return result.exit_code, output


@pytest.mark.parametrize("args, code, needle", [
    (["eval", "no-such-case.yaml"], 2, "does not exist"),
    (["eval", CASE, "--as-of", "01-03-2021"], 2, "is not a date"),
    (["eval", CASE, "--format", "pdf"], 2, "'pdf' is not one of"),
    (["explain", CASE, "lab.kontaktforloeb.fire_samtalr"], 2, "did you mean 'lab.kontaktforloeb.fire_samtaler'"),
    (["eval", CASE, "--with", "no-such-proposal"], 2, "unknown proposal"),
    (["eval", CASE, "--as-of", "2021-03-01"], 0, "lab.kontaktforloeb.fire_samtaler"),
    (["explain", CASE, "lab.kontaktforloeb.fire_samtaler_dagpenge", "--as-of", "2024-06-01", "--lang", "en"], 0, "is not in force"),
])
def test_exit_codes(args: list[str], code: int, needle: str) -> None:
    exit_code, output = run(*args)
    assert exit_code == code, output
    assert needle in output


@pytest.mark.parametrize("case_text, field", [
    ("citizen: {benefit: kontanthjalp}", "citizen.benefit: unknown code 'kontanthjalp'"),
    ("citizen: {birth_date: 1985-02-30}", "citizen.birth_date: expected a date"),
    ("citizen: {complex_case: maybe}", "citizen.complex_case: expected true or false"),
    ("citizen: {sickness: {category: 4}}", "citizen.sickness.category: unknown code '4'"),
    ("citizen: {benefit_snce: 2020-01-01}", "did you mean 'citizen.benefit_since'"),
    ("citizen: [1, 2]", "citizen: expected a mapping of facts"),
    ("- just a list", "a case must be a mapping"),
    ("case: [unclosed", "not valid YAML"),
])
def test_case_errors_name_the_field_and_exit_2(tmp_path: Path, case_text: str, field: str) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(case_text if case_text.startswith(("-", "case")) else f"case: c\nas_of: 2021-03-01\n{case_text}\n",
                    encoding="utf-8")
    exit_code, output = run("eval", str(path))
    assert exit_code == 2, output
    assert field in output


def test_case_without_as_of_needs_the_option(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("case: c\nmunicipality: '751'\n", encoding="utf-8")
    assert run("eval", str(path))[0] == 2
    assert run("eval", str(path), "--as-of", "2021-03-01")[0] == 0


def test_broken_rulebook_makes_eval_exit_1_with_the_findings(rulebook_copy: Path) -> None:
    (rulebook_copy / "rules" / "lab" / "broken.yaml").write_text("rules:\n  - id: x\n    kind: value\n", encoding="utf-8")
    exit_code, output = run("eval", CASE, "--rules", str(rulebook_copy))
    assert exit_code == 1
    assert "run 'paragraf check'" in output and "error[schema]" in output

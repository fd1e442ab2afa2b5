"""Input conventions every command shares: `-` is standard input, JSON lines are known by their
content, and a batch reports its bad rows on stderr, exits 1 and still produces every good row."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from engine.interfaces.cli import main

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
AARHUS = EXAMPLES / "aarhus-complex.yaml"
PROPOSAL = "tvaergaaende-borgerforloeb"
PAYMENTS = ("person,municipality,benefit,amount,from,to\n"
            "anna,101,kontanthjaelp,700.00,2016-01-04,2016-01-10\n"
            "bo,147,kontanthjaelp,700.00,2016-01-11,2016-01-17\n")
BAD_PAYMENT = "carl,101,bogus,10,2016-01-04,2016-01-10\n"


def invoke(*args: str, stdin: str | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), input=stdin)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def case_lines(*names: str) -> str:
    cases = [yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")) for name in names]
    return "".join(json.dumps(c, default=str) + "\n" for c in cases)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


STDIN_COMMANDS: dict[str, tuple[list[str], Any]] = {
    "eval": (["eval", "{}", "--lang", "en"], lambda: AARHUS.read_text(encoding="utf-8")),
    "explain": (["explain", "{}", "lab.kontaktforloeb.fire_samtaler"], lambda: AARHUS.read_text(encoding="utf-8")),
    "compare": (["compare", "{}", "--with", PROPOSAL], lambda: case_lines("aarhus-complex", "hillerod-complex")),
    "report exemptions": (["report", "exemptions", "{}"], lambda: case_lines("aarhus-complex", "hillerod-complex")),
    "tilsyn": (["tilsyn", "fokusmaal", "{}", "--municipality", "751", "--year", "2021"],
               lambda: (EXAMPLES / "tilsyn-caseload.jsonl").read_text(encoding="utf-8")),
    "refusion": (["refusion", "{}"], lambda: PAYMENTS),
    "explain-week": (["explain-week", "{}", "--person", "anna", "--week", "2016-01-04"], lambda: PAYMENTS),
}


@pytest.mark.parametrize("command", STDIN_COMMANDS, ids=STDIN_COMMANDS.keys())
def test_a_dash_reads_standard_input_as_the_file_would_be_read(command: str, tmp_path: Path) -> None:
    args, text = STDIN_COMMANDS[command]
    content = text()
    path = write(tmp_path, "input.jsonl" if content.startswith("{") else "input.csv"
                 if content.startswith("person") else "input.yaml", content)
    from_file = invoke(*[str(path) if a == "{}" else a for a in args])
    from_stdin = invoke(*["-" if a == "{}" else a for a in args], stdin=content)
    assert from_file.exit_code == from_stdin.exit_code == 0, from_stdin.stderr
    assert from_stdin.stdout == from_file.stdout and from_stdin.stdout.strip()


def test_json_lines_are_known_by_their_content(tmp_path: Path) -> None:
    path = write(tmp_path, "cases.txt", case_lines("aarhus-complex", "hillerod-complex"))
    result = invoke("compare", str(path), "--with", PROPOSAL, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [c["case"] for c in json.loads(result.stdout)["cases"]] == ["example-aarhus-complex",
                                                                        "example-hillerod-complex"]
    payments = "".join(json.dumps(dict(zip(PAYMENTS.splitlines()[0].split(","), row.split(",")))) + "\n"
                       for row in PAYMENTS.splitlines()[1:])
    as_text = invoke("refusion", str(write(tmp_path, "payments.txt", payments)))
    assert as_text.exit_code == 0, as_text.stderr
    assert as_text.stdout == invoke("refusion", str(write(tmp_path, "payments.csv", PAYMENTS))).stdout


def test_a_pretty_printed_json_case_is_one_case_not_json_lines(tmp_path: Path) -> None:
    case = yaml.safe_load(AARHUS.read_text(encoding="utf-8"))
    path = write(tmp_path, "case.txt", json.dumps(case, default=str, indent=2))
    result = invoke("compare", str(path), "--with", PROPOSAL, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [c["case"] for c in json.loads(result.stdout)["cases"]] == ["example-aarhus-complex"]


BATCHES: dict[str, tuple[list[str], str, str, str]] = {
    # command, file name, content with one bad row in the middle, what a good row shows on stdout
    "compare": (["compare", "{}", "--with", PROPOSAL, "--lang", "en"], "cases.jsonl",
                case_lines("aarhus-complex") + "{not json\n" + case_lines("hillerod-complex"),
                "case example-hillerod-complex"),
    "report exemptions": (["report", "exemptions", "{}"], "cases.jsonl",
                          case_lines("aarhus-complex") + "{not json\n" + case_lines("hillerod-complex"),
                          "frikommune.en_plan.2020"),
    "refusion": (["refusion", "{}"], "payments.csv", PAYMENTS.replace("bo,", BAD_PAYMENT + "bo,"), '"bo","147"'),
    "tilsyn": (["tilsyn", "fokusmaal", "{}", "--municipality", "751", "--year", "2021", "--lang", "en"],
               "cases.jsonl", (EXAMPLES / "tilsyn-caseload.jsonl").read_text(encoding="utf-8") + "[1]\n",
               "share 50.0 %"),
}


@pytest.mark.parametrize("command", BATCHES, ids=BATCHES.keys())
def test_batch_commands_share_one_contract_for_bad_rows(command: str, tmp_path: Path) -> None:
    args, name, content, good = BATCHES[command]
    path = write(tmp_path, name, content)
    result = invoke(*[str(path) if a == "{}" else a for a in args])
    assert result.exit_code == 1, result.stdout + result.stderr
    bad_line = content.splitlines().index(next(l for l in content.splitlines() if l in ("{not json", "[1]")
                                               or l.startswith("carl"))) + 1
    assert f"{name}:{bad_line}" in result.stderr and f"{name}:{bad_line}" not in result.stdout
    assert good in result.stdout

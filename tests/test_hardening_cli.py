"""Commands given hostile arguments or hand-altered files (issue 12, item 6): `diff` with an
option for a revision, and `replay` of records altered by hand. Each is a one-line refusal
(exit 2), never an internal error, and nothing is written."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner

from engine.interfaces.cli import main

REPO = Path(__file__).resolve().parent.parent


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("revision", ["--output={victim}", "-o{victim}", "--remote=ext::sh", "-"])
def test_diff_never_hands_an_option_to_git(tmp_path: Path, revision: str) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    code, output = run("diff", "--", revision.format(victim=victim), str(REPO / "rules"))
    assert code == 2 and "neither a folder nor a git revision" in output and "internal error" not in output
    assert victim.read_text(encoding="utf-8") == "keep me"


def test_diff_still_takes_a_revision(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    code, output = run("diff", "HEAD", str(REPO / "rules"))
    assert code in (0, 1) and "\nrules: " in "\n" + output  # after the line naming both rulebooks


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("record") / "record.json"
    code, _ = run("eval", str(REPO / "examples" / "aarhus-complex.yaml"), "--record", str(path))
    assert code == 0
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def alter(record: dict[str, Any]) -> None:
        target = record
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return alter


def _drop(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def alter(record: dict[str, Any]) -> None:
        target = record
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return alter


ALTERATIONS = {
    "as_of gone": (_drop(("decision", "as_of")), "decision.as_of"),
    "as_of a number": (_set(("decision", "as_of"), 20210301), "decision.as_of"),
    "as_of not a date": (_set(("decision", "as_of"), "2021-02-30"), "as_of"),
    "obligations a mapping": (_set(("decision", "obligations"), {"a": 1}), "decision.obligations"),
    "an obligation without rule": (_set(("decision", "obligations", 0), {"status": "applies"}), "decision.obligations"),
    "missing a list of numbers": (_set(("decision", "missing"), [1, "a"]), "decision.missing"),
    "values a list": (_set(("decision", "values"), []), "decision.values"),
    "proposals a string": (_set(("decision", "proposals"), "x"), "decision.proposals"),
    "unknown proposal": (_set(("decision", "proposals"), ["no-such-proposal"]), "no-such-proposal"),
    "trace nodes not a table": (_set(("decision", "explanation", "nodes"), [1]), "decision.explanation"),
    "rule digests a list": (_set(("rulebook", "rules"), ["x"]), "rulebook.rules"),
    "file digest a number": (_set(("rulebook", "files"), {"rules/x.yaml": 1}), "rulebook.files"),
    "case data altered": (_set(("case_data", "municipality"), "101"), "altered"),
    "schema changed": (_set(("schema",), "paragraf/record@9"), "not a decision record"),
}


@pytest.mark.parametrize("name", sorted(ALTERATIONS))
def test_replay_of_a_hand_altered_record(tmp_path: Path, recorded: dict[str, Any], name: str) -> None:
    alter, words = ALTERATIONS[name]
    record = json.loads(json.dumps(recorded))
    alter(record)
    path = tmp_path / "altered.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    code, output = run("replay", str(path))
    assert code == 2 and words in output and "internal error" not in output, output


@pytest.mark.parametrize("text", ["[" * 100_000, "{}", "not json", '{"schema": "paragraf/record@1"}'])
def test_replay_of_a_record_that_is_no_record(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    code, output = run("replay", str(path))
    assert code == 2 and str(path) in output and "internal error" not in output


def test_replay_of_an_altered_log_entry(tmp_path: Path, recorded: dict[str, Any]) -> None:
    from engine.audit import log as auditlog

    record = json.loads(json.dumps(recorded))
    record["decision"]["obligations"] = "none"
    auditlog.append(tmp_path / "log.sqlite", record)
    code, output = run("replay", str(tmp_path / "log.sqlite"))
    assert code == 2 and "log.sqlite#1: decision.obligations" in output

"""Decision records and replay: identical under the same rulebook, and a rule change is named."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import engine
from engine.audit import log as auditlog, record, replay
from engine.interfaces.cli import main

REPO = Path(__file__).resolve().parent.parent
HILLEROD = REPO / "examples" / "hillerod-complex.yaml"
EN_PLAN = Path("rules") / "frikommune" / "en_plan.yaml"
NETWORKS = Path("rules") / "frikommune" / "kommuner.yaml"  # network 7's members, 2017-07-01 .. 2021-12-31 first


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path} no longer holds {old!r}: update this test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def stdout_of(*args: str) -> tuple[int, str]:
    """Only what the command writes to stdout (its data), without the rulebook line on stderr."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout


@pytest.fixture
def recorded(rulebook_copy: Path, tmp_path: Path) -> Path:
    """A record of the Hillerød case, made with a copy of the rulebook that the test may change."""
    path = tmp_path / "record.json"
    code, output = run("eval", str(HILLEROD), "--rules", str(rulebook_copy), "--record", str(path))
    assert code == 0, output
    return path


class TestRecord:
    def test_holds_decision_case_and_rulebook_digests(self, recorded: Path, rulebook_copy: Path) -> None:
        data = json.loads(recorded.read_text(encoding="utf-8"))
        assert data["schema"] == record.SCHEMA
        book = engine.load(rulebook_copy)
        assert data["decision"]["rulebook"]["fingerprint"] == book.fingerprint == data["rulebook"]["fingerprint"]
        assert data["decision"]["case_digest"] == book.read_case(HILLEROD).digest
        assert data["case_data"]["municipality"] == "219"
        assert "frikommune.en_plan.2020" in data["rulebook"]["rules"]
        assert "rules/frikommune/en_plan.yaml" in data["rulebook"]["files"]

    def test_rule_digest_ignores_layout_but_not_content(self, rulebook_copy: Path) -> None:
        before = record.rule_digests(rulebook_copy / "rules")
        path = rulebook_copy / EN_PLAN
        path.write_text("# a comment moves every line\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
        assert record.rule_digests(rulebook_copy / "rules") == before
        edit(path, "ref: BEK 1184/2019 §§ 22-30", "ref: BEK 1184/2019 §§ 22-29")
        after = record.rule_digests(rulebook_copy / "rules")
        assert {r for r in before if before[r] != after[r]} == {"frikommune.en_plan.2020"}


class TestReplay:
    def test_same_rulebook_is_identical(self, recorded: Path, rulebook_copy: Path) -> None:
        code, output = run("replay", str(recorded), "--rules", str(rulebook_copy))
        assert code == 0, output
        assert "result: identical\n" in output and "rulebook: unchanged" in output

    def test_a_rule_change_is_reported_with_the_rule_responsible(self, recorded: Path, rulebook_copy: Path) -> None:
        edit(rulebook_copy / NETWORKS, '"217", "219"}', '"217"}')  # Hillerød (219) leaves the network
        code, output = run("replay", str(recorded), "--rules", str(rulebook_copy))
        assert code == 1, output
        assert "result: DIFFERENT" in output
        assert "obligation lab.kontaktforloeb.fire_samtaler: status exempted -> applies" in output
        assert "obligation lab.ret_og_pligt.seks_maaneder: status exempted -> applies" in output
        assert "exemption frikommune.en_plan.2020: in force true -> false" in output
        assert "changed frikommune.netvaerk_7.2017   <- responsible" in output
        assert "file rules/frikommune/kommuner.yaml" in output

    def test_only_rules_in_the_trace_are_held_responsible(self, recorded: Path, rulebook_copy: Path) -> None:
        edit(rulebook_copy / "rules" / "lab" / "ret_og_pligt_2019.yaml",
             "else citizen.benefit_since + 6 months", "else citizen.benefit_since + 7 months")
        sdp = rulebook_copy / "rules" / "sygedagpengeloven" / "opfoelgning.yaml"
        sdp.write_text(sdp.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        book = engine.load(rulebook_copy)
        result = replay.replay(record.read_record(recorded), book)
        assert not result.identical
        assert [(c.name, c.field, c.before, c.after) for c in result.changes] == [
            ("lab.ret_og_pligt.seks_maaneder", "due", "2021-07-04", "2021-08-04"),
            ("lab.ret_og_pligt.seks_maaneder_frist", "value", "2021-07-04", "2021-08-04")]
        assert result.rule_changes.changed == ("lab.ret_og_pligt.seks_maaneder_frist",)
        assert result.responsible == ("lab.ret_og_pligt.seks_maaneder_frist",)
        assert "rules/sygedagpengeloven/opfoelgning.yaml" in result.rule_changes.files

    def test_an_altered_case_is_refused(self, recorded: Path, rulebook_copy: Path) -> None:
        data = json.loads(recorded.read_text(encoding="utf-8"))
        data["case_data"]["citizen"]["complex_case"] = False
        recorded.write_text(json.dumps(data), encoding="utf-8")
        code, output = run("replay", str(recorded), "--rules", str(rulebook_copy))
        assert code == 2 and "does not match the decision's case_digest" in output

    def test_not_a_record_is_refused(self, tmp_path: Path) -> None:
        bad = tmp_path / "decision.json"
        code, output = stdout_of("eval", str(HILLEROD), "--format", "json")
        bad.write_text(output, encoding="utf-8")
        code, output = run("replay", str(bad))
        assert code == 2 and "not a decision record" in output and "Traceback" not in output
        bad.write_text("{", encoding="utf-8")
        code, output = run("replay", str(bad))
        assert code == 2 and "not JSON" in output

    def test_replay_from_a_decision_log(self, rulebook_copy: Path, tmp_path: Path) -> None:
        log = tmp_path / "log.sqlite"
        for case in ("hillerod-complex", "aarhus-complex"):
            assert run("eval", str(REPO / "examples" / f"{case}.yaml"), "--rules", str(rulebook_copy),
                       "--log", str(log))[0] == 0
        assert auditlog.verify(log).ok
        code, output = run("replay", str(log), "--rules", str(rulebook_copy))
        assert code == 0 and output.count("result: identical") == 2
        edit(rulebook_copy / NETWORKS, '"217", "219"}', '"217"}')
        code, output = run("replay", str(log), "--entry", "2", "--rules", str(rulebook_copy))
        # Aarhus was never in the network: its obligations stay, only the listed membership changes
        assert code == 1 and f"{log}#2" in output and "result: DIFFERENT (1 change(s))" in output
        assert "value frikommune.netvaerk_7:" in output and "obligation" not in output
        code, output = stdout_of("replay", str(log), "--entry", "1", "--rules", str(rulebook_copy), "--format", "json")
        assert code == 1
        [result] = json.loads(output)
        assert result["identical"] is False and result["responsible"] == ["frikommune.netvaerk_7.2017"]

    def test_show_renders_a_logged_decision_as_recorded(self, tmp_path: Path) -> None:
        log = tmp_path / "log.sqlite"
        assert run("eval", str(HILLEROD), "--log", str(log))[0] == 0
        code, shown = run("audit", "show", str(log), "--entry", "1", "--lang", "en")
        assert code == 0
        assert shown == stdout_of("eval", str(HILLEROD), "--lang", "en")[1]


def test_a_changed_act_version_is_named_by_its_file(recorded: Path, rulebook_copy: Path) -> None:
    edit(rulebook_copy / "legal_refs" / "lab.yaml", "designation: LOV nr 548 af 07/05/2019",
         "designation: LOV nr. 548 af 7. maj 2019")
    code, output = run("replay", str(recorded), "--rules", str(rulebook_copy))
    assert code == 1
    assert ("obligation lab.kontaktforloeb.fire_samtaler: legal_basis LAB § 31, stk. 1 (LOV nr 548 af 07/05/2019, "
            "https://www.retsinformation.dk/eli/lta/2019/548) -> LAB § 31, stk. 1 (LOV nr. 548 af 7. maj 2019, "
            "https://www.retsinformation.dk/eli/lta/2019/548)") in output
    assert "  file legal_refs/lab.yaml\n" in output and "<- responsible" not in output

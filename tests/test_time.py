"""Law in time: coverage windows, no facts from the future, and bitemporal known_on."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import engine
from engine.interfaces.cli import main
from engine.lang.errors import CaseError
from engine.law import touched

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
RECORDED = REPO / "examples" / "dagpenge-2017-recorded.yaml"
SEKS = "lab2015.kontaktforloeb.dagpenge_seks_samtaler"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _event_list(case: dict[str, object], fact: str) -> list[object]:
    holder = case
    for part in fact.split(".")[:-1]:
        holder = holder.setdefault(part, {})  # type: ignore[assignment]
    name = fact.split(".")[-1]
    holder[name] = list(holder.get(name) or [])  # type: ignore[call-overload]
    return holder[name]  # type: ignore[return-value]


def _comparable(decision: engine.Decision) -> dict[str, object]:
    data = decision.to_dict()
    return {key: data[key] for key in ("obligations", "exemptions", "values", "missing", "unknown_values")}


class TestNoFactsFromTheFuture:
    @pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
    def test_an_event_after_as_of_changes_nothing_and_is_listed(self, rulebook: engine.Rulebook, path: Path) -> None:
        """Every list of events the case format has gets one event dated the day after as_of."""
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        day_after = (dt.date.fromisoformat(str(case["as_of"])) + dt.timedelta(days=1)).isoformat()
        planted = [fact for fact, rule in rulebook.checked.inputs.items()
                   if rule.input and rule.input.type == "events" and fact.startswith("citizen.")]
        lists = [_event_list(case, fact) for fact in planted]  # a list the example leaves out is empty
        before = rulebook.evaluate(case)
        for events in lists:
            events.append({"date": day_after, "kind": "jobsamtale", "end": day_after})
        after = rulebook.evaluate(case)
        assert _comparable(after) == _comparable(before)
        ignored = after.to_dict()["ignored_events"]
        assert sorted(e["fact"] for e in ignored) == sorted(planted)
        assert {e["reason"] for e in ignored} == {"after_as_of"}

    def test_a_decision_without_ignored_events_keeps_its_decision_at_1_keys(self, rulebook: engine.Rulebook) -> None:
        data = rulebook.evaluate(REPO / "examples" / "aarhus-complex.yaml").to_dict()
        assert not {"known_on", "ignored_events", "not_covered"} & data.keys()


class TestKnownOn:
    @pytest.mark.parametrize("known_on, fulfilled", [("2017-06-19", False), ("2017-06-20", True), ("2017-06-21", True)])
    def test_the_third_talk_counts_from_the_day_it_was_recorded(self, known_on: str, fulfilled: bool) -> None:
        code, out, _ = _run("eval", str(RECORDED), "--known-on", known_on, "--format", "json")
        data = json.loads(out)
        assert code == 0
        assert data["known_on"] == known_on
        obligation = next(o for o in data["obligations"] if o["rule"] == SEKS)
        assert obligation["fulfilled"] is fulfilled
        ignored = [(e["date"], e["reason"]) for e in data.get("ignored_events", [])]
        assert ignored == ([] if fulfilled else [("2017-03-01", "recorded_after_known_on")])

    @pytest.mark.parametrize("fmt, words", [("text", "recorded 2017-06-20, after 2017-06-19"),
                                            ("markdown", "recorded 2017-06-20, after 2017-06-19"),
                                            ("html", "recorded 2017-06-20, after 2017-06-19")])
    def test_every_format_names_both_dates_and_the_event_left_out(self, fmt: str, words: str) -> None:
        code, out, _ = _run("eval", str(RECORDED), "--known-on", "2017-06-19", "--format", fmt, "--lang", "en")
        assert code == 0
        assert "Facts as recorded by 2017-06-19; the law as in force on 2017-07-03" in out
        assert words in out

    def test_replay_reproduces_known_on(self, tmp_path: Path) -> None:
        record_path = tmp_path / "record.json"
        code, _, _ = _run("eval", str(RECORDED), "--known-on", "2017-06-19", "--record", str(record_path))
        assert code == 0
        code, out, _ = _run("replay", str(record_path))
        assert code == 0, out
        assert "facts known on 2017-06-19" in out and "result: identical" in out

    def test_a_bad_known_on_is_a_one_line_error(self) -> None:
        code, out, err = _run("eval", str(RECORDED), "--known-on", "19-06-2017")
        assert code == 2 and "--known-on" in err and "Traceback" not in out + err

    @pytest.mark.parametrize("event, message", [
        ({"date": "2017-03-01", "recorded": "2017-02-01"}, "recorded (2017-02-01) before its own date"),
        ({"date": "2017-03-01", "note": "x"}, "an event has no field 'note'"),
    ])
    def test_a_bad_event_is_a_case_error(self, rulebook: engine.Rulebook, event: dict[str, str], message: str) -> None:
        with pytest.raises(CaseError, match=re.escape(message)):
            rulebook.read_case({"case": "x", "as_of": "2017-07-03", "citizen": {"talks": [event]}})


class TestCoverage:
    @pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
    def test_a_date_before_the_rules_names_the_acts_not_covered_and_exits_1(self, tmp_path: Path, fmt: str) -> None:
        case = tmp_path / "case.yaml"
        case.write_text("case: old\nas_of: 2010-01-01\nmunicipality: '751'\n"
                        "citizen: {benefit: kontanthjaelp, birth_date: 1980-01-01}\n", encoding="utf-8")
        code, out, err = _run("eval", str(case), "--format", fmt, "--lang", "en")
        assert code == 1
        assert err.strip().splitlines()[-1] == ("paragraf: the rulebook does not cover LAB, aktivloven on "
                               "2010-01-01; the decision is incomplete (see 'coverage' in legal_refs/)")
        for act in ("LAB", "aktivloven"):
            assert act in out
        if fmt == "json":  # a kontanthjælp case without sickness facts does not touch sygedagpengeloven
            assert [a["act"] for a in json.loads(out)["not_covered"]] == ["LAB", "aktivloven"]

    @pytest.mark.parametrize("day, acts", [
        ("2015-06-30", ["LAB", "aktivloven", "styringsloven", "sygedagpengeloven"]),
        ("2015-07-01", ["sygedagpengeloven"]),
        ("2015-12-31", ["sygedagpengeloven"]),
        ("2016-01-01", []),
    ])
    def test_the_windows_at_their_edges(self, rulebook: engine.Rulebook, day: str, acts: list[str]) -> None:
        refs = rulebook.checked.legal_refs
        assert [a.name for a in refs.not_covered(dt.date.fromisoformat(day))] == acts

    def test_an_act_not_yet_in_force_is_not_reported(self, rulebook: engine.Rulebook) -> None:
        names = [a.name for a in rulebook.checked.legal_refs.not_covered(dt.date(2010, 1, 1))]
        assert "finansieringsloven" not in names and "styringsloven" not in names

    def test_a_2015_case_gets_its_lab_obligations_under_lbk_807_2015(self, rulebook: engine.Rulebook) -> None:
        decision = rulebook.evaluate({"case": "2015", "as_of": "2015-09-01", "municipality": "751", "citizen": {
            "birth_date": "1975-05-05", "benefit": "a_dagpenge", "benefit_since": "2015-08-03",
            "joint_talk_wanted": False, "vocational_education": True, "talks": [], "offers": []}})
        first = decision.obligation("lab2015.kontaktforloeb.dagpenge_foerste_samtale")
        assert first is not None and first["status"] == "applies" and first["due"] == "2015-09-14"
        assert first["legal_basis"][0]["eli"] == "https://www.retsinformation.dk/eli/lta/2015/807"
        assert decision.not_covered == ()  # sygedagpengeloven (from 2016) is not touched by a dagpenge case

    def test_a_2015_dagpenge_case_exits_0_with_its_lab_obligations(self) -> None:
        code, out, _ = _run("eval", str(RECORDED), "--as-of", "2015-09-01", "--format", "json")
        assert code == 0 and "not_covered" not in json.loads(out)
        assert "lab2015.kontaktforloeb.dagpenge_seks_samtaler" in out

    @pytest.mark.parametrize("citizen, reported", [
        ({"benefit": "sygedagpenge"}, True),                                    # its benefit code
        ({"benefit": "a_dagpenge", "sickness": {"first_absence_day": "2015-08-03"}}, True),  # its own facts
        ({"benefit": "a_dagpenge"}, False),
        ({"benefit": "kontanthjaelp", "readiness": "jobparat"}, False),
    ])
    def test_only_an_act_the_case_touches_is_reported(self, rulebook: engine.Rulebook, citizen: dict[str, object],
                                                      reported: bool) -> None:
        decision = rulebook.evaluate({"case": "c", "as_of": "2015-09-01", "municipality": "751",
                                      "citizen": {"birth_date": "1975-05-05", **citizen}})
        assert ("sygedagpengeloven" in [a["act"] for a in decision.not_covered]) is reported

    def test_an_act_with_no_facts_of_its_own_is_touched_by_every_case(self, rulebook: engine.Rulebook) -> None:
        facts = touched.act_facts(rulebook.checked)
        assert "citizen.sickness.first_absence_day" in facts["sygedagpengeloven"].own_inputs
        assert "citizen.benefit" not in facts["sygedagpengeloven"].own_inputs
        assert touched.ActFacts(frozenset(), frozenset()).touched_by({})
        before = rulebook.evaluate({"case": "c", "as_of": "2010-01-01", "municipality": "751",
                                    "citizen": {"benefit": "ingen"}})
        assert "LAB" in [a["act"] for a in before.not_covered]

    def test_each_window_starts_no_earlier_than_the_rules_of_its_act(self, rulebook: engine.Rulebook) -> None:
        """A window may not claim days that no rule citing the act encodes."""
        refs = rulebook.checked.legal_refs
        earliest: dict[str, dt.date] = {}
        for rule in rulebook.checked.ruleset.rules:
            for name in {act.name for act in map(refs.act_of, rule.refs) if act is not None}:
                start = rule.valid_from or dt.date.min
                earliest[name] = min(earliest.get(name, start), start)
        for name, act in {a.name: a for a in refs.acts.values()}.items():
            if act.coverage is not None and name in earliest:
                assert act.coverage.start >= earliest[name], name

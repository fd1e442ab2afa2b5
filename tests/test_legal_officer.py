"""The legal officer's tools: scenario failures and coverage, static analysis, schemas, diffs."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

import engine
from engine.law import analysis
from engine.officer import schema, scenarios as testing
from engine.interfaces.cli import main
from engine.officer.scenario_coverage import Coverage

HERE = Path(__file__).resolve().parent
PLANTED = HERE / "legal_officer"
REPO = HERE.parent


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    return result.exit_code, output


def plant(book: Path, *names: str) -> Path:
    (book / "rules" / "demo").mkdir(exist_ok=True)
    for name in names:
        shutil.copy(PLANTED / name, book / "rules" / "demo" / name)
    return book


def findings(book: Path) -> analysis.Analysis:
    loaded = engine.load(book)
    assert loaded.diagnostics == []
    return analysis.analyse(loaded.checked, loaded.program)


class TestScenarioFailures:
    def test_a_wrong_scenario_names_line_rule_law_expected_actual_and_why(self) -> None:
        code, output = run("test", str(PLANTED / "wrong.yaml"))
        assert code == 1
        assert f"{PLANTED / 'wrong.yaml'}:13: value finansiering.refusionssats: wrong value" in output
        assert "expected: 0.40" in output and "actual:   0.30" in output
        assert "finansiering.refusionssats \"State refusion rate\" at rules/finansieringsloven/refusionstrappe.yaml" in output
        assert "cites finansieringsloven § 5, stk. 2" in output
        assert "computed: steps citizen.affected_week { 1..4 -> 80%, 5..26 -> 40%, 27..52 -> 30%" in output
        assert "facts: citizen.affected_week = 27" in output
        assert "lab.maalgruppe" not in output.split("0 passed")[0].split("wrong value")[0]  # the right value is quiet
        assert "0 passed, 1 failed" in output

    def test_a_misspelt_rule_and_a_rule_out_of_force_are_explained(self, tmp_path: Path) -> None:
        path = tmp_path / "s.yaml"
        path.write_text("scenarios:\n  - name: n\n    as_of: 2025-01-01\n    case: {municipality: '751', citizen: {}}\n"
                        "    expect:\n      obligations:\n        lab.kontaktforloeb.fire_samtaler_dagpenge: applies\n"
                        "        lab.kontaktforloeb.fire_samtalr: applies\n", encoding="utf-8")
        code, output = run("test", str(path))
        assert code == 1
        assert "not in force on 2025-01-01 (in force 2020-01-01 to 2023-12-31)" in output
        assert "lab.kontaktforloeb.fire_samtalr: no such rule or value in the rulebook; did you mean " \
               "'lab.kontaktforloeb.fire_samtaler'?" in output


class TestCoverage:
    def test_the_bundled_scenarios_exercise_the_refusion_staircase_fully(self, rulebook: engine.Rulebook) -> None:
        recorder = Coverage()
        results = testing.run_paths(rulebook, [REPO / "tests" / "scenarios"], recorder)
        report = recorder.report(rulebook.checked.ruleset.rules, rulebook.checked.types)
        assert all(r.passed for r in results)
        assert report.outcomes_wanted > report.points > 100
        assert not [g for g in report.gaps if "refusionstrappe" in g.point.rule.path]
        assert {"finansiering.refusionssats", "lab.maalgruppe.nr1"} <= report.applied.keys()

    def test_payment_scenarios_count_the_weekly_rules_they_apply(self) -> None:
        """The refusion scenarios run on payments, not on a case: the weekly rules they choose count."""
        code, output = run("test", "--coverage", str(REPO / "tests/scenarios/refusion"))
        assert code == 0, output
        applied = int(re.search(r"rule coverage: (\d+) of \d+ rules applied", output).group(1))  # type: ignore[union-attr]
        assert applied >= 30
        never = re.findall(r"never evaluated \([^)]*\): (\S+)", output)
        for rule in ("finansiering.uge.trin", "finansiering.uge.beroert", "finansiering.refusionssats"):
            assert rule not in never

    def test_one_file_leaves_rules_and_branches_unexercised(self) -> None:
        code, output = run("test", "--coverage", str(REPO / "tests/scenarios/finansieringsloven"))
        assert code == 0
        assert "evaluated but never applied: lab.maalgruppe.nr1" in output
        assert re.search(r"kontaktforloeb_2019.yaml:\d+:\d+: lab.kontaktforloeb.fire_samtaler when: "
                         r"lab.maalgruppe in \{2, 3, 4, 5, 7, 8, 10\}  \[never false\]", output)
        assert re.search(r"branch coverage: (\d+) of (\d+)", output).group(1) != re.search(  # type: ignore[union-attr]
            r"branch coverage: (\d+) of (\d+)", output).group(2)  # type: ignore[union-attr]

    def test_step_rows_not_taken_are_listed(self, tmp_path: Path) -> None:
        path = tmp_path / "s.yaml"
        path.write_text("scenarios:\n  - name: week 3\n    as_of: 2021-03-01\n"
                        "    case: {municipality: '751', citizen: {affected_week: 3}}\n"
                        "    expect: {values: {finansiering.refusionssats: '0.80'}}\n", encoding="utf-8")
        _, output = run("test", "--coverage", str(path))
        assert "finansiering.refusionssats expr: row 53.. -> 20%  [never taken]" in output
        assert "finansiering.refusionssats expr: row 1..4 -> 80%" not in output


class TestStaticAnalysis:
    def test_the_bundled_rules_are_clean_and_fully_analysed(self, rulebook: engine.Rulebook) -> None:
        result = analysis.analyse(rulebook.checked, rulebook.program)
        assert result.diagnostics == ()
        assert result.skipped == ()
        assert "lab.maalgruppe" in result.analysed and result.points > 1000

    def test_a_planted_overlap_of_the_refusion_rate_has_a_counterexample(self, rulebook_copy: Path) -> None:
        result = findings(plant(rulebook_copy, "refusion_2024.yaml"))
        [overlap] = [d for d in result.diagnostics if d.category == "overlap"]
        assert "'demo.refusionssats_2024' and 'finansiering.refusionssats' both define" in overlap.message
        assert "on 2024-01-01" in overlap.message
        case = yaml.safe_load(overlap.hint.split("both apply:\n", 1)[1])  # type: ignore[union-attr]
        assert case == {"as_of": dt.date(2024, 1, 1), "citizen": {"affected_week": 5}}
        book = engine.load(rulebook_copy)
        with pytest.raises(engine.EngineError, match="both define"):  # the counterexample really conflicts
            book.evaluate({"case": "c", "municipality": "751", "citizen": case["citizen"]}, "2024-01-01")

    def test_a_planted_gap_after_a_version_change_has_a_counterexample(self, rulebook_copy: Path) -> None:
        result = findings(plant(rulebook_copy, "frist.yaml"))
        [gap] = [d for d in result.diagnostics if d.category == "gap"]
        assert "'demo.frist' is declared total, but on 2024-01-01 none of its 2 definitions in force applies" in gap.message
        assert gap.hint.endswith("as_of: 2024-01-01\n        # and any case where lab.maalgruppe is 5")  # type: ignore[union-attr]
        young = {"benefit": "uddannelseshjaelp", "birth_date": "2000-01-01", "readiness": "aktivitetsparat",
                 "vocational_education": False, "integration_programme": False}
        decision = engine.load(rulebook_copy).evaluate({"case": "c", "municipality": "751", "citizen": young}, "2024-01-01")
        assert decision.values["lab.maalgruppe"] == 5
        assert decision.values["demo.frist"] is None  # no definition applies: the gap is real

    def test_check_prints_both_with_cases_and_exits_1(self, rulebook_copy: Path) -> None:
        code, output = run("check", "--rules", str(plant(rulebook_copy, "frist.yaml", "refusion_2024.yaml")))
        assert code == 1
        assert "error[overlap]" in output and "error[gap]" in output
        assert "        citizen:\n          affected_week: 5" in output
        assert "2 error(s), 0 warning(s)" in output

    @pytest.mark.parametrize("command", [["eval", "examples/aarhus-complex.yaml"],
                                         ["explain", "examples/aarhus-complex.yaml", "lab.kontaktforloeb.fire_samtaler"]])
    def test_eval_refuses_what_check_refuses(self, rulebook_copy: Path, command: list[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
        """One gate: a rulebook with overlap and gap errors is no more usable by eval than by check."""
        book = plant(rulebook_copy, "frist.yaml", "refusion_2024.yaml")
        monkeypatch.chdir(REPO)
        code, output = run(*command, "--rules", str(book))
        assert code == 1, output
        assert "the rulebook has 2 problem(s); run 'paragraf check'" in output
        assert "error[overlap]" in output and "error[gap]" in output

    def test_a_dead_exemption_is_a_warning(self, rulebook_copy: Path) -> None:
        result = findings(plant(rulebook_copy, "dead_exemption.yaml"))
        [dead] = result.diagnostics
        assert (dead.category, dead.severity) == ("exemption", "warning")
        assert "'demo.aldrig' can never apply" in dead.message

    def test_a_window_ending_without_successor_is_a_warning(self, rulebook_copy: Path) -> None:
        [window] = findings(plant(rulebook_copy, "ending.yaml")).diagnostics
        assert window.category == "window" and window.severity == "warning"
        assert "'demo.slutter' ends on 2021-06-30, but the law it cites goes on and no rule takes over on 2021-07-01" \
            in window.message
        path = rulebook_copy / "rules" / "demo" / "ending.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "    successor: none\n", encoding="utf-8")
        assert findings(rulebook_copy).diagnostics == ()

    def test_a_citation_of_a_repealed_paragraph_is_an_error(self, rulebook_copy: Path) -> None:
        path = rulebook_copy / "legal_refs" / "finansieringsloven.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('"5": {title:', '"5": {repealed: 2021-02-12, title:', 1), encoding="utf-8")
        problems = findings(rulebook_copy).diagnostics
        assert {d.category for d in problems} == {"citation"}
        assert "cites § 5, repealed in LBK nr 221 af 12/02/2021 from 2021-02-12" in problems[0].message

    def test_total_must_be_declared_on_every_definition(self, rulebook_copy: Path) -> None:
        plant(rulebook_copy, "frist.yaml")
        path = rulebook_copy / "rules" / "demo" / "frist.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("    total: true\n", "", 1), encoding="utf-8")
        assert any("disagree on 'total'" in d.message for d in findings(rulebook_copy).diagnostics)


def _plain(data: object) -> object:
    """YAML as an editor's language server sees it: dates as text."""
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data.isoformat() if isinstance(data, dt.date) else data


class TestSchemas:
    def test_the_committed_schemas_are_current(self, rulebook: engine.Rulebook) -> None:
        assert (REPO / "schemas/rules.schema.json").read_text(encoding="utf-8") == schema.dumps(schema.rules_schema())
        assert (REPO / "schemas/case.schema.json").read_text(encoding="utf-8") == schema.dumps(
            schema.case_schema(rulebook.checked.inputs)), "run: paragraf schema case > schemas/case.schema.json"

    @pytest.mark.parametrize("name, pattern", [("rules", "rules/**/*.yaml"), ("case", "examples/*.yaml")])
    def test_bundled_files_validate(self, name: str, pattern: str) -> None:
        validator = _validator(name)
        files = sorted(REPO.glob(pattern))
        assert files
        for path in files:
            errors = [e.message for e in validator.iter_errors(_plain(yaml.safe_load(path.read_text(encoding="utf-8"))))]
            assert errors == [], f"{path}: {errors}"

    def test_every_scenario_case_validates(self) -> None:
        """The case schema says what the engine accepts: each scenario's case (its defaults with
        its own facts merged over them; a null fact means 'not known' and is left out) that the
        engine reads without error validates."""
        validator = _validator("case")
        problems = []
        for path in testing.scenario_files([REPO / "tests/scenarios"]):
            for scenario in testing.read_scenarios(path):
                if "error" not in scenario.expect:
                    case = _without_nulls(_plain(scenario.case))
                    problems += [f"{path.name}: {scenario.name}: {e.message}" for e in validator.iter_errors(case)]
        assert problems == []

    def test_the_schema_refuses_what_the_engine_refuses(self) -> None:
        validator = _validator("case")
        assert not validator.is_valid({"case": "x", "citizen": {"talks": [{"date": "2021-01-04", "note": "?"}]}})
        assert validator.is_valid({"case": "x", "known_on": "2021-02-01", "citizen": {"offers": [
            {"date": "2021-01-04", "kind": "loentilskud", "end": "2021-03-01", "recorded": "2021-01-10"}]}})

    def test_rule_files_reference_the_schema(self) -> None:
        for path in sorted(REPO.glob("rules/**/*.yaml")):
            first = path.read_text(encoding="utf-8").splitlines()[0]
            target = first.partition("$schema=")[2]
            assert first.startswith("# yaml-language-server: $schema=") and (path.parent / target).resolve() == (
                REPO / "schemas/rules.schema.json"), f"{path}: run paragraf schema rules --annotate schemas/rules.schema.json"

    def test_annotate_adds_or_corrects_the_first_line(self, rulebook_copy: Path) -> None:
        path = rulebook_copy / "rules" / "lab" / "ret_og_pligt_2019.yaml"
        body = path.read_text(encoding="utf-8").split("\n", 1)[1]
        path.write_text(body, encoding="utf-8")
        target = rulebook_copy / "schemas" / "rules.schema.json"
        code, output = run("schema", "rules", "--annotate", str(target), "--rules", str(rulebook_copy))
        assert (code, output) == (0, f"1 rule file(s) now name {target}\nrulebook: {rulebook_copy} (--rules)\n")
        assert path.read_text(encoding="utf-8") == "# yaml-language-server: $schema=../../schemas/rules.schema.json\n" + body

    @pytest.mark.parametrize("text, needle", [
        ("rules: [{id: a.b, kind: value, ref: x, title: {da: a, en: b}, expr: '1', priorty: 2}]", "priorty"),
        ("rules: [{id: a.b, kind: obligation, ref: x, title: {da: a, en: b}, actor: kommunen}]", "kommunen"),
    ])
    def test_the_rule_schema_catches_mistakes(self, text: str, needle: str) -> None:
        errors = list(_validator("rules").iter_errors(yaml.safe_load(text)))
        assert errors and any(needle in str(e) for e in errors)

    def test_the_case_schema_knows_codes_and_nesting(self) -> None:
        case = {"case": "c", "citizen": {"benefit": "kontanthjalp", "sickness": {"category": "4"}}}
        messages = [e.message for e in _validator("case").iter_errors(case)]
        assert any("'kontanthjalp' is not one of" in m for m in messages)
        assert any("'4' is not one of" in m for m in messages)

    def test_cli_prints_json(self) -> None:
        result = CliRunner().invoke(main, ["schema", "case"])
        code, output = result.exit_code, result.stdout
        assert code == 0 and json.loads(output)["properties"]["citizen"]["properties"]["readiness"]["enum"] == [
            "jobparat", "aktivitetsparat", "uddannelsesparat"]


def _without_nulls(data: object) -> object:
    if isinstance(data, dict):
        return {k: _without_nulls(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_without_nulls(v) for v in data]
    return data


def _validator(name: str) -> jsonschema.Draft202012Validator:
    data = json.loads((REPO / f"schemas/{name}.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(data, format_checker=jsonschema.FormatChecker())


class TestDiff:
    def test_a_planted_change_names_the_rule_paragraph_and_changed_cases(self, rulebook_copy: Path, tmp_path: Path) -> None:
        path = rulebook_copy / "rules" / "finansieringsloven" / "refusionstrappe.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("27..52 -> 30%", "27..52 -> 35%", 1), encoding="utf-8")
        code, output = run("diff", str(REPO), str(rulebook_copy), "--cases", str(REPO / "examples"))
        assert code == 1
        assert "rules: 0 added, 0 removed, 1 changed" in output
        assert "~ finansiering.refusionssats (value) changed   rules/finansieringsloven/refusionstrappe.yaml" in output
        assert "cites finansieringsloven § 5, stk. 2; valid 2016-01-04 to open" in output
        assert "27..52 -> 30%" in output and "27..52 -> 35%" in output
        assert re.search(r"decisions: 1 of \d+ case\(s\) change", output)
        assert "refusion-week.yaml (as of 2022-06-01):\n    value finansiering.refusionssats: 0.30 -> 0.35" in output

    def test_added_and_removed_rules_and_moved_windows(self, rulebook_copy: Path) -> None:
        plant(rulebook_copy, "frist.yaml")
        path = rulebook_copy / "rules" / "lab" / "kontaktforloeb_2019.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("valid_to: 2023-12-31", "valid_to: 2024-06-30", 1),
                        encoding="utf-8")
        code, output = run("diff", str(REPO), str(rulebook_copy))
        assert code == 1
        assert "rules: 3 added, 0 removed, 1 changed" in output
        assert "+ demo.frist.unge (value, defines demo.frist) added" in output
        assert "valid_to: 2023-12-31 -> 2024-06-30" in output
        code, output = run("diff", str(rulebook_copy), str(REPO))
        assert "rules: 0 added, 3 removed, 1 changed" in output and "- demo.frist.andre" in output

    def test_git_revisions(self) -> None:
        if subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True).returncode != 0:
            pytest.skip("not a git checkout")
        result = CliRunner().invoke(main, ["diff", "HEAD", "HEAD"])
        assert (result.exit_code, result.stdout.strip()) == (0, "rules: 0 added, 0 removed, 0 changed")

    def test_neither_folder_nor_revision_exits_2(self) -> None:
        code, output = run("diff", "no-such-thing", str(REPO))
        assert code == 2 and "neither a folder nor a git revision" in output


class TestInstrumentation:
    def test_an_instrumented_rulebook_decides_byte_identically(self, rulebook: engine.Rulebook) -> None:
        twin = rulebook.instrumented(Coverage())
        for path in sorted((REPO / "examples").glob("*.yaml")):
            assert twin.evaluate(path).to_json() == rulebook.evaluate(path).to_json(), path

    def test_the_plain_rulebook_records_nothing(self, rulebook: engine.Rulebook) -> None:
        assert getattr(rulebook.program.names, "recorder", None) is None


class TestConditionsInWords:
    @pytest.mark.parametrize("rule_id, lang, words", [
        ("lab.maalgruppe.nr1", "da", "Ydelse er arbejdsløshedsdagpenge"),
        ("lab.maalgruppe.nr1", "en", "Benefit is arbejdsløshedsdagpenge"),
        ("frikommune.en_plan.2020", "en", "Municipality is one of `frikommune.netvaerk_7` and "
         "`frikommune.en_plan.maalgruppe` is yes"),
        ("frikommune.forslag.tvaergaaende_borgerforloeb.2020", "en", "Complex problems: yes"),
        ("lab.kontaktforloeb.fire_samtaler", "da", "`lab.maalgruppe` er en af {2, 3, 4, 5, 7, 8, 10} eller "
         "(`lab.maalgruppe` er 9 og Ydelse er ledighedsydelse)"),
    ])
    def test_when(self, rulebook: engine.Rulebook, rule_id: str, lang: str, words: str) -> None:
        from engine.officer.verbalise import verbalise

        rule = rulebook.checked.rule(rule_id)
        assert rule is not None and rule.when is not None
        assert verbalise(rule.when, rulebook.checked, lang) == words

    def test_age_and_negation(self, rulebook: engine.Rulebook) -> None:
        from engine.officer.verbalise import verbalise

        [rule] = rulebook.checked.values["lab.uddannelseshjaelpsgruppe"]
        text = verbalise(rule.expr, rulebook.checked, "en")  # type: ignore[arg-type]
        assert "the age (from Date of birth) on the decision date is less than 30" in text
        assert "Vocational education: no" in text


def test_pytest_reports_scenario_coverage() -> None:
    import sys

    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--paragraf-coverage",
                             str(REPO / "tests/scenarios/finansieringsloven")], capture_output=True, text=True,
                            cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "paragraf scenario coverage" in result.stdout
    assert "evaluated but never applied: lab.maalgruppe.nr1" in result.stdout


def test_an_overlap_under_a_proposal_names_the_proposal(rulebook_copy: Path) -> None:
    result = findings(plant(rulebook_copy, "proposal.yaml"))
    [overlap] = result.diagnostics
    case = yaml.safe_load(overlap.hint.split("both apply:\n", 1)[1])  # type: ignore[union-attr]
    assert case["with"] == ["demo.forslag"] and case["citizen"]["affected_week"] <= 4
    assert case["as_of"] == dt.date(2016, 1, 4)


def test_a_successor_that_is_not_a_rule_is_an_error(rulebook_copy: Path) -> None:
    path = plant(rulebook_copy, "ending.yaml") / "rules" / "demo" / "ending.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "    successor: lab.no_such_rule\n", encoding="utf-8")
    [problem] = findings(rulebook_copy).diagnostics
    assert (problem.category, problem.severity) == ("window", "error")
    assert "successor 'lab.no_such_rule'" in problem.message

"""decision@2: the compact form, its tables and JSON Schema, the opt-in explanation, and old
decision@1 logs that still verify, show and replay."""
from __future__ import annotations

import gzip
import json
import pickle
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

import engine
from engine.audit import log as auditlog
from engine.interfaces.cli import main
from engine.officer import schema
from engine.officer.decision_schema import decision_schema
from engine.report import forms

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
GOLDEN_DECISIONS = ["eval-refusion-week-json.txt", "eval-refusion-week-json-explain.txt"]
HILLEROD = REPO / "examples" / "hillerod-complex.yaml"
VALIDATOR = jsonschema.Draft202012Validator(decision_schema(), format_checker=jsonschema.FormatChecker())


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout  # stderr names the rulebook


def test_the_committed_schema_is_current() -> None:
    assert (REPO / "schemas" / "decision.schema.json").read_text(encoding="utf-8") == schema.dumps(decision_schema()), \
        "run: paragraf schema decision > schemas/decision.schema.json"
    assert run("schema", "decision")[1] == schema.dumps(decision_schema())


@pytest.mark.parametrize("name", GOLDEN_DECISIONS)
def test_every_golden_decision_validates(name: str) -> None:
    text = (REPO / "tests" / "golden" / name).read_text(encoding="utf-8").split("\n--- stderr ---")[0]
    data = json.loads(text.replace("sha256:<fingerprint>", "sha256:" + "0" * 64))  # the golden's placeholder
    assert data["schema"] == "paragraf/decision@2"
    VALIDATOR.validate(data)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_validates_compact_and_explained(rulebook: engine.Rulebook, example: Path) -> None:
    decision = rulebook.evaluate(example)
    for include in ((), ("trace",)):
        VALIDATOR.validate(json.loads(decision.to_json(include=include)))


def test_the_schema_rejects_what_is_not_a_decision(rulebook: engine.Rulebook) -> None:
    data = rulebook.evaluate(HILLEROD).to_dict()
    data["obligations"][0]["status"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(data)


def test_compact_form_names_each_citation_once_and_resolves_every_key(rulebook: engine.Rulebook) -> None:
    data = rulebook.evaluate(HILLEROD).to_dict()
    assert "explanation" not in data and "titles" not in data
    used = {key for o in data["obligations"] for key in o["legal_basis"] + o.get("exempted_by", {}).get("legal_basis", [])}
    used |= {key for e in data["exemptions"] for key in e["legal_basis"]}
    assert used == set(data["legal_basis"])
    four_talks = next(o for o in data["obligations"] if o["rule"] == "lab.kontaktforloeb.fire_samtaler")
    assert data["legal_basis"][four_talks["legal_basis"][0]]["eli"] == "https://www.retsinformation.dk/eli/lta/2019/548"
    assert four_talks["facts"]["citizen.benefit_since"] == "2021-01-04"


def test_each_trace_node_is_written_once(rulebook: engine.Rulebook) -> None:
    data = rulebook.evaluate(HILLEROD).to_dict(include=("trace",))
    nodes = data["explanation"]["nodes"]
    children = [child for node in nodes for child in node.get("children", [])]
    assert set(children) <= set(range(len(nodes))) and len(children) > len(set(children))  # shared, not repeated
    assert len({(node["kind"], node["name"]) for node in nodes}) == len(nodes)
    expanded = forms.expand(data)["explanation"]
    assert sum(1 for _ in _walk(expanded)) > len(nodes)


def test_a_node_names_its_file_once(rulebook: engine.Rulebook) -> None:
    explanation = rulebook.evaluate(HILLEROD).to_dict(include=("trace",))["explanation"]
    files = explanation["files"]
    assert len(files) == len(set(files)) and all(name.startswith("rules/") for name in files)
    first = explanation["nodes"][explanation["roots"][0]]
    path = REPO / files[first["at"][0]]
    assert f"id: {first['name']}" in path.read_text(encoding="utf-8").splitlines()[first["at"][1] - 1]


def test_a_decision_with_keyed_nodes_reads_as_before(rulebook: engine.Rulebook) -> None:
    """Decisions stored before the nodes were numbered keyed them `kind:name` and wrote places as
    text: they expand (for reports and replay) exactly as the numbered form does."""
    numbered = json.loads(rulebook.evaluate(HILLEROD).to_json(include=("trace",)))
    keyed = json.loads(json.dumps(numbered))
    explanation = keyed["explanation"]
    files, keys = explanation.pop("files"), [f"{n['kind']}:{n['name']}" for n in explanation["nodes"]]

    def place(at: list[int]) -> str:
        return f"{files[at[0]]}:{at[1]}:{at[2]}"

    table = {}
    for key, node in zip(keys, explanation["nodes"]):
        node = {k: v for k, v in node.items() if k not in ("kind", "name")}
        node["at"] = place(node["at"])
        node["children"] = [keys[child] for child in node.get("children", [])] or None
        node["failed"] = [{**part, "at": place(part["at"])} for part in node.get("failed", [])] or None
        table[key] = {k: v for k, v in node.items() if v is not None}
    keyed["explanation"] = {"roots": [keys[root] for root in explanation["roots"]], "nodes": table}
    assert forms.expand(keyed) == forms.expand(numbered)


def _walk(nodes: list[dict[str, Any]]) -> Any:
    for node in nodes:
        yield node
        yield from _walk(node.get("children", []))


def test_expanded_form_renders_as_the_decision_does(rulebook: engine.Rulebook) -> None:
    decision = rulebook.evaluate(HILLEROD)
    stored = json.loads(decision.to_json(include=("trace",)))
    for fmt in ("text", "markdown", "html"):
        assert engine.Decision.explain(decision, format=fmt, lang="en") == _render(stored, fmt)


def _render(data: dict[str, Any], fmt: str) -> str:
    from engine import report

    return report.render(data, format=fmt, lang="en")


def test_a_report_of_the_compact_form_asks_for_the_explanation(rulebook: engine.Rulebook) -> None:
    with pytest.raises(ValueError, match="include=\\('trace',\\)"):
        _render(rulebook.evaluate(HILLEROD).to_dict(), "text")


def test_an_unknown_include_is_refused(rulebook: engine.Rulebook) -> None:
    with pytest.raises(ValueError, match="unknown include 'everything'"):
        rulebook.evaluate(HILLEROD).to_dict(include=("everything",))


def test_a_pickled_decision_keeps_its_explanation(rulebook: engine.Rulebook) -> None:
    decision = rulebook.evaluate(HILLEROD)
    again = pickle.loads(pickle.dumps(decision))
    assert again.to_json(include=("trace",)) == decision.to_json(include=("trace",))


@pytest.fixture
def decision1_log(tmp_path: Path) -> Path:
    """A decision log written by the engine before decision@2: one Hillerød decision@1 record."""
    path = tmp_path / "log.sqlite"
    path.write_bytes(gzip.decompress((REPO / "tests" / "fixtures" / "decision1-log.sqlite.gz").read_bytes()))
    return path


def test_a_decision1_log_still_verifies_shows_and_replays(decision1_log: Path, rulebook: engine.Rulebook) -> None:
    assert auditlog.verify(decision1_log).ok
    code, shown = run("audit", "show", str(decision1_log), "--entry", "1", "--lang", "en")
    assert code == 0 and "example-hillerod-complex" in shown and "frikommune.en_plan.2020" in shown
    code, output = run("replay", str(decision1_log), "--format", "json")
    [result] = json.loads(output)
    assert result["case"] == "example-hillerod-complex" and "identical" in result
    if result["old_fingerprint"] == rulebook.fingerprint:  # the rules have not changed since the log was written
        # The log was written before refusion-only facts were kept out of case decisions: that
        # engine change, and no rule, is all the replay may find. Every obligation is as logged.
        assert not result["responsible"] and not any(result["rule_changes"].values())
        assert {c["name"] for c in result["changes"]} <= {
            "finansiering.refusionssats", "finansiering.medfinansieringssats", "missing"}
        assert code == (0 if result["identical"] else 1)

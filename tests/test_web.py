"""The web page without a browser: every page renders, the form gives the case it shows, the law
pages list what the engine computes, the auditor's page verifies and replays, and bad input on
each page gets a page saying what is wrong and how to fix it (never a traceback)."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

import engine
from engine.audit import record as records
from engine.interfaces.service import caseform
from engine.officer import citation_coverage
from engine.officer.schema import case_schema
from tests.web_app import make_app

REPO = Path(__file__).resolve().parent.parent
HILLEROD = REPO / "examples" / "hillerod-complex.yaml"
AARHUS = REPO / "examples" / "aarhus-complex.yaml"
CONTACT = "lab.kontaktforloeb.fire_samtaler"


@pytest.fixture(scope="module")
def decision_log(tmp_path_factory: pytest.TempPathFactory, rulebook: engine.Rulebook) -> Path:
    log = tmp_path_factory.mktemp("log") / "decisions.sqlite"
    for example in (AARHUS, HILLEROD):
        case = rulebook.read_case(example)
        records.keep(rulebook, case, rulebook.evaluate(case), log=log)
    return log


@pytest.fixture(scope="module")
def client(rulebook: engine.Rulebook, decision_log: Path) -> TestClient:
    return TestClient(make_app(rulebook, decision_log))


def problems(page: str) -> list[str]:
    return re.findall(r'<span class="problem-message">(.*?)</span>', page)


def card(page: str, rule: str) -> str:
    found = re.search(rf'<article class="obligation [a-z_]+" data-rule="{re.escape(rule)}".*?</article>', page, re.S)
    assert found, f"no card for {rule}"
    return found.group(0)


# -- pages render ------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, heading", [("da", "Sagsbehandler"), ("en", "Caseworker")])
def test_every_page_answers_in_the_language_asked(client: TestClient, lang: str, heading: str) -> None:
    for path in ("/", "/case", "/law", "/law/acts/lab", f"/law/rules/{CONTACT}", "/audit"):
        response = client.get(f"{path}?lang={lang}")
        assert response.status_code == 200, path
        assert f'<html lang="{lang}">' in response.text
        assert heading in response.text
    assert client.get("/").text.startswith("<!DOCTYPE html>\n<html lang=\"da\">")


def test_an_unknown_language_is_refused_on_every_page(client: TestClient) -> None:
    for path in ("/", "/case", "/law", "/law/acts/lab", f"/law/rules/{CONTACT}", "/audit", "/audit/entries/1"):
        response = client.get(f"{path}?lang=fr")
        assert response.status_code == 400, path
        assert problems(response.text) == ["lang: unknown language &#39;fr&#39;; use da or en"], path
    posted = client.post("/case", data={"lang": "fr", "case": "x"})
    assert posted.status_code == 400 and "use da or en" in posted.text


def test_the_stylesheet_is_served_from_the_package(client: TestClient) -> None:
    response = client.get("/static/web.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    assert ".site-nav" in response.text
    assert "http" not in client.get("/case").text.split("<body")[0].replace("http-equiv", "")  # nothing from a CDN


# -- the caseworker ---------------------------------------------------------------------------

def test_the_form_has_a_field_for_each_common_fact_with_the_schemas_codes(rulebook: engine.Rulebook) -> None:
    schema = case_schema(rulebook.checked.inputs)
    shown = {f.path: f for f in caseform.fields(rulebook, "en", {}, {"yes": "yes", "no": "no"})}
    assert list(shown) == list(caseform.COMMON_FIELDS)
    benefit = schema["properties"]["citizen"]["properties"]["benefit"]
    assert [code for code, _ in shown["citizen.benefit"].options] == [c for c in benefit["enum"] if isinstance(c, str)]
    assert shown["citizen.birth_date"].widget == "date" and shown["citizen.complex_case"].widget == "yesno"
    assert shown["citizen.talks"].widget == "events"
    assert shown["citizen.benefit"].label == rulebook.checked.inputs["citizen.benefit"].title["en"]


def example_form(path: Path) -> dict[str, str]:
    """The form fields a caseworker fills in for an example case file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    form = {"case": data["case"], "municipality": data["municipality"], "as_of": str(data["as_of"])}
    for key, value in data["citizen"].items():
        if isinstance(value, list):
            value = "\n".join(f"{e['date']} {e['kind']}" for e in value) or caseform.NONE_HELD
        form[f"citizen.{key}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return form


def test_the_filled_form_gives_the_same_decision_as_the_case_file(rulebook: engine.Rulebook) -> None:
    form = example_form(HILLEROD)
    from_form = rulebook.evaluate(caseform.case_from_form(form), form["as_of"])
    from_file = rulebook.evaluate(HILLEROD)
    assert from_form.obligations == from_file.obligations and from_form.values == from_file.values


def test_an_empty_field_stays_unknown() -> None:
    assert caseform.case_from_form({"case": "x", "citizen.benefit": "", "citizen.complex_case": "false",
                                    "citizen.talks": "", "citizen.offers": "-"}) == \
        {"case": "x", "citizen": {"complex_case": False, "offers": []}}


@pytest.mark.parametrize("example, status", [(HILLEROD, "exempted"), (AARHUS, "applies")])
def test_the_posted_form_shows_the_report_with_the_contact_course(client: TestClient, rulebook: engine.Rulebook,
                                                                  example: Path, status: str) -> None:
    expected = next(o for o in rulebook.evaluate(example).obligations if o["rule"] == CONTACT)
    assert expected["status"] == status
    response = client.post("/case", data={**example_form(example), "lang": "en"})
    assert response.status_code == 200
    shown = card(response.text, CONTACT)
    assert f'data-status="{status}"' in shown and f'<time datetime="{expected["due"]}">' in shown
    for basis in expected.get("exempted_by", {}).get("legal_basis", []):
        assert f'href="{basis["eli"]}"' in shown


def test_the_language_switch_on_the_case_page_keeps_what_was_entered(client: TestClient) -> None:
    form = example_form(HILLEROD)
    page = client.get("/case?lang=da").text
    assert re.search(r'<button[^>]*id="lang-switch"[^>]*form="case-form"[^>]*name="switch_lang"[^>]*value="en"', page)
    switched = client.post("/case", data={**form, "lang": "da", "switch_lang": "en"})
    assert switched.status_code == 200 and '<html lang="en">' in switched.text
    for path in ("case", "citizen.birth_date", "citizen.benefit"):
        assert re.search(rf'name="{re.escape(path)}"[^>]*(value="{re.escape(form[path])}"|>)', switched.text)
    assert f'value="{form["citizen.birth_date"]}"' in switched.text and 'name="decided"' not in switched.text
    assert "decision-report" not in switched.text  # only filled in, not yet decided: nothing decided now
    decided = client.post("/case", data={**form, "lang": "en"})
    assert 'name="decided" value="1"' in decided.text
    again = client.post("/case", data={**form, "lang": "en", "decided": "1", "switch_lang": "da"})
    assert '<html lang="da">' in again.text and 'data-status="exempted"' in card(again.text, CONTACT)
    assert f'value="{form["citizen.birth_date"]}"' in again.text


def test_a_pasted_case_and_a_proposal(client: TestClient, rulebook: engine.Rulebook) -> None:
    proposal = next(iter(rulebook.checked.proposals))
    expected = rulebook.evaluate(AARHUS, proposals=[proposal])
    response = client.post("/case", data={"pasted": AARHUS.read_text(encoding="utf-8"), "proposal": proposal})
    assert response.status_code == 200
    for obligation in expected.obligations:
        assert f'data-status="{obligation["status"]}"' in card(response.text, obligation["rule"])
    assert re.search(rf'value="{proposal}" checked', response.text)


@pytest.mark.parametrize("form, message, hint", [
    ({"pasted": "case: x\nas_of: 2021-03-01\ncitizen: {benfit: kontanthjaelp}\n"},
     "citizen.benfit: unknown field", "did you mean &#39;citizen.benefit&#39;?"),
    ({"case": "x", "as_of": "2021-03-01", "citizen.birth_date": "1985-13-01"},
     "citizen.birth_date: expected a date YYYY-MM-DD, found &#39;1985-13-01&#39;", "write dates as YYYY-MM-DD"),
    ({"case": "x", "as_of": "2021-03-01", "citizen.benefit": "kontanthjalp"},
     "citizen.benefit: unknown code &#39;kontanthjalp&#39;", "did you mean &#39;kontanthjaelp&#39;?"),
    ({"case": "x"}, "the case has no as_of date", None),
    ({"case": "x", "as_of": "2021-03-01", "proposal": "no-such-proposal"},
     "unknown proposal &#39;no-such-proposal&#39;", None),
])
def test_a_bad_case_is_shown_on_the_page_with_its_field_and_hint(client: TestClient, form: dict[str, str],
                                                                  message: str, hint: str | None) -> None:
    response = client.post("/case", data=form)
    assert response.status_code == 422
    assert any(p.startswith(message) for p in problems(response.text)), problems(response.text)
    if hint:
        assert f"{hint}</span>" in response.text
    assert "Traceback" not in response.text and 'id="case-form"' in response.text  # the form again, to fix it


def test_malformed_pasted_yaml_is_named_with_its_line(client: TestClient) -> None:
    response = client.post("/case", data={"pasted": "case: x\ncitizen: [1,\n"})
    assert response.status_code == 422
    assert re.search(r'<span class="where">\(&lt;pasted case&gt;:\d+:\d+\)</span>', response.text)


def test_an_oversized_or_unreadable_form_is_refused_with_a_reason(client: TestClient) -> None:
    big = client.post("/case?lang=en", data={"pasted": "x" * 2_100_000})
    assert big.status_code == 400 and "more than 2000000" in big.text and "paste a smaller case" in big.text
    broken = client.post("/case", content=b"--b\r\nnot a part",
                         headers={"content-type": "multipart/form-data; boundary=b"})
    assert broken.status_code == 400 and problems(broken.text)[0].startswith("the form cannot be read")


# -- the legal officer ------------------------------------------------------------------------

def test_the_act_page_lists_under_each_paragraph_the_rules_citation_coverage_finds(client: TestClient,
                                                                                   rulebook: engine.Rulebook) -> None:
    page = client.get("/law/acts/lab").text
    versions = [v for v in citation_coverage.coverage(rulebook.checked.ruleset) if v.act == "LAB"]
    in_force_2021 = next(v for v in versions if v.version.in_force(__import__("datetime").date(2021, 3, 1)))
    section31 = next(rules for number, rules in in_force_2021.paragraphs.items() if str(number) == "31")
    assert CONTACT in section31
    for version in versions:
        assert f'href="{version.version.eli}"' in page
    assert f'href="/law/rules/{CONTACT}?lang=da"' in page


def test_the_rule_page_shows_formula_words_citations_and_scenarios(client: TestClient,
                                                                  rulebook: engine.Rulebook) -> None:
    page = client.get(f"/law/rules/{CONTACT}?lang=en").text
    rule = next(r for r in rulebook.checked.ruleset.rules if r.id == CONTACT)
    assert "Conditions in words" in page and "is at least 4" in page
    for citation in rule.refs:
        assert citation.text in page
    for version in rulebook.checked.legal_refs.act_of(rule.refs[0]).versions_between(*rule.window):
        assert f'href="{version.eli}"' in page
    links = re.findall(r'href="(/law/scenario\?file=[^"]+)"', page)
    assert links
    scenario = client.get(links[0].replace("&amp;", "&"))
    assert scenario.status_code == 200 and f'href="/law/rules/{CONTACT}?lang=en"' in scenario.text


@pytest.mark.parametrize("path, status, message", [
    ("/law/acts/labb", 404, "no act &#39;labb&#39;; did you mean lab"),
    ("/law/rules/lab.kontaktforloeb.fire_samtale", 404,
     "no rule &#39;lab.kontaktforloeb.fire_samtale&#39;; did you mean "),
    ("/law/scenario?file=../../etc/passwd&line=1", 404, "no scenario file &#39;../../etc/passwd&#39;"),
    ("/law/scenario?file=tests/scenarios/lab/kontaktforloeb_2019.yaml&line=x", 400,
     "line: &#39;x&#39; is not a line number"),
    ("/law/scenario?file=tests/scenarios/lab/kontaktforloeb_2019.yaml&line=2", 404,
     "tests/scenarios/lab/kontaktforloeb_2019.yaml: no scenario starts on line 2"),
    ("/law?lang=xx", 400, "lang: unknown language &#39;xx&#39;; use da or en"),
])
def test_unknown_law_is_answered_with_the_nearest_names(client: TestClient, path: str, status: int,
                                                        message: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert any(p.startswith(message) for p in problems(response.text)), problems(response.text)


def test_a_broken_scenario_file_is_named_on_the_rule_page(rulebook_copy: Path) -> None:
    folder = rulebook_copy / "tests" / "scenarios"
    folder.mkdir(parents=True)
    (folder / "broken.yaml").write_text("scenarios:\n  - name: [unclosed\n", encoding="utf-8")
    client = TestClient(make_app(engine.load(rulebook_copy), None))
    response = client.get(f"/law/rules/{CONTACT}?lang=en")
    assert response.status_code == 422
    assert re.search(r'<span class="where">\(.*broken\.yaml:\d+:\d+\)</span>', response.text), problems(response.text)


# -- the auditor ------------------------------------------------------------------------------

def test_the_auditor_opens_verifies_and_replays_an_entry(client: TestClient, rulebook: engine.Rulebook) -> None:
    opened = client.get("/audit?seq=2&lang=en", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/audit/entries/2?lang=en"
    page = client.get("/audit/entries/2?lang=en").text
    hillerod = rulebook.evaluate(HILLEROD)
    assert 'data-status="exempted"' in card(page, CONTACT) and hillerod.case in page
    verified = client.get("/audit/entries/2?action=verify&lang=en").text
    assert '<section id="verification" class="ok">' in verified and "2 entries" in verified
    replayed = client.get("/audit/entries/2?action=replay&lang=en").text
    assert '<section id="replay-result" class="ok">' in replayed and "The same decision today" in replayed


def tampered_copy(tmp_path: Path, log: Path, old: str, new: str) -> Path:
    """A copy of the log whose first entry has `old` replaced by `new`, as someone who drops the
    append-only trigger could do."""
    tampered = tmp_path / "tampered.sqlite"
    tampered.write_bytes(log.read_bytes())
    with sqlite3.connect(tampered) as db:
        db.execute("DROP TRIGGER entries_no_update")
        changed = db.execute("UPDATE entries SET content = replace(content, ?, ?) WHERE seq = 1 AND instr(content, ?)",
                             (old, new, old)).rowcount
    assert changed == 1, f"entry 1 does not hold {old}"
    return tampered


def test_a_tampered_entry_breaks_the_chain_on_the_page(tmp_path: Path, rulebook: engine.Rulebook,
                                                       decision_log: Path) -> None:
    tampered = tampered_copy(tmp_path, decision_log, '"751"', '"752"')
    page = TestClient(make_app(rulebook, tampered)).get("/audit/entries/2?action=verify&lang=en").text
    assert '<section id="verification" class="broken">' in page and "1: edited" in page


def test_a_record_whose_case_was_altered_is_not_replayed(tmp_path: Path, rulebook: engine.Rulebook,
                                                         decision_log: Path) -> None:
    tampered = tampered_copy(tmp_path, decision_log, '"birth_date":"1985-06-15"', '"birth_date":"1975-06-15"')
    response = TestClient(make_app(rulebook, tampered)).get("/audit/entries/1?action=replay&lang=en")
    assert response.status_code == 422
    assert any("the record has been altered" in p for p in problems(response.text)), problems(response.text)


@pytest.mark.parametrize("path, status, message", [
    ("/audit?seq=abc", 400, "seq: &#39;abc&#39; is not a sequence number"),
    ("/audit?seq=0", 400, "seq: &#39;0&#39; is not a sequence number"),
    ("/audit/entries/99", 404, "decisions.sqlite: no entry 99; the log holds entries 1 to 2"),
    ("/audit/entries/1?action=delete", 400, "action: unknown action &#39;delete&#39;; use verify or replay"),
])
def test_bad_sequence_numbers_are_answered_clearly(client: TestClient, path: str, status: int, message: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert any(message in p for p in problems(response.text)), problems(response.text)


def test_a_log_that_cannot_be_read_is_named(tmp_path: Path, rulebook: engine.Rulebook) -> None:
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"not a database at all")
    response = TestClient(make_app(rulebook, damaged)).get("/audit/entries/1?lang=en")
    assert response.status_code == 500 and "damaged.sqlite" in problems(response.text)[0]
    assert "<h1>The service cannot answer</h1>" in response.text
    assert "Traceback" not in response.text


def test_without_a_log_the_auditor_is_told_how_to_keep_one(rulebook: engine.Rulebook) -> None:
    client = TestClient(make_app(rulebook, None))
    assert "--log" in client.get("/audit?lang=en").text
    response = client.get("/audit/entries/1")
    assert response.status_code == 404 and "start it with --log DB" in response.text

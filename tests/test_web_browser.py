"""The web page in a real browser: headless Chromium (Debian's package) driven by Playwright,
against a real uvicorn on 127.0.0.1 serving the page's router.

Locally these tests skip when Chromium or Playwright is missing; under CI (``CI`` set) they fail
instead. Playwright drives the system's Chromium (`executable_path`); it never downloads one.
Screenshots are compared with reviewed reference images in `tests/golden/`, downscaled and
blurred, with a tolerance for font rendering; ``pytest --update-golden`` rewrites them (look at
each one before committing it).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

import engine
from engine.audit import log as auditlog, record as records
from engine.interfaces.service import caseform
from tests.screenshots import assert_matches_reference
from tests.web_app import make_app

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
LAYOUT_DECISION = GOLDEN / "report-layout-decision.json"
HILLEROD = REPO / "examples" / "hillerod-complex.yaml"
AARHUS = REPO / "examples" / "aarhus-complex.yaml"
CONTACT = "lab.kontaktforloeb.fire_samtaler"
WINDOW = (1000, 1400)
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
START_WAIT_S = 60  # how long the server may take to start on a loaded machine; not a measurement


def frozen_record() -> dict[str, Any]:
    """A decision record around the fixed decision of the report's layout test, so the screenshot
    of a logged decision changes only when the page's layout does."""
    decision = json.loads(LAYOUT_DECISION.read_text(encoding="utf-8"))
    return {"schema": records.SCHEMA, "decision": decision, "case_data": {"case": decision["case"]},
            "rulebook": {"fingerprint": decision["rulebook"]["fingerprint"]}}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason + " and CI is set: the browser tests must run")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server(rulebook: engine.Rulebook, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn on a free port of 127.0.0.1, with a decision log holding the two examples."""
    import uvicorn

    log = tmp_path_factory.mktemp("weblog") / "decisions.sqlite"
    for example in (AARHUS, HILLEROD):
        case = rulebook.read_case(example)
        records.keep(rulebook, case, rulebook.evaluate(case), log=log)
    auditlog.append(log, frozen_record())  # entry 3: a decision that no change of the rules moves
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(make_app(rulebook, log), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_WAIT_S
    while not running.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        _unavailable("Chromium is not installed (apt-get install chromium; .ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=found, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": WINDOW[0], "height": WINDOW[1]}, device_scale_factor=1,
                                  java_script_enabled=False)  # the page must work without scripts
    opened = context.new_page()
    yield opened
    context.close()


def fill_case(page: Any, example: Path) -> None:
    """Fill in the caseworker's form field by field from an example case file, and submit it."""
    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    page.fill("#f-case", data["case"])
    page.select_option("#f-municipality", data["municipality"])
    for key, value in data["citizen"].items():
        field = f"[id='f-citizen.{key}']"
        if isinstance(value, bool):
            page.select_option(field, str(value).lower())
        elif isinstance(value, list):
            page.fill(field, "\n".join(f"{e['date']} {e['kind']}" for e in value) or caseform.NONE_HELD)
        elif key in ("benefit", "readiness"):
            page.select_option(field, value)
        else:
            page.fill(field, str(value))
    page.fill("#as_of", str(data["as_of"]))
    page.click("#decide")
    page.locator("#report").wait_for()  # the answer page, not the form it was sent from


def arrive(page: Any, address: str) -> None:
    """Wait until the browser shows the page at `address` (a prefix), after a click sent it there."""
    page.wait_for_url(re.compile(re.escape(address)))


def contact_card(page: Any) -> Any:
    return page.locator(f"article.obligation[data-rule='{CONTACT}']")


def test_hillerod_shows_the_contact_course_exempted_by_en_plan_with_its_eli(server: str, page: Any,
                                                                            rulebook: engine.Rulebook) -> None:
    expected = next(o for o in rulebook.evaluate(HILLEROD).obligations if o["rule"] == CONTACT)
    page.goto(f"{server}/case?lang=en")
    fill_case(page, HILLEROD)
    card = contact_card(page)
    assert card.get_attribute("data-status") == "exempted" == expected["status"]
    exempted_by = card.locator("p.exempted-by")
    assert expected["exempted_by"]["rule"] in exempted_by.inner_text()
    assert "en_plan" in expected["exempted_by"]["rule"]
    links = exempted_by.locator("a.eli")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == \
        [b["eli"] for b in expected["exempted_by"]["legal_basis"]]
    assert links.first.is_visible()


def test_aarhus_shows_the_contact_course_applying_with_its_due_date(server: str, page: Any,
                                                                    rulebook: engine.Rulebook) -> None:
    expected = next(o for o in rulebook.evaluate(AARHUS).obligations if o["rule"] == CONTACT)
    page.goto(f"{server}/case?lang=da")
    fill_case(page, AARHUS)
    card = contact_card(page)
    assert card.get_attribute("data-status") == "applies" == expected["status"]
    assert card.locator("time").get_attribute("datetime") == expected["due"]
    assert expected["due"] in card.inner_text()
    assert page.locator("html").get_attribute("lang") == "da"


def test_a_bad_field_is_shown_on_the_page(server: str, page: Any) -> None:
    page.goto(f"{server}/case?lang=en")
    page.fill("#pasted", "case: x\nas_of: 2021-03-01\ncitizen: {benfit: kontanthjaelp}\n")
    page.click("#decide")
    problems = page.locator("#problems")
    problems.wait_for()
    assert "citizen.benfit: unknown field" in problems.inner_text()
    assert "did you mean 'citizen.benefit'?" in problems.inner_text()


def test_the_rule_browser_reaches_the_contact_course_from_the_lab_act(server: str, page: Any,
                                                                      rulebook: engine.Rulebook) -> None:
    page.goto(f"{server}/?lang=en")
    page.click("text=Legal officer")
    page.click("a:text-is('LAB')")
    arrive(page, f"{server}/law/acts/lab?lang=en")
    assert page.locator("h1").inner_text() == "LAB"
    page.locator(f"a.rule:text-is('{CONTACT}')").first.click()
    arrive(page, f"{server}/law/rules/{CONTACT}?lang=en")
    assert page.locator("h1").inner_text() == CONTACT
    rule = next(r for r in rulebook.checked.ruleset.rules if r.id == CONTACT)
    elis = {v.eli for v in rulebook.checked.legal_refs.act_of(rule.refs[0]).versions_between(*rule.window)}
    shown = page.locator("ul.cites a.eli")
    assert {shown.nth(i).get_attribute("href") for i in range(shown.count())} == elis
    page.locator("ul.scenarios a").first.click()
    arrive(page, f"{server}/law/scenario?")
    assert page.locator(f"ul.rules a:text-is('{CONTACT}')").count() == 1


def test_the_language_switch_keeps_the_page(server: str, page: Any) -> None:
    page.goto(f"{server}/law/acts/lab?lang=en")
    page.click("#lang-switch")
    arrive(page, f"{server}/law/acts/lab?lang=da")
    assert page.locator("h2").first.inner_text() == "Versioner"


def test_the_language_switch_on_the_case_page_keeps_the_facts_and_the_decision(server: str, page: Any) -> None:
    page.goto(f"{server}/case?lang=en")
    page.fill("#f-case", "typed-before-switching")
    page.click("#lang-switch")  # nothing decided yet: the form comes back in Danish, still filled in
    page.locator("html[lang='da']").wait_for()
    assert page.input_value("#f-case") == "typed-before-switching" and page.locator("#report").count() == 0
    fill_case(page, HILLEROD)
    page.click("#lang-switch")  # decided: the same decision, now in English
    page.locator("html[lang='en']").wait_for()
    assert contact_card(page).get_attribute("data-status") == "exempted"
    assert page.input_value("#as_of") == str(yaml.safe_load(HILLEROD.read_text(encoding="utf-8"))["as_of"])


def test_the_auditor_opens_an_entry_verifies_and_replays(server: str, page: Any) -> None:
    page.goto(f"{server}/audit?lang=en")
    page.fill("#seq", "2")
    page.click("#open-entry")
    arrive(page, f"{server}/audit/entries/2?lang=en")
    assert contact_card(page).get_attribute("data-status") == "exempted"
    page.click("#verify")
    arrive(page, f"{server}/audit/entries/2?lang=en&action=verify")
    assert page.locator("#verification h2").inner_text() == "The chain verifies"
    assert "3 entries" in page.locator("#verification").inner_text()
    page.click("#replay")
    arrive(page, f"{server}/audit/entries/2?lang=en&action=replay")
    assert page.locator("#replay-result h2").inner_text() == "The same decision today"


def screenshot(page: Any, tmp_path: Path, reference: str, request: pytest.FixtureRequest) -> None:
    shot = tmp_path / reference
    page.screenshot(path=str(shot))
    assert_matches_reference(shot, GOLDEN / reference, WINDOW, request.config.getoption("--update-golden"))


def test_screenshot_of_a_logged_decision_matches_the_reviewed_layout(server: str, page: Any, tmp_path: Path,
                                                                     request: pytest.FixtureRequest) -> None:
    page.goto(f"{server}/audit/entries/3?lang=en")
    screenshot(page, tmp_path, "web-logged-decision-en.png", request)


def test_screenshot_of_a_refused_case_matches_the_reviewed_layout(server: str, page: Any, tmp_path: Path,
                                                                  request: pytest.FixtureRequest) -> None:
    page.goto(f"{server}/case?lang=da")
    page.fill("#pasted", "case: x\nas_of: 2021-03-01\ncitizen: {benfit: kontanthjaelp, birth_date: 1985-13-01}\n")
    page.click("#decide")
    page.locator("#problems").wait_for()
    screenshot(page, tmp_path, "web-refused-case-da.png", request)


def test_screenshot_of_a_rule_matches_the_reviewed_layout(server: str, page: Any, tmp_path: Path,
                                                          request: pytest.FixtureRequest) -> None:
    page.goto(f"{server}/law/rules/{CONTACT}?lang=en")
    screenshot(page, tmp_path, "web-rule-en.png", request)

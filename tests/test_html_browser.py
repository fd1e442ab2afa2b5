"""The HTML report in a real browser: headless Chromium (Debian's package, installed by .ci/run).

Locally these tests skip when Chromium is missing; under CI (``CI`` set) they fail instead.
The layout checks read facts the browser computed (boxes, visible text) through a small probe
script the test appends to its own copy of the page; the report itself has no scripts.
The screenshot is compared with a reviewed reference image (`tests/screenshots.py`), downscaled, with a
tolerance for font rendering; ``pytest --update-golden`` rewrites the reference (review it before committing).
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import engine
from engine import report
from tests.screenshots import assert_matches_reference

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
LAYOUT_DECISION = GOLDEN / "report-layout-decision.json"
LAYOUT_PNG = GOLDEN / "report-layout-en.png"
WINDOW = (1000, 1400)
BROWSERS = ("chromium", "chromium-browser", "google-chrome")

PROBE = """<script>
(function () {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; };
  const steps = [...document.querySelectorAll('details.step')];
  const out = {
    viewport: innerWidth, width: document.documentElement.scrollWidth,
    text: document.body.innerText,
    headings: [...document.querySelectorAll('h2')].map(h => h.innerText),
    obligations: [...document.querySelectorAll('article.obligation')].map(a => ({
      rule: a.dataset.rule, status: a.dataset.status, box: box(a), text: a.innerText,
      links: [...a.querySelectorAll('p.basis a.eli')].map(l => ({href: l.href, box: box(l)}))})),
    folded: steps.map(d => d.querySelector('.step-body').checkVisibility()),
    summaries: steps.map(d => d.querySelector('summary').checkVisibility()),
  };
  steps.forEach(d => { d.open = true; });
  out.unfolded = steps.map(d => d.querySelector('.step-body').checkVisibility());
  out.unfolded_text = document.body.innerText;
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(out);
  document.body.append(pre);
})();
</script>"""


def browser() -> str:
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        reason = "Chromium is not installed (apt-get install chromium; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(reason + " and CI is set: the browser tests must run")
        pytest.skip(reason)
    return found


def run_browser(tmp_path: Path, page: Path, *action: str) -> subprocess.CompletedProcess[str]:
    command = [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-extensions", "--hide-scrollbars", "--force-device-scale-factor=1",
               f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--user-data-dir={tmp_path / 'profile'}",
               *action, page.as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


@pytest.fixture(scope="module")
def aarhus(rulebook: engine.Rulebook) -> engine.Decision:
    return rulebook.evaluate(REPO / "examples" / "aarhus-complex.yaml")


def probe(tmp_path: Path, page_html: str, script: str = PROBE) -> dict[str, Any]:
    page = tmp_path / "probed.html"
    page.write_text(page_html.replace("</body>", script + "\n</body>"), encoding="utf-8")
    dom = run_browser(tmp_path, page, "--dump-dom").stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, "the browser did not run the layout probe"
    return json.loads(html.unescape(found.group(1)))  # type: ignore[no-any-return]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_applicable_obligation_shows_with_its_eli_link(tmp_path: Path, aarhus: engine.Decision,
                                                              lang: str) -> None:
    seen = probe(tmp_path, aarhus.explain(format="html", lang=lang))
    applicable = [o for o in aarhus.obligations if o["status"] == "applies"]
    assert applicable
    shown = {o["rule"]: o for o in seen["obligations"]}
    for obligation in applicable:
        card = shown[obligation["rule"]]
        left, top, width, height = card["box"]
        assert width > 0 and height > 0 and left >= 0 and left + width <= seen["viewport"]
        assert card["status"] == "applies"
        assert [link["href"] for link in card["links"]] == [b["eli"] for b in obligation["legal_basis"]]
        assert all(link["box"][2] > 0 and link["box"][3] > 0 for link in card["links"])
        assert obligation["due"] is None or obligation["due"] in card["text"]
    assert seen["width"] <= seen["viewport"], "the page scrolls sideways"


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_section_heading_of_the_full_page_shows_its_word(tmp_path: Path, aarhus: engine.Decision,
                                                               lang: str) -> None:
    seen = probe(tmp_path, aarhus.explain(format="html", lang=lang))
    w = report.WORDS[lang]
    sections = ["obligations"] + (["exemptions"] if aarhus.exemptions else []) + ["values"]
    sections += (["missing"] if aarhus.missing else []) + ["trace"]
    assert seen["headings"] == [w[section] for section in sections]


def test_trace_is_folded_and_unfolds(tmp_path: Path, aarhus: engine.Decision) -> None:
    seen = probe(tmp_path, aarhus.explain(format="html", lang="en"))
    assert seen["folded"] and not any(seen["folded"])
    assert all(seen["unfolded"])
    top_level = [node.rule for node in aarhus.trace]
    assert sum(seen["summaries"]) == len(top_level)  # only the outermost steps show, folded
    assert "Reasoning step by step" in seen["text"]
    assert "Facts used" not in seen["text"] and "Facts used" in seen["unfolded_text"]


def test_prints_to_pdf(tmp_path: Path, aarhus: engine.Decision) -> None:
    page = tmp_path / "report.html"
    page.write_text(aarhus.explain(format="html", lang="da"), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    run_browser(tmp_path, page, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = max(int(n) for n in re.findall(rb"/Count (\d+)", data))
    assert pages >= 1
    links = set(re.findall(rb"/URI \((https://[^)]+)\)", data))
    expected = {b["eli"].encode() for o in aarhus.obligations if o["status"] == "applies" for b in o["legal_basis"]}
    assert expected <= links


def test_screenshot_matches_the_reviewed_layout(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    decision = json.loads(LAYOUT_DECISION.read_text(encoding="utf-8"))
    page = tmp_path / "layout.html"
    page.write_text(report.render(decision, format="html", lang="en"), encoding="utf-8")
    assert_screenshot_matches(tmp_path, page, LAYOUT_PNG, request)


def assert_screenshot_matches(tmp_path: Path, page: Path, reference: Path, request: pytest.FixtureRequest) -> None:
    """Screenshot `page` and compare it with the reviewed `reference` (rewritten by --update-golden)."""
    shot = tmp_path / "screenshot.png"
    # the virtual time budget lets the page finish painting before the shot, on a loaded machine too
    run_browser(tmp_path, page, "--virtual-time-budget=10000", f"--screenshot={shot}")
    assert_like_reference(shot, reference, request)


def assert_like_reference(shot: Path, reference: Path, request: pytest.FixtureRequest) -> None:
    """The screenshot has the reviewed reference's layout (``--update-golden`` rewrites the reference)."""
    assert_matches_reference(shot, reference, WINDOW, request.config.getoption("--update-golden"))

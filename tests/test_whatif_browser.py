"""The planning report of a refusion what-if and the staircase page in headless Chromium.

The charts must render (their SVG elements have boxes on the page), and the tables beside them
must show the comparison's numbers, read back through the DOM by a probe script appended to a
copy of the page (the pages themselves have no scripts). The screenshot of the planning report
is compared with a reviewed reference; ``pytest --update-golden`` rewrites it (look at it first).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import engine
from engine.planning import staircase_report, whatif, whatif_report, words
from engine.refusion import explain_week
from engine.refusion import payments as payment_records
from tests.test_html_browser import assert_like_reference, run_browser
from tests.test_html_browser import probe as probe_page
from tests.test_refusion_whatif import PROPOSAL, weekly_caseload

GOLDEN = Path(__file__).parent / "golden" / "whatif-report-en.png"
ABOUT = {"fingerprint": "sha256:reference", "engine_version": "reference"}

PROBE_CHARTS = """<script>
(function () {
  const box = e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
  const out = {
    viewport: innerWidth, width: document.documentElement.scrollWidth,
    charts: [...document.querySelectorAll('figure svg')].map(s => ({
      label: s.getAttribute('aria-label'), box: box(s),
      series: [...s.querySelectorAll('g[id]')].map(g => g.id).filter(i => /^(refusion|cofinancing|ordinal|reset|explained)/.test(i)),
      lines: [...s.querySelectorAll('g[id] path')].filter(p => box(p)[0] > 0 || box(p)[1] > 0).length})),
    tables: [...document.querySelectorAll('section.municipality')].map(sec => ({
      municipality: sec.dataset.municipality,
      rows: [...sec.querySelectorAll('tbody tr')].map(tr => [tr.querySelector('th').innerText,
             ...[...tr.querySelectorAll('td')].map(td => td.innerText)])})),
    staircase: [...document.querySelectorAll('table.staircase tbody tr')].map(tr => tr.innerText),
  };
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(out);
  document.body.append(pre);
})();
</script>"""


def probe(tmp_path: Path, page: str) -> dict[str, Any]:
    return probe_page(tmp_path, page, PROBE_CHARTS)


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory, rulebook: engine.Rulebook) -> whatif.RefusionComparison:
    path = weekly_caseload(tmp_path_factory.mktemp("browser") / "payments.csv", persons=3)
    return whatif.compare_refusion(rulebook, path, PROPOSAL)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_charts_render_and_the_tables_hold_the_numbers(tmp_path: Path, comparison: whatif.RefusionComparison,
                                                           lang: str) -> None:
    seen = probe(tmp_path, whatif_report.html(comparison, ABOUT, lang))
    municipalities = sorted({str(r["municipality"]) for r in comparison.records()})
    assert len(seen["charts"]) == len(municipalities)
    for chart in seen["charts"]:
        width, height = chart["box"]
        assert width > 300 and height > 100
        assert chart["label"]
        assert set(chart["series"]) >= {f"{k}-{s}" for k in ("refusion", "cofinancing") for s in ("without", "with")}
        assert chart["lines"] >= 4
    assert seen["width"] <= seen["viewport"], "the page scrolls sideways"
    shown = {t["municipality"]: t["rows"] for t in seen["tables"]}
    assert sorted(shown) == municipalities
    for municipality in municipalities:
        expected = [[str(r["month"])] + [words.grouped(r[f"{k}_{s}"], lang) for k in ("refusion", "cofinancing")
                                         for s in ("without", "with", "difference")]
                    for r in comparison.records() if r["municipality"] == municipality]
        assert shown[municipality] == expected


def test_the_staircase_page_marks_the_resets(tmp_path: Path, rulebook: engine.Rulebook) -> None:
    path = tmp_path / "ida.csv"
    lines = ["person,municipality,benefit,amount,from,to"]
    for first, count in (("2016-01-04", 30), ("2017-09-25", 20)):  # 60 weeks of work between: a reset
        monday = dt.date.fromisoformat(first)
        lines += [f"ida,751,kontanthjaelp,3000.00,{monday + dt.timedelta(weeks=w)},"
                  f"{monday + dt.timedelta(weeks=w, days=6)}" for w in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = payment_records.read_payments(path, rulebook.checked.inputs["citizen.benefit"].input.values)  # type: ignore[union-attr]
    weeks = explain_week.staircase(rulebook.program, read, "ida")
    resets = [w.monday for w in weeks if w.reset]
    assert len(resets) == 1
    page = staircase_report.html("ida", weeks, dt.date(2017, 9, 25), "explanation", "en")
    seen = probe(tmp_path, page)
    [chart] = seen["charts"]
    assert chart["box"][0] > 300 and chart["box"][1] > 100
    assert {"ordinal", "refusion-rate", "reset-0", "explained-week"} <= set(chart["series"])
    assert sum(1 for row in seen["staircase"] if row.rstrip().endswith("yes")) == 1
    assert len(seen["staircase"]) == 50 + 1  # 50 affected weeks, and the reset in a week without benefit
    assert any(row.startswith(resets[0].isoformat()) for row in seen["staircase"])


def test_screenshot_matches_the_reviewed_planning_report(tmp_path: Path, comparison: whatif.RefusionComparison,
                                                         request: pytest.FixtureRequest) -> None:
    page = tmp_path / "whatif.html"
    page.write_text(whatif_report.html(comparison, ABOUT, "en"), encoding="utf-8")
    shot = tmp_path / "whatif.png"
    run_browser(tmp_path, page, f"--screenshot={shot}")
    assert_like_reference(shot, GOLDEN, request)

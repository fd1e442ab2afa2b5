"""The planner's HTML pages in headless Chromium (launched as in `test_html_browser`): the charts
render (their SVG elements have boxes on the page), the tables beside them hold the report's
numbers, and a reviewed screenshot of the concentration page is kept as a reference
(``pytest --update-golden`` rewrites it; look at it before committing)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import engine
from engine.audit import exemption_report
from engine.planning import concentration as conc
from engine.planning import reports
from engine.planning.words import WORDS, percent
from engine.refusion import payments as payment_records
from tests.test_html_browser import assert_screenshot_matches
from tests.test_html_browser import probe as probe_page

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
CONCENTRATION_PNG = GOLDEN / "concentration-en.png"
PLACES = {"217": "Helsingør", "615": "Horsens", "751": "Aarhus"}

PROBE = """<script>
(function () {
  const box = e => { if (!e) return null; const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; };
  const cells = t => t ? [...t.querySelectorAll('tr')].map(r => [...r.children].map(c => c.innerText.trim())) : [];
  const svg = document.querySelector('svg');
  const out = {
    viewport: innerWidth, width: document.documentElement.scrollWidth,
    svg: box(svg), label: svg && svg.getAttribute('aria-label'),
    curves: [...document.querySelectorAll('g[id^="lorenz-"]')].map(g => ({
      id: g.id, box: box(g), path: (g.querySelector('path') || {getAttribute: () => ''}).getAttribute('d')})),
    equality: box(document.querySelector('g#equality')),
    axes: [...document.querySelectorAll('g[id^="matplotlib.axis_"]')].map(g => ({
      box: box(g), ticks: [...g.querySelectorAll('text')].map(t => t.textContent)})),
    bars: [...document.querySelectorAll('g[id^="lifted-"]')].map(g => ({id: g.id, box: box(g)})),
    lorenz_table: cells(document.querySelector('#lorenz-table')),
    segments: [...document.querySelectorAll('section.group')].map(s => ({
      group: s.dataset.group, rows: cells(s.querySelector('table.segments'))})),
    lifted_table: cells(document.querySelector('#lifted-table')),
  };
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(out);
  document.body.append(pre);
})();
</script>"""


@pytest.fixture(scope="module")
def result(rulebook: engine.Rulebook) -> conc.Concentration:
    codes = rulebook.checked.inputs["citizen.benefit"].input.values  # type: ignore[union-attr]
    return conc.measure(payment_records.read_payments(REPO / "examples" / "caseload" / "payments.parquet", codes), by="municipality")


def probe(tmp_path: Path, page_html: str) -> dict[str, Any]:
    return probe_page(tmp_path, page_html, PROBE)


def visible(box: list[float] | None) -> bool:
    return box is not None and box[2] > 0 and box[3] > 0


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_lorenz_chart_renders_with_its_numbers_beside_it(tmp_path: Path, result: conc.Concentration,
                                                             lang: str) -> None:
    seen = probe(tmp_path, reports.concentration(result, lang, PLACES))
    assert visible(seen["svg"]) and seen["label"] == WORDS[lang]["lorenz"]
    assert [c["id"] for c in seen["curves"]] == ["lorenz-all", "lorenz-217", "lorenz-615", "lorenz-751"]
    assert seen["lorenz_table"][0][1:] == [WORDS[lang]["all"]] + [f"{WORDS[lang]['municipality']} {code} {name}"
                                                                   for code, name in PLACES.items()]
    for curve in seen["curves"]:
        assert visible(curve["box"])
        assert curve["path"].startswith("M ") and curve["path"].count("L ") > 20  # a curve, not a dot
    assert visible(seen["equality"])
    assert len(seen["axes"]) == 2 and all(visible(a["box"]) for a in seen["axes"])
    assert "100 %" in seen["axes"][0]["ticks"] and "50 %" not in seen["axes"][0]["ticks"]
    table = seen["lorenz_table"]
    for row, point in zip(table[1:], conc.LORENZ_AT):
        assert row[0] == f"{point} %"
        assert row[1:] == [percent(conc.rounded(g.lorenz_at(point), 3), lang) for g in result.groups]
    for section, group in zip(seen["segments"], result.groups):
        shares = [row[3] for row in section["rows"][2:]]
        assert shares == [percent(conc.rounded(s.share, 3), lang) for s in group.segments]
    assert seen["width"] <= seen["viewport"], "the page scrolls sideways"


def test_the_exemption_chart_renders_each_provision_per_quarter(tmp_path: Path, rulebook: engine.Rulebook) -> None:
    cases = tmp_path / "cases.jsonl"
    base = yaml.safe_load((REPO / "examples" / "hillerod-complex.yaml").read_text(encoding="utf-8"))
    lines = []
    for n, as_of in enumerate(["2021-03-01", "2021-05-03", "2021-06-01", "2021-11-01"]):
        lines.append(json.dumps({**base, "case": f"c{n}/2021", "as_of": as_of}, default=str))
    cases.write_text("\n".join(lines) + "\n")
    usage = exemption_report.count_usage(rulebook, [cases], "quarter", ["tvaergaaende-borgerforloeb"])
    periods, rows = reports.lifted_table(usage)
    assert rows, "the example should have provisions set aside"
    seen = probe(tmp_path, reports.exemptions(usage, "en"))
    bars = {bar["id"]: bar["box"] for bar in seen["bars"]}
    for n, (_, counts) in enumerate(rows):
        for i, count in enumerate(counts):
            assert visible(bars[f"lifted-{n}-{i}"]) == (count > 0), (n, i)
    table = seen["lifted_table"]
    assert table[0][1:-1] == periods
    assert [row[0] for row in table[1:]] == [cite for cite, _ in rows]
    assert [[int(v) for v in row[1:]] for row in table[1:]] == [counts + [sum(counts)] for _, counts in rows]


def test_screenshot_of_the_concentration_page_matches_the_reviewed_one(tmp_path: Path, result: conc.Concentration,
                                                                     request: pytest.FixtureRequest) -> None:
    page = tmp_path / "concentration.html"
    page.write_text(reports.concentration(result, "en", PLACES), encoding="utf-8")
    assert_screenshot_matches(tmp_path, page, CONCENTRATION_PNG, request)

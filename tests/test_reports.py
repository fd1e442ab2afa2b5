"""Decision reports: text, Markdown, HTML and JSON, in Danish and English, show the same decision."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

import engine
from engine import report
from engine.report.words import WORDS

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


def undecided_case() -> dict[str, Any]:
    """Hillerød without the complex-case flag: whether the exemption holds is unknown."""
    case = yaml.safe_load((EXAMPLES / "hillerod-complex.yaml").read_text(encoding="utf-8"))
    del case["citizen"]["complex_case"]
    case["case"] = "undecided"
    return json.loads(json.dumps(case, default=str))


CASES = {path.stem: path for path in sorted(EXAMPLES.glob("*.yaml"))}


@pytest.fixture(scope="module", params=sorted(CASES) + ["undecided"])
def decision(request: pytest.FixtureRequest, rulebook: engine.Rulebook) -> engine.Decision:
    source = undecided_case() if request.param == "undecided" else CASES[request.param]
    return rulebook.evaluate(source)


Summary = list[tuple[str, str, str | None, tuple[tuple[str, str | None], ...]]]


def from_json(text: str) -> Summary:
    data = json.loads(text)  # decision@2: citations by key into the decision's legal_basis table
    table = data["legal_basis"]
    return [(o["rule"], o["status"], o["due"],
             tuple((f"{key} ({table[key]['version']})", table[key]["eli"]) for key in o["legal_basis"]))
            for o in data["obligations"]]


def status_of(word: str, lang: str) -> str:
    return next(k for k in ("applies", "exempted", "not_applicable", "unknown") if WORDS[lang][k] == word)


def from_text(text: str, lang: str) -> Summary:
    w = WORDS[lang]
    found: Summary = []
    blocks = re.split(r"\n  \[", text.split(f"\n\n{w['exemptions']}\n")[0].split(f"\n\n{w['values']}\n")[0])[1:]
    for block in blocks:
        head, *lines = block.split("\n")
        word, rule = head.split("] ")
        due = re.search(rf"· {w['due']} (\d{{4}}-\d\d-\d\d)", block)
        cites = tuple(re.match(rf"\s+{w['basis']}: (.+\)) (https://\S+)$", line).groups()  # type: ignore[union-attr]
                      for line in lines if line.strip().startswith(w["basis"] + ":"))
        found.append((rule, status_of(word.lower(), lang), due.group(1) if due else None, cites))
    return found


def from_markdown(text: str, lang: str) -> Summary:
    found: Summary = []
    for row in re.findall(r"^\| (.+) \| `([a-z0-9_.]+)` \| .+ \| (\S*) \| (.+) \|$", text, re.M):
        word, rule, due, basis = row
        cites = tuple(re.findall(r"\[(.+?\))\]\((https://[^)]+)\)", basis))
        found.append((rule, status_of(word, lang), due or None, cites))
    return found


class _Obligations(HTMLParser):
    """Reads each obligation card of the HTML report: its data attributes and the ELI links of its basis."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[list[Any]] = []
        self.in_basis = False
        self.link: str | None = None
        self.label = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "article":
            self.found.append([a["data-rule"], a["data-status"], a.get("data-due"), []])
        self.in_basis = self.in_basis or (tag == "p" and "basis" in (a.get("class") or "").split())
        if tag == "a" and self.in_basis:
            self.link, self.label = a["href"], ""

    def handle_data(self, data: str) -> None:
        if self.link is not None:
            self.label += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.link is not None:
            self.found[-1][3].append((self.label, self.link))
            self.link = None
        if tag == "p":
            self.in_basis = False


def from_html(text: str) -> Summary:
    parser = _Obligations()
    parser.feed(text)
    return [(r, s, d, tuple(c)) for r, s, d, c in parser.found]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_format_shows_the_same_obligations(decision: engine.Decision, lang: str) -> None:
    # the reports put what applies first; the JSON keeps rule-id order: compare as sorted lists
    expected = sorted(from_json(decision.explain(format="json", lang=lang)))
    assert expected, "the decision has obligations to compare"
    assert sorted(from_text(decision.explain(format="text", lang=lang), lang)) == expected
    assert sorted(from_markdown(decision.explain(format="markdown", lang=lang), lang)) == expected
    assert sorted(from_html(decision.explain(format="html", lang=lang))) == expected


def test_the_comparison_can_fail(rulebook: engine.Rulebook) -> None:
    decision = rulebook.evaluate(CASES["hillerod-complex"])
    text = decision.explain(format="markdown", lang="en").replace("| 2021-07-03 |", "| 2021-07-04 |", 1)
    assert from_markdown(text, "en") != from_json(decision.to_json())


def test_languages_share_everything_but_words(decision: engine.Decision) -> None:
    da, en = (decision.explain(format="html", lang=lang) for lang in ("da", "en"))
    assert from_html(da) == from_html(en)
    assert '<html lang="da">' in da and '<html lang="en">' in en


class TestSentences:
    def test_exempted_names_the_exemption_and_its_basis(self, rulebook: engine.Rulebook) -> None:
        text = rulebook.evaluate(CASES["hillerod-complex"]).explain(format="text", lang="en")
        assert ("The jobcentre is exempted from “At least 4 individual job talks within the first 6 months” "
                "(otherwise due 2021-07-03): frikommune.en_plan.2020 lifts it under BEK 1184/2019 §§ 22-30.") in text

    def test_not_applicable_says_which_condition_failed(self, rulebook: engine.Rulebook) -> None:
        text = rulebook.evaluate(CASES["aarhus-complex"]).explain(format="text", lang="da")
        assert "«Ret og pligt til tilbud inden for 1 måned (unge under 30 uden uddannelse)» gælder ikke, " \
               "fordi betingelsen ikke er opfyldt: lab.maalgruppe in {4, 5}." in text
        assert "✗ ikke opfyldt: lab.maalgruppe in {4, 5}" in text

    def test_unknown_lists_the_missing_facts(self, rulebook: engine.Rulebook) -> None:
        decision = rulebook.evaluate(undecided_case())
        assert decision.obligation("lab.kontaktforloeb.fire_samtaler")["status"] == "unknown"
        for lang, words in (("en", "Unknown whether “At least 4 individual job talks within the first 6 months” "
                                   "applies; missing: citizen.complex_case"),
                            ("da", "Ukendt, om «Mindst 4 individuelle")):
            assert words in decision.explain(format="markdown", lang=lang)
        assert "citizen.complex_case" in decision.explain(format="html", lang="en").split('id="missing"')[1]


class TestHtml:
    def test_is_self_contained(self, decision: engine.Decision) -> None:
        page = decision.explain(format="html", lang="en")
        for needle in ("<script", "<link", "src=", "@import", "url("):
            assert needle not in page
        links = re.findall(r'href="([^"]+)"', page)
        assert links and all(re.fullmatch(r"https://www\.retsinformation\.dk/eli/lta/\d{4}/\d+", h) for h in links)

    def test_trace_is_folded(self, decision: engine.Decision) -> None:
        page = decision.explain(format="html", lang="da")
        assert page.count("<details") == page.count("</details>") > 0
        assert "<details open" not in page

    def test_every_section_heading_is_a_word_of_its_language(self, decision: engine.Decision) -> None:
        for lang in ("da", "en"):
            headings = re.findall(r"<h2>(.*?)</h2>", decision.explain(format="html", lang=lang))
            words = {WORDS[lang][key] for key in ("obligations", "exemptions", "values", "missing", "trace")}
            assert {WORDS[lang]["obligations"], WORDS[lang]["values"], WORDS[lang]["trace"]} <= set(headings)
            assert set(headings) <= words, f"headings that are not words of {lang}: {set(headings) - words}"

    def test_escapes_what_it_shows(self, rulebook: engine.Rulebook) -> None:
        data = rulebook.evaluate(CASES["hillerod-complex"]).to_dict(include=("trace",))
        data["case"] = "<b>x</b>"
        page = report.render(data, format="html", lang="en")
        assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


RENDER_EVERY_FORMAT = """
import sys, engine
decision = engine.load().evaluate(sys.argv[1])
for fmt in ("text", "markdown", "html", "json"):
    for lang in ("da", "en"):
        sys.stdout.write(decision.explain(format=fmt, lang=lang))
"""


def test_every_format_is_byte_identical_across_processes() -> None:
    """Two interpreters, with different hash seeds and memory layouts, write the same bytes."""
    def run(seed: str) -> bytes:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        return subprocess.run([sys.executable, "-c", RENDER_EVERY_FORMAT, str(CASES["aarhus-complex"])],
                              capture_output=True, check=True, env=env).stdout

    first, second = run("1"), run("2")
    assert b"object at 0x" not in first
    assert first == second


class TestOneRule:
    @pytest.mark.parametrize("fmt", report.FORMATS)
    def test_explain_one_rule_in_every_format(self, rulebook: engine.Rulebook, fmt: str) -> None:
        decision = rulebook.evaluate(CASES["hillerod-complex"])
        shown = decision.explain("lab.kontaktforloeb.foerste_samtale", format=fmt, lang="en")
        assert "lab.kontaktforloeb.foerste_samtale" in shown and "frikommune.en_plan.2020" in shown
        assert "lab.ret_og_pligt.seks_maaneder" not in shown

    def test_unknown_format_and_language_are_refused(self, rulebook: engine.Rulebook) -> None:
        decision = rulebook.evaluate(CASES["hillerod-complex"])
        with pytest.raises(ValueError, match="unknown format 'pdf'"):
            decision.explain(format="pdf")
        with pytest.raises(ValueError, match="unknown language 'de'"):
            decision.explain(lang="de")

"""Fuzzing the inputs paragraf reads (issue 12): cases, batches of cases, rule files, legal
references and the decision log. Every input is answered with a result or a one-line error
naming its field path or position; never another exception, a hang or a lost good row.

The suite runs about 3,000 examples in a minute or so. The long run (docs/fuzzing.md) sets
PARAGRAF_FUZZ_SCALE to multiply every test's examples; PARAGRAF_FUZZ_SECONDS bounds one example.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine.audit import anchor, exemption_report, log as auditlog
from engine.lang.errors import EngineError

REPO = Path(__file__).resolve().parent.parent
SCALE = int(os.environ.get("PARAGRAF_FUZZ_SCALE", "1"))
SECONDS = int(os.environ.get("PARAGRAF_FUZZ_SECONDS", "30"))


def examples(default: int) -> Any:
    return settings(max_examples=SCALE * default, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


class Hang(Exception):
    """An example ran longer than PARAGRAF_FUZZ_SECONDS."""


@contextlib.contextmanager
def time_limit() -> Iterator[None]:
    def stop(signum: int, frame: Any) -> None:
        raise Hang(f"one example ran longer than {SECONDS} s")
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def answered(error: EngineError) -> None:
    """An engine error is an answer when each diagnostic has a message and a place: a span, or a
    field path / file name at the start of its message."""
    assert error.diagnostics
    for diagnostic in error.diagnostics:
        assert diagnostic.message.strip() and "\n" not in diagnostic.message.strip(), diagnostic
        assert diagnostic.spans or ":" in diagnostic.message or diagnostic.message.startswith("the case"), diagnostic


# --- cases -------------------------------------------------------------------------------------

GOOD_CASE: dict[str, Any] = {
    "case": "good", "as_of": "2022-06-01", "municipality": "101",
    "citizen": {"birth_date": "1990-04-01", "benefit": "kontanthjaelp", "benefit_since": "2021-12-06",
                "readiness": "jobparat", "vocational_education": True, "affected_week": 27,
                "talks": [{"date": "2022-01-04", "kind": "jobsamtale"}]},
}
NASTY_TEXT = st.sampled_from([
    "NaN", "nan", "Infinity", "-Infinity", "1e999999999", "1E5", "abc%", "NaN%", "inf%", "-1", "0", "1_000",
    "19900401", "1990-W14-1", "0000-01-01", "9999-12-31", "2024-02-30", "2024-02-29", "1850-01-01", "2200-12-31",
    "2201-01-01", "", " ", "\x00", "\ud800", "é" * 300, "9" * 40, "0." + "1" * 20, "101", "kontanthjaelp",
    "true", "yes", "null", "~", "40%", "1000.1%", "-5%", "12.345", "12.34", "2022-06-01T00:00:00",
])
LEAF = st.one_of(NASTY_TEXT, st.text(max_size=12), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                 st.booleans(), st.none(), st.dates().map(str))
JUNK = st.recursive(LEAF, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                  st.dictionaries(st.one_of(st.text(max_size=5), st.integers()),
                                                                  inner, max_size=3)), max_leaves=8)
FIELDS = ["case", "as_of", "municipality", "payments", "citizen", "citizen.birth_date", "citizen.benefit",
          "citizen.benefit_since", "citizen.readiness", "citizen.vocational_education", "citizen.affected_week",
          "citizen.talks", "citizen.complex_case", "citizen.sickness", "citizen.sickness.paid_days_9_months",
          "tilsyn", "tilsyn.forbedring", "tilsyn.aar", "extra", "citizen.talks.0"]


def _set_path(case: dict[str, Any], dotted: str, value: Any) -> None:
    parts, target = dotted.split("."), case
    for part in parts[:-1]:
        if isinstance(target, list):
            return
        if not isinstance(target.get(part), (dict, list)):
            target[part] = {}
        target = target[part]
    if isinstance(target, dict):
        target[parts[-1]] = value
    elif target:
        target[0] = value


def _fuzzed_case(changes: list[tuple[str, Any]]) -> dict[str, Any]:
    case = json.loads(json.dumps(GOOD_CASE))
    for field, value in changes:
        _set_path(case, field, value)
    return case


CASE_CHANGES = st.lists(st.tuples(st.sampled_from(FIELDS), JUNK), min_size=1, max_size=4)


@pytest.fixture(scope="module")
def book() -> engine.Rulebook:
    loaded = engine.load()
    _ = loaded.program
    return loaded


@examples(1500)
@given(changes=CASE_CHANGES)
def test_a_fuzzed_case_is_decided_or_refused_with_its_field(book: engine.Rulebook, changes: list[tuple[str, Any]]) -> None:
    with time_limit():
        try:
            decision = book.evaluate(_fuzzed_case(changes))
        except EngineError as exc:
            answered(exc)
            return
    json.loads(decision.to_json())


@examples(800)
@given(text=st.text(max_size=300), cut=st.integers(0, 400))
def test_fuzzed_case_text_is_decided_or_refused_with_its_position(book: engine.Rulebook, tmp_path_factory: Any,
                                                                  text: str, cut: int) -> None:
    source = (REPO / "examples" / "aarhus-complex.yaml").read_text(encoding="utf-8")
    path = tmp_path_factory.getbasetemp() / "case.yaml"
    path.write_text(source[:cut] + text + source[cut:], encoding="utf-8", errors="surrogatepass")
    with time_limit():
        try:
            book.evaluate(path)
        except EngineError as exc:
            answered(exc)


# --- batches: no good row is lost ----------------------------------------------------------------

BAD_LINES = st.one_of(CASE_CHANGES.map(lambda c: json.dumps(_fuzzed_case(c), default=str)),
                      st.text(max_size=40).filter(lambda t: "\n" not in t and "\r" not in t),
                      st.sampled_from(['{"case": "x", "citizen": {"affected_week": NaN}}', "[1, 2]", "{" * 5000,
                                       '{"case": "\\ud800"}', "null", '"text"']))


def _report(book: engine.Rulebook, path: Path) -> tuple[dict[str, Any], list[str]]:
    result = exemption_report.count_usage(book, [path])
    report = json.loads(exemption_report.render(result, "json", "en"))
    report.pop("bad_cases", None)
    return report, [bad.where for bad in result.bad]


@examples(60)
@given(lines=st.lists(st.tuples(st.booleans(), BAD_LINES), min_size=1, max_size=6))
def test_a_batch_keeps_every_good_case(book: engine.Rulebook, tmp_path_factory: Any,
                                       lines: list[tuple[bool, str]]) -> None:
    """The report over a batch with bad rows equals the report over a file of its good rows only,
    and every bad row is named by its line."""
    folder = tmp_path_factory.getbasetemp()
    mixed = [json.dumps({**GOOD_CASE, "case": f"good-{n}"}) if not bad else line for n, (bad, line) in enumerate(lines)]
    (folder / "mixed.jsonl").write_text("\n".join(mixed) + "\n", encoding="utf-8", errors="surrogatepass")
    with time_limit():
        report, bad = _report(book, folder / "mixed.jsonl")
    prefix = str(folder / "mixed.jsonl") + ":"
    assert all(where.startswith(prefix) and where[len(prefix):].isdigit() for where in bad)
    bad_lines = {int(where[len(prefix):]) for where in bad}
    with open(folder / "mixed.jsonl", encoding="utf-8", errors="surrogateescape") as handle:
        good_only = [text for number, text in enumerate(handle, 1) if number not in bad_lines]
    (folder / "good.jsonl").write_text("".join(good_only), encoding="utf-8", errors="surrogateescape")
    expected, none_bad = _report(book, folder / "good.jsonl")
    assert none_bad == [] and report == expected


# --- rule files and legal references --------------------------------------------------------------

RULE_FILE = """title: {da: Test, en: Test}
rules:
  - id: citizen.hours
    kind: input
    type: number
    title: {da: x, en: x}
    description: {da: x, en: x}
  - id: citizen.start
    kind: input
    type: date
    title: {da: x, en: x}
    description: {da: x, en: x}
  - id: x
    kind: value
    ref: LAB § 6
    valid_from: 2020-01-01
    priority: 1
    title: {da: x, en: x}
    expr: citizen.hours * 2 + 1
  - id: y
    kind: value
    ref: LAB § 6
    valid_from: 2020-01-01
    title: {da: x, en: x}
    expr: citizen.start + 8 weeks
"""
RULE_PIECES = st.one_of(
    st.sampled_from(["9" * 5000, "9" * 40, "x * x * x * x", "x * 0.0000000001", "citizen.start + 99999 years",
                     "citizen.start - 99999 days", "1 / 0", "LAB § 99999999", "LAB § 6, stk. 99999999999",
                     "{", "}", "- ", "  ", "\t", "!!python/object:os.system", "&a", "*a", "<<: *a", "'", '"',
                     "2020-13-01", "0000-01-01", "versions:", "NaN", ".inf", "x", "y", "x * y", "-"]),
    st.text(max_size=10))


@pytest.fixture(scope="module")
def rule_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzzbook")
    (folder / "rules").mkdir()
    (folder / "legal_refs").mkdir()
    (folder / "legal_refs" / "lab.yaml").write_bytes((REPO / "legal_refs" / "lab.yaml").read_bytes())
    return folder


def _load_and_evaluate(folder: Path) -> None:
    with time_limit():
        try:
            book = engine.load(folder)
        except EngineError as exc:
            answered(exc)
            return
        for diagnostic in book.diagnostics:
            assert diagnostic.spans and diagnostic.message, diagnostic
        if book.diagnostics:
            return
        for hours in ("999999999999999", "0", "1.5"):
            try:
                book.evaluate({"case": "t", "as_of": "2024-06-01",
                               "citizen": {"hours": hours, "start": "2024-01-01"}})
            except EngineError as exc:
                answered(exc)


@examples(250)
@given(at=st.integers(0, len(RULE_FILE)), cut=st.integers(0, 20), piece=RULE_PIECES)
def test_a_fuzzed_rule_file_is_checked_or_refused_with_its_position(rule_folder: Path, at: int, cut: int,
                                                                    piece: str) -> None:
    text = RULE_FILE[:at] + piece + RULE_FILE[at + cut:]
    (rule_folder / "rules" / "r.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    _load_and_evaluate(rule_folder)


LAB = (REPO / "legal_refs" / "lab.yaml").read_text(encoding="utf-8").splitlines(keepends=True)


@examples(80)
@given(line=st.integers(0, len(LAB) - 1), how=st.sampled_from(["indent", "dedent", "drop", "double", "replace"]),
       piece=RULE_PIECES)
def test_a_fuzzed_legal_refs_file_is_refused_with_its_position(rule_folder: Path, line: int, how: str,
                                                               piece: str) -> None:
    lines = list(LAB)
    lines[line] = {"indent": "  " + lines[line], "dedent": lines[line].lstrip(), "drop": "",
                   "double": lines[line] * 2, "replace": piece + "\n"}[how]
    (rule_folder / "rules" / "r.yaml").write_text(RULE_FILE, encoding="utf-8")
    (rule_folder / "legal_refs" / "lab.yaml").write_text("".join(lines), encoding="utf-8", errors="surrogatepass")
    try:
        _load_and_evaluate(rule_folder)
    finally:
        (rule_folder / "legal_refs" / "lab.yaml").write_text("".join(LAB), encoding="utf-8")


# --- the decision log ---------------------------------------------------------------------------

TAMPERS = st.sampled_from([
    "DELETE FROM entries WHERE seq = {n}", "DELETE FROM entries WHERE seq >= {n}", "DELETE FROM entries",
    "UPDATE entries SET content = 'x' WHERE seq = {n}", "UPDATE entries SET seq = seq + 10 WHERE seq = {n}",
    "UPDATE entries SET entry_hash = 'zz' WHERE seq = {n}", "UPDATE entries SET logged_at = NULL WHERE seq = {n}",
    "UPDATE entries SET content = '[' WHERE seq = {n}", "UPDATE entries SET seq = -{n} WHERE seq = {n}",
    "UPDATE head SET seq = {n} * 1000", "DELETE FROM head", "DROP TABLE head", "DROP TABLE entries",
    "UPDATE meta SET value = 'other'", "DELETE FROM signatures WHERE seq = {n}",
    "UPDATE entries SET kind = 42 WHERE seq = {n}", "UPDATE entries SET content = x'00ff' WHERE seq = {n}",
])


@examples(150)
@given(count=st.integers(0, 5), tampers=st.lists(st.tuples(TAMPERS, st.integers(1, 6)), max_size=3),
       flips=st.lists(st.tuples(st.integers(0, 20_000), st.integers(0, 255)), max_size=3),
       expect=st.lists(st.one_of(st.just("checkpoint"), st.text(max_size=70),
                                 st.sampled_from([auditlog.GENESIS, "f" * 64])), max_size=2))
def test_a_tampered_log_is_verified_or_refused(tmp_path_factory: Any, count: int, tampers: list[tuple[str, int]],
                                               flips: list[tuple[int, int]], expect: list[str]) -> None:
    folder = tmp_path_factory.mktemp("log")
    path = folder / "log.sqlite"
    with auditlog.DecisionLog(path) as log:
        for n in range(count):
            log.append({"schema": "paragraf/test-record@1", "n": n})
    (folder / "checkpoint").write_text(json.dumps(anchor.make_checkpoint(path)), encoding="utf-8")
    db = sqlite3.connect(path)
    for trigger in ("update", "delete", "replace"):
        db.execute(f"DROP TRIGGER IF EXISTS entries_no_{trigger}")
        db.execute(f"DROP TRIGGER IF EXISTS signatures_no_{trigger}")
    for statement, n in tampers:
        with contextlib.suppress(sqlite3.Error):
            db.execute(statement.format(n=n))
    db.commit()
    db.close()
    data = bytearray(path.read_bytes())
    for at, byte in flips:
        if at < len(data):
            data[at] = byte
    path.write_bytes(bytes(data))
    with time_limit():
        try:
            points = [anchor.read_checkpoint(str(folder / "checkpoint") if e == "checkpoint" else e) for e in expect]
            result = anchor.verify_anchored(path, points)
        except EngineError as exc:
            answered(exc)
            return
    assert all(p.message for p in result.problems)
    if not tampers and not flips and set(expect) <= {"checkpoint", auditlog.GENESIS}:
        assert result.ok, result.problems  # an untouched log holds its own checkpoint and the empty head

"""Runs the implementation-independent language conformance files in tests/conformance/.

Each file is `{given, types, as_of, cases}`; each case is `{expr, result}`, `{expr, error}` or
`{expr, unknown}` (optionally with `message` and `hint` substrings). For every file a tiny
rulebook is written once: one `input` rule per fact name and one `value` rule per case, and
the case is the facts in `given`. Names in `types` but not in `given` are declared and missing.
Cases whose error is `evaluation` get a rulebook of their own, since a failure stops evaluation.
"""
from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

import engine
from engine.lang.errors import Diagnostic, EvaluationError

HERE = Path(__file__).parent
LEGAL_REFS = HERE.parent / "legal_refs"
FILES = sorted((HERE / "conformance").glob("*.yaml"))
DEFAULT_AS_OF = "2024-06-01"
RUNTIME = "evaluation"


def _spec(path: Path) -> dict[str, Any]:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = set(spec) - {"given", "types", "as_of", "cases", "note"}
    assert not unknown, f"{path.name}: unknown top-level keys {unknown}"
    return spec


def _case_id(path: Path, index: int) -> str:
    return f"t.{path.stem}_{index:03d}"


def _params() -> list[Any]:
    params = []
    for path in FILES:
        for index, case in enumerate(_spec(path)["cases"]):
            params.append(pytest.param(path, index, case, id=f"{path.stem}-{index:03d}"))
    return params


# -- inputs ------------------------------------------------------------------------------------

def _infer_type(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, list):
        return "events"
    if isinstance(value, str):
        return "string"
    raise AssertionError(f"given {name}: cannot infer a type from {value!r}; add it under 'types'")


def _input_rule(name: str, kind: Any) -> dict[str, Any]:
    rule = {"id": name, "kind": "input", "title": {"da": name, "en": name}, "description": {"da": name, "en": name}}
    if isinstance(kind, dict):  # {code: [a, b, c]}
        assert list(kind) == ["code"], f"type of {name}: write {{code: [a, b]}}"
        return {**rule, "type": "code", "values": [str(v) for v in kind["code"]]}
    return {**rule, "type": kind}


def _fact(value: Any) -> Any:
    """A given value in the form a case dict carries it (no floats, dates as text)."""
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_fact(v) for v in value]
    if isinstance(value, dict):
        return {k: _fact(v) for k, v in value.items()}
    return value


def _case_dict(spec: dict[str, Any]) -> dict[str, Any]:
    case: dict[str, Any] = {"case": "conformance", "as_of": str(spec.get("as_of", DEFAULT_AS_OF))}
    for name, value in (spec.get("given") or {}).items():
        *parents, leaf = name.split(".")
        target = case
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = _fact(value)
    return case


# -- the rulebook ------------------------------------------------------------------------------

def _value_rule(rule_id: str, expr: str) -> dict[str, Any]:
    return {"id": rule_id, "kind": "value", "ref": "LAB § 6", "valid_from": dt.date(2020, 1, 1),
            "title": {"da": rule_id, "en": rule_id}, "expr": expr}


def _write_rulebook(folder: Path, spec: dict[str, Any], cases: list[tuple[str, str]]) -> engine.Rulebook:
    given, types = spec.get("given") or {}, spec.get("types") or {}
    inputs = [_input_rule(n, types.get(n) or _infer_type(n, given.get(n))) for n in sorted(set(given) | set(types))]
    (folder / "rules").mkdir(parents=True)
    (folder / "legal_refs").mkdir()
    shutil.copy(LEGAL_REFS / "lab.yaml", folder / "legal_refs" / "lab.yaml")
    for name, rules in (("inputs", inputs), ("exprs", [_value_rule(i, e) for i, e in cases])):
        text = yaml.safe_dump({"title": {"da": name, "en": name}, "rules": rules},
                              allow_unicode=True, width=10_000, sort_keys=False)
        (folder / "rules" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return engine.load(folder)


@attrs.define
class Built:
    """One file's rulebooks: the good cases evaluated once, the bad ones checked once."""

    decision: Any
    good_diagnostics: list[Diagnostic]
    bad_diagnostics: list[Diagnostic]


class Books:
    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self.factory, self.built = factory, {}  # type: dict[Path, Built]

    def get(self, path: Path) -> Built:
        if path not in self.built:
            self.built[path] = self._build(path)
        return self.built[path]

    def _build(self, path: Path) -> Built:
        spec = _spec(path)
        good, bad = [], []
        for index, case in enumerate(spec["cases"]):
            target = bad if "error" in case else good
            if case.get("error") != RUNTIME:
                target.append((_case_id(path, index), str(case["expr"])))
        good_book = _write_rulebook(self.factory.mktemp(f"{path.stem}_good"), spec, good)
        bad_book = _write_rulebook(self.factory.mktemp(f"{path.stem}_bad"), spec, bad)
        decision = good_book.evaluate(_case_dict(spec)) if not good_book.diagnostics else None
        return Built(decision, good_book.diagnostics, bad_book.diagnostics)

    def runtime(self, path: Path, index: int, expr: str) -> tuple[engine.Rulebook, dict[str, Any]]:
        spec = _spec(path)
        folder = self.factory.mktemp(f"{path.stem}_{index:03d}")
        return _write_rulebook(folder, spec, [(_case_id(path, index), expr)]), _case_dict(spec)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Books:
    return Books(tmp_path_factory)


# -- comparing ---------------------------------------------------------------------------------

def _expected(value: Any, where: str) -> Any:
    """The JSON form of an expected result; floats are refused so every number is exact."""
    if isinstance(value, float):
        raise AssertionError(f"{where}: write the decimal {value!r} as a quoted string")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_expected(v, where) for v in value]
    return value


def _describe(diagnostics: list[Diagnostic]) -> str:
    return "\n".join(f"  {d.category}: {d.message} ({d.rule} at {d.span})" for d in diagnostics) or "  (none)"


@pytest.mark.parametrize(("path", "index", "case"), _params())
def test_case(books: Books, path: Path, index: int, case: dict[str, Any]) -> None:
    rule_id, expr = _case_id(path, index), str(case["expr"])
    where = f"{path.name} case {index}: {expr}"
    assert sum(k in case for k in ("result", "error", "unknown")) == 1, f"{where}: give one of result, error, unknown"
    if case.get("error") == RUNTIME:
        _check_runtime_error(books, path, index, case, where)
    elif "error" in case:
        _check_error(books.get(path).bad_diagnostics, rule_id, case, where)
    else:
        _check_value(books.get(path), rule_id, case, where)


def _check_value(built: Built, rule_id: str, case: dict[str, Any], where: str) -> None:
    assert not built.good_diagnostics, f"the rulebook of good cases has problems:\n{_describe(built.good_diagnostics)}"
    decision = built.decision
    if "unknown" in case:
        assert rule_id in decision.unknown_values, f"{where}: expected unknown, got {decision.values.get(rule_id)!r}"
        assert sorted(decision.node(rule_id).missing) == sorted(case["unknown"]), where
        return
    assert rule_id in decision.values, f"{where}: no value (unknown: {rule_id in decision.unknown_values})"
    got, want = decision.values[rule_id], _expected(case["result"], where)
    assert type(got) is type(want) and got == want, f"{where}: expected {want!r}, got {got!r}"


def _check_error(diagnostics: list[Diagnostic], rule_id: str, case: dict[str, Any], where: str) -> None:
    own = [d for d in diagnostics if d.rule == rule_id]
    assert {d.category for d in own} == {case["error"]}, f"{where}: expected {case['error']}, got\n{_describe(own)}"
    _check_text(own, case, where)


def _check_runtime_error(books: Books, path: Path, index: int, case: dict[str, Any], where: str) -> None:
    rulebook, facts = books.runtime(path, index, str(case["expr"]))
    assert not rulebook.diagnostics, f"{where}: should check cleanly, got\n{_describe(rulebook.diagnostics)}"
    with pytest.raises(EvaluationError) as caught:
        rulebook.evaluate(facts)
    assert {d.category for d in caught.value.diagnostics} == {"evaluation"}, where
    _check_text(list(caught.value.diagnostics), case, where)


def _check_text(diagnostics: list[Diagnostic], case: dict[str, Any], where: str) -> None:
    if "message" in case:
        assert any(case["message"] in d.message for d in diagnostics), f"{where}: no message with {case['message']!r}:\n{_describe(diagnostics)}"
    if "hint" in case:
        assert any(case["hint"] in (d.hint or "") for d in diagnostics), f"{where}: no hint with {case['hint']!r}"
    assert all(d.spans for d in diagnostics), f"{where}: a diagnostic without a span"


def test_every_file_has_cases() -> None:
    assert len(FILES) >= 7
    assert sum(len(_spec(p)["cases"]) for p in FILES) >= 150

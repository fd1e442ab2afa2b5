"""YAML scenario tests: run by `paragraf test` and collected by pytest (this module is a plugin).

A scenario file holds optional `defaults` (a partial case) and `scenarios`, each with a
`name`, `as_of`, a partial `case` merged over the defaults, optional `with` (proposals),
and `expect`: obligation statuses (or `{status, due, fulfilled}`), `values`, `missing`,
values may be `not_in_force` or `unknown`, `exemptions` (true/false: whether it holds, or `{holds, lifted_obligations, lifts_include, versions}`),
or `error` (the category of a case error that must be raised).
"""
from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterator

import attrs
import pytest

from engine import rulebook as rulebook_module
from engine.errors import EngineError
from engine.yamlsource import YNode, read_yaml

NOT_IN_FORCE = "not_in_force"


@attrs.frozen
class Scenario:
    name: str
    path: str
    line: int
    as_of: str | None
    case: dict[str, Any]
    proposals: tuple[str, ...]
    expect: dict[str, Any]


@attrs.frozen
class Result:
    scenario: Scenario
    problems: tuple[str, ...]
    details: str = ""

    @property
    def passed(self) -> bool:
        return not self.problems

    def report(self) -> str:
        lines = [f"{self.scenario.path}:{self.scenario.line}: scenario '{self.scenario.name}' failed"]
        lines += [f"  {p}" for p in self.problems]
        if self.details:
            lines += ["", self.details.rstrip()]
        return "\n".join(lines)


def read_scenarios(path: Path) -> list[Scenario]:
    root = read_yaml(path, str(path))
    data = root.to_python()
    defaults = data.get("defaults") or {}
    nodes: list[YNode] = root.get("scenarios").value if root.get("scenarios") else []  # type: ignore[union-attr,assignment]
    out = []
    for node in nodes:
        item = node.to_python()
        case = _merge(copy.deepcopy(defaults), item.get("case") or {})
        case.setdefault("case", item.get("name", "scenario"))
        out.append(Scenario(str(item.get("name", "?")), str(path), node.span.line, item.get("as_of"), case,
                            tuple(item.get("with") or ()), item.get("expect") or {}))
    return out


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def run(book: rulebook_module.Rulebook, scenario: Scenario) -> Result:
    """Evaluate one scenario and compare with what it expects."""
    expected_error = scenario.expect.get("error")
    try:
        decision = book.evaluate(scenario.case, scenario.as_of, scenario.proposals)
    except EngineError as exc:
        if expected_error and exc.diagnostics and exc.diagnostics[0].category == expected_error:
            return Result(scenario, ())
        return Result(scenario, (f"evaluation failed: {exc}",))
    if expected_error:
        return Result(scenario, (f"expected a {expected_error} error, but the case evaluated",))
    problems, shown = [], set()
    for rule_id, want in (scenario.expect.get("obligations") or {}).items():
        found = _obligation_problems(decision, rule_id, want)
        problems += found
        if found:
            shown.add(rule_id)
    for name, want in (scenario.expect.get("values") or {}).items():
        in_force = name in decision.values or name in decision.unknown_values
        if want == NOT_IN_FORCE:
            if in_force:
                problems.append(f"value {name}: expected it not to be in force on {decision.as_of}, but it is")
        elif not in_force:
            problems.append(f"value {name}: expected {want!r}, but it is not in force")
        elif want == "unknown" or name not in decision.values:
            if (want == "unknown") != (name in decision.unknown_values):
                problems.append(f"value {name}: expected {want!r}, got "
                                f"{'unknown' if name in decision.unknown_values else repr(decision.values[name])}")
        elif not _same(want, decision.values[name]):
            problems.append(f"value {name}: expected {want!r}, got {decision.values[name]!r}")
            shown.add(name)
    for rule_id, want in (scenario.expect.get("exemptions") or {}).items():
        problems += _exemption_problems(decision, rule_id, want)
    if "missing" in scenario.expect and sorted(scenario.expect["missing"] or []) != list(decision.missing):
        problems.append(f"missing: expected {sorted(scenario.expect['missing'] or [])}, got {list(decision.missing)}")
    details = "\n".join(_trace_of(decision, rule_id) for rule_id in sorted(shown))
    return Result(scenario, tuple(problems), details)


def _trace_of(decision: Any, rule_id: str) -> str:
    node = decision.node(rule_id)
    if node is None:
        definitions = [n for n in decision.trace if n.kind == "value" and rule_id in n.rule]
        node = definitions[0] if definitions else None
    return decision.explain(node.rule, lang="en") if node is not None else ""


def _obligation_problems(decision: Any, rule_id: str, want: Any) -> list[str]:
    want = want if isinstance(want, dict) else {"status": want}
    found = decision.obligation(rule_id)
    if found is None:
        return [] if want.get("status") == NOT_IN_FORCE else [
            f"obligation {rule_id}: expected status {want.get('status')}, but it is not in force on {decision.as_of}"]
    problems = []
    for key, expected in want.items():
        actual = found.get(key)
        if key == "exempted_by":
            actual = (found.get("exempted_by") or {}).get("rule")
        if not _same(expected, actual):
            problems.append(f"obligation {rule_id}: expected {key} {expected!r}, got {actual!r}")
    return problems


def _exemption_problems(decision: Any, rule_id: str, want: Any) -> list[str]:
    """An exemption holds when the decision lists it; `versions` are the act versions its basis cites."""
    want = want if isinstance(want, dict) else {"holds": want}
    found = next((e for e in decision.exemptions if e["rule"] == rule_id), None)
    if want.get("holds", True) != (found is not None):
        return [f"exemption {rule_id}: expected it {'to hold' if want.get('holds', True) else 'not to hold'}"
                f" on {decision.as_of}, but it {'does' if found else 'does not'}"]
    if found is None:
        return []
    actual = {"lifted_obligations": found["lifted_obligations"],
              "versions": [b["version"] for b in found["legal_basis"]]}
    problems = [f"exemption {rule_id}: expected {key} {sorted(want[key])!r}, got {sorted(actual[key])!r}"
                for key in actual if key in want and sorted(want[key]) != sorted(actual[key])]
    absent = sorted(set(want.get("lifts_include") or ()) - set(found["lifted_obligations"]))
    return problems + ([f"exemption {rule_id}: does not lift {absent}"] if absent else [])


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool) or expected is None or actual is None:
        return expected == actual
    try:
        return Decimal(str(expected)) == Decimal(str(actual))
    except InvalidOperation:
        return str(expected) == str(actual)


def scenario_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files += sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    return files


def run_paths(book: rulebook_module.Rulebook, paths: list[Path]) -> list[Result]:
    return [run(book, scenario) for file in scenario_files(paths) for scenario in read_scenarios(file)]


# -- pytest plugin -------------------------------------------------------------------------

_BOOKS: dict[str, rulebook_module.Rulebook] = {}


def _book(config: pytest.Config) -> rulebook_module.Rulebook:
    location = config.getoption("paragraf_rules", None)
    key = str(location)
    if key not in _BOOKS:
        _BOOKS[key] = rulebook_module.load(location)
    return _BOOKS[key]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--paragraf-rules", dest="paragraf_rules", default=None,
                     help="rulebook for YAML scenarios (default: the bundled one)")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and "scenarios" in file_path.parts:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        for scenario in read_scenarios(self.path):
            yield ScenarioItem.from_parent(self, name=scenario.name, scenario=scenario)


class ScenarioFailure(Exception):
    pass


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        result = run(_book(self.config), self.scenario)
        if not result.passed:
            raise ScenarioFailure(result.report())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.scenario.line - 1, f"scenario: {self.scenario.name}"

"""YAML scenario tests: run by `paragraf test` and collected by pytest (`engine.officer.pytest_plugin`).

A scenario file holds optional `defaults` (a partial case) and `scenarios`, each with a
`name`, `as_of`, a partial `case` merged over the defaults, optional `with` (proposals),
and `expect`: obligation statuses (or `{status, due, fulfilled}`), `values`, `missing`,
`exemptions` (true/false: whether it holds, or `{holds, lifted_obligations, lifts_include, versions}`),
or `error` (the category of a case error that must be raised).
"""
from __future__ import annotations

import copy
import difflib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

from engine.lang import ast
from engine import rulebook as rulebook_module
from engine.officer.scenario_coverage import Coverage
from engine.lang.errors import EngineError
from engine.decide.trace import TraceNode
from engine.lang.yamlsource import YNode, read_yaml

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
    lines: dict[str, int] = attrs.field(factory=dict, eq=False)  # "values.x" -> line of that expectation
    payments: tuple[dict[str, Any], ...] = ()   # a payment-based scenario (engine.officer.payment_scenarios)
    facts: dict[str, Any] = attrs.field(factory=dict)

    @property
    def label(self) -> str:
        return f"{self.path}:{self.line} {self.name}"

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


@attrs.frozen
class Problem:
    """One expectation that did not hold: where it is written, what it wanted and what came out."""

    line: int
    subject: str
    expected: Any = None
    actual: Any = None
    rule: str = ""
    why: str = ""
    formula: str = ""

    def lines(self, path: str) -> list[str]:
        out = [f"{path}:{self.line}: {self.subject}"]
        if self.expected is not None or self.actual is not None:
            out += [f"  expected: {_shown(self.expected)}", f"  actual:   {_shown(self.actual)}"]
        out += [f"  rule:     {self.rule}"] if self.rule else []
        out += [f"  computed: {self.formula}"] if self.formula else []
        out += ["  why:"] + [f"    {line}" for line in self.why.splitlines()] if self.why else []
        return out


@attrs.frozen
class Result:
    scenario: Scenario
    problems: tuple[Problem, ...]

    @property
    def passed(self) -> bool:
        return not self.problems

    def report(self) -> str:
        lines = [f"{self.scenario.path}:{self.scenario.line}: scenario '{self.scenario.name}' failed "
                 f"(as of {self.scenario.as_of or 'the case date'})"]
        for problem in self.problems:
            lines += ["  " + line for line in problem.lines(self.scenario.path)]
        return "\n".join(lines)


def _shown(value: Any) -> str:
    if value is None:
        return "nothing (no value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


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
                            tuple(item.get("with") or ()), item.get("expect") or {}, _expect_lines(node),
                            tuple(item.get("payments") or ()), item.get("person") or {}))
    return out


def _expect_lines(node: YNode) -> dict[str, int]:
    expect = node.get("expect")
    lines: dict[str, int] = {}
    for section, span in (expect.key_spans.items() if expect is not None else ()):
        lines[section] = span.line
        child = expect.get(section) if expect is not None else None
        lines.update((f"{section}.{key}", key_span.line) for key, key_span in (child.key_spans.items() if child else ()))
    return lines


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def run(book: rulebook_module.Rulebook, scenario: Scenario, coverage: Coverage | None = None) -> Result:
    """Evaluate one scenario and compare with what it expects (recording coverage if asked)."""
    if scenario.payments:
        from engine.officer import payment_scenarios

        problems = payment_scenarios.run(book, scenario, coverage)
        return Result(scenario, tuple(Problem(scenario.line, text) for text in problems))
    expected_error = scenario.expect.get("error")
    try:
        decision = book.evaluate(scenario.case, scenario.as_of, scenario.proposals)
    except EngineError as exc:
        if expected_error and exc.diagnostics and exc.diagnostics[0].category == expected_error:
            return Result(scenario, ())
        return Result(scenario, (Problem(scenario.line, f"the case could not be evaluated: {exc}"),))
    if coverage is not None:
        coverage.record(decision.trace, scenario.label)
    if expected_error:
        return Result(scenario, (Problem(scenario.line_of("error"),
                                         f"expected a {expected_error} error, but the case evaluated"),))
    check = _Check(book, decision, scenario)
    for rule_id, want in (scenario.expect.get("obligations") or {}).items():
        check.obligation(rule_id, want)
    for name, want in (scenario.expect.get("values") or {}).items():
        check.value(name, want)
    for rule_id, want in (scenario.expect.get("exemptions") or {}).items():
        check.exemption(rule_id, want)
    if "missing" in scenario.expect:
        check.missing(sorted(scenario.expect["missing"] or []))
    return Result(scenario, tuple(check.problems))


class _Check:
    """Compares one decision with a scenario's expectations, explaining each difference."""

    def __init__(self, book: rulebook_module.Rulebook, decision: Any, scenario: Scenario) -> None:
        self.book, self.decision, self.scenario = book, decision, scenario
        self.problems: list[Problem] = []

    def obligation(self, rule_id: str, want: Any) -> None:
        want = want if isinstance(want, dict) else {"status": want}
        line = self.scenario.line_of(f"obligations.{rule_id}")
        found = self.decision.obligation(rule_id)
        if found is None:
            if want.get("status") != NOT_IN_FORCE:
                self.problems.append(Problem(line, f"obligation {rule_id}: {self._absent(rule_id)}",
                                             want.get("status"), NOT_IN_FORCE, self._rule_text(rule_id)))
            return
        for key, expected in want.items():
            actual = (found.get("exempted_by") or {}).get("rule") if key == "exempted_by" else found.get(key)
            if not _same(expected, actual):
                self.problems.append(Problem(line, f"obligation {rule_id}: wrong {key}", expected, actual,
                                             self._rule_text(rule_id), self._why(rule_id)))

    def value(self, name: str, want: Any) -> None:
        line = self.scenario.line_of(f"values.{name}")
        if name not in self.decision.values and name not in self.decision.unknown_values:
            if want != NOT_IN_FORCE:
                self.problems.append(Problem(line, f"value {name}: {self._absent(name)}", want, NOT_IN_FORCE,
                                             self._rule_text(name)))
            return
        actual = self.decision.values.get(name, "unknown")
        if not _same(want, actual):
            node = self.decision.node(name)
            rule = node.rule if node is not None and node.note is None else name
            self.problems.append(Problem(line, f"value {name}: wrong value", want, actual,
                                         self._rule_text(rule), self._why(name), self._formula(rule)))

    def exemption(self, rule_id: str, want: Any) -> None:
        """An exemption holds when the decision lists it; `versions` are the act versions its basis cites."""
        want = want if isinstance(want, dict) else {"holds": want}
        line = self.scenario.line_of(f"exemptions.{rule_id}")
        found = next((e for e in self.decision.exemptions if e["rule"] == rule_id), None)
        if want.get("holds", True) != (found is not None):
            self.problems.append(Problem(line, f"exemption {rule_id}: whether it holds on {self.decision.as_of}",
                                         want.get("holds", True), found is not None, self._rule_text(rule_id)))
            return
        if found is None:
            return
        actual = {"lifted_obligations": sorted(found["lifted_obligations"]),
                  "versions": sorted(b["version"] for b in found["legal_basis"])}
        for key in (k for k in actual if k in want and sorted(want[k]) != actual[k]):
            self.problems.append(Problem(line, f"exemption {rule_id}: wrong {key}", sorted(want[key]), actual[key],
                                         self._rule_text(rule_id)))
        absent = sorted(set(want.get("lifts_include") or ()) - set(found["lifted_obligations"]))
        if absent:
            self.problems.append(Problem(line, f"exemption {rule_id}: does not lift all of lifts_include",
                                         absent, found["lifted_obligations"], self._rule_text(rule_id)))

    def missing(self, want: list[str]) -> None:
        if want != list(self.decision.missing):
            self.problems.append(Problem(self.scenario.line_of("missing"), "the missing facts differ",
                                         ", ".join(want) or "none", ", ".join(self.decision.missing) or "none"))

    def _absent(self, rule_id: str) -> str:
        rules = self._rules(rule_id)
        if not rules:
            known = [r.id for r in self.book.checked.ruleset.rules] + list(self.book.checked.values)
            close = difflib.get_close_matches(rule_id, known, n=1)
            return "no such rule or value in the rulebook" + (f"; did you mean '{close[0]}'?" if close else "")
        windows = ", ".join(f"{r.valid_from or 'open'} to {r.valid_to or 'open'}" for r in rules)
        return f"not in force on {self.decision.as_of} (in force {windows})"

    def _rules(self, rule_id: str) -> list[Any]:
        checked = self.book.checked
        rule = checked.rule(rule_id)
        return [rule] if rule is not None and rule.kind != "value" else list(checked.values.get(rule_id, ())) or (
            [rule] if rule is not None else [])

    def _rule_text(self, rule_id: str) -> str:
        rules = self._rules(rule_id)
        return "; ".join(
            f"{r.id} \"{r.title.get('en') or r.title.get('da', '')}\" at {r.span.path}:{r.span.line}, cites "
            + (", ".join(c.text for c in r.refs) or "nothing") for r in rules[:3])

    def _formula(self, rule_id: str) -> str:
        rule = self.book.checked.rule(rule_id)
        if rule is None or rule.expr is None:
            return ""
        condition = f"when {ast.to_source(rule.when)}: " if rule.when is not None else ""
        return condition + ast.to_source(rule.expr)

    def _why(self, rule_id: str) -> str:
        node = self.decision.node(rule_id)
        return compact_trace(node) if node is not None else ""


def compact_trace(node: TraceNode, depth: int = 0, max_depth: int = 3) -> str:
    """A trace in a few lines: each rule with its value, citation, facts and the parts that failed."""
    pad = "  " * depth
    cites = "; ".join(c["cite"] for c in node.cites)
    lines = [f"{pad}{node.rule} = {_shown(node.value)}" + (f"   [{cites}]" if cites else "")]
    if node.note == "no definition applies":
        lines[0] += "   (no definition applies)"
    if node.inputs:
        lines.append(f"{pad}  facts: " + ", ".join(f"{k} = {_fact(v)}" for k, v in node.inputs.items()))
    lines += [f"{pad}  not met: {part.expr}  (" + ", ".join(f"{k} = {_fact(v)}" for k, v in part.facts.items()) + ")"
              for part in node.failed]
    if node.missing:
        lines.append(f"{pad}  missing: {', '.join(node.missing)}")
    quiet = [c for c in node.children if c.kind == "exemption" and c.value is False]
    for child in (c for c in node.children if c not in quiet):
        lines.append(compact_trace(child, depth + 1, max_depth) if depth + 1 < max_depth else f"{pad}  {child.rule} = …")
    if quiet:
        lines.append(f"{pad}  exemptions that did not hold: {', '.join(c.rule for c in quiet)}")
    return "\n".join(lines)


def _fact(value: Any) -> str:
    if isinstance(value, list):
        return f"[{len(value)} events]" if value else "[]"
    return _shown(value)


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool) or expected is None or actual is None:
        return bool(expected == actual)
    try:
        return Decimal(str(expected)) == Decimal(str(actual))
    except InvalidOperation:
        return str(expected) == str(actual)


def scenario_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files += sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    return files


def run_paths(book: rulebook_module.Rulebook, paths: list[Path], coverage: Coverage | None = None) -> list[Result]:
    """Run every scenario below `paths`; with `coverage`, record what they exercised."""
    if coverage is not None:
        book = book.instrumented(coverage)
    return [run(book, scenario, coverage) for file in scenario_files(paths) for scenario in read_scenarios(file)]

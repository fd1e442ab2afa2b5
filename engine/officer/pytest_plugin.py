"""The pytest plugin of paragraf (entry point `pytest11`): pytest collects every YAML file in a
`scenarios` folder as scenario tests (`engine.officer.scenarios`), with `--paragraf-rules` to
choose the rulebook and `--paragraf-coverage` to report what no scenario exercised.

Kept apart from the scenarios themselves so that `paragraf test`, the act index and the service
run scenarios without pytest installed.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import rulebook as rulebook_module
from engine.officer.scenario_coverage import Coverage
from engine.officer.scenarios import Scenario, read_scenarios, run

_BOOKS: dict[str, rulebook_module.Rulebook] = {}
_COVERAGE = pytest.StashKey[Coverage]()


def _book(config: pytest.Config) -> rulebook_module.Rulebook:
    location = config.getoption("paragraf_rules", None)
    recorder = config.stash.get(_COVERAGE, None)
    key = f"{location}:{id(recorder)}"
    if key not in _BOOKS:
        book = rulebook_module.load(location)
        _BOOKS[key] = book.instrumented(recorder) if recorder is not None else book
    return _BOOKS[key]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--paragraf-rules", dest="paragraf_rules", default=None,
                     help="rulebook for YAML scenarios (default: the bundled one)")
    parser.addoption("--paragraf-coverage", dest="paragraf_coverage", action="store_true", default=False,
                     help="report the rules and condition branches no YAML scenario exercised")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("paragraf_coverage", False):
        config.stash[_COVERAGE] = Coverage()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    recorder = config.stash.get(_COVERAGE, None)
    if recorder is None:
        return
    checked = _book(config).checked
    terminalreporter.write_sep("-", "paragraf scenario coverage")
    terminalreporter.write(recorder.report(checked.ruleset.rules, checked.types).render())


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
        result = run(_book(self.config), self.scenario, self.config.stash.get(_COVERAGE, None))
        if not result.passed:
            raise ScenarioFailure(result.report())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.scenario.line - 1, f"scenario: {self.scenario.name}"

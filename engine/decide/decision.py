"""The decision: what a case's evaluation found, in the `paragraf/decision@2` JSON contract.

`to_dict()` / `to_json()` give the compact form (see `engine.report.forms`); the explanation
tree is built from what the evaluation recorded only when asked for (``include=("trace",)``,
`trace`, `explain`, `node`).
"""
from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any, Callable, Iterable

import attrs

from engine import report
from engine.report.forms import SCHEMA_V2 as SCHEMA
from engine.decide.trace import TraceNode
from engine.lang.errors import EngineError

if TYPE_CHECKING:
    from engine.decide.counterfactuals import WhatIf

INCLUDES = ("trace",)


class Origin:
    """What a decision was evaluated from (program, case, proposals), for counterfactuals. It is
    left out when the decision is pickled: compiled closures do not pickle."""

    __slots__ = ("program", "case", "proposals")

    def __init__(self, program: Any, case: Any, proposals: tuple[Any, ...]) -> None:
        self.program, self.case, self.proposals = program, case, proposals

    def __reduce__(self) -> tuple[Any, ...]:
        return (_no_origin, ())


def _no_origin() -> None:
    return None


class Explanation:
    """The trace, built once on first use from the evaluation's records (and kept when pickled)."""

    def __init__(self, build: Callable[[], Iterable[TraceNode]]) -> None:
        self._build: Callable[[], Iterable[TraceNode]] | None = build
        self._nodes: tuple[TraceNode, ...] | None = None

    def nodes(self) -> tuple[TraceNode, ...]:
        if self._nodes is None:
            assert self._build is not None
            self._nodes, self._build = tuple(self._build()), None  # the evaluation can go now
        return self._nodes

    def __getstate__(self) -> dict[str, Any]:
        return {"_build": None, "_nodes": self.nodes()}


@attrs.frozen
class Decision:
    case: str
    as_of: str
    municipality: str | None
    rulebook: dict[str, str]
    case_digest: str
    proposals: tuple[str, ...]
    obligations: tuple[dict[str, Any], ...]
    exemptions: tuple[dict[str, Any], ...]
    values: dict[str, Any]
    unknown_values: tuple[str, ...]
    missing: tuple[str, ...]
    explanation: Explanation = attrs.field(eq=False, repr=False)

    @property
    def trace(self) -> tuple[TraceNode, ...]:
        return self.explanation.nodes()
    # what was evaluated, for counterfactuals; not part of the decision's data
    origin: Origin | None = attrs.field(default=None, eq=False, repr=False)
    known_on: str | None = None                        # facts as recorded by this day (None: all)
    ignored_events: tuple[dict[str, Any], ...] = ()    # events after as_of or recorded after known_on
    not_covered: tuple[dict[str, Any], ...] = ()       # acts in force on as_of that the rules do not encode

    @property
    def as_of_date(self) -> dt.date:
        return dt.date.fromisoformat(self.as_of)

    def to_dict(self, include: Iterable[str] = ()) -> dict[str, Any]:
        """The decision@2 form; ``include=("trace",)`` adds the explanation tree."""
        include = tuple(include)
        unknown = sorted(set(include) - set(INCLUDES))
        if unknown:
            raise ValueError(f"unknown include {unknown[0]!r}; use {', '.join(INCLUDES)}")
        table = _Keys()
        data = {
            "schema": SCHEMA, "case": self.case, "as_of": self.as_of, "municipality": self.municipality,
            "rulebook": self.rulebook, "case_digest": self.case_digest, "proposals": list(self.proposals),
            "obligations": [_obligation(o, table) for o in self.obligations],
            "exemptions": [_without_title(e, table) for e in self.exemptions],
            "values": self.values, "unknown_values": list(self.unknown_values), "missing": list(self.missing),
            **self._time_keys(),
        }
        if "trace" in include:  # the explanation, with the titles of every rule it names
            data["explanation"] = table.explanation(self.trace)
            data["titles"] = table.titles
        data["legal_basis"] = table.basis
        return data

    def _time_keys(self) -> dict[str, Any]:
        """`known_on`, `ignored_events` and `not_covered`, each only when it says something, so
        that a decision on all facts within the rules' coverage has none of them."""
        keys = {"known_on": self.known_on, "ignored_events": list(self.ignored_events),
                "not_covered": list(self.not_covered)}
        return {key: value for key, value in keys.items() if value}

    def to_json(self, include: Iterable[str] = (), indent: int | None = None) -> str:
        """Byte-identical for the same case and rulebook: sorted keys; compact unless `indent` is given."""
        separators = (",", ":") if indent is None else (",", ": ")
        return json.dumps(self.to_dict(include), sort_keys=True, ensure_ascii=False, indent=indent,
                          separators=separators) + "\n"

    def obligation(self, rule_id: str) -> dict[str, Any] | None:
        return next((o for o in self.obligations if o["rule"] == rule_id), None)

    def node(self, rule_id: str) -> TraceNode | None:
        return next((found for root in self.trace if (found := root.find(rule_id)) is not None), None)

    def counterfactuals(self, rule_id: str) -> WhatIf:
        """The smallest changes of the case's facts (or of its date) that flip `rule_id`'s status, each
        verified by evaluating it: a `engine.decide.counterfactuals.WhatIf`."""
        from engine.decide.counterfactuals import counterfactuals

        if self.origin is None:
            raise EngineError("this decision does not carry its case and rules; use Rulebook.evaluate")
        program, case, proposals = self.origin.program, self.origin.case, self.origin.proposals
        return counterfactuals(program, case, self.as_of_date, proposals, rule_id)

    def explain(self, rule_id: str | None = None, format: str = "text", lang: str = "da") -> str:
        """Render the decision (or one rule's part of it) as text, Markdown, HTML or JSON, in Danish or English."""
        return report.render(self, rule_id, format, lang)


def _without_title(item: dict[str, Any], table: _Keys) -> dict[str, Any]:
    """An obligation's or exemption's entry with its title and citations moved to the tables."""
    compact = {key: value for key, value in item.items() if key != "title"}
    compact["legal_basis"] = table.cites(item["legal_basis"], item)
    return compact


def _obligation(item: dict[str, Any], table: _Keys) -> dict[str, Any]:
    compact = _without_title(item, table)
    if "exempted_by" in item:
        by = item["exempted_by"]
        compact["exempted_by"] = {"rule": by["rule"], "legal_basis": table.cites(by["legal_basis"], by)}
    return compact


class _Keys:
    """The decision's tables: citations (by their text), titles (by rule id), trace nodes (by
    number) and the rule files the nodes' places name (by number), each written once."""

    def __init__(self) -> None:
        self.basis: dict[str, dict[str, Any]] = {}
        self.titles: dict[str, dict[str, str]] = {}
        self.nodes: list[dict[str, Any]] = []
        self.node_numbers: dict[int, int] = {}
        self.files: dict[str, int] = {}

    def cites(self, bases: Iterable[dict[str, Any]], owner: dict[str, Any] | TraceNode | None = None) -> list[str]:
        if owner is not None:
            self.title(owner)
        keys = []
        for basis in bases:
            entry = {k: v for k, v in basis.items() if k != "cite"}
            key = basis["cite"]
            if self.basis.setdefault(key, entry) != entry:  # one text, two readings: keep both apart
                key = f"{basis['cite']} ({basis.get('version')})"
                entry = dict(basis)
                self.basis[key] = entry
            keys.append(key)
        return keys

    def title(self, owner: dict[str, Any] | TraceNode) -> None:
        rule, title = (owner["rule"], owner["title"]) if isinstance(owner, dict) else (owner.rule, owner.title)
        self.titles.setdefault(rule, title)

    def explanation(self, roots: Iterable[TraceNode]) -> dict[str, Any]:
        numbers = [self.node(root) for root in roots]
        return {"roots": numbers, "nodes": self.nodes, "files": list(self.files)}

    def at(self, place: str) -> list[int]:
        """`file:line:column` as [file number, line, column]: the file's path is written once."""
        path, line, column = place.rsplit(":", 2)
        return [self.files.setdefault(path, len(self.files)), int(line), int(column)]

    def node(self, node: TraceNode) -> int:
        """The node's number in the table, adding it once."""
        if id(node) in self.node_numbers:
            return self.node_numbers[id(node)]
        number = self.node_numbers[id(node)] = len(self.nodes)
        self.nodes.append({})
        self.title(node)
        name = node.defines or node.rule
        data = {  # the rule only when a value's definition has an id of its own
            "kind": node.kind, "name": name, "rule": node.rule if node.rule != name else None, "value": node.value,
            "inputs": node.inputs, "missing": list(node.missing), "at": self.at(node.at), "note": node.note,
            "confidence": node.confidence, "cites": self.cites(node.cites),
            "children": [self.node(child) for child in node.children],
            "failed": [{"expr": f.expr, "at": self.at(f.at), "facts": f.facts, "cites": self.cites(f.cites)}
                       for f in node.failed],
        }
        self.nodes[number] = {k: v for k, v in data.items() if v not in (None, [], {})}
        return number

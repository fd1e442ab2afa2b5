"""The decision: what a case's evaluation found, in the `paragraf/decision@1` JSON contract."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs

from engine import report
from engine.decide.trace import TraceNode

SCHEMA = "paragraf/decision@1"


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
    trace: tuple[TraceNode, ...]
    known_on: str | None = None                        # facts as recorded by this day (None: all)
    ignored_events: tuple[dict[str, Any], ...] = ()    # events after as_of or recorded after known_on
    not_covered: tuple[dict[str, Any], ...] = ()       # acts in force on as_of that the rules do not encode

    @property
    def as_of_date(self) -> dt.date:
        return dt.date.fromisoformat(self.as_of)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA, "case": self.case, "as_of": self.as_of, "municipality": self.municipality,
            "rulebook": self.rulebook, "case_digest": self.case_digest, "proposals": list(self.proposals),
            "obligations": list(self.obligations), "exemptions": list(self.exemptions),
            "values": self.values, "unknown_values": list(self.unknown_values), "missing": list(self.missing),
            "explanation": [node.to_json() for node in self.trace], **self._time_keys(),
        }

    def _time_keys(self) -> dict[str, Any]:
        """`known_on`, `ignored_events` and `not_covered`, each only when it says something, so
        that a decision on all facts within the rules' coverage keeps its decision@1 form."""
        keys = {"known_on": self.known_on, "ignored_events": list(self.ignored_events),
                "not_covered": list(self.not_covered)}
        return {key: value for key, value in keys.items() if value}

    def to_json(self) -> str:
        """Byte-identical for the same case and rulebook: sorted keys, fixed indentation."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, indent=2) + "\n"

    def obligation(self, rule_id: str) -> dict[str, Any] | None:
        return next((o for o in self.obligations if o["rule"] == rule_id), None)

    def node(self, rule_id: str) -> TraceNode | None:
        return next((found for root in self.trace if (found := root.find(rule_id)) is not None), None)

    def explain(self, rule_id: str | None = None, format: str = "text", lang: str = "da") -> str:
        """Render the decision (or one rule's part of it) as text, Markdown, HTML or JSON, in Danish or English."""
        return report.render(self, rule_id, format, lang)

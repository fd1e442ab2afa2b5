"""The decision: what a case's evaluation found, in the `paragraf/decision@1` JSON contract."""
from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import attrs

from engine import report
from engine.decide.trace import TraceNode
from engine.lang.errors import EngineError

if TYPE_CHECKING:
    from engine.decide.counterfactuals import WhatIf

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
    # what was evaluated (program, case, proposals), for counterfactuals; not part of the decision's data
    origin: tuple[Any, Any, tuple[Any, ...]] | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def as_of_date(self) -> dt.date:
        return dt.date.fromisoformat(self.as_of)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA, "case": self.case, "as_of": self.as_of, "municipality": self.municipality,
            "rulebook": self.rulebook, "case_digest": self.case_digest, "proposals": list(self.proposals),
            "obligations": list(self.obligations), "exemptions": list(self.exemptions),
            "values": self.values, "unknown_values": list(self.unknown_values), "missing": list(self.missing),
            "explanation": [node.to_json() for node in self.trace],
        }

    def to_json(self) -> str:
        """Byte-identical for the same case and rulebook: sorted keys, fixed indentation."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, indent=2) + "\n"

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
        program, case, proposals = self.origin
        return counterfactuals(program, case, self.as_of_date, proposals, rule_id)

    def explain(self, rule_id: str | None = None, format: str = "text", lang: str = "da") -> str:
        """Render the decision (or one rule's part of it) as text, Markdown, HTML or JSON, in Danish or English."""
        return report.render(self, rule_id, format, lang)

"""Evaluates a case on a date: values, obligations and exemptions, with their trace.

Only rules in force on `as_of` (and in switched-on proposals) take part. A missing fact
makes what depends on it unknown and is listed under `missing`; two applicable
definitions of a value without priority are a conflict naming both rules.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from engine.lang import ast, values

from engine.decide import plans, subjects
from engine.decide.casefile import Case
from engine.lang.compiler import Program
from engine.law.lifting import LiftIndex
from engine.law.model import Rule, highest_priority
from engine.decide.proposals import Proposal, ProposalLike, parse_switch
from engine.decide.trace import FailedPart, Recorded, TraceNode
from engine.lang.values import Unknown


def evaluate(program: Program, case: Case, as_of: dt.date, proposals: Iterable[ProposalLike] = (),
             lifting: LiftIndex | None = None) -> dict[str, Any]:
    """The decision's content (obligations, exemptions, values, missing) for one case, and under
    "trace" a function that builds the explanation tree when it is asked for."""
    switched = {p.name: p for p in (p if isinstance(p, Proposal) else parse_switch(p) for p in proposals)}
    run = _Evaluation(program, case, as_of, switched, lifting or LiftIndex(program.checked))
    run.share(plans.plans_of(program))
    return run.run()


def outcome(program: Program, case: Case, as_of: dt.date, proposals: Iterable[ProposalLike], rule_id: str,
            overrides: dict[str, Any] | None = None, field: str = "status", lifting: LiftIndex | None = None) -> Any:
    """One obligation's status (or another `field` of it, such as `fulfilled`), or one value as JSON,
    and nothing else, for searches that try many variants of a case; `overrides` fixes values (say,
    a target group) instead of computing them. None when the rule does not take part on that day."""
    switched = {p.name: p for p in (p if isinstance(p, Proposal) else parse_switch(p) for p in proposals)}
    run = _Evaluation(program, case, as_of, switched, lifting or LiftIndex(program.checked))
    for name, value in (overrides or {}).items():  # recorded as if its first definition gave it
        run.memo[name] = (value, Recorded("value", run.checked.values[name][0], value))
    rule = run.checked.rule(rule_id)
    if rule is not None and rule.kind == "obligation":
        return run._obligation(rule)[0].get(field) if run.active(rule) else None
    if not any(run.active(r) for r in run.checked.values.get(rule_id, ())):
        return None
    result = run.value(rule_id)
    return "unknown" if isinstance(result, Unknown) else values.to_json(result)


def expression(program: Program, case: Case, as_of: dt.date, proposals: Iterable[ProposalLike], node: ast.Expr) -> Any:
    """The value of one compiled expression of the rulebook for a case (Unknown when facts are missing)."""
    switched = {p.name: p for p in (p if isinstance(p, Proposal) else parse_switch(p) for p in proposals)}
    return program.function(node)(_Evaluation(program, case, as_of, switched, LiftIndex(program.checked)))


_ABSENT = object()
_UNKNOWN_INPUTS: dict[str, Unknown] = {}


def _unknown_input(input_id: str) -> Unknown:
    """A missing fact's value (one shared object per fact: an Unknown never changes)."""
    found = _UNKNOWN_INPUTS.get(input_id)
    if found is None:
        found = _UNKNOWN_INPUTS[input_id] = Unknown(frozenset({input_id}))
    return found


class _Evaluation:
    """One case's evaluation. Every rule evaluated leaves a `Recorded` step (what it read and
    gave); the trace nodes, with their citations and the parts of conditions that failed, are
    built from those steps only when the explanation is asked for (`trace`)."""

    def __init__(self, program: Program, case: Case, as_of: dt.date, proposals: dict[str, Proposal],
                 lifting: LiftIndex) -> None:
        self.program, self.checked, self.case, self.as_of = program, program.checked, case, as_of
        self.facts = case.facts
        self.closures = program.closures  # one lookup per call instead of two function calls
        self.refs = self.checked.legal_refs
        self.lifting = lifting
        self.proposals = proposals
        self.blocks = subjects.blocks_of(program)
        self.refusion_inputs = subjects.refusion_inputs_of(program)
        self.case_blocks = subjects.case_blocks(case.data, plans.plans_of(program).known_blocks)
        self.frames: list[Recorded] = []  # the steps being evaluated, innermost last
        self.memo: dict[str, tuple[Any, Recorded]] = {}
        self.exemption_memo: dict[str, tuple[Any, Recorded]] = {}
        self.missing: set[str] = set()
        self.bases: dict[int, dict[str, Any]] = {}    # by id(): hashing a citation costs more than its lookup
        self.cites: dict[int, tuple[dict[str, Any], ...]] = {}  # by id() of the rule
        self.actives: dict[str, bool] = {}
        self.nodes: dict[int, TraceNode] = {}
        self.shown: dict[str, Any] = {}  # the JSON form of each fact shown, made once a case
        self.context: plans.Context | None = None
        self.definitions: dict[str, list[Rule]] = {}  # the active definitions of each value, by name
        self.templates: dict[str, dict[str, Any]] = {}  # not-applicable obligations' entries, by rule id

    def share(self, shared: plans.Plans) -> None:
        """Take which rules take part, their order, lifters and citations from the context this
        case shares with others (`engine.decide.plans`), working it out if this case is the first."""
        supplied = frozenset(name for name in self.case.facts if name in shared.supplied)
        covered = tuple((name, p.covers(self.case.municipality, self.as_of)) for name, p in sorted(self.proposals.items()))
        key = (shared.stretch(self.as_of), self.case_blocks, supplied, covered)
        self.context = shared.context(key, self._context)
        if self.context.needs_municipality:
            self.missing.add("municipality")
        self.actives, self.bases, self.cites = self.context.actives, self.context.bases, self.context.cites
        self.definitions = self.context.definitions
        self.templates = self.context.not_applicable

    def _context(self) -> plans.Context:
        context = plans.Context(plans.plans_of(self.program), self._active)
        context.needs_municipality = "municipality" in self.missing
        return context

    def active(self, rule: Rule) -> bool:
        """In force, about the kind of case at hand, not waiting for a fact only payments tell,
        and (for a proposal's rules) switched on here."""
        found = self.actives.get(rule.id)
        if found is None:
            found = self.actives[rule.id] = self._active(rule)
        return found

    def _active(self, rule: Rule) -> bool:
        return (rule.per is None  # weekly series need a history: engine.refusion.weekly evaluates them
                and rule.in_force(self.as_of) and self.blocks.get(rule.id, frozenset()) <= self.case_blocks
                and self.refusion_inputs.get(rule.id, frozenset()) <= self.case.facts.keys()
                and (rule.proposal is None or self._switched_on(rule.proposal)))

    def _switched_on(self, name: str) -> bool:
        proposal = self.proposals.get(name)
        covered = proposal.covers(self.case.municipality, self.as_of) if proposal else False
        if covered is None:  # limited to named municipalities, and the case does not say which
            self.missing.add("municipality")
        return covered is True

    # -- the Scope protocol used by compiled closures --------------------------------
    def input(self, input_id: str) -> Any:
        value = self.facts.get(input_id, _ABSENT)
        if value is _ABSENT:
            value = _unknown_input(input_id)
        frames = self.frames
        if frames:
            frames[-1].inputs[input_id] = value  # its JSON form is made when it is shown
        return value

    def value(self, name: str) -> Any:
        found = self.memo.get(name)
        if found is None:
            found = self.memo[name] = self._value(name)
        frames = self.frames
        if frames:
            frames[-1].children[name] = found[1]
        return found[0]

    # -- the decision ------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        context = self.context
        assert context is not None, "share() first"
        obligations = [self._obligation(r) for r in context.obligations]
        names, memo, to_json = context.value_names, self.memo, values.to_json
        known: dict[str, Any] = {}
        unknown: list[str] = []
        for name in names:  # as `value` would, with no rule asking
            found = memo.get(name)
            if found is None:
                found = memo[name] = self._value(name)
            value = found[0]
            kind = value.__class__
            if kind is Unknown:
                self.missing |= value.missing
                unknown.append(name)
            else:  # text, truth values and None are their own JSON form: no call for them
                known[name] = value if kind is str or kind is bool or value is None else to_json(value)
        exemptions = [self._exemption_summary(r) for r in context.exemptions if self._exemption(r)[0] is True]
        roots = [step for _, step in obligations] + [self.memo[n][1] for n in names]
        self.actives = {}  # a decision keeps its evaluation for the trace: keep it small
        return {
            "obligations": [o for o, _ in obligations],
            "exemptions": exemptions,
            "values": known,
            "unknown_values": sorted(unknown),
            "missing": sorted(self.missing),
            "trace": lambda: tuple(self.node(step) for step in roots),
        }

    def node(self, step: Recorded) -> TraceNode:
        """The trace node of a recorded step (built once; shared steps give the same node)."""
        if id(step) not in self.nodes:
            self.frames.append(step)  # what finding the failed parts reads belongs to the rule
            try:
                failed = tuple(part for condition in step.failed_of for part in self._failed(condition))
            finally:
                self.frames.pop()
            frame, rule = step, step.rule
            self.nodes[id(step)] = TraceNode(
                kind=step.kind, rule=rule.id, defines=rule.name if step.kind == "value" else None,
                title=rule.title, cites=self._cites(rule), value=values.to_json(step.value), inputs=self._shown(frame.inputs),
                children=tuple(self.node(frame.children[k]) for k in sorted(frame.children)),
                failed=failed, missing=step.missing, at=str(rule.span), note=step.note, confidence=rule.confidence)
        return self.nodes[id(step)]

    def _call(self, rule: Rule, node: ast.Expr | None, default: Any = True) -> Any:
        if node is None:
            return default
        function = self.closures.get(id(node))
        return (function or self.program.function(node))(self)

    def _cites(self, rule: Rule) -> tuple[dict[str, Any], ...]:
        found = self.cites.get(id(rule))
        if found is None:
            found = self.cites[id(rule)] = tuple(self._basis(c) for c in rule.refs)
        return found

    def _basis(self, citation: Any) -> dict[str, Any]:
        found = self.bases.get(id(citation))
        if found is None:
            found = self.bases[id(citation)] = self.refs.legal_basis(citation, self.as_of)
        return found

    def _shown(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """The facts a rule read, by name, in their JSON form (a fact's form is made once a case: many
        rules read the same facts, and a fact's value does not change during the evaluation)."""
        shown, result = self.shown, {}
        for name in (sorted(inputs) if len(inputs) > 1 else inputs):
            found = shown.get(name, _ABSENT)
            if found is _ABSENT:
                found = shown[name] = values.to_json(inputs[name])
            result[name] = found
        return result

    def _value(self, name: str) -> tuple[Any, Recorded]:
        definitions = self.definitions.get(name)
        if definitions is None:
            definitions = self.definitions[name] = [r for r in self.checked.values[name] if self.active(r)]
        step, frames = Recorded("value", definitions[0]), self.frames
        frames.append(step)
        chosen: Rule | None
        try:
            if len(definitions) == 1 and definitions[0].when is None:  # the common case: one unconditional definition
                chosen, pending = definitions[0], None
            else:
                chosen, pending = self._choose(name, definitions)
            if chosen:
                expr = chosen.expr
                result = True if expr is None else (self.closures.get(id(expr)) or self.program.function(expr))(self)
            else:
                result = pending or None
        finally:
            frames.pop()
        step.value = result
        if chosen:
            step.rule = chosen
        else:
            step.note = "no definition applies"
            step.failed_of = tuple(r.when for r in definitions if r.when is not None)
        if result.__class__ is Unknown and result.missing:
            step.missing = tuple(sorted(result.missing))
        return result, step

    def _choose(self, name: str, definitions: list[Rule]) -> tuple[Rule | None, Unknown | None]:
        applicable: list[Rule] = []
        pending: list[tuple[Rule, Unknown]] = []
        closures, program = self.closures, self.program
        for rule in definitions:
            when = rule.when
            condition = True if when is None else (closures.get(id(when)) or program.function(when))(self)
            if condition.__class__ is Unknown:
                pending.append((rule, condition))
            elif condition is True:
                applicable.append(rule)
        if not applicable:
            return None, self._possible(pending, [None]) if pending else None
        chosen = highest_priority(name, applicable, f"for this case on {self.as_of}")
        if pending:  # an undecided definition might also apply; the value is one of a few
            return None, self._possible(pending, [self._call(chosen, chosen.expr)])
        return chosen, None

    def _possible(self, pending: list[tuple[Rule, Unknown]], known: list[Any]) -> Unknown:
        """Unknown, but when every undecided definition gives a known value: one of those values."""
        missing = frozenset().union(*(u.missing for _, u in pending))
        candidates = known + [self._call(rule, rule.expr) for rule, _ in pending]
        if any(isinstance(c, Unknown) for c in candidates):  # the candidates' own facts are needed too
            return Unknown(missing.union(*(c.missing for c in candidates if isinstance(c, Unknown))))
        return Unknown(missing, frozenset(candidates))

    def _obligation(self, rule: Rule) -> tuple[dict[str, Any], Recorded]:
        step, frames, when = Recorded("obligation", rule, "not_applicable", (), (), rule.note), self.frames, rule.when
        frames.append(step)
        try:
            condition = True if when is None else (self.closures.get(id(when)) or self.program.function(when))(self)
            outcome = self._outcome(rule, condition) if condition is True or condition.__class__ is Unknown else None
        finally:
            frames.pop()
        if outcome is None:  # most obligations of a case: the condition does not hold
            if when is not None and (condition is False or condition is None):
                step.failed_of = (when,)
            template = self.templates.get(rule.id) or self._not_applicable(rule)
            result = template.copy()
            result["legal_basis"] = template["legal_basis"].copy()
            if step.inputs:
                result["facts"] = self._shown(step.inputs)
            return result, step
        if when is not None and (condition is False or condition is None):
            step.failed_of = (when,)
        missing = outcome.pop("_missing")
        self.missing |= missing
        step.value = outcome["status"]
        if missing:
            step.missing = tuple(sorted(missing))
        result = {"rule": rule.id, "actor": rule.actor, "title": rule.title, "legal_basis": list(self._cites(rule)),
                  "facts": self._shown(step.inputs), **outcome}
        if rule.confidence:
            result["confidence"] = rule.confidence
        return result, step

    def _not_applicable(self, rule: Rule) -> dict[str, Any]:
        """A not-applicable obligation's entry when its condition read no fact: the same for every
        case of the context, so made once and copied (its list of legal bases too)."""
        template = self.templates[rule.id] = {
            "rule": rule.id, "actor": rule.actor, "title": rule.title, "legal_basis": list(self._cites(rule)),
            "facts": {}, "status": "not_applicable", "due": None,
            **({"confidence": rule.confidence} if rule.confidence else {})}
        return template

    def _outcome(self, rule: Rule, condition: Any) -> dict[str, Any]:
        if isinstance(condition, Unknown):
            # should the condition hold, the due date, the exemptions and the fulfilment decide the
            # outcome: their facts are missing too, so that one round of answers settles it
            if_it_holds = self._outcome(rule, True)
            return {"status": "unknown", "due": None, "_missing": set(condition.missing) | if_it_holds["_missing"]}
        if condition is not True:
            return {"status": "not_applicable", "due": None, "_missing": set()}
        due = self._call(rule, rule.due, None)
        missing = set(due.missing) if isinstance(due, Unknown) else set()
        outcome: dict[str, Any] = {"due": values.to_json(due)}
        exempted_by, pending = self._exempted_by(rule)
        if exempted_by is not None:
            outcome.update(status="exempted", exempted_by={
                "rule": exempted_by.id, "title": exempted_by.title, "legal_basis": list(self._cites(exempted_by))})
        elif pending:
            outcome["status"] = "unknown"
            missing |= pending
        else:
            outcome["status"] = "applies"
        if rule.fulfilled is not None:
            fulfilled = self._call(rule, rule.fulfilled)
            outcome["fulfilled"] = values.to_json(fulfilled)
            missing |= fulfilled.missing if isinstance(fulfilled, Unknown) else set()
        outcome["_missing"] = missing
        return outcome

    def _exempted_by(self, rule: Rule) -> tuple[Rule | None, set[str]]:
        pending: set[str] = set()
        for exemption in self._lifters(rule):
            if not self.active(exemption):
                continue
            holds, node = self._exemption(exemption)
            if self.frames:
                self.frames[-1].children[exemption.id] = node
            if holds is True:
                return exemption, set()
            if isinstance(holds, Unknown):
                pending |= holds.missing
        return None, pending

    def _exemption(self, rule: Rule) -> tuple[Any, Recorded]:
        if rule.id not in self.exemption_memo:
            step = Recorded("exemption", rule, None, (), (), rule.note)
            self.frames.append(step)
            try:
                holds = self._call(rule, rule.when)
            finally:
                self.frames.pop()
            missing = holds.missing if isinstance(holds, Unknown) else ()
            step.value = holds
            step.failed_of = (rule.when,) if rule.when is not None and holds is False else ()
            step.missing = tuple(sorted(missing)) if missing else ()
            self.exemption_memo[rule.id] = (holds, step)
        return self.exemption_memo[rule.id]

    def _lifters(self, obligation: Rule) -> tuple[Rule, ...]:
        if self.context is None:
            return self.lifting.lifters(obligation, self.as_of)
        found = self.context.lifters.get(obligation.id)
        if found is None:  # the act versions, and so the lifters, are the same on every day of the context
            found = self.context.lifters[obligation.id] = self.lifting.lifters(obligation, self.as_of)
        return found

    def _exemption_summary(self, rule: Rule) -> dict[str, Any]:
        lifted = sorted(o.id for o in self.checked.obligations
                        if self.active(o) and rule in self._lifters(o))
        return {"rule": rule.id, "title": rule.title, "legal_basis": list(self._cites(rule)),
                "lifts": [lift.text for lift in rule.lifts], "lifted_obligations": lifted}

    def _failed(self, node: ast.Expr | None) -> list[FailedPart]:
        """The parts of a condition that made it false: each false conjunct, or every false disjunct."""
        if node is None:
            return []
        if isinstance(node, ast.Logic):
            return [part for operand in node.operands if self.program.function(operand)(self) is False
                    for part in self._failed(operand)]
        facts: dict[str, Any] = {}
        cites: list[dict[str, Any]] = []
        for name in (n for n in ast.walk(node) if isinstance(n, ast.Name)):
            if name.dotted in self.checked.inputs:
                facts[name.dotted] = values.to_json(self.input(name.dotted))
            elif name.dotted in self.checked.values:
                facts[name.dotted] = values.to_json(self.value(name.dotted))
                cites.extend(self._cites(self.memo[name.dotted][1].rule))
        return [FailedPart(ast.to_source(node), str(node.span), dict(sorted(facts.items())), tuple(cites))]

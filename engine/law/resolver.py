"""Checks a loaded rule set and returns it resolved, with every problem found at once.

Names, duplicate ids, citations (against every act version in force during a rule's
window), types, dependency cycles, conflicting definitions and exemptions that lift nothing.
"""
from __future__ import annotations

import datetime as dt
import difflib
import graphlib
from collections import defaultdict

import attrs

from engine.lang import ast

from engine.law import magnitude, series
from engine.lang.citations import Citation
from engine.lang.errors import Diagnostic
from engine.law.legal_refs import FAR_FUTURE, LegalRefs
from engine.law.model import Rule, RuleSet
from engine.lang.typechecker import TypeChecker

EXPECTED_TYPES = {"when": "bool", "due": "date", "fulfilled": "bool"}


@attrs.frozen
class CheckedRuleSet:
    """A rule set whose names, types and citations resolve."""

    ruleset: RuleSet
    inputs: dict[str, Rule]
    values: dict[str, tuple[Rule, ...]]
    obligations: tuple[Rule, ...]
    exemptions: tuple[Rule, ...]
    proposals: dict[str, Rule]
    types: dict[str, str]
    codes: frozenset[str]

    @property
    def legal_refs(self) -> LegalRefs:
        return self.ruleset.legal_refs

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.ruleset.rules if r.id == rule_id), None)


class Namespace:
    """Dotted names known to expressions: inputs, values, codes and `as_of`."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.inputs = {r.id: r for r in rules if r.kind == "input" and r.input is not None}
        self.values: dict[str, list[Rule]] = defaultdict(list)
        for rule in rules:
            if rule.kind == "value":
                self.values[rule.name].append(rule)
        self.codes = frozenset(c for r in self.inputs.values() for c in r.input.values if r.input.type == "code")  # type: ignore[union-attr]
        self.value_types: dict[str, str] = {}

    def type_of(self, name: ast.Name) -> str | None:
        dotted = name.dotted
        if dotted == "as_of":
            return "date"
        if dotted in series.WEEK_FACTS:
            return series.WEEK_FACTS[dotted]
        if dotted in self.inputs:
            return self.inputs[dotted].input.type  # type: ignore[union-attr]
        if dotted in self.values:
            return self.value_types.get(dotted, "any")
        return "code" if dotted in self.codes else None

    def allowed_codes(self, name: ast.Name) -> tuple[str, ...]:
        spec = self.inputs[name.dotted].input if name.dotted in self.inputs else None
        return spec.values if spec is not None and spec.type == "code" else ()

    def is_code(self, name: ast.Name) -> bool:
        return name.dotted in self.codes and name.dotted not in self.inputs and name.dotted not in self.values

    def suggest(self, dotted: str) -> str | None:
        known = ["as_of", *self.inputs, *self.values, *self.codes]
        close = difflib.get_close_matches(dotted, known, n=1, cutoff=0.7)
        return f"did you mean '{close[0]}'?" if close else None

    def references(self, node: ast.Expr) -> list[str]:
        """The value names an expression reads in the same week (a series read by `previous` is not one)."""
        lagged = series.lagged_names(node)
        return [n.dotted for n in ast.walk(node)
                if isinstance(n, ast.Name) and n.dotted in self.values and id(n) not in lagged]


def resolve(ruleset: RuleSet) -> tuple[CheckedRuleSet, list[Diagnostic]]:
    """Resolve and check everything; return the checked rule set and all diagnostics."""
    rules = ruleset.rules
    names = Namespace(rules)
    diagnostics: list[Diagnostic] = []
    diagnostics += _duplicates(rules, names)
    diagnostics += _structure(rules)
    order, cycle_diagnostics = _value_order(names)
    diagnostics += cycle_diagnostics
    diagnostics += _types(rules, names, order)
    diagnostics += magnitude.check_magnitudes(names, order)
    diagnostics += series.check_series(rules, names)
    for rule in rules:
        if rule.window[0] <= rule.window[1]:  # a reversed window is reported once, by _structure
            diagnostics += _citations(rule, ruleset.legal_refs)
    diagnostics += _conflicts(names)
    diagnostics += _exemptions(rules, ruleset.legal_refs)
    checked = CheckedRuleSet(
        ruleset=ruleset, inputs=names.inputs, values={k: tuple(v) for k, v in names.values.items()},
        obligations=tuple(r for r in rules if r.kind == "obligation"),
        exemptions=tuple(r for r in rules if r.kind == "exemption"),
        proposals={r.id: r for r in rules if r.kind == "proposal"},
        types={**{k: r.input.type for k, r in names.inputs.items()}, **names.value_types},  # type: ignore[union-attr]
        codes=names.codes,
    )
    return checked, sorted(diagnostics, key=Diagnostic.sort_key)


def _duplicates(rules: tuple[Rule, ...], names: Namespace) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in seen:
            first = seen[rule.id]
            out.append(Diagnostic("name", f"rule id '{rule.id}' is already used at {first.span}",
                                  (rule.span, first.span), "give each rule its own id", rule.id))
        seen.setdefault(rule.id, rule)
    for name, definitions in names.values.items():
        if name in names.inputs:
            out.append(Diagnostic("name", f"'{name}' is both an input and a value", (definitions[0].span, names.inputs[name].span),
                                  "rename the value", definitions[0].id))
    return out


def _structure(rules: tuple[Rule, ...]) -> list[Diagnostic]:
    out = []
    proposals = {r.id for r in rules if r.kind == "proposal"}
    for rule in rules:
        start, end = rule.window
        if end < start:
            out.append(Diagnostic("schema", f"valid_to {rule.valid_to} is before valid_from {rule.valid_from}",
                                  (rule.span,), "swap the dates", rule.id))
        if rule.proposal and rule.proposal not in proposals:
            out.append(Diagnostic("name", f"unknown proposal '{rule.proposal}'", (rule.span,),
                                  _close(rule.proposal, proposals), rule.id))
    return out


def _value_order(names: Namespace) -> tuple[list[str], list[Diagnostic]]:
    """Values in dependency order; a cycle is reported once, naming every rule in it."""
    graph = {name: {dep for rule in rules for _, node in rule.expressions() for dep in names.references(node)}
             for name, rules in names.values.items()}
    try:
        return list(graphlib.TopologicalSorter(graph).static_order()), []
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        rules = [names.values[name][0] for name in cycle[:-1]]
        message = "values depend on each other in a cycle: " + " -> ".join(cycle)
        diagnostic = Diagnostic("cycle", message, tuple(r.span for r in rules), "break the cycle", rules[0].id)
        acyclic = [n for n in names.values if n not in cycle]
        return acyclic, [diagnostic]


def _types(rules: tuple[Rule, ...], names: Namespace, order: list[str]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for name in order:  # value types first, dependencies before their users
        definitions = names.values[name]
        kinds = {rule.id: TypeChecker(names, out, rule.id).infer(rule.expr) for rule in definitions if rule.expr}
        distinct = set(kinds.values()) - {"any"}
        if len(distinct) > 1:
            out.append(Diagnostic("type", f"the definitions of '{name}' disagree on its type: "
                                  + ", ".join(f"{k} is a {v}" for k, v in sorted(kinds.items())),
                                  tuple(r.span for r in definitions), "make every definition give the same type", definitions[0].id))
        names.value_types[name] = distinct.pop() if len(distinct) == 1 else "any"
    for rule in rules:
        checker = TypeChecker(names, out, rule.id)
        for field, node in rule.expressions():
            if field in EXPECTED_TYPES:
                checker.expect(node, EXPECTED_TYPES[field], f"'{field}'")
            elif rule.name not in order:  # a value in a cycle: still report its own type errors
                checker.infer(node)
    return out


def _citations(rule: Rule, refs: LegalRefs) -> list[Diagnostic]:
    out = []
    for citation in rule.refs:
        out += check_citation(citation, rule, refs)
    for lift in rule.lifts:
        if lift.citation is not None:
            out += check_citation(lift.citation, rule, refs)
    return out


def check_citation(citation: Citation, rule: Rule, refs: LegalRefs) -> list[Diagnostic]:
    """Does the citation resolve in every act version in force during the rule's window?"""
    span = citation.span or rule.span

    def problem(message: str, hint: str | None = None) -> list[Diagnostic]:
        return [Diagnostic("citation", message, (span,), hint, rule.id)]

    act = refs.act_of(citation)
    if act is None:
        name = citation.pinned or citation.act or "(no act)"
        known = sorted(set(refs.acts) | set(refs.pinned))
        return problem(f"unknown act '{name}' in citation '{citation.text}'", _close(name, known) or "name an act from legal_refs/")
    versions = [refs.pinned[citation.pinned]] if citation.pinned else act.versions_between(*_clip(rule, act.versions))
    if not versions:
        return problem(f"no version of {act.name} is in force during the rule's window {_window_text(rule)}")
    for version in versions:
        missing = _missing_part(citation, version.numbering)
        if missing:
            return problem(f"{missing} in {version.designation} (in force {version.start} to {version.end or 'today'})",
                           _nearest(citation, version.numbering))
    if citation.pinned:
        start, end = rule.window
        version = versions[0]
        if start < version.start or end > (version.end or FAR_FUTURE):
            return problem(f"{citation.pinned} is in force {version.start} to {version.end or 'today'}, "
                           f"outside the rule's window {_window_text(rule)}", "narrow valid_from/valid_to to the order's period")
    return []


def _clip(rule: Rule, versions: tuple) -> tuple[dt.date, dt.date]:  # type: ignore[type-arg]
    start, end = rule.window
    return max(start, versions[0].start) if versions else start, end


def _missing_part(citation: Citation, numbering) -> str | None:  # type: ignore[no-untyped-def]
    if citation.kind == "chapter":
        for number in {citation.first, citation.last}:
            if not numbering.has_chapter(number):
                return f"chapter {number} does not exist"
        return None
    for number in {citation.first, citation.last}:
        if not numbering.has_paragraph(number):
            return f"§ {number} does not exist"
    paragraph = numbering.paragraphs.get(citation.first)
    if citation.stk and paragraph and paragraph.stk and citation.stk > paragraph.stk:
        return f"§ {citation.first} has only {paragraph.stk} stk., not stk. {citation.stk}"
    return None


def _nearest(citation: Citation, numbering) -> str | None:  # type: ignore[no-untyped-def]
    if citation.kind == "chapter":
        return "chapters: " + ", ".join(str(c.number) for c in numbering.chapters[:40])
    known = {str(p): p for p in numbering.paragraphs}
    close = difflib.get_close_matches(str(citation.first), list(known), n=3, cutoff=0.6)
    if not close:
        close = [str(p) for p in sorted(known.values(), key=lambda p: abs(p.number - citation.first.number))[:3]]
    return "did you mean " + " or ".join(f"§ {p}" for p in close) + "?" if close else None


def _window_text(rule: Rule) -> str:
    return f"{rule.valid_from or 'open'} to {rule.valid_to or 'open'}"


def _conflicts(names: Namespace) -> list[Diagnostic]:
    """Two definitions of one value that both apply everywhere in a shared window, without priority."""
    out = []
    for name, definitions in names.values.items():
        for i, first in enumerate(definitions):
            for second in definitions[i + 1:]:
                if first.id != second.id and _overlap(first, second) and first.proposal == second.proposal \
                        and first.priority == second.priority and _same_condition(first.when, second.when):
                    out.append(Diagnostic("conflict", f"'{first.id}' and '{second.id}' both define '{name}' "
                                          "under the same condition in an overlapping window",
                                          (second.span, first.span), "give them disjoint conditions or windows, or a priority", second.id))
    return out


def _overlap(a: Rule, b: Rule) -> bool:
    (a_start, a_end), (b_start, b_end) = a.window, b.window
    return a_start <= b_end and b_start <= a_end


def _same_condition(a: ast.Expr | None, b: ast.Expr | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a == b)


def _exemptions(rules: tuple[Rule, ...], refs: LegalRefs) -> list[Diagnostic]:
    by_id = {r.id: r for r in rules}
    obligations = [r for r in rules if r.kind == "obligation"]
    out = []
    for exemption in (r for r in rules if r.kind == "exemption"):
        lifted = False
        for lift in exemption.lifts:
            if lift.rule_id is not None:
                target = by_id.get(lift.rule_id)
                if target is None or target.kind != "obligation":
                    out.append(Diagnostic("name", f"'{lift.rule_id}' is not an obligation", (lift.span,),
                                          _close(lift.rule_id, [o.id for o in obligations]), exemption.id))
                    continue
            lifted = lifted or any(lifts(exemption, lift, o, refs) for o in obligations)
        if not lifted:
            out.append(Diagnostic("exemption", f"exemption '{exemption.id}' lifts no obligation in force during its window",
                                  (exemption.span,), "check the citations under 'lifts' and the windows", exemption.id))
    return out


def lifts(exemption: Rule, lift, obligation: Rule, refs: LegalRefs, day: dt.date | None = None) -> bool:  # type: ignore[no-untyped-def]
    """Whether one `lifts` entry of an exemption takes in an obligation (on `day`, or anywhere in both windows)."""
    if day is None:
        if not _overlap(exemption, obligation):
            return False
        day = max(exemption.window[0], obligation.window[0])
    if lift.rule_id is not None:
        return lift.rule_id == obligation.id  # type: ignore[no-any-return]
    return any(refs.covers(lift.citation, cite, day) for cite in obligation.refs)


def _close(word: str, known) -> str | None:  # type: ignore[no-untyped-def]
    close = difflib.get_close_matches(word, list(known), n=1)
    return f"did you mean '{close[0]}'?" if close else None

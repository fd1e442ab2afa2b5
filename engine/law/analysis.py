"""Static analysis across time: overlaps, gaps, missing successors, dead exemptions, repealed citations.

`analyse(checked, program)` returns every finding as a `Diagnostic`. It runs on a rulebook
that already resolves (names, types and citations are fine) and proves, by enumeration:

* over each segment of time in which the same rules and act versions are in force, and over
  every combination of the finite inputs the conditions read (`engine.law.domains`), that at most
  one definition of a value applies at the highest priority (**overlap**), and, for a value
  declared `total: true`, that one always does (**gap**); each finding carries a
  counterexample case in YAML;
* that a rule whose window ends while its act goes on has a successor starting the next day
  (a rule of the same kind defining the same value or citing the same act), or says
  `successor: none` or names the rule that takes over (**window**);
* that every exemption can apply to at least one case (**exemption**);
* that no rule cites a paragraph marked `repealed` in the act version in force (**citation**).

Values and exemptions whose inputs cannot be enumerated, or whose enumeration exceeds the cap,
are listed in `Analysis.skipped` instead of being proved.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Iterator

import attrs

from engine.lang import ast

from engine.law import domains
from engine.lang.compiler import Program
from engine.lang.errors import Diagnostic, EvaluationError
from engine.law.legal_refs import FAR_FUTURE, LegalRefs
from engine.law.model import Rule
from engine.lang.values import Unknown

DEFAULT_CAP = 20_000
ONE_DAY = dt.timedelta(days=1)


@attrs.frozen
class Analysis:
    diagnostics: tuple[Diagnostic, ...]
    analysed: tuple[str, ...]          # values and exemptions proved
    skipped: tuple[tuple[str, str], ...]  # (name, why it was not analysed)
    points: int                        # cases evaluated in all


def analyse(checked: Any, program: Program, cap: int = DEFAULT_CAP) -> Analysis:
    """Run every check of this module over a resolved rulebook."""
    run = _Run(checked, program, cap)
    for name, definitions in sorted(checked.values.items()):
        run.guarded(name, lambda: run.value(name, definitions))
    for exemption in checked.exemptions:
        run.guarded(exemption.id, lambda: run.exemption(exemption))
    diagnostics = run.diagnostics + successors(checked.ruleset.rules, checked.legal_refs) \
        + repealed_citations(checked.ruleset.rules, checked.legal_refs)
    return Analysis(tuple(sorted(diagnostics, key=Diagnostic.sort_key)), tuple(run.analysed),
                    tuple(run.skipped), run.points)


class _Run:
    def __init__(self, checked: Any, program: Program, cap: int) -> None:
        self.checked, self.program, self.cap = checked, program, cap
        self.diagnostics: list[Diagnostic] = []
        self.analysed: list[str] = []
        self.skipped: list[tuple[str, str]] = []
        self.points = 0

    def guarded(self, name: str, check: Any) -> None:
        """Run one value's or exemption's check; a condition the enumeration cannot evaluate (say, one
        needing a kind of fact or scope this module does not provide) skips it rather than failing
        `paragraf check`."""
        try:
            check()
        except (EvaluationError, AttributeError, TypeError, ValueError, ArithmeticError) as exc:
            self.analysed[:] = [n for n in self.analysed if n != name]
            self.skipped.append((name, f"its conditions could not be evaluated here ({type(exc).__name__}: {exc})"))

    def value(self, name: str, definitions: tuple[Rule, ...]) -> None:
        totals = {r.total for r in definitions}
        if len(totals) > 1:
            self.diagnostics.append(Diagnostic(
                "gap", f"the definitions of '{name}' disagree on 'total'", tuple(r.span for r in definitions),
                "write 'total: true' on every definition of the value, or on none", definitions[0].id))
        if len(definitions) < 2 and not any(totals):
            return
        complete = True
        for proposals in _proposal_sets(definitions):
            active = [r for r in definitions if r.proposal is None or r.proposal in proposals]
            complete &= self._overlaps(name, active, proposals)
            if True in totals and (not proposals or any(r.proposal for r in active)):
                complete &= self._gaps(name, active, proposals)
        if complete:
            self.analysed.append(name)

    def _overlaps(self, name: str, definitions: list[Rule], proposals: frozenset[str]) -> bool:
        """Each pair of rival definitions, over the inputs the two read: True when every pair was enumerated."""
        complete = True
        for first, second in _rivals(definitions, proposals):
            space = self._space(f"{name} ({first.id} and {second.id})", [first, second])
            if space is None:
                complete = False
                continue
            found = next(((d, f) for d, f in space if self._both(first, second, definitions, d, f, proposals)), None)
            if found is not None:
                day, facts = found
                both = self._smallest(facts, lambda p: self._both_at(first, second, definitions, p), day, proposals)
                self.diagnostics.append(_overlap(name, first, second, day, both, proposals, self.checked.values))
        return complete

    def _both(self, first: Rule, second: Rule, definitions: list[Rule], day: dt.date, facts: dict[str, Any],
              proposals: frozenset[str]) -> bool:
        if not (first.in_force(day) and second.in_force(day)):
            return False
        return self._both_at(first, second, definitions, _Point(self.program, facts, day, proposals))

    @staticmethod
    def _both_at(first: Rule, second: Rule, definitions: list[Rule], point: _Point) -> bool:
        """Both apply, and no definition of a higher priority in force takes over."""
        if point.holds(first) is not True or point.holds(second) is not True:
            return False
        higher = [r for r in definitions if r.priority > first.priority and r.in_force(point.as_of)]
        return not any(point.holds(r) is True for r in higher)

    def _gaps(self, name: str, definitions: list[Rule], proposals: frozenset[str]) -> bool:
        """A day and case within the definitions' span on which none applies (all read inputs at once)."""
        space = self._space(name, definitions)
        if space is None:
            return False
        for day, facts in space:
            in_force = [r for r in definitions if r.in_force(day)]
            point = _Point(self.program, facts, day, proposals)
            if _inside(definitions, day) and all(point.holds(r) is False for r in in_force):
                none = self._smallest(facts, lambda p: all(p.holds(r) is False for r in in_force), day, proposals)
                self.diagnostics.append(_gap(name, definitions, in_force, day, none, proposals, self.checked.values))
                break
        return True

    def exemption(self, rule: Rule) -> None:
        if rule.when is None:
            return
        proposals = frozenset([rule.proposal] if rule.proposal else [])
        space = self._space(rule.id, [rule])
        if space is None:
            return
        self.analysed.append(rule.id)
        for day, facts in space:
            if _Point(self.program, facts, day, proposals).holds(rule) is not False:
                return
        self.diagnostics.append(Diagnostic(
            "exemption", f"exemption '{rule.id}' can never apply: its condition is false for every case "
            f"in its window {_window(rule)}", (rule.when.span,), "check the condition against the law", rule.id,
            severity="warning"))

    def _space(self, name: str, rules: list[Rule]) -> list[tuple[dt.date, dict[str, Any]]] | None:
        """Every (date, facts) point to try for the rules' conditions, or None (recorded as skipped)."""
        conditions = [r.when for r in rules if r.when is not None]
        reads, nodes, days, count = self._plan(conditions, rules, frozenset())
        if count > self.cap:  # try again with target groups and the like as facts of their own
            reads, nodes, days, count = self._plan(conditions, rules, domains.literal_values(conditions, self.checked))
        unsupported = sorted(i for i in reads if i in self.checked.inputs and not domains.enumerable(self.checked.inputs[i]))
        if unsupported:
            self.skipped.append((name, f"its conditions read {', '.join(unsupported)}, which cannot be enumerated"))
            return None
        if count > self.cap:
            self.skipped.append((name, f"{count} cases to try, more than the cap of {self.cap}"))
            return None
        points = [(day, facts) for day in days for facts in domains.combinations(reads, nodes, self.checked, day)]
        self.points += len(points)
        return points

    def _plan(self, conditions: list[Any], rules: list[Rule], opaque: frozenset[str]) -> tuple[Any, Any, Any, int]:
        """What to enumerate: the names read, the nodes seen, the days, and how many cases that makes."""
        reads = domains.inputs_read(conditions, self.checked, opaque)
        nodes = domains.nodes_read(conditions, self.checked, opaque)
        days = segment_starts(rules, domains.nodes_read(conditions, self.checked), self.checked)
        if any(i in self.checked.inputs and not domains.enumerable(self.checked.inputs[i]) for i in reads):
            return reads, nodes, days, 0
        return reads, nodes, days, sum(domains.size(reads, nodes, self.checked, day) for day in days)

    def _smallest(self, facts: dict[str, Any], shows: Any, day: dt.date, proposals: frozenset[str]) -> dict[str, Any]:
        """The counterexample without the facts it does not need: each is left out while the finding still shows."""
        kept = dict(facts)
        for name in sorted(facts):
            trial = {k: v for k, v in kept.items() if k != name}
            if shows(_Point(self.program, trial, day, proposals)):
                kept = trial
        return kept


class _Point:
    """The scope of one enumerated case on one date: inputs from `facts`, values computed on demand."""

    def __init__(self, program: Program, facts: dict[str, Any], as_of: dt.date, proposals: frozenset[str]) -> None:
        self.program, self.facts, self.as_of, self.proposals = program, facts, as_of, proposals
        self.memo: dict[str, Any] = {}

    def input(self, input_id: str) -> Any:
        return self.facts.get(input_id, Unknown(frozenset({input_id})))

    def value(self, name: str) -> Any:
        if name in self.facts:  # a target group or the like, enumerated as a fact of its own
            return self.facts[name]
        if name not in self.memo:
            self.memo[name] = None  # a cycle cannot happen in a resolved rulebook; this only guards it
            self.memo[name] = self._value(name)
        return self.memo[name]

    def _value(self, name: str) -> Any:
        active = [r for r in self.program.checked.values.get(name, ())
                  if r.in_force(self.as_of) and (r.proposal is None or r.proposal in self.proposals)]
        chosen = [r for r in active if self.holds(r) is True]
        if not chosen:
            return None
        return self._run(_top(chosen)[0].expr)

    def holds(self, rule: Rule) -> bool | None:
        """True or False, or None when undecided (an input outside the enumeration, or an error)."""
        if rule.when is None:
            return True
        result = self._run(rule.when)
        return result if isinstance(result, bool) else None

    def _run(self, node: Any) -> Any:
        try:
            return self.program.function(node)(self)
        except EvaluationError:
            return Unknown(frozenset())


def _rivals(definitions: list[Rule], proposals: frozenset[str]) -> list[tuple[Rule, Rule]]:
    """Pairs of definitions at the same priority whose windows meet (under a proposal: pairs it adds)."""
    return [(a, b) for i, a in enumerate(definitions) for b in definitions[i + 1:]
            if a.priority == b.priority and a.window[0] <= b.window[1] and b.window[0] <= a.window[1]
            and (not proposals or a.proposal or b.proposal)]


def _top(rules: list[Rule]) -> list[Rule]:
    best = max((r.priority for r in rules), default=0)
    return [r for r in rules if r.priority == best]


def _proposal_sets(rules: Iterable[Rule]) -> list[frozenset[str]]:
    """The rulebook as it is, and with each proposal that touches these rules switched on."""
    return [frozenset()] + [frozenset({p}) for p in sorted({r.proposal for r in rules if r.proposal})]


def _inside(definitions: list[Rule], day: dt.date) -> bool:
    """Within the span from the first definition's start to the last one's end."""
    return min(r.window[0] for r in definitions) <= day <= max(r.window[1] for r in definitions)


def segment_starts(rules: list[Rule], nodes: list[Any], checked: Any) -> list[dt.date]:
    """The first day of each stretch of time in which the same rules, act versions and dated conditions hold.

    The rules that matter are `rules` and the definitions of the values their conditions read
    (`nodes`); a date literal in a condition (`as_of >= 2024-01-01`) is a boundary too.
    """
    start = min(r.window[0] for r in rules)
    end = max(r.window[1] for r in rules)
    read = {n.dotted for n in nodes if isinstance(n, ast.Name)}
    relevant = list(rules) + [r for name in sorted(read & checked.values.keys()) for r in checked.values[name]]
    bounds = {start}
    for rule in relevant:
        bounds |= {rule.window[0], rule.window[1] + ONE_DAY if rule.window[1] < FAR_FUTURE else FAR_FUTURE}
    for literal in (n.value for n in nodes if isinstance(n, ast.Literal) and isinstance(n.value, dt.date)):
        bounds |= {literal, literal + ONE_DAY}
    for act in _acts(rules, checked.legal_refs):
        for version in act.versions:
            bounds |= {version.start, (version.end + ONE_DAY) if version.end else FAR_FUTURE}
    return sorted(d for d in bounds if start <= d <= end and d != dt.date.min and d != FAR_FUTURE) or [start]


def _acts(rules: list[Rule], refs: LegalRefs) -> list[Any]:
    found = {id(a): a for r in rules for c in r.refs if (a := refs.act_of(c)) is not None}
    return list(found.values())


def case_yaml(day: dt.date, facts: dict[str, Any], proposals: frozenset[str], derived: Iterable[str] = ()) -> str:
    """A counterexample as the case file a legal officer would write; `derived` facts (target groups
    enumerated as facts of their own) become comments saying what the case must come to."""
    derived = set(derived)
    from engine.lang.values import to_json

    nested: dict[str, Any] = {}
    for dotted, value in sorted(facts.items()):
        if dotted in derived:
            continue
        *parents, leaf = dotted.split(".")
        target = nested
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = to_json(value)
    lines = [f"as_of: {day.isoformat()}"] + ([f"with: [{', '.join(sorted(proposals))}]"] if proposals else [])
    lines += list(_yaml_lines(nested, 0))
    lines += [f"# and any case where {name} is {to_json(facts[name])}" for name in sorted(derived & facts.keys())]
    return "\n".join(lines)


def _yaml_lines(data: dict[str, Any], depth: int) -> Iterator[str]:
    for key, value in data.items():
        if isinstance(value, dict):
            yield f"{'  ' * depth}{key}:"
            yield from _yaml_lines(value, depth + 1)
        else:
            shown = ("true" if value else "false") if isinstance(value, bool) else f'"{value}"' if str(value).isdigit() and key == "municipality" else value
            yield f"{'  ' * depth}{key}: {shown}"


def _counterexample(day: dt.date, facts: dict[str, Any], proposals: frozenset[str], derived: Iterable[str]) -> str:
    return "\n".join("        " + line for line in case_yaml(day, facts, proposals, derived).splitlines())


def _overlap(name: str, first: Rule, second: Rule, day: dt.date, facts: dict[str, Any],
             proposals: frozenset[str], derived: Iterable[str]) -> Diagnostic:
    return Diagnostic(
        "overlap", f"'{first.id}' and '{second.id}' both define '{name}' for the same case on {day}",
        (second.span, first.span),
        "give them disjoint conditions or windows (a valid_to on the older one), or a priority; "
        "a case where both apply:\n" + _counterexample(day, facts, proposals, derived))


def _gap(name: str, definitions: list[Rule], in_force: list[Rule], day: dt.date, facts: dict[str, Any],
         proposals: frozenset[str], derived: Iterable[str]) -> Diagnostic:
    what = f"none of its {len(in_force)} definitions in force applies" if in_force else "no definition is in force"
    spans = tuple(r.span for r in (in_force or definitions))
    return Diagnostic(
        "gap", f"'{name}' is declared total, but on {day} {what}", spans,
        "add a definition for this case, widen a condition or window, or drop 'total'; "
        "a case with no definition:\n" + _counterexample(day, facts, proposals, derived))


def successors(rules: Iterable[Rule], refs: LegalRefs) -> list[Diagnostic]:
    """Rules whose window ends while their act goes on, with nothing starting the next day."""
    rules = list(rules)
    ids = {r.id: r for r in rules}
    out = []
    for rule in rules:
        if rule.valid_to is None or rule.kind in ("input", "proposal"):
            continue
        nextday = rule.valid_to + ONE_DAY
        if rule.successor not in (None, "none"):
            if rule.successor not in ids:
                out.append(Diagnostic("window", f"successor '{rule.successor}' of '{rule.id}' is not a rule",
                                      (rule.span,), "name the rule that takes over, or write 'successor: none'", rule.id))
            continue
        if rule.successor == "none" or not _law_goes_on(rule, refs, nextday):
            continue
        if not any(_succeeds(other, rule, refs, nextday) for other in rules):
            out.append(Diagnostic(
                "window", f"'{rule.id}' ends on {rule.valid_to}, but the law it cites goes on and no rule "
                f"takes over on {nextday}", (rule.span,),
                "add the next version of the rule from that day, or write 'successor: none' (with a note "
                "saying why) or 'successor: <rule id>'", rule.id, severity="warning"))
    return out


def _law_goes_on(rule: Rule, refs: LegalRefs, day: dt.date) -> bool:
    """Some cited act has a version in force on `day` (a pinned version must itself still be in force)."""
    return any(refs.version_on(c, day) is not None and refs.version_on(c, day).in_force(day)  # type: ignore[union-attr]
               for c in rule.refs)


def _succeeds(other: Rule, rule: Rule, refs: LegalRefs, day: dt.date) -> bool:
    """`other` takes over from `rule` on `day`: the same kind, and the same value, or a citation of the
    same paragraph (any paragraph of the same act when the act is renumbered on that day)."""
    if other.kind != rule.kind or other.valid_from != day or other.proposal != rule.proposal:
        return False
    if rule.kind == "value" and other.name == rule.name:
        return True
    return any(_same_place(mine, theirs, refs, day) for mine in rule.refs for theirs in other.refs)


def _same_place(mine: Any, theirs: Any, refs: LegalRefs, day: dt.date) -> bool:
    act = refs.act_of(mine)
    if act is None or refs.act_of(theirs) is not act:
        return False
    before, after = refs.version_on(mine, day - ONE_DAY), refs.version_on(theirs, day)
    if before is None or after is None or before.numbering is not after.numbering:
        return True  # renumbered: paragraph numbers cannot be compared across the change
    return bool(mine.kind == theirs.kind == "paragraph" and mine.first <= theirs.last and theirs.first <= mine.last)


def repealed_citations(rules: Iterable[Rule], refs: LegalRefs) -> list[Diagnostic]:
    """Citations of paragraphs the act version in force during the rule's window has repealed."""
    out = []
    for rule in rules:
        for citation in rule.refs:
            problem = _repealed(rule, citation, refs)
            if problem:
                out.append(Diagnostic("citation", problem, (citation.span or rule.span,),
                                      "cite the paragraph that replaced it, or end the rule's window", rule.id))
    return out


def _repealed(rule: Rule, citation: Any, refs: LegalRefs) -> str | None:
    if citation.kind != "paragraph":
        return None
    act = refs.act_of(citation)
    versions = [refs.pinned[citation.pinned]] if citation.pinned else (act.versions_between(*rule.window) if act else [])
    start, end = rule.window
    for version in versions:
        for number in {citation.first, citation.last}:
            paragraph = version.numbering.paragraphs.get(number)
            if paragraph is None or paragraph.repealed is None:
                continue
            if max(start, version.start, paragraph.repealed) <= min(end, version.end or FAR_FUTURE):
                return (f"'{citation.text}' cites § {number}, repealed in {version.designation}"
                        + (f" from {paragraph.repealed}" if paragraph.repealed > dt.date.min else "")
                        + f", during the rule's window {_window(rule)}")
    return None


def _window(rule: Rule) -> str:
    return f"{rule.valid_from or 'open'} to {rule.valid_to or 'open'}"

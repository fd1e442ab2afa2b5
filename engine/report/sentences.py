"""The sentence layer: a decision's JSON form → a report in one language, ready to lay out.

Reads only what the decision recorded (its `to_dict` form, or a stored record's decision);
it computes nothing. The text, Markdown and HTML renderers lay out the `Report` built here,
so all three show the same obligations, statuses, citations, due dates and sentences.
"""
from __future__ import annotations

from typing import Any

import attrs

from engine.report.words import ACTORS, SENTENCES, WORDS


@attrs.frozen
class Cite:
    text: str
    act: str | None
    version: str | None
    eli: str | None

    @property
    def full(self) -> str:
        version = f" ({self.version})" if self.version else ""
        return f"{self.text}{version}"


@attrs.frozen
class Fact:
    name: str
    value: str


@attrs.frozen
class Failed:
    sentence: str
    expr: str
    at: str
    facts: tuple[Fact, ...]
    cites: tuple[Cite, ...]


@attrs.frozen
class Step:
    """One trace node as a sentence, with its law, facts, failed parts and the steps it built on."""

    rule: str
    kind: str
    outcome: str
    sentence: str
    at: str
    cites: tuple[Cite, ...]
    facts: tuple[Fact, ...]
    failed: tuple[Failed, ...]
    missing: tuple[str, ...]
    children: tuple[Step, ...]
    note: str | None
    confidence: str | None


@attrs.frozen
class Exempted:
    rule: str
    title: str
    cites: tuple[Cite, ...]


@attrs.frozen
class Obligation:
    rule: str
    status: str
    status_word: str
    sentence: str
    title: str
    actor: str
    due: str | None
    fulfilled: str | None
    cites: tuple[Cite, ...]
    exempted_by: Exempted | None
    failed: tuple[Failed, ...]
    missing: tuple[str, ...]
    confidence: str | None
    facts: tuple[Fact, ...] = ()


@attrs.frozen
class Exemption:
    rule: str
    title: str
    sentence: str
    cites: tuple[Cite, ...]
    lifts: tuple[str, ...]
    lifted: tuple[str, ...]


@attrs.frozen
class Report:
    lang: str
    w: dict[str, str]
    case: str
    as_of: str
    municipality: str | None
    fingerprint: str
    engine_version: str
    case_digest: str
    proposals: tuple[str, ...]
    obligations: tuple[Obligation, ...]
    exemptions: tuple[Exemption, ...]
    values: tuple[Fact, ...]
    missing: tuple[str, ...]
    steps: tuple[Step, ...]
    notices: tuple[str, ...] = ()   # acts not covered, the known_on date, events left out


STATUS_ORDER = ("applies", "exempted", "unknown", "not_applicable")


def _reading_order(obligations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the reader must act on first: applying, exempted and undecided obligations before
    those that do not apply; by rule id within each (the JSON keeps plain rule-id order)."""
    return sorted(obligations, key=lambda o: (STATUS_ORDER.index(o["status"]), o["rule"]))


def build(decision: dict[str, Any], lang: str) -> Report:
    """The report of a decision (its JSON form) in `lang`."""
    w = WORDS[lang]
    steps = tuple(step(node, lang) for node in decision.get("explanation", ()))
    by_rule = {s.rule: s for s in steps if s.kind == "obligation"}
    values = [Fact(name, show(value, w)) for name, value in sorted(decision["values"].items())]
    values += [Fact(name, w["unknown"]) for name in decision.get("unknown_values", ())]
    return Report(
        lang=lang, w=w, case=decision["case"], as_of=decision["as_of"], municipality=decision.get("municipality"),
        fingerprint=decision["rulebook"]["fingerprint"], engine_version=decision["rulebook"]["engine_version"],
        case_digest=decision.get("case_digest", ""), proposals=tuple(decision.get("proposals", ())),
        obligations=tuple(obligation(o, by_rule.get(o["rule"]), lang) for o in _reading_order(decision["obligations"])),
        exemptions=tuple(exemption(e, lang) for e in decision["exemptions"]),
        values=tuple(values), missing=tuple(decision.get("missing", ())), steps=steps,
        notices=notices(decision, lang))


def notices(decision: dict[str, Any], lang: str) -> tuple[str, ...]:
    """What the reader must know about the decision's reach: the acts its rules do not cover on
    its date, the day its facts were known on, and the events it left out."""
    say, as_of, known_on = SENTENCES[lang], decision["as_of"], decision.get("known_on")
    lines = []
    for act in decision.get("not_covered", ()):
        window = (say["window_closed"] if act.get("covered_to") else say["window_open"]).format(
            start=act["covered_from"], end=act.get("covered_to"))
        lines.append(say["not_covered"].format(act=act["act"], title=title_in(act["title"], lang),
                                               as_of=as_of, window=window))
    if known_on:
        lines.append(say["known_on"].format(known_on=known_on, as_of=as_of))
    for event in decision.get("ignored_events", ()):
        kind = f" ({event['kind']})" if event.get("kind") else ""
        lines.append(say[event["reason"]].format(fact=event["fact"], date=event["date"], kind=kind, as_of=as_of,
                                                 recorded=event.get("recorded"), known_on=known_on))
    return tuple(lines)


def title_in(titles: dict[str, str], lang: str) -> str:
    """A title in `lang`, or in the other language when a rule has only one."""
    return titles.get(lang) or next(iter(titles.values()), "")


def cites(basis: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> tuple[Cite, ...]:
    return tuple(Cite(b["cite"], b.get("act"), b.get("version"), b.get("eli")) for b in basis)


def show(value: Any, w: dict[str, str]) -> str:
    """A recorded value as a report shows it (dates ISO, amounts and rates as recorded)."""
    if value is None:
        return w["none"]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(isinstance(e, dict) for e in value):  # events; an offer as date..end
        return ", ".join(" ".join(str(v) for v in (_event_dates(e), e.get("kind")) if v) for e in value) or "[]"
    if isinstance(value, list):  # a set of codes or numbers
        return "{" + ", ".join(show(v, w) for v in value) + "}"
    if isinstance(value, dict):  # an undecided value with its possible outcomes
        return w["unknown"]
    return str(value)


def _event_dates(event: dict[str, Any]) -> str | None:
    return f"{event['date']}..{event['end']}" if event.get("end") else event.get("date")


def facts(mapping: dict[str, Any], w: dict[str, str]) -> tuple[Fact, ...]:
    """The facts a step read; a fact recorded as null was not in the case, so it is unknown."""
    return tuple(Fact(name, w["unknown"] if value is None else show(value, w)) for name, value in mapping.items())


def failed_parts(node: dict[str, Any], lang: str) -> tuple[Failed, ...]:
    pattern, w = SENTENCES[lang]["failed_part"], WORDS[lang]
    return tuple(Failed(pattern.format(expr=p["expr"]), p["expr"], p.get("at", ""), facts(p.get("facts", {}), w),
                        cites(p.get("cites", ()))) for p in node.get("failed", ()))


def obligation(data: dict[str, Any], node: Step | None, lang: str) -> Obligation:
    w = WORDS[lang]
    exempted = data.get("exempted_by")
    exempted_by = Exempted(exempted["rule"], title_in(exempted["title"], lang), cites(exempted["legal_basis"])) if exempted else None
    fulfilled = data.get("fulfilled", "absent")
    return Obligation(
        rule=data["rule"], status=data["status"], status_word=w[data["status"]],
        sentence=obligation_sentence(data, node, lang), title=title_in(data["title"], lang), actor=data["actor"],
        due=data.get("due"), cites=cites(data["legal_basis"]), exempted_by=exempted_by,
        fulfilled=None if fulfilled == "absent" else fulfilment(fulfilled, w),
        failed=node.failed if node else (), missing=node.missing if node else (), confidence=data.get("confidence"),
        facts=node.facts if node else ())


def fulfilment(value: Any, w: dict[str, str]) -> str:
    return w["unknown"] if value is None else w["fulfilled"] if value else w["open"]


def obligation_sentence(data: dict[str, Any], node: Step | None, lang: str) -> str:
    s, w = SENTENCES[lang], WORDS[lang]
    actor = ACTORS[lang].get(data["actor"], data["actor"])
    title, status, due = title_in(data["title"], lang), data["status"], data.get("due")
    if status == "applies":
        return s["applies"].format(actor=actor, title=title, due=s["applies_due"].format(due=due) if due else "")
    if status == "exempted":
        by = data["exempted_by"]
        return s["exempted"].format(actor=actor, title=title, due=s["exempted_due"].format(due=due) if due else "",
                                    exemption=by["rule"], basis="; ".join(b["cite"] for b in by["legal_basis"]))
    if status == "not_applicable":
        failed = "; ".join(p.expr for p in node.failed) if node else ""
        return s["not_applicable"].format(title=title, failed=f": {failed}" if failed else "")
    missing = ", ".join(node.missing) if node and node.missing else w["unknown"]
    return s["unknown"].format(title=title, missing=missing)


def exemption(data: dict[str, Any], lang: str) -> Exemption:
    w = WORDS[lang]
    basis = cites(data["legal_basis"])
    lifted = tuple(data.get("lifted_obligations", ()))
    sentence = SENTENCES[lang]["lifts"].format(
        rule=data["rule"], lifts=", ".join(data["lifts"]), basis="; ".join(c.text for c in basis),
        lifted=", ".join(lifted) or w["none"])
    return Exemption(data["rule"], title_in(data["title"], lang), sentence, basis, tuple(data["lifts"]), lifted)


def step(node: dict[str, Any], lang: str) -> Step:
    """A trace node and the nodes below it, as sentences."""
    w = WORDS[lang]
    outcome = w.get(node["value"], node["value"]) if node["kind"] == "obligation" else node_value(node, w)
    return Step(
        rule=node["rule"], kind=node["kind"], outcome=outcome, sentence=step_sentence(node, lang),
        at=node.get("at", ""), cites=cites(node.get("cites", ())), facts=facts(node.get("inputs", {}), w),
        failed=failed_parts(node, lang), missing=tuple(node.get("missing", ())),
        children=tuple(step(child, lang) for child in node.get("children", ())),
        note=node.get("note"), confidence=node.get("confidence"))


def step_sentence(node: dict[str, Any], lang: str) -> str:
    s, w = SENTENCES[lang], WORDS[lang]
    title = title_in(node.get("title", {}), lang)
    if node["kind"] == "obligation":
        return f"{w['obligation']} {w.get(node['value'], node['value'])}: {title}."
    if node["kind"] == "exemption":
        value = node.get("value")
        key = "exemption_true" if value is True else "exemption_false" if value is False else "exemption_unknown"
        return s[key].format(title=title)
    name = node.get("defines") or node["rule"]
    if node.get("note") == "no definition applies":
        return s["value_none"].format(name=name)
    return s["value"].format(title=title, name=name, value=node_value(node, w))


def node_value(node: dict[str, Any], w: dict[str, str]) -> str:
    """A value's or exemption's outcome: recorded as null with facts missing, it is unknown
    (the word the values and the obligations use), not "none"."""
    if node.get("value") is None and node.get("missing"):
        return w["unknown"]
    return show(node.get("value"), w)

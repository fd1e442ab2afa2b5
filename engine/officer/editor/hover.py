"""Hover texts (Markdown): a name's type, its definition in words and where it is defined; a
citation's act versions over the rule's window, the paragraph's heading and the ELI.
Entry point: `hover_text`."""
from __future__ import annotations

from typing import Any

from engine.officer.editor.index import Found, Index
from engine.law.legal_refs import FAR_FUTURE
from engine.law.model import Rule
from engine.officer.verbalise import verbalise

WORDS = {
    "da": {"input": "oplysning", "value": "værdi", "obligation": "forpligtelse", "exemption": "fritagelse",
           "proposal": "forslag", "when": "når", "gives": "giver", "rule": "regel", "in": "i", "valid": "gælder",
           "open": "åben", "no_act": "ingen lov med det navn i legal_refs/", "no_version": "ingen version i kraft",
           "code": "kode", "values": "værdier"},
    "en": {"input": "input", "value": "value", "obligation": "obligation", "exemption": "exemption",
           "proposal": "proposal", "when": "when", "gives": "gives", "rule": "rule", "in": "in", "valid": "valid",
           "open": "open", "no_act": "no act of that name in legal_refs/", "no_version": "no version in force",
           "code": "code", "values": "values"},
}


def hover_text(index: Index, found: Found, lang: str) -> str:
    if found.kind == "citation" and found.citation is not None:
        return _citation(index, found, lang)
    return _name(index, found.text, lang)


def _name(index: Index, name: str, lang: str) -> str:
    w = WORDS[lang]
    rules = index.definitions(name)
    if not rules:
        input_of = next((i for i, r in index.checked.inputs.items() if r.input and name in r.input.values), None)
        if input_of is None:
            return f"`{name}`"
        spec = index.checked.inputs[input_of].input
        title = spec.value_titles.get(name, "") if spec is not None else ""
        return f"**{name}**: {w['code']} {w['in']} `{input_of}`" + (f": {title}" if title else "")
    first = rules[0]
    kind = w.get(first.kind, first.kind)
    type_ = index.checked.types.get(name) or (first.input.type if first.input else None)
    lines = [f"**{name}**: {kind}" + (f" ({type_})" if type_ else "")]
    lines += [_definition(index, rule, lang) for rule in rules]
    return "\n\n".join(lines)


def _definition(index: Index, rule: Rule, lang: str) -> str:
    w = WORDS[lang]
    parts = []
    if rule.title:
        parts.append(rule.title.get(lang) or next(iter(rule.title.values())))
    if rule.input is not None and rule.input.description:
        parts.append(rule.input.description.get(lang, ""))
    if rule.input is not None and rule.input.values:
        parts.append(f"{w['values']}: " + ", ".join(f"`{v}`" for v in rule.input.values))
    if rule.when is not None:
        parts.append(f"{w['when']} {verbalise(rule.when, index.checked, lang)}")
    if rule.expr is not None:
        parts.append(f"{w['gives']} {verbalise(rule.expr, index.checked, lang)}")
    cites = ", ".join(c.text for c in rule.refs)
    parts.append(f"{w['rule']} `{rule.id}`" + (f" ({cites})" if cites else "") + f", {rule.span}")
    return "\n\n".join(p for p in parts if p)


def _citation(index: Index, found: Found, lang: str) -> str:
    w, citation, rule = WORDS[lang], found.citation, found.rule
    if citation is None:
        return f"`{found.text}`"
    refs = index.checked.legal_refs
    act = refs.act_of(citation)
    if act is None:
        return f"**{citation.text}**: {w['no_act']}"
    pinned = refs.pinned.get(citation.pinned) if citation.pinned else None
    versions = [pinned] if pinned else act.versions_between(*rule.window)
    lines = [f"**{citation.text}** ({act.name}; {w['rule']} `{rule.id}`, {w['valid']} {_window(rule, w)})"]
    for version in versions:
        lines.append(_version(version, citation, lang))
    if not versions:
        lines.append(w["no_version"])
    return "\n\n".join(lines)


def _version(version: Any, citation: Any, lang: str) -> str:
    end = version.end.isoformat() if version.end else "…"
    heading = _heading(version.numbering, citation, lang)
    return (f"- {version.designation} ({version.short}), {version.start.isoformat()} – {end}"
            + (f"\n  {heading}" if heading else "") + f"\n  ELI: {version.eli}")


def _heading(numbering: Any, citation: Any, lang: str) -> str:
    if citation.kind == "chapter":
        chapter = next((c for c in numbering.chapters if c.number == citation.first), None)
        return f"kap. {citation.first}: {chapter.title.get(lang, '')}" if chapter else ""
    paragraph = numbering.paragraphs.get(citation.first)
    chapter = numbering.chapter_of(citation.first)
    parts = [f"§ {citation.first}: {paragraph.title.get(lang, '')}" if paragraph else ""]
    if chapter is not None:
        parts.append(f"(kap. {chapter.number}: {chapter.title.get(lang, '')})")
    return " ".join(p for p in parts if p)


def _window(rule: Rule, w: dict[str, str]) -> str:
    start, end = rule.window
    shown_end = w["open"] if end >= FAR_FUTURE else end.isoformat()
    return f"{rule.valid_from.isoformat() if rule.valid_from else w['open']} – {shown_end}"

"""Generates the rule catalogue and the reference tables of the docs from the bundled rulebook.

Run on every Sphinx build (`builder-inited`, see conf.py), so the pages cannot drift from
`rules/`, `legal_refs/` and the engine. Everything is written below `docs/catalogue/`,
which is not committed: one page per act folder of `rules/`, plus `_*.md` fragments that
other pages include (built-in functions, syntax errors, rule file keys, arithmetic, error
categories).
"""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Iterable

import act_catalogue
import engine
from engine.lang import ast, builtins, errors, parser, typechecker
from engine.law import loader, model, resolver
from engine.law.legal_refs import LegalRefs
from engine.law.model import Rule
from engine.officer.act_index import versions_for

OUT = "catalogue"
_MARKDOWN = re.compile(r"([\\`*_\[\]<>{}|#$~])")


def generate(srcdir: str | Path) -> list[Path]:
    """Write every generated page below `srcdir/catalogue`; return the files written."""
    out = Path(srcdir) / OUT
    out.mkdir(exist_ok=True)
    book = engine.load()
    pages = {f"{name}.md": folder_page(name, rules, book)
             for name, rules in by_folder(book).items()}
    pages.update({
        "_builtins.md": builtins_table(), "_syntax_errors.md": syntax_error_list(),
        "_rule_keys.md": rule_keys(), "_arithmetic.md": arithmetic_table(),
        "_categories.md": category_list(),
    })
    pages.update(act_catalogue.act_pages(book, esc))
    for stale in {p.name for p in out.glob("*.md")} - set(pages):
        (out / stale).unlink()
    return [write(out / name, text) for name, text in sorted(pages.items())]


def write(path: Path, text: str) -> Path:
    """Write only when the text changed, so incremental builds stay incremental."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def by_folder(book: engine.Rulebook) -> dict[str, list[Rule]]:
    """Rules grouped by the act folder of `rules/` they live in, in file order."""
    groups: dict[str, list[Rule]] = defaultdict(list)
    for rule in book.checked.ruleset.rules:
        groups[Path(rule.path).parent.name].append(rule)
    return dict(sorted(groups.items()))


def esc(text: str) -> str:
    """Free text (titles, notes) made safe for MyST Markdown, on one line."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))


def folder_page(folder: str, rules: list[Rule], book: engine.Rulebook) -> str:
    files = list(dict.fromkeys(r.path for r in rules))
    lines = [f"# `{folder}`", "",
             f"{len(rules)} rules in {len(files)} file(s) below `rules/{folder}/`, "
             "generated from the rule files when the documentation was built.", ""]
    for path in files:
        lines += [f"## `{path}`", ""]
        for rule in (r for r in rules if r.path == path):
            lines += rule_section(rule, book)
    return "\n".join(lines) + "\n"


def rule_section(rule: Rule, book: engine.Rulebook) -> list[str]:
    lines = [f"(rule-{rule.id})=", f"### `{rule.id}`", "",
             f"- **kind**: {rule.kind}{kind_detail(rule)}",
             f"- **da**: {esc(rule.title.get('da', ''))}",
             f"- **en**: {esc(rule.title.get('en', ''))}",
             f"- **valid**: {window_text(rule)}"]
    if rule.proposal:
        lines.append(f"- **proposal**: part of `{rule.proposal}` (off unless switched on)")
    lines += citation_lines(rule, book.checked.legal_refs)
    lines += [f"- **confidence**: {rule.confidence}"] if rule.confidence else []
    lines += [f"- **note**: {esc(rule.note)}"] if rule.note else []
    lines += input_lines(rule) + lift_lines(rule, book) + expression_lines(rule)
    return lines + [""]


def kind_detail(rule: Rule) -> str:
    if rule.kind == "input" and rule.input is not None:
        return f" of type `{rule.input.type}`"
    if rule.kind == "value" and rule.defines:
        priority = f" (priority {rule.priority})" if rule.priority else ""
        return f", one definition of `{rule.defines}`{priority}"
    if rule.kind == "obligation":
        return f", actor `{rule.actor}`"
    return ""


def window_text(rule: Rule) -> str:
    if rule.valid_from is None and rule.valid_to is None:
        return "always (no validity window)"
    return f"{rule.valid_from or 'open'} to {rule.valid_to or 'open'}"


def citation_lines(rule: Rule, refs: LegalRefs) -> list[str]:
    lines = []
    for citation in rule.refs:
        lines.append(f"- **cites** {esc(citation.text)}, in force during the window:")
        versions = versions_for(rule, citation, refs)
        lines += [f"  - {esc(v.designation)} ({v.start} to {v.end or 'today'}): <{v.eli}>"
                  for v in versions]
        lines += ["  - (no act version found)"] if not versions else []
    return lines


def input_lines(rule: Rule) -> list[str]:
    spec = rule.input
    if spec is None:
        return []
    described = f"{esc(spec.description.get('en', ''))} / {esc(spec.description.get('da', ''))}"
    lines = [f"- **description**: {described}"]
    if spec.values:
        titles = spec.value_titles
        shown = [f"`{v}`" + (f" ({esc(titles[v])})" if titles.get(v) else "") for v in spec.values]
        lines.append("- **allowed values**: " + ", ".join(shown))
    return lines


def lift_lines(rule: Rule, book: engine.Rulebook) -> list[str]:
    if rule.kind != "exemption":
        return []
    refs, obligations = book.checked.legal_refs, book.checked.obligations
    lines = ["- **lifts**, while `when` holds:"]
    for lift in rule.lifts:
        lifted = [o.id for o in obligations if resolver.lifts(rule, lift, o, refs)]
        targets = ", ".join(f"{{ref}}`{i} <rule-{i}>`" for i in lifted) or "no obligation"
        lines.append(f"  - {esc(lift.text)}: {targets}")
    return lines


def expression_lines(rule: Rule) -> list[str]:
    lines = []
    for field, node in rule.expressions():
        lines += ["", f"{field}:", "", "```text", ast.to_source(node), "```"]
    return lines


def builtins_table() -> str:
    lines = ["| function | signature | what it gives |", "|---|---|---|"]
    for name, builtin in sorted(builtins.REGISTRY.items()):
        lines.append(f"| `{name}` | `{builtin.signature}` | {esc(builtin.doc)} |")
    return "\n".join(lines) + "\n"


def syntax_error_list() -> str:
    lines = []
    for message, hint, examples in parser.SYNTAX_ERRORS:
        shown = ", ".join(f"`{e}`" for e in examples)
        lines.append(f"- **{esc(message)}**: hint *{esc(hint)}*. Examples: {shown}")
    return "\n".join(lines) + "\n"


def code_list(words: Iterable[str]) -> str:
    return ", ".join(f"`{w}`" for w in words) or "none"


def rule_keys() -> str:
    lines = ["| kind | keys besides the common ones |", "|---|---|"]
    lines += [f"| `{kind}` | {code_list(sorted(loader.KIND_KEYS[kind]))} |" for kind in model.KINDS]
    lines += ["", f"- Common keys: {code_list(sorted(loader.COMMON_KEYS))}",
              f"- Input types: {code_list(model.INPUT_TYPES)}",
              f"- Actors: {code_list(model.ACTORS)}",
              f"- Confidence: {code_list(model.CONFIDENCE)}"]
    return "\n".join(lines) + "\n"


def arithmetic_table() -> str:
    """What `+ - * /` accept, from the type checker's own table."""
    lines = ["| operator | left | right | result |", "|---|---|---|---|"]
    for (op, left, right), result in typechecker.ARITHMETIC.items():
        lines.append(f"| `{op}` | {left} | {right} | {result} |")
    return "\n".join(lines) + "\n"


def category_list() -> str:
    """The diagnostic categories in the order `engine.lang.errors` declares them."""
    return code_list(errors.CATEGORIES) + "\n"

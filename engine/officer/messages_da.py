"""`paragraf check --lang da`: the checker's messages and hints in Danish.

The checker writes its messages in English; this table gives each known pattern its Danish
wording, with the names, numbers and citations carried over. A message no pattern knows is
kept in English rather than guessed. Entry point: `translate`.
"""
from __future__ import annotations

import re

import attrs

from engine.lang.errors import Diagnostic

_PATTERNS: tuple[tuple[str, str], ...] = (
    # names
    (r"unknown name '(?P<a>[^']+)'", "ukendt navn '{a}'"),
    (r"did you mean '(?P<a>[^']+)'\?", "mente du '{a}'?"),
    (r"did you mean (?P<a>§ [^?]+)\?", "mente du {a}?"),
    (r"unknown function '(?P<a>[^']+)'", "ukendt funktion '{a}'"),
    (r"duplicate rule id '(?P<a>[^']+)'", "regel-id'et '{a}' findes to gange"),
    # citations
    (r"(?P<a>§ .+?) does not exist in (?P<b>.+?) \(in force (?P<c>\S+) to (?P<d>\S+)\)",
     "{a} findes ikke i {b} (i kraft {c} til {d})"),
    (r"'(?P<a>[^']+)' cites § (?P<b>\S+), repealed in (?P<c>.+?), during the rule's window (?P<d>.+)",
     "'{a}' henviser til § {b}, ophævet i {c}, i reglens gyldighedsperiode {d}"),
    # schema
    (r"unknown actor '(?P<a>[^']+)'", "ukendt aktør '{a}'"),
    (r"unknown rule kind '(?P<a>[^']+)'", "ukendt regeltype '{a}'"),
    (r"use one of: (?P<a>.+)", "brug en af: {a}"),
    (r"unknown key '(?P<a>[^']+)'(?P<b>.*)", "ukendt nøgle '{a}'{b}"),
    (r"'(?P<a>[^']+)' is required", "'{a}' skal angives"),
    # syntax (engine.lang.parser.SYNTAX_ERRORS)
    (r"missing 'then' after the condition of 'if'", "'then' mangler efter betingelsen i 'if'"),
    (r"missing 'else': every 'if' needs both 'then' and 'else'", "'else' mangler: hver 'if' skal have både 'then' og 'else'"),
    (r"write: if CONDITION then A else B", "skriv: if BETINGELSE then A else B"),
    (r"'=' is not a comparison", "'=' er ikke en sammenligning"),
    (r"use '==' to compare, as in: (?P<a>.+)", "brug '==' til at sammenligne, som i: {a}"),
    (r"a parenthesis is opened but not closed", "en parentes åbnes, men lukkes ikke"),
    (r"add the missing '(?P<a>.)'", "tilføj den manglende '{a}'"),
    (r"a set is opened but not closed", "en mængde åbnes, men lukkes ikke"),
    (r"an operator is missing its right-hand side", "en operator mangler sin højre side"),
    (r"write a value after the operator", "skriv en værdi efter operatoren"),
    (r"a closing parenthesis has no opening one", "en lukkende parentes har ingen åbnende"),
    (r"remove the '\)' or add the matching '\('", "fjern ')' eller tilføj den tilsvarende '('"),
    (r"comparisons cannot be chained", "sammenligninger kan ikke kædes sammen"),
    (r"a string is not closed", "en tekststreng er ikke lukket"),
    (r"unknown unit after a number", "ukendt enhed efter et tal"),
    # types
    (r"(?P<a>.+) must be a (?P<b>\w+), but '(?P<c>.+)' is a (?P<d>\w+)", "{a} skal være af typen {b}, men '{c}' er af typen {d}"),
    (r"write an expression that gives a (?P<a>\w+) here, or compare '(?P<b>.+)' with one",
     "skriv et udtryk, der giver typen {a} her, eller sammenlign '{b}' med et"),
    (r"cannot compare a (?P<a>\w+) with a (?P<b>\w+)", "kan ikke sammenligne typen {a} med typen {b}"),
    (r"cannot apply '(?P<a>.+)' to a (?P<b>\w+) and a (?P<c>\w+)", "kan ikke bruge '{a}' på typerne {b} og {c}"),
    (r"compare the (?P<a>\w+) with another (?P<b>\w+)(?P<c>.*)", "sammenlign typen {a} med en anden af typen {b}{c}"),
    (r"'(?P<a>[^']+)' is not an allowed value of (?P<b>\S+)", "'{a}' er ikke en tilladt værdi af {b}"),
    (r"check the types of both sides; the rule language reference lists each operator's types",
     "tjek typerne på begge sider; sprogets reference viser hver operators typer"),
    # analysis
    (r"'(?P<a>[^']+)' and '(?P<b>[^']+)' both define '(?P<c>[^']+)' for the same case on (?P<d>\S+)",
     "'{a}' og '{b}' definerer begge '{c}' for samme sag den {d}"),
    (r"exemption '(?P<a>[^']+)' can never apply: its condition is false for every case in its window (?P<b>.+)",
     "fritagelsen '{a}' kan aldrig gælde: betingelsen er falsk for alle sager i perioden {b}"),
)
_COMPILED = tuple((re.compile(pattern), template) for pattern, template in _PATTERNS)


def translate(diagnostic: Diagnostic, lang: str) -> Diagnostic:
    """The diagnostic with its message and hint in `lang` (da or en) where a pattern knows them."""
    if lang != "da":
        return diagnostic
    hint = diagnostic.hint and "\n".join(_text(line) for line in diagnostic.hint.split("\n"))
    return attrs.evolve(diagnostic, message=_text(diagnostic.message), hint=hint)


def _text(text: str) -> str:
    for pattern, template in _COMPILED:
        found = pattern.fullmatch(text)
        if found:
            return template.format(**found.groupdict())
    return text

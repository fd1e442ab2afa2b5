"""The words and sentence patterns of decision reports, in Danish and English.

Every sentence a report shows is made here from a pattern and recorded data, so the text,
Markdown and HTML reports say the same thing in the same words.
"""
from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "da": {
        "decision": "Afgørelse", "case": "sag", "as_of": "pr.", "municipality": "kommune", "rulebook": "Regelsæt",
        "obligations": "Forpligtelser", "applies": "gælder", "exempted": "fritaget", "not_applicable": "gælder ikke",
        "unknown": "ukendt", "due": "frist", "by": "af", "exempted_by": "fritaget efter", "exemptions": "Fritagelser i kraft",
        "values": "Værdier", "missing": "Manglende oplysninger", "basis": "Hjemmel", "failed": "Betingelsen er ikke opfyldt",
        "facts": "Oplysninger brugt", "depends": "Bygger på", "lifts": "løfter", "none": "ingen", "fulfilled": "opfyldt",
        "open": "ikke opfyldt", "fulfilment": "opfyldelse", "holds": "gælder", "value": "værdi", "note": "note",
        "confidence": "sikkerhed", "proposals": "Forslag slået til", "no_rule": "ingen regel", "at": "i",
        "lifted": "fritager for", "trace": "Begrundelse trin for trin", "rule": "Regel", "status": "Status",
        "obligation": "Forpligtelse", "actor": "Aktør", "case_digest": "Sagens digest", "engine": "Motor",
        "fingerprint": "Fingeraftryk", "summary": "Resumé", "reason": "Begrundelse", "true": "sand", "false": "falsk",
        "source": "Kilde", "lang": "da", "unfold": "Fold ud for at se hvert trin", "notices": "Bemærk",
    },
    "en": {
        "decision": "Decision", "case": "case", "as_of": "as of", "municipality": "municipality", "rulebook": "Rulebook",
        "obligations": "Obligations", "applies": "applies", "exempted": "exempted", "not_applicable": "does not apply",
        "unknown": "unknown", "due": "due", "by": "by", "exempted_by": "exempted by", "exemptions": "Exemptions in force",
        "values": "Values", "missing": "Missing facts", "basis": "Legal basis", "failed": "The condition does not hold",
        "facts": "Facts used", "depends": "Depends on", "lifts": "lifts", "none": "none", "fulfilled": "fulfilled",
        "open": "not fulfilled", "fulfilment": "fulfilment", "holds": "holds", "value": "value", "note": "note",
        "confidence": "confidence", "proposals": "Proposals switched on", "no_rule": "no rule", "at": "at",
        "lifted": "lifted here", "trace": "Reasoning step by step", "rule": "Rule", "status": "Status",
        "obligation": "Obligation", "actor": "Actor", "case_digest": "Case digest", "engine": "Engine",
        "fingerprint": "Fingerprint", "summary": "Summary", "reason": "Reason", "true": "true", "false": "false",
        "source": "Source", "lang": "en", "unfold": "Unfold to see every step", "notices": "Note",
    },
}

ACTORS: dict[str, dict[str, str]] = {
    "da": {"jobcenter": "Jobcenteret", "kommune": "Kommunen", "a-kasse": "A-kassen", "borger": "Borgeren",
           "arbejdsgiver": "Arbejdsgiveren", "rehabiliteringsteam": "Rehabiliteringsteamet", "staten": "Staten"},
    "en": {"jobcenter": "The jobcentre", "kommune": "The municipality", "a-kasse": "The unemployment fund",
           "borger": "The citizen", "arbejdsgiver": "The employer", "rehabiliteringsteam": "The rehabilitation team",
           "staten": "The state"},
}

SENTENCES: dict[str, dict[str, str]] = {
    "da": {
        "applies": "{actor} skal opfylde «{title}»{due}.",
        "applies_due": " senest {due}",
        "exempted": "{actor} er fritaget for «{title}»{due}: {exemption} løfter pligten efter {basis}.",
        "exempted_due": " (ellers frist {due})",
        "not_applicable": "«{title}» gælder ikke, fordi betingelsen ikke er opfyldt{failed}.",
        "unknown": "Ukendt, om «{title}» gælder; der mangler: {missing}.",
        "value": "{title}: {name} = {value}.",
        "value_none": "Ingen definition af {name} gælder i denne sag.",
        "exemption_true": "Fritagelsen gælder: {title}.",
        "exemption_false": "Fritagelsen gælder ikke: {title}.",
        "exemption_unknown": "Ukendt, om fritagelsen gælder: {title}.",
        "failed_part": "ikke opfyldt: {expr}",
        "lifts": "{rule} løfter {lifts} efter {basis}; her fritager den for {lifted}.",
        "not_covered": "Regelsættet dækker ikke {act} ({title}) den {as_of}: reglerne dækker {window}. "
                       "Afgørelsen er ufuldstændig.",
        "window_open": "fra {start}", "window_closed": "{start} til {end}",
        "known_on": "Oplysningerne er taget som registreret pr. {known_on}; loven som gældende {as_of}.",
        "after_as_of": "Ikke medregnet: {fact} {date}{kind}, dateret efter {as_of}.",
        "recorded_after_known_on": "Ikke medregnet: {fact} {date}{kind}, registreret {recorded}, efter {known_on}.",
    },
    "en": {
        "applies": "{actor} must meet “{title}”{due}.",
        "applies_due": " by {due}",
        "exempted": "{actor} is exempted from “{title}”{due}: {exemption} lifts it under {basis}.",
        "exempted_due": " (otherwise due {due})",
        "not_applicable": "“{title}” does not apply because the condition does not hold{failed}.",
        "unknown": "Unknown whether “{title}” applies; missing: {missing}.",
        "value": "{title}: {name} = {value}.",
        "value_none": "No definition of {name} applies to this case.",
        "exemption_true": "The exemption holds: {title}.",
        "exemption_false": "The exemption does not hold: {title}.",
        "exemption_unknown": "Unknown whether the exemption holds: {title}.",
        "failed_part": "does not hold: {expr}",
        "lifts": "{rule} lifts {lifts} under {basis}; here it lifts {lifted}.",
        "not_covered": "The rulebook does not cover {act} ({title}) on {as_of}: its rules cover {window}. "
                       "The decision is incomplete.",
        "window_open": "from {start}", "window_closed": "{start} to {end}",
        "known_on": "Facts as recorded by {known_on}; the law as in force on {as_of}.",
        "after_as_of": "Not counted: {fact} {date}{kind}, dated after {as_of}.",
        "recorded_after_known_on": "Not counted: {fact} {date}{kind}, recorded {recorded}, after {known_on}.",
    },
}

LANGUAGES = tuple(WORDS)

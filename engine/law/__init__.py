"""The law as data: acts and their versions, rules, and the checks that bind them together.

Owns the legal references (`legal_refs`: acts, versions, ELI, paragraphs), the rule model
(`model`), the loader of rule files (`loader`), the resolver that checks names, types,
citations, cycles and exemptions (`resolver`), which exemptions lift which obligation per act
version (`lifting`), the weekly series and their plan (`series`), which acts a case touches
(`touched`, for coverage windows), and
the static analysis of `paragraf check` (`analysis`, over the finite domains of `domains`).
May import `lang` only. Entry points: `loader.load_rule_dir`, `resolver.resolve`,
`analysis.analyse`.
"""

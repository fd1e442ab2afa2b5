"""The legal officer's tools for writing and changing rules.

Owns the YAML scenario runner and its pytest plugin (`scenarios`, with `payment_scenarios` for
refusion), which rules and branches the scenarios reached (`scenario_coverage`), which
paragraphs the rules cite (`citation_coverage`), which rules implement each paragraph of an act
and which scenarios exercised each rule (`act_index`, for the docs' law catalogue and the web
page), rule diffs between rulebooks (`rulediff`), JSON Schemas for rule files and cases
(`schema`), conditions in words (`verbalise`) and what-if comparisons with a proposal
(`compare`), the check report as JSON and SARIF (`check_report`, Danish messages in
`messages_da`), and the language server for rule files (`editor/`). May import every layer up
to `caseload`.
"""

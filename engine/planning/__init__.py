"""A municipality's view over its caseload: the focus targets it is measured against, and what a
change of the refusion rules or of its citizens' spells would do to its money.

Owns `focus_targets` (the skærpet tilsyn focus targets measured over citizen cases); the refusion
what-ifs: `proposal_text` (the planner's proposal text), `proposal_rules` (a staircase as a
generated rule file), `earlier_into_work` (shorter spells), `whatif` (the comparison per
municipality and month, an Arrow table), `whatif_report` (text, JSON, the HTML planning report);
`staircase_report` (one citizen's staircase as a page) and `pages` (the templates in
`templates/`). May import every layer up to `officer`. Entry points: `focus_targets.measure`,
`whatif.compare_refusion`, `whatif_report.html`, `staircase_report.html`.
"""

"""A municipality's view over its caseload: the skærpet tilsyn focus targets it is measured
against, how concentrated its benefit costs are, the follow-up goals of the free-municipality
application "Tværgående borgerforløb", and what a change of the refusion rules or of its citizens'
spells would do to its money.

Owns `focus_targets` (the shares of the focus targets over citizen cases); `concentration` (top
shares, Lorenz curve, Gini and benefits per citizen over payment records), `marking` (a caseload
with `complex_case` set for the top segment), `goals` (goals 5 and 10 for a baseline and a
follow-up year); the refusion what-ifs: `proposal_text` (the planner's proposal text),
`proposal_rules` (a staircase as a generated rule file), `earlier_into_work` (shorter spells),
`whatif` (the comparison per municipality and month, an Arrow table); and their renderings:
`texts` (plain text), `figures` (charts through `engine.report.charts`), `reports` (the
concentration, goals and exemption pages), `whatif_report` (text, JSON, the HTML planning report),
`staircase_report` (one citizen's staircase as a page), `pages` (the shared Jinja environment
over `templates/`) and `words` (Danish and English). May import every layer up to `officer`.
Entry points: `focus_targets.measure`, `concentration.measure`, `marking.mark`, `goals.measure`,
`whatif.compare_refusion`, `reports.concentration`, `reports.goals`, `reports.exemptions`,
`whatif_report.html`, `staircase_report.html`.
"""

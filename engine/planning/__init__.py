"""A municipality's view over its caseload: the skærpet tilsyn focus targets it is measured
against, how concentrated its benefit costs are, and the follow-up goals of the free-municipality
application "Tværgående borgerforløb".

Owns `focus_targets` (the shares of the focus targets over citizen cases), `concentration` (top
shares, Lorenz curve, Gini and benefits per citizen over payment records), `marking` (a caseload
with `complex_case` set for the top segment), `goals` (goals 5 and 10 for a baseline and a
follow-up year), and their renderings: `texts` (plain text), `figures` (charts through
`engine.report.charts`), `pages` (self-contained HTML from `templates/`) and `words` (Danish and
English). May import every layer up to `officer`. Entry points: `focus_targets.measure`,
`concentration.measure`, `marking.mark`, `goals.measure`, `pages.concentration`, `pages.goals`,
`pages.exemptions`.
"""

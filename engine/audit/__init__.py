"""The auditor's trail: decisions kept so that they can be checked and reproduced later.

Owns the hash-chained decision log (`log`), decision records (`record`), replaying a record
against a rulebook (`replay`) and the report of which exemptions set aside which paragraphs
(`exemption_report`). May import every layer up to `rulebook`. Entry points:
`log.DecisionLog`, `log.verify`, `record.keep`, `replay.replay`, `exemption_report.count_usage`.
"""

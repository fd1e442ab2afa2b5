"""The auditor's trail: decisions kept so that they can be checked and reproduced later.

Owns the hash-chained decision log (`log`), its anchoring by checkpoints and Ed25519
signatures (`anchor`, `keys`), decision records (`record`), replaying a record
against a rulebook (`replay`) and the report of which exemptions set aside which paragraphs
(`exemption_report`). May import every layer up to `rulebook`. Entry points:
`log.DecisionLog`, `log.verify`, `log.backup`, `anchor.make_checkpoint`,
`anchor.verify_anchored`, `keys.generate`, `record.keep`, `replay.replay`, `exemption_report.count_usage`.
"""

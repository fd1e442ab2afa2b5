"""Deciding one case: which obligations apply on a date, by when, and which exemptions lift them.

Owns the case file and its validation (`casefile`), batches of cases (`casebatch`), the
subjects a rule speaks of (`subjects`), proposal switches (`proposals`), the evaluator
(`evaluator`), the steps it records and the trace built from them on request (`trace`) and the
`Decision` with its decision@2 JSON contract (`decision`). May import `lang`, `law` and `report` (a decision renders itself through it).
Entry points: `casefile.read_case`, `evaluator.evaluate`, `decision.Decision`.
"""

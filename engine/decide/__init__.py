"""Deciding one case: which obligations apply on a date, by when, and which exemptions lift them.

Owns the case file and its validation (`casefile`), batches of cases (`casebatch`), the
subjects a rule speaks of (`subjects`), proposal switches (`proposals`), the evaluator
(`evaluator`), what it shares across cases of one kind on one stretch of days (`plans`), the
steps it records and the trace built from them on request (`trace`), the `Decision` with its decision@2 JSON contract (`decision`), and counterfactuals: the smallest
changes of a case that flip an outcome (`counterfactuals`) and the events that would fulfil an
obligation (`fulfilment`). May import `lang`, `law` and `report` (a decision renders itself
through it). Entry points: `casefile.read_case`, `evaluator.evaluate`, `decision.Decision`,
`counterfactuals.counterfactuals`.
"""

"""Refusion over time: payment records to per-week refusion and co-financing for a caseload.

Owns reading payment files (`payments`), spreading them over calendar weeks (`weeks`), the
per-person weekly evaluator (`weekly`), the batch evaluator over NumPy arrays (`arrays`,
`batch_nodes`, `batch`), the per-week tables and summaries (`tables`) and the explanation of
one person's week (`explain_week`). May import `lang` and `law`. This package's modules import
NumPy and pyarrow, so nothing imports them at start-up. Entry points:
`payments.read_payments`, `tables.evaluate_slices`, `tables.refusion`, `explain_week.explain_week`.
"""

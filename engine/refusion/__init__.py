"""Refusion over time: payment records to per-week refusion and co-financing for a caseload.

Owns reading payment files (`payments`: typed Parquet as it is, CSV typed or, for bad rows, as
text), spreading them over calendar weeks (`weeks`), the three weekly evaluators that must agree
(per person, `weekly`; NumPy, `arrays`, `batch_nodes`, `batch`; native, `native_nodes`,
`native_source`, `native`: the rules compiled to a Numba loop), the per-week tables and summaries (`tables`) and
the explanation of one person's week (`explain_week`). May import `lang` and `law`. This
package's modules import NumPy and pyarrow (and the native kernel Numba), so nothing imports them
at start-up. Entry points: `payments.read_payments`, `tables.evaluate_tables`,
`tables.evaluate_slices`, `tables.refusion`, `native.NativeProgram`, `explain_week.explain_week`.
"""

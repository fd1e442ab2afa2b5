"""Whole caseloads: many cases evaluated in one run, on one core, several processes or a Dask cluster.

Owns turning a decision into output rows (`rows`: the one seam between a `Decision` and what a
caseload run writes), outcomes gathered into Arrow tables or JSON text (`batches`), the
JSON-lines and Parquet writers (`sinks`), the serial and multi-process
runs (`run`) and the Dask run over Parquet partitions (`dask`). Part of the `rulebook` layer
(a caseload is a rulebook applied to many cases): may import `lang`, `law`, `report`, `decide`,
`refusion` and the rest of `rulebook`, which never imports it; reads cases through
`Rulebook.read_cases`.
Entry points: `run.evaluate_caseload` (what `paragraf eval CASES --out OUT [--jobs N]` runs) and
`dask.evaluate` (`--dask ADDRESS`).
"""

"""A seeded generator of realistic caseloads: payment records for N persons over 156 weeks.

Each person lives through a sequence of spells drawn from a fixed mix: short sickness spells
(sygedagpenge, paid per fortnight), long cash-benefit spells (kontanthjælp, paid per month),
unemployment (a-dagpenge), jobafklaring (ressourceforløbsydelse), study (SU), pensions
(førtidspension, folkepension), flexjob benefits, and self-support gaps long enough to reset the
count. Everything is vectorised, so a million persons take seconds; the same seed gives the same
records.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

FIRST = dt.date(2021, 3, 1)  # a Monday; the LBK 221/2021 benefit sets apply throughout
WEEKS = 156
SPELLS = 8
# kind: (code or None for self-support, min days, max days, days per payment, kroner per day)
KINDS = [
    (None, 14, 500, 0, 0),
    ("sygedagpenge", 7, 60, 14, 600),
    ("kontanthjaelp", 60, 900, 30, 420),
    ("a_dagpenge", 30, 400, 30, 850),
    ("ressourceforloebsydelse", 90, 700, 30, 480),
    ("su", 120, 400, 30, 200),
    ("foertidspension", 300, 1100, 30, 620),
    ("folkepension", 300, 1100, 30, 450),
    ("ledighedsydelse", 30, 300, 30, 610),
    (None, 364, 400, 0, 0),
]
WEIGHTS = np.array([30, 20, 14, 10, 6, 5, 3, 2, 4, 6], float)
FACT_DATES = np.array([dt.date(2012, 5, 1), dt.date(2014, 6, 30), dt.date(2014, 7, 1), dt.date(2018, 9, 3)], "datetime64[D]")


def generate(persons: int, seed: int = 7) -> dict[str, np.ndarray]:
    """Payment records as columns: person (int), municipality (int), benefit (str), ore, start, end (day numbers)."""
    rng = np.random.default_rng(seed)
    first = (np.datetime64(FIRST) - np.datetime64("1970-01-01")).astype(np.int64)
    last = first + 7 * WEEKS - 1
    kind = rng.choice(len(KINDS), size=(persons, SPELLS), p=WEIGHTS / WEIGHTS.sum())
    low = np.array([k[1] for k in KINDS])[kind]
    high = np.array([k[2] for k in KINDS])[kind]
    length = low + (rng.random((persons, SPELLS)) * (high - low + 1)).astype(np.int64)
    offset = rng.integers(-200, 60, size=(persons, 1))
    start = first + offset + np.cumsum(length, axis=1) - length
    keep = (np.array([k[0] is not None for k in KINDS])[kind]) & (start <= last) & (start + length - 1 >= first)
    who = np.broadcast_to(np.arange(persons)[:, None], kind.shape)[keep]
    spell_kind, spell_start = kind[keep], np.maximum(start[keep], first)
    spell_end = np.minimum(start[keep] + length[keep] - 1, last)
    return _payments(rng, who, spell_kind, spell_start, spell_end, persons)


def _payments(rng: np.random.Generator, who: np.ndarray, kind: np.ndarray, start: np.ndarray, end: np.ndarray,
              persons: int) -> dict[str, np.ndarray]:
    """Split each spell into payment periods and price them."""
    period = np.array([max(k[3], 1) for k in KINDS])[kind]
    parts = (end - start) // period + 1
    row = np.repeat(np.arange(len(kind)), parts)
    step = np.arange(len(row)) - np.repeat(np.cumsum(parts) - parts, parts)
    part_start = start[row] + step * period[row]
    part_end = np.minimum(part_start + period[row] - 1, end[row])
    daily_ore = np.array([k[4] * 100 for k in KINDS])[kind][row]
    personal = rng.integers(85, 116, size=persons)  # each person's level, 85-115 %
    ore = (part_end - part_start + 1) * daily_ore * personal[who[row]] // 100 + rng.integers(0, 100, size=len(row))
    municipality = 101 + (np.arange(persons) * 7919) % 98
    codes = np.array([k[0] or "" for k in KINDS], dtype=object)[kind][row]
    facts = rng.integers(-2, len(FACT_DATES), size=(2, persons))  # negative: not given
    return {"person": who[row], "municipality": municipality[who[row]], "benefit": codes, "ore": ore,
            "start": part_start, "end": part_end, "flexjob": facts[0], "early_pension": facts[1]}


def to_payments(columns: dict[str, np.ndarray], codes: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """The engine's read form, built directly (no file): what `read_payments` would give."""
    from engine.refusion.payments import NO_DATE, Payments

    persons = int(columns["person"].max()) + 1 if len(columns["person"]) else 0
    index = {code: i for i, code in enumerate(codes)}
    return Payments(
        person=columns["person"].astype(np.int32), municipality=(columns["municipality"] - 101).astype(np.int32),
        benefit=_codes(columns["benefit"], index),
        ore=columns["ore"].astype(np.int64), start=columns["start"].astype(np.int32), end=columns["end"].astype(np.int32),
        line=np.arange(2, len(columns["ore"]) + 2, dtype=np.int64), persons=[f"P{i:07d}" for i in range(persons)],
        municipalities=[str(m) for m in range(101, 199)], codes=codes,
        facts={"flexjob_visitation_date": _fact(columns["flexjob"], NO_DATE),
               "early_pension_granted": _fact(columns["early_pension"], NO_DATE)}, bad=[])


def _codes(benefit: np.ndarray, index: dict[str, int]) -> np.ndarray:
    names, inverse = np.unique(benefit.astype(str), return_inverse=True)
    return np.array([index[n] for n in names], np.int8)[inverse]


def _fact(choice: np.ndarray, missing: int) -> np.ndarray:
    days = (FACT_DATES - np.datetime64("1970-01-01")).astype(np.int64)
    return np.where(choice >= 0, days[np.maximum(choice, 0)], missing).astype(np.int32)


def write(columns: dict[str, np.ndarray], path: Path, chunk: int = 2_000_000) -> None:
    """Write the records as a payment file (CSV or Parquet), in chunks."""
    import pyarrow.csv as csv
    import pyarrow.parquet as pq

    writer = None
    for lo in range(0, len(columns["ore"]), chunk):
        table = _table({k: v[lo:lo + chunk] for k, v in columns.items() if k not in ("flexjob", "early_pension")},
                       columns["flexjob"], columns["early_pension"])
        if writer is None:
            writer = pq.ParquetWriter(str(path), table.schema) if path.suffix == ".parquet" else csv.CSVWriter(str(path), table.schema)
        writer.write_table(table)
    if writer is not None:
        writer.close()


def _table(part: dict[str, np.ndarray], flexjob: np.ndarray, early: np.ndarray):  # type: ignore[no-untyped-def]
    import pyarrow as pa
    import pyarrow.compute as pc

    def day_text(days: np.ndarray) -> pa.Array:
        return pc.cast(pa.array(days.astype("datetime64[D]")), pa.string())

    def fact_text(choice: np.ndarray) -> pa.Array:
        dates = pc.cast(pa.array(FACT_DATES[np.maximum(choice, 0)]), pa.string())
        return pc.if_else(pa.array(choice >= 0), dates, pa.scalar(""))

    ore = part["ore"]
    amount = pc.binary_join_element_wise(pc.cast(pa.array(ore // 100), pa.string()),
                                         pc.utf8_lpad(pc.cast(pa.array(ore % 100), pa.string()), 2, "0"), ".")
    return pa.table({
        "person": pc.binary_join_element_wise("P", pc.utf8_lpad(pc.cast(pa.array(part["person"]), pa.string()), 7, "0"), ""),
        "municipality": pc.cast(pa.array(part["municipality"]), pa.string()),
        "benefit": pa.array(part["benefit"].astype(str)), "amount": amount,
        "from": day_text(part["start"]), "to": day_text(part["end"]),
        "flexjob_visitation_date": fact_text(flexjob[part["person"]]),
        "early_pension_granted": fact_text(early[part["person"]]),
    })

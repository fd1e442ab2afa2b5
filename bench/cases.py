"""Write a seeded caseload of citizen cases as Parquet partitions, for `paragraf eval CASES --out OUT`.

    python -m bench.cases --cases 100000 --out /tmp/cases        # /tmp/cases/part-0000.parquet, …

The cases are drawn like a jobcentre's caseload: kontanthjælp and uddannelseshjælp recipients
(job-, activity- or education-ready, some complex cases), a-dagpenge recipients (registered, with
jobcentre and a-kasse talks), sick-listed employees and self-employed (first absence day,
visitation category, hours and paid days), and a few on ressourceforløb, ledighedsydelse or
flexjob; every Danish municipality; evaluation dates from 2019 to 2025 (so several act versions
apply). Dates are Parquet date columns, yes/no facts boolean columns, talks and offers JSON
text, as `engine/decide/casetable.py` reads them.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from pathlib import Path
from typing import Any

import engine

START, END = dt.date(2019, 1, 7), dt.date(2025, 6, 30)
KINDS = ("kontanthjaelp", "uddannelseshjaelp", "a_dagpenge", "sygedagpenge", "ressourceforloebsydelse",
         "ledighedsydelse")
WEIGHTS = (30, 10, 30, 22, 4, 4)
PART_ROWS = 10_000


def case(rng: random.Random, number: int, municipalities: tuple[str, ...]) -> dict[str, Any]:
    as_of = START + dt.timedelta(days=rng.randrange((END - START).days))
    benefit = rng.choices(KINDS, WEIGHTS)[0]
    since = as_of - dt.timedelta(days=rng.randrange(0, 540))
    age = rng.randrange(18, 66) if benefit != "uddannelseshjaelp" else rng.randrange(18, 30)
    row: dict[str, Any] = {
        "case": f"C{number:08d}", "as_of": as_of, "municipality": rng.choice(municipalities),
        "citizen.birth_date": as_of - dt.timedelta(days=365 * age + rng.randrange(365)),
        "citizen.benefit": benefit, "citizen.benefit_since": since,
        "citizen.first_contact": since + dt.timedelta(days=rng.randrange(0, 14)) if rng.random() < 0.8 else None,
        "citizen.vocational_education": rng.random() < 0.5,
    }
    if benefit in ("kontanthjaelp", "uddannelseshjaelp"):
        row["citizen.readiness"] = rng.choice(("jobparat", "aktivitetsparat", "uddannelsesparat"))
        row["citizen.complex_case"] = rng.random() < 0.25
    if benefit == "a_dagpenge":
        row["citizen.registration_date"] = since
        row["citizen.dependent_children"] = rng.random() < 0.4
        row["citizen.joint_talk_wanted"] = rng.random() < 0.3
    if benefit == "sygedagpenge":
        row.update(_sickness(rng, since))
    row["citizen.talks"] = json.dumps(_talks(rng, since, as_of, benefit))
    row["citizen.offers"] = json.dumps([]) if rng.random() < 0.7 else json.dumps(
        [{"date": (since + dt.timedelta(days=rng.randrange(30, 200))).isoformat(), "kind": "tilbud"}])
    return row


def _sickness(rng: random.Random, since: dt.date) -> dict[str, Any]:
    first = since - dt.timedelta(days=rng.randrange(0, 30))
    return {
        "citizen.sickness.first_absence_day": first,
        "citizen.sickness.category": rng.choice(("1", "2", "3")),
        "citizen.sickness.visitation_date": first + dt.timedelta(days=rng.randrange(20, 60)),
        "citizen.sickness.status": rng.choices(("loenmodtager", "selvstaendig", "ledig"), (80, 10, 10))[0],
        "citizen.sickness.employed_since": first - dt.timedelta(days=rng.randrange(30, 3000)),
        "citizen.sickness.hours_8_weeks": rng.randrange(0, 320),
        "citizen.sickness.paid_days_9_months": rng.randrange(0, 120),
    }


def _talks(rng: random.Random, since: dt.date, as_of: dt.date, benefit: str) -> list[dict[str, str]]:
    kinds = ("jobsamtale", "akasse_samtale") if benefit == "a_dagpenge" else ("jobsamtale",)
    days = max(1, (as_of - since).days)
    dates = sorted(since + dt.timedelta(days=rng.randrange(days)) for _ in range(rng.randrange(0, 7)))
    return [{"date": day.isoformat(), "kind": rng.choice(kinds)} for day in dates]


def write(count: int, seed: int, out: Path) -> int:
    """Write `count` cases in partitions of PART_ROWS rows; returns the number of partitions."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(seed)
    codes = engine.load().checked.inputs["municipality"].input.values  # type: ignore[union-attr]
    rows = [case(rng, n, codes) for n in range(count)]
    columns = sorted({key for row in rows for key in row}, key=lambda k: (k.count("."), k))
    out.mkdir(parents=True, exist_ok=True)
    for part, start in enumerate(range(0, count, PART_ROWS)):
        chunk = [{key: row.get(key) for key in columns} for row in rows[start:start + PART_ROWS]]
        pq.write_table(pa.Table.from_pylist(chunk), out / f"part-{part:04d}.parquet")
    return (count + PART_ROWS - 1) // PART_ROWS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, required=True, help="a folder for the Parquet partitions")
    args = parser.parse_args()
    started = time.perf_counter()
    parts = write(args.cases, args.seed, args.out)
    print(f"{args.cases:,} cases in {parts} partitions under {args.out} ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()

"""Generate the bundled example caseload in `examples/caseload/`: `payments.parquet` (payment
records) and `cases.parquet` (one citizen case per person and year), seeded, byte-identical per seed.

    python examples/make_caseload.py [--seed 2017] [--out examples]

Three municipalities over 2016-2019: Helsingør (217, in the "Én plan" free-municipality
network and the municipality the "Tværgående borgerforløb" application speaks for), Horsens
(615, an ordinary municipality) and Aarhus (751, ordinary for these rules). The citizens are
invented. Each draws a burden from a heavy-tailed (Pareto) distribution: most have one short
spell of a-dagpenge, sygedagpenge or kontanthjælp; the few with a large burden have long spells
of several benefits with breaks between them. Payments are monthly records in the payment
record format (docs/refusion.md); amounts are in kroner with two decimals, dates are dates.

A case belongs to a person by its id, `PERSON/YEAR` (docs/planning.md). Each case is dated in
the middle of the person's last spell that year, with the benefit of that spell.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

FIRST, LAST = dt.date(2016, 1, 4), dt.date(2019, 12, 31)
MUNICIPALITIES = {"217": 240, "615": 300, "751": 460}  # kommunekode: citizens
# monthly rates in kroner (invented but of the right size); the short-spell and long-spell pools
MONTHLY = {"a_dagpenge": 18_000, "sygedagpenge": 17_500, "kontanthjaelp": 12_500, "uddannelseshjaelp": 7_000,
           "ressourceforloebsydelse": 14_500, "revalideringsydelse": 16_000, "loentilskud": 15_000,
           "ledighedsydelse": 16_500, "fleksloentilskud": 9_000, "integrationsydelse": 10_500,
           "foertidspension": 19_000, "saerlig_stoette": 2_500}
SHORT = ("a_dagpenge", "a_dagpenge", "a_dagpenge", "sygedagpenge", "sygedagpenge", "kontanthjaelp", "uddannelseshjaelp")
LONG = ("kontanthjaelp", "sygedagpenge", "ressourceforloebsydelse", "revalideringsydelse", "loentilskud",
        "ledighedsydelse", "integrationsydelse", "uddannelseshjaelp")
READINESS = {"kontanthjaelp": "aktivitetsparat", "uddannelseshjaelp": "uddannelsesparat", "a_dagpenge": "jobparat"}


def spells(rng: np.random.Generator) -> list[tuple[str, dt.date, dt.date]]:
    """A person's benefit spells (benefit, first day, last day), in date order, with breaks. The
    burden sets the weeks on benefits in all; a heavy burden is split over several benefits."""
    burden = min(rng.pareto(2.5) + 1.0, 40.0)
    weeks = int(rng.integers(2, 6) * burden ** 2.2)
    count = 1 + min(int(rng.poisson(burden / 2)), 5)
    pool = LONG if burden > 3 else SHORT
    benefits = rng.choice(pool, size=count, replace=count > len(set(pool)) or pool is SHORT)
    day = FIRST + dt.timedelta(days=int(rng.integers(0, 1400 if burden < 3 else 700)))
    out = []
    for benefit in benefits:
        end = min(day + dt.timedelta(weeks=max(weeks // count, 1), days=-1), LAST)
        out.append((str(benefit), day, end))
        day = end + dt.timedelta(weeks=int(rng.integers(1, 12 if burden > 3 else 40)))
        if day > LAST:
            break
    if burden > 4:  # the heaviest also draw særlig støtte beside their other benefits
        out.append(("saerlig_stoette", out[0][1], out[-1][2]))
    return out


def months(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The spell cut at month ends: one payment record per calendar month it touches."""
    pieces, day = [], first
    while day <= last:
        following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        pieces.append((day, min(following - dt.timedelta(days=1), last)))
        day = following
    return pieces


def person_rows(person: str, municipality: str, rng: np.random.Generator) -> tuple[list[dict], list[tuple]]:
    level = Decimal(int(rng.integers(90, 111))) / 100  # the person's own rate level, 90-110 %
    rows, drawn = [], spells(rng)
    for benefit, first, last in drawn:
        facts = {"flexjob_visitation_date": first if benefit in ("ledighedsydelse", "fleksloentilskud") else None,
                 "early_pension_granted": None}
        for start, end in months(first, last):
            amount = (MONTHLY[benefit] * level * ((end - start).days + 1) / 30).quantize(Decimal("0.01"))
            rows.append({"person": person, "municipality": municipality, "benefit": benefit,
                         "amount": amount, "from": start, "to": end, **facts})
    return rows, drawn


def case_rows(person: str, municipality: str, drawn: list[tuple], rng: np.random.Generator) -> list[dict]:
    birth = dt.date(int(rng.integers(1958, 1998)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
    cases = []
    for year in range(FIRST.year, LAST.year + 1):
        inside = [s for s in drawn if s[0] != "saerlig_stoette" and s[1].year <= year <= s[2].year]
        if not inside:
            continue
        benefit, first, last = inside[-1]
        start, end = max(first, dt.date(year, 1, 1)), min(last, dt.date(year, 12, 31))
        as_of = start + (end - start) // 2
        talks = [{"date": (first + dt.timedelta(weeks=w)).isoformat(), "kind": "jobsamtale"}
                 for w in range(0, (as_of - first).days // 7 + 1, 13)]
        cases.append({"case": f"{person}/{year}", "as_of": as_of, "municipality": municipality,
                      "citizen.birth_date": birth, "citizen.benefit": benefit, "citizen.benefit_since": first,
                      "citizen.first_contact": first, "citizen.readiness": READINESS.get(benefit, "aktivitetsparat"),
                      "citizen.vocational_education": bool(rng.random() < 0.4), "citizen.complex_case": False,
                      "citizen.talks": json.dumps(talks), "citizen.offers": "[]"})
    return cases


PAYMENT_SCHEMA = pa.schema([("person", pa.string()), ("municipality", pa.string()), ("benefit", pa.string()),
                            ("amount", pa.decimal128(11, 2)), ("from", pa.date32()), ("to", pa.date32()),
                            ("flexjob_visitation_date", pa.date32()), ("early_pension_granted", pa.date32())])
CASE_SCHEMA = pa.schema([("case", pa.string()), ("as_of", pa.date32()), ("municipality", pa.string()),
                         ("citizen.birth_date", pa.date32()), ("citizen.benefit", pa.string()),
                         ("citizen.benefit_since", pa.date32()), ("citizen.first_contact", pa.date32()),
                         ("citizen.readiness", pa.string()), ("citizen.vocational_education", pa.bool_()),
                         ("citizen.complex_case", pa.bool_()), ("citizen.talks", pa.string()),
                         ("citizen.offers", pa.string())])


def generate(seed: int) -> tuple[pa.Table, pa.Table]:
    rng = np.random.default_rng(seed)
    payments, cases = [], []
    for municipality, citizens in MUNICIPALITIES.items():
        for number in range(1, citizens + 1):
            person = f"{municipality}-{number:04d}"
            rows, drawn = person_rows(person, municipality, rng)
            payments += rows
            cases += case_rows(person, municipality, drawn, rng)
    return pa.Table.from_pylist(payments, PAYMENT_SCHEMA), pa.Table.from_pylist(cases, CASE_SCHEMA)


def write(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, compression="zstd", compression_level=9, row_group_size=1 << 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "caseload")
    args = parser.parse_args()
    payments, cases = generate(args.seed)
    write(payments, args.out / "payments.parquet")
    write(cases, args.out / "cases.parquet")
    print(f"{payments.num_rows} payment records, {cases.num_rows} cases, "
          f"{sum(MUNICIPALITIES.values())} citizens in {len(MUNICIPALITIES)} municipalities")


if __name__ == "__main__":
    main()

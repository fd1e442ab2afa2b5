"""The benefit sets of finansieringsloven § 3, stk. 1 (LBK 221/2021) and § 30, for the references.

Written from the legal brief (1.3, 1.6, 10.8-10.11), not read from rules/: the references must
not share a mistake with the engine's rule files.
"""
from __future__ import annotations

import datetime as dt

REFUNDED = ("kontantydelse", "kontanthjaelp", "uddannelseshjaelp", "sygedagpenge", "revalideringsydelse",
            "ressourceforloebsydelse", "loentilskud", "integrationsydelse")
COFINANCED = ("a_dagpenge", "midlertidig_arbejdsmarkedsydelse", "saerlig_stoette", "seniorpension")
NO_PAYMENT = ("saerlig_uddannelsesydelse",)
FLEXJOB = ("ledighedsydelse", "fleksloentilskud")
EARLY_PENSION = ("foertidspension",)
SCHEME_START = dt.date(2014, 7, 1)    # § 30, stk. 2 and 4
VALID_FROM = dt.date(2021, 2, 12)     # LBK 221/2021: the sets above
REFUSION = ((4, 80), (26, 40), (52, 30), (None, 20))     # § 5, stk. 2
COFINANCING = ((4, 20), (26, 60), (52, 70), (None, 80))  # § 5, stk. 3
OLD_SCHEME = 30                                          # BEK 1770/2015
RESET_WEEKS, WINDOW = 52, 156                            # § 6, stk. 1 (reading 10.4)


def bits(codes: tuple[str, ...], names: tuple[str, ...]) -> int:
    return sum(1 << codes.index(n) for n in names)


def step(table: tuple[tuple[int | None, int], ...], ordinal: int) -> int:
    for last, rate in table:
        if last is None or ordinal <= last:
            return rate
    raise AssertionError("unreachable")

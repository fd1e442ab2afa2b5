"""The act version each new rule cites on either side of a version boundary (legal brief 3-5)."""
from __future__ import annotations

import pytest

import engine

CASE = {
    "case": "versions", "municipality": "751",
    "citizen": {
        "birth_date": "1979-09-30", "benefit": "sygedagpenge", "benefit_since": "2016-01-04", "affected_week": 5,
        "talks": [],
        "sickness": {"first_absence_day": "2015-12-07", "category": "3", "visitation_date": "2016-01-04",
                     "status": "loenmodtager", "employed_since": "2010-01-01", "hours_8_weeks": 296,
                     "early_requests": [], "paid_days_9_months": 40, "special_days_9_months": 0,
                     "holidays_9_months": 0},
        "rehabilitation": {"exception_2024": False},
    },
}


@pytest.fixture(scope="module")
def book() -> engine.Rulebook:
    return engine.load()


def _version(book: engine.Rulebook, rule: str, day: str) -> str | None:
    obligation = book.evaluate(CASE, day).obligation(rule)
    assert obligation is not None, f"{rule} not in force on {day}"
    return obligation["legal_basis"][0]["version"]


@pytest.mark.parametrize("rule, day, version", [
    ("sygedagpengeloven.visitation.kategori", "2016-01-01", "LOV nr 563 af 09/06/2006"),
    ("sygedagpengeloven.visitation.kategori", "2016-06-22", "LOV nr 563 af 09/06/2006"),
    ("sygedagpengeloven.visitation.kategori", "2016-06-23", "LBK nr 1032 af 23/06/2016"),
    ("sygedagpengeloven.visitation.kategori", "2020-02-01", "LBK nr 1032 af 23/06/2016"),
    ("sygedagpengeloven.visitation.kategori", "2020-02-02", "LBK nr 107 af 02/02/2020"),
    ("sygedagpengeloven.visitation.kategori", "2025-01-28", "LBK nr 994 af 22/08/2024"),
    ("sygedagpengeloven.visitation.kategori", "2025-01-29", "LBK nr 97 af 29/01/2025"),
    ("sygedagpengeloven.visitation.kategori", "2025-10-09", "LBK nr 1221 af 09/10/2025"),
    ("styringsloven.rehabiliteringsteam.indstilling", "2019-12-31", "LOV nr 1482 af 23/12/2014"),
    ("styringsloven.rehabiliteringsteam.indstilling", "2020-01-01", "LOV nr 551 af 07/05/2019"),
    ("styringsloven.rehabiliteringsteam.indstilling", "2024-02-29", "LBK nr 1294 af 20/09/2022"),
    ("styringsloven.rehabiliteringsteam.indstilling", "2024-03-01", "LBK nr 254 af 01/03/2024"),
])
def test_cited_version_on_each_side_of_a_boundary(book: engine.Rulebook, rule: str, day: str, version: str) -> None:
    assert _version(book, rule, day) == version


def test_category_3_obligations_end_with_lbk_994_2024(book: engine.Rulebook) -> None:
    before = book.evaluate(CASE, "2025-01-28")
    after = book.evaluate(CASE, "2025-01-29")
    assert before.obligation("sygedagpengeloven.visitation.tvaerfaglig_indsats")["status"] == "applies"
    assert after.obligation("sygedagpengeloven.visitation.tvaerfaglig_indsats") is None
    assert before.obligation("sygedagpengeloven.opfoelgning.foerste")["status"] == "applies"
    assert after.obligation("sygedagpengeloven.opfoelgning.foerste")["status"] == "not_applicable"


def test_the_2016_and_2020_follow_up_rules_meet_without_a_gap(book: engine.Rulebook) -> None:
    case = {**CASE, "citizen": {**CASE["citizen"], "talks": [{"date": "2019-12-02", "kind": "opfoelgning"}],
                                "sickness": {**CASE["citizen"]["sickness"], "first_absence_day": "2019-11-04",
                                             "category": "2"}}}
    last_old, first_new = book.evaluate(case, "2019-12-31"), book.evaluate(case, "2020-01-01")
    assert last_old.obligation("sygedagpengeloven.opfoelgning.hver_fjerde_uge")["due"] == "2019-12-30"
    assert last_old.obligation("sygedagpengeloven.opfoelgning.fire_i_halvaaret") is None
    assert first_new.obligation("sygedagpengeloven.opfoelgning.hver_fjerde_uge") is None
    assert first_new.obligation("sygedagpengeloven.opfoelgning.fire_i_halvaaret")["due"] == "2020-05-03"

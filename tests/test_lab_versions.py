"""A LAB obligation cites the act version in force on the decision's date, on both sides of
every version boundary of legal_refs/lab.yaml (legal brief 2.1)."""
from __future__ import annotations

import pytest

import engine

CASE = {
    "case": "versions", "municipality": "751",
    "citizen": {"birth_date": "1985-06-15", "benefit": "kontanthjaelp", "readiness": "aktivitetsparat",
                "vocational_education": False, "integration_programme": False, "complex_case": False,
                "talks": [], "offers": []},
}


def _basis(rulebook: engine.Rulebook, rule_id: str, as_of: str) -> dict:
    case = {**CASE, "citizen": {**CASE["citizen"], "benefit_since": as_of, "first_contact": as_of}}
    obligation = rulebook.evaluate(case, as_of).obligation(rule_id)
    assert obligation is not None, f"{rule_id} is not in force on {as_of}"
    assert obligation["status"] == "applies"
    return obligation["legal_basis"][0]


@pytest.mark.parametrize("rule_id, as_of, version, eli", [
    ("lab2015.kontaktforloeb.kontanthjaelp_foerste_samtale", "2016-01-01", "LBK nr 807 af 01/07/2015", "2015/807"),
    ("lab2015.kontaktforloeb.kontanthjaelp_foerste_samtale", "2016-11-20", "LBK nr 807 af 01/07/2015", "2015/807"),
    ("lab2015.kontaktforloeb.kontanthjaelp_foerste_samtale", "2016-11-21", "LBK nr 1342 af 21/11/2016", "2016/1342"),
    ("lab2015.kontaktforloeb.kontanthjaelp_foerste_samtale", "2019-12-31", "LBK nr 1342 af 21/11/2016", "2016/1342"),
    ("lab.kontaktforloeb.foerste_samtale", "2020-01-01", "LOV nr 548 af 07/05/2019", "2019/548"),
    ("lab.kontaktforloeb.foerste_samtale", "2022-05-21", "LOV nr 548 af 07/05/2019", "2019/548"),
    ("lab.kontaktforloeb.foerste_samtale", "2022-05-22", "LBK nr 701 af 22/05/2022", "2022/701"),
    ("lab.kontaktforloeb.foerste_samtale", "2023-12-31", "LBK nr 701 af 22/05/2022", "2022/701"),
    ("lab.kontaktforloeb.foerste_samtale", "2024-01-01",
     "LBK nr 701 af 22/05/2022, ændret ved LOV nr 727 af 13/06/2023", "2023/727"),
    ("lab.kontaktforloeb.foerste_samtale", "2024-02-29",
     "LBK nr 701 af 22/05/2022, ændret ved LOV nr 727 af 13/06/2023", "2023/727"),
    ("lab.kontaktforloeb.foerste_samtale", "2024-03-01", "LBK nr 280 af 01/03/2024", "2024/280"),
])
def test_the_version_in_force_is_cited(rulebook: engine.Rulebook, rule_id: str, as_of: str, version: str,
                                       eli: str) -> None:
    basis = _basis(rulebook, rule_id, as_of)
    assert basis["act"] == "LAB"
    assert basis["version"] == version
    assert basis["eli"] == f"https://www.retsinformation.dk/eli/lta/{eli}"


def test_old_and_new_act_cite_their_own_numbering(rulebook: engine.Rulebook) -> None:
    assert _basis(rulebook, "lab2015.kontaktforloeb.kontanthjaelp_foerste_samtale", "2019-12-31")["cite"] == "LAB § 20, stk. 1"
    assert _basis(rulebook, "lab.kontaktforloeb.foerste_samtale", "2020-01-01")["cite"] == "LAB § 31, stk. 3"

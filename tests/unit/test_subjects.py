"""Case blocks: a rule takes part only in cases that carry the blocks whose facts it reads."""
from __future__ import annotations

import engine
from engine.decide import subjects


def test_rules_belong_to_the_blocks_they_read(rulebook: engine.Rulebook) -> None:
    blocks = subjects.blocks_of(rulebook.program)
    assert blocks["lab.kontaktforloeb.fire_samtaler"] == {"citizen"}          # through lab.maalgruppe
    assert blocks["tilsyn.redegoerelse.bek_1409_2019"] == {"tilsyn"}
    assert blocks["tilsyn.graense_fokusmaal_1.bek_1409_2019"] == {"tilsyn"}  # by its id, though it reads nothing
    assert blocks["maaling.mod_fokusmaal_1"] == {"citizen", "maaling"}
    assert blocks["frikommune.netvaerk_7.2017"] == frozenset()               # about any case


def test_a_case_without_blocks_is_a_citizen_case() -> None:
    known = frozenset({"citizen", "tilsyn", "maaling"})
    assert subjects.case_blocks({"case": "x", "municipality": "751"}, known) == {"citizen"}
    assert subjects.case_blocks({"tilsyn": {"aar": 2020}}, known) == {"tilsyn"}
    assert subjects.case_blocks({"citizen": {}, "maaling": {"slut": "2021-12-31"}}, known) == {"citizen", "maaling"}
    assert subjects.case_blocks({"tilsyn": None}, known) == {"citizen"}


def test_municipality_case_has_only_supervision_obligations(rulebook: engine.Rulebook) -> None:
    decision = rulebook.evaluate({"case": "k", "as_of": "2021-04-30", "municipality": "751",
                                  "tilsyn": {"faktisk_ydelsesgrad": "18%", "forventet_ydelsesgrad": "19%"}})
    assert decision.obligations and all(o["rule"].startswith("tilsyn.") for o in decision.obligations)
    assert decision.missing and all(name.startswith("tilsyn.") for name in decision.missing)

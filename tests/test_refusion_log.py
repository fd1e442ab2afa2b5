"""`paragraf refusion --log`: each person's weekly results become one entry of the decision log."""
from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from engine.audit import log as auditlog
from engine.interfaces.cli import main

PAYMENTS = """person,municipality,benefit,amount,from,to
p1,101,kontanthjaelp,12000.00,2022-01-01,2022-01-31
p2,751,sygedagpenge,4500.50,2022-01-03,2022-01-16
p3,751,kontanthjalp,1000,2022-01-01,2022-01-31
"""


def test_each_person_is_one_logged_entry_equal_to_the_table(tmp_path: Path) -> None:
    payments, table, log = tmp_path / "pay.csv", tmp_path / "weeks.csv", tmp_path / "log.db"
    payments.write_text(PAYMENTS, encoding="utf-8")
    result = CliRunner().invoke(main, ["refusion", str(payments), "--out", str(table), "--log", str(log)])
    assert result.exit_code == 1, result.output  # the bad row (line 4) is reported ...
    assert "pay.csv:4: unknown benefit code 'kontanthjalp'" in result.stderr
    entries = list(auditlog.DecisionLog(log, create=False).entries())  # ... and every good person logged
    assert [e.record["person"] for e in entries] == ["p1", "p2"]
    with table.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for entry in entries:
        record = entry.record
        assert record["schema"] == "paragraf/refusion@1"
        assert record["rulebook"]["fingerprint"].startswith("sha256:")
        expected = [r for r in rows if r["person"] == record["person"]]
        assert [w["week"] for w in record["weeks"]] == [r["week"] for r in expected]
        assert [w["refusion_amount"] for w in record["weeks"]] == [r["refusion_amount"] for r in expected]
    assert auditlog.verify(log).ok

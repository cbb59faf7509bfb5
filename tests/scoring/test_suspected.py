"""Suspected findings: a problem that rests on an unsure read waits for a person, and is never counted before."""

from __future__ import annotations

import datetime as dt
import json

from checks.base import Outcome
from govwatch.cli import main
from storage import Database, apply_outcomes
from storage.findings import finding_events, get_finding
from storage.models import Finding

TARGET = "http://czj.example/tzgg/"
EV = {"column": "通知公告", "category": "notice", "last_update": "2021-03-01", "limit_days": 180,
      "confidence": "low", "doubt": "列表只显示月日，年份由页面推断"}


def _stale(passed: bool = False, suspected: bool = True) -> Outcome:
    return Outcome("column.stale", "czj", TARGET, passed, "deduction", 1.0, dict(EV), suspected=suspected)


def _czj_deductions(county, capsys) -> dict:
    out = county.out / "sheet.json"
    assert main(["export", "--year", "2021", "--format", "json", "--out", str(out), *county.args]) == 0
    capsys.readouterr()
    data = json.loads(out.read_text(encoding="utf-8"))
    return {u["unit"]: u["deductions"] for u in data["units"]}["czj"]


def _fid(db: Database) -> str:
    with db.session() as s:
        return s.query(Finding).filter_by(target=TARGET).one().id


def test_a_suspected_problem_counts_only_once_a_person_confirms_it(county_any, capsys):
    county = county_any
    db = Database(county.db_url)
    with db.session() as s:
        apply_outcomes(s, [_stale()], dt.date(2021, 11, 30))
    fid = _fid(db)
    assert "column.stale" not in _czj_deductions(county, capsys)  # not deducted while unconfirmed
    # the duty digest lists it with the reason, the unit's notice does not
    assert main(["notify", "--dry-run", "--as-of", "2021-11-30", "--out", str(county.out / "n"), *county.args]) == 0
    capsys.readouterr()
    digest = next((county.out / "n").rglob("*digest*.txt")).read_text(encoding="utf-8")
    assert "待确认的疑似问题" in digest and fid in digest and "年份由页面推断" in digest
    notices = [p for p in (county.out / "n").rglob("*rectification*czj*.txt")]
    assert all(TARGET not in p.read_text(encoding="utf-8") for p in notices)
    # confirmed by a person: open, counted, with who confirmed it
    assert main(["finding", "confirm", fid, "--actor", "值班员王五", *county.args]) == 0
    assert "已确认" in capsys.readouterr().out
    assert _czj_deductions(county, capsys).get("column.stale") == 1.0
    with db.session() as s:
        e = finding_events(s, fid)[-1]
        assert (e.action, e.from_status, e.to_status, e.actor) == ("confirmed", "suspected", "open", "值班员王五")
        # a later unsure read does not undo the confirmation
        apply_outcomes(s, [_stale()], dt.date(2021, 12, 1))
    with db.session() as s:
        assert get_finding(s, fid).status == "open"
    assert main(["finding", "confirm", fid, *county.args]) == 1  # nothing left to confirm
    db.dispose()


def test_a_suspicion_that_goes_away_is_cleared_and_a_confident_read_escalates(county_any, capsys):
    county = county_any
    db = Database(county.db_url)
    with db.session() as s:
        apply_outcomes(s, [_stale()], dt.date(2021, 11, 1))
    with db.session() as s:
        apply_outcomes(s, [_stale(passed=True)], dt.date(2021, 11, 2))
    fid = _fid(db)
    with db.session() as s:
        assert get_finding(s, fid).status == "cleared"
    assert "column.stale" not in _czj_deductions(county, capsys)
    with db.session() as s:  # unsure again: suspected again; then a confident read shows it: open
        apply_outcomes(s, [_stale()], dt.date(2021, 11, 3))
    with db.session() as s:
        assert get_finding(s, fid).status == "suspected"
        apply_outcomes(s, [_stale(suspected=False)], dt.date(2021, 11, 4))
    with db.session() as s:
        assert [(e.action, e.to_status) for e in finding_events(s, fid)] == [
            ("opened", "suspected"), ("cleared", "cleared"), ("reopened", "suspected"), ("escalated", "open")]
    assert _czj_deductions(county, capsys).get("column.stale") == 1.0
    db.dispose()

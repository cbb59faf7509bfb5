"""Suspected findings (content checks): listed until duty staff confirm them, never counted before; a dismissed
hit on the same text is never raised again, a different text is."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from checks.base import Outcome
from govwatch.cli import main
from storage import Database, apply_outcomes
from storage.findings import LifecycleError, confirm, finding_events, get_finding
from storage.models import Finding

TARGET = "http://fgj.example/tzgg/a1.html"


def _hit(key: str = "k1", passed: bool = False) -> Outcome:
    ev = {"url": TARGET, "count": 1, "hits": [{"kind": "身份证号码", "number": "522636********0027"}], "text_key": key}
    return Outcome("content.privacy", "fgj", TARGET, passed, "deduction", 0.0 if passed else 1.0,
                   {} if passed else ev, suspected=not passed)


def _status(db: Database) -> str:
    with db.session() as s:
        return s.query(Finding).filter_by(target=TARGET).one().status


def test_suspected_until_confirmed_then_counted_and_rectified(county_any, capsys):
    db = Database(county_any.db_url)
    with db.session() as s:
        apply_outcomes(s, [_hit()], dt.date(2021, 11, 1))
        apply_outcomes(s, [_hit()], dt.date(2021, 11, 2))  # seen again: still waiting for a person
    assert _status(db) == "suspected"
    # the year-end sheet does not count it, the unit's notice does not carry it
    capsys.readouterr()
    assert main(["export", "--year", "2021", "--format", "json", "--out", str(county_any.out / "y.json"),
                 *county_any.args]) == 0
    assert TARGET not in (county_any.out / "y.json").read_text(encoding="utf-8")
    with db.session() as s:
        fid = s.query(Finding).filter_by(target=TARGET).one().id
    assert main(["finding", "confirm", fid, "--actor", "值班员甲", *county_any.args]) == 0
    assert "已确认" in capsys.readouterr().out
    assert _status(db) == "open"
    assert main(["export", "--year", "2021", "--format", "json", "--out", str(county_any.out / "y2.json"),
                 *county_any.args]) == 0
    assert TARGET in (county_any.out / "y2.json").read_text(encoding="utf-8")
    with db.session() as s:
        apply_outcomes(s, [_hit()], dt.date(2021, 11, 4))  # a confirmed one is not made suspected again
        assert get_finding(s, fid).status == "open"
        apply_outcomes(s, [_hit(passed=True)], dt.date(2021, 11, 5))
        f = get_finding(s, fid)
        assert f.status == "rectified"
        assert [(e.action, e.to_status, e.actor) for e in finding_events(s, fid)][:2] == [
            ("opened", "suspected", "system"), ("confirmed", "open", "值班员甲")]
        with pytest.raises(LifecycleError):
            confirm(s, fid, reason="", actor="x")  # only a suspected finding is confirmed
    assert main(["finding", "confirm", fid, *county_any.args]) == 1


def test_dismissed_text_is_never_raised_again_but_a_new_text_is(county_any, capsys):
    db = Database(county_any.db_url)
    with db.session() as s:
        apply_outcomes(s, [_hit("k1")], dt.date(2021, 11, 1))
        fid = s.query(Finding).filter_by(target=TARGET).one().id
    assert main(["finding", "dismiss", fid, "--reason", "号码为示例，非真实身份证", *county_any.args]) == 0
    with db.session() as s:
        apply_outcomes(s, [_hit("k1")], dt.date(2021, 11, 2))
    assert _status(db) == "dismissed"
    with db.session() as s:
        apply_outcomes(s, [_hit("k2")], dt.date(2021, 11, 3))  # the page now shows other numbers
    assert _status(db) == "suspected"
    capsys.readouterr()
    assert main(["findings", "--format", "jsonl", "--state", "suspected", *county_any.args]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == [fid]

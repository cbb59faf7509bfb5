"""Finding lifecycle: warning → open → rectified, dismissed and reopened by duty staff, every transition kept."""

from __future__ import annotations

import datetime as dt
import json

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from checks.base import Outcome
from govwatch.cli import main
from storage import Database, apply_outcomes
from storage.findings import days_open, finding_events, get_finding, sighting_dates
from storage.models import Base, Finding

TARGET = "http://fgj.example/gzdt/"


def _out(severity: str, passed: bool = False) -> Outcome:
    return Outcome("column.stale", "fgj", TARGET, passed, severity, 1.0 if severity == "deduction" else 0.0,
                   {"column": "工作动态", "category": "news", "last_update": "2021-10-01", "limit_days": 14})


def _jsonl(capsys, county, *extra) -> list[dict]:
    capsys.readouterr()
    assert main(["findings", "--format", "jsonl", *county.args, *extra]) == 0
    return [json.loads(x) for x in capsys.readouterr().out.splitlines()]


def test_warning_open_rectified_with_dates_seen_and_days_open(county_any):
    db = Database(county_any.db_url)
    target = "http://czj.example/gzdt/"
    o = lambda sev, passed=False: Outcome("column.stale", "czj", target, passed, sev, 1.0 if sev == "deduction" else 0.0, {})  # noqa: E731
    with db.session() as s:
        apply_outcomes(s, [o("warning")], dt.date(2021, 3, 1))
    with db.session() as s:
        apply_outcomes(s, [o("deduction")], dt.date(2021, 3, 5))
        apply_outcomes(s, [o("deduction")], dt.date(2021, 3, 5))  # the same day twice is one sighting
    with db.session() as s:
        apply_outcomes(s, [o("deduction")], dt.date(2021, 3, 9))
    with db.session() as s:
        apply_outcomes(s, [o("deduction", True)], dt.date(2021, 3, 12))
    with db.session() as s:
        f = s.query(Finding).filter_by(target=target).one()
        assert f.status == "rectified" and f.rectified_on == dt.date(2021, 3, 12)
        assert sighting_dates(s, [f.id])[f.id] == [dt.date(2021, 3, 1), dt.date(2021, 3, 5), dt.date(2021, 3, 9)]
        assert days_open(f) == 11  # 03-01 .. 03-11, fixed on 03-12
        assert [(e.action, e.from_status, e.to_status) for e in finding_events(s, f.id)] == [
            ("opened", None, "warning"), ("escalated", "warning", "open"), ("rectified", "open", "rectified"),
        ]
    db.dispose()


def test_dismiss_and_reopen_keep_who_and_why(county_any, capsys):
    county = county_any
    found = {f["rule"]: f for f in _jsonl(capsys, county, "--unit", "fgj")}
    fid = found["column.stale"]["id"]
    assert main(["finding", "dismiss", fid, "--reason", "栏目为转载，误报", "--actor", "值班员张三", *county.args]) == 0
    assert "已排除" in capsys.readouterr().out
    assert [f["id"] for f in _jsonl(capsys, county, "--state", "dismissed")] == [fid]
    # a later check that still fails does not undo a person's decision, but the sighting is kept
    db = Database(county.db_url)
    with db.session() as s:
        apply_outcomes(s, [_out("deduction")], dt.date(2021, 12, 1))
    with db.session() as s:
        f = get_finding(s, fid)
        assert f.status == "dismissed" and f.last_seen == dt.date(2021, 12, 1)
        assert dt.date(2021, 12, 1) in sighting_dates(s, [fid])[fid]
    # dismissed findings do not count
    assert main(["export", "--year", "2021", "--format", "json", "--out", str(county.out / "a.json"), *county.args]) == 0
    data = json.loads((county.out / "a.json").read_text(encoding="utf-8"))
    assert {u["unit"]: u["deductions"] for u in data["units"]}["fgj"] == {"column.blank": 1.0}
    # dismissing twice is refused; reopen brings it back
    assert main(["finding", "dismiss", fid, "--reason", "again", *county.args]) == 1
    assert "不能排除" in capsys.readouterr().err
    assert main(["finding", "reopen", fid, "--reason", "复查确认未更新", "--actor", "值班员李四", *county.args]) == 0
    with db.session() as s:
        events = [(e.action, e.to_status, e.actor, e.reason) for e in finding_events(s, fid)]
    assert events[-2:] == [("dismissed", "dismissed", "值班员张三", "栏目为转载，误报"),
                           ("reopened", "open", "值班员李四", "复查确认未更新")]
    assert main(["finding", "reopen", "nope", "--reason", "x", *county.args]) == 2
    db.dispose()


def test_findings_filters_state_unit_rule_severity_date(county, capsys):
    assert {f["rule"] for f in _jsonl(capsys, county, "--unit", "fgj")} == {"column.stale", "column.blank"}
    assert [f["unit"] for f in _jsonl(capsys, county, "--rule", "homepage.stale", "--state", "open")] == ["czj"]
    assert [f["unit"] for f in _jsonl(capsys, county, "--state", "warning")] == ["gyz"]
    assert len(_jsonl(capsys, county, "--state", "open", "--state", "warning")) == 4
    assert [f["unit"] for f in _jsonl(capsys, county, "--severity", "veto")] == ["czj"]
    # open on 2021-10-20: only the stale column had been seen by then
    assert [f["rule"] for f in _jsonl(capsys, county, "--date", "2021-10-20")] == ["column.stale"]
    assert _jsonl(capsys, county, "--date", "2021-10-01") == []


def test_the_scoring_migration_matches_the_models(sqlite_url):
    db = Database(sqlite_url)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    mine = {"finding_sightings", "publications", "appeals"}

    def table_of(d) -> str | None:
        item = d[0] if isinstance(d, list) else d
        for part in item[1:]:
            name = getattr(part, "name", None) if not isinstance(part, str) else None
            table = getattr(part, "table", None)
            if table is not None and table.name in mine:
                return table.name
            if name in mine:
                return name
        return None

    assert [d for d in diff if table_of(d)] == []
    db.dispose()

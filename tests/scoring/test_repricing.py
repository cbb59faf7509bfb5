"""The year-end sheet prices findings with the effective catalogue and grades only units that had something to monitor."""

from __future__ import annotations

import datetime as dt

from config.loader import load_catalogue
from reports.scoring import FindingView, UnitInfo, score_units


def _stale(fid: str, target: str, stored_points: float) -> FindingView:
    return FindingView(fid, "column.stale", "u1", target, "deduction", stored_points, "open",
                       dt.date(2021, 6, 1), dt.date(2021, 6, 20))


def test_a_county_that_changes_points_gets_them_on_every_finding(tmp_path):
    override = tmp_path / "county-rules.yaml"
    override.write_text("rules:\n  column.stale: {points: 2.5, cap: 4}\n", encoding="utf-8")
    catalogue = load_catalogue(override)
    findings = [_stale("f1", "http://u1/a/", 1.0), _stale("f2", "http://u1/b/", 1.0)]
    sheet = score_units(findings, [UnitInfo("u1", "单位", "department", sites=1)], catalogue, 2021)
    unit = sheet.unit("u1")
    assert sorted((ln.points, ln.applied) for ln in unit.lines) == [(2.5, 1.5), (2.5, 2.5)]  # the cap of 4 holds
    assert unit.deductions == {"column.stale": 4.0}
    assert unit.score == 96.0


def test_a_unit_with_nothing_to_monitor_is_not_graded_as_passed():
    catalogue = load_catalogue()
    sheet = score_units([], [UnitInfo("bare", "未配置网站的单位", "department"),
                             UnitInfo("u1", "单位", "department", sites=1)], catalogue, 2021)
    assert sheet.unit("bare").grade == "未监测"
    assert sheet.unit("u1").grade == "合格"

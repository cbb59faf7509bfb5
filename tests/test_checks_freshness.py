"""Freshness checks as pure functions: windows, boundaries, undated and future items, failed fetches."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from checks import CheckInput, ColumnView, PageObs, SiteView, UnitView, run_checks
from config import load_catalogue

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
AS_OF = dt.date(2021, 11, 30)
CAT = load_catalogue()
FETCHED = dt.datetime(2021, 11, 30, 2, tzinfo=TZ)


def _input(category: str, dates: list[dt.date | None], status: str = "ok", ever: bool | None = None,
           homepage_dates: list[dt.date] | None = None) -> CheckInput:
    inp = CheckInput(as_of=AS_OF, tz=TZ, units={"u": UnitView("u", "单位", "department")},
                     sites=[SiteView(1, "u", "http://h/")])
    inp.columns = [ColumnView(10, "u", 1, "首页", "http://h/", None, role="homepage"),
                   ColumnView(11, "u", 1, "栏目", "http://h/c/", category)]
    real = tuple(d for d in dates if d is not None)
    inp.pages[11] = PageObs(11, FETCHED, status, len(dates), real, bool(dates) if ever is None else ever)
    hp = tuple(homepage_dates or ())
    inp.pages[10] = PageObs(10, FETCHED, "ok", len(hp), hp, bool(hp))
    return inp


def _verdict(inp: CheckInput, rule: str) -> str | None:
    outs = [o for o in run_checks(inp, CAT, [rule])]
    if not outs:
        return None
    (o,) = outs
    return "pass" if o.passed else o.severity


def d(days: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days)


@pytest.mark.parametrize(
    ("category", "newest", "expected"),
    [
        ("news", d(14), "warning"),       # 14 days old: on time (due today, so a warning, never a deduction)
        ("news", d(15), "deduction"),     # the 15th day: stale
        ("news", d(10), "warning"),       # inside the 4-day warning lead
        ("news", d(9), "pass"),
        ("notice", dt.date(2021, 5, 30), "warning"),     # 6 calendar months back from 11-30 is 05-30: on time
        ("notice", dt.date(2021, 6, 30), "pass"),
        ("notice", dt.date(2021, 5, 29), "deduction"),
        ("personnel", dt.date(2020, 11, 30), "warning"),
        ("personnel", dt.date(2021, 1, 30), "pass"),
        ("personnel", dt.date(2020, 11, 29), "deduction"),
        ("statistics", d(335), "warning"),  # vendors warn at 335 of 365 days
        ("interpretation", d(900), None),   # no window: not judged here
        ("exempt", d(900), None),
    ],
)
def test_column_stale_windows(category, newest, expected):
    assert _verdict(_input(category, [newest]), "column.stale") == expected


def test_newest_is_the_max_not_the_first_item_and_future_dates_do_not_count():
    inp = _input("news", [d(400), d(3), None, dt.date(2099, 1, 1)])
    assert _verdict(inp, "column.stale") == "pass"
    inp = _input("news", [dt.date(2099, 1, 1), d(30)])
    (o,) = run_checks(inp, CAT, ["column.stale"])
    assert o.severity == "deduction" and o.evidence["suspect_dates"] == ["2099-01-01"]


def test_undated_items_never_count_as_an_update_but_make_a_column_non_blank():
    inp = _input("news", [None, None])
    assert _verdict(inp, "column.stale") == "deduction"
    assert _verdict(inp, "column.blank") == "pass"


def test_blank_column_is_blank_and_not_also_stale():
    inp = _input("policy", [])
    assert _verdict(inp, "column.blank") == "deduction"
    assert _verdict(inp, "column.stale") is None
    # a column that once had items and is empty now is not blank: it is stale
    inp = _input("policy", [], ever=True)
    assert _verdict(inp, "column.blank") == "pass"
    assert _verdict(inp, "column.stale") == "deduction"


@pytest.mark.parametrize("status", ["http_error", "timeout", "dns", "refused", "parse_error", "blocked"])
def test_failed_fetch_gives_no_column_outcome(status):
    inp = _input("news", [d(100)], status=status)
    assert _verdict(inp, "column.stale") is None
    assert _verdict(inp, "column.blank") is None


def test_homepage_stale_and_navigation_fallback():
    assert _verdict(_input("news", [d(1)], homepage_dates=[d(15)]), "homepage.stale") == "veto"
    assert _verdict(_input("news", [d(30)], homepage_dates=[d(14)]), "homepage.stale") == "warning"
    assert _verdict(_input("news", [d(30)], homepage_dates=[d(9)]), "homepage.stale") == "pass"
    # a navigation-only homepage (no dated links): judged on its second-level pages
    assert _verdict(_input("news", [d(3)], homepage_dates=[]), "homepage.stale") == "pass"
    assert _verdict(_input("news", [d(20)], homepage_dates=[]), "homepage.stale") == "veto"

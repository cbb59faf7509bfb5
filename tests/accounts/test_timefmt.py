"""Table-driven tests of every time format the adapters read (a fixed ``now``, never the clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.accounts.timefmt import SHANGHAI, from_epoch, parse_cn_time

from .conftest import NOW


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


EARLY_JANUARY = sh(2021, 1, 5, 8, 0)
CASES = [
    # relative
    ("刚刚", NOW, NOW),
    ("刚才", NOW, NOW),
    ("30秒前", NOW, NOW - timedelta(seconds=30)),
    ("5分钟前", NOW, NOW - timedelta(minutes=5)),
    ("5分前", NOW, NOW - timedelta(minutes=5)),
    ("3小时前", NOW, NOW - timedelta(hours=3)),
    ("1个小时前", NOW, NOW - timedelta(hours=1)),
    ("2天前", NOW, NOW - timedelta(days=2)),
    ("1周前", NOW, NOW - timedelta(weeks=1)),
    ("3个月前", NOW, sh(2021, 3, 15, 10, 0)),
    ("1年前", NOW, sh(2020, 6, 15, 10, 0)),
    (" 5 分钟前 ", NOW, NOW - timedelta(minutes=5)),
    # named days
    ("今天 08:00", NOW, sh(2021, 6, 15, 8, 0)),
    ("昨天 12:00", NOW, sh(2021, 6, 14, 12, 0)),
    ("昨天12:00", NOW, sh(2021, 6, 14, 12, 0)),
    ("前天 23:59", NOW, sh(2021, 6, 13, 23, 59)),
    ("昨天", NOW, sh(2021, 6, 14)),
    ("昨天 00:30", EARLY_JANUARY.replace(day=1), sh(2020, 12, 31, 0, 30)),
    ("09:30", NOW, sh(2021, 6, 15, 9, 30)),
    # month-day, with the year rollover
    ("06-14", NOW, sh(2021, 6, 14)),
    ("06-15", NOW, sh(2021, 6, 15)),
    ("06-16", NOW, sh(2020, 6, 16)),
    ("12-31", EARLY_JANUARY, sh(2020, 12, 31)),
    ("01-04", EARLY_JANUARY, sh(2021, 1, 4)),
    ("6-14 12:05", NOW, sh(2021, 6, 14, 12, 5)),
    ("6月14日", NOW, sh(2021, 6, 14)),
    ("12月30日 18:00", EARLY_JANUARY, sh(2020, 12, 30, 18, 0)),
    # full dates
    ("2021-06-14", NOW, sh(2021, 6, 14)),
    ("2021-06-14 12:00", NOW, sh(2021, 6, 14, 12, 0)),
    ("2021-06-14 12:00:59", NOW, sh(2021, 6, 14, 12, 0, 59)),
    ("2021/6/14 8:05", NOW, sh(2021, 6, 14, 8, 5)),
    ("2021.06.14", NOW, sh(2021, 6, 14)),
    ("2021年6月14日", NOW, sh(2021, 6, 14)),
    ("2021年06月14日 12:00", NOW, sh(2021, 6, 14, 12, 0)),
    ("发布时间：2021-06-14 12:00", NOW, sh(2021, 6, 14, 12, 0)),
    ("２０２１－０６－１４", NOW, sh(2021, 6, 14)),
    # ISO 8601
    ("2021-06-14T04:00:00Z", NOW, datetime(2021, 6, 14, 4, 0, tzinfo=UTC)),
    ("2021-06-14T04:00:00.123Z", NOW, datetime(2021, 6, 14, 4, 0, 0, 123000, tzinfo=UTC)),
    ("2021-06-14T12:00:00+08:00", NOW, sh(2021, 6, 14, 12, 0)),
    ("2021-06-14T12:00:00+0800", NOW, sh(2021, 6, 14, 12, 0)),
    ("2021-06-14T12:00:00", NOW, sh(2021, 6, 14, 12, 0)),
    ("2021-06-14 12:00:00 -05:00", NOW, datetime(2021, 6, 14, 12, 0, tzinfo=timezone(timedelta(hours=-5)))),
    # RFC 822
    ("Mon, 14 Jun 2021 04:00:00 GMT", NOW, datetime(2021, 6, 14, 4, 0, tzinfo=UTC)),
    ("Mon, 14 Jun 2021 12:00:00 +0800", NOW, sh(2021, 6, 14, 12, 0)),
    ("14 Jun 2021 12:00:00 +0800", NOW, sh(2021, 6, 14, 12, 0)),
    ("Mon, 14 Jun 2021 12:00:00", NOW, sh(2021, 6, 14, 12, 0)),
    ("Mon, 14 Jun 2021 12:00:00 -0000", NOW, sh(2021, 6, 14, 12, 0)),
    # Weibo's API format
    ("Tue Feb 23 12:28:47 +0800 2021", NOW, sh(2021, 2, 23, 12, 28, 47)),
    ("Mon Jun 14 10:31:05 +0800 2021", NOW, sh(2021, 6, 14, 10, 31, 5)),
    # unix time stamps
    ("1623659400", NOW, datetime(2021, 6, 14, 8, 30, tzinfo=UTC)),
    ("1623659400000", NOW, datetime(2021, 6, 14, 8, 30, tzinfo=UTC)),
    # not times
    ("", NOW, None),
    ("   ", NOW, None),
    ("置顶", NOW, None),
    ("hello", NOW, None),
    ("02-30", NOW, None),
    ("2021-13-01", NOW, None),
    ("25:00", NOW, None),
    ("昨天 24:10", NOW, None),
]


@pytest.mark.parametrize(("text", "now", "expected"), CASES, ids=[c[0] or "<blank>" for c in CASES])
def test_parse_cn_time(text: str, now: datetime, expected: datetime | None) -> None:
    got = parse_cn_time(text, now=now)
    assert got == expected
    if got is not None:
        assert got.tzinfo is not None and got.utcoffset() is not None


def test_relative_times_follow_the_given_now_not_the_clock() -> None:
    long_ago = sh(2001, 3, 4, 5, 6)
    assert parse_cn_time("5分钟前", now=long_ago) == sh(2001, 3, 4, 5, 1)
    assert parse_cn_time("06-14", now=long_ago) == sh(2000, 6, 14)


def test_now_in_another_zone_is_read_as_taijiang_local_time() -> None:
    # 2021-06-14 17:00 UTC is already 06-15 01:00 in Taijiang: 昨天 is the 14th, 06-15 is this year.
    now = datetime(2021, 6, 14, 17, 0, tzinfo=UTC)
    assert parse_cn_time("昨天 12:00", now=now) == sh(2021, 6, 14, 12, 0)
    assert parse_cn_time("06-15", now=now) == sh(2021, 6, 15)


def test_naive_now_is_taken_as_shanghai() -> None:
    assert parse_cn_time("昨天 12:00", now=datetime(2021, 6, 15, 10, 0)) == sh(2021, 6, 14, 12, 0)


def test_leap_day_rolls_back_only_when_that_year_has_one() -> None:
    assert parse_cn_time("02-29", now=sh(2021, 3, 1)) is None  # 2021 has no 29 February
    assert parse_cn_time("02-29", now=sh(2021, 1, 1)) is None  # and rolling back gives 2020 only via 2021
    assert parse_cn_time("02-29", now=sh(2020, 3, 1)) == sh(2020, 2, 29)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1623659400, datetime(2021, 6, 14, 8, 30, tzinfo=UTC)),
        ("1623659400", datetime(2021, 6, 14, 8, 30, tzinfo=UTC)),
        (1623659400123, datetime(2021, 6, 14, 8, 30, 0, 123000, tzinfo=UTC)),
        (0, None),
        (-5, None),
        ("abc", None),
        (None, None),
    ],
)
def test_from_epoch(value: object, expected: datetime | None) -> None:
    assert from_epoch(value) == expected  # type: ignore[arg-type]

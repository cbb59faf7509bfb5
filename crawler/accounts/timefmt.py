"""Parsing of the time stamps that Chinese platforms and feeds show (relative, month-day, RFC 822, ISO 8601)."""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

__all__ = ["SHANGHAI", "from_epoch", "parse_cn_time"]

SHANGHAI = ZoneInfo("Asia/Shanghai")

_CLOCK = r"(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?"
_RELATIVE = re.compile(r"^(\d+)\s*(秒钟?|分钟?|个?小时|天|个?(?:周|星期|礼拜)|个?月|年)(?:之)?前$")
_DAY_WORD = re.compile(rf"^(今天|昨天|前天)\s*(?:{_CLOCK})?$")
_CLOCK_ONLY = re.compile(rf"^{_CLOCK}$")
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")
_MONTH_DAY = re.compile(rf"^(\d{{1,2}})(?:-|/|月)(\d{{1,2}})日?(?:\s*{_CLOCK})?$")
_FULL_DATE = re.compile(
    rf"^(\d{{4}})(?:-|/|\.|年)(\d{{1,2}})(?:-|/|\.|月)(\d{{1,2}})日?(?:(?:\s+|T)?{_CLOCK}(?:\.(\d{{1,6}})\d*)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_TWITTER = re.compile(r"^[A-Za-z]{3} [A-Za-z]{3} \d{1,2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}$")


def from_epoch(value: int | float | str) -> datetime | None:
    """A unix time stamp (seconds, or milliseconds when it has 13 digits) as an aware UTC datetime."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number <= 0:
        return None
    if number > 1e12:
        number /= 1000.0
    try:
        return datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _local_now(now: datetime) -> datetime:
    if now.tzinfo is None:
        return now.replace(tzinfo=SHANGHAI)
    return now.astimezone(SHANGHAI)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u00a0", " ").replace("\u3000", " ")
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^(?:发布于|发布时间|发表于|更新于|时间)\s*[:：]?\s*", "", text)
    text = re.sub(r"\s*(?:发布|发表|更新)$", "", text)
    return text


def _clock(h: str | None, m: str | None, s: str | None) -> time | None:
    if h is None:
        return time(0, 0)
    hour, minute, second = int(h), int(m or 0), int(s or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _relative(amount: int, unit: str, local_now: datetime) -> datetime | None:
    unit = unit.lstrip("个")
    if unit.startswith("秒"):
        return local_now - timedelta(seconds=amount)
    if unit.startswith("分"):
        return local_now - timedelta(minutes=amount)
    if unit == "小时":
        return local_now - timedelta(hours=amount)
    if unit == "天":
        return local_now - timedelta(days=amount)
    if unit in ("周", "星期", "礼拜"):
        return local_now - timedelta(weeks=amount)
    if unit == "月":
        return datetime.combine(_months_back(local_now.date(), amount), local_now.timetz())
    if unit == "年":
        return datetime.combine(_months_back(local_now.date(), 12 * amount), local_now.timetz())
    return None


def _tz(text: str | None) -> tzinfo:
    if text is None:
        return SHANGHAI
    if text == "Z":
        return UTC
    sign = 1 if text[0] == "+" else -1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def parse_cn_time(text: str, *, now: datetime) -> datetime | None:
    """Parse a platform time stamp into an aware datetime, or None when it is not a time.

    Understands ``刚刚``, ``30秒前``, ``5分钟前``, ``3小时前``, ``2天前``, ``1周前``, ``今天 08:00``,
    ``昨天 12:00``, ``前天``, ``12:00`` (today), ``06-14``/``6月14日`` (a month-day after ``now``
    belongs to the year before), ``2021-06-14 12:00``, ``2021年6月14日``, ISO 8601, RFC 822
    (``Mon, 14 Jun 2021 12:00:00 +0800``), ``Tue Feb 23 12:28:47 +0800 2021`` and unix time stamps.
    Relative times count back from ``now``; times without a zone are Asia/Shanghai. The clock is never read.
    """
    if not isinstance(text, str):
        return None
    s = _normalize(text)
    if not s:
        return None
    local_now = _local_now(now)

    if s in ("刚刚", "刚才", "just now"):
        return local_now
    m = _RELATIVE.match(s)
    if m:
        return _relative(int(m.group(1)), m.group(2), local_now)
    m = _DAY_WORD.match(s)
    if m:
        back = {"今天": 0, "昨天": 1, "前天": 2}[m.group(1)]
        clock = _clock(m.group(2), m.group(3), m.group(4))
        if clock is None:
            return None
        return datetime.combine(local_now.date() - timedelta(days=back), clock, tzinfo=SHANGHAI)
    m = _CLOCK_ONLY.match(s)
    if m:
        clock = _clock(*m.groups())
        return None if clock is None else datetime.combine(local_now.date(), clock, tzinfo=SHANGHAI)
    if _EPOCH.match(s):
        return from_epoch(s)
    m = _MONTH_DAY.match(s)
    if m:
        month, day = int(m.group(1)), int(m.group(2))
        clock = _clock(m.group(3), m.group(4), m.group(5))
        if clock is None:
            return None
        year = local_now.year
        try:
            if date(year, month, day) > local_now.date():
                year -= 1
            return datetime.combine(date(year, month, day), clock, tzinfo=SHANGHAI)
        except ValueError:
            return None
    m = _FULL_DATE.match(s)
    if m:
        clock = _clock(m.group(4), m.group(5), m.group(6))
        if clock is None:
            return None
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
        if m.group(7):
            clock = clock.replace(microsecond=int(m.group(7).ljust(6, "0")))
        return datetime.combine(day, clock, tzinfo=_tz(m.group(8)))
    if _TWITTER.match(s):
        try:
            return datetime.strptime(s, "%a %b %d %H:%M:%S %z %Y")
        except ValueError:
            return None
    try:
        parsed = datetime.fromisoformat(s)
    except ValueError:
        parsed = None
    if parsed is None:
        try:
            parsed = parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SHANGHAI)
    return parsed

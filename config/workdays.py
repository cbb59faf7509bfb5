"""Chinese working days (工作日), including adjusted working days (调休), from chinesecalendar: the one calendar."""

from __future__ import annotations

import datetime as dt

import chinese_calendar

from config.errors import CalendarRangeError

__all__ = ["CalendarRangeError", "add_working_days", "is_workday", "working_days_between"]


def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is a working day in mainland China (adjusted working days count, holidays do not)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as exc:
        raise CalendarRangeError(
            f"工作日历没有 {day.year} 年的数据（chinesecalendar {getattr(chinese_calendar, '__version__', '')}: {exc}）；"
            "请升级 chinesecalendar 后再计算工作日"
        ) from None


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself not counted): 3 working days from publication."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> tuple[int, bool]:
    """Working days after ``start`` up to ``end`` (``start`` not counted, ``end`` counted; 0 when ``end`` is not
    after ``start``), and whether the calendar knew every day: for a year chinesecalendar has no data for,
    Monday to Friday are counted instead (holidays and adjusted working days 调休 unknown) and False is returned."""
    count, exact = 0, True
    day = start + dt.timedelta(days=1)
    while day <= end:
        try:
            work = bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            work, exact = day.weekday() < 5, False
        count += work
        day += dt.timedelta(days=1)
    return count, exact

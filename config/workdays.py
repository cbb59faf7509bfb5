"""Chinese working days (工作日), including adjusted working days (调休), from chinesecalendar: the one calendar.

For a year chinesecalendar has no data for, the strict functions raise CalendarRangeError; the lenient ones
(``lenient=True``, ``working_days_between``) count Monday to Friday instead.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar

from config.errors import CalendarRangeError

__all__ = ["CalendarRangeError", "add_working_days", "is_workday", "working_days_between"]


def _known(day: dt.date) -> bool | None:
    """Whether ``day`` is a working day, or None when the calendar has no data for its year."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def is_workday(day: dt.date, *, lenient: bool = False) -> bool:
    """Whether ``day`` is a working day in mainland China (adjusted working days count, holidays do not);
    outside the calendar's years CalendarRangeError, or Monday to Friday when ``lenient``."""
    work = _known(day)
    if work is not None:
        return work
    if lenient:
        return day.weekday() < 5
    raise CalendarRangeError(
        f"工作日历没有 {day.year} 年的数据（chinesecalendar {getattr(chinese_calendar, '__version__', '')}）；"
        "请升级 chinesecalendar 后再计算工作日"
    )


def add_working_days(start: dt.date, days: int, *, lenient: bool = False) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself not counted; ``start`` for 0 days): 3 working
    days from publication, a rectification deadline."""
    if days < 0:
        raise ValueError("days must not be negative")
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_workday(day, lenient=lenient):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> tuple[int, bool]:
    """Working days after ``start`` up to ``end`` (``start`` not counted, ``end`` counted; 0 when ``end`` is not
    after ``start``), and whether the calendar knew every day: for a year chinesecalendar has no data for,
    Monday to Friday are counted instead (holidays and adjusted working days 调休 unknown) and False is returned."""
    count, exact = 0, True
    day = start + dt.timedelta(days=1)
    while day <= end:
        work = _known(day)
        if work is None:
            work, exact = day.weekday() < 5, False
        count += work
        day += dt.timedelta(days=1)
    return count, exact

"""Late publication (信息公开不及时): documents made public more than N working days after their 成文日期."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from checks.base import CheckInput, DocumentObs, Outcome
from checks.registry import check
from config.catalogue import Catalogue
from config.workdays import working_days_between

__all__ = ["late_documents", "publication_delay"]


def publication_delay(written: dt.date, published: dt.date) -> tuple[int, bool]:
    """Working days from a document's date to its publication, and whether the calendar knew every day.

    Days after ``written`` up to ``published`` are counted (the 成文日期 itself is not); a publication on a
    rest day counts as made on the next working day (the limit ends with the Nth working day, so a Saturday
    after a Friday deadline is late). Holidays and adjusted working days (调休) come from chinesecalendar;
    in a year it does not know, Monday to Friday are counted and the second value is False.
    """
    days, exact = working_days_between(written, published)
    on_day, exact_day = working_days_between(published - dt.timedelta(days=1), published)
    if not on_day and published > written:
        days += 1  # published on a rest day: as of the next working day
    return days, exact and exact_day


@check("content.late")
def late_documents(inp: CheckInput, catalogue: Catalogue) -> Iterator[Outcome]:
    """信息公开不及时: a document (a row of a 政府信息公开 list showing both 成文日期 and 发布日期) published
    more than ``thresholds.working_days`` (20) working days after its 成文日期 is a finding on the document's
    URL; one published in time passes. Documents published after as_of (a typo), or before their own date,
    are not judged. Counted with the Chinese working-day calendar including 调休; for a year the calendar does
    not know, Monday to Friday are counted and the evidence says so.
    """
    rule = catalogue.rule("content.late")
    limit = int(rule.thresholds.get("working_days", 20))
    points = rule.points if rule.severity == "deduction" else 0.0
    columns = {c.id: c for c in inp.columns}
    for cid, docs in inp.documents.items():
        col = columns.get(cid)
        if col is None:
            continue
        seen: set[str] = set()
        for doc in docs:
            if doc.url in seen or doc.published > inp.as_of or doc.written > doc.published:
                continue
            seen.add(doc.url)
            days, exact = publication_delay(doc.written, doc.published)
            ev = _evidence(col.name, col.category, doc, days, limit, exact)
            if days > limit:
                yield Outcome("content.late", col.unit_id, doc.url, False, rule.severity, points, ev)
            else:
                yield Outcome("content.late", col.unit_id, doc.url, True, rule.severity, 0.0, ev)


def _evidence(column: str, category: str | None, doc: DocumentObs, days: int, limit: int, exact: bool) -> dict:
    ev = {
        "column": column,
        "category": category,
        "title": doc.title,
        "url": doc.url,
        "written": doc.written.isoformat(),
        "published": doc.published.isoformat(),
        "working_days": days,
        "limit_days": limit,
        "calendar": "chinese_calendar" if exact else "weekdays",
    }
    if not exact:
        ev["calendar_note"] = "工作日历缺少该年份数据，按周一至周五计算工作日（未计节假日和调休）"
    return ev

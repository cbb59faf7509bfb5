"""Content checks on stored list items: suspected back-dating (伪造发稿日期，疑似)."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckInput, Outcome
from checks.registry import check
from config.catalogue import Catalogue

__all__ = ["NOT_BACKDATED", "backdated_items"]

#: Categories whose items legitimately appear long after their date: message boards show a message
#: (dated when it was asked) only once it has been answered.
NOT_BACKDATED = frozenset({"interaction"})


@check("content.backdated")
def backdated_items(inp: CheckInput, catalogue: Catalogue) -> Iterator[Outcome]:
    """伪造发稿日期（疑似）: an item that appeared in a column long after the date it displays.

    Only items that appeared after govwatch began reading the column are judged (the backlog seen
    on the first crawl is not suspect), and only when the column was already being read before the
    displayed date, so the item demonstrably was not there then. The lag must exceed the catalogue's
    ``max_lag_days``. Message boards are not judged (a message is shown once answered, under the date
    it was asked). It is a suspicion for duty staff to confirm or dismiss, never rectified by itself.
    """
    rule = catalogue.rule("content.backdated")
    max_lag = int(rule.thresholds.get("max_lag_days", 30))
    columns = {c.id: c for c in inp.columns}
    for cid, items in inp.new_items.items():
        col = columns.get(cid)
        start = inp.watch_start.get(cid)
        if col is None or start is None or col.category in NOT_BACKDATED:
            continue
        watched_since = start.astimezone(inp.tz).date()
        for it in items:
            seen = it.first_seen.astimezone(inp.tz).date()
            if seen > inp.as_of or it.date > inp.as_of or it.date < watched_since:
                continue
            lag = (seen - it.date).days
            if lag <= max_lag:
                continue
            ev = {
                "column": col.name,
                "category": col.category,
                "title": it.title,
                "url": it.url,
                "date": it.date.isoformat(),
                "first_seen": seen.isoformat(),
                "lag_days": lag,
                "watched_since": watched_since.isoformat(),
                "last_update": it.date.isoformat(),
                "limit_days": max_lag,
            }
            yield Outcome("content.backdated", col.unit_id, it.url, False, rule.severity, 0.0, ev)

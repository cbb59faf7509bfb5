"""Freshness checks: stale columns, blank columns and a stale homepage (栏目不更新、空白栏目、首页不更新)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from checks.base import CheckInput, ColumnView, Outcome, PageObs
from checks.registry import check
from config.catalogue import Catalogue, Window

__all__ = ["blank_columns", "freshness_verdict", "stale_columns", "stale_homepages"]


def freshness_verdict(newest: dt.date | None, as_of: dt.date, window: Window, warn_lead_days: int) -> str:
    """``fresh``, ``warning`` (it turns stale within the lead) or ``stale`` (older than the window).

    The window counts back from ``as_of`` (../shared/RULES.md): with ``6m`` at 2021-08-31 the window starts on
    2021-02-28, so an item of 02-28 is on time and one of 02-27 is stale (calendar months, clamped).
    """
    if newest is None:
        return "stale"
    if newest < window.start(as_of):
        return "stale"
    if warn_lead_days and newest < window.start(as_of + dt.timedelta(days=warn_lead_days + 1)):
        return "warning"
    return "fresh"


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _evidence(col: ColumnView, page: PageObs, newest: dt.date | None, window: Window, as_of: dt.date) -> dict:
    ev = {
        "column": col.name,
        "category": col.category,
        "last_update": _iso(newest),
        "limit_days": window.days_hint(as_of),
        "window": str(window),
        "items": page.item_count,
        "top_level": col.top_level,
    }
    future = page.future_dates(as_of)
    if future:
        ev["suspect_dates"] = [d.isoformat() for d in future[:5]]
    if page.item_count and not page.item_dates:
        ev["undated"] = True
    _note_confidence(ev, page)
    return ev


def _note_confidence(ev: dict, page: PageObs) -> None:
    """Keep an unsure read's confidence and reason with the evidence (the digest shows the reason)."""
    if page.confidence != "high":
        ev["confidence"] = page.confidence
    if page.unsure:
        ev["doubt"] = page.doubt or "读取结果不确定"


@check("column.stale")
def stale_columns(inp: CheckInput, catalogue: Catalogue) -> Iterator[Outcome]:
    """栏目不更新: a column whose newest dated item (not after as_of) is older than its category's window.

    Undated items and dates after the monitoring time point never count as an update; a column
    whose fetch failed is not judged. A verdict resting on an unsure read (no list found, a year
    inferred, list dates disagreeing with the URLs, a newer list beside the one read) is only
    suspected: duty staff confirm it before it is sent or deducted.
    """
    rule = catalogue.rule("column.stale")
    for col in inp.columns:
        if col.role != "column":
            continue
        page = inp.pages.get(col.id)
        cat = catalogue.categories.get(col.category or "")
        if page is None or not page.usable or cat is None or cat.window is None:
            continue
        if page.item_count == 0 and not page.ever_had_items:
            continue  # a blank column is column.blank, never also stale
        newest = page.newest(inp.as_of)
        verdict = freshness_verdict(newest, inp.as_of, cat.window, cat.warn_lead_days)
        ev = _evidence(col, page, newest, cat.window, inp.as_of)
        if verdict == "fresh":
            yield Outcome("column.stale", col.unit_id, col.url, True, evidence=ev)
        elif verdict == "warning":
            ev["due"] = cat.window.deadline(newest).isoformat() if newest else None
            yield Outcome("column.stale", col.unit_id, col.url, False, "warning", 0.0, ev)
        else:
            points = rule.points if rule.severity == "deduction" else 0.0
            yield Outcome("column.stale", col.unit_id, col.url, False, rule.severity, points, ev,
                          suspected=page.unsure)


@check("column.blank")
def blank_columns(inp: CheckInput, catalogue: Catalogue) -> Iterator[Outcome]:
    """空白栏目: a column that has never held any item since it was opened (exempt columns excepted).

    When no list could be recognised on the page at all (and the page does not say 暂无信息), the
    finding is only suspected until a person confirms it."""
    rule = catalogue.rule("column.blank")
    for col in inp.columns:
        if col.role != "column" or col.category == "exempt":
            continue
        page = inp.pages.get(col.id)
        if page is None or not page.usable:
            continue
        ev = {"column": col.name, "category": col.category, "last_update": None, "limit_days": None}
        if page.item_count == 0 and not page.ever_had_items:
            points = rule.points if rule.severity == "deduction" else 0.0
            _note_confidence(ev, page)
            yield Outcome("column.blank", col.unit_id, col.url, False, rule.severity, points, ev,
                          suspected=page.unsure)
        else:
            yield Outcome("column.blank", col.unit_id, col.url, True, evidence=ev)


@check("homepage.stale")
def stale_homepages(inp: CheckInput, catalogue: Catalogue) -> Iterator[Outcome]:
    """首页不更新: nothing new on the homepage in the window (14 days) before as_of.

    When the homepage is only a navigation entry (configured, or no dated item on it), the
    site's second-level pages (its columns) are judged instead: stale when none of them updated.
    """
    rule = catalogue.rule("homepage.stale")
    window = rule.window or Window(14, "d")
    lead = rule.warn_lead_days or 0
    for site in inp.sites:
        homes = inp.site_columns(site.id, "homepage")
        home = inp.pages.get(homes[0].id) if homes else None
        if home is None or not home.usable:
            continue
        newest = None if site.homepage_is_nav else home.newest(inp.as_of)
        source = "homepage"
        if newest is None:
            source = "columns"
            pages = [inp.pages.get(c.id) for c in inp.site_columns(site.id)]
            usable = [p for p in pages if p is not None and p.usable]
            if not usable:
                continue
            dates = [d for p in usable if (d := p.newest(inp.as_of)) is not None]
            newest = max(dates) if dates else None
        ev = {
            "page": site.url,
            "last_update": _iso(newest),
            "limit_days": window.days_hint(inp.as_of),
            "source": source,
        }
        verdict = freshness_verdict(newest, inp.as_of, window, lead)
        if verdict == "fresh":
            yield Outcome("homepage.stale", site.unit_id, site.url, True, evidence=ev)
        elif verdict == "warning":
            ev["due"] = window.deadline(newest).isoformat() if newest else None
            yield Outcome("homepage.stale", site.unit_id, site.url, False, "warning", 0.0, ev)
        else:
            yield Outcome("homepage.stale", site.unit_id, site.url, False, rule.severity, 0.0, ev)

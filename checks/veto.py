"""The columns veto of a website (栏目不更新单项否决): too many stale, long-unupdated or blank columns."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checks.base import CheckInput, ColumnView, Outcome, PageObs
from checks.freshness import freshness_verdict
from checks.registry import check
from config.catalogue import Catalogue

__all__ = ["VETO_GROUPS", "columns_veto"]

#: evidence list / threshold key of each group, in the order ../shared/RULES.md gives them
VETO_GROUPS = ("stale_news_top_notice", "stale_should_update", "blank")
_GROUP_OF = {"news": "stale_news_top_notice", "top_notice": "stale_news_top_notice", "should_update": "stale_should_update"}


def _entry(col: ColumnView, page: PageObs, newest: Any, limit: int | None, window: str | None) -> dict[str, Any]:
    return {
        "column": col.name,
        "url": col.url,
        "category": col.category,
        "top_level": col.top_level,
        "last_update": newest.isoformat() if newest else None,
        "limit_days": limit,
        "window": window,
        "items": page.item_count,
    }


@check("columns.veto")
def columns_veto(inp: CheckInput, catalogue: Catalogue) -> Iterator[Outcome]:
    """栏目不更新（单项否决）per site, any of: (a) news columns stale 2 weeks plus top-level notice/policy
    columns stale 6 months ≥ 5; (b) should-update columns long not updated ≥ 10; (c) blank columns ≥ 5.

    A blank column counts only as blank, never also as stale; a column whose fetch failed is not
    counted; a site none of whose columns could be read is not judged.
    """
    rule = catalogue.rule("columns.veto")
    limits = {key: rule.thresholds.get(key) for key in VETO_GROUPS}
    for site in inp.sites:
        unit = inp.units.get(site.unit_id)
        if unit is not None and not rule.applies(unit.kind):
            continue
        groups: dict[str, list[dict[str, Any]]] = {key: [] for key in VETO_GROUPS}
        judged = 0
        for col in inp.site_columns(site.id):
            page = inp.pages.get(col.id)
            if page is None or not page.usable:
                continue
            judged += 1
            if page.item_count == 0 and not page.ever_had_items:
                if col.category != "exempt":
                    groups["blank"].append(_entry(col, page, None, None, None))
                continue
            cat = catalogue.categories.get(col.category or "")
            if cat is None or cat.window is None or cat.veto_group is None:
                continue
            if cat.veto_top_level_only and not col.top_level:
                continue
            newest = page.newest(inp.as_of)
            if freshness_verdict(newest, inp.as_of, cat.window, 0) != "stale":
                continue
            groups[_GROUP_OF[cat.veto_group]].append(
                _entry(col, page, newest, cat.window.days_hint(inp.as_of), str(cat.window))
            )
        if not judged:
            continue
        counts = {key: len(v) for key, v in groups.items()}
        triggered = [key for key in VETO_GROUPS if limits[key] is not None and counts[key] >= limits[key]]
        ev: dict[str, Any] = {
            "page": site.url,
            "counts": counts,
            "thresholds": {k: v for k, v in limits.items() if v is not None},
            "triggered": triggered,
            **groups,
        }
        if triggered:
            points = rule.points if rule.severity == "deduction" else 0.0
            yield Outcome("columns.veto", site.unit_id, site.url, False, rule.severity, points, ev)
        else:
            yield Outcome("columns.veto", site.unit_id, site.url, True, evidence=ev)

"""Broken links (链接不可用): confirmed link failures on the homepage and on other pages, with their referrers."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckInput, LinkObs, Outcome
from checks.registry import check
from config.catalogue import Catalogue

__all__ = ["broken_links"]



def _iso(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def _evidence(obs: LinkObs) -> dict:
    return {
        "url": obs.url,
        "pages": [r.get("page") for r in obs.refs],  # the referring pages (../shared/DESIGN.md)
        "anchors": [dict(r) for r in obs.refs],  # each referring page with the link's anchor text there
        "text": next((r.get("text") for r in obs.refs if r.get("text")), ""),
        "page_count": max(obs.ref_count, len(obs.refs)),
        "on_homepage": obs.on_homepage,
        "location": "首页" if obs.on_homepage else "其他页面",
        "kind": obs.kind,
        "error": obs.error,
        "http_status": obs.http_status,
        "first_failed": _iso(obs.first_failed),
        "last_checked": _iso(obs.checked_at),
    }


@check("link.broken")
def broken_links(inp: CheckInput, catalogue: Catalogue) -> Iterator[Outcome]:
    """链接不可用: a link (page, image, attachment or external) that failed, was re-tested after a delay and
    failed again. Homepage links and other pages' links are separate deduction items: points per link
    and caps per unit come from the catalogue (``points``/``cap`` for other pages, ``thresholds.homepage_points``/
    ``homepage_cap`` for the homepage); links beyond the cap are still listed, with 0 points. A link that
    works again, or is no longer on any page, passes; a suspected (not re-tested) or blocked one is not judged.
    """
    rule = catalogue.rule("link.broken")
    home_points = rule.thresholds.get("homepage_points", rule.points)
    home_cap = rule.thresholds.get("homepage_cap", rule.cap)
    unit_of = {s.id: s.unit_id for s in inp.sites}
    merged: dict[tuple[str, str], LinkObs] = {}
    for obs in inp.links:
        unit = unit_of.get(obs.site_id)
        if unit is None:
            continue
        key = (unit, obs.url)
        prev = merged.get(key)
        if prev is None or (obs.state == "broken" and prev.state != "broken") or (
                obs.state == prev.state and obs.on_homepage and not prev.on_homepage):
            merged[key] = obs
    spent: dict[tuple[str, bool], float] = {}
    deducts = rule.severity == "deduction"
    for (unit, url), obs in sorted(merged.items(), key=lambda kv: (kv[0][0], not kv[1].on_homepage, kv[0][1])):
        if obs.state in ("ok", "gone"):
            yield Outcome("link.broken", unit, url, True, evidence={"url": url, "state": obs.state})
            continue
        if obs.state != "broken":
            continue
        ev = _evidence(obs)
        points = (home_points if obs.on_homepage else rule.points) if deducts else 0.0
        cap = home_cap if obs.on_homepage else rule.cap
        used = spent.get((unit, obs.on_homepage), 0.0)
        if cap is not None and used + points > cap + 1e-9:
            ev["capped"] = True
            points = max(0.0, round(cap - used, 4))
        spent[(unit, obs.on_homepage)] = used + points
        yield Outcome("link.broken", unit, url, False, rule.severity, round(points, 4), ev)

"""Storing link-check observations (scans, results with referrers, the OK cache) and reading them back."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checks.base import LinkObs
from storage.models import LinkCheck, LinkOkCache, LinkScan, utcnow

__all__ = ["load_confirmed_broken", "MAX_REFS", "load_link_obs", "load_ok_cache", "record_link_scans"]

#: referring pages kept per link (the count of all of them is kept too)
MAX_REFS = 20
_KIND_ORDER = {"attachment": 0, "image": 1, "page": 2, "external": 3}


def _url_hash(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8")).hexdigest()


def load_ok_cache(session: Session, ttl: dt.timedelta, now: dt.datetime | None = None) -> dict[str, dt.datetime]:
    """URLs that answered fine within ``ttl``, with when: the checker trusts each within its class's TTL
    (crawler.links.CheckerSettings.ok_ttl) and checks the ones trusted longest ago first when a budget is short."""
    if ttl <= dt.timedelta(0):
        return {}
    since = (now or utcnow()) - ttl
    return {row.url: row.ok_at for row in session.scalars(select(LinkOkCache).where(LinkOkCache.ok_at >= since))}


def load_confirmed_broken(session: Session, since: dt.datetime) -> dict[str, str]:
    """URLs whose newest check since ``since`` confirmed them broken, with the error class: a failure with the same
    error today is a second failure a run apart, as good as the same-day re-test (crawler.links.LinkChecker)."""
    newest = (select(func.max(LinkCheck.id)).where(LinkCheck.checked_at >= since)
              .group_by(LinkCheck.url).scalar_subquery())
    rows = session.execute(select(LinkCheck.url, LinkCheck.error)
                           .where(LinkCheck.id.in_(newest), LinkCheck.state == "broken"))
    return {url: error for url, error in rows if error}


def record_link_scans(
    session: Session,
    scans: Iterable[Any],
    results: dict[str, Any],
    *,
    run_id: int | None,
) -> list[LinkScan]:
    """Store the scans of one run (crawler.links.SiteScan) and their links' results (crawler.links.LinkResult).

    A failure that was re-tested and failed again is ``broken`` (confirmed); one that could not be
    re-tested is ``suspected``; ``blocked`` (our request refused) and ``deferred`` (not checked in this
    run: a budget or the deadline) are kept but never judged. Every link that answered fine goes into the
    OK cache. The first time a still-broken link was seen failing is carried over from the previous scans.
    """
    rows: list[LinkScan] = []
    ok_links: dict[str, Any] = {}
    for scan in scans:
        row = LinkScan(run_id=run_id, site_id=scan.site.site_id, scope=scan.scope, started_at=scan.started_at,
                       finished_at=scan.finished_at or utcnow(), status=scan.status, error=scan.error,
                       pages=scan.pages, links=len(scan.refs), info={"crawled_pages": scan.crawled_pages})
        session.add(row)
        session.flush()
        rows.append(row)
        if scan.status == "ok":
            ok_links.update(_record_checks(session, scan, row, results))
    for url, res in ok_links.items():
        session.merge(LinkOkCache(url_hash=_url_hash(url), url=url, ok_at=res.checked_at, http_status=res.http_status))
    session.flush()
    return rows


def _first_failures(session: Session, site_id: int, scan_id: int, urls: list[str]) -> dict[str, dt.datetime]:
    """When each of ``urls`` was first seen failing in earlier scans of the site (still broken or suspected)."""
    previous: dict[str, dt.datetime] = {}
    for i in range(0, len(urls), 300):
        for url, first in session.execute(
            select(LinkCheck.url, func.min(LinkCheck.first_failed_at))
            .where(LinkCheck.site_id == site_id, LinkCheck.url.in_(urls[i: i + 300]),
                   LinkCheck.state.in_(("broken", "suspected")), LinkCheck.scan_id != scan_id)
            .group_by(LinkCheck.url)
        ):
            if first is not None:
                previous[url] = first
    return previous


def _link_state(res: Any) -> tuple[str, str | None]:
    """(state, error) of a link's result: ok, blocked, broken (failed its re-test too) or suspected."""
    if res is None:
        return "suspected", None
    if getattr(res, "deferred", False):
        return "deferred", None
    if res.error is None:
        return "ok", None
    if res.error == "blocked":
        return "blocked", "blocked"
    if res.error == "redirect_offsite":  # not followed, not judged (crawler/redirects.py)
        return "offsite", res.error
    return ("broken" if res.attempts > 1 else "suspected"), res.error


def _check_row(scan: Any, scan_id: int, url: str, ref: Any, res: Any, first_failed: dt.datetime | None) -> LinkCheck:
    state, error = _link_state(res)
    checked = res.checked_at if res is not None else utcnow()
    return LinkCheck(
        scan_id=scan_id, site_id=scan.site.site_id, url=url[:2000], kind=ref.kind, on_homepage=ref.on_homepage,
        state=state, error=error, first_error=getattr(res, "first_error", None), detail=getattr(res, "detail", None),
        http_status=getattr(res, "http_status", None),
        final_url=res.final_url[:2000] if res is not None and res.final_url else None,
        attempts=res.attempts if res is not None else 0, cached=bool(res and res.cached), checked_at=checked,
        first_failed_at=(first_failed or checked) if state in ("broken", "suspected") else None,
        ref_count=ref.count, refs=[{"page": p, "text": t} for p, t in list(ref.pages.items())[:MAX_REFS]],
    )


def _record_checks(session: Session, scan: Any, row: LinkScan, results: dict[str, Any]) -> dict[str, Any]:
    """Store the checks of one scan's links; returns the links that answered fine (for the OK cache)."""
    failing = [u for u in scan.refs if (r := results.get(u)) is not None and r.error
               and r.error not in ("blocked", "redirect_offsite")]
    previous = _first_failures(session, scan.site.site_id, row.id, failing)
    ok_links: dict[str, Any] = {}
    row.broken = 0
    deferred = 0
    for url, ref in scan.refs.items():
        res = results.get(url)
        check = _check_row(scan, row.id, url, ref, res, previous.get(url))
        session.add(check)
        row.broken += check.state == "broken"
        deferred += check.state == "deferred"
        if res is not None and check.state == "ok" and not res.cached and res.requests:
            ok_links[url] = res
    row.info = {**(row.info or {}), "deferred": deferred}
    return ok_links


def _latest_scans(session: Session, site_ids: set[int]) -> dict[int, list[LinkScan]]:
    out: dict[int, list[LinkScan]] = {}
    if not site_ids:
        return out
    latest = (
        select(func.max(LinkScan.id))
        .where(LinkScan.status == "ok", LinkScan.site_id.in_(site_ids))
        .group_by(LinkScan.site_id, LinkScan.scope)
        .scalar_subquery()
    )
    for scan in session.scalars(select(LinkScan).where(LinkScan.id.in_(latest)).order_by(LinkScan.id)):
        out.setdefault(scan.site_id, []).append(scan)
    return out


def load_link_obs(session: Session, site_ids: Iterable[int], *, gone_days: int = 90) -> list[LinkObs]:
    """Per site, the links of its latest completed homepage scan and whole-site scan (the newer result wins
    for a link in both); a link that was failing in an earlier scan but is on no current page is ``gone``."""
    ids = set(site_ids)
    out: list[LinkObs] = []
    for site_id, scans in sorted(_latest_scans(session, ids).items()):
        merged: dict[str, LinkObs] = {}
        for scan in sorted(scans, key=lambda s: (s.finished_at or s.started_at, s.id)):  # newer last: it wins
            for c in session.scalars(select(LinkCheck).where(LinkCheck.scan_id == scan.id).order_by(LinkCheck.id)):
                prev = merged.get(c.url)
                if c.state == "deferred" and prev is not None and prev.state != "deferred":
                    state, error, status, checked = prev.state, prev.error, prev.http_status, prev.checked_at
                    first_failed, final = prev.first_failed, prev.final_url  # not checked now: the older result stands
                else:
                    state, error, status, checked = c.state, c.error, c.http_status, c.checked_at
                    first_failed, final = c.first_failed_at, c.final_url
                refs = list(c.refs or [])
                on_home = c.on_homepage
                kind = c.kind
                count = c.ref_count
                if prev is not None:
                    pages = {r["page"] for r in refs}
                    refs += [r for r in prev.refs if r["page"] not in pages]
                    on_home = on_home or prev.on_homepage
                    kind = min(kind, prev.kind, key=lambda k: _KIND_ORDER.get(k, 9))
                    count = max(count, prev.ref_count, len(refs))
                merged[c.url] = LinkObs(
                    site_id=site_id, url=c.url, kind=kind, on_homepage=on_home, state=state, error=error,
                    http_status=status, refs=tuple(refs[:MAX_REFS]), ref_count=count,
                    first_failed=first_failed, checked_at=checked, final_url=final,
                )
        current = {s.id for s in scans}
        newest = max((s.finished_at or s.started_at for s in scans), default=utcnow())
        since = newest - dt.timedelta(days=gone_days)
        for url, kind in session.execute(
            select(LinkCheck.url, func.min(LinkCheck.kind))
            .where(LinkCheck.site_id == site_id, LinkCheck.state == "broken", LinkCheck.scan_id.not_in(current),
                   LinkCheck.checked_at >= since)
            .group_by(LinkCheck.url)
        ):
            if url not in merged:
                merged[url] = LinkObs(site_id=site_id, url=url, kind=kind, on_homepage=False, state="gone")
        out.extend(merged.values())
    return out

"""The link-check and availability-probe stages: read the roster, run crawler/links.py and crawler/probe.py, store."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select

from crawler.links import CheckerSettings, Link, SiteSpec, check_sites
from crawler.outlinks import merge_snapshot_outlinks, snapshot_links
from crawler.probe import probe_sites
from crawler.redirects import unit_redirect_hosts
from govwatch.context import Context
from govwatch.roster import ensure_synced
from storage.links import load_confirmed_broken, load_ok_cache, record_link_scans
from storage.models import (
    ColumnRow,
    ContentDoc,
    CrawlRun,
    LinkScan,
    PageSnapshot,
    Probe,
    SiteRow,
    Unit,
    utcnow,
)

__all__ = ["CrawledPages", "LinkReport", "ProbeReport", "checker_settings", "crawled_links", "run_link_check",
           "run_probes"]

log = logging.getLogger("govwatch.links")

#: how far back fine answers are loaded: beyond their TTL they only order the links a budget defers
_CARRY_HORIZON = dt.timedelta(days=60)
#: a link confirmed broken this recently (the run before) and failing the same way again is not re-tested
_BROKEN_CONFIRMS_FOR = dt.timedelta(days=2)
#: snapshots of a column searched for the stored links of its pages (crawler/outlinks.py)
_SNAPSHOTS_SEARCHED = 30


@dataclass
class LinkReport:
    """What one link-check run did."""

    run_id: int
    sites: int = 0
    whole_site: int = 0
    failed_sites: list[str] = field(default_factory=list)
    pages: int = 0
    links: int = 0
    requests: int = 0
    broken: dict[str, int] = field(default_factory=dict)  # error class -> confirmed broken links
    transient: int = 0
    seconds: float = 0.0
    crawled_pages: int = 0  # pages read by the crawl whose stored links were checked
    cached: int = 0  # links answered from a recent fine check (no request)
    deferred: int = 0  # links not checked in this run (budgets, deadline): checked in the next runs
    deferred_hosts: dict[str, int] = field(default_factory=dict)
    deadline_hit: bool = False

    @property
    def checked(self) -> int:
        """Unique links judged in this run (fetched or answered from the cache)."""
        return self.links - self.deferred


@dataclass
class ProbeReport:
    """What one probe round did."""

    run_id: int
    probes: int = 0
    failed: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


def _active_sites(ctx: Context, units: set[str] | None) -> list[SiteRow]:
    with ctx.db.session() as s:
        return [
            site for site in s.scalars(
                select(SiteRow).join(Unit, Unit.id == SiteRow.unit_id)
                .where(SiteRow.active.is_(True), Unit.active.is_(True)).order_by(SiteRow.id)
            )
            if not units or site.unit_id in units
        ]


def checker_settings(ctx: Context) -> CheckerSettings:
    """Link-check settings from the config: the crawl's per-host politeness, the links section's limits."""
    crawl, links = ctx.config.crawl, ctx.config.links
    return CheckerSettings(
        concurrency_per_host=crawl.concurrency_per_host, delay=crawl.delay, timeout=links.timeout or crawl.timeout,
        max_redirects=links.max_redirects, retest_delay=links.retest_delay, retests=links.retests,
        user_agent=crawl.user_agent, head_unreliable_hosts=tuple(links.head_unreliable_hosts),
        check_external=links.check_external, redirect_hosts=tuple(crawl.redirect_hosts),
        page_ok_ttl_hours=links.page_ok_ttl_hours, attachment_ok_ttl_hours=links.attachment_ok_ttl_hours,
        external_ok_ttl_hours=links.external_ok_ttl_hours, max_links_per_page=links.max_links_per_page,
        max_links_per_host=links.max_links_per_host,
    )


@dataclass
class CrawledPages:
    """What the crawl read of the sites: per site the pages with their stored links; the pages the newest crawl
    read fine, with when; the pages whose stored links were cut at the cap."""

    links: dict[int, dict[str, list[Link]]] = field(default_factory=dict)
    fine: dict[str, dt.datetime] = field(default_factory=dict)
    cut: set[str] = field(default_factory=set)


#: statuses of a newest snapshot whose pages opened fine (a list read, or unchanged); a homepage need show no list
_READ_FINE = {"column": ("ok", "not_modified"), "homepage": ("ok", "empty", "not_modified")}


def crawled_links(ctx: Context, site_ids: set[int], internal_hosts: set[str]) -> CrawledPages:
    """Per site, the pages its active columns' crawl read (list pages, homepage, opened articles) with their
    stored links: the newest snapshot that recorded any, a page replayed from the cache taken from the newest
    snapshot that read it; and the pages the newest crawl of a column read fine (a link to them is not
    fetched again within the page TTL)."""
    out = CrawledPages()
    with ctx.db.session() as s:
        columns = s.execute(select(ColumnRow.id, ColumnRow.site_id, ColumnRow.role)
                            .where(ColumnRow.active.is_(True), ColumnRow.site_id.in_(site_ids))
                            .order_by(ColumnRow.id)).all()
        for column_id, site_id, role in columns:
            snaps = iter(s.execute(select(PageSnapshot.info, PageSnapshot.status, PageSnapshot.fetched_at)
                                   .where(PageSnapshot.column_id == column_id)
                                   .order_by(PageSnapshot.id.desc()).limit(_SNAPSHOTS_SEARCHED)))
            newest = next(snaps, None)  # the older ones are read only as far as a page replayed from the cache needs
            if newest is None:
                continue
            fine = _READ_FINE.get(role, _READ_FINE["column"])
            if newest.status in fine:
                info = newest.info or {}
                for page in [*(info.get("outlinks") or {}), *(info.get("outlinks_cached") or [])]:
                    out.fine[page] = max(out.fine.get(page, newest.fetched_at), newest.fetched_at)
            read: list[Any] = []  # the snapshots consumed, newest first
            read_in: dict[str, int] = {}
            pages = merge_snapshot_outlinks((read.append(snap) or snap.info or {}
                                             for snap in itertools.chain([newest], snaps)), out.cut, read_in)
            for page, position in read_in.items():  # a page not requested today (carried): fine when it was read
                snap = read[position]
                if position and page not in out.fine and snap.status in fine:
                    out.fine[page] = snap.fetched_at
            if pages:
                out.links.setdefault(site_id, {}).update(snapshot_links(pages, internal_hosts))
        _read_articles(s, out, {cid: site for cid, site, _role in columns}, internal_hosts)
    return out


#: articles the content stage read this long ago or less have their links checked (it runs after the link stage:
#: an article read today is checked in the next run, and once more within the TTLs at no cost)
_ARTICLE_LINKS_FOR = dt.timedelta(days=2)


def _read_articles(s: Any, out: CrawledPages, site_of: dict[int, int], internal_hosts: set[str]) -> None:
    """Add the articles the content stage read lately (new articles, read once) with their stored links."""
    if not site_of:
        return
    since = utcnow() - _ARTICLE_LINKS_FOR
    docs = s.execute(select(ContentDoc.column_id, ContentDoc.read_at, ContentDoc.status, ContentDoc.info)
                     .where(ContentDoc.kind == "article", ContentDoc.read_at >= since,
                            ContentDoc.column_id.in_(list(site_of)))).all()
    for column_id, read_at, status, info in docs:
        pages = (info or {}).get("outlinks") or {}
        if not pages:
            continue
        out.links.setdefault(site_of[column_id], {}).update(snapshot_links(pages, internal_hosts))
        if status in ("ok", "empty"):
            for page in pages:
                out.fine[page] = max(out.fine.get(page, read_at), read_at)
        out.cut.update(p for p in (info.get("outlinks_cut") or {}) if p in pages)


def _scope(ctx: Context, site_id: int, whole_site: bool | None, last_whole: dict[int, Any], now: Any) -> str | None:
    """``site`` or ``homepage`` for one site, or None when it is not checked this time."""
    cfg = ctx.config.links
    if whole_site is not None:
        return "site" if whole_site else "homepage"
    last = last_whole.get(site_id)
    if cfg.whole_site_every_days > 0 and (
            last is None or now - last >= dt.timedelta(days=cfg.whole_site_every_days) - dt.timedelta(hours=1)):
        return "site"
    return "homepage" if cfg.homepage_daily else None


def _plan(ctx: Context, rows: list[SiteRow], whole_site: bool | None, last_whole: dict[int, Any],
          now: Any) -> tuple[list[SiteSpec], dict[int, str]]:
    """The sites to check this time, with their limits (a site's ``links:`` overrides them), and their scopes."""
    cfg = ctx.config.links
    overrides = {(u.id, site.url): site.links for u in ctx.config.units for site in u.sites}
    specs: list[SiteSpec] = []
    scopes: dict[int, str] = {}
    for row in rows:
        over = overrides.get((row.unit_id, row.url))
        scope = None if over is not None and not over.enabled else _scope(ctx, row.id, whole_site, last_whole, now)
        if scope is None:
            continue
        specs.append(SiteSpec(row.id, row.url,
                              max_pages=(over.max_pages if over and over.max_pages else cfg.max_pages),
                              max_depth=(over.max_depth if over and over.max_depth is not None else cfg.max_depth)))
        scopes[row.id] = scope
    return specs, scopes


def _tally(report: LinkReport, scans: list[Any], results: dict[str, Any], by_id: dict[int, SiteRow]) -> None:
    """Pages, links, failed sites, confirmed broken links by class and transient failures of a run."""
    broken: Counter[str] = Counter()
    deferred: Counter[str] = Counter()
    for scan in scans:
        if scan.status != "ok":
            report.failed_sites.append(by_id[scan.site.site_id].url)
            log.warning("link check of %s: the homepage could not be read (%s)", scan.site.url, scan.error)
            continue
        report.pages += scan.pages
        report.crawled_pages += scan.crawled_pages
        report.links += len(scan.refs)
    for url, r in results.items():
        if r.deferred:
            deferred[urlsplit(url).netloc.lower()] += 1
            report.deadline_hit = report.deadline_hit or "deadline" in (r.detail or "")
            continue
        report.cached += r.cached
        if r.error and r.state == "broken" and r.attempts > 1:
            broken[r.error] += 1
        elif r.error is None and r.attempts > 1:
            report.transient += 1
    report.broken = dict(sorted(broken.items()))
    report.deferred = sum(deferred.values())
    report.deferred_hosts = dict(deferred.most_common())


def run_link_check(
    ctx: Context,
    *,
    whole_site: bool | None = None,
    units: set[str] | None = None,
    transport: Any = None,
    deadline: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LinkReport:
    """Check the links of every active site: the homepage's links and those of the pages the crawl read
    (``links.crawled_pages``), or the whole site (``whole_site=True``); ``None`` = the whole site of each site
    whose last whole-site check is older than ``links.whole_site_every_days``. Within the budgets and before
    ``deadline``; the links left over are stored as deferred and come first next time."""
    ensure_synced(ctx)
    cfg = ctx.config.links
    rows = _active_sites(ctx, units)
    now = utcnow()
    with ctx.db.session() as s:
        run = CrawlRun(kind="links", stats={"sites": len(rows)})
        s.add(run)
        s.flush()
        run_id = run.id
        last_whole = dict(s.execute(
            select(LinkScan.site_id, func.max(LinkScan.finished_at))
            .where(LinkScan.scope == "site", LinkScan.status == "ok").group_by(LinkScan.site_id)
        ).all())
        longest = max(cfg.page_ok_ttl_hours, cfg.attachment_ok_ttl_hours, cfg.external_ok_ttl_hours)
        ok_cache = load_ok_cache(s, max(dt.timedelta(hours=longest), _CARRY_HORIZON), now)
        known_broken = load_confirmed_broken(s, now - _BROKEN_CONFIRMS_FOR)
    specs, scopes = _plan(ctx, rows, whole_site, last_whole, now)
    hosts = {sp.host for sp in specs}
    crawled = crawled_links(ctx, set(scopes), hosts) if cfg.crawled_pages and specs else CrawledPages()
    for page, at in crawled.fine.items():
        ok_cache[page] = max(ok_cache.get(page, at), at)
    page_ttl = dt.timedelta(hours=cfg.page_ok_ttl_hours)
    # a homepage the crawl read fine within the page TTL, all of its links stored: not fetched again
    read = {sp.site_id for sp in specs if scopes[sp.site_id] == "homepage" and sp.url in crawled.fine
            and now - crawled.fine[sp.url] < page_ttl and sp.url not in crawled.cut
            and sp.url in crawled.links.get(sp.site_id, {})}
    report = LinkReport(run_id=run_id, sites=len(specs), whole_site=sum(1 for v in scopes.values() if v == "site"))
    started = dt.datetime.now(dt.UTC)
    scans, results, checker = (asyncio.run(check_sites(specs, checker_settings(ctx), scope=scopes, transport=transport,
                                                       ok_cache=ok_cache, crawled=crawled.links, read=read,
                                                       deadline=deadline, known_broken=known_broken,
                                                       progress=progress))
                               if specs else ([], {}, None))
    report.seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
    report.requests = checker.requests if checker else 0
    by_id = {r.id: r for r in rows}
    with ctx.db.session() as s:
        stored = record_link_scans(s, scans, results, run_id=run_id)
        _tally(report, scans, results, by_id)
        run = s.get(CrawlRun, run_id)
        run.finished_at, run.status = utcnow(), "ok"
        run.stats = {"sites": len(specs), "whole_site": report.whole_site, "scans": len(stored), "pages": report.pages,
                     "links": report.links, "requests": report.requests, "broken": report.broken,
                     "transient": report.transient, "failed_sites": report.failed_sites,
                     "crawled_pages": report.crawled_pages, "cached": report.cached, "deferred": report.deferred,
                     "deferred_hosts": report.deferred_hosts, "deadline_hit": report.deadline_hit}
    return report


def run_probes(ctx: Context, *, units: set[str] | None = None, transport: Any = None) -> ProbeReport:
    """Probe every active site's homepage once (threshold from the catalogue's site.unavailable) and store it."""
    ensure_synced(ctx)
    rows = _active_sites(ctx, units)
    rule = ctx.catalogue.rules.get("site.unavailable")
    threshold = float(rule.thresholds.get("timeout_seconds", 15.0)) if rule else 15.0
    with ctx.db.session() as s:
        run = CrawlRun(kind="probe", stats={"sites": len(rows)})
        s.add(run)
        s.flush()
        run_id = run.id
    hosts = unit_redirect_hosts(ctx.config)
    results = asyncio.run(probe_sites(
        [(r.id, r.url) for r in rows], threshold=threshold, concurrency_per_host=ctx.config.crawl.concurrency_per_host,
        user_agent=ctx.config.crawl.user_agent, transport=transport,
        redirect_hosts={r.id: hosts.get(r.unit_id, list(ctx.config.crawl.redirect_hosts)) for r in rows},
    )) if rows else []
    report = ProbeReport(run_id=run_id, probes=len(results))
    with ctx.db.session() as s:
        for r in results:
            s.add(Probe(site_id=r.site_id, at=r.at, ok=r.ok, status=r.status, http_status=r.http_status,
                        duration_ms=r.duration_ms, error=r.error))
            report.statuses[r.status] = report.statuses.get(r.status, 0) + 1
            report.failed += 0 if r.ok else 1
        run = s.get(CrawlRun, run_id)
        run.finished_at, run.status, run.stats = utcnow(), "ok", {"probes": len(results), "statuses": report.statuses}
    return report

"""The content stage of a cycle: read the new articles and their attachments once, store their text."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter
from dataclasses import dataclass, field

from checks.wording import WordLists
from config.content import content_lists
from crawler.documents import ReadLimits, read_documents
from crawler.redirects import county_redirect_hosts
from govwatch.context import Context
from storage.content import docs_to_read, known_attachments, record_doc
from storage.models import CrawlRun, utcnow

__all__ = ["ContentReport", "read_content", "word_lists"]

log = logging.getLogger("govwatch.content")


@dataclass
class ContentReport:
    """What one content round read: articles, attachments, statuses."""

    articles: int = 0
    attachments: int = 0
    rechecked: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


def word_lists(ctx: Context) -> WordLists:
    """The content.error word lists: bundled national leaders and expressions plus the county's own."""
    data = content_lists(ctx.config.content, ctx.loaded.base_dir)
    return WordLists.build(data["leaders"], data["titles"], data["expressions"])


def read_content(ctx: Context, *, units: set[str] | None = None) -> ContentReport:
    """Read the articles first seen within ``content.lookback_days`` that were never read (at most
    ``content.max_docs_per_run``), the ones with a live content finding again, and their attachments not read
    before; store each document's text or the reason it could not be read."""
    cfg = ctx.config.content
    report = ContentReport()
    wanted = [r for r in ("content.error", "content.privacy") if r in ctx.catalogue.rules and ctx.catalogue.enabled(r)]
    if not cfg.enabled or not wanted:
        return report
    from govwatch.roster import ensure_synced

    ensure_synced(ctx)
    since = utcnow() - dt.timedelta(days=cfg.lookback_days)
    with ctx.db.session() as s:
        run = CrawlRun(kind="content")
        s.add(run)
        s.flush()
        run_id = run.id
        tasks = [t for t in docs_to_read(s, since=since, limit=cfg.max_docs_per_run) if not units or t.unit_id in units]
    lock = threading.Lock()
    claimed: set[str] = set()

    def skip(url: str) -> bool:
        with lock:
            if url in claimed:
                return True
            claimed.add(url)
        with ctx.db.session() as s:
            return bool(known_attachments(s, [url]))

    crawl = ctx.config.crawl
    limits = ReadLimits(max_bytes=cfg.max_bytes, max_pages=cfg.max_pages, max_chars=cfg.max_chars,
                        max_attachments=cfg.max_attachments_per_article, timeout=cfg.timeout or crawl.timeout,
                        max_seconds=cfg.max_seconds,
                        delay=crawl.delay, user_agent=crawl.user_agent, attachments=cfg.attachments,
                        redirect_hosts=tuple(county_redirect_hosts(ctx.config)))
    records = read_documents(tasks, limits, skip_attachment=skip) if tasks else []
    statuses: Counter[str] = Counter()
    with ctx.db.session() as s:
        for rec in records:
            record_doc(s, rec, max_chars=cfg.max_chars)
            statuses[rec.status] += 1
            if rec.status not in ("ok", "empty"):
                log.info("%s %s could not be read: %s %s", rec.kind, rec.url, rec.status, rec.error or "")
        report.articles = sum(1 for r in records if r.kind == "article")
        report.attachments = len(records) - report.articles
        report.rechecked = sum(1 for t in tasks if t.recheck)
        report.statuses = dict(statuses)
        run = s.get(CrawlRun, run_id)
        run.finished_at, run.status = utcnow(), "ok"
        run.stats = {"articles": report.articles, "attachments": report.attachments, "rechecked": report.rechecked,
                     "statuses": report.statuses}
    return report

"""Helpers of the crawler tests: crawl a configuration in the child process and read back the observations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from config.schema import Config
from crawler.runner import crawl_in_child
from govwatch.loopback import LoopbackServer, Reply, Request
from storage import ColumnRow, CrawlRun, PageSnapshot, SiteRow, sync_roster
from storage.db import Database

AS_OF = dt.date(2021, 11, 30)


@dataclass
class Observed:
    """One column's observation, as plain data."""

    url: str
    status: str
    newest: dt.date | None
    items: int
    pages: int
    extractor: str | None
    info: dict[str, Any]
    error: str | None


def crawl(data: dict[str, Any], db_url: str, tmp_path: Path, *, cache: bool = True,
          today: dt.date = AS_OF) -> dict[str, Observed]:
    """Sync ``data`` (a config mapping) into the database, crawl it once (on ``today``), return the observations
    by URL."""
    cfg = Config.model_validate(data)
    db = Database(db_url)
    try:
        with db.session() as s:
            sync_roster(s, cfg)
            run = CrawlRun(kind="crawl")
            s.add(run)
            s.flush()
            run_id = run.id
            rows = s.execute(
                select(ColumnRow).join(SiteRow, SiteRow.id == ColumnRow.site_id)
                .where(ColumnRow.active.is_(True), ColumnRow.role == "column").order_by(ColumnRow.id)
            ).scalars()
            obey = {site.url: site.obey_robots for u in cfg.units for site in u.sites}
            targets = [{"column_id": c.id, "url": c.url, "role": c.role, "extractor": c.extractor,
                        "render": c.render, "selectors": (c.options or {}).get("selectors"),
                        "max_pages": (c.options or {}).get("max_pages"), "obey_robots": obey.get(c.site.url)}
                       for c in rows]
            urls = {t["column_id"]: t["url"] for t in targets}
        code = crawl_in_child(targets, crawl=cfg.crawl, db_url=db_url, run_id=run_id, today=today.isoformat(),
                              cache_dir=str(tmp_path / "http-cache") if cache else None, timeout=240)
        assert code == 0, f"crawler exited with {code}"
        with db.session() as s:
            snaps = s.scalars(select(PageSnapshot).where(PageSnapshot.run_id == run_id)).all()
            out = {
                urls[p.column_id]: Observed(urls[p.column_id], p.status, p.newest_date, p.item_count, p.pages,
                                            p.extractor, dict(p.info or {}), p.error)
                for p in snaps
            }
        assert len(out) == len(targets), f"{len(targets) - len(out)} targets without an observation"
        return out
    finally:
        db.dispose()


@contextmanager
def serve_pages(pages: dict[str, str]) -> Iterator[str]:
    """Serve fixed UTF-8 HTML pages by path on 127.0.0.1 (404 elsewhere); yields the base URL."""

    def answer(request: Request) -> Reply:
        page = pages.get(request.handler.path)
        return Reply(200 if page else 404, page or "<h1>404</h1>")

    with LoopbackServer(answer) as srv:
        yield srv.base()

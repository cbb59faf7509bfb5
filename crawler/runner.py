"""Runs a crawl in a child process (Twisted's reactor cannot restart) and waits for it, showing progress."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from config.schema import CrawlConfig

__all__ = ["crawl_in_child", "main"]

log = logging.getLogger("govwatch.crawler")


def crawl_in_child(
    targets: list[dict[str, Any]],
    *,
    crawl: CrawlConfig,
    db_url: str,
    run_id: int | None,
    today: str,
    progress: Callable[[], None] | None = None,
    timeout: float | None = None,
    cache_dir: str | None = None,
) -> int:
    """Crawl ``targets`` in a fresh Python process; returns its exit code (0 when the crawl completed).

    ``cache_dir`` holds the HTTP cache (validators and bodies) between daily runs (``crawl.cache_dir`` wins).
    """
    if not targets:
        return 0
    job = {
        "targets": targets,
        "crawl": crawl.model_dump(),
        "db_url": db_url,
        "run_id": run_id,
        "today": today,
        "cache_dir": crawl.cache_dir or cache_dir,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
        json.dump(job, fh, ensure_ascii=False)
        job_path = fh.name
    try:
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        proc = subprocess.Popen([sys.executable, "-m", "crawler.runner", job_path], env=env)
        started = time.monotonic()
        while True:
            try:
                return proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                if progress:
                    progress()
                if timeout and time.monotonic() - started > timeout:
                    proc.terminate()
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                    log.error("crawl stopped after %.0f s", timeout)
                    return 124
    finally:
        os.unlink(job_path)


def _memory(db_url: str, column_ids: list[int]) -> dict[int, dict[str, Any]]:
    """What the last read of each column lets this crawl skip (storage.observations.crawl_memory)."""
    from storage.db import Database
    from storage.observations import crawl_memory

    db = Database(db_url, migrate=False)
    try:
        with db.session() as s:
            return crawl_memory(s, column_ids)
    finally:
        db.dispose()


def main(argv: list[str] | None = None) -> int:
    """Child entry point: ``python -m crawler.runner JOB.json``."""
    from scrapy.crawler import CrawlerProcess

    from crawler.settings import chromium_executable, scrapy_settings
    from crawler.spider import ColumnSpider

    args = argv if argv is not None else sys.argv[1:]
    job = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    crawl = CrawlConfig.model_validate(job["crawl"])
    targets = job["targets"]
    memory = _memory(job["db_url"], [t["column_id"] for t in targets])
    for t in targets:
        if t.get("obey_robots") is None:
            t["obey_robots"] = crawl.obey_robots
        t.setdefault("memory", memory.get(t["column_id"]))
    wants_browser = any(t.get("render") == "browser" for t in targets) or crawl.browser_fallback
    browser = chromium_executable(crawl) if wants_browser else None
    if wants_browser and not browser:
        log.warning("Chromium not found at %s: pages built by script are read without rendering", crawl.chromium_path)
    settings = scrapy_settings(
        crawl, db_url=job["db_url"], run_id=job["run_id"], browser=browser, cache_dir=job.get("cache_dir"),
        obey_robots=any(t["obey_robots"] for t in targets),
    )
    settings["LOG_INSTALL_ROOT_HANDLER"] = True
    process = CrawlerProcess(settings)
    process.crawl(ColumnSpider, targets=targets, today=job["today"], default_max_pages=crawl.max_pages_per_column,
                  max_articles=crawl.max_articles_per_column, browser=browser is not None,
                  browser_fallback=crawl.browser_fallback, revalidate_days=crawl.list_revalidate_days)
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Scrapy item pipeline that writes page observations into the database."""

from __future__ import annotations

import time
from typing import Any

from storage.db import Database
from storage.observations import PageRecord, record_page

__all__ = ["StoragePipeline"]


class StoragePipeline:
    """Stores the PageRecords the spider yields, a few at a time in one short transaction.

    Records are written when ``batch`` have gathered or ``interval`` seconds have passed (so the parent's
    progress display keeps moving), and at the end of the crawl.
    """

    def __init__(self, db_url: str, run_id: int | None, *, batch: int = 25, interval: float = 1.0) -> None:
        self.db_url = db_url
        self.run_id = run_id
        self.db: Database | None = None
        self.count = 0
        self.batch = batch
        self.interval = interval
        self._pending: list[PageRecord] = []
        self._last = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Any) -> StoragePipeline:
        """Build from the crawler's settings."""
        s = crawler.settings
        return cls(s.get("GOVWATCH_DB_URL"), s.get("GOVWATCH_RUN_ID"))

    def open_spider(self, spider: Any = None) -> None:
        """Open the database (already migrated by the parent process)."""
        self.db = Database(self.db_url, migrate=False)

    def close_spider(self, spider: Any = None) -> None:
        """Write what is left and release the connections."""
        self.flush()
        if self.db is not None:
            self.db.dispose()

    def flush(self) -> None:
        """Write the gathered observations in one transaction."""
        self._last = time.monotonic()
        if not self._pending or self.db is None:
            return
        pending, self._pending = self._pending, []
        with self.db.session() as s:
            for rec in pending:
                record_page(s, rec, self.run_id)
        self.count += len(pending)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """Gather one observation; write the batch when it is full or old enough."""
        if isinstance(item, PageRecord) and self.db is not None:
            self._pending.append(item)
            if len(self._pending) >= self.batch or time.monotonic() - self._last >= self.interval:
                self.flush()
        return item

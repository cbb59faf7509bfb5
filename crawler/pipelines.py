"""Scrapy item pipeline that writes page observations into the database."""

from __future__ import annotations

from typing import Any

from storage.db import Database
from storage.observations import PageRecord, record_page

__all__ = ["StoragePipeline"]


class StoragePipeline:
    """Stores every PageRecord the spider yields, one short transaction each."""

    def __init__(self, db_url: str, run_id: int | None) -> None:
        self.db_url = db_url
        self.run_id = run_id
        self.db: Database | None = None
        self.count = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> StoragePipeline:
        """Build from the crawler's settings."""
        s = crawler.settings
        return cls(s.get("GOVWATCH_DB_URL"), s.get("GOVWATCH_RUN_ID"))

    def open_spider(self, spider: Any = None) -> None:
        """Open the database (already migrated by the parent process)."""
        self.db = Database(self.db_url, migrate=False)

    def close_spider(self, spider: Any = None) -> None:
        """Release the connections."""
        if self.db is not None:
            self.db.dispose()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """Write one observation."""
        if isinstance(item, PageRecord) and self.db is not None:
            with self.db.session() as s:
                record_page(s, item, self.run_id)
            self.count += 1
        return item

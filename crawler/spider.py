"""The column spider: fetches each watched page (column list or homepage) and yields observations."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.extract import ExtractResult, Selectors, decode_html, extract
from crawler.failures import classify_failure, classify_http
from crawler.homepage import homepage_items
from storage.models import utcnow
from storage.observations import ItemRecord, PageRecord

__all__ = ["ColumnSpider", "Target"]

Target = dict[str, Any]
"""A watched page: column_id, url, role, extractor, render, selectors, max_pages."""


class ColumnSpider(scrapy.Spider):
    """Reads every target page once, following pagination only as far as the newest date needs."""

    name = "govwatch-columns"

    def __init__(self, targets: list[Target], today: str, default_max_pages: int = 3, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.targets = targets
        self.today = dt.date.fromisoformat(today)
        self.default_max_pages = default_max_pages

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """One request per target (Scrapy >= 2.13)."""
        for req in self.start_requests():
            yield req

    def start_requests(self) -> Iterator[scrapy.Request]:
        """One request per target."""
        for t in self.targets:
            state = {"items": [], "pages": 0, "started": time.monotonic(), "seen": {t["url"]}, "extractor": None}
            yield self._request(t["url"], t, state)

    def _request(self, url: str, target: Target, state: dict[str, Any]) -> scrapy.Request:
        meta: dict[str, Any] = {"handle_httpstatus_all": True}
        if target.get("render") == "browser":
            meta["playwright"] = True
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.on_error,
            cb_kwargs={"target": target, "state": state},
            meta=meta,
            dont_filter=True,
        )

    def _record(self, target: Target, state: dict[str, Any], status: str, **kw: Any) -> PageRecord:
        items = [ItemRecord(i.title, i.url, i.date, i.pinned) for i in state["items"]]
        return PageRecord(
            column_id=target["column_id"],
            status=status,
            fetched_at=utcnow(),
            extractor=state.get("extractor"),
            pages=state["pages"],
            items=items,
            duration_ms=int((time.monotonic() - state["started"]) * 1000),
            **kw,
        )

    def parse_page(self, response: Response, target: Target, state: dict[str, Any]) -> Iterator[Any]:
        """Extract the list items of one page; follow the next page when the newest date is still unknown."""
        state["pages"] += 1
        status = response.status
        if status >= 400 or (status >= 300 and status != 304):
            if state["pages"] == 1:
                yield self._record(target, state, classify_http(status), http_status=status,
                                   error=f"HTTP {status}", final_url=response.url)
            else:  # a later page failed: what we read from the first pages stands
                yield self._record(target, state, "ok" if state["items"] else "empty", http_status=status,
                                   final_url=response.url, info={"page_error": f"HTTP {status} on {response.url}"})
            return
        try:
            text, encoding = decode_html(response.body, response.headers.get("Content-Type", b"").decode("latin-1"))
            if target.get("role") == "homepage":
                result = ExtractResult("homepage", homepage_items(text, response.url, today=self.today))
            else:
                sel = target.get("selectors")
                result = extract(
                    text,
                    response.url,
                    extractor=target.get("extractor") or "auto",
                    selectors=Selectors(**sel) if sel else None,
                    today=self.today,
                )
        except Exception as exc:  # a broken page is an observation, never a crashed crawl
            self.logger.warning("parse error on %s: %s", response.url, exc)
            yield self._record(target, state, "parse_error", http_status=status, error=f"{type(exc).__name__}: {exc}",
                               final_url=response.url)
            return
        state["extractor"] = state["extractor"] or result.extractor
        state["items"].extend(result.items)
        max_pages = target.get("max_pages") or self.default_max_pages
        has_date = any(i.date for i in state["items"] if not i.pinned)
        nxt = next((u for u in result.next_pages if u not in state["seen"]), None)
        if not has_date and nxt and state["pages"] < max_pages:
            state["seen"].add(nxt)
            yield self._request(nxt, target, state)
            return
        info: dict[str, Any] = {"encoding": encoding}
        if result.script_built:
            info["script_built"] = True
        if result.total_pages:
            info["total_pages"] = result.total_pages
        final = "ok" if state["items"] else "empty"
        yield self._record(target, state, final, http_status=status, final_url=response.url, info=info)

    def on_error(self, failure: Any) -> Iterator[PageRecord]:
        """A failed fetch becomes an observation with its status; it is never an empty column."""
        request = failure.request
        target, state = request.cb_kwargs["target"], request.cb_kwargs["state"]
        state["pages"] += 1
        status, message = classify_failure(failure)
        if state["items"]:
            yield self._record(target, state, "ok", final_url=request.url,
                               info={"page_error": f"{status} on {request.url}: {message}"})
        else:
            yield self._record(target, state, status, error=message, final_url=request.url)

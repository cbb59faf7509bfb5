"""Lists whose records are embedded as JSON in the page's own scripts (``var listData = {articleList:
[{title, pubDate, urls}, ...]}``, ``__NEXT_DATA__``, ``<script type="application/json">``): the page
is filled in the browser, but the records, with their dates, are already in the HTML."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

from .dates import find_date, normalize_text
from .extractors import _dated_block
from .model import ExtractResult, ListItem
from .page import Page, clean_title, is_followable
from .pagination import find_pagination
from .registry import Extractor, register

__all__ = ["ScriptDataExtractor", "script_records"]

_ARRAY_START = re.compile(r"\[\s*\{")
_TAGS = re.compile(r"<[^>]+>")
_LIST_NAME = re.compile(r"list|article|news|data|record|rows|items|docs|result|content", re.I)
_MAX_SCRIPT = 4_000_000
_MIN_TITLE = 6
_CST = datetime.timezone(datetime.timedelta(hours=8))


def _date_rank(key: str) -> int | None:
    k = key.lower()
    if re.search(r"pub|release|fbsj|fbrq|reltime|publish|issue|fwrq|docdate", k):
        return 0
    if "date" in k or k in ("rq", "sj"):
        return 1
    if "time" in k and not re.search(r"update|modif|edit|creat|last", k):
        return 2
    if "creat" in k:
        return 3
    return None


def _as_date(value: Any) -> datetime.date | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and value > 0:
        seconds = value / 1000 if value > 10**11 else value
        if 631152000 <= seconds <= 4102444800:  # 1990 .. 2100
            return datetime.datetime.fromtimestamp(seconds, _CST).date()
        return None
    if isinstance(value, str) and 6 <= len(value) <= 40:
        text = value.strip()
        if re.fullmatch(r"\d{10}|\d{13}", text):
            return _as_date(int(text))
        found = find_date(normalize_text(text))
        if found is not None and found[1] <= 1:
            return found[0]
    return None


def _url_in(value: Any) -> str | None:
    if isinstance(value, dict):
        for k in ("pc", "url", "href", "link", "web"):
            if isinstance(value.get(k), str):
                return value[k]
        return next((v for v in value.values() if isinstance(v, str) and v.startswith(("/", "http", "./"))), None)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.startswith("{"):
        try:
            return _url_in(json.loads(text))
        except ValueError:
            return None
    return text if text.startswith(("/", "http://", "https://", "./", "../")) or re.search(r"\.s?html?\b", text) else None


def _record(rec: dict[str, Any]) -> tuple[str, str | None, datetime.date | None]:
    title = ""
    for k, v in rec.items():
        if isinstance(v, str) and "title" in k.lower() and len(v) > len(title):
            title = v
    if not title:
        title = next((v for k, v in rec.items() if isinstance(v, str) and k.lower() in ("name", "bt", "subject")), "")
    url = None
    for k, v in rec.items():
        if re.search(r"url|link|href|path", k, re.I) and not re.search(r"img|image|pic|cover|icon|thumb|file|relation", k, re.I):
            url = _url_in(v)
            if url:
                break
    best: tuple[int, datetime.date] | None = None
    for k, v in rec.items():
        rank = _date_rank(k)
        if rank is None:
            continue
        d = _as_date(v)
        if d is not None and (best is None or rank < best[0]):
            best = (rank, d)
    return clean_title(_TAGS.sub("", title)), url, best[1] if best else None


def script_records(page: Page) -> list[tuple[str, list[dict[str, Any]]]]:
    """(name before the array, records) for every JSON array of objects in the page's inline scripts."""
    memo = page._cache.get("script_records")
    if memo is not None:
        return memo
    decoder = json.JSONDecoder()
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for script in page.root.iter("script"):
        if script.get("src"):
            continue
        code = script.text or ""
        if len(code) > _MAX_SCRIPT or "{" not in code:
            continue
        skip = 0
        for m in _ARRAY_START.finditer(code):
            if m.start() < skip:
                continue
            try:
                value, end = decoder.raw_decode(code, m.start())
            except ValueError:
                continue
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                name = re.findall(r"[\w$]+", code[max(0, m.start() - 60) : m.start()])
                out.append((name[-1] if name else "", value))
                skip = end
    page._cache["script_records"] = out
    return out


def _best_items(page: Page) -> list[ListItem]:
    memo = page._cache.get("script_items")
    if memo is not None:
        return memo
    best: tuple[tuple[int, int], list[ListItem]] | None = None
    for name, records in script_records(page):
        items: list[ListItem] = []
        for rec in records:
            title, url, day = _record(rec)
            if len(title) < _MIN_TITLE or day is None or not url or not is_followable(url):
                continue
            items.append(ListItem(title, page.absolute(url), day, "list", bool(rec.get("topStatus") or rec.get("isTop"))))
        if len(items) < 2 or len(items) * 2 < len(records):
            continue
        key = (int(bool(_LIST_NAME.search(name))), len(items))  # a list named as one, then the longest
        if best is None or key > best[0]:
            best = (key, items)
    page._cache["script_items"] = found = best[1] if best else []
    return found


@register("script_data")
class ScriptDataExtractor(Extractor):
    """Lists filled in the browser from records the page already carries as JSON in an inline script
    (``articleList: [{"title": …, "pubDate": "2025-07-29 16:59", "urls": …}]``): the records with a
    title, a link and a publication date (pubDate, releaseTime, fbsj …, or a Unix time) are read
    without a browser. Used only when the page shows no dated list of its own."""

    def score(self, page: Page) -> float:
        if _dated_block(page, "dated") is not None:
            return 0.0
        return 0.85 if _best_items(page) else 0.0

    def extract(self, page: Page) -> ExtractResult:
        items = _best_items(page)
        next_pages, total = find_pagination(page, exclude={it.url for it in items})
        return ExtractResult(self.name, list(items), next_pages, total)

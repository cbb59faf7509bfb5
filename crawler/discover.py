"""Column discovery: walk a site's navigation, column index pages and 政府信息公开 directory for its list pages."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urldefrag, urlsplit

import httpx
from parsel import Selector

from config.catalogue import Catalogue
from config.schema import CrawlConfig
from crawler.extract import date_from_url, decode_html, extract
from crawler.extract.page import absolute_url, is_followable
from crawler.redirects import RedirectPolicy, httpx_guard

__all__ = ["DiscoveredColumn", "discover_site", "fill_missing_columns"]

_FILE_EXT = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|7z|jpe?g|png|gif|bmp|mp4|mp3|wps|txt|xml|json)$", re.I)
_ARTICLE_URL = re.compile(
    r"(?:/t\d{8}_\d+|/art_\d+_\d+|/content_\d+|/art/\d{4}/|/\d{6}/[^/]+\.s?html?$|[?&](?:id|articleid|infoid)=\d+)",
    re.I,
)
_SKIP_NAMES = re.compile(r"^(?:首页|网站首页|返回首页|更多|more|English|无障碍|设为首页|加入收藏|上一页|下一页|尾页|\d+)$", re.I)
_XXGK = re.compile(r"(?:政府)?信息公开")
_BLANK = re.compile(r"暂无|没有(?:相关)?(?:信息|记录|数据)|无记录")


@dataclass
class DiscoveredColumn:
    """A column found on a site."""

    name: str
    url: str
    category: str | None
    top_level: bool
    extractor: str
    newest: dt.date | None
    items: int
    found_on: str
    """Where it was found: nav (the homepage), index (a column index page) or xxgk (the 政府信息公开 directory)."""

    def as_config(self) -> dict[str, Any]:
        """The column as a config entry (columns: in a site)."""
        out: dict[str, Any] = {"name": self.name, "url": self.url}
        if self.category:
            out["category"] = self.category
        if self.top_level:
            out["top_level"] = True
        if self.extractor == "script_built":
            out["render"] = "browser"
        return out

    def as_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        d = asdict(self)
        d["newest"] = self.newest.isoformat() if self.newest else None
        return d


def _within(url: str, root: str) -> bool:
    a, b = urlsplit(url), urlsplit(root)
    if a.scheme not in ("http", "https") or a.netloc != b.netloc:
        return False
    prefix = b.path if b.path.endswith("/") else b.path.rsplit("/", 1)[0] + "/"
    return a.path.startswith(prefix)


_NAV_XPATH = (
    "ancestor::*[self::nav or contains(translate(@class, 'NAVMEU', 'navmeu'), 'nav') or "
    "contains(translate(@id, 'NAVMEU', 'navmeu'), 'nav') or contains(translate(@class, 'NAVMEU', 'navmeu'), 'menu') "
    "or contains(translate(@id, 'NAVMEU', 'navmeu'), 'menu') or contains(@class, 'daohang') or contains(@id, 'daohang')]"
)


def _links(html: str, url: str) -> list[tuple[str, str, bool]]:
    """(absolute url, anchor text, inside a navigation menu) of the page's links, in page order."""
    sel = Selector(text=html)
    base = sel.xpath("//base/@href").get() or url
    out = []
    for a in sel.xpath("//body//a[@href]"):
        href = a.attrib.get("href")
        if not is_followable(href):
            continue
        text = " ".join("".join(a.xpath(".//text()").getall()).split()) or (a.attrib.get("title") or "").strip()
        out.append((urldefrag(absolute_url(base, href or ""))[0], text, bool(a.xpath(_NAV_XPATH))))
    if not any(nav for _, _, nav in out):  # no menu marked up as such: every link may be one
        out = [(u, t, True) for u, t, _ in out]
    return out


def _candidate(url: str, text: str, root: str) -> bool:
    if not text or len(text) > 16 or _SKIP_NAMES.match(text):
        return False
    if not _within(url, root) or _FILE_EXT.search(urlsplit(url).path):
        return False
    if _ARTICLE_URL.search(url) or date_from_url(url) is not None:
        return False
    return True


def discover_site(
    url: str,
    catalogue: Catalogue,
    *,
    today: dt.date,
    crawl: CrawlConfig | None = None,
    max_pages: int = 80,
    max_depth: int = 3,
    client: httpx.Client | None = None,
) -> list[DiscoveredColumn]:
    """The columns of the site at ``url``: list pages reached from its navigation within ``max_depth`` hops.

    A page whose list holds items (or is built by script, or says it is empty) is a column; any other page
    reached from a menu is an index page whose links are followed. Names are the shortest anchor text that
    links to the page; columns linked from the homepage are top-level. Requests are sequential, with the
    crawl delay between them, and at most ``max_pages`` per site. A redirect away from the site's host (and
    ``crawl.redirect_hosts``) is not followed.
    """
    crawl = crawl or CrawlConfig()
    own = client is None
    http = client or httpx.Client(
        timeout=crawl.timeout, follow_redirects=True, headers={"User-Agent": crawl.user_agent},
        limits=httpx.Limits(max_connections=2),
        event_hooks={"response": [httpx_guard(RedirectPolicy.of_urls([url], crawl.redirect_hosts))]},
    )
    walk = _Walk(url)
    fetched = 0
    try:
        while walk.queue and fetched < max_pages:
            page_url, depth = walk.queue.popleft()
            if fetched:
                time.sleep(min(crawl.delay, 2.0))
            fetched += 1
            page = _fetch(http, page_url)
            if page is None:
                continue
            text, final_url = page
            if depth > 0 and walk.column(page_url, depth, text, final_url, catalogue, today):
                continue
            if depth < max_depth:
                walk.follow(page_url, depth, text, final_url)
    finally:
        if own:
            http.close()
    out = []
    for col in walk.found.values():  # names may have been shortened by later links
        name = walk.names.get(col.url, col.name)
        if name != col.name:
            col.name, col.category = name, catalogue.category_for(name)
        out.append(col)
    return out


def _fetch(http: httpx.Client, url: str) -> tuple[str, str] | None:
    """The decoded text and final URL of a page, or None when it did not answer with a page."""
    try:
        resp = http.get(url)
    except httpx.HTTPError:
        return None
    if resp.status_code >= 400:
        return None
    text, _ = decode_html(resp.content, resp.headers.get("Content-Type", ""))
    return text, str(resp.url)


class _Walk:
    """What a discovery walk has seen: the queue, each page's shortest anchor text and where it was found."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.names: dict[str, str] = {}
        self.origin: dict[str, tuple[int, str]] = {}
        self.found: dict[str, DiscoveredColumn] = {}
        self.queue: deque[tuple[str, int]] = deque([(url, 0)])
        self.visited: set[str] = {url}

    def column(self, page_url: str, depth: int, text: str, final_url: str, catalogue: Catalogue,
               today: dt.date) -> bool:
        """Record the page as a column when its list holds items, is built by script or says it is empty."""
        result = extract(text, final_url, today=today)
        if not (result.items or result.script_built
                or _BLANK.search(Selector(text=text).xpath("string(//body)").get() or "")):
            return False
        parent = self.origin.get(page_url, (depth, "index"))[1]
        name = self.names.get(page_url, "")
        self.found[page_url] = DiscoveredColumn(
            name=name, url=page_url, category=catalogue.category_for(name) if name else None,
            top_level=depth == 1 and parent == "nav", extractor=result.extractor, newest=result.newest(today),
            items=len(result.items), found_on=parent,
        )
        return True

    def follow(self, page_url: str, depth: int, text: str, final_url: str) -> None:
        """Queue the menu links of a homepage or index page (the homepage's news blocks are not its navigation)."""
        parent_kind = self.origin.get(page_url, (0, "home"))[1]
        if depth == 0:
            kind = "home"
        elif parent_kind == "xxgk" or _XXGK.search(self.names.get(page_url, "")):
            kind = "xxgk"
        else:
            kind = "index"
        for link, anchor, in_nav in _links(text, final_url):
            if not _candidate(link, anchor, self.url) or link == self.url:
                continue
            if depth == 0 and not in_nav and not _XXGK.search(anchor):
                continue
            if link not in self.names or len(anchor) < len(self.names[link]):
                self.names[link] = anchor
            if link not in self.visited:
                self.visited.add(link)
                self.origin[link] = (depth + 1, "nav" if kind == "home" else kind)
                self.queue.append((link, depth + 1))


def fill_missing_columns(
    config: Any,
    catalogue: Catalogue,
    *,
    today: dt.date,
    cache_file: Any = None,
    ttl_days: int = 7,
) -> dict[str, int]:
    """Give every configured site without columns the columns discovery finds; returns {site url: count}.

    Results are kept in ``cache_file`` (JSON) for ``ttl_days`` so that daily runs do not walk the site again.
    A site that cannot be reached keeps no columns (its homepage is still watched).
    """
    import json
    from pathlib import Path

    from config.schema import ColumnConfig

    cache: dict[str, Any] = {}
    path = Path(cache_file) if cache_file else None
    if path and path.exists():
        try:
            cache = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cache = {}
    changed = False
    out: dict[str, int] = {}
    for unit in config.units:
        for site in unit.sites:
            if site.columns:
                continue
            entry = cache.get(site.url)
            fresh = entry and (today - dt.date.fromisoformat(entry["date"])).days < ttl_days
            if not fresh:
                try:
                    found = discover_site(site.url, catalogue, today=today, crawl=config.crawl)
                except Exception:  # noqa: BLE001 - an unreachable site is the crawl's business, not discovery's
                    found = []
                entry = {"date": today.isoformat(), "columns": [c.as_config() for c in found if c.name]}
                cache[site.url] = entry
                changed = True
            columns = []
            seen = {site.url}
            for c in entry["columns"]:
                if c["url"] not in seen:
                    seen.add(c["url"])
                    columns.append(ColumnConfig(**c))
            site.columns = columns
            out[site.url] = len(columns)
    if changed and path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(cache, ensure_ascii=False, indent=1), encoding="utf-8")
    return out

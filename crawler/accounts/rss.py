"""The ``rss`` adapter: RSS 2.0, RSS 1.0, Atom and JSON Feed, with conditional requests (ETag, Last-Modified)."""

from __future__ import annotations

import hashlib
import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from html.entities import name2codepoint
from typing import Any
from urllib.parse import urlsplit

import httpx

from config.errors import FeedError

from .base import AccountObservation, AccountRef, Adapter, Post, join_url, register, response_url
from .timefmt import parse_cn_time

__all__ = ["FeedCache", "FeedCacheEntry", "FeedError", "ParsedFeed", "RssAdapter", "parse_feed"]

_REDIRECTS = (301, 302, 303, 307, 308)
_MAX_REDIRECTS = 5
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TAGS = re.compile(r"<[^>]+>")
# Date elements in order of preference (local names; dc:date is "date").
_DATE_FIELDS = ("published", "pubdate", "date", "issued", "created", "updated", "modified")


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's title, its dated posts, and how many items it listed (dated or not)."""

    title: str | None
    posts: list[Post]
    items: int


@dataclass
class FeedCacheEntry:
    """What the last full answer for one feed URL said, kept for conditional requests."""

    etag: str | None
    last_modified: str | None
    posts: list[Post] = field(default_factory=list)
    display_name: str | None = None


class FeedCache:
    """Validators and last posts per feed URL; serialisable with ``to_dict``/``from_dict`` for storage."""

    def __init__(self, entries: Mapping[str, FeedCacheEntry] | None = None) -> None:
        self.entries: dict[str, FeedCacheEntry] = dict(entries or {})

    def get(self, url: str) -> FeedCacheEntry | None:
        """The entry for ``url``, if any."""
        return self.entries.get(url)

    def put(self, url: str, entry: FeedCacheEntry) -> None:
        """Store the entry for ``url``."""
        self.entries[url] = entry

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            url: {
                "etag": e.etag,
                "last_modified": e.last_modified,
                "display_name": e.display_name,
                "posts": [p.to_dict() for p in e.posts],
            }
            for url, e in self.entries.items()
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeedCache:
        """The inverse of :meth:`to_dict`."""
        return cls(
            {
                url: FeedCacheEntry(
                    etag=e.get("etag"),
                    last_modified=e.get("last_modified"),
                    display_name=e.get("display_name"),
                    posts=[Post.from_dict(p) for p in e.get("posts") or []],
                )
                for url, e in data.items()
            }
        )


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _text(el: ET.Element | None) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


def _plain(text: str, limit: int = 80) -> str:
    text = html.unescape(_TAGS.sub(" ", text))
    text = re.sub(r"\s+", " ", text).strip()
    return text[:limit]


def _xml_root(body: bytes) -> ET.Element:
    try:
        return ET.fromstring(body)
    except ET.ParseError as first:
        # Feeds written by hand or by CMSes often carry HTML entities (&nbsp;) or control characters.
        text = body.decode("utf-8", errors="replace")
        text = re.sub(r"^<\?xml[^>]*\?>", "", text.lstrip())
        text = _CONTROL.sub("", text)

        def entity(m: re.Match[str]) -> str:
            name = m.group(1)
            if name in _XML_ENTITIES or name not in name2codepoint:
                return m.group(0)
            return f"&#{name2codepoint[name]};"

        try:
            return ET.fromstring(_ENTITY.sub(entity, text))
        except ET.ParseError:
            raise FeedError(f"not well-formed XML: {first}") from None


def _post_id(*candidates: str) -> str:
    for c in candidates:
        if c:
            return c
    return hashlib.sha1("|".join(candidates).encode()).hexdigest()[:16]


def _xml_link(children: dict[str, list[ET.Element]]) -> str:
    for el in children.get("link", []):
        href = el.get("href")
        if href and el.get("rel", "alternate") == "alternate":
            return href
        if not href and _text(el):
            return _text(el)
    return ""


def _xml_title(children: dict[str, list[ET.Element]]) -> str:
    title = _text(next(iter(children.get("title", [])), None))
    if title:
        return title
    for name in ("description", "summary", "content", "encoded"):
        if children.get(name):
            return _plain(_text(children[name][0]))
    return ""


def _xml_date(children: dict[str, list[ET.Element]], now: datetime) -> datetime | None:
    for name in _DATE_FIELDS:
        for el in children.get(name, []):
            published = parse_cn_time(_text(el), now=now)
            if published:
                return published
    return None


def _xml_item(item: ET.Element, now: datetime) -> Post | None:
    """One RSS item or Atom entry; None without a date (未注明发布时间的视为不更新)."""
    children: dict[str, list[ET.Element]] = {}
    for child in item:
        children.setdefault(_local(child.tag), []).append(child)
    published = _xml_date(children, now)
    if published is None:
        return None
    link, title = _xml_link(children), _xml_title(children)
    guid = _text(next(iter(children.get("guid", []) or children.get("id", [])), None))
    return Post(id=_post_id(guid, link, title + "|" + published.isoformat()), title=_plain(title, 200),
                published=published, url=link or None)


def _xml_feed(body: bytes, *, now: datetime) -> ParsedFeed:
    root = _xml_root(body)
    kind = _local(root.tag)
    if kind == "html":
        raise FeedError("an HTML page, not a feed")
    if kind not in ("rss", "rdf", "feed", "channel"):
        raise FeedError(f"unknown feed root <{kind}>")
    container = root
    if kind == "rss":
        container = next((c for c in root if _local(c.tag) == "channel"), root)
    elif kind == "rdf":
        container = next((c for c in root if _local(c.tag) == "channel"), root)
    title = _text(next((c for c in container if _local(c.tag) == "title"), None)) or None
    items = [el for el in root.iter() if _local(el.tag) in ("item", "entry")]
    posts = [post for post in (_xml_item(item, now) for item in items) if post is not None]
    return ParsedFeed(title=title, posts=posts, items=len(items))


def _json_feed(body: bytes, *, now: datetime) -> ParsedFeed:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FeedError(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FeedError("JSON without an items list (not a JSON Feed)")
    posts: list[Post] = []
    for item in data["items"]:
        if not isinstance(item, dict):
            continue
        published = None
        for key in ("date_published", "date_modified"):
            if isinstance(item.get(key), str):
                published = parse_cn_time(item[key], now=now)
                if published:
                    break
        if published is None:
            continue
        title = str(item.get("title") or "") or _plain(
            str(item.get("content_text") or item.get("content_html") or "")
        )
        url = item.get("url") or item.get("external_url")
        posts.append(
            Post(
                id=_post_id(str(item.get("id") or ""), str(url or ""), title + "|" + published.isoformat()),
                title=_plain(title, 200),
                published=published,
                url=url,
            )
        )
    title = data.get("title")
    return ParsedFeed(title=str(title) if title else None, posts=posts, items=len(data["items"]))


def parse_feed(body: bytes | str, *, now: datetime, content_type: str = "") -> ParsedFeed:
    """Parse an RSS 2.0/1.0, Atom or JSON Feed document; items without a usable date are left out."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    stripped = raw.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise FeedError("empty body")
    if stripped.startswith(b"{") or "json" in content_type.lower():
        return _json_feed(stripped, now=now)
    return _xml_feed(stripped, now=now)


@register("rss")
class RssAdapter(Adapter):
    """Reads an account through a feed: RSS 2.0, RSS 1.0, Atom or JSON Feed.

    This is how most counties read the platforms: through a self-hosted bridge such as RSSHub
    (``/weibo/user/UID``, ``/douyin/user/SEC_UID``, ``/toutiao/user/token/TOKEN``), WeWe RSS or
    Wechat2RSS for WeChat official accounts. In the config give either a full ``url`` of the feed
    (used as it is) or a path such as ``url: /weibo/user/1234567890`` (or ``id`` holding that path),
    which is put on the base URL: the account's ``base_url``, else the platform's, else
    ``http://127.0.0.1:1200`` (RSSHub's default port on the same machine).

    Requests are conditional: the ETag and Last-Modified of the last full answer are kept in a
    :class:`FeedCache` (pass ``cache=`` to share or persist it) and a ``304 Not Modified`` reuses the
    posts seen then. Dates may be RFC 822, ISO 8601, or without a time zone (taken as Asia/Shanghai);
    items without a date do not count. HTTP 401 means the bridge's key or the upstream login expired
    (``auth_expired``), 403 ``blocked``, 404 ``not_found``, 418/429 ``rate_limited``.
    """

    default_base_url = "http://127.0.0.1:1200"
    accept = (
        "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
        "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
    )

    def __init__(self, *, cache: FeedCache | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.cache = cache if cache is not None else FeedCache()

    def feed_url(self, ref: AccountRef) -> str:
        """The feed URL of ``ref``: an absolute ``url`` as it is, else the path on the base URL."""
        target = ref.url or ref.id or ""
        if urlsplit(target).scheme in ("http", "https"):
            return target
        return join_url(self.base_url_for(ref), target.lstrip("/"))

    def host_key(self, ref: AccountRef) -> str:
        return urlsplit(self.feed_url(ref)).netloc or self.name

    async def _fetch(
        self, client: httpx.AsyncClient, ref: AccountRef, *, now: datetime
    ) -> AccountObservation:
        url = self.feed_url(ref)
        cached = self.cache.get(url)
        headers = {"Accept": self.accept}
        if cached and cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached and cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
        response = await self.request(client, "GET", url, ref, headers=headers)
        for _ in range(_MAX_REDIRECTS):
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or not location:
                break
            response = await self.request(
                client, "GET", join_url(str(response.url), location), ref, headers=headers
            )
        observation = self.parse(ref, response, now=now, cached=cached)
        if response.status_code == 200 and observation.usable:
            etag = response.headers.get("etag")
            last_modified = response.headers.get("last-modified")
            self.cache.put(
                url,
                FeedCacheEntry(
                    etag=etag,
                    last_modified=last_modified,
                    posts=list(observation.posts),
                    display_name=observation.display_name,
                ),
            )
        return observation

    def parse(
        self,
        ref: AccountRef,
        response: httpx.Response,
        *,
        now: datetime,
        cached: FeedCacheEntry | None = None,
    ) -> AccountObservation:
        """The observation for one feed response; a 304 answer uses ``cached``."""
        code = response.status_code
        if code == 304:
            if cached is None:
                return self.observation(
                    ref,
                    "parse_error",
                    now=now,
                    http_status=code,
                    error="304 Not Modified without a cached copy",
                )
            return self.observation(
                ref, "ok", cached.posts, now=now, http_status=code, display_name=cached.display_name
            )
        failure = self.http_failure(ref, response, now=now, what="the feed")
        if failure is not None:
            return failure
        if code != 200:
            return self.observation(
                ref,
                "http_error",
                now=now,
                http_status=code,
                error=f"unexpected HTTP {code}: {response_url(response)}",
            )
        try:
            feed = parse_feed(
                response.content, now=now, content_type=response.headers.get("content-type", "")
            )
        except FeedError as exc:
            return self.observation(ref, "parse_error", now=now, http_status=code, error=str(exc))
        if feed.items and not feed.posts:
            return self.observation(
                ref,
                "parse_error",
                now=now,
                http_status=code,
                display_name=feed.title,
                error=f"{feed.items} items, none with a usable date",
            )
        return self.observation(ref, "ok", feed.posts, now=now, http_status=code, display_name=feed.title)

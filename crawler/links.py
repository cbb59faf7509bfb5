"""Link checking (链接不可用): find links on pages, check each unique URL once per run with per-host politeness.

The checker is plain asyncio + httpx (no Twisted), so it runs in the CLI's own process. It writes no
findings: it returns observations (one :class:`LinkResult` per unique URL, and per site the pages
that refer to it with their anchor text) that ``storage/links.py`` stores and ``checks/links.py`` judges.

- HEAD first for images, attachments and external links; GET when HEAD is refused or unreliable
  (405, 403, 501, a host configured or found to lie), and always GET for pages of the monitored
  site (the body tells a "soft 404").
- Redirects are followed by hand up to a limit: a loop or too many hops is ``redirect_loop``; a
  deep link sent to a homepage is ``soft_404``. A redirect may lead only to the link's own host, the
  monitored sites' hosts and ``crawl.redirect_hosts`` (crawler/redirects.py); anywhere else it is not
  followed and the link is ``redirect_offsite``, which (like ``blocked``) is never judged.
- A failure is re-tested (with GET) after ``retest_delay`` seconds: only a failure that is still
  there is ``broken`` (confirmed); a link that fails once and then works is ``ok``.
- A URL that answered fine recently is not fetched again within its class's TTL (internal pages, attachments
  and images, external links: ``CheckerSettings.*_ok_ttl_hours``).
- Budgets: at most ``max_links_per_page`` URLs fetched for one referring page and ``max_links_per_host`` for
  one target host per run, and nothing new after the run's ``deadline``; the rest is ``deferred`` (never a
  finding, never fine), the URLs not checked fine for the longest first next time.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
import ssl
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
import lxml.html

from crawler.extract.encoding import decode_html
from crawler.redirects import OFFSITE_STATUS, RedirectPolicy
from crawler.status import exception_status, link_error

__all__ = [
    "ATTACHMENT_EXTENSIONS",
    "ERROR_CLASSES",
    "CheckerSettings",
    "HostGate",
    "Link",
    "LinkChecker",
    "LinkResult",
    "LinkRef",
    "SiteScan",
    "SiteSpec",
    "check_sites",
    "extract_links",
    "is_soft_404_page",
    "link_kind",
]

log = logging.getLogger("govwatch.links")

#: error classes of a link that does not open (or opens wrong); ``blocked`` is not one: it is not judged
ERROR_CLASSES = (
    "http_404", "http_410", "http_5xx", "http_4xx", "timeout", "dns", "refused", "tls", "redirect_loop",
    "soft_404", "empty_attachment", "network_error",
)
ATTACHMENT_EXTENSIONS = frozenset({
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".dps", ".ppt", ".pptx", ".zip", ".rar", ".7z",
    ".txt", ".ofd", ".csv", ".tar", ".gz",
})
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".svg", ".ico"})
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "sms:", "#")
_HOMEPAGE_LEAVES = {"", "index.html", "index.htm", "index.shtml", "index.jsp", "index.php", "index.asp",
                    "index.aspx", "default.html", "default.htm", "default.aspx", "default.asp", "main.html"}
_REDIRECTS = (301, 302, 303, 307, 308)
_HEAD_REFUSED = (405, 403, 501)
_SOFT_TITLE = re.compile(r"(?<!\d)404(?!\d)|不存在|找不到|未找到|已删除|已被删除|not\s*found|错误页", re.I)
_SOFT_BODY = re.compile(
    r"页面不存在|页面未找到|您访问的页面|您所访问的页面|找不到(您|你)?(要|所)?(访问|请求)?的?页面|信息不存在|文章不存在"
    r"|内容已删除|已被删除|(?<!\d)404(?!\d)\s*(not\s*found|错误|页面)|page\s+not\s+found",
    re.I,
)
_SOFT_BODY_MAX_CHARS = 1500


@dataclass(frozen=True)
class Link:
    """One link found on a page: absolute URL (no fragment), kind, anchor text."""

    url: str
    kind: str  # page | image | attachment | external
    text: str
    tag: str = "a"


@dataclass
class LinkResult:
    """What checking one URL found. ``error`` is None when the link works."""

    url: str
    error: str | None = None
    http_status: int | None = None
    final_url: str | None = None
    detail: str | None = None
    method: str | None = None
    requests: int = 0
    duration_ms: int = 0
    cached: bool = False
    attempts: int = 1
    first_error: str | None = None
    checked_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    #: not checked in this run (a budget or the deadline): neither fine nor broken
    deferred: bool = False

    @property
    def state(self) -> str:
        """``ok``, ``blocked`` (our request was refused: not judged), ``offsite`` (redirected to a host that is
        not allowed: not followed, not judged), ``deferred`` (not checked this run) or ``broken``."""
        if self.deferred:
            return "deferred"
        if self.error is None:
            return "ok"
        if self.error == OFFSITE_STATUS:
            return "offsite"
        return "blocked" if self.error == "blocked" else "broken"


@dataclass
class LinkRef:
    """A link of a site as its pages use it: kind, whether the homepage has it, referring pages and anchor texts."""

    url: str
    kind: str
    on_homepage: bool = False
    pages: dict[str, str] = field(default_factory=dict)  # referring page -> anchor text (first seen)
    count: int = 0


@dataclass(frozen=True)
class SiteSpec:
    """A site to check: its homepage URL and (whole-site) page budget and depth."""

    site_id: int
    url: str
    max_pages: int = 300
    max_depth: int = 3

    @property
    def host(self) -> str:
        """Host (with port) of the site."""
        return urlsplit(self.url).netloc.lower()

    @property
    def prefix(self) -> str:
        """Path prefix of the site's pages (a portal section is a directory of the portal host)."""
        path = urlsplit(self.url).path or "/"
        return path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"

    def contains(self, url: str) -> bool:
        """Whether a URL is a page of this site (same host, under the site's directory)."""
        parts = urlsplit(url)
        return parts.netloc.lower() == self.host and (parts.path or "/").startswith(self.prefix)


@dataclass
class SiteScan:
    """The links of one site seen in one scan."""

    site: SiteSpec
    scope: str
    status: str = "ok"  # ok | failed (the homepage could not be read: nothing judged)
    error: str | None = None
    pages: int = 0
    refs: dict[str, LinkRef] = field(default_factory=dict)
    #: pages read by the crawl whose stored links were checked without fetching the page (crawler/outlinks.py)
    crawled_pages: int = 0
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    finished_at: dt.datetime | None = None


@dataclass(frozen=True)
class CheckerSettings:
    """Politeness and limits of one link-check run (per host, as the crawl's)."""

    concurrency_per_host: int = 2
    delay: float = 1.0
    timeout: float = 15.0
    max_redirects: int = 10
    retest_delay: float = 30.0
    retests: int = 1
    user_agent: str = "Mozilla/5.0 (compatible; govwatch/0.1; +government website monitoring)"
    head_unreliable_hosts: tuple[str, ...] = ()
    check_external: bool = True
    max_page_bytes: int = 2 * 1024 * 1024
    #: hosts a redirect may lead to besides the link's own and the monitored sites' (crawl.redirect_hosts);
    #: None: every redirect is followed
    redirect_hosts: tuple[str, ...] | None = None
    #: a URL that answered fine within its class's TTL is not fetched again (0: always fetched)
    page_ok_ttl_hours: float = 0.0
    attachment_ok_ttl_hours: float = 0.0
    external_ok_ttl_hours: float = 72.0
    #: URLs fetched per referring page and per target host in one run (None: no limit); the rest is deferred
    max_links_per_page: int | None = None
    max_links_per_host: int | None = None

    def ok_ttl(self, kind: str) -> dt.timedelta:
        """How long a fine answer of a link of this kind is trusted."""
        hours = {"page": self.page_ok_ttl_hours, "external": self.external_ok_ttl_hours}.get(
            kind, self.attachment_ok_ttl_hours)
        return dt.timedelta(hours=hours)


# --------------------------------------------------------------------------------------------- parsing


def link_kind(url: str, tag: str, internal_hosts: set[str]) -> str:
    """``image``, ``attachment``, ``external`` (a host not in ``internal_hosts``) or ``page``."""
    path = urlsplit(url).path.lower()
    leaf = path.rsplit("/", 1)[-1]
    ext = "." + leaf.rsplit(".", 1)[-1] if "." in leaf else ""
    if tag == "img" or ext in IMAGE_EXTENSIONS:
        return "image"
    if ext in ATTACHMENT_EXTENSIONS:
        return "attachment"
    if urlsplit(url).netloc.lower() not in internal_hosts:
        return "external"
    return "page"


def _text(el: Any) -> str:
    return " ".join((el.text_content() or "").split())


def extract_links(html: str, page_url: str, internal_hosts: Iterable[str]) -> list[Link]:
    """Links of a page: ``a``/``area`` hrefs, ``img``/``iframe``/``frame``/``embed`` srcs, without mailto:,
    javascript:, tel: and in-page anchors; absolute, without fragment, in page order, each once."""
    hosts = {h.lower() for h in internal_hosts}
    try:
        doc = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    base = page_url
    for b in doc.iter("base"):
        if b.get("href"):
            base = urljoin(page_url, b.get("href").strip())
            break
    out: dict[str, Link] = {}
    for el in doc.iter("a", "area", "img", "iframe", "frame", "embed"):
        tag = el.tag
        raw = el.get("href") if tag in ("a", "area") else el.get("src")
        if not raw:
            continue
        raw = raw.strip()
        if not raw or raw.lower().startswith(_SKIP_SCHEMES):
            continue
        try:
            url = urldefrag(urljoin(base, raw)).url
        except ValueError:
            continue
        if not url.lower().startswith(("http://", "https://")):
            continue
        if tag == "img":
            text = (el.get("alt") or el.get("title") or "").strip() or "[图片]"
        elif tag in ("iframe", "frame", "embed"):
            text = (el.get("title") or el.get("name") or "").strip() or f"[{tag}]"
        else:
            text = _text(el) or (el.get("title") or "").strip()
            if not text:
                img = next(iter(el.iter("img")), None)
                text = ((img.get("alt") or "").strip() or "[图片链接]") if img is not None else ""
        kind = link_kind(url, tag, hosts)
        prev = out.get(url)
        if prev is None:
            out[url] = Link(url, kind, text[:120], tag)
        elif kind in ("image", "attachment") and prev.kind not in ("image", "attachment"):
            out[url] = Link(url, kind, prev.text or text[:120], tag)
    return list(out.values())


def is_soft_404_page(html: str) -> bool:
    """A 200 page that says the page does not exist (页面不存在 / 404 / 您访问的页面不存在)."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return False
    title = " ".join(t.text_content() for t in doc.iter("title"))
    if _SOFT_TITLE.search(title):
        return True
    for bad in doc.iter("script", "style"):
        bad.drop_tree()
    body = " ".join(doc.text_content().split())
    return len(body) <= _SOFT_BODY_MAX_CHARS and bool(_SOFT_BODY.search(body))


def _is_homepage_url(url: str) -> bool:
    path = urlsplit(url).path or "/"
    return path.rsplit("/", 1)[-1].lower() in _HOMEPAGE_LEAVES and path.count("/") <= 1


def _norm_path(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    head, _, leaf = path.rpartition("/")
    if leaf.lower() in _HOMEPAGE_LEAVES:
        path = head + "/"
    return parts.netloc.lower() + path.rstrip("/")


# ------------------------------------------------------------------------------------ classification


# ---------------------------------------------------------------------------------------- politeness


class HostGate:
    """Per-host politeness: at most N requests in flight and ``delay`` seconds between request starts."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self.concurrency = concurrency
        self.delay = delay
        self._sems: dict[str, asyncio.Semaphore] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._next: dict[str, float] = {}

    @contextlib.asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of the host's slots; returns once the host's delay since the last start has passed."""
        sem = self._sems.setdefault(host, asyncio.Semaphore(self.concurrency))
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with sem:
            if self.delay > 0:
                async with lock:
                    wait = self._next.get(host, 0.0) - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    self._next[host] = time.monotonic() + self.delay
            yield


# ------------------------------------------------------------------------------------------- checker


@dataclass
class _Answer:
    status: int
    headers: httpx.Headers
    body: bytes
    final_url: str
    redirected_from_deep: bool = False
    method: str = "GET"


class _RedirectLoop(Exception):
    pass


class _OffsiteRedirect(Exception):
    pass


class _DeadlineHit(Exception):
    pass


class LinkChecker:
    """Checks URLs once per run (results are shared by every site and page that links to them)."""

    def __init__(
        self,
        settings: CheckerSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        ok_cache: dict[str, dt.datetime] | None = None,
        internal_hosts: Iterable[str] = (),
        deadline: dt.datetime | None = None,
        known_broken: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.known_broken = dict(known_broken or {})
        self.deadline = deadline
        self.gate = HostGate(settings.concurrency_per_host, settings.delay)
        self.requests = 0
        self.ok_cache = ok_cache or {}
        self.internal_hosts = {h.lower() for h in internal_hosts}
        self.head_unreliable = {h.lower() for h in settings.head_unreliable_hosts}
        self.redirects = (None if settings.redirect_hosts is None
                          else RedirectPolicy(self.internal_hosts, settings.redirect_hosts))
        self._checks: dict[str, asyncio.Future[LinkResult]] = {}
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            timeout=httpx.Timeout(settings.timeout),
            headers={"User-Agent": settings.user_agent, "Accept": "*/*"},
            verify=True,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=64),
        )

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def __aenter__(self) -> LinkChecker:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- low level

    async def _one(self, method: str, url: str, read: int) -> tuple[int, httpx.Headers, bytes, str]:
        host = urlsplit(url).netloc.lower()
        async with self.gate.slot(host):
            if self.deadline is not None and dt.datetime.now(dt.UTC) >= self.deadline:
                raise _DeadlineHit
            self.requests += 1
            if method == "AUTO":  # decided when the slot is granted: an earlier answer may have taught us
                method = "GET" if host in self.head_unreliable else "HEAD"

            async def go() -> tuple[int, httpx.Headers, bytes, str]:
                async with self._client.stream(method, url) as resp:
                    body = b""
                    if read and method == "GET" and resp.status_code not in _REDIRECTS:
                        async for chunk in resp.aiter_bytes():
                            body += chunk
                            if len(body) >= read:
                                break
                    return resp.status_code, resp.headers, body, method

            return await asyncio.wait_for(go(), self.settings.timeout)

    async def _request(self, method: str, url: str, read: int) -> _Answer:
        seen = {url}
        current = url
        for _ in range(self.settings.max_redirects + 1):
            status, headers, body, method = await self._one(method, current, read)
            location = headers.get("location")
            if status in _REDIRECTS and location:
                nxt = urldefrag(urljoin(current, location.strip())).url
                if self.redirects is not None and not self.redirects.with_urls(url).allows(nxt):
                    raise _OffsiteRedirect(f"redirected from {current} to {nxt}, which is neither a monitored host "
                                           f"nor in crawl.redirect_hosts: not followed")
                if nxt in seen:
                    raise _RedirectLoop(f"redirect loop at {nxt}")
                seen.add(nxt)
                current = nxt
                continue
            deep = (current != url and _is_homepage_url(current) and not _is_homepage_url(url)
                    and _norm_path(current) != _norm_path(url))
            return _Answer(status, headers, body, current, deep, method)
        raise _RedirectLoop(f"more than {self.settings.max_redirects} redirects")

    # -- one URL

    def _use_head(self, url: str, kind: str) -> bool:
        host = urlsplit(url).netloc.lower()
        if host in self.head_unreliable:
            return False
        return not (kind == "page" and host in self.internal_hosts)

    async def _evaluate(self, url: str, kind: str, *, force_get: bool) -> tuple[LinkResult, str | None]:
        started = time.monotonic()
        before = self.requests
        res = LinkResult(url)
        html: str | None = None
        method = "GET" if force_get or not self._use_head(url, kind) else "AUTO"
        want = self.settings.max_page_bytes if kind == "page" else 1
        try:
            ans = await self._request(method, url, want)
            method = ans.method
            if method == "HEAD" and (ans.status in _HEAD_REFUSED or (
                    kind in ("attachment", "image") and ans.status < 300
                    and ans.headers.get("content-length", "").strip() == "0")):
                if ans.status in _HEAD_REFUSED:
                    self.head_unreliable.add(urlsplit(url).netloc.lower())
                method = "GET"
                ans = await self._request(method, url, want)
            res.http_status, res.final_url = ans.status, ans.final_url
            res.error = link_error(ans.status)
            if res.error:
                res.detail = f"HTTP {ans.status}"
            elif ans.redirected_from_deep:
                res.error, res.detail = "soft_404", f"redirected to the homepage {ans.final_url}"
            elif kind in ("attachment", "image") and method == "GET" and not ans.body:
                res.error, res.detail = "empty_attachment", "the file is empty (0 bytes)"
            elif (kind == "page" and method == "GET" and "html" in ans.headers.get("content-type", "html").lower()
                  and ans.body):
                html, _ = decode_html(ans.body, ans.headers.get("content-type"))
                if is_soft_404_page(html):
                    res.error, res.detail = "soft_404", "the page says it does not exist"
        except _RedirectLoop as exc:
            res.error, res.detail = "redirect_loop", str(exc)
        except _OffsiteRedirect as exc:
            res.error, res.detail = OFFSITE_STATUS, str(exc)
        except _DeadlineHit:
            res = LinkResult(url, deferred=True, detail="the run's deadline passed before it was checked")
        except httpx.InvalidURL as exc:
            res.error, res.detail = "network_error", f"invalid URL: {exc}"
        except (TimeoutError, httpx.HTTPError, OSError, ssl.SSLError) as exc:
            res.error, res.detail = exception_status(exc), f"{type(exc).__name__}: {exc}"[:300]
        res.method = "HEAD" if method == "AUTO" else method
        res.requests = self.requests - before
        res.duration_ms = int((time.monotonic() - started) * 1000)
        res.checked_at = dt.datetime.now(dt.UTC)
        return res, html

    def _cached(self, url: str, kind: str) -> LinkResult | None:
        if kind == "external" and not self.settings.check_external:
            return LinkResult(url, cached=True, detail="external links are not checked")
        at = self.ok_cache.get(url)
        ttl = self.settings.ok_ttl(kind)
        if at is not None and ttl > dt.timedelta(0) and dt.datetime.now(dt.UTC) - at < ttl:
            return LinkResult(url, cached=True, detail=f"OK at {at.isoformat()}")
        return None

    def needs_request(self, url: str, kind: str) -> bool:
        """Whether checking ``url`` now would cost a request (not checked yet this run, no fresh OK)."""
        return url not in self._checks and self._cached(url, kind) is None

    def defer(self, url: str, reason: str) -> LinkResult:
        """Record ``url`` as not checked in this run (a budget): it is neither fine nor broken."""
        res = LinkResult(url, deferred=True, detail=reason)
        fut: asyncio.Future[LinkResult] = asyncio.get_running_loop().create_future()
        fut.set_result(res)
        self._checks[url] = fut
        return res

    async def _run(self, url: str, kind: str, *, page: bool) -> tuple[LinkResult, str | None]:
        fut: asyncio.Future[LinkResult] = asyncio.get_running_loop().create_future()
        self._checks[url] = fut
        try:
            cached = None if page else self._cached(url, kind)
            res, html = (cached, None) if cached else await self._evaluate(url, kind, force_get=page)
        except BaseException as exc:  # keep waiters from hanging
            fut.set_exception(exc)
            raise
        fut.set_result(res)
        return res, html

    async def check(self, url: str, kind: str) -> LinkResult:
        """The result of ``url`` in this run (checked once, whoever asks)."""
        fut = self._checks.get(url)
        if fut is not None:
            return await asyncio.shield(fut)
        return (await self._run(url, kind, page=False))[0]

    async def fetch_page(self, url: str) -> tuple[LinkResult, str | None]:
        """GET a page of a monitored site (its result is also the link's result); returns it and its HTML."""
        fut = self._checks.get(url)
        if fut is None:
            return await self._run(url, "page", page=True)
        res = await asyncio.shield(fut)
        if res.error or res.deferred:
            return res, None
        again, html = await self._evaluate(url, "page", force_get=True)  # checked before by another site
        return (res, html) if not again.error else (res, None)

    def results(self) -> dict[str, LinkResult]:
        """Every result of this run so far."""
        return {u: f.result() for u, f in self._checks.items() if f.done() and not f.exception()}

    async def retest(self, kinds: dict[str, str]) -> int:
        """Check every failed URL again after the retest delay (GET, not cached); returns how many were retested.

        A URL that now works becomes ``ok`` (a transient failure is never reported); one that still
        fails stays failed with the newest error. A host whose HEAD said 404 but whose GET works lies:
        it gets GET from then on.
        """
        failed = []
        for u, r in self.results().items():
            if r.state != "broken":
                continue
            if self.known_broken.get(u) == r.error:  # confirmed broken the run before with the same error
                r.attempts = max(r.attempts, 2)
                r.first_error = r.first_error or r.error
            else:
                failed.append(u)
        if not failed:
            return 0
        for attempt in range(self.settings.retests):
            if attempt or self.settings.retest_delay:
                await asyncio.sleep(self.settings.retest_delay)
            still = [u for u in failed if self._checks[u].result().state == "broken"]
            if not still:
                break
            again = await asyncio.gather(*(self._evaluate(u, kinds.get(u, "page"), force_get=True) for u in still))
            for u, (new, _html) in zip(still, again, strict=True):
                old = self._checks[u].result()
                if new.deferred:  # the deadline came first: the failure stays unconfirmed (suspected)
                    continue
                if new.error is None and old.method == "HEAD" and old.error in ("http_404", "http_410"):
                    self.head_unreliable.add(urlsplit(u).netloc.lower())
                new.attempts = old.attempts + 1
                new.first_error = old.first_error or old.error
                new.requests += old.requests
                fut = asyncio.get_running_loop().create_future()
                fut.set_result(new)
                self._checks[u] = fut
        return len(failed)


# -------------------------------------------------------------------------------------------- sites


def _add_ref(scan: SiteScan, link: Link, page: str, on_homepage: bool) -> None:
    ref = scan.refs.get(link.url)
    if ref is None:
        ref = scan.refs[link.url] = LinkRef(link.url, link.kind)
    elif link.kind in ("image", "attachment") and ref.kind not in ("image", "attachment"):
        ref.kind = link.kind
    ref.on_homepage = ref.on_homepage or on_homepage
    if page not in ref.pages:
        ref.pages[page] = link.text
        ref.count += 1


async def _scan_site(checker: LinkChecker, site: SiteSpec, scope: str,
                     crawled: Mapping[str, Iterable[Link]] | None = None, *, read: bool = False) -> SiteScan:
    """Read the site's pages (the homepage; the whole site within budget and depth for ``site``) and gather
    every link they and the pages the crawl read (``crawled``: page -> its stored links) refer to; ``read``:
    the crawl read the homepage fine and stored all its links, it is not fetched again (``homepage`` scope)."""
    scan = SiteScan(site, scope)
    if read and scope == "homepage" and crawled and site.url in crawled:
        for page, links in crawled.items():
            scan.crawled_pages += 1
            for link in links:
                _add_ref(scan, link, page, page == site.url)
        scan.finished_at = dt.datetime.now(dt.UTC)
        return scan
    home, html = await checker.fetch_page(site.url)
    if home.error or html is None:
        scan.status = "failed"
        scan.error = home.error or ("deadline" if home.deferred else "not an HTML page")
        scan.finished_at = dt.datetime.now(dt.UTC)
        return scan
    homepages = {site.url, home.final_url or site.url}
    scan.pages = 1  # pages read
    budget = [1]  # pages scheduled for reading (the site's page budget)
    scheduled: set[str] = set(homepages)
    tasks: set[asyncio.Task[Any]] = set()
    hosts = checker.internal_hosts | {site.host}

    def discover(page_url: str, depth: int, page_html: str, base: str | None) -> None:
        on_home = page_url in homepages
        for link in extract_links(page_html, base or page_url, hosts):
            _add_ref(scan, link, page_url, on_home)
            if link.url in scheduled:
                continue
            scheduled.add(link.url)
            if (scope == "site" and link.kind == "page" and site.contains(link.url) and depth < site.max_depth
                    and budget[0] < site.max_pages):
                budget[0] += 1
                tasks.add(asyncio.ensure_future(crawl(link.url, depth + 1)))

    async def crawl(url: str, depth: int) -> None:
        res, page_html = await checker.fetch_page(url)
        if page_html is not None and not res.error:
            scan.pages += 1
            discover(url, depth, page_html, res.final_url)

    discover(site.url, 0, html, home.final_url)
    while tasks:  # tasks add tasks while we wait: keep one set, never rebind it
        done, _ = await asyncio.wait(list(tasks), return_when=asyncio.FIRST_COMPLETED)
        for t in done:
            tasks.discard(t)
            t.result()
    for page, links in (crawled or {}).items():
        scan.crawled_pages += 1
        for link in links:
            _add_ref(scan, link, page, page in homepages)
    scan.finished_at = dt.datetime.now(dt.UTC)
    return scan


def _budgeted(checker: LinkChecker, scans: list[SiteScan]) -> tuple[list[tuple[str, str]], list[str]]:
    """The links to check now ((url, kind), each once) and those deferred by the per-page and per-host budgets:
    the URLs not checked fine for the longest come first, homepage links before others."""
    settings = checker.settings
    kinds: dict[str, str] = {}
    referrers: dict[str, set[str]] = {}
    on_home: set[str] = set()
    for scan in scans:
        for url, ref in scan.refs.items():
            kinds.setdefault(url, ref.kind)
            referrers.setdefault(url, set()).update(ref.pages)
            if ref.on_homepage:
                on_home.add(url)
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    order = {u: i for i, u in enumerate(kinds)}
    costly = sorted((u for u in kinds if checker.needs_request(u, kinds[u])),
                    key=lambda u: (checker.ok_cache.get(u, never), u not in on_home, order[u]))
    expensive = set(costly)
    free = [(u, kinds[u]) for u in kinds if u not in expensive]  # trusted, or already checked in this run
    per_page: dict[str, int] = {}
    per_host: dict[str, int] = {}
    take: list[tuple[str, str]] = []
    deferred: list[str] = []
    for url in costly:
        host = urlsplit(url).netloc.lower()
        pages = referrers[url]
        open_pages = [p for p in pages if settings.max_links_per_page is None
                      or per_page.get(p, 0) < settings.max_links_per_page]
        if not open_pages or (settings.max_links_per_host is not None
                              and per_host.get(host, 0) >= settings.max_links_per_host):
            deferred.append(url)
            continue
        for p in open_pages:
            per_page[p] = per_page.get(p, 0) + 1
        per_host[host] = per_host.get(host, 0) + 1
        take.append((url, kinds[url]))
    return free + take, deferred


async def check_sites(
    sites: list[SiteSpec],
    settings: CheckerSettings,
    *,
    scope: str | dict[int, str] = "homepage",
    transport: httpx.AsyncBaseTransport | None = None,
    ok_cache: dict[str, dt.datetime] | None = None,
    crawled: Mapping[int, Mapping[str, Iterable[Link]]] | None = None,
    read: set[int] | None = None,
    deadline: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    known_broken: Mapping[str, str] | None = None,
) -> tuple[list[SiteScan], dict[str, LinkResult], LinkChecker]:
    """Scan the sites (``homepage``: the homepage's links; ``site``: the whole site within budget and depth;
    a dict gives each site id its own scope; ``crawled``: per site id, the pages the crawl read with their links;
    ``read``: the sites whose homepage the crawl read fine, with all its links: not fetched again),
    check every unique link once within the budgets and the deadline, re-test the failures; returns the scans,
    the results by URL (deferred links included) and the checker (for its request count); ``progress`` is told
    (links checked, links to check) as the checks finish; ``known_broken``: URLs confirmed broken by the run
    before, with their error (the same failure again needs no re-test)."""
    checker = LinkChecker(settings, transport=transport, ok_cache=ok_cache,
                          internal_hosts={s.host for s in sites}, deadline=deadline, known_broken=known_broken)
    try:
        scopes = scope if isinstance(scope, dict) else {s.site_id: scope for s in sites}
        scans = list(await asyncio.gather(*(
            _scan_site(checker, s, scopes.get(s.site_id, "homepage"), (crawled or {}).get(s.site_id),
                       read=s.site_id in (read or set()))
            for s in sites)))
        todo, deferred = _budgeted(checker, [sc for sc in scans if sc.status == "ok"])
        for url in deferred:
            checker.defer(url, "over the link-check budget of this run: checked in a later run")
        finished = [0]

        async def one(url: str, kind: str) -> None:
            await checker.check(url, kind)
            finished[0] += 1
            if progress:
                progress(finished[0], len(todo))

        await asyncio.gather(*(one(url, kind) for url, kind in todo))
        kinds: dict[str, str] = {}
        for scan in scans:
            for url, ref in scan.refs.items():
                kinds.setdefault(url, ref.kind)
        await checker.retest(kinds)
        return scans, checker.results(), checker
    finally:
        await checker.aclose()

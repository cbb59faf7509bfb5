"""Shared types of the new-media account adapters: refs, posts, observations, the registry and the batch fetcher."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from config.statuses import ACCOUNT_STATUSES, UNUSABLE_ACCOUNT_STATUSES, USABLE_ACCOUNT_STATUSES
from crawler.status import account_status

__all__ = [
    "ADAPTERS",
    "STATUSES",
    "UNUSABLE_STATUSES",
    "USABLE_STATUSES",
    "AccountObservation",
    "AccountRef",
    "Adapter",
    "Post",
    "fetch_accounts",
    "get_adapter",
    "join_url",
    "register",
    "response_url",
]

STATUSES = ACCOUNT_STATUSES
USABLE_STATUSES = USABLE_ACCOUNT_STATUSES
UNUSABLE_STATUSES = UNUSABLE_ACCOUNT_STATUSES


@dataclass(frozen=True)
class AccountRef:
    """Which account to read: the platform name plus its id (uid, WeChat id, sec_uid, token) and/or a url."""

    platform: str
    id: str | None = None
    name: str | None = None
    url: str | None = None
    base_url: str | None = None

    @property
    def key(self) -> str:
        """The stable identity of the account within its platform (the same as the config's ``key``)."""
        return self.id or self.url or self.name or ""


@dataclass(frozen=True)
class Post:
    """One post as the platform listed it; ``published`` is timezone-aware."""

    id: str
    title: str
    published: datetime
    pinned: bool = False
    repost: bool = False
    deleted: bool = False
    url: str | None = None

    def __post_init__(self) -> None:
        if self.published.tzinfo is None or self.published.utcoffset() is None:
            raise ValueError(f"Post.published must be timezone-aware, got {self.published!r}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``published`` in ISO 8601)."""
        return {
            "id": self.id,
            "title": self.title,
            "published": self.published.isoformat(),
            "pinned": self.pinned,
            "repost": self.repost,
            "deleted": self.deleted,
            "url": self.url,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Post:
        """The inverse of :meth:`to_dict`."""
        return cls(
            id=str(data["id"]),
            title=str(data.get("title") or ""),
            published=datetime.fromisoformat(data["published"]),
            pinned=bool(data.get("pinned")),
            repost=bool(data.get("repost")),
            deleted=bool(data.get("deleted")),
            url=data.get("url"),
        )


@dataclass
class AccountObservation:
    """What one fetch of one account saw: a status from ``STATUSES`` and the posts listed (newest page only)."""

    platform: str
    account: str
    status: str
    posts: list[Post]
    error: str | None = None
    display_name: str | None = None
    http_status: int | None = None
    fetched_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}; expected one of {STATUSES}")

    @property
    def usable(self) -> bool:
        """True when the platform answered and was understood (``ok`` or ``empty``)."""
        return self.status in USABLE_STATUSES

    def counted_posts(
        self, *, count_reposts: bool = True, count_pinned: bool = False, count_deleted: bool = False
    ) -> list[Post]:
        """The posts that count as updates under the given catalogue settings."""
        return [
            p
            for p in self.posts
            if (count_reposts or not p.repost)
            and (count_pinned or not p.pinned)
            and (count_deleted or not p.deleted)
        ]

    def latest(
        self, *, count_reposts: bool = True, count_pinned: bool = False, count_deleted: bool = False
    ) -> datetime | None:
        """The newest publication time over all counted posts, or None.

        It is the maximum over the posts, never the first one: a pinned post listed first never hides
        newer ones. A pinned post does not count as new unless ``count_pinned``; a repost counts unless
        ``count_reposts`` is false; a post marked deleted counts only with ``count_deleted``.
        """
        posts = self.counted_posts(
            count_reposts=count_reposts, count_pinned=count_pinned, count_deleted=count_deleted
        )
        return max((p.published for p in posts), default=None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (times in ISO 8601)."""
        return {
            "platform": self.platform,
            "account": self.account,
            "status": self.status,
            "error": self.error,
            "display_name": self.display_name,
            "http_status": self.http_status,
            "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
            "posts": [p.to_dict() for p in self.posts],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AccountObservation:
        """The inverse of :meth:`to_dict`."""
        fetched = data.get("fetched_at")
        return cls(
            platform=data["platform"],
            account=data["account"],
            status=data["status"],
            posts=[Post.from_dict(p) for p in data.get("posts") or []],
            error=data.get("error"),
            display_name=data.get("display_name"),
            http_status=data.get("http_status"),
            fetched_at=datetime.fromisoformat(fetched) if fetched else None,
        )


def response_url(response: httpx.Response) -> str:
    """The URL a response answered (empty when it was built without a request)."""
    try:
        return str(response.url)
    except RuntimeError:
        return ""


def _cookie_header(cookies: str | Mapping[str, str] | None) -> str | None:
    if not cookies:
        return None
    if isinstance(cookies, str):
        return cookies.strip() or None
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


class Adapter:
    """Base class of the platform adapters (one subclass per platform, registered by name).

    Options common to all adapters: ``base_url`` (replaces the platform's host for every account of
    the platform; an account's own ``base_url`` wins), ``timeout`` (seconds per request),
    ``headers`` (extra request headers) and ``cookies`` (a ``Cookie`` header string or a mapping,
    for example a logged-in session; when it is set, a login wall means ``auth_expired`` rather than
    ``blocked``).
    """

    name: ClassVar[str] = ""
    default_base_url: ClassVar[str] = ""
    user_agent: ClassVar[str] = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0 Safari/537.36"
    )

    def __init__(
        self,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: str | Mapping[str, str] | None = None,
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.headers = dict(headers or {})
        self.cookies = _cookie_header(cookies)

    # -- URLs -------------------------------------------------------------------------------
    def base_url_for(self, ref: AccountRef) -> str:
        """The base URL used for ``ref``: the account's, else the adapter's option, else the default."""
        return (ref.base_url or self.base_url or self.default_base_url).rstrip("/")

    def url_for(self, ref: AccountRef, path: str) -> str:
        """``path`` (absolute path with query) on the account's base URL."""
        return self.base_url_for(ref) + "/" + path.lstrip("/")

    def host_key(self, ref: AccountRef) -> str:
        """The host whose concurrency limit the fetch of ``ref`` counts against."""
        return urlsplit(self.base_url_for(ref)).netloc or self.name

    def deadline(self, timeout: float) -> float:
        """Wall-clock limit for one whole fetch (several requests), given the per-request timeout."""
        return timeout * 6

    # -- observations -----------------------------------------------------------------------
    def observation(
        self,
        ref: AccountRef,
        status: str,
        posts: Iterable[Post] = (),
        *,
        now: datetime | None = None,
        error: str | None = None,
        display_name: str | None = None,
        http_status: int | None = None,
    ) -> AccountObservation:
        """Build an observation; ``ok`` without any post becomes ``empty``."""
        post_list = list(posts)
        if status == "ok" and not post_list:
            status = "empty"
        return AccountObservation(
            platform=self.name or ref.platform,
            account=ref.key,
            status=status,
            posts=post_list,
            error=error,
            display_name=display_name,
            http_status=http_status,
            fetched_at=now,
        )

    def http_failure(
        self, ref: AccountRef, response: httpx.Response, *, now: datetime | None, what: str = ""
    ) -> AccountObservation | None:
        """An observation for a non-2xx response (None for 2xx)."""
        status = account_status(response.status_code)
        if status is None:
            return None
        where = f" from {what}" if what else ""
        return self.observation(
            ref,
            status,
            now=now,
            error=f"HTTP {response.status_code}{where}: {response_url(response)}".rstrip(": "),
            http_status=response.status_code,
        )

    def request_headers(self, ref: AccountRef, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """Headers for one request: user agent, Chinese locale, options, cookies, ``extra``."""
        headers = {"User-Agent": self.user_agent, "Accept-Language": "zh-CN,zh;q=0.9"}
        headers.update(self.headers)
        if self.cookies:
            headers["Cookie"] = self.cookies
        headers.update(extra or {})
        return headers

    async def request(
        self,
        client: httpx.AsyncClient,
        method: str,
        url: str,
        ref: AccountRef,
        *,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send one request through ``client`` (never following redirects: adapters look at them)."""
        if self.timeout is not None:
            kwargs.setdefault("timeout", self.timeout)
        return await client.request(
            method, url, headers=self.request_headers(ref, headers), follow_redirects=False, **kwargs
        )

    # -- the interface ------------------------------------------------------------------------
    async def fetch(self, client: httpx.AsyncClient, ref: AccountRef, *, now: datetime) -> AccountObservation:
        """Read ``ref`` through ``client``; never raises for network or HTTP errors.

        ``now`` is the wall-clock time of the fetch (relative times such as ``5分钟前`` are resolved
        against it and it becomes ``fetched_at``), not the monitoring time point.
        """
        try:
            return await self._fetch(client, ref, now=now)
        except httpx.TimeoutException as exc:
            return self.observation(ref, "timeout", now=now, error=f"timeout: {exc!r}")
        except httpx.TooManyRedirects as exc:
            return self.observation(ref, "http_error", now=now, error=f"too many redirects: {exc}")
        except httpx.HTTPError as exc:
            return self.observation(ref, "network_error", now=now, error=f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a bug or an answer nobody foresaw: data, not a crash
            return self.observation(ref, "parse_error", now=now, error=f"{type(exc).__name__}: {exc}")

    async def _fetch(
        self, client: httpx.AsyncClient, ref: AccountRef, *, now: datetime
    ) -> AccountObservation:
        raise NotImplementedError

    def parse(self, ref: AccountRef, *args: Any, now: datetime, **kwargs: Any) -> AccountObservation:
        """Pure: build the observation from recorded responses (see each adapter for its arguments)."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Release what the adapter holds (a browser, for the rendered platforms)."""


A = TypeVar("A", bound=type[Adapter])

ADAPTERS: dict[str, type[Adapter]] = {}


def register(name: str) -> Callable[[A], A]:
    """Class decorator: register an adapter class under a platform name."""

    def decorate(cls: A) -> A:
        cls.name = name
        ADAPTERS[name] = cls
        return cls

    return decorate


def _load_builtin() -> None:
    importlib.import_module("crawler.accounts")


def get_adapter(name: str, **options: Any) -> Adapter:
    """A new instance of the adapter registered as ``name`` (options go to its constructor)."""
    if name not in ADAPTERS:
        _load_builtin()
    try:
        cls = ADAPTERS[name]
    except KeyError:
        raise KeyError(f"no adapter for platform {name!r}; known: {', '.join(sorted(ADAPTERS))}") from None
    return cls(**options)


async def fetch_accounts(
    refs: Sequence[AccountRef],
    *,
    now: datetime,
    client: httpx.AsyncClient | None = None,
    per_host_concurrency: int = 2,
    timeout: float = 15.0,
    adapters: Mapping[str, Adapter] | None = None,
) -> list[AccountObservation]:
    """Fetch every account, at most ``per_host_concurrency`` at a time per host; results in input order.

    ``adapters`` maps platform names to configured adapter instances (cookies, sessions, base URLs,
    the RSS cache); platforms missing from it get a default instance. Every adapter is released
    (``aclose``: browsers closed) at the end; the instances keep their state for the next call.
    An account of an unknown platform yields a ``parse_error`` observation. Never raises for
    platform trouble. ``now`` is the wall-clock fetch time (see :meth:`Adapter.fetch`).
    """
    _load_builtin()
    instances: dict[str, Adapter] = dict(adapters or {})
    own_client = client is None
    http = client or httpx.AsyncClient(timeout=httpx.Timeout(timeout), follow_redirects=False)
    semaphores: dict[str, asyncio.Semaphore] = {}
    lock = asyncio.Lock()

    async def adapter_for(platform: str) -> Adapter | None:
        async with lock:
            adapter = instances.get(platform)
            if adapter is None and platform in ADAPTERS:
                adapter = ADAPTERS[platform](timeout=timeout)
                instances[platform] = adapter
            return adapter

    async def one(ref: AccountRef) -> AccountObservation:
        adapter = await adapter_for(ref.platform)
        if adapter is None:
            return AccountObservation(
                platform=ref.platform,
                account=ref.key,
                status="parse_error",
                posts=[],
                error=f"no adapter for platform {ref.platform!r}; known: {', '.join(sorted(ADAPTERS))}",
                fetched_at=now,
            )
        semaphore = semaphores.setdefault(
            adapter.host_key(ref), asyncio.Semaphore(max(1, per_host_concurrency))
        )
        async with semaphore:
            try:
                return await asyncio.wait_for(adapter.fetch(http, ref, now=now), adapter.deadline(timeout))
            except TimeoutError:
                return adapter.observation(
                    ref, "timeout", now=now, error=f"no answer within {adapter.deadline(timeout):g} s"
                )
            except Exception as exc:
                return adapter.observation(ref, "parse_error", now=now, error=f"{type(exc).__name__}: {exc}")

    try:
        return list(await asyncio.gather(*(one(ref) for ref in refs)))
    finally:
        # Release every adapter used (a browser cannot outlive this event loop anyway); their state
        # (the RSS cache, visitor cookies, options) stays on the instances for the next call.
        for adapter in instances.values():
            try:
                await adapter.aclose()
            except Exception:  # closing must not hide the results
                pass
        if own_client:
            await http.aclose()


def join_url(base: str, url: str) -> str:
    """``url`` resolved against ``base`` (absolute URLs are returned unchanged)."""
    return urljoin(base.rstrip("/") + "/", url)

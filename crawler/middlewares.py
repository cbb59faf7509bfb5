"""Downloader pieces for cheap, polite daily crawls: always-revalidate HTTP cache policy, retries with backoff,
redirects kept to the unit's own and the allowed hosts, AutoThrottle that reads a 304 as a normal answer."""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from config.errors import GovwatchError
from crawler.redirects import RedirectPolicy

__all__ = ["REDIRECT_HOSTS_META", "BackoffRetryMiddleware", "NotModifiedAutoThrottle", "OffsiteRedirect",
           "RedirectGuardMiddleware", "RevalidatePolicy", "SharedRobotsTxtMiddleware"]

#: request meta key: the hosts (crawler/redirects.py entries) a redirect of this request may lead to
REDIRECT_HOSTS_META = "govwatch_redirect_hosts"


class OffsiteRedirect(IgnoreRequest, GovwatchError):
    """A redirect to a host that is neither the unit's nor allowed: not followed (status ``redirect_offsite``)."""


class RedirectGuardMiddleware:
    """Refuses a redirected request (3xx or meta refresh) whose host the original request's policy does not allow.

    It runs first among the downloader middlewares, so nothing (not even robots.txt) is fetched from the
    other host. A request without :data:`REDIRECT_HOSTS_META` is not guarded.
    """

    def process_request(self, request: Request, spider: Any = None) -> None:
        """Raise :class:`OffsiteRedirect` for a redirect to a host outside the request's policy."""
        chain = request.meta.get("redirect_urls")
        hosts = request.meta.get(REDIRECT_HOSTS_META)
        if not chain or hosts is None:
            return None
        if not RedirectPolicy(hosts).with_urls(str(chain[0])).allows(request.url):
            raise OffsiteRedirect(f"redirected from {chain[-1]} to {request.url}, which is neither a host of the "
                                  f"unit nor in crawl.redirect_hosts: not followed")
        return None


class RevalidatePolicy(RFC2616Policy):
    """HTTP cache policy for monitoring: a cached page is never trusted without asking the server.

    Every request carries the stored validators (If-None-Match / If-Modified-Since); a 304 answer replays
    the stored page (so its items are read again), any other answer is used as it is. Only pages with a
    validator are stored: without one a cache entry could never save a download. A server error is never
    hidden behind an old copy.
    """

    def should_cache_response(self, response: Response, request: Request) -> bool:
        """Store a 200 page that has an ETag or Last-Modified (and no ``no-store``)."""
        cc = self._parse_cachecontrol(response)
        if b"no-store" in cc or response.status != 200:
            return False
        return b"ETag" in response.headers or b"Last-Modified" in response.headers

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        """Never fresh: set the validators and revalidate."""
        self._set_conditional_validators(request, cachedresponse)
        return False

    def is_cached_response_valid(self, cachedresponse: Response, response: Response, request: Request) -> bool:
        """The stored page stands only when the server says 304 Not Modified."""
        return response.status == 304


class NotModifiedAutoThrottle(AutoThrottle):
    """Scrapy's AutoThrottle, except that a ``304 Not Modified`` adjusts the delay as a 200 does.

    Scrapy never lowers a host's delay on a non-200 answer (error pages are fast and small); on a quiet day
    nearly every answer is a 304, so one slow answer would keep the host slow for the rest of the crawl.
    """

    def _adjust_delay(self, slot: Any, latency: float, response: Response) -> None:
        if response.status == 304:
            response = response.replace(status=200)
        super()._adjust_delay(slot, latency, response)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries (5xx, timeouts, connection errors) with an exponential pause before each retry.

    ``RETRY_BACKOFF_BASE`` seconds before the first retry, doubling each time, at most ``RETRY_BACKOFF_MAX``.
    The pause is awaited outside the download slot, so other requests to the host go on meanwhile.
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    async def _pause(self, result: Any) -> Any:
        if isinstance(result, Request) and self.backoff_base > 0:
            n = int(result.meta.get("retry_times", 1))
            await asyncio.sleep(min(self.backoff_base * 2 ** (n - 1), self.backoff_max))
        return result

    async def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:  # type: ignore[override]
        """Retry a 5xx answer after the backoff pause."""
        return await self._pause(super().process_response(request, response))

    async def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> Any:  # type: ignore[override]
        """Retry a timeout or connection error after the backoff pause."""
        return await self._pause(super().process_exception(request, exception))


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, made safe for many requests waiting on one host's robots.txt.

    Scrapy 2.19 hands the parsed robots.txt only to the first of several requests that waited for it (the
    others get None and pass unchecked); here a waiter that got None looks the parsed file up again.
    """

    async def robot_parser(self, request: Request) -> Any:
        """The host's parsed robots.txt, or None when it could not be fetched."""
        rp = await super().robot_parser(request)
        if rp is None:
            parsed = self._parsers.get(urlparse_cached(request).netloc)
            if parsed is not None and not isinstance(parsed, Deferred):
                return parsed
        return rp

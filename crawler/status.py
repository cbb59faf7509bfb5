"""The one classification of fetch outcomes: observation statuses, which HTTP answers mean "blocked", and the
status of a request that raised. Pages (spider), links, probes, documents and new-media accounts all read it
from here; the names of the statuses are in config/statuses.py.

``blocked`` means our request was refused (authentication, anti-robot walls, rate limits, legal blocks): it is
never the unit's problem and is never judged as a broken link or an unavailable site.
"""

from __future__ import annotations

import asyncio
import ssl

import httpx

from config.statuses import FETCH_STATUSES

__all__ = [
    "BLOCKED_HTTP",
    "FETCH_STATUSES",
    "account_status",
    "exception_status",
    "is_blocked",
    "link_error",
    "page_status",
]


#: HTTP answers that refuse *our request* rather than report the page: 401 and 407 (authentication), 403
#: (forbidden, WAFs), 418 and 432 (anti-robot walls: 432 is Weibo's), 429 (rate limit), 451 (legal block)
BLOCKED_HTTP = frozenset({401, 403, 407, 418, 429, 432, 451})

#: how a new-media platform's refusal reads more precisely (the rest of BLOCKED_HTTP stays ``blocked``)
_ACCOUNT_REFUSALS = {401: "auth_expired", 407: "auth_expired", 418: "rate_limited", 429: "rate_limited"}


def is_blocked(code: int) -> bool:
    """Whether an HTTP status means our request was refused (see BLOCKED_HTTP)."""
    return code in BLOCKED_HTTP


def page_status(code: int) -> str:
    """Status of a page observation for an HTTP answer that is not a success: ``blocked`` or ``http_error``."""
    return "blocked" if is_blocked(code) else "http_error"


def link_error(code: int) -> str | None:
    """Error class of a link's HTTP answer (None when it is fine): http_404, http_410, http_5xx, blocked, http_4xx."""
    if code < 400:
        return None
    if is_blocked(code):
        return "blocked"
    if code == 404:
        return "http_404"
    if code == 410:
        return "http_410"
    if code >= 500:
        return "http_5xx"
    return "http_4xx"


def account_status(code: int) -> str | None:
    """Status of a new-media observation for an HTTP answer, None for 2xx: the refusals of BLOCKED_HTTP as
    ``auth_expired``, ``rate_limited`` or ``blocked``; 404/410 ``not_found``; anything else ``http_error``."""
    if 200 <= code < 300:
        return None
    if is_blocked(code):
        return _ACCOUNT_REFUSALS.get(code, "blocked")
    if code in (404, 410):
        return "not_found"
    return "http_error"


_DNS_WORDS = ("gaierror", "name or service not known", "nodename nor servname", "getaddrinfo", "name resolution",
              "no address associated", "errno -2", "errno -3", "errno -5", "dnslookup", "dns lookup")
_REFUSED_WORDS = ("connection refused", "errno 111", "connectionrefused")
_TLS_WORDS = ("ssl", "tls", "certificate", "wrong_version_number", "wrong version number")
_TIMEOUT_WORDS = ("timed out", "timeout", "timedout", "took longer than")


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in out and len(out) < 10:
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out


def exception_status(exc: BaseException) -> str:
    """Status of a request that raised (httpx, Twisted or the standard library): timeout, dns, refused, tls or
    network_error, from the exception, its causes and their messages; an exception with a ``fetch_status``
    attribute (``redirect_offsite``) says its own."""
    chain = _chain(exc)
    for e in chain:  # an error that knows its status (crawler/redirects.py: redirect_offsite)
        status = getattr(e, "fetch_status", None)
        if isinstance(status, str):
            return status
    if any(isinstance(e, httpx.TimeoutException | asyncio.TimeoutError | TimeoutError) for e in chain):
        return "timeout"
    for e in chain:
        if isinstance(e, ssl.SSLError | ssl.CertificateError):
            return "tls"
        if isinstance(e, ConnectionRefusedError):
            return "refused"
    text = " ".join(f"{type(e).__name__} {e}" for e in chain).lower()
    for status, words in (("dns", _DNS_WORDS), ("refused", _REFUSED_WORDS), ("tls", _TLS_WORDS),
                          ("timeout", _TIMEOUT_WORDS)):
        if any(w in text for w in words):
            return status
    return "network_error"

"""Classification of failed fetches into observation statuses (timeout, dns, refused, tls, ...)."""

from __future__ import annotations

from typing import Any

__all__ = ["FETCH_STATUSES", "classify_failure", "classify_http"]

FETCH_STATUSES = (
    "ok", "empty", "not_modified", "http_error", "timeout", "dns", "refused", "tls", "too_large",
    "redirect_loop", "blocked", "parse_error", "network_error", "no_browser",
)


def classify_http(status: int) -> str:
    """Status of an observation for an HTTP answer that is not 2xx/304."""
    if status in (401, 403, 429, 451, 418, 432):
        return "blocked"
    return "http_error"


def classify_failure(failure: Any) -> tuple[str, str]:
    """(status, message) for a Twisted failure or exception raised while fetching."""
    exc = getattr(failure, "value", failure)
    name = type(exc).__name__
    text = str(exc) or name
    lowered = f"{name} {text}".lower()
    from scrapy.spidermiddlewares.httperror import HttpError

    if isinstance(exc, HttpError):
        status = exc.response.status
        return classify_http(status), f"HTTP {status}"
    from scrapy import exceptions as sx

    if isinstance(exc, sx.DownloadTimeoutError):
        return "timeout", text
    if isinstance(exc, sx.DownloadCancelledError) and ("max size" in lowered or "maxsize" in lowered):
        return "too_large", text
    if isinstance(exc, sx.IgnoreRequest):
        if "redirect" in lowered:
            return "redirect_loop", text
        if "robots" in lowered:
            return "blocked", text
    if isinstance(exc, sx.CannotResolveHostError):
        return "dns", text
    if isinstance(exc, sx.DownloadConnectionRefusedError):
        return "refused", text
    if "timeout" in lowered or "timedout" in lowered or "took longer than" in lowered:
        return "timeout", text
    if "dnslookup" in lowered or "dns lookup" in lowered or "no address associated" in lowered:
        return "dns", text
    if "connectionrefused" in lowered or "connection refused" in lowered:
        return "refused", text
    if "ssl" in lowered or "tls" in lowered or "certificate" in lowered:
        return "tls", text
    if "maxsize" in lowered or "max size" in lowered or "cancelled" in lowered and "size" in lowered:
        return "too_large", text
    if "redirect" in lowered and ("max" in lowered or "loop" in lowered):
        return "redirect_loop", text
    if "cancellederror" in lowered:
        return "too_large", text
    return "network_error", f"{name}: {text}"

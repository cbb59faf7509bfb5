"""Classification of a failed Scrapy fetch into an observation status (the statuses: crawler/status.py)."""

from __future__ import annotations

from typing import Any

from crawler.status import exception_status, page_status

__all__ = ["classify_failure"]


def classify_failure(failure: Any) -> tuple[str, str]:
    """(status, message) for a Twisted failure or exception raised while fetching."""
    exc = getattr(failure, "value", failure)
    name = type(exc).__name__
    text = str(exc) or name
    lowered = f"{name} {text}".lower()
    from scrapy import exceptions as sx
    from scrapy.spidermiddlewares.httperror import HttpError

    from crawler.middlewares import OffsiteRedirect
    from crawler.redirects import OFFSITE_STATUS

    if isinstance(exc, OffsiteRedirect):
        return OFFSITE_STATUS, text
    if isinstance(exc, HttpError):
        status = exc.response.status
        return page_status(status), f"HTTP {status}"
    if isinstance(exc, sx.DownloadTimeoutError):
        return "timeout", text
    if isinstance(exc, sx.CannotResolveHostError):
        return "dns", text
    if isinstance(exc, sx.DownloadConnectionRefusedError):
        return "refused", text
    if isinstance(exc, sx.IgnoreRequest) and "robots" in lowered:
        return "blocked", text
    if "redirect" in lowered and ("max" in lowered or "loop" in lowered or isinstance(exc, sx.IgnoreRequest)):
        return "redirect_loop", text
    if "maxsize" in lowered or "max size" in lowered or "cancellederror" in lowered or (
            "cancelled" in lowered and "size" in lowered):
        return "too_large", text
    status = exception_status(exc)
    return status, text if status != "network_error" else f"{name}: {text}"

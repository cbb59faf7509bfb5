"""Availability probes (站点可用性): does each site's homepage open completely within the threshold (15 s)?"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from crawler.links import HostGate
from crawler.redirects import OFFSITE_STATUS, RedirectPolicy
from crawler.status import exception_status, page_status

__all__ = ["ProbeResult", "probe_sites"]

_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass
class ProbeResult:
    """One probe of one homepage: ok when it answered 2xx, completely, within the threshold."""

    site_id: int
    url: str
    ok: bool
    status: str  # ok | http_error | blocked | timeout | dns | refused | tls | redirect_loop | redirect_offsite ...
    http_status: int | None = None
    duration_ms: int | None = None
    error: str | None = None
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


async def _probe(client: httpx.AsyncClient, gate: HostGate, site_id: int, url: str, threshold: float,
                 max_redirects: int, policy: RedirectPolicy | None = None) -> ProbeResult:
    at = dt.datetime.now(dt.UTC)

    async def fetch() -> tuple[int, str]:
        current, seen = url, {url}
        for _ in range(max_redirects + 1):
            async with client.stream("GET", current) as resp:
                location = resp.headers.get("location")
                if resp.status_code in _REDIRECTS and location:
                    nxt = urljoin(current, location.strip())
                    if policy is not None and not policy.allows(nxt):
                        return -2, nxt
                    current = nxt
                    if current in seen:
                        return -1, current
                    seen.add(current)
                    continue
                async for _ in resp.aiter_bytes():  # the whole page must arrive within the threshold
                    pass
                return resp.status_code, current
        return -1, current

    async with gate.slot(urlsplit(url).netloc.lower()):
        started = time.monotonic()
        try:
            code, final = await asyncio.wait_for(fetch(), threshold)
        except (TimeoutError, httpx.HTTPError, OSError) as exc:
            ms = int((time.monotonic() - started) * 1000)
            status = exception_status(exc)
            detail = f"{threshold:g} 秒内未打开" if status == "timeout" else f"{type(exc).__name__}: {exc}"[:300]
            return ProbeResult(site_id, url, False, status, None, ms, detail, at)
    ms = int((time.monotonic() - started) * 1000)
    if code == -1:
        return ProbeResult(site_id, url, False, "redirect_loop", None, ms, f"redirect loop at {final}", at)
    if code == -2:
        return ProbeResult(site_id, url, False, OFFSITE_STATUS, None, ms,
                           f"redirected to {final}, which is neither a host of the unit nor allowed: not followed", at)
    if 200 <= code < 300:
        return ProbeResult(site_id, url, True, "ok", code, ms, None, at)
    status = page_status(code)
    return ProbeResult(site_id, url, False, status, code, ms, f"HTTP {code}", at)


async def probe_sites(
    sites: list[tuple[int, str]],
    *,
    threshold: float = 15.0,
    concurrency_per_host: int = 2,
    user_agent: str = "Mozilla/5.0 (compatible; govwatch/0.1; +government website monitoring)",
    max_redirects: int = 10,
    transport: httpx.AsyncBaseTransport | None = None,
    redirect_hosts: dict[int, list[str]] | None = None,
) -> list[ProbeResult]:
    """Probe each ``(site_id, homepage url)`` once, concurrently but politely (per host); results in input order.

    With ``redirect_hosts`` (site id → crawler/redirects.py entries), a redirect to any other host than the
    homepage's own and those is not followed: the probe is ``redirect_offsite`` (never judged).
    """
    gate = HostGate(concurrency_per_host, 0.0)
    async with httpx.AsyncClient(transport=transport, follow_redirects=False, timeout=httpx.Timeout(threshold),
                                 headers={"User-Agent": user_agent}) as client:
        return list(await asyncio.gather(*(
            _probe(client, gate, sid, url, threshold, max_redirects,
                   None if redirect_hosts is None else RedirectPolicy(redirect_hosts.get(sid, [])).with_urls(url))
            for sid, url in sites)))

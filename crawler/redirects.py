"""Where a redirect may lead: the unit's own hosts and the hosts the config allows (``crawl.redirect_hosts``).

A watched page, a link or a probe redirected anywhere else (an unlisted service such as 127.0.0.1:6379, another
company's site) is not followed: it is the fetch status ``redirect_offsite``, shown to the operator and never
judged, so that a page answered by somebody else can neither be counted as fresh nor as a unit's problem.

A host is its lower-case name with the port when the port is not the scheme's default: ``http://a.gov.cn`` and
``https://a.gov.cn`` are one host, ``127.0.0.1:8080`` and ``127.0.0.1:6379`` are two. An allowed entry is a host
(``www.gov.cn``), a host with its port (``127.0.0.1:8080``) or every subdomain of a name (``*.gov.cn``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import httpx

from config.errors import GovwatchError
from config.schema import Config

__all__ = ["OFFSITE_STATUS", "OffsiteRedirectError", "RedirectPolicy", "county_redirect_hosts", "host_key",
           "httpx_guard", "unit_redirect_hosts"]

#: the fetch status of a redirect that leads outside the allowed hosts (crawler/status.py)
OFFSITE_STATUS = "redirect_offsite"

_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_key(url: str) -> str:
    """``host`` or ``host:port`` (a non-default port) of a URL, lower case; ``""`` when it has none."""
    try:
        parts = urlsplit(url.strip())
        name = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return ""
    if not name:
        return ""
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        return name
    return f"{name}:{port}"


def _entry(text: str) -> str:
    text = text.strip().lower()
    if text.startswith("*."):
        return text
    return host_key(text if "//" in text else f"http://{text}")


class RedirectPolicy:
    """The hosts a redirect may lead to; everything else is ``redirect_offsite``."""

    def __init__(self, hosts: Iterable[str] = (), allowed: Iterable[str] = ()) -> None:
        entries = {_entry(h) for h in [*hosts, *allowed] if h and h.strip()}
        self.hosts = frozenset(e for e in entries if e and not e.startswith("*."))
        self.suffixes = tuple(sorted(e[1:] for e in entries if e.startswith("*.")))

    @classmethod
    def of_urls(cls, urls: Iterable[str], allowed: Iterable[str] = ()) -> RedirectPolicy:
        """The hosts of ``urls`` (a unit's site and columns) and the allowed entries."""
        return cls((host_key(u) for u in urls), allowed)

    def with_urls(self, *urls: str) -> RedirectPolicy:
        """This policy plus the hosts of ``urls`` (a link may always redirect on its own host)."""
        extra = {host_key(u) for u in urls} - {""}
        if extra <= self.hosts:
            return self
        out = RedirectPolicy()
        out.hosts, out.suffixes = self.hosts | extra, self.suffixes
        return out

    def allows(self, url: str) -> bool:
        """Whether a redirect to ``url`` may be followed."""
        key = host_key(url)
        if not key:
            return False
        if key in self.hosts:
            return True
        name = key.rsplit(":", 1)[0] if ":" in key and not key.endswith("]") else key
        return any(name.endswith(s) for s in self.suffixes) and key == name

    def entries(self) -> list[str]:
        """Every entry, for passing the policy to the crawler's child process."""
        return sorted(self.hosts) + [f"*{s}" for s in self.suffixes]


def unit_redirect_hosts(config: Config) -> dict[str, list[str]]:
    """Per unit id, where a redirect of its pages may lead: its sites' and columns' hosts and crawl.redirect_hosts."""
    out: dict[str, list[str]] = {}
    for unit in config.units:
        urls = [site.url for site in unit.sites] + [col.url for site in unit.sites for col in site.columns]
        out[unit.id] = RedirectPolicy.of_urls(urls, config.crawl.redirect_hosts).entries()
    return out


def county_redirect_hosts(config: Config) -> list[str]:
    """Every monitored unit's hosts and crawl.redirect_hosts (for fetches shared between units)."""
    return sorted({e for entries in unit_redirect_hosts(config).values() for e in entries}
                  | {e for e in RedirectPolicy((), config.crawl.redirect_hosts).entries()})


class OffsiteRedirectError(httpx.RequestError, GovwatchError):
    """An httpx client with :func:`httpx_guard` was redirected to a host its policy does not allow."""

    fetch_status = OFFSITE_STATUS


def httpx_guard(policy: RedirectPolicy) -> Callable[[httpx.Response], None]:
    """A response hook for an ``httpx.Client(follow_redirects=True)``: a redirect outside ``policy`` raises
    :class:`OffsiteRedirectError` before it is followed."""

    def hook(response: httpx.Response) -> None:
        location = response.headers.get("location")
        if response.has_redirect_location and location:
            try:
                target = str(response.request.url.join(location.strip()))
            except (httpx.InvalidURL, ValueError):
                return  # httpx refuses to follow it anyway
            if not policy.allows(target):
                raise OffsiteRedirectError(f"redirected from {response.request.url} to {target}, which is neither a "
                                           f"host of the unit nor in crawl.redirect_hosts: not followed",
                                           request=response.request)

    return hook

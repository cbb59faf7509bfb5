"""Outlinks of the pages the crawl reads (column list pages, homepages, opened articles), kept in the page snapshot.

The daily link check (govwatch/linkstage.py) checks them without fetching those pages again. A snapshot's
``info["outlinks"]`` maps each page read fresh to its links ``[url, tag, anchor text]`` (at most ``cap`` per
page; ``info["outlinks_cut"]`` gives the full count of a page that was cut); a page replayed from the HTTP
cache (304) is listed in ``info["outlinks_cached"]``: its links are those of the newest snapshot that read it;
a page not requested at all (further list pages reused while page one is unchanged, an article whose date is
known) is listed in ``info["outlinks_carried"]``: its links are carried the same way, but it does not count as a
page read fine today.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from crawler.links import Link, extract_links, link_kind

__all__ = ["DEFAULT_CAP", "carry_outlinks", "merge_snapshot_outlinks", "note_outlinks", "snapshot_links"]

#: links stored per page read
DEFAULT_CAP = 500
_TEXT_CHARS = 60


def note_outlinks(info: dict[str, Any], page_url: str, html: str | None, *, cached: bool,
                  cap: int = DEFAULT_CAP) -> None:
    """Record the links of one page read into a snapshot's ``info`` (or that it came from the cache)."""
    if cached or html is None:
        pages = info.setdefault("outlinks_cached", [])
        if page_url not in pages:
            pages.append(page_url)
        return
    links = extract_links(html, page_url, ())
    info.setdefault("outlinks", {})[page_url] = [[link.url, link.tag, link.text[:_TEXT_CHARS]] for link in links[:cap]]
    if len(links) > cap:
        info.setdefault("outlinks_cut", {})[page_url] = len(links)


def carry_outlinks(info: dict[str, Any], page_url: str) -> None:
    """Name a page the crawl did not request today, so that its links stay in the daily link check."""
    pages = info.setdefault("outlinks_carried", [])
    if page_url not in pages:
        pages.append(page_url)


def snapshot_links(pages: Mapping[str, Iterable[Any]], internal_hosts: Iterable[str]) -> dict[str, list[Link]]:
    """The stored outlinks of pages as :class:`Link` objects, their kind judged against ``internal_hosts``."""
    hosts = {h.lower() for h in internal_hosts}
    out: dict[str, list[Link]] = {}
    for page, rows in pages.items():
        links = []
        for row in rows:
            try:
                url, tag, text = str(row[0]), str(row[1]), str(row[2])
            except (IndexError, TypeError):
                continue  # a malformed entry costs that link only
            links.append(Link(url, link_kind(url, tag, hosts), text, tag))
        out[page] = links
    return out


def merge_snapshot_outlinks(infos: Iterable[Mapping[str, Any]], cut: set[str] | None = None,
                            read_in: dict[str, int] | None = None) -> dict[str, list[Any]]:
    """The pages and stored links of a column from its snapshots' ``info`` (newest first): the pages of the
    newest snapshot that recorded any; a page it replayed from the cache takes the links of the newest
    snapshot that read that page fresh. ``cut`` is given the pages whose stored links were cut at the cap,
    ``read_in`` the position (in ``infos``) of the snapshot each page's links come from."""
    wanted: list[str] | None = None
    found: dict[str, list[Any]] = {}
    missing: set[str] = set()
    for position, info in enumerate(infos):
        fresh = info.get("outlinks") or {}
        cached = [*(info.get("outlinks_cached") or []), *(info.get("outlinks_carried") or [])]
        if wanted is None:
            if not fresh and not cached:
                continue
            wanted = [*fresh, *(p for p in cached if p not in fresh)]
            missing = set(wanted)
        for page in list(missing):
            if page in fresh:
                found[page] = fresh[page]
                missing.discard(page)
                if read_in is not None:
                    read_in[page] = position
                if cut is not None and page in (info.get("outlinks_cut") or {}):
                    cut.add(page)
        if not missing:
            break
    return {p: found[p] for p in (wanted or []) if p in found}

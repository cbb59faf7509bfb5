"""Reading a homepage: every link that shows a date beside it, whatever block it sits in."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urljoin

from parsel import Selector

from crawler.extract import ListItem, date_from_url, parse_date

__all__ = ["homepage_items"]

_SKIP = ("javascript:", "mailto:", "tel:", "#")
_CONTAINERS = {"li", "tr", "dd", "p", "div", "td", "span"}


def homepage_items(html: str, url: str, *, today: dt.date | None = None, limit: int = 500) -> list[ListItem]:
    """Links on a page with a date in their row (or in their URL); a homepage mixes many blocks, so take all."""
    sel = Selector(text=html)
    base = sel.xpath("//base/@href").get() or url
    items: list[ListItem] = []
    seen: set[str] = set()
    for a in sel.xpath("//body//a[@href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIP):
            continue
        link = urljoin(base, href)
        if link in seen:
            continue
        title = " ".join("".join(a.xpath(".//text()").getall()).split()) or (a.attrib.get("title") or "").strip()
        if not title:
            continue
        date = None
        source = None
        node = a
        for _ in range(2):
            parents = node.xpath("..")
            if not parents:
                break
            node = parents[0]
            tag = node.root.tag if isinstance(node.root.tag, str) else ""
            if tag not in _CONTAINERS:
                break
            if len(node.xpath(".//a[@href]")) > 1:
                break  # the container holds other links: its date may be theirs
            text = " ".join("".join(node.xpath(".//text()").getall()).split())
            date = parse_date(text.replace(title, " "), today=today)
            if date:
                source = "list"
                break
        if date is None:
            date = date_from_url(link)
            source = "url" if date else None
        if date is None:
            continue
        seen.add(link)
        items.append(ListItem(title=title, url=link, date=date, date_source=source))
        if len(items) >= limit:
            break
    return items

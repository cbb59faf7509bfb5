"""How a list page's newest date was read: the block chosen, where each date's year came from, and
how sure the read is (``high``, ``medium`` or ``low``; a low read makes a finding only *suspected*)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import lxml.html

from .page import Block, Page

__all__ = ["CONFIDENCE_LABELS", "REASONS", "Reading", "assess", "element_path"]

#: reason code -> (level it lowers the read to, the Chinese text shown to duty staff)
REASONS: dict[str, tuple[str, str]] = {
    "no_list": ("low", "页面上未找到可识别的栏目列表，也没有“暂无信息”等说明"),
    "sidebar": ("low", "只在导航栏或侧栏中找到列表"),
    "few_dated": ("low", "列表中多数条目没有日期"),
    "year_inferred": ("low", "列表只显示月日，最新条目的年份是按监测日期推断的"),
    "url_disagree": ("low", "列表日期与文章链接中的日期多处不一致"),
    "competing_list": ("low", "页面上另有日期更新的列表，不能确定哪一个是本栏目"),
    "commented_list": ("medium", "列表写在页面的注释中（页面本身不显示，可能由脚本另行加载）"),
    "empty_container": ("medium", "列表区域为空，但页面没有“暂无信息”等说明"),
    "article_dates": ("medium", "列表不显示日期，日期取自文章页"),
    "few_items": ("medium", "列表条目很少"),
}
CONFIDENCE_LABELS = {"high": "可靠", "medium": "基本可靠", "low": "不确定"}
_RANK = {"high": 0, "medium": 1, "low": 2}
YEAR_SOURCES = {
    "shown": "页面显示", "relative": "相对日期（今天、昨天……）", "url": "文章链接", "heading": "年份标题", "page": "页面生成时间", "today": "按监测日期推断",
    "article": "文章页", "link": "文章链接（列表无日期）",
}


@dataclass
class Reading:
    """The account of one list page's read, for the checks (confidence) and for ``govwatch explain``."""

    confidence: str = "high"
    reasons: list[str] = field(default_factory=list)
    block: str | None = None
    """Where the list is: a short path of its container (``div.list > ul``)."""
    heading: str | None = None
    blocks: int = 0
    """Candidate blocks of links the page holds."""
    item_years: list[str | None] = field(default_factory=list)
    """Per item of the result (same order): where its date's year came from (see YEAR_SOURCES)."""
    alternative: dict[str, Any] | None = None
    """The competing list, when there is one: its path, item count and newest date."""

    def add(self, reason: str) -> None:
        """Record a reason and lower the confidence to its level."""
        if reason not in self.reasons:
            self.reasons.append(reason)
        level = REASONS[reason][0]
        if _RANK[level] > _RANK[self.confidence]:
            self.confidence = level

    @property
    def doubt(self) -> str:
        """The reasons in Chinese, for the digest and the finding's evidence."""
        return "；".join(REASONS[r][1] for r in self.reasons)

    def to_info(self) -> dict[str, Any]:
        """The JSON kept with the page's observation."""
        out: dict[str, Any] = {"confidence": self.confidence, "reasons": list(self.reasons)}
        if self.reasons:
            out["doubt"] = self.doubt
        if self.block:
            out["block"] = self.block
        if self.heading:
            out["heading"] = self.heading
        years: dict[str, int] = {}
        for y in self.item_years:
            if y:
                years[y] = years.get(y, 0) + 1
        if years:
            out["years"] = dict(sorted(years.items()))
        if self.alternative:
            out["alternative"] = self.alternative
        return out


def element_path(el: lxml.html.HtmlElement, depth: int = 4) -> str:
    """A short CSS-like path of ``el`` and its nearest ancestors (``div#main > div.list > ul``)."""
    parts: list[str] = []
    node: lxml.html.HtmlElement | None = el
    while node is not None and len(parts) < depth and isinstance(node.tag, str) and node.tag not in ("html",):
        part = node.tag
        ident = (node.get("id") or "").split()
        if ident:
            part += "#" + ident[0]
        else:
            part += "".join("." + c for c in (node.get("class") or "").split()[:2])
        parts.append(part)
        if ident or node.tag == "body":
            break
        node = node.getparent()
    return " > ".join(reversed(parts))


def _newest(block: Block, today: datetime.date | None) -> datetime.date | None:
    dates = [r.list_date or r.url_date for r in block.items if (r.list_date or r.url_date)]
    if today is not None:
        dates = [d for d in dates if d <= today]
    return max(dates, default=None)


def _overlaps(a: Block, b: Block) -> bool:
    for x in a.containers:
        for y in b.containers:
            if x is y or x in y.iterancestors() or y in x.iterancestors():
                return True
    return False


def assess(page: Page, items: list, block: Block | None, extractor: str, *, blank_marker: bool,
           empty_container: bool) -> Reading:
    """Judge how sure the read of ``page`` is, from the block the extractor chose and its items."""
    reading = Reading(blocks=len(page.blocks))
    if block is not None:
        reading.block = element_path(block.containers[0])
        reading.heading = page.block_heading(block.containers[0])
    rows = {r.url: r for r in block.items} if block is not None else {}
    reading.item_years = [_year_source(it, rows.get(it.url)) for it in items]
    if extractor == "selectors":
        return reading  # a person pointed at the list: the read is theirs
    if not items:
        if not blank_marker and not page._cache.get("list_found"):
            reading.add("empty_container" if empty_container else "no_list")
        return reading
    if block is not None and block.noisy:
        reading.add("sidebar")
    _judge_dates(reading, items, page.today)
    both = [r for r in rows.values() if r.list_date is not None and r.url_date is not None]
    if len(both) >= 3:
        off = sum(1 for r in both if abs((r.list_date - r.url_date).days) > 31)
        if off * 10 >= len(both) * 3:
            reading.add("url_disagree")
    if block is not None and not page._headed_by_column_name(block.containers[0]):
        _look_for_competitor(reading, page, block)
    return reading


def _year_source(item: Any, row: Any) -> str | None:
    if item.date is None:
        return None
    if item.date_source == "list":
        return row.year_source if row is not None and row.year_source else "shown"
    return "article" if item.date_source == "article" else "link"


def _judge_dates(reading: Reading, items: list, today: datetime.date | None) -> None:
    """Reasons from the dates themselves: too few, or the newest one's year only guessed."""
    dated = [it for it in items if it.date is not None]
    if not dated:
        reading.add("article_dates")  # the crawler opens the newest articles for their dates
        return
    if len(dated) * 2 < len(items):
        reading.add("few_dated")
    if len(items) < 3:
        reading.add("few_items")
    valid = [(it, y) for it, y in zip(items, reading.item_years, strict=True)
             if it.date is not None and (today is None or it.date <= today)]
    if valid:
        newest = max(it.date for it, _ in valid)
        sources = {y for it, y in valid if it.date == newest}
        if sources == {"today"}:
            reading.add("year_inferred")
        if sources <= {"article"}:
            reading.add("article_dates")


def _look_for_competitor(reading: Reading, page: Page, block: Block) -> None:
    """Another main-content list, at least as much the column's (links under its directory) and half
    as long, with newer dates: the read may have taken the wrong list."""
    mine = _newest(block, page.today)
    if mine is None:
        return
    prefix = page.column_prefix

    def affinity(b: Block) -> float:
        return sum(1 for r in b.items if prefix and r.url.startswith(prefix)) / max(len(b.items), 1)

    for other in page.blocks:
        if other is block or other.noisy or _overlaps(other, block):
            continue
        n = other.dated
        if n < 3 or n * 2 < len(other.items) or len(other.items) * 2 < len(block.items):
            continue
        theirs = _newest(other, page.today)
        if theirs is None or theirs <= mine or affinity(other) < affinity(block) or page.foreign_box(other):
            continue
        reading.add("competing_list")
        reading.alternative = {"block": element_path(other.containers[0]), "items": len(other.items),
                               "newest": theirs.isoformat(), "heading": page.block_heading(other.containers[0])}
        return

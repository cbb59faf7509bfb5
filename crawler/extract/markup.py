"""Markup helpers and the row/block value types of list analysis: tags to skip, link and title
cleaning, parsing, and the candidate rows (Row) and sibling blocks (Block) of a list page."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from .dates import (
    collapse_whitespace,
    find_date,
    full_date_text,
    normalize_text,
)
from .model import ListItem

__all__ = ["SKIP_TAGS", "Block", "Row", "absolute_url", "clean_title", "is_followable", "parse_fragment"]


SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "select",
        "option",
        "textarea",
        "iframe",
        "svg",
    }
)
_BAD_HREF = re.compile(r"^\s*(?:javascript:|mailto:|tel:|data:|vbscript:|#|$)", re.I)
_NOISE_TOKEN = re.compile(
    r"^(?:nav|navs|navbar|menu|menus|header|head|top|topbar|footer|foot|bottom|sidebar|side|aside|"
    r"breadcrumb|crumb|crumbs|position|location|weizhi|dqwz|friend|friendlink|yqlj|links|share|hot|"
    r"hotnews|rank|ranking|tuijian|recommend|banner|toolbar|copyright|subnav|leftnav|left-nav|"
    r"lanmu|column-nav|related|xglj)$",
    re.I,
)
_NOISE_TAGS = frozenset({"nav", "header", "footer", "aside"})
_WRAPPER_TAGS = frozenset({"div", "ul", "ol", "table", "form", "dl", "section", "nav", "header", "footer"})
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_PAGER_WORDS = frozenset(
    {
        "首页",
        "上一页",
        "下一页",
        "尾页",
        "末页",
        "上页",
        "下页",
        "最后一页",
        "第一页",
        "前一页",
        "后一页",
        "更多",
        "more",
        "更多>>",
        "更多>",
        ">>",
        "<<",
        ">",
        "<",
        "next",
        "prev",
        "previous",
        "last",
        "first",
        "跳转",
        "go",
        "确定",
        "返回",
        "返回顶部",
        "打印",
        "关闭",
        "关闭窗口",
        "设为首页",
        "加入收藏",
    }
)
_PIN_TEXT = re.compile(r"^\s*[\[【(（]?\s*置顶\s*[\]】)）]?\s*[:：]?\s*")
_LEADING_BULLETS = re.compile(r"^[\s·•●○■□◆◇▪▫►▶>》※★☆\-—*]+")
_TRUNCATED = ("…", "...", "..", "⋯", "……")
_DATE_NOISE = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2})?|发布时间|发布日期|更新时间|发文日期|成文日期|日期|时间|发布|更新|"
    r"[\s\[\]【】()（）:：|,，·\-/.]"
)
_YEAR_MONTH = re.compile(r"^\s*((?:19|20)\d{2})\s*[-./年]\s*(\d{1,2})\s*月?\s*$")
_DAY = re.compile(r"^\s*(\d{1,2})\s*日?\s*$")
_YEAR = re.compile(r"^\s*((?:19|20)\d{2})\s*年?\s*$")
_MONTH_DAY_ONLY = re.compile(r"^\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_MONTH_DAY_HINT = re.compile(r"\d{1,2}\s*[-/.月]\s*\d{1,2}")
_TITLE_SPLIT = re.compile(r"\s*[_|\-—–·:：>＞]+\s*|\s{2,}")
_HEADING_NOISE = re.compile(r"更多|more|[>»＞+＋》\s]", re.I)
_GENERIC_LINK = re.compile(r"^(?:\[|【)?(?:查看)?(?:详情|详细|全文|原文|更多|阅读全文|查看全文|了解更多|点击查看|进入)(?:>>|>|》|\]|】)?$")
_PUB_HEADER = re.compile(r"(?:发布|公开|上网|发稿)(?:日期|时间)")
_PUB_LABEL = re.compile(r"(?:发布|发稿|发表|公开|上网)(?:时间|日期)\s*[:：]?\s*")
# The document's own date (成文日期): a table column or a label beside the publication date.
_WRITTEN_HEADER = re.compile(r"成文(?:日期|时间)|(?:发文|印发|生成)日期")
_WRITTEN_LABEL = re.compile(r"(?:成文(?:日期|时间)|(?:发文|印发|生成)日期)\s*[:：]?\s*")
_SPLIT_DATE_GAP = re.compile(r"(?<=[\d\-/.年月])\s+(?=[\d\-/.年月日])")
_DATE_ATTRS = ("datetime", "title", "data-time", "data-date", "data-pubdate", "data-publishtime", "content")
_MARKER_TAGS = frozenset({"i", "em", "span", "b", "img", "font", "sup", "label", "strong", "s"})
_PIN_CLASS = re.compile(r"^(?:top|istop|is-top|is_top|settop|zhiding|zd|ding|sticky|pinned)$", re.I)
_RELATIVE_WORDS = re.compile(r"今天|今日|昨天|昨日|前天|刚刚|\d+\s*(?:分钟|小时|天)前")
MIN_TITLE = 4
MAX_ROW_ANCHORS = 3


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|(?:width|height)\s*:\s*[01]px", re.I)
_MEDIA_FRAME = re.compile(
    r"player|video|vod|live|map|weather|tianqi|count|stat|share|baidu|qq\.com|\.(?:mp4|flv|pdf|swf)\b", re.I
)
_CHROME_FRAME = re.compile(
    r"(?:^|[\s_\-.])(?:top|head|header|left|menu|nav|foot|footer|bottom|banner|logo|title)(?:frame)?(?:[\s_\-.]|\d|$)",
    re.I,
)
_LOCATION = re.compile(
    r"(?:(?:window|self|top|document)\.)?location(?:\.href)?\s*=\s*['\"]([^'\"]+)['\"]|location\.replace\(\s*['\"]([^'\"]+)['\"]"
)
_JQUERY_LOAD = re.compile(r"\.load\(\s*['\"]([^'\"]+)['\"]")
_SECOND_LEVEL = frozenset({"gov", "com", "net", "org", "edu", "ac"})


def _site(host: str) -> str:
    """The registrable part of a host name: taijiang.gov.cn for www.taijiang.gov.cn."""
    labels = [x for x in host.lower().split(".") if x]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _tiny(value: str | None) -> bool:
    m = re.match(r"\s*(\d+)\s*(?:px)?\s*$", value or "")
    return bool(m) and int(m.group(1)) <= 10


def _year_only(el: lxml.html.HtmlElement) -> int | None:
    """The year when the element's whole text is one (2021, 2021年)."""
    text = el.text_content()
    if len(text) > 20:
        return None
    m = _YEAR.match(normalize_text(text))
    return int(m.group(1)) if m else None


def _nothing_follows(heading: lxml.html.HtmlElement) -> bool:
    """No link in the element right after ``heading`` (nor right after its parent): the area
    under the heading, where the list would be, is empty."""
    for node in (heading, heading.getparent()):
        if node is None:
            return True
        sib = next((s for s in node.itersiblings() if isinstance(s.tag, str) and s.tag not in SKIP_TAGS), None)
        if sib is not None:
            return not any(is_followable(a.get("href")) for a in sib.iter("a"))
    return True


def _row_sized(anchors: list[lxml.html.HtmlElement]) -> bool:
    """Few enough links for one list entry: at most three, or a title link with a handful of short
    ones beside it (附件1, 附件2, 解读, 图解)."""
    hrefs = {a.get("href") for a in anchors}
    if len(hrefs) <= MAX_ROW_ANCHORS:
        return True
    if len(hrefs) > 2 * MAX_ROW_ANCHORS:
        return False
    long_titles = {a.get("href") for a in anchors if len(collapse_whitespace(a.text_content())) >= 8}
    return len(long_titles) == 1


def _header_columns(table: lxml.html.HtmlElement) -> tuple[int | None, int | None] | bool:
    """Indexes of the publication-date column (发布日期/公开日期) and of the document-date column
    (成文日期/发文日期/印发日期/生成日期) named by the table's header row (None for a column it does
    not name); False when the table has no header row."""
    for row in table.iter("tr"):
        cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
        if not cells or any(is_followable(a.get("href")) for a in row.iter("a")):
            continue
        labels = [normalize_text(c.text_content()) for c in cells]
        if not any(c.tag == "th" for c in cells) and not any(("日期" in t or "时间" in t) for t in labels):
            continue
        pub = next((i for i, text in enumerate(labels) if _PUB_HEADER.search(text)), None)
        written = next(
            (i for i, text in enumerate(labels) if i != pub and _WRITTEN_HEADER.search(text) and len(text) <= 12),
            None,
        )
        return pub, written
    return False


def is_followable(href: str | None) -> bool:
    """False for javascript:, mailto:, tel:, fragment-only and empty links."""
    return bool(href) and not _BAD_HREF.match(href or "")


def absolute_url(base: str, href: str) -> str:
    """Join ``href`` (stripped of whitespace and line breaks inside it) to ``base``."""
    href = re.sub(r"[\r\n\t]", "", href.strip())
    try:
        return urljoin(base, href)
    except ValueError:
        return href


def clean_title(text: str) -> str:
    """Whitespace-normalised title without pinned markers or leading bullets."""
    text = collapse_whitespace(text)
    text = _PIN_TEXT.sub("", text)
    text = _LEADING_BULLETS.sub("", text)
    return text.strip()


def parse_fragment(html: str) -> lxml.html.HtmlElement:
    """Parse an HTML document or fragment into a document root (never raises)."""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    data = html.encode("utf-8", errors="replace")
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        root = None
    if root is None:
        root = lxml.html.document_fromstring(b"<html><body></body></html>", parser=parser)
    _inline_written_dates(root)
    _script_links(root)
    return root


_JS_URL = re.compile(
    r"""['"]((?:https?://|/|\./|\.\./)[^'"\s<>()]+|[\w./-]+\.(?:s?html?|jhtml|jsp|aspx?|php|do)(?:\?[^'"\s<>()]*)?)['"]""",
    re.I,
)


def _script_links(root: lxml.html.HtmlElement) -> None:
    """Give a real ``href`` to links that open their page by script (``href="javascript:open('…')"``,
    ``onclick="window.open('…')"``) when the script names the address."""
    for a in root.iter("a"):
        href = a.get("href")
        if is_followable(href):
            continue
        for code in (href or "", a.get("onclick") or ""):
            if not code:
                continue
            m = _JS_URL.search(code)
            if m:
                a.set("href", m.group(1).replace("&amp;", "&"))
                break


def _inline_written_dates(root: lxml.html.HtmlElement) -> None:
    """Replace each inline ``<script>`` of the body that ``document.write``s a date (and no markup
    with links) by a ``<span>`` holding that date, as a browser would show it."""
    body = root.find("body")
    if body is None:
        return
    for script in list(body.iter("script")):
        code = script.text or ""
        if script.get("src") or len(code) > (2000 if "write" in code else 300) or re.search(r"<a\b|href", code, re.I):
            continue
        date = full_date_text(code)
        parent = script.getparent()
        if date is None or parent is None:
            continue
        span = lxml.html.Element("span")
        span.text = date
        span.tail = script.tail
        parent.replace(script, span)


def _is_date_only(text: str, today: datetime.date | None) -> datetime.date | None:
    text = normalize_text(text)
    if not text or len(text) > 40:
        return None
    found = find_date(text, today=today)
    if found is None:
        return None
    d, start, end = found
    rest = _DATE_NOISE.sub("", text[:start] + text[end:])
    return d if not rest else None


def _text_segments(el: lxml.html.HtmlElement, exclude: set | None = None) -> list[str]:
    """Text nodes of ``el`` in document order, skipping scripts and excluded subtrees."""
    out: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        if isinstance(node.tag, str) and node.tag not in SKIP_TAGS and node.text:
            out.append(node.text)
        for child in node:
            if not isinstance(child.tag, str) or child.tag in SKIP_TAGS or (exclude and child in exclude):
                pass
            else:
                walk(child)
            if child.tail:
                out.append(child.tail)

    walk(el)
    return out


def _split_layout_date(segments: list[str]) -> datetime.date | None:
    """A date whose parts sit in separate elements: <span>06</span><em>2021-09</em>, or
    <span>2021</span><span>09-06</span>."""
    found: dict[str, tuple[int, ...]] = {}
    for seg in segments:
        seg = normalize_text(seg)
        for kind, pattern in (("ym", _YEAR_MONTH), ("day", _DAY), ("year", _YEAR), ("md", _MONTH_DAY_ONLY)):
            m = pattern.match(seg)
            if m:
                found.setdefault(kind, tuple(int(g) for g in m.groups()))
                break
    ym, day, year, md = (found.get(k) for k in ("ym", "day", "year", "md"))
    for parts in ((ym and ym[0], ym and ym[1], day and day[0]), (year and year[0], md and md[0], md and md[1])):
        if all(parts):
            try:
                return datetime.date(*parts)
            except ValueError:
                continue
    return None


def _classes(el: lxml.html.HtmlElement) -> list[str]:
    return (el.get("class") or "").split()


@dataclass
class Row:
    """One candidate list entry: the element, its title link and the dates found for it."""

    element: lxml.html.HtmlElement
    title: str
    url: str
    list_date: datetime.date | None
    url_date: datetime.date | None
    pinned: bool
    written: datetime.date | None = None
    """The document's date (成文日期), kept only when the row also names its publication date."""
    year_source: str | None = None
    """Where the visible date's year came from: ``shown`` (written in the row), ``url`` (the row shows
    only month and day; the item URL gives the year), ``heading`` (a 2021年 line above the group),
    ``today`` (inferred from the monitoring day: the least certain)."""

    @cached_property
    def is_item(self) -> bool:
        """Looks like an article entry (not a pager or a short navigation name)."""
        t = self.title
        return (
            len(t) >= MIN_TITLE
            and normalize_text(t).lower() not in _PAGER_WORDS and not re.fullmatch(r"[\d\s\[\]<>»«.]+", t)
        )

    def to_item(self) -> ListItem:
        """The public item, with the visible date preferred over the URL date; the document date
        (成文日期) goes to ``extra["written"]``."""
        if self.list_date is not None:
            extra = {"written": self.written.isoformat()} if self.written is not None else None
            return ListItem(self.title, self.url, self.list_date, "list", self.pinned, extra)
        if self.url_date is not None:
            return ListItem(self.title, self.url, self.url_date, "url", self.pinned)
        return ListItem(self.title, self.url, None, None, self.pinned)


@dataclass
class Block:
    """Sibling rows sharing a parent (or several sibling parents of the same kind)."""

    containers: list[lxml.html.HtmlElement]
    rows: list[Row]
    noisy: bool = False
    order: int = 0

    @cached_property
    def items(self) -> list[Row]:
        """The rows that look like entries, one per article URL (an image link and a title link
        to the same article are one entry; its date, title and pin mark are merged)."""
        by_url: dict[str, int] = {}
        out: list[Row] = []
        for r in self.rows:
            if not r.is_item:
                continue
            i = by_url.get(r.url)
            if i is None:
                by_url[r.url] = len(out)
                out.append(r)
                continue
            first = out[i]
            out[i] = Row(
                first.element,
                first.title if len(first.title) >= len(r.title) else r.title,
                first.url,
                first.list_date or r.list_date,
                first.url_date or r.url_date,
                first.pinned or r.pinned,
                first.written or r.written,
                first.year_source if first.list_date else r.year_source,
            )
        return out

    @cached_property
    def dated(self) -> int:
        """Entries with a visible date."""
        return sum(1 for r in self.items if r.list_date is not None)

    @cached_property
    def url_dated(self) -> int:
        """Entries whose URL carries a date."""
        return sum(1 for r in self.items if r.url_date is not None)

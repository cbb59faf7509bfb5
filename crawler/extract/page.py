"""Parsed list page and the block analysis shared by the list extractors (rows of dated links)."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from .dates import (
    collapse_whitespace,
    date_from_url,
    find_date,
    full_date_text,
    normalize_map,
    normalize_text,
    url_year_month,
)
from .model import ListItem, Selectors

__all__ = ["Block", "Page", "Row", "absolute_url", "clean_title", "is_followable", "parse_fragment"]

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


@dataclass
class Page:
    """A list page being analysed: markup, address, the reference day and optional selectors."""

    html: str
    url: str
    today: datetime.date | None = None
    selectors: Selectors | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    @cached_property
    def root(self) -> lxml.html.HtmlElement:
        """The parsed document."""
        return parse_fragment(self.html)

    @cached_property
    def base_url(self) -> str:
        """The page URL joined with ``<base href>`` when present."""
        for base in self.root.iter("base"):
            href = base.get("href")
            if href and href.strip():
                return absolute_url(self.url, href)
        return self.url

    @cached_property
    def text(self) -> str:
        """Visible text of the body, whitespace-normalised."""
        body = self.root.find("body")
        return normalize_text(" ".join(_text_segments(body if body is not None else self.root)))

    @cached_property
    def column_prefix(self) -> str | None:
        """The page's directory (scheme, host and path up to the last /) unless it is the site root."""
        parts = urlsplit(self.url)
        directory = parts.path[: parts.path.rfind("/") + 1]
        if not parts.netloc or directory in ("", "/"):
            return None
        return f"{parts.scheme}://{parts.netloc}{directory}"

    @cached_property
    def frames(self) -> list[str]:
        """Same-site pages embedded by visible ``<iframe>``/``<frame>`` elements (absolute URLs, in
        order): where a column page shows its list in a frame. Hidden or tiny frames (counters),
        players, maps and other sites are left out."""
        site = _site(urlsplit(self.url).hostname or "")
        out: list[str] = []
        for el in self.root.iter("iframe", "frame"):
            src = (el.get("src") or "").strip()
            if not is_followable(src) or src.lower().startswith("about:"):
                continue
            url = self.absolute(src)
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or (site and _site(parts.hostname or "") != site):
                continue
            if _HIDDEN_STYLE.search(el.get("style") or "") or el.get("hidden") is not None:
                continue
            if any(_tiny(el.get(k)) for k in ("width", "height")):
                continue
            if _MEDIA_FRAME.search(parts.path + "?" + parts.query):
                continue
            if _CHROME_FRAME.search(" ".join((el.get("name") or "", el.get("id") or "", parts.path.rsplit("/", 1)[-1]))):
                continue
            if url not in out and url != self.url:
                out.append(url)
        for target in self._redirects():
            url = self.absolute(target)
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and (not site or _site(parts.hostname or "") == site):
                if url not in out and url.split("#")[0] != self.url.split("#")[0]:
                    out.append(url)
        return out

    def _redirects(self) -> list[str]:
        """Targets of a ``<meta http-equiv=refresh>`` or a script assigning ``location``."""
        found: list[str] = []
        for meta in self.root.iter("meta"):
            if (meta.get("http-equiv") or "").strip().lower() == "refresh":
                m = re.search(r"url\s*=\s*['\"]?([^'\";\s]+)", meta.get("content") or "", re.I)
                if m:
                    found.append(m.group(1))
        for script in self.root.iter("script"):
            if script.get("src"):
                continue
            code = script.text or ""
            m = _LOCATION.search(code)
            if m:
                found.append(m.group(1) or m.group(2))
            # $("#list").load("/tzgg/list_content.html #items"): the fragment holding the list
            found.extend(m.group(1).split()[0] for m in _JQUERY_LOAD.finditer(code) if m.group(1).strip())
        return [u for u in found if is_followable(u)]

    @cached_property
    def column_names(self) -> tuple[str, ...]:
        """Names the column may go by: the parts of the page title (通知公告 in
        通知公告_XX县人民政府, or XX县人民政府-通知公告), the site name left out when it is declared."""
        title = self.root.find(".//title")
        text = normalize_text(title.text_content()) if title is not None else ""
        site = ""
        for meta in self.root.iter("meta"):
            if (meta.get("name") or "").lower() == "sitename":
                site = normalize_text(meta.get("content") or "")
        parts = [p.strip() for p in _TITLE_SPLIT.split(text)]
        return tuple(p for p in parts if 2 <= len(p) <= 20 and p != site)

    def _names_column(self, text: str) -> bool:
        return any(
            text == name or (len(text) >= 4 and text in name) or (name in text and len(text) <= len(name) + 4)
            for name in self.column_names
        )

    def block_heading(self, container: lxml.html.HtmlElement) -> str | None:
        """The nearest short line before ``container`` (or before one of its two nearest
        ancestors), taken as the heading of the box it starts: 热点新闻, 通知公告 ..."""
        memo = self._cache.setdefault("block_heading", {})
        if container not in memo:
            memo[container] = self._find_heading(container)
        return memo[container]

    def _find_heading(self, container: lxml.html.HtmlElement) -> str | None:
        node: lxml.html.HtmlElement | None = container
        for _level in range(3):
            if node is None:
                return None
            for i, sib in enumerate(node.itersiblings(preceding=True)):
                if i >= 2:
                    break
                if not isinstance(sib.tag, str) or sib.tag in SKIP_TAGS or self._self_noisy(sib):
                    continue  # not the breadcrumb (当前位置：首页 > … > 领导分工)
                if sib.tag == node.tag and sib.get("class") == node.get("class"):
                    break  # an earlier entry or box of the same kind, not a heading
                text = _HEADING_NOISE.sub("", normalize_text(sib.text_content()))
                if 2 <= len(text) <= 20:
                    return text
            node = node.getparent()
        return None

    def foreign_box(self, block: Block) -> bool:
        """The block is another column's box: it has its own heading, which is not the column's
        name, none of its entries is filed under the column's directory, and the column's name
        heads some other part of the page with no link after it (the column's own, empty, list)."""
        prefix = self.column_prefix
        if prefix and any(r.url.startswith(prefix) for r in block.items):
            return False
        heading = self.block_heading(block.containers[0])
        if heading is None or self._names_column(heading):
            return False
        return any(
            not any(c is h or c in h.iterancestors() for c in block.containers) and _nothing_follows(h)
            for h in self._column_headings
        )

    @cached_property
    def _column_headings(self) -> list[lxml.html.HtmlElement]:
        """Short, link-free elements of the main content whose text is the column's name."""
        if not self.column_names:
            return []
        body = self.root.find("body")
        out = []
        for el in (body if body is not None else self.root).iter():
            if not isinstance(el.tag, str) or el.tag in SKIP_TAGS or el.tag in ("a", "title", "option"):
                continue
            text = _HEADING_NOISE.sub("", normalize_text(el.text_content()))
            if not (2 <= len(text) <= 20) or self._noisy(el):
                continue
            if any(is_followable(a.get("href")) for a in el.iter("a")):
                continue
            if text in self.column_names:
                out.append(el)
        return out

    def _headed_by_column_name(self, container: lxml.html.HtmlElement) -> bool:
        """A short heading just before ``container`` (or before one of its two nearest ancestors)
        names the column."""
        names = self.column_names
        if not names:
            return False
        memo = self._cache.setdefault("headed", {})
        if container in memo:
            return memo[container]
        heading = self.block_heading(container)
        found = heading is not None and self._names_column(heading)
        memo[container] = found
        return found

    def absolute(self, href: str) -> str:
        """Absolute URL of a link on this page."""
        return absolute_url(self.base_url, href)

    # --- rows and blocks -------------------------------------------------------------------

    def build_row(self, el: lxml.html.HtmlElement, following: list[lxml.html.HtmlElement]) -> Row | None:
        """A row for element ``el`` (its title link and dates), or None when it holds no usable link."""
        if el.tag == "a":
            anchors = [el] if is_followable(el.get("href")) else []
        else:
            anchors = [a for a in el.iter("a") if is_followable(a.get("href"))]
        if not anchors or not _row_sized(anchors):
            return None
        today = self.today
        best: tuple[int, lxml.html.HtmlElement, str, set, datetime.date | None] | None = None
        for a in anchors:
            inner_dates: set = set()
            inner_date: datetime.date | None = None
            for sub in a.iterdescendants():
                if not isinstance(sub.tag, str) or sub.tag in SKIP_TAGS:
                    continue
                d = _is_date_only(sub.text_content(), today)
                if d is not None:
                    inner_dates.add(sub)
                    inner_date = inner_date or d
            text = collapse_whitespace(" ".join(_text_segments(a, inner_dates)))
            attr = collapse_whitespace(a.get("title") or "")
            if not text:
                img = next(iter(a.iter("img")), None)
                text = attr or (collapse_whitespace(img.get("alt") or "") if img is not None else "")
            elif attr and text.endswith(_TRUNCATED):
                text = attr
            title = clean_title(text)
            if best is None or len(title) > best[0]:
                best = (len(title), a, title, inner_dates, inner_date)
        if best is None:
            return None
        _, anchor, title, _inner, inner_date = best
        url = self.absolute(anchor.get("href") or "")
        if _GENERIC_LINK.match(normalize_text(title)) and el is not anchor:
            heading = self._row_heading(el)  # <h3>标题</h3> … <a>查看详情</a>
            if heading:
                title = heading

        # A table column headed 发布日期 wins; then the visible date outside the title link, then
        # inside it, then trailing the title text, then in the following siblings.
        row_tr = el if el.tag == "tr" else None
        if el.tag in ("table", "tbody"):  # one table per record
            row_tr = next((p for p in anchor.iterancestors("tr")), None)
        list_date, written = self._table_column_dates(row_tr) if row_tr is not None else (None, None)
        published = list_date  # a date known to be the publication date (column or label)
        outside = [s for s in _text_segments(el, {anchor}) if s.strip()] if el is not anchor else []
        if el is anchor and el.tail and el.tail.strip():
            outside.append(el.tail)
        if outside and (list_date is None or written is None):
            joined = normalize_text(" ".join(outside))
            published = published or self._labelled_date(joined, _PUB_LABEL)
            written = written or self._labelled_date(joined, _WRITTEN_LABEL)
        if list_date is None:
            list_date = self._date_from_segments(outside, self._attribute_date(el, anchor), el)
        if published is None or published != list_date:
            written = None  # the row names no publication date: its date may be the 成文日期 itself
        if list_date is None and inner_date is not None:
            list_date = inner_date
        if list_date is None:
            norm, index = normalize_map(title)
            found = find_date(norm, today=today)
            if found is not None and found[2] >= len(norm.rstrip(" ]】)）")) - 1 and found[1] > 0:
                list_date = found[0]
                title = clean_title(title[: index[found[1]]].rstrip(" -_|[【(（［〔"))
        if list_date is None and following:
            extra: list[str] = []
            if el is not anchor and el.tail:
                extra.append(el.tail)
            for sib in following:
                if any(is_followable(a.get("href")) for a in sib.iter("a")):
                    break
                if sib.tag not in SKIP_TAGS:
                    extra.extend(_text_segments(sib))
                if sib.tail:
                    extra.append(sib.tail)
            list_date = self._date_from_segments([s for s in extra if s.strip()], None, el)

        pinned = self._pinned(el)
        url_date = date_from_url(url)
        year_source = None
        if list_date is not None:
            list_date, year_source = self._settle_year(el, list_date, url, title)
        return Row(el, title, url, list_date, url_date, pinned, written, year_source)

    def _settle_year(
        self, el: lxml.html.HtmlElement, day: datetime.date, url: str, title: str
    ) -> tuple[datetime.date, str]:
        """The row's date with the year it can best be given, and where that year came from.

        A year written in the row stands. A row showing only month and day (10-19) takes the year of
        its article URL (./201710/t20171019_1.html), the year that puts the date nearest the URL's
        month; then that of a 2021年 heading above the group; else the one inferred from the
        monitoring day (never after it)."""
        text = normalize_text(el.text_content()).replace(normalize_text(title), " ")
        text += " " + " ".join(v for sub in el.iter() if isinstance(sub.tag, str)
                               for k, v in sub.attrib.items()
                               if k in _DATE_ATTRS and len(v) <= 40 and full_date_text(normalize_text(v)))
        if _RELATIVE_WORDS.search(text):
            return day, "relative"
        if str(day.year) in text or re.search(rf"(?<!\d){day.year % 100:02d}[-/.]{day.month:02d}[-/.]", text):
            return day, "shown"
        ym = url_year_month(url)
        if ym is not None:
            anchor = datetime.date(ym[0], ym[1], 15)
            options = []
            for y in (ym[0] - 1, ym[0], ym[0] + 1):
                try:
                    options.append(day.replace(year=y))
                except ValueError:
                    continue
            if options:
                best = min(options, key=lambda d: abs((d - anchor).days))
                if abs((best - anchor).days) <= 62 and (self.today is None or best <= self.today):
                    return best, "url"
        heading = self._year_heading(el)
        if heading is not None and heading == day.year:
            return day, "heading"
        return day, "today"

    @staticmethod
    def _row_heading(el: lxml.html.HtmlElement) -> str | None:
        """The text of the first heading (h1-h5, or an element classed title) inside a row."""
        for sub in el.iter():
            if not isinstance(sub.tag, str) or sub.tag in SKIP_TAGS:
                continue
            cls = (sub.get("class") or "").lower()
            if sub.tag in ("h1", "h2", "h3", "h4", "h5") or "title" in cls or "tit" in cls.split():
                text = clean_title(sub.text_content())
                if len(text) >= MIN_TITLE and not _GENERIC_LINK.match(normalize_text(text)):
                    return text
        return None

    def _labelled_date(self, joined: str, label: re.Pattern[str]) -> datetime.date | None:
        """The date right after a label (发布日期：…, 成文日期：…) in a row's normalised text."""
        for m in label.finditer(joined):
            d = find_date(joined[m.end() : m.end() + 30], today=self.today)
            if d is not None and d[1] <= 1:
                return d[0]
        return None

    def _table_column_dates(self, tr: lxml.html.HtmlElement) -> tuple[datetime.date | None, datetime.date | None]:
        """The dates in the row's publication-date column and document-date (成文日期) column."""
        table = next((p for p in tr.iterancestors("table")), None)
        if table is None:
            return None, None
        cache = self._cache.setdefault("table_cols", {})
        if table not in cache:
            header = _header_columns(table)
            if header is False:
                # No header row of its own: one table per record under a header table above.
                header = None
                for i, sib in enumerate(table.itersiblings(preceding=True)):
                    if i >= 100 or not isinstance(sib.tag, str):
                        break
                    candidate = _header_columns(sib) if sib.tag == "table" else False
                    if candidate is not False:
                        header = candidate
                        break
            cache[table] = header
        columns = cache[table]
        if columns is None:
            return None, None
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        out: list[datetime.date | None] = []
        for index in columns:
            found = None
            if index is not None and index < len(cells):
                found = find_date(normalize_text(cells[index].text_content()), today=self.today)
            out.append(found[0] if found else None)
        return out[0], out[1]

    @staticmethod
    def _attribute_date(el: lxml.html.HtmlElement, anchor: lxml.html.HtmlElement) -> datetime.date | None:
        """A complete date held by an attribute of the row (``<time datetime>``, ``title=`` of a
        date span, ``data-time``); the title link's own attributes are its title, not a date."""
        for sub in el.iter():
            if not isinstance(sub.tag, str) or sub is anchor or sub.tag in SKIP_TAGS:
                continue
            for name in _DATE_ATTRS:
                value = sub.get(name)
                if not value or len(value) > 40:
                    continue
                if name in ("title", "content"):  # a tooltip: only when it is a date and nothing else
                    d = _is_date_only(value, None)
                    if d is not None:
                        return d
                    continue
                found = full_date_text(normalize_text(value))  # 2021-09-06T08:00:00+08:00
                if found is not None:
                    d = find_date(found)
                    if d is not None:
                        return d[0]
        return None

    def _row_today(self, el: lxml.html.HtmlElement | None) -> datetime.date | None:
        """The reference day for a row's year-less dates: the last day of the year named by a
        heading above its group (2021年 / 2020年 sections), else the monitoring day."""
        year = self._year_heading(el) if el is not None else None
        if year is None:
            return self.today
        if self.today is not None and year >= self.today.year:
            return self.today if year == self.today.year else None
        return datetime.date(year, 12, 31)

    def _year_heading(self, el: lxml.html.HtmlElement) -> int | None:
        parent = el.getparent()
        if parent is None:
            return None
        carried = self._carried_years(parent).get(el)
        if carried is not None:
            return carried  # a 2021年 line among the rows themselves
        memo = self._cache.setdefault("year_heading", {})
        node: lxml.html.HtmlElement | None = parent
        for _level in range(2):
            if node is None:
                return None
            if node not in memo:
                memo[node] = self._heading_before(node)
            if memo[node] is not None:
                return memo[node]
            node = node.getparent()
        return None

    def _carried_years(self, parent: lxml.html.HtmlElement) -> dict:
        """child -> the year of the last year-only line before it among its siblings (memoised)."""
        memo = self._cache.setdefault("carried_years", {})
        if parent not in memo:
            years: dict = {}
            year = None
            for child in parent:
                if not isinstance(child.tag, str) or child.tag in SKIP_TAGS:
                    continue
                found = _year_only(child)
                if found is not None:
                    year = found
                elif year is not None:
                    years[child] = year
            memo[parent] = years
        return memo[parent]

    @staticmethod
    def _heading_before(node: lxml.html.HtmlElement) -> int | None:
        """The year of a year-only heading among the three elements before ``node``, unless an
        earlier group of the same kind comes first."""
        seen = 0
        for sib in node.itersiblings(preceding=True):
            if not isinstance(sib.tag, str) or sib.tag in SKIP_TAGS:
                continue
            found = _year_only(sib)
            if found is not None:
                return found
            seen += 1
            if sib.tag == node.tag or seen >= 3:
                return None
        return None

    def _date_from_segments(
        self,
        segments: list[str],
        attr_date: datetime.date | None = None,
        el: lxml.html.HtmlElement | None = None,
    ) -> datetime.date | None:
        if not segments:
            return attr_date
        joined = normalize_text(" ".join(segments))
        # A date labelled as the publication date (发布日期：…) beats 成文日期 and dates in prose.
        for m in _PUB_LABEL.finditer(joined):
            d = find_date(joined[m.end() : m.end() + 30], today=self.today)
            if d is not None and d[1] <= 1:
                return d[0]
        # Then a segment that is nothing but a date ([2021-09-06], 日期：2021-09-06).
        for seg in segments:
            d = _is_date_only(seg, None)
            if d is not None:
                return d
        d = find_date(joined)  # dates with their year first
        if d is None:  # <span>2021</span>-<span>09</span>-<span>06</span>
            d = find_date(_SPLIT_DATE_GAP.sub("", joined))
        if d is not None:
            return d[0]
        # Split layouts: <span>06</span><em>2021-09</em>
        ym = day = year = md = None
        for seg in segments:
            seg = normalize_text(seg)
            m = _YEAR_MONTH.match(seg)
            if m and ym is None:
                ym = (int(m.group(1)), int(m.group(2)))
                continue
            m = _DAY.match(seg)
            if m and day is None:
                day = int(m.group(1))
                continue
            m = _YEAR.match(seg)
            if m and year is None:
                year = int(m.group(1))
                continue
            m = _MONTH_DAY_ONLY.match(seg)
            if m and md is None:
                md = (int(m.group(1)), int(m.group(2)))
        for y, mo, d in ((ym and ym[0], ym and ym[1], day), (year, md and md[0], md and md[1])):
            if y and mo and d:
                try:
                    return datetime.date(y, mo, d)
                except ValueError:
                    continue
        if attr_date is not None:
            return attr_date
        today = self._row_today(el) if el is not None and _MONTH_DAY_HINT.search(joined) else self.today
        if today is not None:
            d = find_date(joined, today=today)
            if d is not None:
                return d[0]
        return None

    @staticmethod
    def _pinned(el: lxml.html.HtmlElement) -> bool:
        for sub in el.iter():
            if not isinstance(sub.tag, str):
                continue
            if any(_PIN_CLASS.match(c) for c in _classes(sub)):
                return True
            if sub.tag in _MARKER_TAGS and any(
                _PIN_CLASS.match(tok) for c in _classes(sub) for tok in _TOKEN_SPLIT.split(c) if tok
            ):
                return True  # <i class="icon-top">, <span class="zd-icon">
            if sub.tag == "img":
                label = (sub.get("alt") or "") + (sub.get("title") or "")
                src = (sub.get("src") or "").lower()
                if "置顶" in label or "zhiding" in src or "/top." in src or src.startswith("top."):
                    return True
        return "置顶" in "".join(_text_segments(el))[:40]

    @staticmethod
    def _self_noisy(node: lxml.html.HtmlElement) -> bool:
        if node.tag in _NOISE_TAGS:
            return True
        tokens = _TOKEN_SPLIT.split((node.get("class") or "") + " " + (node.get("id") or ""))
        return any(_NOISE_TOKEN.match(t) for t in tokens if t)

    @staticmethod
    def _is_wrapper(node: lxml.html.HtmlElement) -> bool:
        """Holds block structure (a page region rather than one list row)."""
        return any(isinstance(d.tag, str) and d.tag in _WRAPPER_TAGS for d in node.iterdescendants())

    def _noisy(self, el: lxml.html.HtmlElement | None) -> bool:
        """``el`` or one of its ancestors is navigation, header, footer or sidebar (memoised)."""
        if el is None or not isinstance(el.tag, str):
            return False
        memo = self._cache.setdefault("noisy", {})
        if el not in memo:
            memo[el] = self._self_noisy(el) or self._noisy(el.getparent())
        return memo[el]

    @cached_property
    def blocks(self) -> list[Block]:
        """All candidate blocks of sibling rows, sibling containers of the same kind merged."""
        root = self.root
        # Count followable anchors per element (to skip containers that are not rows).
        counts: dict = defaultdict(int)
        for a in root.iter("a"):
            if not is_followable(a.get("href")):
                continue
            node = a
            while node is not None:
                counts[node] += 1
                node = node.getparent()
        raw: list[tuple[lxml.html.HtmlElement, str, list[Row]]] = []
        for container in root.iter():
            if (
                not isinstance(container.tag, str)
                or container.tag in SKIP_TAGS
                or counts.get(container, 0) == 0
            ):
                continue
            children = [c for c in container if isinstance(c.tag, str) and c.tag not in SKIP_TAGS]
            by_tag: dict[str, list[Row]] = defaultdict(list)
            for i, child in enumerate(children):
                n = counts.get(child, 0)
                if (
                    n == 0
                    or n > 6
                    or (child.get("class") or child.get("id") or child.tag in _NOISE_TAGS)
                    and (self._self_noisy(child) and self._is_wrapper(child))
                ):
                    continue
                row = self.build_row(child, children[i + 1 :])
                if row is not None:
                    by_tag[child.tag].append(row)
            for tag, rows in by_tag.items():
                raw.append((container, tag, rows))
        groups: dict[tuple, Block] = {}
        order = 0
        blocks: list[Block] = []
        for container, tag, rows in raw:
            blocks.append(Block([container], rows, self._noisy(container), order))
            order += 1
            parent = container.getparent()
            key = (parent, container.tag, container.get("class"), tag)
            if key in groups:
                merged = groups[key]
                merged.containers.append(container)
                merged.rows.extend(rows)
            else:
                groups[key] = Block([container], list(rows), self._noisy(container), order)
                order += 1
        blocks.extend(g for g in groups.values() if len(g.containers) > 1)
        return blocks

    def best_block(self, key: str = "dated", *, noisy: bool = False) -> Block | None:
        """The block with the most entries of the given kind ("dated", "url_dated", "any_dated" or
        "items") among the main-content blocks, or among the noisy ones (navigation, header, footer,
        sidebar) when ``noisy``."""
        memo = self._cache.setdefault("best_block", {})
        if (key, noisy) not in memo:
            memo[key, noisy] = self._best_block(key, noisy)
        return memo[key, noisy]

    def _best_block(self, key: str, noisy: bool) -> Block | None:

        def count(b: Block) -> int:
            if key == "dated":
                return b.dated
            if key == "url_dated":
                return b.url_dated
            if key == "any_dated":
                return sum(1 for r in b.items if r.list_date or r.url_date)
            return len(b.items)

        prefix = self.column_prefix
        best: Block | None = None
        best_key: tuple = ()
        for b in self.blocks:
            if b.noisy != noisy:
                continue
            n = count(b)
            if n == 0 or (key != "items" and n * 2 < len(b.items)):
                continue  # a list carries a date on most of its entries
            # Entries filed under the column's own directory count double: a site-wide "latest"
            # box beside the list links elsewhere.
            affinity = sum(1 for r in b.items if prefix and r.url.startswith(prefix)) if prefix else 0
            # The list headed by the column's own name (the page title's first part) is the column.
            named = self._headed_by_column_name(b.containers[0])
            k = (named, n + min(affinity, n), n / len(b.items), -len(b.containers), len(b.items), -b.order)
            if best is None or k > best_key:
                best, best_key = b, k
        return best

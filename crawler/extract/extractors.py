"""The built-in list extractors: generic, trs, url_date, selectors and script_built."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlsplit

import lxml.html
import parsel

from .dates import collapse_whitespace, date_from_url, normalize_text, parse_date
from .model import ExtractResult, ListItem
from .page import SKIP_TAGS, Block, Page, clean_title, is_followable
from .pagination import find_pagination
from .registry import Extractor, register

__all__ = [
    "GenericExtractor",
    "ScriptBuiltExtractor",
    "SelectorsExtractor",
    "TrsExtractor",
    "UrlDateExtractor",
    "has_blank_marker",
    "has_empty_list",
    "is_script_built",
]

_BLANK_MARKER = re.compile(
    r"暂无(?:信息|数据|内容|记录|相关|文章|新闻|公告|资料|更新|数据记录)|没有(?:记录|信息|数据|内容|相关|找到)|"
    r"无相关(?:信息|记录|数据)|没有符合条件|无符合条件|未(?:查询|检索|搜索)到|未找到(?:相关|符合|任何)|共\s*0\s*条(?:记录|信息|数据)?|共\s*0\s*页|(?:正在|栏目|内容)建设中|查询结果为空|信息正在更新|记录数\s*[:：]?\s*0(?!\d)"
)
_TRS_URL = re.compile(r"/t(?:19|20)\d{6}_\d+\.\w+")
_FILL_SCRIPT = re.compile(
    r"\$\.(?:ajax|get|post|getJSON)\b|\.load\s*\(\s*['\"]|\bfetch\s*\(|XMLHttpRequest|\baxios\b|\.innerHTML\s*[+]?=|"
    r"\.html\s*\(|\.append\s*\(|\btemplate\s*\(|laytpl|artTemplate|\brender\s*\(|new\s+Vue\b|createApp\s*\(",
)
_WRITE_LINK = re.compile(r"document\.write(?:ln)?\s*\([^;]*<a\s[^;]*href", re.I | re.S)
_LIST_TOKEN = re.compile(
    r"^(?:\w*list\w*|news\w*|con|content|data\w*|items?|results?|info\w*|article\w*|wz\w*|lb|xxgk\w*|"
    r"notice\w*|tzgg|gzdt|zwdt|dtxx|records?)$",
    re.I,
)
_PAGERY = re.compile(r"page|pager|fenye|pagination|paging|^fy$", re.I)
_TOKENS = re.compile(r"[\s_\-]+")
_ARTICLE_LIKE_URL = re.compile(r"/(?:col|column|channel|lm)/|(?:/|index\.s?html?|default\.\w+)$", re.I)


def has_blank_marker(page: Page) -> bool:
    """The page says the column is empty (暂无信息, 暂无数据, 没有记录 ...)."""
    if "blank_marker" not in page._cache:
        page._cache["blank_marker"] = bool(_BLANK_MARKER.search(_main_text(page)))
    return page._cache["blank_marker"]


def _main_text(page: Page) -> str:
    """Visible text of the page outside navigation, header, footer and sidebars."""
    body = page.root.find("body")
    if body is None:
        return page.text
    out: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        if node.text:
            out.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and child.tag not in SKIP_TAGS and not Page._self_noisy(child):
                walk(child)
            if child.tail:
                out.append(child.tail)

    walk(body)
    return normalize_text(" ".join(out))


def is_script_built(page: Page) -> bool:
    """The page holds an empty list container that its scripts fill in the browser."""
    html = page.html
    if re.search(r"\{\{\s*[\w.$\[\]]+\s*\}\}", html) and re.search(
        r"\bv-for=|\bng-repeat=|\bx-for=|:href=", html
    ):
        return True
    inline = [s.text or "" for s in page.root.iter("script") if not s.get("src")]
    writes = sum(1 for s in inline if _WRITE_LINK.search(s))
    if writes >= 3:
        return True  # the entries themselves are document.write()n
    if any(el.find("script") is not None for el in _empty_list_containers(page)):
        return True  # the list container holds only the script that writes the entries
    scripts = " ".join(inline)
    template = re.search(r"<script[^>]+type=[\"']text/(?:html|template|x-template)[\"']", html, re.I)
    if not (_FILL_SCRIPT.search(scripts) or template):
        return False
    return has_empty_list(page)


def _undated_block(page: Page) -> Block | None:
    """The block of undated entries that looks like a real article list (not a menu)."""
    best: Block | None = None
    for b in page.blocks:
        if b.noisy:
            continue
        items = b.items
        good = [
            r
            for r in items
            if len(r.title) >= 8 and not _ARTICLE_LIKE_URL.search(urlsplit(r.url).path or "/")
        ]
        if len(good) < 3 or len(good) < 0.6 * len(items) or page.foreign_box(b):
            continue
        if best is None or len(good) > len(best.items):
            best = b
    return best


def _result(name: str, page: Page, block: Block | None) -> ExtractResult:
    page._cache["chosen_block"] = block
    items = [r.to_item() for r in block.items] if block is not None else []
    next_pages, total = find_pagination(page, exclude={it.url for it in items})
    return ExtractResult(name, items, next_pages, total)


def has_empty_list(page: Page) -> bool:
    """The page holds a list container (ul, tbody, div.list ...) with nothing in it."""
    if "empty_list" not in page._cache:
        page._cache["empty_list"] = bool(_empty_list_containers(page))
    return page._cache["empty_list"]


def _empty_list_containers(page: Page) -> list:
    found = []
    for el in page.root.iter("ul", "ol", "tbody", "table", "div", "dl", "section"):
        tokens = [t for t in _TOKENS.split((el.get("id") or "") + " " + (el.get("class") or "")) if t]
        if not any(_LIST_TOKEN.match(t) for t in tokens) or any(_PAGERY.search(t) for t in tokens):
            continue
        if any(isinstance(c.tag, str) and c.tag not in ("script", "style") for c in el):
            continue
        if normalize_text(el.text_content()):
            continue
        found.append(el)
    return found


def _dated_block(page: Page, key: str) -> Block | None:
    """Best main-content block; a navigation/sidebar block only when nothing says the column is empty."""
    memo = page._cache.setdefault("dated_block", {})
    if key not in memo:
        memo[key] = _choose_block(page, key)
    return memo[key]


def _choose_block(page: Page, key: str) -> Block | None:
    block = page.best_block(key)
    if block is not None:
        prefix = page.column_prefix
        if (
            prefix
            and has_blank_marker(page)
            and not any(r.url.startswith(prefix) for r in block.items)
            and not (len(block.items) >= 2 and page._headed_by_column_name(block.containers[0]))
        ):
            return None  # the column says it is empty; these links belong to some other box
        if page.foreign_box(block):
            return None  # 热点新闻 beside an empty 统计数据: not the column's list
        return page.with_headline(block)
    block = page.best_block(key, noisy=True)
    if block is None or has_blank_marker(page) or has_empty_list(page) or page.frames:
        return None  # a sidebar box is no stand-in when the page says why it shows no list
    if page.foreign_box(block):
        return None
    n = block.dated if key == "dated" else block.url_dated if key == "url_dated" else len(block.items)
    return block if n >= 3 else None


@register("generic")
class GenericExtractor(Extractor):
    """Generic list pages: the repeated rows (li, tr, dd, div ...) of the main content that carry a
    date beside each link, in any common format (2021-09-06, 2021/9/6, 2021年9月6日, [09-06] ...).
    Navigation bars, headers, footers and sidebars are ignored; the list headed by the column's own
    name wins over bigger boxes beside it. A 发布日期 label or table column beats 成文日期 and dates
    in summaries; dates written by scripts, held in title=/datetime= attributes, split over spans
    or given a year by a 2021年 heading are read. Items without a visible date fall back to a date
    found in their URL. A page saying 暂无信息/暂无数据 gives no items; a page whose list sits in
    an iframe (or behind a redirect) reports the frame instead."""

    def score(self, page: Page) -> float:
        return 0.6 if _dated_block(page, "dated") is not None else 0.1

    def extract(self, page: Page) -> ExtractResult:
        block = _dated_block(page, "dated")
        if block is None and not has_blank_marker(page):
            block = _dated_block(page, "url_dated") or _undated_block(page)
        return _result(self.name, page, block)


@register("trs")
class TrsExtractor(Extractor):
    """TRS WCM list pages: lists of article links like ./202109/t20210906_1234567.html (the date is
    taken from the list, else from the URL) with paging announced by createPageHTML(total, current,
    "index", "html") or countPage/currentPage variables; further pages are index_1.html ... ."""

    def score(self, page: Page) -> float:
        if re.search(r"createPageHTML\s*\(|\bcountPage\s*=", page.html):
            return 0.9
        block = _dated_block(page, "any_dated")
        if block is None:
            return 0.0
        items = block.items
        trs = sum(1 for r in items if _TRS_URL.search(r.url))
        return 0.9 if items and trs >= max(1, len(items) / 2) else 0.0

    def extract(self, page: Page) -> ExtractResult:
        block = _dated_block(page, "any_dated")
        return _result(self.name, page, block)


@register("url_date")
class UrlDateExtractor(Extractor):
    """Lists that show no date beside their links but whose article URLs carry one
    (/2021/09/06/..., /art/2021/9/6/..., t20210906_..., /20210906/...)."""

    def score(self, page: Page) -> float:
        if _dated_block(page, "dated") is not None:
            return 0.0
        block = _dated_block(page, "url_dated")
        if block is None:
            return 0.0
        return 0.7 if block.url_dated >= max(1, len(block.items) / 2) else 0.0

    def extract(self, page: Page) -> ExtractResult:
        return _result(self.name, page, _dated_block(page, "url_dated"))


def _is_xpath(expr: str) -> bool:
    e = expr.strip()
    return e.startswith(("/", "(", "./", "../")) or e == "."


def _select(sel: parsel.Selector, expr: str, relative: bool) -> parsel.SelectorList:
    expr = expr.strip()
    if _is_xpath(expr):
        if relative and expr.startswith("/"):
            expr = "." + expr
        return sel.xpath(expr)
    return sel.css(expr)


def _sel_text(s: parsel.Selector) -> str:
    if isinstance(s.root, str):
        return s.root
    return s.xpath("string()").get() or ""


def _parse_with_format(text: str, fmt: str, today: datetime.date | None) -> datetime.date | None:
    text = normalize_text(text)
    candidates = [text, text.strip("[]【】()（） ")]
    candidates += [t.strip("[]【】()（） ") for t in text.split()]
    for c in candidates:
        try:
            return datetime.datetime.strptime(c, fmt).date()
        except ValueError:
            continue
    return parse_date(text, today=today)


@register("selectors")
class SelectorsExtractor(Extractor):
    """Configured selectors for one column: ``item`` selects each entry (CSS, or XPath when it
    starts with / or (), ``link`` and ``date`` are relative to the entry (default: the first
    a[href]; no date), ``date_format`` is a strptime format (default: the generic date parser)."""

    def score(self, page: Page) -> float:
        return 1.0 if page.selectors is not None else 0.0

    def extract(self, page: Page) -> ExtractResult:
        sels = page.selectors
        if sels is None:
            raise ValueError("the selectors extractor needs Selectors")
        doc = parsel.Selector(root=page.root)
        items: list[ListItem] = []
        for item in _select(doc, sels.item, relative=False):
            if isinstance(item.root, str):
                continue
            href = None
            title = ""
            if sels.link:
                found = _select(item, sels.link, relative=True)
                if not found:
                    continue
                first = found[0]
                if isinstance(first.root, str):
                    href = first.root
                    anchor = item.css("a[href]")
                    title = _sel_text(anchor[0]) if anchor else ""
                    title_attr = anchor[0].attrib.get("title", "") if anchor else ""
                else:
                    target = first if first.root.tag == "a" else (first.css("a[href]") or [first])[0]
                    href = target.attrib.get("href")
                    title = _sel_text(target)
                    title_attr = target.attrib.get("title", "")
            else:
                anchors = [a for a in item.css("a[href]") if is_followable(a.attrib.get("href"))]
                if not anchors:
                    continue
                href = anchors[0].attrib.get("href")
                title = _sel_text(anchors[0])
                title_attr = anchors[0].attrib.get("title", "")
            if not is_followable(href):
                continue
            title = collapse_whitespace(title)
            if title_attr and (not title or title.endswith(("…", "...", ".."))):
                title = collapse_whitespace(title_attr)
            url = page.absolute(href or "")
            date = None
            source = None
            if sels.date:
                texts = [_sel_text(s) for s in _select(item, sels.date, relative=True)]
                text = " ".join(texts)
                if text.strip():
                    if sels.date_format:
                        date = _parse_with_format(text, sels.date_format, page.today)
                    else:
                        date = parse_date(text, today=page.today)
                if date is not None:
                    source = "list"
            if date is None:
                date = date_from_url(url)
                source = "url" if date is not None else None
            pinned = Page._pinned(item.root)
            items.append(ListItem(clean_title(title), url, date, source, pinned))
        next_pages, total = find_pagination(page, exclude={it.url for it in items})
        return ExtractResult(self.name, items, next_pages, total)


@register("script_built")
class ScriptBuiltExtractor(Extractor):
    """Pages whose list is built in the browser: an empty list container plus a script that fills
    it (ajax, $.get, fetch, innerHTML, templates). Gives no items and sets script_built, so that
    the column is fetched with a browser instead of being reported blank."""

    def score(self, page: Page) -> float:
        if _dated_block(page, "dated") is not None or _dated_block(page, "url_dated") is not None:
            return 0.0
        return 0.8 if is_script_built(page) else 0.0

    def extract(self, page: Page) -> ExtractResult:
        return ExtractResult(self.name, [], [], None, script_built=True)

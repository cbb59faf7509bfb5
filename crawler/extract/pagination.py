"""Discovery of further list pages: TRS createPageHTML, page-count variables and pager links."""

from __future__ import annotations

import re
from itertools import pairwise
from urllib.parse import urlsplit

from .dates import normalize_text
from .page import Page, is_followable

__all__ = ["MAX_PAGES", "find_pagination", "trs_pagination"]

#: Never announce more pages than this from one list page.
MAX_PAGES = 1000

_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^()]*)\)", re.I)
_JS_VAR = r"(?:var|let|const)?\s*{name}\s*=\s*['\"]?(\d+)"
_NEXT_WORDS = {
    "下一页",
    "下页",
    "后页",
    "下一页>",
    "下一页>>",
    "下一页»",
    "next",
    "next>",
    "next»",
    "›",
    "后一页",
}
_LAST_WORDS = {"尾页", "末页", "最后一页", "最后页", "last", "尾页>>", "末页>>"}
_TOTAL_PATTERNS = (
    re.compile(r"共\s*(\d+)\s*页"),
    re.compile(r"页次\s*[:：]?\s*\d+\s*/\s*(\d+)"),
    re.compile(r"(?<![\d/])\d+\s*/\s*(\d+)\s*页"),
    re.compile(r"总页数\s*[:：]?\s*(\d+)"),
)
_CURRENT_PATTERNS = (
    re.compile(r"当前(?:第|页)?\s*[:：]?\s*(\d+)\s*页?"),
    re.compile(r"第\s*(\d+)\s*页\s*/?\s*共"),
    re.compile(r"页次\s*[:：]?\s*(\d+)\s*/"),
    re.compile(r"(?<![\d/])(\d+)\s*/\s*\d+\s*页"),
)
_RECORDS_PER_PAGE = re.compile(r"共\s*(\d+)\s*条(?:记录|信息|数据)?[^。]{0,20}?每页\s*(\d+)\s*条")
_PAGE_PARAM = re.compile(r"(?:page|pageno|pagenum|pageindex|curpage|cpage|pn|p|index|list|_)$", re.I)


def _js_int(html: str, token: str) -> int | None:
    token = token.strip().strip("'\"")
    if token.lstrip("-").isdigit():
        return int(token)
    if not re.fullmatch(r"[A-Za-z_$][\w$]*", token):
        return None
    m = re.search(_JS_VAR.format(name=re.escape(token)), html)
    return int(m.group(1)) if m else None


def _split_args(argtext: str) -> list[str]:
    return [a.strip() for a in argtext.split(",")]


def trs_pagination(page: Page) -> tuple[list[str], int | None] | None:
    """Pages announced by TRS ``createPageHTML`` (or ``countPage``/``currentPage`` variables).

    ``createPageHTML(total, current, "index", "html")``: ``current`` counts from 0 and page n+1 is
    ``index_n.html``. ``createPageHTML('page_div', total, current, 'index', 'html', records)``:
    ``current`` counts from 1 and page n is ``index_n.html``.
    """
    html = page.html
    for m in _CREATE_PAGE.finditer(html):
        args = _split_args(m.group(1))
        if len(args) >= 6 and not args[0].lstrip("-").isdigit() and args[0][:1] in "'\"":
            total, current = _js_int(html, args[1]), _js_int(html, args[2])
            prefix, ext = args[3].strip("'\" "), args[4].strip("'\" ")
            if total is None or not prefix:
                continue
            current = current or 1
            names = [f"{prefix}_{n}.{ext}" for n in range(max(current, 1) + 1, total + 1)]
        elif len(args) >= 4:
            total, current = _js_int(html, args[0]), _js_int(html, args[1])
            prefix, ext = args[2].strip("'\" "), args[3].strip("'\" ")
            if total is None or not prefix or not re.fullmatch(r"[\w.-]+", prefix + ext):
                continue
            current = current or 0
            names = [f"{prefix}_{n}.{ext}" for n in range(current + 1, total)]
        else:
            continue
        names = names[:MAX_PAGES]
        return [page.absolute(n) for n in names], total
    total = _js_int(html, "countPage") if re.search(r"\bcountPage\s*=", html) else None
    if total is not None:
        current = _js_int(html, "currentPage") if re.search(r"\bcurrentPage\s*=", html) else 0
        m = re.search(r"\b(?:prePage|pageName|sPageName)\s*=\s*['\"]([\w.-]+)['\"]", html)
        prefix = m.group(1) if m else "index"
        m = re.search(r"\b(?:pageExt|sPageExt|PageExt)\s*=\s*['\"](\w+)['\"]", html)
        ext = m.group(1) if m else "html"
        names = [f"{prefix}_{n}.{ext}" for n in range((current or 0) + 1, total)][:MAX_PAGES]
        return [page.absolute(n) for n in names], total
    return None


def _first_int(patterns: tuple[re.Pattern[str], ...], text: str) -> int | None:
    for p in patterns:
        m = p.search(text)
        if m:
            return int(m.group(1))
    return None


def _template(url: str, number: int) -> tuple[int, int, int] | None:
    """Locate the digit group of ``url`` that encodes page ``number``: (start, end, offset)."""
    candidates = []
    for m in re.finditer(r"\d+", url):
        value = int(m.group())
        for offset in (0, 1):
            if value == number - offset:
                before = url[: m.start()].rstrip("=/")
                hint = 1 if _PAGE_PARAM.search(before.split("?")[-1].split("&")[-1].split("/")[-1]) else 0
                candidates.append((hint, -offset, m.start(), m.end(), offset))
    if not candidates:
        return None
    hint, _neg, start, end, offset = max(candidates, key=lambda c: (c[0], c[1], c[2]))
    return start, end, offset


def _total_from_last(last_url: str, numbered: dict[int, str], next_url: str | None, current: int) -> int | None:
    """The page count read off the 尾页/末页 link: the number in the place where a known further
    page (a numbered link or 下一页) carries its page number."""
    known = sorted((n, u) for n, u in numbered.items() if n > current)
    if next_url:
        known.append((current + 1, next_url))
    for number, url in known:
        tpl = _template(url, number)
        if tpl is None:
            continue
        start, end, offset = tpl
        head, tail = url[:start], url[end:]
        if last_url.startswith(head) and last_url.endswith(tail):
            middle = last_url[len(head) : len(last_url) - len(tail)]
            if middle.isdigit():
                total = int(middle) + offset
                return total if total > current else None
    return None


def _pager_links(page: Page, exclude: set[str]) -> tuple[dict[int, str], str | None, str | None]:
    """The page's numbered pager links (number -> URL), its 下一页 link and its 尾页 link."""
    current_url = page.url
    host = urlsplit(page.url).netloc
    prefix = page.column_prefix
    numbered: dict[int, str] = {}
    next_url: str | None = None
    last_url: str | None = None
    for a in page.root.iter("a"):
        href = a.get("href")
        if not is_followable(href):
            continue
        url = page.absolute(href or "")
        if url in exclude or urlsplit(url).netloc != host or url == current_url:
            continue
        text = normalize_text(a.text_content()).strip("[]【】 ").lower()
        if re.fullmatch(r"\d{1,4}", text) and not re.fullmatch(r"(?:19|20)\d\d", text):  # not year tabs
            if prefix is None or url.startswith(prefix):  # pages of this list live beside it
                numbered.setdefault(int(text), url)
        elif text in _NEXT_WORDS and next_url is None:
            next_url = url
        elif text in _LAST_WORDS and last_url is None:
            last_url = url
    return numbered, next_url, last_url


def _page_counts(page: Page) -> tuple[int | None, int]:
    """(total pages, current page) as the page's text states them (共5页 / 第1页, 共98条 每页20条)."""
    text = page.text
    total = _first_int(_TOTAL_PATTERNS, text)
    if total is None:
        m = _RECORDS_PER_PAGE.search(text)
        if m and int(m.group(2)) > 0:
            total = -(-int(m.group(1)) // int(m.group(2)))
    return total, _first_int(_CURRENT_PATTERNS, text) or 1


def find_pagination(page: Page, exclude: set[str] | None = None) -> tuple[list[str], int | None]:
    """Further list pages known from this page, in order, and the total page count if shown."""
    trs = trs_pagination(page)
    if trs is not None:
        return trs
    numbered, next_url, last_url = _pager_links(page, exclude or set())
    total, current = _page_counts(page)
    if total is None and last_url is not None:
        total = _total_from_last(last_url, numbered, next_url, current)
    # Bare numbered links are a pager only beside other pager evidence (a next link, a page count,
    # or a run of consecutive numbers).
    if numbered and next_url is None and total is None:
        numbers = sorted(numbered)
        if not any(b == a + 1 for a, b in pairwise(numbers)):
            numbered = {}
    if total is not None and total > current:
        known = sorted((n, u) for n, u in numbered.items() if n > current)
        if not known and next_url:
            known = [(current + 1, next_url)]
        for number, url in known:
            tpl = _template(url, number)
            if tpl is None:
                continue
            start, end, offset = tpl
            pages = [url[:start] + str(n - offset) + url[end:] for n in range(current + 1, total + 1)]
            return pages[:MAX_PAGES], total
    pages = [u for n, u in sorted(numbered.items()) if n > current]
    if not pages and next_url:
        pages = [next_url]
    return pages[:MAX_PAGES], total

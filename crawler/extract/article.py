"""Publication date of an article page: meta tags, labelled header dates, then the URL."""

from __future__ import annotations

import datetime
import re

import lxml.html

from .dates import date_from_url, find_date, normalize_text, parse_date
from .page import SKIP_TAGS, parse_fragment

__all__ = ["article_date", "article_written_date"]

# Meta names/properties that carry the publication time, best first. Generation times such as
# Maketime, "others: 页面生成时间 ..." and last-modified stamps are deliberately absent.
_META_KEYS = (
    "pubdate",
    "publishdate",
    "publish_date",
    "firstpublishedtime",
    "og:release_date",
    "article:published_time",
    "releasedate",
    "dc.date.issued",
)
_ID_CLASS = re.compile(
    r"^(?:pubtime|pub_time|pub-time|pubdate|pub_date|pub-date|publishtime|publish_time|publish-time|"
    r"publishdate|publish-date|releasetime|release-time|fbsj|fbrq|fbtime|info_time|infotime)$",
    re.I,
)
_CJK = r"\u4e00-\u9fff"
# (priority, label): publication labels first, then bare 时间/日期, then document dates.
_LABELS = (
    (
        0,
        re.compile(
            r"(?:发布时间|发布日期|发稿时间|发表时间|发文时间|公开日期|发布于|上传时间|信息时间)\s*[:：]?\s*"
        ),
    ),
    (1, re.compile(rf"(?<![{_CJK}])(?:时间|日期)\s*[:：]\s*")),
    (2, re.compile(r"(?:成文日期|印发日期|发文日期)\s*[:：]?\s*")),
)
_CHROME = re.compile(r"^(?:top|topbar|toolbar|nav|navbar|menu|footer|foot|bottom|copyright)$", re.I)
_JS_PUBTIME = re.compile(r"pub_?time\s*=\s*['\"]([^'\"]{8,30})['\"]", re.I)
_SHORT = 80
_LIST_TAGS = frozenset({"li", "tr", "dd", "dt", "ul", "ol", "table"})
_TOKENS = re.compile(r"[\s_\-]+")
_DATE_TOKENS = frozenset({"date", "time", "datetime", "pubdate", "pubtime", "rq", "sj", "riqi", "shijian", "fbsj", "fbrq"})


def _meta_date(root: lxml.html.HtmlElement) -> datetime.date | None:
    found: dict[str, datetime.date] = {}
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        if key in _META_KEYS and key not in found:
            d = parse_date(meta.get("content") or "")
            if d is not None:
                found[key] = d
    for key in _META_KEYS:
        if key in found:
            return found[key]
    return None


def _in_page_chrome(el: lxml.html.HtmlElement) -> bool:
    """``el`` is, sits in or holds the top bar, navigation or footer of the page."""
    for node in (*el.iterancestors(), *el.iter()):
        if not isinstance(node.tag, str):
            continue
        if node.tag in ("nav", "footer"):
            return True
        tokens = re.split(r"[\s_\-]+", (node.get("class") or "") + " " + (node.get("id") or ""))
        if any(_CHROME.match(t) for t in tokens if t):
            return True
    return False


def _labelled(text: str, label: re.Pattern[str]) -> datetime.date | None:
    for m in label.finditer(text):
        after = text[m.end() : m.end() + 40]
        found = find_date(after)
        if found is not None and found[1] <= 2:
            return found[0]
    return None


def article_date(html: str, url: str) -> datetime.date | None:
    """The publish date of an article page, or None.

    Order: ``<meta name="PubDate">`` and its relatives (publishdate, firstpublishedtime such as
    2007-08-20-23:59:59, og:release_date, article:published_time); an element whose id or class
    names the publish time (``<span id="pubTime">``); a short labelled date in the page
    (发布时间：/发布日期：, then a bare 时间：/日期：, then 成文日期; a date written by an inline
    ``document.write`` counts as shown); a ``pubtime`` script variable; an element outside any list
    whose class names a date or time (``<div class="pages-date">2021-09-29 19:42 来源…``); the date
    in the URL; finally a date leading one of the lines right under the ``<h1>``. Generation times (``Maketime``, 页面生成时间), template attributes
    such as ``alt="时间：…"`` and dates inside the body text are not publication dates.
    """
    root = parse_fragment(html)
    body = root.find("body")
    d = _meta_date(root)
    if d is not None:
        return d
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
            continue
        if _ID_CLASS.match(el.get("id") or "") or any(
            _ID_CLASS.match(c) for c in (el.get("class") or "").split()
        ):
            d = parse_date(normalize_text(el.text_content()))
            if d is not None:
                return d
    best: tuple[int, int, datetime.date] | None = None
    order = 0
    for el in (body if body is not None else root).iter():
        if not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
            continue
        order += 1
        text = normalize_text(el.text_content())
        if not text or len(text) > _SHORT:
            continue
        for priority, label in _LABELS:
            if best is not None and priority >= best[0]:
                break
            if priority == 1 and _in_page_chrome(el):
                continue  # a bare 时间： in the top bar or footer is the clock, not the article
            d = _labelled(text, label)
            if d is not None:
                best = (priority, order, d)
                break
    if best is not None:
        return best[2]
    m = _JS_PUBTIME.search(html)
    if m:
        d = parse_date(m.group(1))
        if d is not None:
            return d
    scope = body if body is not None else root
    d = _date_named_element(scope)
    if d is not None:
        return d
    d = date_from_url(url)
    if d is not None:
        return d
    return _date_under_title(scope)


def article_written_date(html: str, url: str) -> datetime.date | None:
    """The document date (成文日期, also 印发日期/发文日期) an article page shows in its header
    (公开目录 meta table, info line), or None. ``url`` is unused (the same signature as
    :func:`article_date`); the date must follow its label directly."""
    del url
    root = parse_fragment(html)
    body = root.find("body")
    label = _LABELS[2][1]
    for el in (body if body is not None else root).iter():
        if not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
            continue
        text = normalize_text(el.text_content())
        if not text or len(text) > _SHORT or not label.search(text):
            continue
        d = _labelled(text, label)
        if d is not None:
            return d
    return None


def _leading_date(el: lxml.html.HtmlElement) -> datetime.date | None:
    """The date an element's short text starts with (2021-09-06 10:22 来源：…)."""
    text = normalize_text(el.text_content())
    if not text or len(text) > _SHORT:
        return None
    found = find_date(text)
    return found[0] if found is not None and found[1] <= 2 else None


def _date_named_element(scope: lxml.html.HtmlElement) -> datetime.date | None:
    """An element outside any list whose class or id speaks of a date or time
    (``<div class="article-time">``, ``<div class="pages-date">``) and whose text starts with one."""
    # The page's own header (a server-rendered 今天是… clock) comes before the article's <h1>.
    after_title = next(scope.iter("h1"), None) is None
    for el in scope.iter():
        if not after_title:
            after_title = el.tag == "h1"
            continue
        if not isinstance(el.tag, str) or el.tag in SKIP_TAGS or el.tag in _LIST_TAGS:
            continue
        tokens = _TOKENS.split((el.get("class") or "") + " " + (el.get("id") or ""))
        if not any(t.lower() in _DATE_TOKENS for t in tokens if t):
            continue
        if any(a.tag in ("li", "dd", "dt") for a in el.iterancestors()):
            continue  # a related-articles list
        if _in_page_chrome(el):
            continue
        d = _leading_date(el)
        if d is not None:
            return d
    return None


def _date_under_title(scope: lxml.html.HtmlElement) -> datetime.date | None:
    """The date leading one of the short lines right after the article's <h1> (its info line)."""
    title = next(scope.iter("h1"), None)
    if title is None:
        return None
    seen = 0
    for el in title.itersiblings():
        if not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
            continue
        d = _leading_date(el)
        if d is not None:
            return d
        seen += 1
        if seen >= 3:
            break
    return None

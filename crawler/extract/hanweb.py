"""Hanweb JCMS (大汉) lists: records embedded as a <datastore> and paged through dataproxy.jsp."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlsplit

from .model import ExtractResult, ListItem
from .page import Block, Page
from .pagination import MAX_PAGES
from .registry import Extractor, register

__all__ = ["HanwebExtractor", "datastore_records"]

_DATASTORE = re.compile(r"<datastore\b", re.I)
_JPAGE = re.compile(r"\.jpage\s*\(|/module/web/jpage/|dataproxy\.jsp", re.I)
_RECORD = re.compile(r"<record\b[^>]*>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup\b[^>]*>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</nextgroup>", re.S | re.I)
_HREF = re.compile(r"href\s*=\s*[\"']([^\"']+)[\"']", re.I)
_TOTAL_XML = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_TOTAL_JS = re.compile(r"\btotalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
_PER_PAGE = re.compile(r"\bperPage\s*[:=]\s*['\"]?(\d+)", re.I)
_GROUP_SIZE = re.compile(r"\bgroupSize\s*[:=]\s*['\"]?(\d+)", re.I)
_PROXY_URL = re.compile(r"\bproxyUrl\s*:\s*['\"]([^'\"]+)['\"]", re.I)
_PARAM_OBJ = re.compile(r"(?:\bparam_\w*\s*=|\bajaxParam\s*:)\s*\{([^{}]*)\}", re.S)
_KV = re.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([^,}\s]+))")
_DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
_PARAM_ORDER = (
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourceContentType",
    "unitid",
    "webname",
    "permissiontype",
)


def datastore_records(html: str) -> list[str]:
    """The HTML fragments of the ``<record>`` entries of a Hanweb datastore."""
    return [
        (m.group(1) if m.group(1) is not None else m.group(2) or "").strip() for m in _RECORD.finditer(html)
    ]


def _params(html: str) -> tuple[dict[str, str], str | None]:
    params: dict[str, str] = {}
    proxy: str | None = None
    m = _NEXTGROUP.search(html)
    if m:
        inner = m.group(1) if m.group(1) is not None else m.group(2) or ""
        h = _HREF.search(inner)
        if h:
            href = h.group(1).replace("&amp;", "&")
            parts = urlsplit(href)
            proxy = parts.path or None
            for k, v in parse_qsl(parts.query, keep_blank_values=True):
                if k.lower() not in ("page", "startrecord", "endrecord", "perpage"):
                    params.setdefault(k, v)
    for obj in _PARAM_OBJ.finditer(html):
        for kv in _KV.finditer(obj.group(1)):
            value = next(g for g in kv.groups()[1:] if g is not None)
            params[kv.group(1)] = value
    m = _PROXY_URL.search(html)
    if m:
        proxy = m.group(1)
    return params, proxy


def _query(params: dict[str, str]) -> str:
    keys = [k for k in _PARAM_ORDER if k in params] + [k for k in params if k not in _PARAM_ORDER]
    return "&".join(f"{k}={quote(str(params[k]), safe='/:')}" for k in keys)


@register("hanweb")
class HanwebExtractor(Extractor):
    """Hanweb JCMS (大汉) column pages: the items sit in <script type="text/xml"><datastore> records
    (CDATA <li> rows, article URLs /art/2021/9/6/art_..., which carry the date); further records
    are fetched from /module/web/jpage/dataproxy.jsp?startrecord=..&endrecord=..&perpage=.. with
    the page's columnid/unitid/webid. A jpage list whose page embeds no record at all (only the
    jpage script and its param_… object, or an empty recordset with a <nextgroup>) announces the
    first dataproxy batch as its next page. Also reads the dataproxy responses themselves."""

    def score(self, page: Page) -> float:
        html = page.html
        if _DATASTORE.search(html) and ("<record" in html.lower() or "<recordset" in html.lower()):
            return 0.95
        if _JPAGE.search(html) and page.best_block("any_dated") is None:
            # A jpage list with no records in the page: every record comes from dataproxy.jsp.
            params, _proxy = _params(html)
            if any(k.lower() in ("columnid", "unitid") for k in params):
                return 0.65
        return 0.0

    def extract(self, page: Page) -> ExtractResult:
        items: list[ListItem] = []
        rows = []
        for fragment in datastore_records(page.html):
            if re.match(r"<t[rd]\b", fragment, re.I):
                fragment = f"<table>{fragment}</table>"
            sub = Page(f"<html><body><div>{fragment}</div></body></html>", page.url, page.today)
            body = sub.root.find("body")
            holder = body[0] if body is not None and len(body) else None
            if holder is None:
                continue
            row = sub.build_row(holder, [])
            if row is not None and row.title:
                rows.append(row)
                items.append(row.to_item())
        page._cache["list_found"] = bool(_DATASTORE.search(page.html))  # an empty datastore is a sure blank
        body = page.root.find("body")
        page._cache["chosen_block"] = Block([body if body is not None else page.root], rows)
        next_pages, total_pages = self._paging(page, len(items))
        return ExtractResult(self.name, items, next_pages, total_pages)

    def _paging(self, page: Page, n_records: int) -> tuple[list[str], int | None]:
        html = page.html
        m = _TOTAL_XML.search(html) or _TOTAL_JS.search(html)
        total = int(m.group(1)) if m else None
        parts = urlsplit(page.url)
        own = {k.lower(): v for k, v in parse_qsl(parts.query)}
        m = _PER_PAGE.search(html)
        per_page = int(m.group(1)) if m else int(own.get("perpage") or 15)
        per_page = max(per_page, 1)
        m = _GROUP_SIZE.search(html)
        group = max(int(m.group(1)) if m else 3, 1)
        params, proxy = _params(html)
        if "dataproxy" in parts.path.lower() and "startrecord" in own:
            # A dataproxy response: continue after the range it answered.
            start = int(own["startrecord"])
            end = int(own.get("endrecord") or start + per_page * group - 1)
            batch = max(end - start + 1, 1)
            base = parts._replace(query="", fragment="").geturl()
            kept = {
                k: v
                for k, v in parse_qsl(parts.query, keep_blank_values=True)
                if k.lower() not in ("startrecord", "endrecord", "perpage")
            }
            params = kept | params
            first = end + 1
            # Without a total, a full batch means there may be more.
            limit = total if total is not None else (first if n_records >= batch else 0)
        else:
            batch = per_page * group
            first = n_records + 1
            base = page.absolute(proxy or _DEFAULT_PROXY)
            limit = total
            if total is None:
                if n_records or not any(k.lower() in ("columnid", "unitid") for k in params):
                    return [], None
                limit = 1  # no record and no count in the page: ask dataproxy for the first batch
        extra = _query(params)
        urls: list[str] = []
        start = first
        while start <= limit and len(urls) < MAX_PAGES:
            end = start + batch - 1
            query = f"startrecord={start}&endrecord={end}&perpage={per_page}"
            urls.append(f"{base}?{query}" + (f"&{extra}" if extra else ""))
            start = end + 1
        total_pages = max(1, -(-total // per_page)) if total is not None else None
        return urls, total_pages

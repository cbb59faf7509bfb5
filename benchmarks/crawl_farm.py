"""A local farm of county sites in every CMS family (TRS, Hanweb, generic, URL-dated, article-dated, JS-built).

Used by the crawler tests (small farms) and by ``benchmarks/crawl_bench.py`` (county- and province-sized
farms). Every host is its own loopback address (127.0.0.x), so per-host politeness applies as on the real
web: the units of a county portal share one host. Pages are generated on request from the farm model;
answers carry ETag/Last-Modified and honour conditional requests; every request is logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import random
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

from govwatch.loopback import LoopbackServer, Reply, Request

__all__ = [
    "FAMILIES",
    "Farm",
    "FarmColumn",
    "FarmServer",
    "FarmSite",
    "FarmUnit",
    "LoggedRequest",
    "build_farm",
]

FAMILIES = (
    "trs", "trs_urlonly", "hanweb", "generic_dash", "generic_slash", "generic_dot", "generic_cn",
    "generic_bracket", "generic_cell", "article", "js",
)

COLUMN_NAMES = [
    ("gzdt", "工作动态", True), ("tzgg", "通知公告", True), ("zcwj", "政策文件", True), ("zcjd", "政策解读", False),
    ("rsxx", "人事信息", False), ("ghjh", "规划计划", False), ("czyjs", "财政预决算", False),
    ("tjsj", "统计数据", False), ("bszn", "办事指南", False), ("ldxx", "领导信箱", False),
    ("ztzl", "专题专栏", False), ("xxgk", "政务信息", False),
]


@dataclass
class FarmColumn:
    """A column; ``ages`` are item dates in days before as_of, newest first (None: no date anywhere)."""

    slug: str
    name: str
    family: str
    ages: list[int | None]
    top_level: bool = False
    pinned_age: int | None = None
    per_page: int = 10
    encoding: str = "utf-8"
    category: str | None = None
    cid: int = 0
    """A number unique in the farm (Hanweb column ids, article ids)."""
    deep: bool = False
    """Page one holds only the pinned item: the dated list starts on page two."""

    def newest(self, as_of: dt.date) -> dt.date | None:
        """The newest date a careful reader finds (pinned items included, undated ones never)."""
        ages = [a for a in self.ages if a is not None]
        if self.pinned_age is not None:
            ages.append(self.pinned_age)
        return as_of - dt.timedelta(days=min(ages)) if ages else None


@dataclass
class FarmSite:
    """A unit's site: a section ``prefix`` of a host (the portal) or a host of its own."""

    host: str
    prefix: str
    columns: list[FarmColumn]


@dataclass
class FarmUnit:
    """A unit of the farm."""

    id: str
    name: str
    kind: str
    site: FarmSite


@dataclass
class Farm:
    """The whole farm; tests may change it between crawls."""

    county: str
    as_of: dt.date
    units: list[FarmUnit]
    hostile: bool = False
    delay: float = 0.0
    """Seconds every page takes to answer (to show politeness at work)."""
    robots: dict[str, str] = field(default_factory=dict)
    """robots.txt text by host address (none: 404)."""
    faults: dict[str, list[int]] = field(default_factory=dict)
    """Statuses a path answers (one per request, consumed) before it answers normally again."""

    def columns(self) -> list[tuple[FarmUnit, FarmColumn]]:
        """Every (unit, column) pair."""
        return [(u, c) for u in self.units for c in u.site.columns]

    def hosts(self) -> list[str]:
        """Every host address the farm serves."""
        out = sorted({u.site.host for u in self.units})
        if self.hostile and "127.0.0.1" not in out:
            out.append("127.0.0.1")
        return out


def build_farm(
    units: int = 40,
    columns_per_unit: int = 12,
    *,
    as_of: dt.date = dt.date(2021, 11, 30),
    portal_share: float = 0.75,
    families: tuple[str, ...] = FAMILIES,
    counties: int = 1,
    seed: int = 7,
    deep_pages: bool = True,
) -> Farm:
    """A farm of ``counties`` counties with ``units`` units each; most units sit on their county's portal host.

    Columns cycle through ``families``; some have pinned old items, some are blank, some need a second page.
    """
    rng = random.Random(seed)
    out: list[FarmUnit] = []
    cid = 1000
    for k in range(counties):
        portal = f"127.0.{k + 1}.1"
        n_portal = round(units * portal_share)
        for i in range(units):
            uid = f"c{k}u{i:02d}"
            on_portal = i < n_portal
            host = portal if on_portal else f"127.0.{k + 1}.{i - n_portal + 2}"
            prefix = f"/bm/{uid}/" if on_portal else "/"
            cols: list[FarmColumn] = []
            for j in range(columns_per_unit):
                slug, name, top = COLUMN_NAMES[j % len(COLUMN_NAMES)]
                if j >= len(COLUMN_NAMES):
                    slug, name = f"{slug}{j}", f"{name}{j // len(COLUMN_NAMES) + 1}"
                family = families[(i * columns_per_unit + j) % len(families)]
                n = rng.choice((0, 3, 8, 15, 25)) if j % 9 == 8 else rng.choice((3, 8, 15, 25))
                span = 330 if family == "generic_bracket" else 700  # 【MM-DD】 shows no year: keep within one
                ages: list[int | None] = sorted(rng.sample(range(0, span), n))
                if family == "trs_urlonly" and n == 0:
                    ages = [5]
                pinned = None
                if j % 5 == 1 and ages and family != "generic_bracket":
                    pinned = 800 + rng.randrange(100)  # an old pinned item comes first
                deep = deep_pages and j % 7 == 3 and bool(ages) and family not in ("article", "js", "generic_bracket")
                if deep:
                    pinned = 900  # page one holds only the pinned item: the dates are on page two
                cid += 1
                encoding = "gbk" if (i + j) % 4 == 0 and family not in ("js", "hanweb") else "utf-8"
                cols.append(FarmColumn(slug, name, family, ages, top, pinned, 10, encoding, cid=cid, deep=deep))
            out.append(FarmUnit(uid, f"第{k + 1}县单位{i + 1}", "department", FarmSite(host, prefix, cols)))
    return Farm("农场县", as_of, out)


@dataclass
class LoggedRequest:
    """One request the farm answered."""

    host: str
    method: str
    path: str
    status: int
    size: int
    conditional: bool


def _fmt(d: dt.date, style: str) -> str:
    return {
        "dash": d.isoformat(),
        "slash": f"{d.year}/{d.month}/{d.day}",
        "dot": d.strftime("%Y.%m.%d"),
        "cn": f"{d.year}年{d.month}月{d.day}日",
        "bracket": f"【{d.month:02d}-{d.day:02d}】",
        "cell": d.isoformat(),
    }[style]


def _page(title: str, body: str, nav: str = "", charset: str = "utf-8", head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset=\"{charset}\"><title>{html.escape(title)}</title>{head}</head>"
        f"<body><div class=\"nav\"><ul>{nav}</ul></div><div class=\"main\">{body}</div>"
        "<div class=\"footer\">主办单位：农场县人民政府办公室 备案号：黔ICP备00000000号</div></body></html>"
    )


class FarmServer:
    """Serves a Farm on its loopback hosts (govwatch/loopback.py: one port for all when possible)."""

    def __init__(self, farm: Farm) -> None:
        self.farm = farm
        self.log: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = LoopbackServer(self._answer, farm.hosts(), http11=True, queue_size=256)
        self.inflight, self.max_inflight = self._server.inflight, self._server.max_inflight

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def max_total_inflight(self) -> int:
        """The most requests in flight at once over all hosts."""
        return self._server.max_total_inflight

    def start(self) -> FarmServer:
        """Bind every host (on one port when possible) and serve in background threads."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving (slow answers are cut short)."""
        self._stop.set()
        self._server.stop()

    def __enter__(self) -> FarmServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------------------------
    def base(self, host: str) -> str:
        """``http://host:port``."""
        return self._server.base(host)

    def site_url(self, unit: FarmUnit) -> str:
        """A unit's homepage."""
        return f"{self.base(unit.site.host)}{unit.site.prefix}"

    def column_url(self, unit: FarmUnit, col: FarmColumn) -> str:
        """A column's first list page."""
        return f"{self.site_url(unit)}{col.slug}/index.html"

    def hostile_url(self, name: str) -> str:
        """A hostile page on the portal host (farm built with hostile=True)."""
        return f"{self.base('127.0.0.1')}/hostile/{name}"

    def config_data(self, *, with_columns: bool = True, crawl: dict[str, Any] | None = None) -> dict[str, Any]:
        """A govwatch configuration (YAML-shaped) of the farm."""
        units = []
        for u in self.farm.units:
            site: dict[str, Any] = {"url": self.site_url(u)}
            if with_columns:
                site["columns"] = [
                    {"name": c.name, "url": self.column_url(u, c), "top_level": c.top_level}
                    for c in u.site.columns
                ]
            units.append({"id": u.id, "name": u.name, "kind": u.kind, "sites": [site]})
        return {
            "county": self.farm.county,
            "units": units,
            "crawl": crawl if crawl is not None else {"delay": 0, "concurrency_per_host": 8, "retries": 0,
                                                      "timeout": 10, "autothrottle": False},
        }

    # -- request log ---------------------------------------------------------------------------
    def full_downloads(self) -> int:
        """Requests answered with a full 200 body."""
        with self._lock:
            return sum(1 for r in self.log if r.status == 200)

    def clear_log(self) -> None:
        """Forget the requests seen so far."""
        with self._lock:
            self.log.clear()

    def _logged(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.log.append(entry)

    # -- pages ---------------------------------------------------------------------------------
    def render(self, host: str, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        """The status, headers and body of one path of one host."""
        farm = self.farm
        if path == "/robots.txt":
            if host in farm.robots:
                return 200, {"Content-Type": "text/plain"}, farm.robots[host].encode()
            return 404, {"Content-Type": "text/plain"}, b"not found"
        if path == "/module/web/jpage/dataproxy.jsp":
            return self._dataproxy(query)
        if path.startswith("/art/"):
            return self._html("<html><body><h1>文章</h1><p>正文。</p></body></html>")
        for u in farm.units:
            s = u.site
            if s.host != host or not path.startswith(s.prefix):
                continue
            rest = path[len(s.prefix):]
            if rest in ("", "index.html"):
                return self._home(u)
            if rest.startswith("zfxxgk/"):
                return self._xxgk(u, rest[len("zfxxgk/"):])
            slug, _, leaf = rest.partition("/")
            for c in s.columns:
                if c.slug == slug:
                    return self._column(u, c, leaf, query)
        return 404, {"Content-Type": "text/html; charset=utf-8"}, "<h1>404 页面不存在</h1>".encode()

    def _html(self, text: str, charset: str = "utf-8", extra: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        body = text.encode("gb18030" if charset in ("gbk", "gb2312") else "utf-8")
        headers = {"Content-Type": f"text/html; charset={charset if charset != 'gbk' else 'gb2312'}"}
        headers.update(extra or {})
        return 200, headers, body

    def _nav(self, u: FarmUnit) -> str:
        links = [f'<li><a href="{u.site.prefix}">首页</a></li>']
        for c in u.site.columns:
            if c.top_level:
                links.append(f'<li><a href="{u.site.prefix}{c.slug}/index.html">{html.escape(c.name)}</a></li>')
        links.append(f'<li><a href="{u.site.prefix}zfxxgk/index.html">政府信息公开</a></li>')
        return "".join(links)

    def _home(self, u: FarmUnit) -> tuple[int, dict[str, str], bytes]:
        rows = []
        for c in u.site.columns:
            items = [r for r in self._items(c) if r[2] is not None and not r[3]]
            if items and c.family != "js":
                title, href, d, _ = items[0]
                link = href if href.startswith("/") else f"{u.site.prefix}{c.slug}/{href[2:]}"
                rows.append(f'<li><a href="{link}">{html.escape(title)}</a><span>{d.isoformat()}</span></li>')
        body = f"<h2>{html.escape(u.name)}</h2><ul class=\"home-news\">{''.join(rows)}</ul>"
        return self._html(_page(u.name, body, self._nav(u)))

    def _xxgk(self, u: FarmUnit, leaf: str) -> tuple[int, dict[str, str], bytes]:
        """The 政府信息公开 directory: a first level of headings, each an index page of its columns."""
        others = [c for c in u.site.columns if not c.top_level]
        half = len(others) // 2
        groups = {"fdzdgk": ("法定主动公开内容", others[:half]), "qtxx": ("其他公开信息", others[half:])}
        if leaf in ("", "index.html"):
            body = "<div class=\"xxgk-tree\"><ul>" + "".join(
                f'<li><a href="{key}/index.html">{name}</a></li>' for key, (name, _) in groups.items()
            ) + "</ul></div>"
            return self._html(_page(f"政府信息公开_{u.name}", body, self._nav(u)))
        key = leaf.split("/")[0]
        if key in groups:
            name, cols = groups[key]
            body = f"<h3>{name}</h3><ul class=\"lanmu\">" + "".join(
                f'<li><a href="{u.site.prefix}{c.slug}/index.html">{html.escape(c.name)}</a></li>' for c in cols
            ) + "</ul>"
            return self._html(_page(f"{name}_{u.name}", body, self._nav(u)))
        return 404, {"Content-Type": "text/html"}, b"not found"

    def _items(self, c: FarmColumn) -> list[tuple[str, str, dt.date | None, bool]]:
        """(title, href relative to the column, date, pinned), pinned first."""
        as_of = self.farm.as_of
        rows: list[tuple[str, str, dt.date | None, bool]] = []
        entries: list[tuple[int | None, bool]] = []
        if c.pinned_age is not None:
            entries.append((c.pinned_age, True))
        entries += [(a, False) for a in c.ages]
        for n, (age, pinned) in enumerate(entries):
            d = as_of - dt.timedelta(days=age) if age is not None else None
            aid = c.cid * 1000 + n
            title = f"{c.name}第{n + 1}条信息关于做好相关工作的通知"
            if c.family.startswith("trs") and d is not None:
                href = f"./{d:%Y%m}/t{d:%Y%m%d}_{aid}.html"
            elif c.family == "hanweb" and d is not None:
                href = f"/art/{d.year}/{d.month}/{d.day}/art_{c.cid}_{aid}.html"
            else:
                href = f"./content_{aid}.html"
            rows.append((title, href, d, pinned))
        return rows

    def _row(self, c: FarmColumn, title: str, href: str, d: dt.date | None, pinned: bool) -> str:
        pin = "<span class=\"top\">[置顶]</span>" if pinned else ""
        t = html.escape(title)
        if c.family == "generic_cell":
            cell = d.isoformat() if d else ""
            return f'<tr><td>{pin}<a href="{href}" title="{t}">{t}</a></td><td>{cell}</td></tr>'
        show = c.family not in ("trs_urlonly", "article") and d is not None
        style = c.family.split("_", 1)[1] if c.family.startswith("generic_") else "dash"
        date = f"<span class=\"date\">{_fmt(d, style)}</span>" if show and d else ""
        if style == "bracket" and date:
            return f'<li>{pin}{date}<a href="{href}" title="{t}">{t}</a></li>'
        return f'<li>{pin}<a href="{href}" title="{t}">{t}</a>{date}</li>'

    def _list(self, c: FarmColumn, rows: list[tuple[str, str, dt.date | None, bool]]) -> str:
        if not rows:
            return "<ul class=\"list\"></ul><div class=\"empty\">暂无信息</div>"
        inner = "".join(self._row(c, *r) for r in rows)
        if c.family == "generic_cell":
            return f"<table class=\"list\"><tr><th>标题</th><th>发布日期</th></tr>{inner}</table>"
        return f"<ul class=\"list\">{inner}</ul>"

    def _pages(self, c: FarmColumn) -> list[list[tuple[str, str, dt.date | None, bool]]]:
        rows = self._items(c)
        if c.deep:  # page one holds only the pinned item: the list continues on page two
            return [rows[:1]] + [rows[1 + i: 1 + i + c.per_page] for i in range(0, len(rows) - 1, c.per_page)]
        return [rows[i: i + c.per_page] for i in range(0, len(rows), c.per_page)] or [[]]

    def _column(self, u: FarmUnit, c: FarmColumn, leaf: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        base = f"{u.site.prefix}{c.slug}/"
        nav = self._nav(u)
        if leaf.startswith("content_") or leaf.startswith("t2") or "/t" in leaf:
            for title, href, d, _ in self._items(c):
                if href.lstrip("./") == leaf:
                    when = f"<div class=\"info\">发布时间：{d.isoformat()} 来源：本站</div>" if d else ""
                    body = f"<h1>{html.escape(title)}</h1>{when}<p>正文内容。</p>"
                    return self._html(_page(title, body, nav, c.encoding), c.encoding)
            return 404, {"Content-Type": "text/html"}, b"not found"
        if c.family == "js":
            if leaf == "data.json":
                data = [{"title": t, "url": base + h.lstrip("./"), "date": d.isoformat() if d else ""}
                        for t, h, d, _ in self._items(c)]
                return 200, {"Content-Type": "application/json"}, json.dumps(data, ensure_ascii=False).encode()
            script = (
                "<script>fetch('data.json').then(function(r){return r.json();}).then(function(rows){"
                "var ul=document.getElementById('list');rows.forEach(function(x){var li=document.createElement('li');"
                "li.innerHTML='<a href=\"'+x.url+'\">'+x.title+'</a><span>'+x.date+'</span>';ul.appendChild(li);});});"
                "</script>"
            )
            body = f"<div class=\"crumb\">当前位置：{html.escape(c.name)}</div><ul id=\"list\" class=\"list\"></ul>{script}"
            return self._html(_page(c.name, body, nav))
        pages = self._pages(c)
        if c.family == "hanweb":
            if leaf not in ("", "index.html"):
                return 404, {"Content-Type": "text/html"}, b"not found"
            return self._hanweb_index(u, c, nav)
        if c.family.startswith("trs"):
            n = 0 if leaf in ("", "index.html") else int(leaf[len("index_"):].split(".")[0])
        else:
            n = 0 if leaf in ("", "index.html") else int(leaf[len("list_"):].split(".")[0]) - 1
        if n >= len(pages):
            return 404, {"Content-Type": "text/html"}, b"not found"
        body = f"<div class=\"crumb\">当前位置：首页 &gt; {html.escape(c.name)}</div>" + self._list(c, pages[n])
        if c.family.startswith("trs"):
            body += f"<div class=\"page\"><script>createPageHTML({len(pages)}, {n}, \"index\", \"html\");</script></div>"
        elif len(pages) > 1:
            links = "".join(f'<a href="list_{k + 1}.html">{k + 1}</a> ' for k in range(len(pages)))
            nxt = f'<a href="list_{n + 2}.html">下一页</a>' if n + 1 < len(pages) else ""
            body += f"<div class=\"pager\">共{len(pages)}页 当前第{n + 1}页 {links}{nxt}</div>"
        return self._html(_page(c.name, body, nav, c.encoding), c.encoding)

    def _record(self, c: FarmColumn, title: str, href: str, d: dt.date | None, pinned: bool) -> str:
        date = f"<span>{d.isoformat()}</span>" if d else ""
        pin = "[置顶]" if pinned else ""
        return f"<record><![CDATA[<li>{pin}<a href='{href}' title='{html.escape(title)}' target=\"_blank\">{html.escape(title)}</a>{date}</li>]]></record>"

    def _hanweb_index(self, u: FarmUnit, c: FarmColumn, nav: str) -> tuple[int, dict[str, str], bytes]:
        rows = self._items(c)
        first = 1 if c.deep else c.per_page
        records = "".join(self._record(c, *r) for r in rows[:first])
        body = (
            f"<div class=\"crumb\">您当前的位置：首页&gt;{html.escape(c.name)}</div><div id=\"{c.cid}\">"
            "<script type=\"text/xml\"><datastore>"
            f"<nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?page=1&col=1&appid=1&webid=3&path=/&columnid={c.cid}&sourceContentType=1&unitid={c.cid}&permissiontype=0\"></a>]]></nextgroup>"
            f"<recordset>{records}</recordset></datastore></script>"
            f"<script>var totalRecord = {len(rows)}; var perPage = {first};</script></div>"
        )
        return self._html(_page(c.name, body, nav))

    def _dataproxy(self, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        cid = int((query.get("columnid") or ["0"])[0])
        start = int((query.get("startrecord") or ["1"])[0])
        end = int((query.get("endrecord") or [str(start + 44)])[0])
        for _u, c in self.farm.columns():
            if c.cid == cid:
                rows = self._items(c)
                records = "".join(self._record(c, *r) for r in rows[start - 1: end])
                xml = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><datastore><totalrecord>{len(rows)}</totalrecord>"
                       f"<recordset>{records}</recordset></datastore>")
                return 200, {"Content-Type": "text/xml; charset=utf-8"}, xml.encode()
        return 404, {"Content-Type": "text/html"}, b"not found"

    # -- the app ---------------------------------------------------------------------------------
    def _answer(self, request: Request) -> Reply | None:
        entry = LoggedRequest(request.host, request.method, request.handler.path, 0, 0, False)
        try:
            if self.farm.delay:
                time.sleep(self.farm.delay)
            if request.path.startswith("/hostile/") and self.farm.hostile:
                hostile = self.hostile(request.handler, request.path[len("/hostile/"):])
                if hostile is not None:
                    entry = hostile
                    return None
            reply = self._reply(request)
            entry = LoggedRequest(request.host, request.method, request.handler.path, reply.status,
                                  len(reply.body), bool(request.headers.get("If-None-Match")
                                                        or request.headers.get("If-Modified-Since")))
            return reply
        finally:
            self._logged(entry)

    def _reply(self, request: Request) -> Reply:
        faults = self.farm.faults.get(request.path)
        if faults:
            status = faults.pop(0)
            return Reply(status, f"<h1>{status} 服务器错误</h1>".encode())
        status, headers, body = self.render(request.host, request.path, request.query)
        if status == 200:
            etag = '"' + hashlib.md5(body).hexdigest()[:16] + '"'
            headers["ETag"] = etag
            headers["Last-Modified"] = format_datetime(
                dt.datetime.combine(self.farm.as_of, dt.time(), dt.UTC), usegmt=True)
            if request.headers.get("If-None-Match") == etag:
                return Reply(304, b"", {k: v for k, v in headers.items() if k != "Content-Type"})
        return Reply(status, body, headers)

    # -- hostile pages (served by the handler directly) ------------------------------------------
    def hostile(self, handler: BaseHTTPRequestHandler, name: str) -> LoggedRequest | None:
        """Answer a hostile path; returns the log entry, or None when ``name`` is not hostile."""
        host = handler.server.server_address[0]
        if name == "big":  # a 50 MB body announced up front
            size = 50 * 1024 * 1024
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(size))
            handler.end_headers()
            return self._drip(handler, host, name, size, 64 * 1024, 0.0)
        if name == "big-stream":  # a 50 MB body without Content-Length
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.end_headers()
            return self._drip(handler, host, name, 50 * 1024 * 1024, 64 * 1024, 0.0)
        if name in ("loop", "loop2"):
            handler.send_response(302)
            handler.send_header("Location", "/hostile/loop2" if name == "loop" else "/hostile/loop")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return LoggedRequest(host, "GET", f"/hostile/{name}", 302, 0, False)
        if name == "slow":  # headers at once, then one byte every half second, for ever
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.end_headers()
            return self._drip(handler, host, name, 10**9, 1, 0.5)
        if name.startswith("endless/"):  # every page holds a pinned item and a 下一页 to the next page
            n = int(name.split("/")[1].split(".")[0])
            d = self.farm.as_of - dt.timedelta(days=400 + n)
            body = (f"<ul class=\"list\"><li><span>[置顶]</span><a href=\"./item_{n}.html\">无尽栏目第{n}页置顶通知关于做好工作</a>"
                    f"<span>{d.isoformat()}</span></li></ul><div class=\"pager\"><a href=\"{n + 1}.html\">下一页</a></div>")
            raw = _page("无尽栏目", body).encode()
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(raw)))
            handler.end_headers()
            handler.wfile.write(raw)
            return LoggedRequest(host, "GET", f"/hostile/{name}", 200, len(raw), False)
        if name.startswith("repeat/"):  # every page number shows the same page (a pager that ignores its page)
            n = int(name.split("/")[1].split(".")[0])
            d = self.farm.as_of - dt.timedelta(days=500)
            body = (f"<ul class=\"list\"><li><span>[置顶]</span><a href=\"./item_1.html\">重复栏目置顶通知关于做好工作</a>"
                    f"<span>{d.isoformat()}</span></li></ul><div class=\"pager\"><a href=\"{n + 1}.html\">下一页</a></div>")
            raw = _page("重复栏目", body).encode()
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(raw)))
            handler.end_headers()
            handler.wfile.write(raw)
            return LoggedRequest(host, "GET", f"/hostile/{name}", 200, len(raw), False)
        return None

    def _drip(self, handler: BaseHTTPRequestHandler, host: str, name: str, size: int, chunk: int, pause: float) -> LoggedRequest:
        sent = 0
        block = b"<p>" + b"x" * max(chunk - 7, 1) + b"</p>\n" if chunk > 8 else b"x"
        try:
            while sent < size and not self._stop.is_set():
                handler.wfile.write(block)
                sent += len(block)
                if pause:
                    handler.wfile.flush()
                    time.sleep(pause)
        except OSError:
            pass
        handler.close_connection = True
        return LoggedRequest(host, "GET", f"/hostile/{name}", 200, sent, False)



"""A synthetic county for the daily-cycle benchmark: units, columns, accounts and injected broken links with their truth.

Built on ``benchmarks/crawl_farm.py`` (its CMS families, pagination, ETag/304 answers, request log) and served by
the one loopback server (``govwatch/loopback.py``)::

    from benchmarks.cycle_farm import CycleFarm

    with CycleFarm.build() as farm:          # 12 units, 4 hosts, 132 columns, 16 broken links
        farm.config_data(output_dir=...)     # a govwatch config (YAML-shaped dict) of the county
        farm.broken                          # broken URL -> BrokenLink (error class, page kind, unit, page)
        farm.verdicts(as_of)                 # column / homepage URL -> "fresh" | "stale" | "blank"
        farm.account_truth(as_of)            # unit id -> "fresh" | "stale" (one RSS account each)
        farm.timed_log()                     # every request served: (unix time, LoggedRequest)
        farm.kind_of(host, path)             # what a URL is: homepage, list_page1, list_more, article ...

Hosts: a county portal (127.0.3.1) carrying most units' sections, two standalone unit sites (127.0.3.2,
127.0.3.3) and an "external" host (127.0.3.4: friendly sites, the new-media feeds, broken external links);
a closed port on 127.0.3.5 gives "connection refused". Freshness is far from every window's edge (a news
column is 0-5 or 30-90 days old), so a correct reader leaves no doubt. Broken links sit on homepages, on
column list pages (page one) and on articles the crawler opens (columns whose dates are only inside the
articles). Pages answer with ETag and Last-Modified and honour If-None-Match and If-Modified-Since, as a CMS
serving static pages does (not Hanweb's dataproxy.jsp). ``hostile=N`` puts N links (all fine) on the homepage
of the last unit, a standalone site.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import random
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from benchmarks.crawl_farm import Farm, FarmColumn, FarmServer, FarmSite, FarmUnit, LoggedRequest
from benchmarks.link_farm import SOFT_404, _closed_port
from govwatch.loopback import Reply, Request

__all__ = ["AS_OF", "BrokenLink", "CycleFarm", "HOSTS"]

AS_OF = dt.date(2021, 11, 29)
"""The farm's day 1: the content is dated relative to it (day 2 is the next day, nothing changed)."""
HOSTS = {"portal": "127.0.3.1", "site_a": "127.0.3.2", "site_b": "127.0.3.3", "external": "127.0.3.4"}
DEAD_HOST = "127.0.3.5"

# (slug, name, category, top level)
COLUMNS = [
    ("gzdt", "工作动态", "news", True), ("tzgg", "通知公告", "notice", True), ("zcwj", "政策文件", "policy", True),
    ("bmdt", "部门动态", "news", False), ("rsxx", "人事信息", "personnel", False),
    ("ghjh", "规划计划", "planning", False), ("czyjs", "财政预决算", "finance", False),
    ("tpxw", "图片新闻", "news", False), ("gsgg", "公示公告", "notice", False),
    ("gfxwj", "规范性文件", "policy", False), ("gzjz", "工作进展", "news", False),
]
STATIC_FAMILIES = ("trs", "generic_dash", "hanweb", "article", "generic_slash", "trs_urlonly", "generic_cn",
                   "generic_dot", "article", "generic_cell")
# newest age in days of a fresh / stale column, by category (far from the 14-day, 6-month and 1-year windows)
AGES = {"news": ((0, 5), (30, 90)), "notice": ((10, 60), (220, 400)), "policy": ((10, 60), (220, 400)),
        "personnel": ((20, 150), (420, 600)), "planning": ((20, 150), (420, 600)),
        "finance": ((20, 150), (420, 600))}


@dataclass
class BrokenLink:
    """An injected broken link: its URL, error class, where it is (homepage, column page, article) and who has it."""

    url: str
    error: str
    on: str
    """``homepage``, ``column`` (a list's page one) or ``article`` (an article the crawler opens)."""
    unit: str
    page: str
    """The URL of the page carrying it."""
    tag: str = "a"


@dataclass
class _Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class _Plan:
    """A broken link before the farm has its port: (class, placement, unit index, column index or None)."""

    error: str
    on: str
    unit: int
    column: int | None = None
    tag: str = "a"


# 16 broken links: 6 on homepages, 6 on column list pages, 4 on opened articles
_PLANS = [
    _Plan("http_404", "homepage", 0), _Plan("external_404", "homepage", 2), _Plan("refused", "homepage", 5),
    _Plan("timeout", "homepage", -2), _Plan("soft_404", "homepage", -1), _Plan("image_404", "homepage", 7, tag="img"),
    _Plan("http_5xx", "column", 1, 0), _Plan("attachment_404", "column", 3, 1), _Plan("external_5xx", "column", 4, 2),
    _Plan("http_410", "column", 6, 3), _Plan("refused", "column", 8, 4), _Plan("external_404", "column", -2, 5),
    _Plan("http_404", "article", 0), _Plan("http_5xx", "article", 1), _Plan("soft_404", "article", 2),
    _Plan("redirect_loop", "article", 3),
]
# the error class govwatch reports for each kind of injected link
REPORTED = {"http_404": "http_404", "external_404": "http_404", "image_404": "http_404", "attachment_404": "http_404",
            "http_5xx": "http_5xx", "external_5xx": "http_5xx", "http_410": "http_410", "refused": "refused",
            "timeout": "timeout", "soft_404": "soft_404", "redirect_loop": "redirect_loop"}


class CycleFarm(FarmServer):
    """The county: a crawl_farm Farm plus broken links, feeds, external pages and an optional hostile homepage."""

    def __init__(self, farm: Farm, verdict: dict[tuple[str, str], str], *, stale_accounts: set[str],
                 accounts: int, hostile: int = 0, slow_seconds: float = 20.0) -> None:
        super().__init__(farm)
        self.truth = verdict
        self.stale_accounts = stale_accounts
        self.n_accounts = accounts
        self.hostile_links = hostile
        self.slow_seconds = slow_seconds
        self.broken: dict[str, BrokenLink] = {}
        self.routes: dict[tuple[str, str], _Route] = {}
        self.inject: dict[tuple[str, str], list[str]] = {}
        self.times: list[tuple[float, LoggedRequest]] = []
        self._tlock = threading.Lock()

    # -- building --------------------------------------------------------------------------------
    @classmethod
    def build(cls, units: int = 12, columns: int = 11, *, standalone: int = 2, hostile: int = 0,
              slow_seconds: float = 20.0, seed: int = 15) -> CycleFarm:
        """A county of ``units`` units (the last ``standalone`` on hosts of their own) of ``columns`` columns each."""
        rng = random.Random(seed)
        out: list[FarmUnit] = []
        verdict: dict[tuple[str, str], str] = {}
        cid, k = 2000, 0
        for i in range(units):
            uid = f"u{i:02d}"
            own = i >= units - standalone
            host = [HOSTS["site_a"], HOSTS["site_b"]][(i - (units - standalone)) % 2] if own else HOSTS["portal"]
            prefix = "/" if own else f"/bm/{uid}/"
            cols: list[FarmColumn] = []
            for j in range(columns):
                slug, name, category, top = COLUMNS[j % len(COLUMNS)]
                if j >= len(COLUMNS):
                    slug, name = f"{slug}{j}", f"{name}{j // len(COLUMNS) + 1}"
                family = STATIC_FAMILIES[k % len(STATIC_FAMILIES)]
                if (i, j) in ((1, 3), (units - 1, 7 % columns)):  # two script-built lists, read with the browser
                    family, category = "js", "news"
                state = "stale" if (k % 4 == 1 or i == 3) else "fresh"  # unit 3: everything stale, homepage too
                if k % 23 == 11 and family not in ("js", "article", "trs_urlonly"):
                    state = "blank"
                ages: list[int | None] = []
                if state != "blank":
                    lo, hi = AGES[category][0 if state == "fresh" else 1]
                    newest = rng.randint(lo, hi)
                    ages = [newest]
                    for _ in range(rng.randint(3, 14)):
                        ages.append(ages[-1] + rng.randint(1, 20))
                pinned, deep = None, False
                if state != "blank" and family not in ("article", "js", "generic_cell"):
                    if k % 6 == 3:
                        deep, pinned = True, 900  # page one holds only the pinned item: the list goes on to page two
                    elif k % 5 == 1:
                        pinned = 800 + rng.randrange(50)
                cid += 1
                encoding = "gbk" if k % 7 == 2 and family not in ("js", "hanweb") else "utf-8"
                col = FarmColumn(slug, name, family, ages, top, pinned, 10, encoding, category, cid=cid, deep=deep)
                cols.append(col)
                verdict[(uid, slug)] = state
                k += 1
            out.append(FarmUnit(uid, f"示范单位{i + 1}", "department", FarmSite(host, prefix, cols)))
        farm = Farm("基准县", AS_OF, out)
        accounts = min(6, units)
        stale_accounts = {f"u{i:02d}" for i in range(accounts) if i % 3 == 2}
        return cls(farm, verdict, stale_accounts=stale_accounts, accounts=accounts, hostile=hostile,
                   slow_seconds=slow_seconds)

    def start(self) -> CycleFarm:
        """Serve every host, then place the broken links (their URLs need the port)."""
        self._server.hosts = list(HOSTS.values())
        super().start()
        self._place()
        return self

    def _unit(self, i: int) -> FarmUnit:
        return self.farm.units[i % len(self.farm.units)]

    def _article_column(self, i: int) -> FarmColumn | None:
        for c in self._unit(i).site.columns:
            if c.family == "article" and c.ages:
                return c
        return None

    def _place(self) -> None:
        closed = _closed_port(DEAD_HOST)
        ext = self.base(HOSTS["external"])
        for n, plan in enumerate(_PLANS):
            u = self._unit(plan.unit)
            if len(self.farm.units) < 12 and plan.on == "article" and self._article_column(plan.unit) is None:
                continue
            if plan.on == "homepage":
                page_path = u.site.prefix
            elif plan.on == "column":
                col = u.site.columns[(plan.column or 0) % len(u.site.columns)]
                page_path = f"{u.site.prefix}{col.slug}/index.html"
            else:
                col = self._article_column(plan.unit)
                if col is None:
                    raise ValueError(f"unit {u.id} has no column of dated articles")
                href = self._items(col)[0][1]
                page_path = f"{u.site.prefix}{col.slug}/{href[2:]}"
            site = self.base(u.site.host)
            url = self._broken_url(plan.error, n, u, site, ext, closed)
            self.inject.setdefault((u.site.host, page_path), []).append(
                f'<img src="{url}" alt="图片{n}">' if plan.tag == "img" else f'<a href="{url}">相关链接{n}</a>')
            self.broken[url] = BrokenLink(url, REPORTED[plan.error], plan.on, u.id, site + page_path, plan.tag)
        # every homepage: friendly external sites, a guide (attachment) and a logo that all work
        for u in self.farm.units:
            links = [f'<a href="{ext}/friend{(int(u.id[1:]) + m) % 5}.html">友情链接{m}</a>' for m in range(2)]
            links.append(f'<a href="{u.site.prefix}files/guide.pdf">办事指南下载</a>')
            links.append(f'<img src="{u.site.prefix}img/logo.png" alt="标志">')
            self.inject.setdefault((u.site.host, u.site.prefix), []).extend(links)
            self.routes[(u.site.host, f"{u.site.prefix}files/guide.pdf")] = _Route(
                body=b"%PDF-1.4\n" + b"0" * 800, headers={"Content-Type": "application/pdf"})
            self.routes[(u.site.host, f"{u.site.prefix}img/logo.png")] = _Route(
                body=b"\x89PNG\r\n\x1a\n" + b"0" * 200, headers={"Content-Type": "image/png"})
        for m in range(5):
            self.routes[(HOSTS["external"], f"/friend{m}.html")] = _Route(
                body=f"<html><head><meta charset='utf-8'><title>友情网站{m}</title></head><body>友情网站{m}</body></html>".encode())
        if self.hostile_links:
            u = self.farm.units[-1]
            self.inject.setdefault((u.site.host, u.site.prefix), []).extend(
                f'<a href="{u.site.prefix}h/{n}.html">链接{n}</a>' for n in range(self.hostile_links))

    def _broken_url(self, error: str, n: int, u: FarmUnit, site: str, ext: str, closed: int) -> str:
        P, host = u.site.prefix, u.site.host
        if error in ("http_404", "image_404", "attachment_404"):
            leaf = {"http_404": f"old/missing_{n}.html", "image_404": f"img/gone_{n}.png",
                    "attachment_404": f"files/gone_{n}.pdf"}[error]
            return f"{site}{P}{leaf}"  # nothing answers there: the farm's 404 page
        if error == "external_404":
            return f"{ext}/gone/page_{n}.html"
        if error == "external_5xx":
            self.routes[(HOSTS["external"], f"/cgi/error_{n}.jsp")] = _Route(500, b"<h1>500 Internal Server Error</h1>")
            return f"{ext}/cgi/error_{n}.jsp"
        if error == "http_5xx":
            self.routes[(host, f"{P}cgi/error_{n}.jsp")] = _Route(500, b"<h1>500 Internal Server Error</h1>")
            return f"{site}{P}cgi/error_{n}.jsp"
        if error == "http_410":
            self.routes[(host, f"{P}old/removed_{n}.html")] = _Route(410, b"<h1>410 Gone</h1>")
            return f"{site}{P}old/removed_{n}.html"
        if error == "refused":
            return f"http://{DEAD_HOST}:{closed}/page_{n}.html"
        if error == "timeout":
            self.routes[(host, f"{P}slow/page_{n}.html")] = _Route(body=b"<html><body>slow</body></html>",
                                                                 delay=self.slow_seconds)
            return f"{site}{P}slow/page_{n}.html"
        if error == "soft_404":
            self.routes[(host, f"{P}info/notfound_{n}.html")] = _Route(body=SOFT_404.encode())
            return f"{site}{P}info/notfound_{n}.html"
        if error == "redirect_loop":
            a, b = f"{P}loop/{n}/a.html", f"{P}loop/{n}/b.html"
            self.routes[(host, a)] = _Route(302, headers={"Location": f"{site}{b}"})
            self.routes[(host, b)] = _Route(302, headers={"Location": f"{site}{a}"})
            return f"{site}{a}"
        raise ValueError(error)

    # -- truth -----------------------------------------------------------------------------------
    def verdicts(self, as_of: dt.date) -> dict[str, str]:
        """Column and homepage URL -> ``fresh``, ``stale`` or ``blank`` as the rules say at ``as_of``."""
        out: dict[str, str] = {}
        for u in self.farm.units:
            for c in u.site.columns:
                out[self.column_url(u, c)] = self.truth[(u.id, c.slug)]
            shown = [self._items(c) for c in u.site.columns if c.family != "js"]
            dates = [r[2] for rows in shown for r in rows if r[2] is not None and not r[3]]
            newest = max(dates) if dates else None
            out[self.site_url(u)] = "fresh" if newest and (as_of - newest).days <= 14 else "stale"
        return out

    def account_truth(self, as_of: dt.date) -> dict[str, str]:
        """Unit id -> whether its account is ``fresh`` or ``stale`` at ``as_of``."""
        return {u.id: ("stale" if u.id in self.stale_accounts else "fresh") for u in self.farm.units[:self.n_accounts]}

    def feed_url(self, unit: FarmUnit) -> str:
        """The RSS feed of a unit's account."""
        return f"{self.base(HOSTS['external'])}/feeds/{unit.id}.xml"

    def watched_pages(self) -> int:
        """The pages a daily run watches: every column and every homepage."""
        return len(self.farm.columns()) + len(self.farm.units)

    def config_data(self, *, output_dir: str, crawl: dict[str, Any] | None = None,
                    links: dict[str, Any] | None = None) -> dict[str, Any]:
        """A govwatch configuration of the county (categories given, two columns ``render: browser``)."""
        units = []
        for n, u in enumerate(self.farm.units):
            cols = []
            for c in u.site.columns:
                col: dict[str, Any] = {"name": c.name, "url": self.column_url(u, c), "category": c.category,
                                       "top_level": c.top_level}
                if c.family == "js":
                    col["render"] = "browser"
                cols.append(col)
            unit: dict[str, Any] = {"id": u.id, "name": u.name, "kind": u.kind,
                                    "sites": [{"url": self.site_url(u), "columns": cols}]}
            if n < self.n_accounts:
                unit["accounts"] = [{"platform": "rss", "id": f"{u.id}-wx", "url": self.feed_url(u),
                                     "name": f"{u.name}发布"}]
            units.append(unit)
        data: dict[str, Any] = {"county": self.farm.county, "output_dir": output_dir,
                                "monitoring": {"start": "2021-01-01", "end": "2021-11-30"}, "units": units}
        if crawl:
            data["crawl"] = crawl
        if links:
            data["links"] = links
        return data

    # -- what a URL is ---------------------------------------------------------------------------
    def kind_of(self, host: str, path: str) -> str:
        """``homepage``, ``list_page1``, ``list_more``, ``article``, ``script_data``, ``attachment``, ``feed``,
        ``external``, ``hostile_link``, ``broken_target``, ``index_page`` or ``other``."""
        path = path.split("?", 1)[0]
        if host == HOSTS["external"]:
            return "feed" if path.startswith("/feeds/") else "external"
        if path == "/module/web/jpage/dataproxy.jsp":
            return "list_more"
        if path.startswith("/art/"):
            return "article"
        for u in self.farm.units:
            s = u.site
            if s.host != host or not path.startswith(s.prefix):
                continue
            rest = path[len(s.prefix):]
            if rest in ("", "index.html"):
                return "homepage"
            if rest.startswith("h/"):
                return "hostile_link"
            if rest.startswith(("files/", "img/")) and (host, path) in self.routes:
                return "attachment"
            if rest.startswith("zfxxgk/"):
                return "index_page"
            slug, _, leaf = rest.partition("/")
            if any(c.slug == slug for c in s.columns):
                if leaf in ("", "index.html"):
                    return "list_page1"
                if leaf.startswith(("index_", "list_")):
                    return "list_more"
                if leaf == "data.json":
                    return "script_data"
                return "article"
        return "broken_target"

    # -- serving ---------------------------------------------------------------------------------
    def timed_log(self) -> list[tuple[float, LoggedRequest]]:
        """Every request served so far with the time it was answered."""
        with self._tlock:
            return list(self.times)

    def clear_log(self) -> None:
        """Forget the requests seen so far."""
        super().clear_log()
        with self._tlock:
            self.times.clear()

    def _logged(self, entry: LoggedRequest) -> None:
        super()._logged(entry)
        with self._tlock:
            self.times.append((time.time(), entry))

    def _feed(self, uid: str) -> bytes:
        age0 = 30 if uid in self.stale_accounts else 1
        items = []
        for n in range(5):
            when = dt.datetime.combine(self.farm.as_of - dt.timedelta(days=age0 + 3 * n), dt.time(2, 0), dt.UTC)
            items.append(f"<item><title>{uid}第{n + 1}条动态</title><link>{self.base(HOSTS['external'])}/posts/{uid}/{n}"
                         f"</link><pubDate>{format_datetime(when, usegmt=True)}</pubDate></item>")
        return ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
                f"<title>{uid}发布</title><link>{self.base(HOSTS['external'])}/</link>{''.join(items)}"
                "</channel></rss>").encode()

    def render(self, host: str, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        """The farm's page with the injected links, or a route of its own (broken targets, feeds, friends)."""
        route = self.routes.get((host, path))
        if route is not None:
            return route.status, dict(route.headers), route.body
        if host == HOSTS["external"] and path.startswith("/feeds/"):
            uid = path[len("/feeds/"):].removesuffix(".xml")
            if any(u.id == uid for u in self.farm.units[:self.n_accounts]):
                return 200, {"Content-Type": "application/rss+xml; charset=utf-8"}, self._feed(uid)
        if self.hostile_links and host == self.farm.units[-1].site.host and "/h/" in path:
            return 200, {}, f"<html><head><meta charset='utf-8'><title>页面{html.escape(path)}</title></head><body>正文</body></html>".encode()
        status, headers, body = super().render(host, path, query)
        extra = self.inject.get((host, path)) or (self.inject.get((host, path[:-len("index.html")]))
                                                 if path.endswith("/index.html") and self._is_home(host, path) else None)
        if extra and status == 200:
            charset = "gb18030" if "gb" in headers.get("Content-Type", "") else "utf-8"
            text = body.decode(charset).replace('<div class="footer">',
                                                f'<div class="links">{"".join(extra)}</div><div class="footer">', 1)
            body = text.encode(charset)
        return status, headers, body

    def _is_home(self, host: str, path: str) -> bool:
        return any(u.site.host == host and path == f"{u.site.prefix}index.html" for u in self.farm.units)

    def _reply(self, request: Request) -> Reply:
        route = self.routes.get((request.host, request.path))
        if route is not None and (route.status != 200 or route.delay):
            return Reply(route.status, route.body, dict(route.headers), delay=route.delay)
        status, headers, body = self.render(request.host, request.path, request.query)
        if status != 200 or request.path.endswith(".jsp"):  # dynamic pages carry no validators
            return Reply(status, body, headers)
        etag = '"' + hashlib.md5(body).hexdigest()[:16] + '"'
        modified = dt.datetime.combine(self.farm.as_of, dt.time(), dt.UTC)
        headers["ETag"] = etag
        headers["Last-Modified"] = format_datetime(modified, usegmt=True)
        inm, ims = request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since")
        fresh = inm == etag if inm else _not_after(ims, modified)
        if fresh:
            return Reply(304, b"", {k: v for k, v in headers.items() if k != "Content-Type"})
        return Reply(200, body, headers)


def _not_after(header: str | None, modified: dt.datetime) -> bool:
    """Whether an If-Modified-Since header says the copy is as new as ``modified``."""
    if not header:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    return since >= modified

"""A local farm of county sites full of links, with a known set of broken ones of every error class.

Used by ``benchmarks/links_bench.py`` (govwatch's whole-site link check against LinkChecker) and
reusable by any benchmark or test that needs many links on many hosts::

    from benchmarks.link_farm import LinkFarm

    with LinkFarm(sections=6, standalone=4) as farm:
        farm.sites            # homepage URLs: portal sections (one shared host) and standalone hosts
        farm.expected         # broken URL -> error class (http_404 ... empty_attachment)
        farm.transient        # URLs that fail on their first request only (never to be reported)
        farm.requests()       # requests served so far (all hosts); farm.reset() zeroes the counters

Every host is its own loopback address (127.0.0.11 = the portal, 127.0.0.12... = standalone sites,
then a "friends" host for external links), so per-host politeness applies as on the real web.
Broken links of each class: ``http_404``, ``http_410``, ``http_5xx``, ``timeout`` (the server sleeps
``slow_seconds``), ``dns`` (``.invalid`` hosts), ``refused`` (a closed port), ``tls`` (https to a
plain-HTTP port), ``redirect_loop``, ``soft_404`` (a 200 page saying 页面不存在, and deep links
redirected to the homepage), ``empty_attachment``. Every answer carries a ``LinkChecker`` header so
LinkChecker accepts rates above 10 requests per second.
"""

from __future__ import annotations

import random
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from govwatch.loopback import LoopbackServer, Reply, Request

__all__ = ["ERROR_CLASSES", "LinkFarm", "Resp"]

ERROR_CLASSES = ("http_404", "http_410", "http_5xx", "timeout", "dns", "refused", "tls", "redirect_loop",
                 "soft_404", "empty_attachment")
SOFT_404 = ("<html><head><meta charset='utf-8'><title>提示信息</title></head><body>"
            "<p>对不起，您访问的页面不存在或已被删除！</p><a href='/'>返回首页</a></body></html>")


@dataclass
class Resp:
    """How one path answers."""

    status: int = 200
    body: bytes = b""
    ctype: str = "text/html; charset=utf-8"
    location: str | None = None
    delay: float = 0.0
    fail_first: int = 0
    served: int = 0


@dataclass
class _Host:
    """One address of the farm: its routes and the requests it served."""

    ip: str
    routes: dict[str, Resp] = field(default_factory=dict)
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, request: Request) -> Reply:
        with self.lock:
            self.count += 1
            resp = self.routes.get(request.path)
            if resp is not None:
                resp.served += 1
                served = resp.served
        headers = {"LinkChecker": "allow"}  # lets LinkChecker go above 10 requests per second
        if resp is None:
            return Reply(404, b"<h1>404 Not Found</h1>", {**headers, "Content-Type": "text/html"})
        if served <= resp.fail_first:
            return Reply(503, b"<h1>503 busy</h1>", {**headers, "Content-Type": resp.ctype}, delay=resp.delay)
        if resp.location:
            headers["Location"] = resp.location
        return Reply(resp.status, resp.body, {**headers, "Content-Type": resp.ctype}, delay=resp.delay)


def _page(title: str, links: list[tuple[str, str]], extra: str = "") -> bytes:
    anchors = "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in links)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<h1>{title}</h1><ul>{anchors}</ul>{extra}<p>正文内容。示范县人民政府。</p></body></html>").encode()


@dataclass
class _SitePlan:
    base: str  # http://ip:port
    prefix: str
    pages: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # path -> links
    extras: dict[str, str] = field(default_factory=dict)


class LinkFarm:
    """The farm: build it, ``start()`` (or use as a context manager), read ``sites``/``expected``/``transient``."""

    def __init__(self, *, sections: int = 6, standalone: int = 4, columns: int = 5, articles: int = 20,
                 per_class: int = 4, transient: int = 8, slow_seconds: float = 4.0, seed: int = 20211130,
                 first_ip: int = 11) -> None:
        self.sections, self.standalone, self.columns, self.articles = sections, standalone, columns, articles
        self.per_class, self.n_transient, self.slow_seconds = per_class, transient, slow_seconds
        self.rng = random.Random(seed)
        self.first_ip = first_ip
        self.hosts: list[_Host] = []
        self.sites: list[str] = []
        self.expected: dict[str, str] = {}
        self.transient: set[str] = set()
        self.link_refs = 0

    # -- lifecycle

    def start(self) -> LinkFarm:
        """Bind every host, build the pages and serve in background threads."""
        # portal, standalone sites, friends
        self.hosts = [_Host(f"127.0.0.{self.first_ip + i}") for i in range(1 + self.standalone + 1)]
        by_ip = {h.ip: h for h in self.hosts}
        self._server = LoopbackServer(lambda request: by_ip[request.host].answer(request), by_ip)
        self._server.start()
        self._build()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()

    def __enter__(self) -> LinkFarm:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def base(self, i: int) -> str:
        """``http://ip:port`` of host ``i`` (0 = portal)."""
        return self._server.base(self.hosts[i].ip)

    def requests(self) -> int:
        """Requests served by every host since the last reset."""
        return sum(h.count for h in self.hosts)

    def reset(self) -> None:
        """Zero the request counters and the transient links' first-failure state (for the next tool)."""
        for h in self.hosts:
            with h.lock:
                h.count = 0
                for r in h.routes.values():
                    r.served = 0

    @property
    def unique_links(self) -> int:
        """Distinct URLs linked from the farm's pages."""
        return len(self._all_links)

    # -- building

    def _build(self) -> None:
        friends = len(self.hosts) - 1
        plans: list[tuple[int, _SitePlan]] = []
        portal_root = []
        for s in range(self.sections):
            plans.append((0, _SitePlan(self.base(0), f"/bm/unit{s:02d}/")))
            portal_root.append((f"/bm/unit{s:02d}/", f"部门{s}"))
        for s in range(self.standalone):
            plans.append((1 + s, _SitePlan(self.base(1 + s), "/")))
        fbase = self.base(friends)
        for k in range(10):
            self.hosts[friends].routes[f"/friend{k}.html"] = Resp(body=_page(f"友情网站{k}", []))
        for _, plan in plans:
            self._site_pages(plan, fbase)
        # injected broken links and transient ones
        closed = _closed_port(f"127.0.0.{self.first_ip + len(self.hosts)}")
        n = 0
        for cls in ERROR_CLASSES:
            for i in range(self.per_class):
                host_i, plan = plans[self.rng.randrange(len(plans))]
                url = self._broken(cls, n, i, plan, self.hosts[host_i].routes, closed, fbase)
                self.expected[url] = cls
                self._place(plan, url, f"坏链接{n}", plan.base)
                n += 1
        for i in range(self.n_transient):
            host_i, plan = plans[self.rng.randrange(len(plans))]
            path = f"{plan.prefix}c1/flaky_{i}.html"
            self.hosts[host_i].routes[path] = Resp(body=_page("偶尔繁忙的页面", []), fail_first=1)
            self.transient.add(plan.base + path)
            self._place(plan, plan.base + path, f"偶发故障{i}", plan.base)
        links: set[str] = set()
        for host_i, plan in plans:
            self._serve(plan, self.hosts[host_i].routes, links)
        self.hosts[0].routes["/"] = Resp(body=_page("示范县人民政府门户网站", [(self.base(0) + u, t) for u, t in portal_root]))
        self._all_links = links

    def _site_pages(self, plan: _SitePlan, fbase: str) -> None:
        """The pages of one site: homepage, columns, articles, with their links."""
        P = plan.prefix
        nav = [(P, "首页")] + [(f"{P}c{j}/", f"栏目{j}") for j in range(self.columns)]
        home_links = list(nav) + [(f"{P}img/logo.png", "标志")]
        home_links += [(f"{fbase}/friend{self.rng.randrange(10)}.html", "友情链接") for _ in range(3)]
        for j in range(self.columns):
            col = f"{P}c{j}/"
            arts = [(f"{col}a{k}.html", f"栏目{j}文章{k}") for k in range(self.articles)]
            home_links += arts[:3]
            plan.pages[col] = nav + arts + [(f"{P}img/c{j}.png", "栏目图")]
            for k, (url, _) in enumerate(arts):
                plan.pages[url] = nav + [(f"{P}files/c{j}_a{k}.pdf", "附件下载"), (f"{P}img/c{j}.png", "图片")]
                if k % 5 == 0:
                    plan.pages[url].append((f"{fbase}/friend{self.rng.randrange(10)}.html", "相关链接"))
        plan.pages[P] = home_links

    def _broken(self, cls: str, n: int, i: int, plan: _SitePlan, routes: dict[str, Resp], closed: int,
                fbase: str) -> str:
        """The URL of the n-th broken link, of error class ``cls``, with the route that breaks it."""
        P, base = plan.prefix, plan.base
        fixed = {
            "http_410": ("old/removed_{n}.html", Resp(status=410)),
            "http_5xx": ("cgi/error_{n}.jsp", Resp(status=500, body=b"<h1>500 Internal Server Error</h1>")),
            "timeout": ("slow/page_{n}.html", Resp(body=_page("慢页面", []), delay=self.slow_seconds)),
            "empty_attachment": ("files/empty_{n}.doc", Resp(body=b"", ctype="application/msword")),
        }
        if cls in fixed:
            leaf, resp = fixed[cls]
            routes[P + leaf.format(n=n)] = resp
            return f"{base}{P}{leaf.format(n=n)}"
        if cls == "http_404":
            return f"{base}{P}old/missing_{n}.html"
        if cls == "dns":
            return f"http://dead-link-{n}.invalid/index.html"
        if cls == "refused":
            return f"http://127.0.0.{self.first_ip + len(self.hosts)}:{closed}/page_{n}.html"
        if cls == "tls":
            return f"https://{fbase.removeprefix('http://')}/secure_{n}.html"
        if cls == "redirect_loop":
            a, b = f"{P}loop/{n}/a.html", f"{P}loop/{n}/b.html"
            routes[a] = Resp(status=302, location=f"{base}{b}")
            routes[b] = Resp(status=302, location=f"{base}{a}")
            return f"{base}{a}"
        if i % 2 == 0:  # soft_404: a page saying it does not exist, or a deep link sent to the homepage
            routes[f"{P}info/notfound_{n}.html"] = Resp(body=SOFT_404.encode())
            return f"{base}{P}info/notfound_{n}.html"
        routes[f"{P}c0/2019/old_{n}.html"] = Resp(status=302, location=f"{base}/")
        return f"{base}{P}c0/2019/old_{n}.html"

    def _serve(self, plan: _SitePlan, routes: dict[str, Resp], links: set[str]) -> None:
        """Routes for every page of a site (and its images and attachments)."""
        for path, page_links in plan.pages.items():
            abs_links = [(u if u.startswith(("http://", "https://")) else plan.base + u, t) for u, t in page_links]
            links.update(u for u, _ in abs_links)
            self.link_refs += len(abs_links)
            routes.setdefault(path, Resp(body=_page(f"页面 {path}", abs_links)))
        for j in range(self.columns):
            routes[f"{plan.prefix}img/c{j}.png"] = Resp(body=b"\x89PNG\r\n\x1a\n" + b"0" * 200, ctype="image/png")
            for k in range(self.articles):
                routes[f"{plan.prefix}files/c{j}_a{k}.pdf"] = Resp(body=b"%PDF-1.4\n" + b"0" * 500,
                                                                   ctype="application/pdf")
        routes[f"{plan.prefix}img/logo.png"] = Resp(body=b"\x89PNG\r\n\x1a\n" + b"0" * 100, ctype="image/png")
        self.sites.append(plan.base + plan.prefix)

    def _place(self, plan: _SitePlan, url: str, text: str, base: str) -> None:
        pages = sorted(plan.pages) + [plan.prefix]
        for path in self.rng.sample(pages, k=min(len(pages), 1 + self.rng.randrange(3))):
            plan.pages.setdefault(path, []).append((url, text))


def _closed_port(ip: str) -> int:
    s = socket.socket()
    s.bind((ip, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def summary(farm: LinkFarm) -> dict[str, Any]:
    """Counts of the farm for the report."""
    return {"sites": len(farm.sites), "hosts": len(farm.hosts), "unique_links": farm.unique_links,
            "link_references": farm.link_refs, "broken": dict(Counter(farm.expected.values())),
            "transient": len(farm.transient)}

"""Every error class against real sockets on loopback: a local server, a closed port, an unresolvable host, TLS."""

from __future__ import annotations

import asyncio

from crawler.links import CheckerSettings, SiteSpec, check_sites

from ._server import LocalServer, Route, closed_port

SOFT = "<html><head><title>提示</title></head><body><p>对不起，您访问的页面不存在或已被删除！</p></body></html>"


def _page(*links: str) -> str:
    return "<html><head><meta charset='utf-8'><title>示范局</title></head><body>" + " ".join(links) + "</body></html>"


def test_every_error_class_on_loopback():
    with LocalServer("127.0.0.1") as site, LocalServer("127.0.0.3") as other:
        dead_port = closed_port("127.0.0.4")
        links = {
            "/missing.html": "http_404",
            "/removed.html": "http_410",
            "/error.html": "http_5xx",
            "/slow.html": "timeout",
            "http://no-such-host.invalid/page.html": "dns",
            f"http://127.0.0.4:{dead_port}/": "refused",
            other.url("/secure.html", scheme="https"): "tls",
            "/loop.html": "redirect_loop",
            "/soft.html": "soft_404",
            "/deep/article_9.html": "soft_404",
            "/files/empty.pdf": "empty_attachment",
            "/flaky.html": None,
            "/files/ok.docx": None,
            other.url("/friend.html"): None,
        }
        anchors = "".join(f'<a href="{u}">链接{i}</a>' for i, u in enumerate(links))
        site.routes.update({
            "/": Route(body=_page(anchors, '<img src="/img/logo.png" alt="标志">')),
            "/img/logo.png": Route(body=b"\x89PNG....", ctype="image/png"),
            "/removed.html": Route(status=410),
            "/error.html": Route(status=500),
            "/slow.html": Route(body=_page("慢"), delay=1.5),
            "/loop.html": Route(status=302, headers={"Location": "/loop2.html"}),
            "/loop2.html": Route(status=301, headers={"Location": "/loop.html"}),
            "/soft.html": Route(body=SOFT),
            "/deep/article_9.html": Route(status=302, headers={"Location": "/index.html"}),
            "/index.html": Route(body=_page("首页")),
            "/files/empty.pdf": Route(body=b"", ctype="application/pdf"),
            "/flaky.html": Route(body=_page("有时忙"), fail_first=1),
            "/files/ok.docx": Route(body=b"PK\x03\x04", ctype="application/msword"),
        })
        other.routes["/friend.html"] = Route(body=_page("友站"))
        settings = CheckerSettings(delay=0, retest_delay=0, timeout=0.5, concurrency_per_host=4)
        scans, results, _ = asyncio.run(check_sites([SiteSpec(1, site.url("/"))], settings))
    by_url = {u if u.startswith("http") else site.url(u): e for u, e in links.items()}
    got = {u: results[u].error for u in by_url}
    assert got == by_url
    assert results[site.url("/flaky.html")].first_error == "http_5xx"  # failed once, worked on the re-test
    assert results[site.url("/img/logo.png")].error is None
    assert scans[0].refs[site.url("/files/empty.pdf")].kind == "attachment"
    assert scans[0].refs[other.url("/friend.html")].kind == "external"
    assert all(r.on_homepage for r in scans[0].refs.values())


def test_per_host_politeness_concurrency_and_delay():
    with LocalServer("127.0.0.1") as site:
        paths = [f"/doc{i}.pdf" for i in range(8)]
        site.routes["/"] = Route(body=_page(*(f'<a href="{p}">附件{p}</a>' for p in paths)))
        for p in paths:
            site.routes[p] = Route(body=b"%PDF", ctype="application/pdf", delay=0.2)
        _, results, checker = asyncio.run(check_sites(
            [SiteSpec(1, site.url("/"))], CheckerSettings(delay=0, retest_delay=0, concurrency_per_host=2)))
        assert all(r.error is None for r in results.values()) and checker.requests == 9
        assert site.max_inflight == 2  # never more than the per-host limit in flight

    with LocalServer("127.0.0.1") as site:
        site.routes["/"] = Route(body=_page(*(f'<a href="{p}">附件{p}</a>' for p in paths)))
        for p in paths:
            site.routes[p] = Route(body=b"%PDF", ctype="application/pdf")
        asyncio.run(check_sites([SiteSpec(1, site.url("/"))],
                                CheckerSettings(delay=0.1, retest_delay=0, concurrency_per_host=4)))
        starts = site.starts
        assert len(starts) == 9
        # 9 request starts at least 0.1 s apart (measured where they arrive, so allow two gaps of jitter)
        assert starts[-1] - starts[0] >= 0.1 * 6


def test_head_get_fallback_and_one_check_per_url_on_real_sockets():
    with LocalServer("127.0.0.1") as site:
        site.routes.update({
            "/": Route(body=_page('<a href="/a.html">甲</a>', '<a href="/b.html">乙</a>', '<a href="/files/x.pdf">附件</a>')),
            "/a.html": Route(body=_page('<a href="/files/x.pdf">附件下载</a>', '<a href="/files/y.xls">报表</a>')),
            "/b.html": Route(body=_page('<a href="/files/x.pdf">同一附件</a>', '<a href="/files/y.xls">报表</a>')),
            "/files/x.pdf": Route(body=b"%PDF-1.4", ctype="application/pdf", head_status=405),
            "/files/y.xls": Route(body=b"\xd0\xcf\x11\xe0", ctype="application/vnd.ms-excel"),
        })
        scans, results, _ = asyncio.run(check_sites([SiteSpec(1, site.url("/"))],
                                                     CheckerSettings(delay=0, retest_delay=0, concurrency_per_host=1),
                                                     scope="site"))
        hits = dict(site.hits)
    assert all(r.error is None for r in results.values())
    # HEAD refused (405): the same URL again with GET; and the host gets GET from then on
    assert hits[("HEAD", "/files/x.pdf")] == 1 and hits[("GET", "/files/x.pdf")] == 1
    assert hits.get(("HEAD", "/files/y.xls"), 0) + hits.get(("GET", "/files/y.xls"), 0) == 1  # once, from 2 pages
    assert scans[0].refs[site.url("/files/x.pdf")].pages == {
        site.url("/"): "附件", site.url("/a.html"): "附件下载", site.url("/b.html"): "同一附件"}

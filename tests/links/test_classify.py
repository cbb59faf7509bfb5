"""Link classification without I/O (httpx.MockTransport): status classes, HEAD→GET, redirects, soft 404, empties."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from crawler.links import (
    CheckerSettings,
    SiteSpec,
    check_sites,
    extract_links,
    is_soft_404_page,
)
from crawler.status import exception_status

SITE = "http://www.example.gov.cn/bm/fgj/"


def _settings(**kw) -> CheckerSettings:
    base = {"delay": 0.0, "retest_delay": 0.0, "concurrency_per_host": 4, "timeout": 2.0}
    base.update(kw)
    return CheckerSettings(**base)


class Farm:
    """A mock web: path -> handler; records (method, url) of every request."""

    def __init__(self, homepage: str, routes: dict[str, object]) -> None:
        self.routes = {SITE: homepage, **routes}
        self.seen: list[tuple[str, str]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.seen.append((request.method, url))
        route = self.routes.get(url)
        if callable(route):
            return route(request)
        if isinstance(route, httpx.Response):
            return route
        if isinstance(route, str):
            return httpx.Response(200, html=route)
        return httpx.Response(404, html="<h1>404</h1>")

    def run(self, scope: str = "homepage", **kw):
        return asyncio.run(check_sites([SiteSpec(1, SITE)], _settings(**kw), scope=scope,
                                       transport=httpx.MockTransport(self.handler)))

    def methods(self, url: str) -> list[str]:
        return [m for m, u in self.seen if u == url]


def _page(*links: str) -> str:
    return "<html><head><title>发改局</title></head><body>" + "".join(links) + "</body></html>"


def test_status_classes_and_kinds():
    farm = Farm(_page(
        '<a href="gone.html">旧页面</a>', '<a href="deleted.html">已删除</a>', '<a href="err.html">出错</a>',
        '<a href="bad.html">坏请求</a>', '<a href="files/plan.pdf">工作计划</a>', '<img src="img/a.png" alt="宣传图">',
        '<a href="http://other.example.org/x">友情链接</a>', '<a href="fine.html">正常</a>',
    ), {
        SITE + "deleted.html": httpx.Response(410),
        SITE + "err.html": httpx.Response(502),
        SITE + "bad.html": httpx.Response(400),
        SITE + "files/plan.pdf": httpx.Response(404),
        SITE + "img/a.png": httpx.Response(404),
        "http://other.example.org/x": httpx.Response(500),
        SITE + "fine.html": _page("<p>正文内容</p>"),
    })
    scans, results, _ = farm.run()
    errors = {u.removeprefix(SITE): r.error for u, r in results.items()}
    assert errors == {
        "": None, "gone.html": "http_404", "deleted.html": "http_410", "err.html": "http_5xx", "bad.html": "http_4xx",
        "files/plan.pdf": "http_404", "img/a.png": "http_404", "http://other.example.org/x": "http_5xx", "fine.html": None,
    }
    kinds = {u.removeprefix(SITE): r.kind for u, r in scans[0].refs.items()}
    assert kinds["files/plan.pdf"] == "attachment" and kinds["img/a.png"] == "image"
    assert kinds["http://other.example.org/x"] == "external" and kinds["gone.html"] == "page"
    # every failure was re-tested once with GET before it counts
    assert all(r.attempts == 2 for r in results.values() if r.error)
    assert farm.methods(SITE + "files/plan.pdf") == ["HEAD", "GET"]


@pytest.mark.parametrize("refusal", [405, 403, 501])
def test_head_refused_falls_back_to_get(refusal):
    def nohead(request: httpx.Request) -> httpx.Response:
        return httpx.Response(refusal) if request.method == "HEAD" else httpx.Response(200, content=b"%PDF-1.4 ...")

    farm = Farm(_page('<a href="a.pdf">附件一</a>', '<a href="b.pdf">附件二</a>'),
                {SITE + "a.pdf": nohead, SITE + "b.pdf": nohead})
    _, results, _ = farm.run(concurrency_per_host=1)
    assert results[SITE + "a.pdf"].error is None and results[SITE + "b.pdf"].error is None
    # the first refusal teaches the checker: the host's next attachment is fetched with GET straight away
    assert farm.methods(SITE + "a.pdf") == ["HEAD", "GET"]
    assert farm.methods(SITE + "b.pdf") == ["GET"]


def test_lying_head_is_caught_by_the_get_retest_and_configured_liars_get_get():
    def liar(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404) if request.method == "HEAD" else httpx.Response(200, content=b"PK\x03\x04")

    farm = Farm(_page('<a href="c.zip">压缩包</a>'), {SITE + "c.zip": liar})
    _, results, checker = farm.run()
    assert results[SITE + "c.zip"].error is None  # never reported
    assert "www.example.gov.cn" in checker.head_unreliable

    farm = Farm(_page('<a href="c.zip">压缩包</a>'), {SITE + "c.zip": liar})
    _, results, _ = farm.run(head_unreliable_hosts=("www.example.gov.cn",))
    assert results[SITE + "c.zip"].error is None and farm.methods(SITE + "c.zip") == ["GET"]


def test_redirects_loops_and_deep_links_sent_home():
    def to(location: str, status: int = 302):
        return httpx.Response(status, headers={"Location": location})

    farm = Farm(_page('<a href="loop1">循环</a>', '<a href="old/art_1.html">旧文章</a>', '<a href="moved">已迁移</a>',
                      '<a href="http://www.example.gov.cn/bm/fgj">栏目首页</a>', '<a href="far0">很远</a>'), {
        SITE + "loop1": to(SITE + "loop2"),
        SITE + "loop2": to("/bm/fgj/loop1"),
        SITE + "old/art_1.html": to("http://www.example.gov.cn/"),
        SITE + "moved": to(SITE + "new.html", 301),
        SITE + "new.html": _page("<p>新地址的正文</p>"),
        "http://www.example.gov.cn/": _page("<p>门户首页</p>"),
        "http://www.example.gov.cn/bm/fgj": to(SITE),
        **{f"{SITE}far{i}": to(f"{SITE}far{i + 1}") for i in range(12)},
    })
    _, results, _ = farm.run()
    assert results[SITE + "loop1"].error == "redirect_loop"
    assert results[SITE + "old/art_1.html"].error == "soft_404"
    assert results[SITE + "moved"].error is None and results[SITE + "moved"].final_url == SITE + "new.html"
    assert results["http://www.example.gov.cn/bm/fgj"].error is None  # the section's own homepage, not a soft 404
    assert results[SITE + "far0"].error == "redirect_loop"  # more than max_redirects hops


def test_soft_404_pages_and_empty_attachments():
    farm = Farm(_page('<a href="x.html">某通知</a>', '<a href="y.html">关于404号文件的说明</a>', '<a href="e.doc">空附件</a>',
                      '<a href="z.html">标题页</a>'), {
        SITE + "x.html": "<html><head><title>提示信息</title></head><body>对不起，您访问的页面不存在！</body></html>",
        SITE + "y.html": _page("<h1>关于404号文件的说明</h1>" + "<p>正文。</p>" * 5),
        SITE + "e.doc": httpx.Response(200, content=b"", headers={"Content-Length": "0"}),
        SITE + "z.html": "<html><head><title>404 Not Found</title></head><body></body></html>",
    })
    _, results, _ = farm.run()
    assert results[SITE + "x.html"].error == "soft_404"
    assert results[SITE + "z.html"].error == "soft_404"
    assert results[SITE + "y.html"].error is None
    assert results[SITE + "e.doc"].error == "empty_attachment"
    assert is_soft_404_page("<title>页面不存在</title>") and not is_soft_404_page("<title>通知公告</title><p>正文</p>")


@pytest.mark.parametrize(("exc", "expected"), [
    (httpx.ConnectTimeout("timed out"), "timeout"),
    (httpx.ReadTimeout("read timed out"), "timeout"),
    (httpx.ConnectError("[Errno -2] Name or service not known"), "dns"),
    (httpx.ConnectError("[Errno 111] Connection refused"), "refused"),
    (httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)"), "tls"),
    (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), "tls"),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."), "network_error"),
])
def test_transport_errors(exc, expected):
    assert exception_status(exc) == expected

    def boom(request: httpx.Request) -> httpx.Response:
        raise exc

    farm = Farm(_page('<a href="http://broken.example.org/">坏链接</a>'), {"http://broken.example.org/": boom})
    _, results, _ = farm.run()
    assert results["http://broken.example.org/"].error == expected


def test_transient_failure_is_never_reported():
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        return httpx.Response(503) if calls["n"] == 1 else httpx.Response(200, content=b"%PDF")

    farm = Farm(_page('<a href="f.pdf">附件</a>'), {SITE + "f.pdf": flaky})
    _, results, _ = farm.run()
    r = results[SITE + "f.pdf"]
    assert r.error is None and r.first_error == "http_5xx" and r.attempts == 2


def test_each_url_once_with_every_referrer_and_anchor_text():
    farm = Farm(_page('<a href="a.html">甲页</a>', '<a href="b.html">乙页</a>', '<a href="dead.pdf">通知附件</a>'), {
        SITE + "a.html": _page('<a href="dead.pdf">下载附件</a>', '<a href="http://ext.example.org/">外部</a>'),
        SITE + "b.html": _page('<a href="/bm/fgj/dead.pdf"><img src="/bm/fgj/icon.png" alt="附件图标"></a>',
                               '<a href="http://ext.example.org/#top">外部</a>'),
        SITE + "icon.png": httpx.Response(200, content=b"\x89PNG"),
        "http://ext.example.org/": httpx.Response(200),
    })
    scans, results, checker = farm.run(scope="site")
    ref = scans[0].refs[SITE + "dead.pdf"]
    assert ref.pages == {SITE: "通知附件", SITE + "a.html": "下载附件", SITE + "b.html": "附件图标"}
    assert ref.on_homepage and ref.kind == "attachment"
    assert farm.methods(SITE + "dead.pdf") == ["HEAD", "GET"]  # once, plus the re-test
    assert farm.methods("http://ext.example.org/") == ["HEAD"]
    assert not scans[0].refs["http://ext.example.org/"].on_homepage
    assert checker.requests == len(farm.seen)


def test_external_ok_cache_saves_requests():
    import datetime as dt

    farm = Farm(_page('<a href="http://ext.example.org/">外部</a>'), {"http://ext.example.org/": httpx.Response(200)})
    cache = {"http://ext.example.org/": dt.datetime.now(dt.UTC)}
    _, results, _ = asyncio.run(check_sites([SiteSpec(1, SITE)], _settings(), transport=httpx.MockTransport(farm.handler),
                                            ok_cache=cache))
    assert results["http://ext.example.org/"].error is None and results["http://ext.example.org/"].cached
    assert farm.methods("http://ext.example.org/") == []


def test_only_real_links_are_extracted():
    html = _page(
        '<a href="#top">回到顶部</a>', '<a href="javascript:void(0)">打印</a>', '<a href="mailto:a@b.cn">来信</a>',
        '<a href="tel:0855-1234567">电话</a>', '<a href="news.html#p2">新闻</a>', '<iframe src="/map.html" title="地图"></iframe>',
        '<frame src="left.html">', '<a href="news.html">新闻（重复）</a>', '<img src="data:image/png;base64,AAAA">',
    )
    links = extract_links(html, SITE, {"www.example.gov.cn"})
    assert [(link.url, link.kind, link.text) for link in links] == [
        (SITE + "news.html", "page", "新闻"),
        ("http://www.example.gov.cn/map.html", "page", "地图"),
        (SITE + "left.html", "page", "[frame]"),
    ]


def test_homepage_that_does_not_open_is_not_judged():
    farm = Farm("", {SITE: httpx.Response(503)})
    scans, results, _ = farm.run()
    assert scans[0].status == "failed" and scans[0].refs == {}


def test_a_link_confirmed_broken_the_run_before_is_not_retested_when_it_fails_the_same_way():
    gone, moved = SITE + "old/gone.html", SITE + "old/moved.html"
    farm = Farm(f'<a href="{gone}">旧文</a><a href="{moved}">旧页</a>',
                {moved: httpx.Response(500, html="<h1>error</h1>")})  # gone answers 404
    known = {gone: "http_404", moved: "http_404"}  # moved failed otherwise yesterday: today's 500 is re-tested
    _, results, _ = asyncio.run(check_sites([SiteSpec(1, SITE)], _settings(), known_broken=known,
                                            transport=httpx.MockTransport(farm.handler)))
    assert (results[gone].state, results[gone].error, results[gone].attempts) == ("broken", "http_404", 2)
    assert sum(1 for _m, u in farm.seen if u == gone) == 1  # one request: the run before was its re-test
    assert results[moved].state == "broken" and results[moved].attempts == 2
    assert sum(1 for _m, u in farm.seen if u == moved) == 2  # a new failure is re-tested as ever


def test_a_link_broken_the_run_before_that_works_today_is_fine():
    gone = SITE + "old/gone.html"
    farm = Farm(f'<a href="{gone}">旧文</a>', {gone: "<html><body>已恢复的页面，内容正常。</body></html>"})
    _, results, _ = asyncio.run(check_sites([SiteSpec(1, SITE)], _settings(), known_broken={gone: "http_404"},
                                            transport=httpx.MockTransport(farm.handler)))
    assert results[gone].state == "ok"

"""Tests of the ``douyin`` and ``toutiao`` adapters: recorded XHR answers, and pages rendered in Chromium."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from crawler.accounts import AccountObservation, AccountRef, fetch_accounts
from crawler.accounts.douyin import DouyinAdapter
from crawler.accounts.toutiao import ToutiaoAdapter

from ._server import LocalServer, Seen
from .conftest import CHROMIUM, NOW, fixture_bytes, needs_chromium, recorded

DY = AccountRef("douyin", id="MS4wLjABAAAAtaijiangRongMei", name="台江融媒")
TT = AccountRef("toutiao", id="MS4wLjABAAAAtoutiaoTaijiang", name="台江发布")
DY_XHR = "http://127.0.0.1:9/aweme/v1/web/aweme/post/?sec_user_id=MS4wLjABAAAAtaijiangRongMei&count=18"
TT_XHR = "http://127.0.0.1:9/api/pc/list/user/feed?category=profile_all&token=MS4wLjABAAAAtoutiaoTaijiang"


def douyin(
    name: str | None, status: int = 200, adapter: DouyinAdapter | None = None, **kw: object
) -> AccountObservation:
    xhr = recorded(name, status=status, url=DY_XHR, **kw) if name is not None or kw or status != 200 else None  # type: ignore[arg-type]
    return (adapter or DouyinAdapter()).parse(DY, xhr, now=NOW)


def page(name: str, status: int = 200) -> httpx.Response:
    return recorded(name, status=status, url="http://127.0.0.1:9/user/x")


# -- douyin, parsing -------------------------------------------------------------------------------


def test_douyin_ok() -> None:
    o = douyin("douyin/post_ok.json")
    assert o.status == "ok" and o.display_name == "台江融媒"
    assert [p.id for p in o.posts] == ["6972000000000000001", "6971000000000000002"]
    assert o.posts[0].published == datetime(2021, 6, 13, 10, 40, 30, tzinfo=UTC)
    assert o.posts[0].url == "https://www.douyin.com/video/6972000000000000001"
    assert o.latest() == datetime(2021, 6, 13, 10, 40, 30, tzinfo=UTC)


def test_douyin_pinned_first() -> None:
    o = douyin("douyin/post_pinned_first.json")
    assert o.status == "ok"
    assert [p.pinned for p in o.posts] == [True, False, False]
    assert [p.deleted for p in o.posts] == [False, False, True]
    assert o.latest() == datetime(
        2021, 6, 12, 4, 0, tzinfo=UTC
    )  # not the 2019 pinned one, not the deleted one
    assert o.latest(count_deleted=True) == datetime(2021, 6, 14, 5, 53, 20, tzinfo=UTC)


def test_douyin_empty_and_withheld() -> None:
    assert douyin("douyin/post_empty.json").status == "empty"
    assert douyin("douyin/post_withheld.json").status == "blocked"


def test_douyin_blocked() -> None:
    o = douyin(None, body=b"")  # the real platform answers 200 with an empty body to an unsigned request
    assert o.status == "blocked" and "empty" in (o.error or "")
    assert douyin(None, 403).status == "blocked"
    o = DouyinAdapter().parse(DY, None, page=page("douyin/page_captcha.html"), now=NOW)
    assert o.status == "blocked" and "captcha" in (o.error or "")


def test_douyin_expired() -> None:
    o = douyin("douyin/post_expired.json", adapter=DouyinAdapter(cookies="sessionid=abc"))
    assert o.status == "auth_expired"
    assert douyin("douyin/post_expired.json").status == "blocked"  # no session was given: a login wall


def test_douyin_rate_limited() -> None:
    assert douyin("douyin/post_rate_limited.json").status == "rate_limited"
    assert douyin(None, 429).status == "rate_limited"


def test_douyin_without_a_post_list() -> None:
    adapter = DouyinAdapter()
    assert adapter.parse(DY, None, page=page("douyin/page_not_found.html"), now=NOW).status == "not_found"
    assert adapter.parse(DY, None, page=page("douyin/page_plain.html", 404), now=NOW).status == "not_found"
    o = adapter.parse(DY, None, page=page("douyin/page_plain.html"), now=NOW)
    assert o.status == "parse_error" and o.posts == []
    assert adapter.parse(DY, None, now=NOW).status == "parse_error"
    assert douyin(None, body=b"<html>not json</html>").status == "parse_error"


# -- toutiao, parsing ------------------------------------------------------------------------------


def toutiao(
    name: str | None, status: int = 200, adapter: ToutiaoAdapter | None = None, **kw: object
) -> AccountObservation:
    xhr = recorded(name, status=status, url=TT_XHR, **kw)  # type: ignore[arg-type]
    return (adapter or ToutiaoAdapter()).parse(TT, xhr, now=NOW)


def test_toutiao_ok() -> None:
    o = toutiao("toutiao/feed_ok.json")
    assert o.status == "ok" and o.display_name == "台江发布"
    assert [p.repost for p in o.posts] == [False, True]
    assert o.posts[1].title == "转发：黔东南州端午假期出行提示"
    assert o.posts[1].published == datetime(2021, 6, 12, 4, 0, tzinfo=UTC)  # behot_time when no publish_time
    assert o.latest() == datetime(2021, 6, 14, 2, 31, 5, tzinfo=UTC)


def test_toutiao_pinned_first() -> None:
    o = toutiao("toutiao/feed_pinned_first.json")
    assert [p.pinned for p in o.posts] == [True, False, False]
    assert o.latest() == datetime(2021, 6, 12, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "status", "expected"),
    [
        ("toutiao/feed_empty.json", 200, "empty"),
        ("toutiao/feed_blocked.json", 200, "blocked"),
        ("toutiao/feed_expired.json", 200, "blocked"),
        ("toutiao/feed_rate_limited.json", 200, "rate_limited"),
        (None, 429, "rate_limited"),
        (None, 200, "blocked"),
    ],
)
def test_toutiao_statuses(name: str | None, status: int, expected: str) -> None:
    assert toutiao(name, status).status == expected


def test_toutiao_expired_with_a_session() -> None:
    assert (
        toutiao("toutiao/feed_expired.json", adapter=ToutiaoAdapter(cookies="sessionid=abc")).status
        == "auth_expired"
    )


def test_profile_urls() -> None:
    assert DouyinAdapter().profile_url(DY) == "https://www.douyin.com/user/MS4wLjABAAAAtaijiangRongMei"
    assert ToutiaoAdapter(base_url="http://127.0.0.1:5").profile_url(TT) == (
        "http://127.0.0.1:5/c/user/token/MS4wLjABAAAAtoutiaoTaijiang/"
    )
    assert DouyinAdapter().profile_url(
        AccountRef("douyin", url="/user/abc", base_url="http://127.0.0.1:6")
    ) == ("http://127.0.0.1:6/user/abc")


# -- end to end, rendered in Chromium --------------------------------------------------------------

JSON = {"content-type": "application/json; charset=utf-8"}
HTML = {"content-type": "text/html; charset=utf-8"}


def serve_douyin(server: LocalServer) -> None:
    """fresh: ok; pinned: pinned-first; quiet: empty; captcha: a verification page; unsigned: an empty
    body; limited: HTTP 429; gone: a 404 page; static: a page that never asks for its list."""
    lists = {
        "fresh": (200, JSON, fixture_bytes("douyin/post_ok.json")),
        "pinned": (200, JSON, fixture_bytes("douyin/post_pinned_first.json")),
        "quiet": (200, JSON, fixture_bytes("douyin/post_empty.json")),
        "unsigned": (200, JSON, b""),
        "limited": (429, JSON, b'{"status_code": 2154, "status_msg": "too many requests"}'),
    }
    for sec_uid in lists:
        server.route(f"/user/{sec_uid}", (200, HTML, fixture_bytes("douyin/profile.html")))
    server.route("/user/captcha", (200, HTML, fixture_bytes("douyin/page_captcha.html")))
    server.route("/user/gone", (404, HTML, fixture_bytes("douyin/page_not_found.html")))
    server.route("/user/static", (200, HTML, fixture_bytes("douyin/page_plain.html")))

    def post_list(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        return lists.get(
            seen.query.get("sec_user_id", ""),
            (200, JSON, '{"status_code": 2053, "status_msg": "不存在"}'.encode()),
        )

    server.route("/aweme/v1/web/aweme/post/", post_list)


async def _with(
    adapter: DouyinAdapter | ToutiaoAdapter, refs: list[AccountRef], **kw: object
) -> list[AccountObservation]:
    try:
        return await fetch_accounts(refs, now=NOW, adapters={adapter.name: adapter}, timeout=10, **kw)  # type: ignore[arg-type]
    finally:
        await adapter.aclose()


@pytest.mark.browser
@needs_chromium
def test_douyin_end_to_end_in_chromium(server: LocalServer) -> None:
    serve_douyin(server)
    ids = ["fresh", "pinned", "quiet", "captcha", "unsigned", "limited", "gone", "static"]
    refs = [AccountRef("douyin", id=i, base_url=server.base) for i in ids]
    adapter = DouyinAdapter(executable_path=CHROMIUM, timeout=10, wait=1.5, max_pages=4)
    result = asyncio.run(_with(adapter, refs, per_host_concurrency=4))
    assert [o.status for o in result] == [
        "ok",
        "ok",
        "empty",
        "blocked",
        "blocked",
        "rate_limited",
        "not_found",
        "parse_error",
    ]
    assert result[0].latest() == datetime(2021, 6, 13, 10, 40, 30, tzinfo=UTC)
    assert result[1].posts[0].pinned and result[1].latest() == datetime(2021, 6, 12, 4, 0, tzinfo=UTC)
    assert all(o.posts == [] for o in result[3:])
    xhr = server.hits("/aweme/v1/web/aweme/post/")
    assert {r.query["sec_user_id"] for r in xhr} == {"fresh", "pinned", "quiet", "unsigned", "limited"}


@pytest.mark.browser
@needs_chromium
def test_toutiao_end_to_end_in_chromium(server: LocalServer) -> None:
    feeds = {
        "fresh": fixture_bytes("toutiao/feed_ok.json"),
        "pinned": fixture_bytes("toutiao/feed_pinned_first.json"),
        "quiet": fixture_bytes("toutiao/feed_empty.json"),
        "limited": fixture_bytes("toutiao/feed_rate_limited.json"),
    }
    for token in feeds:
        server.route(f"/c/user/token/{token}/", (200, HTML, fixture_bytes("toutiao/profile.html")))
    server.route(
        "/api/pc/list/user/feed",
        lambda seen: (
            (200, JSON, feeds[seen.query["token"]])
            if seen.query.get("category") == "profile_all"
            else (400, {}, b"")
        ),
    )
    refs = [AccountRef("toutiao", id=t, base_url=server.base) for t in feeds]
    adapter = ToutiaoAdapter(executable_path=CHROMIUM, timeout=10, wait=5)
    result = asyncio.run(_with(adapter, refs))
    assert [o.status for o in result] == ["ok", "ok", "empty", "rate_limited"]
    assert result[1].posts[0].pinned and result[1].latest() == datetime(2021, 6, 12, 4, 0, tzinfo=UTC)


@pytest.mark.browser
@needs_chromium
def test_browser_traffic_can_go_through_the_injected_client() -> None:
    """With ``route_through_client`` every request of the page goes through the httpx client (a mock here)."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/user/fresh":
            return httpx.Response(200, headers=HTML, content=fixture_bytes("douyin/profile.html"))
        if request.url.path == "/aweme/v1/web/aweme/post/":
            return httpx.Response(200, headers=JSON, content=fixture_bytes("douyin/post_pinned_first.json"))
        return httpx.Response(404)

    adapter = DouyinAdapter(executable_path=CHROMIUM, timeout=10, wait=5, route_through_client=True)

    async def run() -> list[AccountObservation]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            try:
                # port 9 on loopback: were anything to leave the mock, it would be refused
                ref = AccountRef("douyin", id="fresh", base_url="http://127.0.0.1:9")
                return await fetch_accounts([ref], now=NOW, client=client, adapters={"douyin": adapter})
            finally:
                await adapter.aclose()

    result = asyncio.run(run())
    assert result[0].status == "ok" and result[0].latest() == datetime(2021, 6, 12, 4, 0, tzinfo=UTC)
    assert seen[:2] == ["/user/fresh", "/aweme/v1/web/aweme/post/"]


@pytest.mark.browser
@needs_chromium
def test_an_unreachable_profile_page_is_a_network_error() -> None:
    adapter = DouyinAdapter(executable_path=CHROMIUM, timeout=5, wait=1)
    result = asyncio.run(_with(adapter, [AccountRef("douyin", id="x", base_url="http://127.0.0.1:9")]))
    assert result[0].status == "network_error" and result[0].posts == []


@pytest.mark.browser
@needs_chromium
def test_an_adapter_instance_survives_several_runs(server: LocalServer) -> None:
    """fetch_accounts closes the browser at the end of each run; the next run starts a new one."""
    serve_douyin(server)
    adapter = DouyinAdapter(executable_path=CHROMIUM, timeout=10, wait=5)
    ref = AccountRef("douyin", id="fresh", base_url=server.base)
    for _ in range(2):
        result = asyncio.run(fetch_accounts([ref], now=NOW, adapters={"douyin": adapter}))
        assert result[0].status == "ok"
        assert adapter._browser is None  # released

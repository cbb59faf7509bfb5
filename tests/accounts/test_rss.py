"""Tests of the ``rss`` adapter: parsing recorded feeds, conditional requests, and a local feed server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from crawler.accounts import AccountObservation, AccountRef, fetch_accounts
from crawler.accounts.rss import FeedCache, FeedCacheEntry, RssAdapter, parse_feed
from crawler.accounts.timefmt import SHANGHAI

from ._server import LocalServer, Seen
from .conftest import NOW, fixture_bytes, recorded

REF = AccountRef("rss", url="http://127.0.0.1:1200/weibo/user/1234567890", name="台江发布")


def parse(name: str | None, status: int = 200, **kw: object) -> AccountObservation:
    return RssAdapter().parse(REF, recorded(name, status=status), now=NOW, **kw)  # type: ignore[arg-type]


def test_rss2_ok() -> None:
    o = parse("rss/ok_rss2.xml")
    assert o.status == "ok" and o.http_status == 200
    assert o.display_name == "台江发布的微博"
    assert [p.id for p in o.posts] == [
        "https://weibo.com/1234567890/KkAbCdEfG",
        "https://weibo.com/1234567890/KjXyZaBcD",
    ]
    assert o.posts[0].published == datetime(2021, 6, 14, 2, 31, 5, tzinfo=UTC)
    assert o.posts[0].url == "https://weibo.com/1234567890/KkAbCdEfG"
    assert o.posts[0].title.startswith("【台江县召开2021年防汛抗旱工作会议】")
    assert o.latest() == datetime(2021, 6, 14, 10, 31, 5, tzinfo=SHANGHAI)
    assert o.account == REF.url and o.platform == "rss"


def test_pinned_first_feed_latest_is_the_newer_post() -> None:
    o = parse("rss/pinned_first.xml")
    assert o.status == "ok"
    assert o.posts[0].published.year == 2019
    assert o.latest() == datetime(2021, 6, 12, 8, 0, tzinfo=UTC)


def test_atom_uses_published_else_updated() -> None:
    o = parse("rss/ok_atom.xml")
    assert o.status == "ok" and o.display_name == "台江县人民政府"
    assert [p.published for p in o.posts] == [
        datetime(2021, 6, 14, 8, 30, tzinfo=UTC),
        datetime(2021, 6, 9, 12, 0, tzinfo=SHANGHAI),
    ]
    assert o.posts[0].url == "https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOp"


def test_json_feed() -> None:
    o = parse("rss/ok_jsonfeed.json")
    assert o.status == "ok" and o.display_name == "台江融媒的抖音"
    assert [p.title for p in o.posts] == ["航拍台江：施洞龙舟节", "苗绣传承人的一天"]
    assert o.latest() == datetime(2021, 6, 13, 10, 20, 30, tzinfo=UTC)


def test_dates_without_a_zone_are_taijiang_time_and_undated_items_do_not_count() -> None:
    o = parse("rss/naive_dates.xml")
    assert o.status == "ok"
    assert [p.published for p in o.posts] == [
        datetime(2021, 6, 14, 9, 30, tzinfo=SHANGHAI),
        datetime(2021, 6, 11, 18, 0, tzinfo=SHANGHAI),
    ]


def test_rss_1_0_with_dc_date() -> None:
    o = parse("rss/rdf.xml")
    assert o.status == "ok"
    assert o.posts[0].published == datetime(2021, 6, 13, 16, 0, tzinfo=SHANGHAI)


def test_html_entities_in_a_feed_are_tolerated() -> None:
    o = parse("rss/entities.xml")
    assert o.status == "ok"
    assert o.display_name == "台江县\u00a0教育局"
    assert o.posts[0].title == "2021年中考 报名须知—通知"


def test_empty_feed() -> None:
    o = parse("rss/empty.xml")
    assert o.status == "empty" and o.posts == [] and o.display_name == "台江县林业局的微博"


@pytest.mark.parametrize(
    ("name", "code", "status"),
    [
        ("rss/blocked.html", 403, "blocked"),
        ("rss/expired.html", 401, "auth_expired"),
        ("rss/rate_limited.html", 429, "rate_limited"),
        ("rss/rate_limited.html", 418, "rate_limited"),
        ("rss/not_a_feed.html", 404, "not_found"),
        ("rss/expired.html", 503, "http_error"),
        ("rss/not_a_feed.html", 200, "parse_error"),
    ],
)
def test_failures(name: str, code: int, status: str) -> None:
    o = parse(name, code)
    assert o.status == status and o.posts == [] and o.http_status == code and o.error


@pytest.mark.parametrize(
    "body", [b"", b"<rss><channel><item>", b"{not json", b'{"version": "x"}', b"<opml/>"]
)
def test_garbage_is_a_parse_error(body: bytes) -> None:
    o = RssAdapter().parse(REF, recorded(None, body=body), now=NOW)
    assert o.status == "parse_error"


def test_items_without_any_date_are_a_parse_error_not_an_empty_account() -> None:
    body = "<rss><channel><title>t</title><item><title>a</title></item></channel></rss>"
    o = RssAdapter().parse(REF, recorded(None, body=body), now=NOW)
    assert o.status == "parse_error" and "none with a usable date" in (o.error or "")


def test_not_modified_reuses_the_cached_posts() -> None:
    first = parse("rss/ok_rss2.xml")
    entry = FeedCacheEntry(
        etag='"v1"', last_modified=None, posts=first.posts, display_name=first.display_name
    )
    o = RssAdapter().parse(REF, recorded(None, status=304), now=NOW, cached=entry)
    assert o.status == "ok" and o.posts == first.posts and o.http_status == 304
    assert RssAdapter().parse(REF, recorded(None, status=304), now=NOW).status == "parse_error"


def test_feed_cache_round_trips_through_a_dict() -> None:
    first = parse("rss/ok_rss2.xml")
    cache = FeedCache(
        {"u": FeedCacheEntry(etag='"v1"', last_modified="x", posts=first.posts, display_name="d")}
    )
    again = FeedCache.from_dict(cache.to_dict())
    assert again.get("u") == cache.get("u")


def test_parse_feed_direct() -> None:
    feed = parse_feed(fixture_bytes("rss/ok_rss2.xml"), now=NOW)
    assert feed.items == 2 and len(feed.posts) == 2


def test_feed_url_resolution() -> None:
    adapter = RssAdapter(base_url="http://127.0.0.1:1300")
    assert (
        adapter.feed_url(AccountRef("rss", url="http://127.0.0.1:4000/feeds/a.atom"))
        == "http://127.0.0.1:4000/feeds/a.atom"
    )
    assert adapter.feed_url(AccountRef("rss", url="/weibo/user/1")) == "http://127.0.0.1:1300/weibo/user/1"
    assert (
        adapter.feed_url(AccountRef("rss", id="weibo/user/1", base_url="http://127.0.0.1:5"))
        == "http://127.0.0.1:5/weibo/user/1"
    )
    assert (
        RssAdapter().feed_url(AccountRef("rss", url="/douyin/user/x"))
        == "http://127.0.0.1:1200/douyin/user/x"
    )


def test_conditional_requests_through_a_mock_transport() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304, headers={"etag": '"v1"'})
        return httpx.Response(
            200,
            content=fixture_bytes("rss/ok_rss2.xml"),
            headers={"etag": '"v1"', "last-modified": "Tue, 15 Jun 2021 01:58:12 GMT"},
        )

    adapter = RssAdapter()

    async def run() -> list[AccountObservation]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return [await adapter.fetch(client, REF, now=NOW) for _ in range(2)]

    first, second = asyncio.run(run())
    assert first.http_status == 200 and second.http_status == 304
    assert second.status == "ok" and second.posts == first.posts
    assert "if-none-match" not in seen[0].headers
    assert seen[1].headers["if-none-match"] == '"v1"'
    assert seen[1].headers["if-modified-since"] == "Tue, 15 Jun 2021 01:58:12 GMT"


# -- end to end, against a local feed server ----------------------------------------------------


def serve_feeds(server: LocalServer) -> None:
    def versioned(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if seen.headers.get("if-modified-since") == "Tue, 15 Jun 2021 01:58:12 GMT":
            return 304, {}, b""
        return (
            200,
            {"content-type": "application/rss+xml", "last-modified": "Tue, 15 Jun 2021 01:58:12 GMT"},
            fixture_bytes("rss/ok_rss2.xml"),
        )

    server.route("/weibo/user/1234567890", versioned)
    server.route(
        "/weibo/user/2345678901", (200, {"content-type": "text/xml"}, fixture_bytes("rss/pinned_first.xml"))
    )
    server.route(
        "/weibo/user/3456789012", (200, {"content-type": "text/xml"}, fixture_bytes("rss/empty.xml"))
    )
    server.route(
        "/feeds/MP_WXS_3071234567.atom",
        (200, {"content-type": "application/atom+xml"}, fixture_bytes("rss/ok_atom.xml")),
    )
    server.route(
        "/douyin/user/x",
        (200, {"content-type": "application/feed+json"}, fixture_bytes("rss/ok_jsonfeed.json")),
    )
    server.route("/weibo/user/limited", (429, {"retry-after": "60"}, fixture_bytes("rss/rate_limited.html")))
    server.route("/weibo/user/expired", (401, {}, fixture_bytes("rss/expired.html")))
    server.route("/weibo/user/blocked", (403, {}, fixture_bytes("rss/blocked.html")))
    server.route("/moved", (301, {"location": "/weibo/user/2345678901"}, b""))


def test_end_to_end_feeds_through_base_url(server: LocalServer) -> None:
    serve_feeds(server)
    refs = [
        AccountRef("rss", url="/weibo/user/1234567890", base_url=server.base),
        AccountRef("rss", url="/weibo/user/2345678901", base_url=server.base),
        AccountRef("rss", url="/weibo/user/3456789012", base_url=server.base),
        AccountRef("rss", url=f"{server.base}/feeds/MP_WXS_3071234567.atom"),
        AccountRef("rss", url="/douyin/user/x", base_url=server.base),
        AccountRef("rss", url="/weibo/user/limited", base_url=server.base),
        AccountRef("rss", url="/weibo/user/expired", base_url=server.base),
        AccountRef("rss", url="/weibo/user/blocked", base_url=server.base),
        AccountRef("rss", url="/weibo/user/nobody", base_url=server.base),
        AccountRef("rss", url="/moved", base_url=server.base),
    ]
    cache = FeedCache()
    adapters = {"rss": RssAdapter(cache=cache)}
    first = asyncio.run(fetch_accounts(refs, now=NOW, adapters=adapters, timeout=5))
    assert [o.status for o in first] == [
        "ok",
        "ok",
        "empty",
        "ok",
        "ok",
        "rate_limited",
        "auth_expired",
        "blocked",
        "not_found",
        "ok",
    ]
    assert first[1].latest() == datetime(2021, 6, 12, 8, 0, tzinfo=UTC)
    assert first[9].posts == first[1].posts  # the redirect was followed

    second = asyncio.run(fetch_accounts(refs[:1], now=NOW, adapters=adapters, timeout=5))
    assert second[0].http_status == 304 and second[0].posts == first[0].posts
    hits = server.hits("/weibo/user/1234567890")
    assert len(hits) == 2 and hits[1].headers["if-modified-since"] == "Tue, 15 Jun 2021 01:58:12 GMT"

"""Tests of the ``weibo`` adapter: recorded container-API answers and a local stand-in for m.weibo.cn."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from crawler.accounts import AccountObservation, AccountRef, fetch_accounts
from crawler.accounts.timefmt import SHANGHAI
from crawler.accounts.weibo import WeiboAdapter

from ._server import LocalServer, Seen
from .conftest import NOW, fixture_bytes, recorded

REF = AccountRef("weibo", id="1234567890", name="台江发布")
BASE = "http://127.0.0.1:9"
PROFILE_URL = f"{BASE}/api/container/getIndex?type=uid&value=1234567890"
POSTS_URL = PROFILE_URL + "&containerid=1076031234567890"


def profile(name: str = "weibo/profile_ok.json", status: int = 200, **kw: object):
    return recorded(name, status=status, url=PROFILE_URL, **kw)  # type: ignore[arg-type]


def posts(name: str | None, status: int = 200, **kw: object):
    return recorded(name, status=status, url=POSTS_URL, **kw)  # type: ignore[arg-type]


def parse(profile_resp, posts_resp, adapter: WeiboAdapter | None = None) -> AccountObservation:
    return (adapter or WeiboAdapter()).parse(REF, profile_resp, posts_resp, now=NOW)


def test_ok() -> None:
    o = parse(profile(), posts("weibo/posts_ok.json"))
    assert o.status == "ok" and o.display_name == "台江发布" and o.account == "1234567890"
    assert [p.id for p in o.posts] == ["4647912345678901", "4647001122334455", "4646500000000000"]
    assert [p.repost for p in o.posts] == [False, True, False]
    assert not any(p.pinned for p in o.posts)
    assert o.posts[0].published == datetime(2021, 6, 14, 10, 31, 5, tzinfo=SHANGHAI)
    assert (
        o.posts[0].title.startswith("【台江县召开2021年防汛抗旱工作会议】") and "<a" not in o.posts[0].title
    )
    assert o.posts[0].url == "https://m.weibo.cn/status/KkAbCdEfG"
    assert o.latest() == datetime(2021, 6, 14, 10, 31, 5, tzinfo=SHANGHAI)
    assert o.latest(count_reposts=False) == datetime(2021, 6, 14, 10, 31, 5, tzinfo=SHANGHAI)


def test_pinned_first_latest_is_the_newer_post_and_old_time_formats_are_read() -> None:
    o = parse(profile(), posts("weibo/posts_pinned_first.json"))
    assert o.status == "ok"
    assert [p.pinned for p in o.posts] == [True, False, False]  # isTop/mblogtype 2, also inside card_group
    assert o.posts[0].published == datetime(2019, 3, 1, tzinfo=SHANGHAI)
    assert o.posts[1].published == datetime(2021, 6, 14, 12, 0, tzinfo=SHANGHAI)  # 昨天 12:00
    assert o.posts[2].published == datetime(2021, 6, 8, tzinfo=SHANGHAI)  # 06-08
    assert o.latest() == datetime(2021, 6, 14, 12, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("name", ["weibo/posts_empty.json", "weibo/posts_empty_ok1.json"])
def test_empty(name: str) -> None:
    o = parse(profile(), posts(name))
    assert o.status == "empty" and o.posts == [] and o.display_name == "台江发布"


def test_a_listing_that_hides_existing_posts_is_not_empty() -> None:
    o = parse(profile(), posts("weibo/posts_withheld.json"))
    assert o.status == "parse_error"


def test_blocked_432() -> None:
    o = parse(profile("weibo/blocked_432.html", 432), None)
    assert o.status == "blocked" and o.http_status == 432
    o = parse(profile(), posts("weibo/blocked_432.html", 432))
    assert o.status == "blocked" and o.display_name == "台江发布"


def test_ok_minus_100_is_blocked_for_a_visitor_and_expired_for_a_session() -> None:
    o = parse(profile("weibo/login_required.json"), None)
    assert o.status == "blocked" and "-100" in (o.error or "")
    o = parse(profile("weibo/login_required.json"), None, WeiboAdapter(cookies="SUB=_2A25Nlogged; SUBP=0033"))
    assert o.status == "auth_expired"


def test_redirects() -> None:
    visitor = {"location": "https://passport.weibo.com/visitor/visitor?entry=miniblog&a=enter&url=x"}
    assert parse(profile(None, 302, headers=visitor), None).status == "blocked"
    login = {"location": "https://passport.weibo.cn/signin/login?entry=mweibo&r=x"}
    assert (
        parse(profile(None, 302, headers=login), None, WeiboAdapter(cookies="SUB=x")).status == "auth_expired"
    )
    assert parse(profile(None, 302, headers={"location": "/elsewhere"}), None).status == "http_error"


@pytest.mark.parametrize(
    ("name", "code"),
    [("weibo/rate_limited.json", 200), ("weibo/blocked_432.html", 418), (None, 429)],
)
def test_rate_limited(name: str | None, code: int) -> None:
    o = parse(profile(), posts(name, code))
    assert o.status == "rate_limited"
    o = parse(profile(name, code), None)
    assert o.status == "rate_limited"


def test_not_found() -> None:
    assert parse(profile("weibo/profile_not_found.json"), None).status == "not_found"
    assert parse(profile(None, 404), None).status == "not_found"


def test_not_json_and_unknown_answers_are_parse_errors() -> None:
    assert parse(profile(), posts(None, body="<html>oops</html>")).status == "parse_error"
    assert parse(profile(), posts(None, body='{"ok": 0, "msg": "系统繁忙"}')).status == "parse_error"
    assert parse(profile(None, body='{"ok": 1, "data": {}}'), None).status == "not_found"
    assert parse(profile(None, 500), None).status == "http_error"


def test_containerid_comes_from_tabs_info() -> None:
    import json

    data = json.loads(fixture_bytes("weibo/profile_ok.json"))
    assert WeiboAdapter.posts_containerid(REF, data) == "1076031234567890"
    data["data"]["tabsInfo"]["tabs"][1]["containerid"] = "107603_custom"
    assert WeiboAdapter.posts_containerid(REF, data) == "107603_custom"
    assert WeiboAdapter.posts_containerid(REF, {"ok": 1, "data": {}}) == "1076031234567890"


# -- end to end, against a local stand-in for m.weibo.cn and its visitor passport -----------------

VISITOR_SUB = "_2AkMVisitorSubValue"


def serve_weibo(server: LocalServer) -> None:
    """Accounts: 1234567890 fresh (behind the visitor wall), 2345678901 pinned-first, 3456789012 empty,
    4567890123 always ok:-100, 5678901234 HTTP 432, 6789012345 rate limited, 7890123456 unknown."""
    containers = {
        "1234567890": ("1076031234567890_-_WEIBO_SECOND_PROFILE_WEIBO", "weibo/posts_ok.json"),
        "2345678901": ("1076032345678901", "weibo/posts_pinned_first.json"),
        "3456789012": ("1076033456789012", "weibo/posts_empty.json"),
    }
    profile_body = fixture_bytes("weibo/profile_ok.json").decode()

    def get_index(seen: Seen) -> tuple[int, dict[str, str], bytes | str]:
        uid = seen.query.get("value", "")
        has_visitor = f"SUB={VISITOR_SUB}" in seen.headers.get("cookie", "")
        if uid == "1234567890" and not has_visitor:
            return 302, {"location": "https://passport.weibo.com/visitor/visitor?entry=miniblog&a=enter"}, b""
        if uid == "4567890123":
            return 200, {"content-type": "application/json"}, fixture_bytes("weibo/login_required.json")
        if uid == "5678901234":
            return 432, {"content-type": "text/html"}, fixture_bytes("weibo/blocked_432.html")
        if uid == "6789012345":
            return 418, {"content-type": "application/json"}, fixture_bytes("weibo/rate_limited.json")
        if uid not in containers:
            return 200, {"content-type": "application/json"}, fixture_bytes("weibo/profile_not_found.json")
        containerid, posts_fixture = containers[uid]
        if "containerid" not in seen.query:
            body = profile_body.replace("1234567890", uid).replace("1076031234567890", "X")
            body = body.replace('"containerid": "X", "apipath"', f'"containerid": "{containerid}", "apipath"')
            return 200, {"content-type": "application/json"}, body
        if seen.query["containerid"] != containerid:
            return 200, {"content-type": "application/json"}, b'{"ok": 0, "msg": "wrong container"}'
        return 200, {"content-type": "application/json"}, fixture_bytes(posts_fixture)

    server.route("/api/container/getIndex", get_index)
    server.route(
        "/visitor/genvisitor2",
        (
            200,
            {"content-type": "application/javascript", "set-cookie": f"SUB={VISITOR_SUB}; path=/"},
            fixture_bytes("weibo/genvisitor2.txt"),
        ),
        method="POST",
    )


def test_end_to_end_through_base_url(server: LocalServer) -> None:
    serve_weibo(server)
    uids = ["1234567890", "2345678901", "3456789012", "4567890123", "5678901234", "6789012345", "7890123456"]
    refs = [AccountRef("weibo", id=uid, base_url=server.base) for uid in uids]
    result = asyncio.run(fetch_accounts(refs, now=NOW, timeout=5))
    assert [o.status for o in result] == [
        "ok",
        "ok",
        "empty",
        "blocked",
        "blocked",
        "rate_limited",
        "not_found",
    ]
    fresh, pinned = result[0], result[1]
    assert fresh.latest() == datetime(2021, 6, 14, 10, 31, 5, tzinfo=SHANGHAI)
    assert pinned.posts[0].pinned and pinned.latest() == datetime(2021, 6, 14, 12, 0, tzinfo=SHANGHAI)
    assert "after one visitor-cookie renewal" in (result[3].error or "")
    # the posts were asked for with the containerid taken from tabsInfo
    containers = [r.query.get("containerid") for r in server.hits("/api/container/getIndex")]
    assert "1076031234567890_-_WEIBO_SECOND_PROFILE_WEIBO" in containers
    # at most one renewal per account (the visitor cookie is shared by the accounts): never a loop
    renewals = server.hits("/visitor/genvisitor2")
    assert 1 <= len(renewals) <= 2
    assert all(b"cb=visitor_gray_callback" in r.body for r in renewals)
    assert all(r.headers.get("mweibo-pwa") == "1" for r in server.hits("/api/container/getIndex"))


def test_visitor_renewal_that_fails_leaves_the_account_blocked(server: LocalServer) -> None:
    serve_weibo(server)
    server.route(
        "/visitor/genvisitor2",
        (200, {}, b'window.visitor_gray_callback && visitor_gray_callback({"retcode":50111,"msg":"fail"});'),
        method="POST",
    )
    result = asyncio.run(
        fetch_accounts([AccountRef("weibo", id="1234567890", base_url=server.base)], now=NOW, timeout=5)
    )
    assert result[0].status == "blocked" and "visitor" in (result[0].error or "")
    assert len(server.hits("/visitor/genvisitor2")) == 1

"""Tests of the ``wechat`` adapter: Sogou account search, the official-account backend, local stand-ins."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest

from crawler.accounts import AccountObservation, AccountRef, fetch_accounts
from crawler.accounts.wechat import WechatAdapter, sogou_accounts

from ._server import LocalServer, Seen
from .conftest import NOW, fixture_bytes, recorded

REF = AccountRef("wechat", id="tjfb2019", name="台江发布")
SEARCH = "http://127.0.0.1:9/weixin?type=1&s_from=input&query=tjfb2019&ie=utf8&_sug_=n&_sug_type_="


def parse(name: str | None, status: int = 200, ref: AccountRef = REF, **kw: object) -> AccountObservation:
    return WechatAdapter().parse(ref, recorded(name, status=status, url=SEARCH, **kw), now=NOW)  # type: ignore[arg-type]


def test_sogou_ok_matches_the_wechat_id_not_the_first_box() -> None:
    o = parse("wechat/sogou_ok.html")
    assert o.status == "ok" and o.display_name == "台江发布"
    assert len(o.posts) == 1
    post = o.posts[0]
    assert post.title == "台江县2021年第二季度重点项目集中开工"
    assert post.published == datetime(2021, 6, 14, 8, 30, tzinfo=UTC)
    assert post.url and post.url.startswith("http://127.0.0.1:9/link?url=") and "&type=1" in post.url


def test_sogou_boxes() -> None:
    boxes = sogou_accounts(fixture_bytes("wechat/sogou_ok.html").decode())
    assert [(b["wechat_id"], b["name"], b["time"]) for b in boxes] == [
        ("tjfbzs", "台江发布助手", 1615190400),
        ("tjfb2019", "台江发布", 1623659400),
    ]


def test_sogou_match_is_case_insensitive_and_by_name_without_id() -> None:
    assert parse("wechat/sogou_ok.html", ref=AccountRef("wechat", id="TJFB2019")).status == "ok"
    o = parse("wechat/sogou_ok.html", ref=AccountRef("wechat", name="台江发布助手"))
    assert o.status == "ok" and o.posts[0].published == datetime(2021, 3, 8, 8, 0, tzinfo=UTC)


def test_sogou_empty_account() -> None:
    o = parse("wechat/sogou_empty.html", ref=AccountRef("wechat", id="tjlyj"))
    assert o.status == "empty" and o.display_name == "台江县林业局"


def test_sogou_no_result_and_no_match_are_not_found() -> None:
    assert parse("wechat/sogou_noresult.html").status == "not_found"
    o = parse("wechat/sogou_ok.html", ref=AccountRef("wechat", id="tj_other"))
    assert o.status == "not_found" and "tjfbzs" in (o.error or "")


def test_sogou_antispider() -> None:
    location = {
        "location": "http://weixin.sogou.com/antispider/?from=%2fweixin%3Ftype%3d1%26query%3dtjfb2019"
    }
    o = parse(None, 302, headers=location)
    assert o.status == "blocked" and "antispider" in (o.error or "")
    assert parse("wechat/sogou_antispider.html").status == "blocked"
    o = WechatAdapter().parse(
        REF, recorded("wechat/sogou_antispider.html", url="http://127.0.0.1:9/antispider/?from=x"), now=NOW
    )
    assert o.status == "blocked"


def test_sogou_rate_limited_and_garbage() -> None:
    assert parse(None, 429).status == "rate_limited"
    assert parse(None, body="<html><body>改版了</body></html>").status == "parse_error"


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("wechat/mp_list_ok.json", "ok"),
        ("wechat/mp_list_empty.json", "empty"),
        ("wechat/mp_expired.json", "auth_expired"),
        ("wechat/mp_freq.json", "rate_limited"),
    ],
)
def test_backend_list(name: str, status: str) -> None:
    o = parse(name)
    assert o.status == status


def test_backend_ok_and_pinned_first() -> None:
    o = parse("wechat/mp_list_ok.json")
    assert [p.title for p in o.posts][0] == "台江县2021年第二季度重点项目集中开工"
    assert o.latest() == datetime(2021, 6, 14, 8, 30, tzinfo=UTC)
    o = parse("wechat/mp_list_pinned_first.json")
    assert o.posts[0].published.year == 2019
    assert o.latest() == datetime(2021, 6, 12, 4, 0, tzinfo=UTC)


def test_backend_fakeid_lookup() -> None:
    data = json.loads(fixture_bytes("wechat/mp_searchbiz.json"))
    adapter = WechatAdapter()
    assert adapter.backend_fakeid(REF, data) == ("MzA4MTIzNDU2Nw==", "台江发布")
    assert adapter.backend_fakeid(AccountRef("wechat", id="nobody"), data) == (None, None)


# -- end to end ------------------------------------------------------------------------------------


def serve_sogou(server: LocalServer) -> None:
    pages = {
        "tjfb2019": "wechat/sogou_ok.html",
        "tjlyj": "wechat/sogou_empty.html",
        "tj_nobody": "wechat/sogou_noresult.html",
    }

    def search(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        query = seen.query.get("query", "")
        if seen.query.get("type") != "1":
            return 400, {}, b"bad type"
        if query == "tj_blocked":
            return 302, {"location": "/antispider/?from=%2fweixin%3Ftype%3d1%26query%3dtj_blocked"}, b""
        return (
            200,
            {"content-type": "text/html; charset=utf-8"},
            fixture_bytes(pages.get(query, "wechat/sogou_noresult.html")),
        )

    server.route("/weixin", search)
    server.route(
        "/antispider/", (200, {"content-type": "text/html"}, fixture_bytes("wechat/sogou_antispider.html"))
    )


def test_end_to_end_sogou(server: LocalServer) -> None:
    serve_sogou(server)
    refs = [
        AccountRef("wechat", id=i, base_url=server.base)
        for i in ("tjfb2019", "tjlyj", "tj_nobody", "tj_blocked")
    ]
    result = asyncio.run(fetch_accounts(refs, now=NOW, timeout=5))
    assert [o.status for o in result] == ["ok", "empty", "not_found", "blocked"]
    assert result[0].latest() == datetime(2021, 6, 14, 8, 30, tzinfo=UTC)
    assert server.hits("/antispider/") == []  # the redirect itself says blocked: not followed


def serve_backend(server: LocalServer, *, token: str) -> None:
    def gate(seen: Seen, body: bytes) -> tuple[int, dict[str, str], bytes]:
        if seen.query.get("token") != token or "slave_sid=valid" not in seen.headers.get("cookie", ""):
            return 200, {"content-type": "application/json"}, fixture_bytes("wechat/mp_expired.json")
        return 200, {"content-type": "application/json"}, body

    def searchbiz(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        return gate(seen, fixture_bytes("wechat/mp_searchbiz.json"))

    def appmsg(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if seen.query.get("fakeid") != "MzA4MTIzNDU2Nw==" or seen.query.get("action") != "list_ex":
            return 200, {}, b'{"base_resp": {"ret": 200002, "err_msg": "invalid args"}}'
        return gate(seen, fixture_bytes("wechat/mp_list_ok.json"))

    server.route("/cgi-bin/searchbiz", searchbiz)
    server.route("/cgi-bin/appmsg", appmsg)


def test_end_to_end_backend(server: LocalServer) -> None:
    serve_backend(server, token="123456")
    ref = AccountRef("wechat", id="tjfb2019", base_url=server.base)
    good = WechatAdapter(mp_token="123456", cookies="slave_sid=valid; slave_user=gh_abc")
    stale = WechatAdapter(mp_token="999", cookies="slave_sid=expired")
    ok = asyncio.run(fetch_accounts([ref], now=NOW, adapters={"wechat": good}, timeout=5))[0]
    assert ok.status == "ok" and ok.display_name == "台江发布" and len(ok.posts) == 3
    expired = asyncio.run(fetch_accounts([ref], now=NOW, adapters={"wechat": stale}, timeout=5))[0]
    assert expired.status == "auth_expired" and "invalid session" in (expired.error or "")
    missing = asyncio.run(
        fetch_accounts(
            [AccountRef("wechat", id="nobody", base_url=server.base)], now=NOW, adapters={"wechat": good}
        )
    )[0]
    assert missing.status == "not_found"

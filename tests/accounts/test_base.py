"""Tests of the shared types, the registry and the batch fetcher (through httpx.MockTransport)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import httpx
import pytest

from crawler.accounts import (
    ADAPTERS,
    STATUSES,
    UNUSABLE_STATUSES,
    AccountObservation,
    AccountRef,
    Adapter,
    Post,
    fetch_accounts,
    get_adapter,
    register,
)
from crawler.accounts.rss import RssAdapter
from crawler.accounts.timefmt import SHANGHAI
from crawler.status import account_status

from .conftest import NOW, fixture_bytes


def post(pid: str, day: int, **flags: bool) -> Post:
    return Post(id=pid, title=pid, published=datetime(2021, 6, day, 12, 0, tzinfo=SHANGHAI), **flags)


def obs(*posts: Post, status: str = "ok") -> AccountObservation:
    return AccountObservation(platform="weibo", account="1", status=status, posts=list(posts))


def test_statuses_are_the_contract() -> None:
    assert STATUSES == (
        "ok",
        "empty",
        "blocked",
        "auth_expired",
        "rate_limited",
        "not_found",
        "parse_error",
        "timeout",
        "http_error",
        "network_error",
    )
    assert set(UNUSABLE_STATUSES) == set(STATUSES) - {"ok", "empty"}


def test_latest_is_the_maximum_not_the_first_post() -> None:
    o = obs(post("pinned", 1, pinned=True), post("new", 12), post("older", 8))
    assert o.latest() == datetime(2021, 6, 12, 12, 0, tzinfo=SHANGHAI)


def test_a_pinned_post_does_not_count_as_new_unless_asked() -> None:
    o = obs(post("pinned-new", 14, pinned=True), post("old", 2))
    assert o.latest() == datetime(2021, 6, 2, 12, 0, tzinfo=SHANGHAI)
    assert o.latest(count_pinned=True) == datetime(2021, 6, 14, 12, 0, tzinfo=SHANGHAI)


def test_reposts_and_deleted_posts_follow_the_settings() -> None:
    o = obs(post("repost", 14, repost=True), post("deleted", 13, deleted=True), post("own", 3))
    assert o.latest().day == 14
    assert o.latest(count_reposts=False).day == 3
    assert o.latest(count_reposts=False, count_deleted=True).day == 13
    assert [p.id for p in o.counted_posts(count_reposts=False)] == ["own"]


def test_latest_of_no_posts_is_none() -> None:
    assert obs(status="empty").latest() is None
    assert obs(post("pinned", 1, pinned=True)).latest() is None


def test_post_needs_an_aware_time() -> None:
    with pytest.raises(ValueError):
        Post(id="1", title="x", published=datetime(2021, 6, 1))


def test_observation_rejects_unknown_status() -> None:
    with pytest.raises(ValueError):
        obs(status="fine")


def test_observation_round_trips_through_a_dict() -> None:
    o = AccountObservation(
        platform="weibo",
        account="1",
        status="ok",
        posts=[post("a", 3, pinned=True), post("b", 4, repost=True)],
        display_name="台江发布",
        http_status=200,
        fetched_at=NOW,
    )
    assert AccountObservation.from_dict(o.to_dict()) == o


def test_registry_and_get_adapter() -> None:
    assert {"rss", "weibo", "wechat", "douyin", "toutiao"} <= set(ADAPTERS)
    adapter = get_adapter("rss", base_url="http://127.0.0.1:1")
    assert isinstance(adapter, RssAdapter) and adapter.name == "rss"
    with pytest.raises(KeyError):
        get_adapter("myspace")


def test_every_adapter_documents_itself_and_has_a_default_host() -> None:
    for name, cls in ADAPTERS.items():
        assert cls.__doc__ and len(cls.__doc__) > 200, name
        assert cls.default_base_url.startswith("http"), name


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (200, None),
        (401, "auth_expired"),
        (403, "blocked"),
        (407, "auth_expired"),
        (451, "blocked"),
        (432, "blocked"),
        (404, "not_found"),
        (418, "rate_limited"),
        (429, "rate_limited"),
        (500, "http_error"),
        (503, "http_error"),
    ],
)
def test_account_status(code: int, status: str | None) -> None:
    assert account_status(code) == status


def test_base_url_precedence() -> None:
    adapter = get_adapter("weibo", base_url="http://127.0.0.1:2/")
    assert adapter.base_url_for(AccountRef("weibo", "1")) == "http://127.0.0.1:2"
    assert (
        adapter.base_url_for(AccountRef("weibo", "1", base_url="http://127.0.0.1:3")) == "http://127.0.0.1:3"
    )
    assert get_adapter("weibo").base_url_for(AccountRef("weibo", "1")) == "https://m.weibo.cn"


def feed_handler(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200, content=fixture_bytes("rss/ok_rss2.xml"), headers={"content-type": "application/rss+xml"}
    )


def test_fetch_accounts_keeps_order_and_reports_unknown_platforms() -> None:
    refs = [
        AccountRef("rss", url="http://127.0.0.1:9/a.xml"),
        AccountRef("myspace", id="x"),
        AccountRef("rss", url="http://127.0.0.1:9/b.xml"),
    ]

    async def run() -> list[AccountObservation]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(feed_handler)) as client:
            return await fetch_accounts(refs, now=NOW, client=client)

    result = asyncio.run(run())
    assert [o.account for o in result] == ["http://127.0.0.1:9/a.xml", "x", "http://127.0.0.1:9/b.xml"]
    assert [o.status for o in result] == ["ok", "parse_error", "ok"]
    assert "myspace" in (result[1].error or "")
    assert all(o.fetched_at == NOW for o in result)


def test_fetch_accounts_limits_concurrency_per_host() -> None:
    active: dict[str, int] = {}
    peak: dict[str, int] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host + str(request.url.port)
        active[host] = active.get(host, 0) + 1
        peak[host] = max(peak.get(host, 0), active[host])
        await asyncio.sleep(0.02)
        active[host] -= 1
        return feed_handler(request)

    refs = [AccountRef("rss", url=f"http://127.0.0.1:{port}/{i}.xml") for port in (7, 8) for i in range(6)]

    async def run() -> list[AccountObservation]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await fetch_accounts(refs, now=NOW, client=client, per_host_concurrency=2)

    result = asyncio.run(run())
    assert all(o.status == "ok" for o in result)
    assert peak == {"127.0.0.17": 2, "127.0.0.18": 2}


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (httpx.ReadTimeout("slow"), "timeout"),
        (httpx.ConnectError("refused"), "network_error"),
        (httpx.RemoteProtocolError("garbage"), "network_error"),
    ],
)
def test_network_failures_become_statuses(exc: Exception, status: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    async def run() -> list[AccountObservation]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await fetch_accounts(
                [
                    AccountRef(p, id="tjfb2019", base_url="http://127.0.0.1:9")
                    for p in ("rss", "weibo", "wechat")
                ],
                now=NOW,
                client=client,
            )

    result = asyncio.run(run())
    assert [o.status for o in result] == [status] * 3
    assert all(o.posts == [] and o.error for o in result)


def test_a_real_refused_connection_is_a_network_error() -> None:
    # Port 9 (discard) on loopback: nothing listens there in the test machines.
    result = asyncio.run(
        fetch_accounts([AccountRef("rss", url="http://127.0.0.1:9/feed.xml")], now=NOW, timeout=5)
    )
    assert result[0].status == "network_error"


def test_a_hanging_fetch_is_cut_at_the_deadline() -> None:
    @register("test-hang")
    class Hang(Adapter):
        """Never answers (a test double)."""

        default_base_url = "http://127.0.0.1:9"

        def deadline(self, timeout: float) -> float:
            return 0.05

        async def _fetch(
            self, client: httpx.AsyncClient, ref: AccountRef, *, now: datetime
        ) -> AccountObservation:
            await asyncio.sleep(10)
            raise AssertionError("not reached")

    try:
        result = asyncio.run(fetch_accounts([AccountRef("test-hang", id="1")], now=NOW))
        assert result[0].status == "timeout" and result[0].platform == "test-hang"
    finally:
        ADAPTERS.pop("test-hang")


def test_an_adapter_bug_is_data_not_a_crash() -> None:
    @register("test-bug")
    class Bug(Adapter):
        """Raises (a test double)."""

        default_base_url = "http://127.0.0.1:9"

        async def _fetch(
            self, client: httpx.AsyncClient, ref: AccountRef, *, now: datetime
        ) -> AccountObservation:
            raise KeyError("cards")

    try:
        result = asyncio.run(fetch_accounts([AccountRef("test-bug", id="1")], now=NOW))
        assert result[0].status == "parse_error" and "cards" in (result[0].error or "")
    finally:
        ADAPTERS.pop("test-bug")


def test_ok_without_posts_is_empty() -> None:
    adapter = get_adapter("rss")
    assert adapter.observation(AccountRef("rss", url="u"), "ok", [], now=NOW).status == "empty"
    assert NOW - timedelta(0) == NOW

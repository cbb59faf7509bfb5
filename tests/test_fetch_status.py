"""One classification of fetch outcomes: a refusal of our request is "blocked" for pages, links, probes and
accounts alike, and is never judged against the unit."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.spidermiddlewares.httperror import HttpError

from checks.availability import NOT_JUDGED
from crawler.accounts import AccountRef, get_adapter
from crawler.documents import ReadLimits, read_documents
from crawler.failures import classify_failure
from crawler.links import CheckerSettings, SiteSpec, check_sites
from crawler.probe import probe_sites
from crawler.status import BLOCKED_HTTP, account_status, exception_status, link_error, page_status
from govwatch.loopback import LoopbackServer, Reply
from govwatch.loopback import Request as Asked
from storage.content import DocTask

SITE = "http://www.example.gov.cn/"
REFUSED_ANSWERS = sorted(BLOCKED_HTTP)


def test_the_refusals_are_the_documented_ones() -> None:
    assert BLOCKED_HTTP == {401, 403, 407, 418, 429, 432, 451}


@pytest.mark.parametrize("code", REFUSED_ANSWERS)
def test_a_refused_request_is_blocked_in_every_layer(code: int) -> None:
    assert page_status(code) == "blocked"
    assert link_error(code) == "blocked"
    assert account_status(code) in {"blocked", "auth_expired", "rate_limited"}
    response = HtmlResponse(SITE, status=code, request=Request(SITE), body=b"")
    assert classify_failure(HttpError(response))[0] == "blocked"


@pytest.mark.parametrize(("code", "page", "link", "account"), [
    (404, "http_error", "http_404", "not_found"),
    (410, "http_error", "http_410", "not_found"),
    (400, "http_error", "http_4xx", "http_error"),
    (500, "http_error", "http_5xx", "http_error"),
    (503, "http_error", "http_5xx", "http_error"),
])
def test_errors_of_the_site_stay_errors(code: int, page: str, link: str, account: str) -> None:
    assert (page_status(code), link_error(code), account_status(code)) == (page, link, account)


@pytest.mark.parametrize("code", [418, 432])
def test_an_anti_robot_wall_is_not_a_broken_link(code: int) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == SITE:
            return httpx.Response(200, html='<html><body><a href="/wall.html">栏目</a></body></html>')
        return httpx.Response(code)

    settings = CheckerSettings(delay=0.0, retest_delay=0.0, concurrency_per_host=4, timeout=2.0)
    _, results, _ = asyncio.run(check_sites([SiteSpec(1, SITE)], settings, scope="homepage",
                                            transport=httpx.MockTransport(handler)))
    assert results[SITE + "wall.html"].state == "blocked"


@pytest.mark.parametrize("code", [418, 432])
def test_an_anti_robot_wall_is_not_an_unavailable_site(code: int) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(code))
    [result] = asyncio.run(probe_sites([(1, SITE)], threshold=2.0, transport=transport))
    assert result.status == "blocked" and result.status in NOT_JUDGED


def test_an_account_platform_answering_451_is_blocked_not_an_http_error() -> None:
    adapter = get_adapter("rss")
    transport = httpx.MockTransport(lambda request: httpx.Response(451))

    async def fetch():
        async with httpx.AsyncClient(transport=transport) as client:
            return await adapter.fetch(client, AccountRef("rss", url=SITE + "feed.xml"),
                                       now=dt.datetime(2021, 11, 30, tzinfo=dt.UTC))

    assert asyncio.run(fetch()).status == "blocked"


@pytest.mark.parametrize(("exc", "status"), [
    (httpx.ConnectTimeout("timed out"), "timeout"),
    (TimeoutError(), "timeout"),
    (httpx.ConnectError("[Errno -2] Name or service not known"), "dns"),
    (ConnectionRefusedError(111, "Connection refused"), "refused"),
    (OSError("twisted.internet.error.DNSLookupError: DNS lookup failed"), "dns"),
    (OSError("TCP connection timed out: 110"), "timeout"),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."), "network_error"),
])
def test_a_request_that_raised(exc: BaseException, status: str) -> None:
    assert exception_status(exc) == status


@pytest.mark.parametrize("code", [*REFUSED_ANSWERS, 404])
def test_a_refused_article_or_attachment_is_blocked_like_a_page(code: int) -> None:
    def app(request: Asked) -> Reply:
        if request.path == "/art.html":
            return Reply(200, '<html><body><p>正文</p><a href="/list.xlsx">名单.xlsx</a></body></html>')
        return Reply(code)

    with LoopbackServer(app) as server:
        tasks = [DocTask(server.base() + "/art.html", "u", 1, "栏目", "文章"),
                 DocTask(server.base() + "/gone.html", "u", 1, "栏目", "另一篇")]
        records = read_documents(tasks, ReadLimits(delay=0.0, timeout=5.0), skip_attachment=lambda url: False)
    expected = "blocked" if code in BLOCKED_HTTP else "http_error"
    assert {r.url.rsplit("/", 1)[1]: r.status for r in records} == {
        "art.html": "ok", "list.xlsx": expected, "gone.html": expected}

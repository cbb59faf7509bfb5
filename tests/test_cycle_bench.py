"""The daily-cycle benchmark's county tells the truth: its broken links are broken, its other links work, its
fresh and stale columns and accounts are what their served dates say, and it answers conditional requests."""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import httpx
import pytest

from benchmarks.cycle_farm import AS_OF, CycleFarm
from config.loader import load_catalogue

DATE = re.compile(r"(20\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
URL_DATE = re.compile(r"/t(20\d\d)(\d\d)(\d\d)_")
LINK = re.compile(r"""(?:href|src)=["']([^"']+)["']""")


@pytest.fixture(scope="module")
def farm():
    with CycleFarm.build(4, 5, standalone=1, slow_seconds=2.0) as f:
        yield f


@pytest.fixture(scope="module")
def client():
    # a fresh connection per request: a kept-alive one waits for delayed ACKs (the server writes headers, then body)
    with httpx.Client(timeout=5, follow_redirects=False, trust_env=False,
                      limits=httpx.Limits(max_keepalive_connections=0)) as c:
        yield c


def _text(response: httpx.Response) -> str:
    ctype = response.headers.get("content-type", "")
    return response.content.decode("gb18030" if "gb" in ctype else "utf-8")


def _broken(client: httpx.Client, url: str, error: str) -> bool:
    try:
        if error == "redirect_loop":
            with httpx.Client(timeout=5, follow_redirects=True, max_redirects=10, trust_env=False) as c:
                c.get(url)
            return False
        r = client.get(url, timeout=0.5 if error == "timeout" else 5)
    except httpx.TooManyRedirects:
        return error == "redirect_loop"
    except httpx.ConnectError:
        return error == "refused"
    except httpx.TimeoutException:
        return error == "timeout"
    if error == "soft_404":
        return r.status_code == 200 and "页面不存在" in _text(r)
    code = {"http_404": 404, "http_410": 410}.get(error)
    return r.status_code == code if code else (error == "http_5xx" and 500 <= r.status_code < 600)


def test_every_injected_link_is_on_its_page_and_answers_broken(farm, client):
    assert len(farm.broken) >= 12
    assert {b.on for b in farm.broken.values()} == {"homepage", "column", "article"}
    for url, b in farm.broken.items():
        page = _text(client.get(b.page))
        assert url in page, (url, b.page)
        assert _broken(client, url, b.error), (url, b.error)


def test_every_other_link_of_the_watched_pages_works(farm, client):
    pages = [farm.site_url(u) for u in farm.farm.units] + [farm.column_url(u, c) for u, c in farm.farm.columns()]
    checked: set[str] = set()
    for page in pages:
        for href in set(LINK.findall(_text(client.get(page)))):
            url = urljoin(page, href)
            if url in farm.broken or url in checked or not url.startswith("http"):
                continue
            r = client.get(url)
            assert r.status_code == 200, (page, url, r.status_code)
            assert "页面不存在" not in r.text, (page, url)
            checked.add(url)
    assert len(checked) > 30


def _newest(farm: CycleFarm, client: httpx.Client, unit, col) -> dt.date | None:
    """The newest date a column's pages (every list page, its articles or its script's data) show."""
    first = farm.column_url(unit, col)
    base = first.rsplit("/", 1)[0] + "/"
    if col.family == "js":
        texts = [_text(client.get(base + "data.json"))]
    elif col.family == "hanweb":
        proxy = f"{farm.base(unit.site.host)}/module/web/jpage/dataproxy.jsp?columnid={col.cid}&startrecord=1&endrecord=500"
        texts = [_text(client.get(first)), _text(client.get(proxy))]
    else:
        texts = [_text(client.get(first))]
        more = "index_{n}.html" if col.family.startswith("trs") else "list_{n}.html"
        for n in range(1, 5):
            r = client.get(base + more.format(n=n if col.family.startswith("trs") else n + 1))
            if r.status_code == 200:
                texts.append(_text(r))
        if col.family == "article":
            texts += [_text(client.get(urljoin(first, h))) for h in re.findall(r'href="(\./content_\d+\.html)"', texts[0])]
    dates = [dt.date(int(y), int(m), int(d)) for t in texts for y, m, d in DATE.findall(t) + URL_DATE.findall(t)]
    return max(dates) if dates else None


def test_fresh_stale_and_blank_columns_are_what_their_dates_say(farm, client):
    truth = farm.verdicts(AS_OF)
    catalogue = load_catalogue()
    states = set()
    for u, c in farm.farm.columns():
        newest = _newest(farm, client, u, c)
        assert newest == c.newest(AS_OF), (u.id, c.slug, c.family)
        start = catalogue.categories[c.category].window.start(AS_OF)  # the rules' window of the column's category
        said = "blank" if newest is None else ("fresh" if newest >= start else "stale")
        assert truth[farm.column_url(u, c)] == said, (u.id, c.slug)
        states.add(said)
    assert states == {"fresh", "stale", "blank"}


def test_homepages_and_accounts_are_as_fresh_as_the_farm_says(farm, client):
    truth = farm.verdicts(AS_OF)
    for u in farm.farm.units:
        dates = [dt.date(int(y), int(m), int(d)) for y, m, d in DATE.findall(_text(client.get(farm.site_url(u))))]
        said = "fresh" if dates and max(dates) >= AS_OF - dt.timedelta(days=14) else "stale"
        assert truth[farm.site_url(u)] == said, u.id
    accounts = farm.account_truth(AS_OF)
    assert set(accounts.values()) == {"fresh", "stale"}
    for u in farm.farm.units[:farm.n_accounts]:
        posts = [parsedate_to_datetime(p).date() for p in re.findall(r"<pubDate>([^<]+)</pubDate>",
                                                                    client.get(farm.feed_url(u)).text)]
        said = "fresh" if max(posts) >= AS_OF - dt.timedelta(days=14) else "stale"
        assert accounts[u.id] == said, u.id


def test_pages_answer_conditional_requests_with_304(farm, client):
    u, c = farm.farm.columns()[0]
    for url in (farm.site_url(u), farm.column_url(u, c), farm.feed_url(u)):
        first = client.get(url)
        assert first.status_code == 200 and first.headers["etag"] and first.headers["last-modified"]
        assert client.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200

"""A second crawl asks for what may have changed only: page one (conditionally), not the further pages of an
unchanged list while they are recent, not the articles whose dates were read before."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from govwatch.loopback import LoopbackServer, Reply, Request
from tests.crawler._harness import AS_OF, crawl

CRAWL = {"delay": 0, "retries": 0, "timeout": 5, "autothrottle": False, "browser_fallback": False}


def _config(base: str, path: str) -> dict:
    return {"county": "测试县", "crawl": CRAWL, "units": [{"id": "u", "name": "测试局", "kind": "department", "sites": [{
        "url": f"{base}/", "columns": [{"name": "通知公告", "url": f"{base}{path}"}]}]}]}


class Site:
    """A column whose page one holds only pinned items (the dated list starts on page two), served with ETags;
    and an undated list whose articles carry the dates. Counts the requests by path."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()
        self.total_pages = 2
        self.pinned = ["关于网站改版的公告", "关于公布监督电话的公告"]
        self.page_two = [("关于开展防汛检查的通知", "2021-11-25"), ("关于做好秋冬季防火工作的通知", "2021-11-20")]
        self.articles = {"t1": ("关于印发工作方案的通知", "2021-11-26"), "t2": ("关于调整议事协调机构的通知", "2021-11-10"),
                         "t3": ("关于开展安全生产大检查的通知", "2021-11-05"), "t4": ("关于做好防汛工作的通知", "2021-10-20")}

    def _page(self, path: str) -> str:
        if path == "/tzgg/":
            rows = "".join(f'<li><span class="top">[置顶]</span><a href="/tzgg/p{n}.html">{t}</a>'
                           f'<span>2019-05-0{n + 1}</span></li>'
                           for n, t in enumerate(self.pinned))
            more = f'<div class="pager">共{self.total_pages}页 当前第1页 <a href="/tzgg/index_1.html">下一页</a></div>'
            # per-request noise in the page (a visitor counter) is not a change of the list
            return (f'<html><head><meta charset="utf-8"></head><body><ul class="list">{rows}</ul>{more}'
                    f'<div class="count">访问量：{sum(self.hits.values())}</div></body></html>')
        if path == "/tzgg/index_1.html":
            rows = "".join(f'<li><a href="/tzgg/n{n}.html">{t}</a><span>{d}</span></li>'
                           for n, (t, d) in enumerate(self.page_two))
            return f'<html><head><meta charset="utf-8"></head><body><ul class="list">{rows}</ul></body></html>'
        if path == "/zcwj/":
            rows = "".join(f'<li><a href="/zcwj/{k}.html">{t}</a></li>' for k, (t, _) in self.articles.items())
            return f'<html><head><meta charset="utf-8"></head><body><ul class="list">{rows}</ul></body></html>'
        key = path.removeprefix("/zcwj/").removesuffix(".html")
        if path.startswith("/zcwj/") and key in self.articles:
            title, day = self.articles[key]
            return (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>'
                    f'<div class="info">发布日期：{day}</div><p>正文。</p></body></html>')
        return ""

    def __call__(self, request: Request) -> Reply:
        path = request.path
        self.hits[path] += 1
        body = self._page(path)
        if not body:
            return Reply(404, "<h1>404</h1>")
        if path.startswith("/tzgg/"):  # an ETag of what the list says, not of the counter
            tag = f'"{hash((path, tuple(self.pinned), tuple(self.page_two), self.total_pages)) & 0xffffffff:x}"'
            if request.headers.get("If-None-Match") == tag:
                self.conditional[path] += 1
                return Reply(304, headers={"ETag": tag})
            return Reply(200, body, headers={"ETag": tag})
        return Reply(200, body)


@pytest.fixture
def site():
    app = Site()
    with LoopbackServer(app) as srv:
        yield app, srv.base()


def test_an_unchanged_page_one_reuses_the_further_pages(site, sqlite_url, tmp_path):
    app, base = site
    data = _config(base, "/tzgg/")
    first = crawl(data, sqlite_url, tmp_path)[f"{base}/tzgg/"]
    assert (first.status, first.newest, first.pages, first.items) == ("ok", dt.date(2021, 11, 25), 2, 4), first
    assert app.hits == {"/tzgg/": 1, "/tzgg/index_1.html": 1}
    app.hits.clear()
    second = crawl(data, sqlite_url, tmp_path)[f"{base}/tzgg/"]
    assert app.hits == {"/tzgg/": 1}  # page one only, and answered 304
    assert app.conditional == {"/tzgg/": 1}
    assert (second.status, second.newest, second.items) == ("not_modified", dt.date(2021, 11, 25), 4)
    assert second.info["further_reused"] == 2
    # the page not read today is named for the link check, which takes its links from the day it was read
    assert f"{base}/tzgg/index_1.html" in second.info["outlinks_cached"]


def test_a_changed_page_one_makes_the_further_pages_fetched_again(site, sqlite_url, tmp_path):
    app, base = site
    data = _config(base, "/tzgg/")
    crawl(data, sqlite_url, tmp_path)
    app.pinned.append("关于启用新域名的公告")
    app.page_two.insert(0, ("关于下达年度计划的通知", "2021-11-29"))
    app.hits.clear()
    obs = crawl(data, sqlite_url, tmp_path)[f"{base}/tzgg/"]
    assert app.hits == {"/tzgg/": 1, "/tzgg/index_1.html": 1}
    assert (obs.status, obs.newest) == ("ok", dt.date(2021, 11, 29))
    assert "further_reused" not in obs.info


def test_a_page_count_that_changes_makes_the_further_pages_fetched_again(site, sqlite_url, tmp_path):
    app, base = site
    data = _config(base, "/tzgg/")
    crawl(data, sqlite_url, tmp_path)
    app.total_pages = 3  # the list grew deeper down; page one's items are the same
    app.hits.clear()
    crawl(data, sqlite_url, tmp_path)
    assert app.hits["/tzgg/index_1.html"] == 1


def test_the_further_pages_are_fetched_again_when_due(site, sqlite_url, tmp_path):
    app, base = site
    app.page_two[0] = ("关于开展防汛检查的通知", AS_OF.isoformat())
    data = _config(base, "/tzgg/")
    crawl(data, sqlite_url, tmp_path)
    app.hits.clear()
    crawl(data, sqlite_url, tmp_path, today=AS_OF + dt.timedelta(days=6))
    assert app.hits == {"/tzgg/": 1}
    # a week after page two was last fetched (crawl.list_revalidate_days: 7), it is fetched again
    app.hits.clear()
    obs = crawl(data, sqlite_url, tmp_path, today=AS_OF + dt.timedelta(days=7))[f"{base}/tzgg/"]
    assert app.hits == {"/tzgg/": 1, "/tzgg/index_1.html": 1}
    assert obs.info.get("list_revalidated") is True and obs.newest == AS_OF


def test_a_stale_reused_list_is_walked_every_day(site, sqlite_url, tmp_path):
    """Reused pages can hide a change deeper in the list: never when that would make a column look stale."""
    app, base = site
    app.page_two = [("关于开展防汛检查的通知", "2021-10-01")]
    data = _config(base, "/tzgg/")
    crawl(data, sqlite_url, tmp_path)
    app.hits.clear()
    crawl(data, sqlite_url, tmp_path)
    assert app.hits == {"/tzgg/": 1, "/tzgg/index_1.html": 1}


def test_known_article_dates_are_reused_and_new_articles_opened(site, sqlite_url, tmp_path):
    app, base = site
    data = _config(base, "/zcwj/")
    first = crawl(data, sqlite_url, tmp_path)[f"{base}/zcwj/"]
    assert (first.newest, first.info["date_sources"]) == (dt.date(2021, 11, 26), {"article": 3})
    assert app.hits == {"/zcwj/": 1, "/zcwj/t1.html": 1, "/zcwj/t2.html": 1, "/zcwj/t3.html": 1}
    app.articles = {"t0": ("关于年终工作安排的通知", "2021-11-29"), **app.articles}
    app.hits.clear()
    second = crawl(data, sqlite_url, tmp_path)[f"{base}/zcwj/"]
    assert app.hits == {"/zcwj/": 1, "/zcwj/t0.html": 1}  # only the new article is opened
    assert second.newest == dt.date(2021, 11, 29)
    assert second.info["date_sources"] == {"article": 1, "known": 2}
    app.hits.clear()
    third = crawl(data, sqlite_url, tmp_path)[f"{base}/zcwj/"]
    assert app.hits == {"/zcwj/": 1}
    assert {f"{base}/zcwj/{k}.html" for k in ("t0", "t1", "t2")} <= set(third.info["outlinks_cached"])
    assert (third.newest, third.info["date_sources"]) == (dt.date(2021, 11, 29), {"known": 3})

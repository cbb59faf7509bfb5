"""A column whose list lives in an iframe (or behind a meta refresh) is read from the frame, within the page budget."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.crawler._harness import AS_OF, crawl, serve_pages

LIST = """<html><head><meta charset="utf-8"><title>工作动态</title></head><body><ul class="list">
<li><a href="/art/1.html">县里召开工作会议</a><span>{d1}</span></li>
<li><a href="/art/2.html">开展安全生产检查</a><span>{d2}</span></li>
<li><a href="/art/3.html">召开专题培训会</a><span>{d3}</span></li></ul></body></html>"""

PAGES = {
    "/gzdt/": """<html><head><meta charset="utf-8"><title>工作动态</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/gzdt/">工作动态</a></div>
<div class="main"><h2>工作动态</h2><iframe src="/gzdt/list.html" width="100%" height="800" frameborder="0"></iframe></div>
</body></html>""",
    "/gzdt/list.html": LIST,
    "/tzgg/": """<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/tzgg/list.html">
<title>通知公告</title></head><body></body></html>""",
    "/tzgg/list.html": LIST,
    "/loop/": """<html><head><meta charset="utf-8"><title>政策文件</title></head><body>
<iframe src="/loop/" width="100%" height="800"></iframe></body></html>""",
}


@pytest.fixture
def frame_site():
    dates = {"d1": (AS_OF - dt.timedelta(days=3)).isoformat(), "d2": (AS_OF - dt.timedelta(days=9)).isoformat(),
             "d3": (AS_OF - dt.timedelta(days=30)).isoformat()}
    with serve_pages({path: page.format(**dates) for path, page in PAGES.items()}) as base:
        yield base


def test_lists_in_frames_and_behind_refresh_are_read(frame_site, sqlite_url, tmp_path):
    data = {
        "county": "测试县",
        "crawl": {"delay": 0, "retries": 0, "timeout": 5, "autothrottle": False},
        "units": [{"id": "u", "name": "测试局", "kind": "department", "sites": [{
            "url": f"{frame_site}/",
            "columns": [
                {"name": "工作动态", "url": f"{frame_site}/gzdt/"},
                {"name": "通知公告", "url": f"{frame_site}/tzgg/"},
                {"name": "政策文件", "url": f"{frame_site}/loop/"},
            ]}]}],
    }
    obs = crawl(data, sqlite_url, tmp_path, cache=False)
    for path in ("/gzdt/", "/tzgg/"):
        o = obs[f"{frame_site}{path}"]
        assert (o.status, o.items, o.newest) == ("ok", 3, AS_OF - dt.timedelta(days=3)), path
    # the iframe is followed as part of the column (a meta refresh is followed by the downloader already)
    assert obs[f"{frame_site}/gzdt/"].info["frames"] == [f"{frame_site}/gzdt/list.html"]
    # a frame that points back at its own page ends the walk: recorded, not followed for ever
    loop = obs[f"{frame_site}/loop/"]
    assert loop.items == 0 and loop.pages == 1

"""An undated list: the newest articles are opened for their publication date, and their 成文日期 is kept too."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from storage import ColumnItem
from storage.db import Database
from tests.crawler._harness import crawl, serve_pages

ARTICLE = """<html><head><meta charset="utf-8"><title>{title}</title></head><body><div class="nav">首页</div>
<h1>{title}</h1><table class="xxgk"><tr><td>索引号：000014349/2021-0012{n}</td><td>发布机构：县政府办</td></tr>
<tr><td>成文日期：{written}</td><td>发布日期：{published}</td></tr></table>
<div class="content"><p>各乡镇人民政府，县直各部门：现将方案印发给你们，请认真贯彻执行。</p></div></body></html>"""
DOCS = [("关于印发2021年重点工作方案的通知", "2021-09-24", "2021-10-28"),
        ("关于做好防汛工作的通知", "2021-10-08", "2021-10-12"),
        ("关于开展安全生产大检查的通知", "2021-09-01", "2021-09-03"),
        ("关于调整议事协调机构的通知", "2021-08-16", "2021-08-20")]
LIST = ("""<html><head><meta charset="utf-8"><title>政策文件</title></head><body><h2>政策文件</h2><ul class="list">"""
        + "".join(f'<li><a href="/zcwj/t{n}.html">{t}</a></li>' for n, (t, _, _) in enumerate(DOCS))
        + "</ul></body></html>")


@pytest.fixture
def doc_site():
    pages = {"/zcwj/": LIST}
    for n, (title, written, published) in enumerate(DOCS):
        pages[f"/zcwj/t{n}.html"] = ARTICLE.format(title=title, written=written, published=published, n=n)
    with serve_pages(pages) as base:
        yield base


def test_articles_give_the_publication_date_and_the_document_date(doc_site, sqlite_url, tmp_path):
    data = {"county": "测试县", "crawl": {"delay": 0, "retries": 0, "timeout": 5, "autothrottle": False},
            "units": [{"id": "u", "name": "测试局", "kind": "department", "sites": [{
                "url": f"{doc_site}/", "columns": [{"name": "政策文件", "url": f"{doc_site}/zcwj/"}]}]}]}
    obs = crawl(data, sqlite_url, tmp_path, cache=False)[f"{doc_site}/zcwj/"]
    assert (obs.status, obs.items, obs.newest) == ("ok", 4, dt.date(2021, 10, 28))
    assert obs.info["date_sources"] == {"article": 3}  # the newest 3 articles are opened (max_articles_per_column)
    db = Database(sqlite_url)
    with db.session() as s:
        items = {i.title: (i.date, i.extra) for i in s.scalars(select(ColumnItem))}
    db.dispose()
    assert items[DOCS[0][0]] == (dt.date(2021, 10, 28), {"written": "2021-09-24"})
    assert items[DOCS[1][0]] == (dt.date(2021, 10, 12), {"written": "2021-10-08"})

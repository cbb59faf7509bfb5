"""The crawl keeps how each column was read; a stale verdict on an unsure read is only suspected."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from checks import run_checks
from config import load_catalogue
from storage import Database, load_check_input
from tests.crawler._harness import AS_OF, crawl, serve_pages


def _page(rows: str) -> str:
    return (f"<html><head><title>工作动态</title></head><body><div class='main'><h2>工作动态</h2>"
            f"<ul class='list'>{rows}</ul></div></body></html>")


def test_unsure_reads_are_kept_and_make_suspected_findings(sqlite_url, tmp_path):
    # 乡镇动态: only month and day, nothing gives the year; 通知公告: the same, but the URLs carry it
    md = "".join(f"<li><a href='/xz/a/xzdt/art_{i}.html'>镇里召开第{i}次重点项目推进工作会议</a><span>0{i + 1}-1{i}</span></li>"
                 for i in range(4))
    urls = "".join(f"<li><a href='/xz/a/tzgg/2019030{i + 1}/{i}.html'>关于开展第{i}批专项检查工作的通知</a><span>03-0{i + 1}</span></li>"
                   for i in range(4))
    pages = {"/xz/a/": "<html><body><a href='xzdt/'>乡镇动态</a></body></html>",
             "/xz/a/xzdt/": _page(md), "/xz/a/tzgg/": _page(urls)}
    with serve_pages(pages) as base:
        data = {"county": "测试县", "monitoring": {"start": "2021-01-01", "end": "2021-11-30"},
                "crawl": {"delay": 0, "concurrency_per_host": 4},
                "units": [{"id": "a", "name": "甲镇", "kind": "township", "sites": [{"url": f"{base}/xz/a/", "columns": [
                    {"name": "乡镇动态", "url": f"{base}/xz/a/xzdt/", "category": "news"},
                    {"name": "通知公告", "url": f"{base}/xz/a/tzgg/", "category": "notice"}]}]}]}
        seen = crawl(data, sqlite_url, tmp_path)
    xzdt, tzgg = seen[f"{base}/xz/a/xzdt/"], seen[f"{base}/xz/a/tzgg/"]
    assert xzdt.info["read"]["confidence"] == "low" and xzdt.info["read"]["reasons"] == ["year_inferred"]
    assert tzgg.info["read"]["confidence"] == "high" and tzgg.info["read"]["years"] == {"url": 4}
    assert tzgg.newest == dt.date(2019, 3, 4)  # the year of the URLs, not the monitoring year
    db = Database(sqlite_url)
    with db.session() as s:
        inp = load_check_input(s, AS_OF, zoneinfo.ZoneInfo("Asia/Shanghai"))
    db.dispose()
    stale = {o.target: o for o in run_checks(inp, load_catalogue()) if o.rule == "column.stale"}
    assert not stale[f"{base}/xz/a/xzdt/"].passed and stale[f"{base}/xz/a/xzdt/"].suspected
    assert not stale[f"{base}/xz/a/tzgg/"].passed and not stale[f"{base}/xz/a/tzgg/"].suspected

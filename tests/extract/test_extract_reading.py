"""How sure a read is: years taken from item URLs, confidence and its reasons, ``govwatch explain``."""

from __future__ import annotations

import datetime as dt

from checks.base import CheckInput, ColumnView, PageObs
from checks.freshness import blank_columns, stale_columns
from config import load_catalogue
from crawler.extract import extract
from govwatch.cli import main

TODAY = dt.date(2021, 11, 30)
URL = "http://www.example.gov.cn/xwzx/gzdt/"


def _list(rows: str, extra: str = "") -> str:
    return f"""<html><head><title>工作动态_某县人民政府</title></head><body>
    <div class="nav"><a href="/">首页</a><a href="/xwzx/">新闻中心</a></div>
    <div class="main"><h2>工作动态</h2><ul class="list">{rows}</ul></div>{extra}
    <div class="footer">版权所有 2021 某县人民政府</div></body></html>"""


def _trs_rows(days: list[tuple[int, int, int]], shown: str = "md") -> str:
    out = []
    for i, (y, m, d) in enumerate(days):
        when = f"{m:02d}-{d:02d}" if shown == "md" else f"{y}-{m:02d}-{d:02d}"
        out.append(f'<li><a href="./{y}{m:02d}/t{y}{m:02d}{d:02d}_{1000 + i}.html">关于做好第{i}项重点工作的通知要求</a>'
                   f"<span>{when}</span></li>")
    return "".join(out)


def test_month_day_list_takes_its_years_from_the_item_urls():
    days = [(2017, 10, 19), (2017, 10, 9), (2017, 9, 30), (2017, 3, 2), (2016, 12, 28)]
    r = extract(_list(_trs_rows(days)), URL, today=TODAY)
    assert [it.date for it in r.items] == [dt.date(*d) for d in days]
    assert r.newest(TODAY) == dt.date(2017, 10, 19)  # not 2021-10-19, the year nearest the monitoring day
    assert r.reading.item_years == ["url"] * 5 and r.reading.confidence == "high"


def test_a_year_guessed_from_the_monitoring_day_makes_the_read_unsure():
    rows = "".join(f'<li><a href="/xwzx/gzdt/art_{i}.html">县里召开第{i}次专题工作推进会议</a><span>10-{19 - i:02d}</span></li>'
                   for i in range(6))
    r = extract(_list(rows), URL, today=TODAY)
    assert r.newest(TODAY) == dt.date(2021, 10, 19)
    assert r.reading.confidence == "low" and r.reading.reasons == ["year_inferred"]
    assert "年份是按监测日期推断" in r.reading.doubt


def test_full_dates_read_with_high_confidence_and_the_list_block_is_named():
    days = [(2021, 11, 2), (2021, 10, 20), (2021, 9, 1), (2021, 8, 30)]
    r = extract(_list(_trs_rows(days, shown="full")), URL, today=TODAY)
    assert r.reading.confidence == "high" and r.reading.reasons == []
    assert r.reading.block == "body > div.main > ul.list" and r.reading.heading == "工作动态"


def test_no_list_on_the_page_is_unsure_but_a_page_saying_empty_is_not():
    bare = "<html><body><div class='main'><p>欢迎访问</p></div></body></html>"
    assert extract(bare, URL, today=TODAY).reading.reasons == ["no_list"]
    said = "<html><body><div class='main'><ul class='list'></ul><p>暂无信息</p></div></body></html>"
    reading = extract(said, URL, today=TODAY).reading
    assert reading.confidence == "high" and reading.reasons == []


def test_list_dates_disagreeing_with_their_urls_lower_the_confidence():
    rows = "".join(f'<li><a href="./2021{m:02d}/t2021{m:02d}10_{m}.html">关于第{m}批项目资金拨付情况的公示</a>'
                   f"<span>2019-{m:02d}-10</span></li>" for m in range(1, 8))
    r = extract(_list(rows), URL, today=TODAY)
    assert "url_disagree" in r.reading.reasons and r.reading.confidence == "low"


def _inp(page: PageObs) -> CheckInput:
    inp = CheckInput(as_of=TODAY, tz=dt.timezone(dt.timedelta(hours=8)))
    inp.columns.append(ColumnView(11, "fgj", 1, "工作动态", URL, "news", False, "column"))
    inp.pages[11] = page
    return inp


def test_stale_and_blank_verdicts_on_an_unsure_read_are_only_suspected():
    cat = load_catalogue()
    fetched = dt.datetime(2021, 11, 30, 2, tzinfo=dt.UTC)
    unsure = PageObs(11, fetched, "ok", 3, (dt.date(2021, 3, 1),), True, confidence="low",
                     doubt="列表只显示月日，最新条目的年份是按监测日期推断的")
    [o] = [o for o in stale_columns(_inp(unsure), cat)]
    assert not o.passed and o.suspected and o.evidence["doubt"].startswith("列表只显示月日")
    sure = PageObs(11, fetched, "ok", 3, (dt.date(2021, 3, 1),), True)
    [o] = list(stale_columns(_inp(sure), cat))
    assert not o.passed and not o.suspected and "doubt" not in o.evidence
    empty = PageObs(11, fetched, "empty", 0, (), False, confidence="low", doubt="页面上未找到可识别的栏目列表")
    [o] = list(blank_columns(_inp(empty), cat))
    assert not o.passed and o.suspected


def test_explain_prints_the_block_the_years_and_the_confidence(tmp_path, capsys):
    page = tmp_path / "gzdt.html"
    days = [(2017, 10, 19), (2017, 10, 9), (2017, 9, 30)]
    page.write_text(_list(_trs_rows(days)), encoding="utf-8")
    assert main(["explain", URL, "--file", str(page), "--as-of", "2021-11-30"]) == 0
    out = capsys.readouterr().out
    assert "列表区块：body > div.main > ul.list" in out
    assert "最新日期：2017-10-19（年份来源：文章链接）" in out
    assert "可信度：可靠" in out and "关于做好第0项重点工作的通知要求" in out
    assert main(["explain", URL, "--file", str(tmp_path / "missing.html")]) == 2


def test_the_page_generation_time_bounds_the_years_of_month_day_dates():
    rows = "".join(f'<li><a href="/xwzx/gzdt/art_{i}.html">县里召开第{i}次专题工作推进会议</a><span>{m:02d}-{d:02d}</span></li>'
                   for i, (m, d) in enumerate([(10, 19), (10, 9), (3, 2), (12, 28)]))
    page = _list(rows).replace("<head>", '<head><meta name="Maketime" content="2017-10-20 09:12:33">')
    r = extract(page, URL, today=TODAY)
    # a static page generated on 2017-10-20 cannot list an item of 2021-10-19
    assert [it.date for it in r.items] == [dt.date(2017, 10, 19), dt.date(2017, 10, 9), dt.date(2017, 3, 2),
                                           dt.date(2016, 12, 28)]
    assert r.reading.item_years == ["page"] * 4 and r.reading.confidence == "high"


def test_a_list_drawn_as_several_groups_keeps_its_newest_group():
    def group(cls: str, start: int, n: int) -> str:
        return f'<ul class="{cls}">' + "".join(
            f'<li><a href="./2021{11 - (start + i) // 28:02d}/t2021{11 - (start + i) // 28:02d}01_{start + i}.html">'
            f"关于做好第{start + i}项重点民生工作的通知</a><span>2021-{11 - (start + i) // 28:02d}-{28 - (start + i) % 28:02d}</span></li>"
            for i in range(n)) + "</ul>"
    # the five newest entries stand in their own <ul class="list top">, the rest in <ul class="list"> groups
    body = group("list top", 0, 5) + '<div class="line"></div>' + group("list", 5, 5) + '<div class="line"></div>' + group("list", 10, 5)
    r = extract(_list("").replace('<ul class="list"></ul>', body), URL, today=TODAY)
    assert len(r.items) == 15 and r.newest(TODAY) == dt.date(2021, 11, 28)


def test_the_headline_entry_shown_apart_above_the_list_is_its_newest():
    rows = _trs_rows([(2021, 11, 2), (2021, 10, 20), (2021, 9, 1), (2021, 8, 30)], shown="full")
    headline = ('<div class="focus"><a href="./202111/t20211129_99.html"><img src="pic.jpg"></a>'
                '<h3><a href="./202111/t20211129_99.html">县委召开全县重点项目建设推进大会</a></h3>'
                "<p>11月29日，县委召开全县重点项目建设推进大会，总结前段工作……</p><span>2021-11-29</span></div>")
    page = _list(rows).replace('<ul class="list">', headline + '<ul class="list">')
    r = extract(page, URL, today=TODAY)
    assert r.newest(TODAY) == dt.date(2021, 11, 29) and len(r.items) == 5
    assert r.items[0].title == "县委召开全县重点项目建设推进大会"

"""Tests of the per-column Selectors override (CSS and XPath)."""

from __future__ import annotations

import datetime

import pytest

from crawler.extract import Selectors, extract

D = datetime.date
URL = "http://www.taijiang.gov.cn/zwgk/gzdt/"
HTML = """<html><body>
<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div>
<div id="content">
  <div class="row top"><h4><a href="./202001/t20200105_1.html" title="置顶：台江县政府信息公开指南（2020年修订版）">置顶：台江县政府信息公开指南…</a></h4><i>发布于 2020年01月05日</i></div>
  <div class="row"><h4><a href="./202109/t20210927_2.html">台江县召开乡村振兴工作推进会</a></h4><i>发布于 2021年09月27日</i></div>
  <div class="row"><h4><a href="javascript:void(0)">无效链接</a></h4><i>发布于 2021年09月28日</i></div>
  <div class="row"><h4><a href="/zwgk/gzdt/3.html">县政府常务会议研究重点工作</a></h4><i>日期待定</i></div>
  <div class="row"><h4><a href="./202109/t20210920_4.html">台江县开展安全生产大检查</a></h4><i></i></div>
</div>
</body></html>"""


def test_css_selectors_with_date_format() -> None:
    sel = Selectors(item="#content .row", link="h4 a", date="i", date_format="发布于 %Y年%m月%d日")
    result = extract(HTML, URL, selectors=sel)
    assert result.extractor == "selectors"
    assert [it.url for it in result.items] == [
        URL + "202001/t20200105_1.html",
        URL + "202109/t20210927_2.html",
        URL + "3.html",
        URL + "202109/t20210920_4.html",
    ]
    first = result.items[0]
    assert first.title == "台江县政府信息公开指南（2020年修订版）" and first.pinned
    assert [it.date for it in result.items] == [D(2020, 1, 5), D(2021, 9, 27), None, D(2021, 9, 20)]
    assert [it.date_source for it in result.items] == ["list", "list", None, "url"]
    assert result.newest() == D(2021, 9, 27)


def test_xpath_selectors_and_generic_date_parser() -> None:
    sel = Selectors(item="//div[@id='content']/div[contains(@class, 'row')]", link=".//h4/a", date="./i")
    result = extract(HTML, URL, selectors=sel)
    assert len(result.items) == 4
    assert result.items[1].date == D(2021, 9, 27)


def test_xpath_link_attribute_and_absolute_relative_paths() -> None:
    sel = Selectors(item="(//div[@class='row'])", link="//h4/a/@href", date="//i/text()")
    result = extract(HTML, URL, selectors=sel)
    assert [it.title for it in result.items] == [
        "台江县召开乡村振兴工作推进会",
        "县政府常务会议研究重点工作",
        "台江县开展安全生产大检查",
    ]


def test_default_link_is_first_followable_anchor() -> None:
    result = extract(HTML, URL, selectors=Selectors(item="div.row"))
    assert len(result.items) == 4
    assert all(it.date_source in ("url", None) for it in result.items)


def test_selectors_take_precedence_in_auto_and_can_be_named() -> None:
    sel = Selectors(item="div.row", date="i")
    assert extract(HTML, URL, selectors=sel).extractor == "selectors"
    assert extract(HTML, URL, extractor="selectors", selectors=sel).extractor == "selectors"
    with pytest.raises(ValueError):
        extract(HTML, URL, extractor="selectors")


def test_year_less_date_with_today() -> None:
    html = '<ul><li><a href="/a/1.html">台江县召开会议一</a><span>【09-06】</span></li></ul>'
    sel = Selectors(item="li", date="span")
    assert extract(html, URL, selectors=sel).items[0].date is None
    assert extract(html, URL, selectors=sel, today=D(2021, 9, 30)).items[0].date == D(2021, 9, 6)


def test_no_match_gives_no_items() -> None:
    result = extract(HTML, URL, selectors=Selectors(item="ul.nothing li"))
    assert result.items == [] and result.blank

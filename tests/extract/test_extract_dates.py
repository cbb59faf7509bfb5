"""Table-driven tests of parse_date and date_from_url."""

from __future__ import annotations

import datetime

import pytest

from crawler.extract import date_from_url, parse_date
from crawler.extract.dates import infer_year

D = datetime.date
TODAY = D(2021, 9, 30)

PARSE_CASES = [
    # (text, today, expected)
    ("2021-09-06", None, D(2021, 9, 6)),
    ("2021-9-6", None, D(2021, 9, 6)),
    ("2021/9/6", None, D(2021, 9, 6)),
    ("2021/09/06", None, D(2021, 9, 6)),
    ("2021.09.06", None, D(2021, 9, 6)),
    ("2021年9月6日", None, D(2021, 9, 6)),
    ("2021 年 09 月 06 日", None, D(2021, 9, 6)),
    ("2021年06月10日 17:35", None, D(2021, 6, 10)),
    ("[2021-09-06]", None, D(2021, 9, 6)),
    ("(2021-09-06)", None, D(2021, 9, 6)),
    ("（2021年9月6日）", None, D(2021, 9, 6)),
    ("【2021-09-06】", None, D(2021, 9, 6)),
    ("2021-09-06 10:30", None, D(2021, 9, 6)),
    ("2021-09-06 10:30:59", None, D(2021, 9, 6)),
    ("2021-09-06T10:30:00+08:00", None, D(2021, 9, 6)),
    ("2007-08-20-23:59:59", None, D(2007, 8, 20)),
    ("发布时间：2021-09-06", None, D(2021, 9, 6)),
    ("发布日期: 2021-09-06 浏览次数：12", None, D(2021, 9, 6)),
    ("２０２１－０９－０６", None, D(2021, 9, 6)),
    ("20210906", None, D(2021, 9, 6)),
    ("二〇二一年八月三十日", None, D(2021, 8, 30)),
    ("二○二一年十二月三日", None, D(2021, 12, 3)),
    ("2099-01-01", None, D(2099, 1, 1)),
    # year inferred from today: the latest such date not after today
    ("【09-06】", TODAY, D(2021, 9, 6)),
    ("09-06", TODAY, D(2021, 9, 6)),
    ("9-6", TODAY, D(2021, 9, 6)),
    ("[09-30]", TODAY, D(2021, 9, 30)),
    ("10-01", TODAY, D(2020, 10, 1)),
    ("12-30", D(2021, 1, 12), D(2020, 12, 30)),
    ("09/06", TODAY, D(2021, 9, 6)),
    ("9月6日", TODAY, D(2021, 9, 6)),
    ("09.06", TODAY, D(2021, 9, 6)),
    ("02-29", D(2021, 3, 1), D(2020, 2, 29)),
    ("[21-09-06]", None, D(2021, 9, 6)),
    ("21/09/06", None, D(2021, 9, 6)),
    ("今天 10:30", TODAY, TODAY),
    ("昨天", TODAY, D(2021, 9, 29)),
    ("[前天]", TODAY, D(2021, 9, 28)),
    ("3天前", TODAY, D(2021, 9, 27)),
    ("2小时前", TODAY, TODAY),
    ("今天", None, None),
    ("今天是个好日子", TODAY, None),
    # without today a date lacking its year is unknown
    ("【09-06】", None, None),
    ("09-06", None, None),
    ("9月6日", None, None),
    # invalid or not dates
    ("2021-13-45", None, None),
    ("2021-13-45", TODAY, None),
    ("2021-02-30", None, None),
    ("2021年13月1日", None, None),
    ("13-45", TODAY, None),
    ("2021-09", TODAY, None),
    ("1-9月经济运行情况", TODAY, None),
    ("浏览次数：1234", TODAY, None),
    ("电话：0855-5321234", TODAY, None),
    ("3.14", TODAY, None),
    ("10:30", TODAY, None),
    ("", TODAY, None),
    ("暂无信息", TODAY, None),
    ("1850-01-01", None, None),
]


@pytest.mark.parametrize(
    ("text", "today", "expected"), PARSE_CASES, ids=[c[0] or "empty" for c in PARSE_CASES]
)
def test_parse_date(text: str, today: datetime.date | None, expected: datetime.date | None) -> None:
    assert parse_date(text, today=today) == expected


def test_parse_date_takes_the_first_valid_date() -> None:
    assert parse_date("2021-13-45 更新于 2021-09-07") == D(2021, 9, 7)
    assert parse_date("成文 2021-08-30 发布 2021-09-02") == D(2021, 8, 30)


def test_infer_year() -> None:
    assert infer_year(9, 30, TODAY) == D(2021, 9, 30)
    assert infer_year(10, 1, TODAY) == D(2020, 10, 1)
    assert infer_year(2, 29, D(2021, 9, 30)) == D(2020, 2, 29)
    assert infer_year(9, 6, None) is None


URL_CASES = [
    ("http://www.taijiang.gov.cn/zwgk/gzdt/202109/t20210906_1234567.html", D(2021, 9, 6)),
    ("./202109/t20210906_1234567.html", D(2021, 9, 6)),
    ("http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml", D(2019, 9, 18)),
    ("http://fzggw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html", D(2016, 11, 22)),
    ("/art/2021/9/6/art_1234_567890.html", D(2021, 9, 6)),
    ("http://www.gov.cn/guoqing/2018-05/03/content_5287353.htm", D(2018, 5, 3)),
    ("http://www.news.cn/politics/2021-09/06/c_1127833761.htm", D(2021, 9, 6)),
    ("http://x.gov.cn/xwzx/2021/09/27/6543.html", D(2021, 9, 27)),
    ("http://x.gov.cn/gaj/jwdt/2021/0908/1234.html", D(2021, 9, 8)),
    ("http://x.gov.cn/news/202109/06/123.html", D(2021, 9, 6)),
    ("http://x.gov.cn/news/20210906/123.html", D(2021, 9, 6)),
    ("http://x.gov.cn/news/2021-09-06/123.html", D(2021, 9, 6)),
    ("http://x.gov.cn/news/20210906103015123.html", D(2021, 9, 6)),
    ("http://x.gov.cn/news/20210906_12.html", D(2021, 9, 6)),
    # no date, or impossible ones
    ("http://x.gov.cn/content/5001.html", None),
    ("http://x.gov.cn/zwgk/gzdt/202109/", None),
    ("http://x.gov.cn/zwgk/gzdt/index_1.html", None),
    ("http://x.gov.cn/news/t20211345_1234.html", None),
    ("/art/2021/13/45/art_1_2.html", None),
    ("http://x.gov.cn/news/20219999/1.html", None),
    ("http://x.gov.cn/info/12345678.html", None),
    ("http://x.gov.cn/Article/ShowArticle.asp?ArticleID=20210906", None),
    ("", None),
]


@pytest.mark.parametrize(("url", "expected"), URL_CASES, ids=[c[0] or "empty" for c in URL_CASES])
def test_date_from_url(url: str, expected: datetime.date | None) -> None:
    assert date_from_url(url) == expected


def test_full_date_text_reads_script_literals_only_with_a_year() -> None:
    from crawler.extract.dates import full_date_text

    assert full_date_text('var s = "2021-09-17 10:20:00"; document.write(s.substring(0,10));') == "2021-09-17"
    assert full_date_text("showDate('2021年9月6日')") == "2021年9月6日"
    assert full_date_text("var a = '09-06'; b = 2021 - 13 - 45;") is None


def test_normalize_map_points_back_into_the_original_text() -> None:
    from crawler.extract.dates import normalize_map

    text = "通知……［２０２１－０９－２７］"
    norm, index = normalize_map(text)
    start = norm.index("2021")
    assert norm.endswith("[2021-09-27]") and len(index) == len(norm)
    assert text[: index[start]] == "通知……［"

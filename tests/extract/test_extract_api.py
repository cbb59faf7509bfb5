"""Tests of the public extraction API: registry, auto choice, newest(), paging and article dates."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

import crawler.extract as ex
from crawler.extract import REGISTRY, ExtractResult, ListItem, article_date, extract, register
from crawler.extract.registry import Extractor

D = datetime.date
URL = "http://www.taijiang.gov.cn/zwgk/gzdt/"
REAL_ARTICLES = Path("/work/shared/realpages/articles")


def _ul(rows: list[tuple[str, str, str]], extra: str = "") -> str:
    lis = "".join(f'<li><a href="{h}">{t}</a><span>{d}</span></li>' for t, h, d in rows)
    return f'<html><body><div class="main"><ul class="list">{lis}</ul>{extra}</div></body></html>'


ROWS = [
    ("台江县召开乡村振兴工作推进会", "./202109/t20210927_1.html", "2021-09-27"),
    ("县政府常务会议研究部署重点工作", "./202109/t20210920_2.html", "2021-09-20"),
    ("台江县开展安全生产大检查专项行动", "./202109/t20210913_3.html", "2021-09-13"),
]


def test_public_names() -> None:
    for name in ex.__all__:
        assert hasattr(ex, name), name
    assert {"generic", "trs", "hanweb", "url_date", "selectors", "script_built"} <= set(REGISTRY)


def test_every_extractor_documents_itself() -> None:
    for name, extractor in REGISTRY.items():
        assert extractor.name == name
        assert len(extractor.help()) > 40, name
        assert type(extractor).__doc__


def test_register_rejects_duplicates_and_accepts_new_extractors() -> None:
    with pytest.raises(ValueError):
        register("generic")(type("Dup", (Extractor,), {}))

    @register("test_always")
    class Always(Extractor):
        """Test extractor that claims every page and returns one fixed item."""

        def score(self, page):  # noqa: ANN001, ANN201
            return 2.0

        def extract(self, page):  # noqa: ANN001, ANN201
            return ExtractResult(self.name, [ListItem("x", page.url, None, None)], [])

    try:
        assert extract("<p></p>", URL).extractor == "test_always"
        assert extract("<p></p>", URL, extractor="generic").extractor == "generic"
    finally:
        del REGISTRY["test_always"]


def test_unknown_extractor_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown extractor"):
        extract("<p></p>", URL, extractor="nope")


def test_newest_is_the_max_not_the_first() -> None:
    items = [
        ListItem("置顶 old", "http://x/1", D(2019, 1, 1), "list", pinned=True),
        ListItem("b", "http://x/2", D(2021, 9, 20), "list"),
        ListItem("typo", "http://x/3", D(2099, 1, 1), "list"),
        ListItem("c", "http://x/4", None, None),
    ]
    result = ExtractResult("generic", items, [])
    assert result.newest() == D(2099, 1, 1)
    assert result.newest(as_of=D(2021, 9, 30)) == D(2021, 9, 20)
    assert result.newest(as_of=D(2018, 1, 1)) is None
    assert ExtractResult("generic", [], []).newest() is None
    pinned_newer = ExtractResult(
        "generic", [ListItem("p", "http://x/5", D(2021, 9, 29), "list", True), items[1]], []
    )
    assert pinned_newer.newest() == D(2021, 9, 29)


def test_list_item_is_frozen() -> None:
    item = ListItem("a", "http://x/1", None, None)
    with pytest.raises(AttributeError):
        item.title = "b"  # type: ignore[misc]


def test_named_extractor_runs_even_when_auto_would_not_choose_it() -> None:
    html = _ul(ROWS)
    assert extract(html, URL).extractor == "trs"
    result = extract(html, URL, extractor="generic")
    assert result.extractor == "generic" and len(result.items) == 3
    assert result.items[0].url == URL + "202109/t20210927_1.html"
    assert [it.date_source for it in result.items] == ["list"] * 3


def test_url_date_used_only_when_the_list_shows_none() -> None:
    rows = [(t, h, "") for t, h, _ in ROWS]
    result = extract(_ul(rows), URL, extractor="url_date")
    assert [it.date for it in result.items] == [D(2021, 9, 27), D(2021, 9, 20), D(2021, 9, 13)]
    assert {it.date_source for it in result.items} == {"url"}


@pytest.mark.parametrize(
    ("script", "url", "expected", "total"),
    [
        ('createPageHTML(4, 0, "index", "html");', URL, ["index_1.html", "index_2.html", "index_3.html"], 4),
        (
            "createPageHTML(4, 1, 'index', 'shtml');",
            URL + "index_1.shtml",
            ["index_2.shtml", "index_3.shtml"],
            4,
        ),
        (
            "createPageHTML('page_div',5,1,'index','html',68);",
            URL,
            ["index_2.html", "index_3.html", "index_4.html", "index_5.html"],
            5,
        ),
        ("createPageHTML('page_div',5, 4,'fg','shtml',68);", URL + "fg_4.shtml", ["fg_5.shtml"], 5),
        (
            "var countPage = 3;var currentPage = 0;createPageHTML(countPage, currentPage, 'index', 'htm');",
            URL,
            ["index_1.htm", "index_2.htm"],
            3,
        ),
        ("var currentPage = 0;\nvar countPage = 2//共多少页", URL, ["index_1.html"], 2),
        ('createPageHTML(1, 0, "index", "html");', URL, [], 1),
    ],
)
def test_trs_pagination(script: str, url: str, expected: list[str], total: int) -> None:
    result = extract(_ul(ROWS, f"<script>{script}</script>"), url)
    assert result.extractor == "trs"
    assert result.next_pages == [URL + name for name in expected]
    assert result.total_pages == total


HANWEB = """<html><body><div id="5678"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=1234&unitid=5678&webname=台江县人民政府&permissiontype=0"></a>]]></nextgroup>
<recordset>
{records}
</recordset></datastore></script></div>
<script>$('#5678').jpage({{proxyUrl:'/module/web/jpage/dataproxy.jsp',perPage:15,totalRecord:{total},groupSize:3}});</script>
</body></html>"""


def _records(n: int) -> str:
    days = [D(2021, 9, 28) - datetime.timedelta(days=i) for i in range(n)]
    return "\n".join(
        f"<record><![CDATA[<li><a href='/art/{d.year}/{d.month}/{d.day}/art_1234_{i}.html' title='台江县工作动态第{i}条'>"
        f"台江县工作动态第{i}条</a><span>{d}</span></li>]]></record>"
        for i, d in enumerate(days)
    )


def test_hanweb_datastore_and_dataproxy_urls() -> None:
    html = HANWEB.format(records=_records(45), total=100)
    result = extract(html, "http://www.tj.gov.cn/col/col1234/index.html")
    assert result.extractor == "hanweb" and len(result.items) == 45
    assert result.newest() == D(2021, 9, 28)
    assert result.total_pages == 7
    base = "http://www.tj.gov.cn/module/web/jpage/dataproxy.jsp?"
    assert [u.split("&appid")[0] for u in result.next_pages] == [
        base + "startrecord=46&endrecord=90&perpage=15",
        base + "startrecord=91&endrecord=135&perpage=15",
    ]
    assert "columnid=1234" in result.next_pages[0] and "unitid=5678" in result.next_pages[0]
    assert "webid=1" in result.next_pages[0]


def test_hanweb_empty_datastore_asks_for_the_first_range() -> None:
    result = extract(HANWEB.format(records="", total=20), "http://www.tj.gov.cn/col/col1234/index.html")
    assert result.items == []
    assert len(result.next_pages) == 1 and "startrecord=1&endrecord=45&perpage=15" in result.next_pages[0]


def test_hanweb_dataproxy_body() -> None:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<recordset>\n'
        + _records(45)
        + "\n</recordset>\n</datastore>"
    )
    url = "http://www.tj.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15&columnid=1234"
    result = extract(body, url)
    assert result.extractor == "hanweb" and len(result.items) == 45
    assert result.next_pages == [
        "http://www.tj.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=91&endrecord=135&perpage=15&columnid=1234"
    ]
    short = body.replace(_records(45), _records(10))
    assert extract(short, url).next_pages == []


def test_script_built_and_blank() -> None:
    ajax = """<html><body><ul id="list" class="list"></ul>
    <script>$.get('/api/list', function (d) { document.getElementById('list').innerHTML = d; });</script></body></html>"""
    result = extract(ajax, URL)
    assert result.script_built and result.items == [] and not result.blank
    fetch = """<html><body><div class="news-list" id="box"></div>
    <script>fetch('/api/news').then(r => r.json()).then(d => { box.innerHTML = d.map(x => x.title).join(''); });</script></body></html>"""
    assert extract(fetch, URL).script_built
    blank = '<html><body><ul class="list"></ul><p>没有记录</p></body></html>'
    result = extract(blank, URL)
    assert result.blank and not result.script_built and result.extractor == "generic"
    assert extract("", URL).blank
    assert extract("   ", URL).items == []


def test_skips_javascript_mailto_and_fragment_links() -> None:
    rows = [
        ("台江县召开乡村振兴工作推进会", "javascript:void(0)", "2021-09-27"),
        ("县政府常务会议研究部署重点工作", "#", "2021-09-26"),
        ("联系我们县政府办公室邮箱", "mailto:tj@example.org", "2021-09-25"),
        ("台江县开展安全生产大检查专项行动", "./202109/t20210913_3.html", "2021-09-13"),
    ]
    result = extract(_ul(rows), URL)
    assert [it.title for it in result.items] == ["台江县开展安全生产大检查专项行动"]


def test_truncated_title_uses_title_attribute() -> None:
    html = '<ul class="list"><li><a href="/a/1.html" title="关于做好2021年国庆节期间值班值守工作的通知">关于做好2021年国庆节期间…</a><span>2021-09-28</span></li></ul>'
    item = extract(html, URL).items[0]
    assert item.title == "关于做好2021年国庆节期间值班值守工作的通知"
    assert item.date == D(2021, 9, 28)


def test_single_item_column() -> None:
    html = '<html><body><div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div><ul class="list"><li><a href="/a/1.html">台江县2021年政府信息公开工作年度报告</a><span>2021-01-28</span></li></ul></body></html>'
    result = extract(html, URL)
    assert len(result.items) == 1 and result.newest() == D(2021, 1, 28)


ARTICLE_CASES = [
    (
        '<meta name="PubDate" content="2021-09-17 16:05"><meta name="Maketime" content="2021-10-28 08:41:12">',
        "http://x/a.html",
        D(2021, 9, 17),
    ),
    (
        '<meta name="Maketime" content="2021-10-28 08:41:12"><p>页面生成时间：2021-10-28</p>',
        "http://x/a.html",
        None,
    ),
    ('<meta name="firstpublishedtime" content="2007-08-20-23:59:59">', "http://x/a.html", D(2007, 8, 20)),
    (
        '<meta property="article:published_time" content="2021-09-08T10:12:40+08:00">',
        "http://x/a.html",
        D(2021, 9, 8),
    ),
    (
        '<span alt="时间：2017-11-08 20:26"><i>时间：</i>2019-09-18 06:23</span>',
        "http://x/a.html",
        D(2019, 9, 18),
    ),
    ("<div>发布时间：2021年9月6日</div><p>会议时间：2021年10月1日</p>", "http://x/a.html", D(2021, 9, 6)),
    (
        "<p>会议时间：2021年10月1日</p><p>本通知自2021年10月1日起施行。</p>",
        "http://x/t20210901_1.html",
        D(2021, 9, 1),
    ),
    ("<td>成文日期：</td><td>2021年08月30日</td>", "http://x/a.html", D(2021, 8, 30)),
    ("<p>成文日期：2021-08-30</p><p>发布日期：2021-09-02</p>", "http://x/a.html", D(2021, 9, 2)),
    (
        '<div class="top"><span>时间：2021年10月28日 星期四</span></div><p>正文</p>',
        "http://x/t20210902_1.html",
        D(2021, 9, 2),
    ),
    ("<p>无日期</p>", "http://x/art/2021/9/6/art_1_2.html", D(2021, 9, 6)),
    ("<p>无日期</p>", "http://x/a.html", None),
    ("", "http://x/a.html", None),
]


@pytest.mark.parametrize(("html", "url", "expected"), ARTICLE_CASES)
def test_article_date_snippets(html: str, url: str, expected: datetime.date | None) -> None:
    assert (
        article_date(
            f"<html><head></head><body>{html}</body></html>"
            if "<meta" not in html
            else f"<html><head>{html}</head><body><p>正文</p></body></html>",
            url,
        )
        == expected
    )


REAL = [
    (
        "hanweb_article_fgw_zj_2016-11-22.html",
        "http://fzggw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html",
        D(2016, 11, 22),
    ),
    (
        "trs_article_shanxi_gov_2019-09-18.shtml.html",
        "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml",
        D(2019, 9, 18),
    ),
    (
        "govcn_article_gwygb_2007.html",
        "http://www.gov.cn/gongbao/content/2007/content_744933.htm",
        D(2007, 8, 20),
    ),
    (
        "trs_article_ccgp_2021-06-10.html",
        "http://www.ccgp.gov.cn/cggg/dfgg/cjgg/202106/t20210610_16399431.htm",
        D(2021, 6, 10),
    ),
    ("trs_article_cmse_2012-06-24.html", "http://www.cmse.gov.cn/xwzx/t20120624_43188.html", D(2012, 6, 24)),
]


@pytest.mark.skipif(not REAL_ARTICLES.is_dir(), reason="shared reference pages not available")
@pytest.mark.parametrize(("name", "url", "expected"), REAL, ids=[r[0] for r in REAL])
def test_real_article_pages(name: str, url: str, expected: datetime.date) -> None:
    html, _ = ex.decode_html((REAL_ARTICLES / name).read_bytes())
    assert article_date(html, url) == expected
    assert article_date(html, "http://x/page.html") == expected  # without help from the URL


def test_unrelated_empty_divs_and_scripts_do_not_make_a_blank_page_script_built() -> None:
    html = """<html><body><div class="icon-search"></div><div class="banner"><ul class="slides"></ul></div>
    <div class="list-con"><p>暂无信息</p></div>
    <script>$('.banner .slides').html('<li>slide</li>');</script></body></html>"""
    result = extract(html, URL)
    assert result.blank and not result.script_built


def test_generic_pager_links() -> None:
    slider = '<div class="slide"><a href="/tpxw/101.html">1</a><a href="/tpxw/102.html">2</a><a href="/tpxw/103.html">3</a></div>'
    rows = [(t, f"/zwgk/gzdt/{i}.html", d) for i, (t, _h, d) in enumerate(ROWS)]
    assert extract(_ul(rows, slider), URL).next_pages == []
    pager = '<div class="page">1/4页 <a href="index_1.html">下一页</a> <a href="index_3.html">尾页</a></div>'
    result = extract(_ul(rows, pager), URL)
    assert result.next_pages == [URL + "index_1.html", URL + "index_2.html", URL + "index_3.html"]
    assert result.total_pages == 4
    only_next = '<div class="page"><a href="?page=2">下一页</a></div>'
    assert extract(_ul(rows, only_next), URL).next_pages == [URL + "?page=2"]


def test_frames_are_reported_only_for_an_empty_page() -> None:
    from crawler.extract import ExtractResult, extract

    framed = (
        "<html><body><div class='main'><h2>政策文件</h2>"
        "<iframe src='list.jsp?col=12' width='100%' height='800'></iframe>"
        "<iframe src='http://other.example.com/x.html' width='300' height='200'></iframe>"
        "<iframe src='count.jsp' width='0' height='0'></iframe></div></body></html>"
    )
    result = extract(framed, "http://www.taijiang.gov.cn/xxgk/zcwj/")
    assert result.items == [] and result.frames == ["http://www.taijiang.gov.cn/xxgk/zcwj/list.jsp?col=12"]
    assert not result.blank  # the list is elsewhere, not missing
    # Positional construction keeps working and new fields default to empty.
    old_style = ExtractResult("generic", [], [], None, False)
    assert old_style.frames == [] and old_style.blank

"""Generated list pages: every list markup x date format x page chrome x pinned item gives the right newest date."""

from __future__ import annotations

import datetime
import itertools
import random

import pytest

from crawler.extract import extract

D = datetime.date
TODAY = D(2021, 9, 30)
URL = "http://www.taijiang.gov.cn/zwgk/tzgg/"
FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")
FORMATS = {
    "dash": lambda d: f"{d:%Y-%m-%d}",
    "slash": lambda d: f"{d.year}/{d.month}/{d.day}",
    "dot": lambda d: f"{d:%Y.%m.%d}",
    "cn": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "bracket": lambda d: f"[{d:%Y-%m-%d}]",
    "mmdd": lambda d: f"{d:%m-%d}",
    "box": lambda d: f"<b>{d:%d}</b>{d:%Y-%m}",
    "label": lambda d: f"发布时间：{d:%Y-%m-%d} 10:30",
    "datetime": lambda d: f"{d:%Y-%m-%d %H:%M:%S}",
    "full_width": lambda d: f"{d:%Y-%m-%d}".translate(FULL_WIDTH),
}
MARKUPS = ("ul", "ul_date_first", "table", "dl", "cards", "flat")
CHROME = ("none", "sidebar", "box", "both")


def _rows(markup: str, fmt: str, items: list[tuple[D, str, str]], pinned: bool) -> str:
    out = []
    for i, (d, t, href) in enumerate(items):
        ds = FORMATS[fmt](d)
        pin = '<img src="/images/top.gif" />' if pinned and i == 0 else ""
        out.append(
            {
                "ul": f'<li>{pin}<a href="{href}" title="{t}">{t}</a><span class="date">{ds}</span></li>',
                "ul_date_first": f'<li><span class="date">{ds}</span>{pin}<a href="{href}">{t}</a></li>',
                "table": f'<tr><td>{pin}<a href="{href}">{t}</a></td><td>{ds}</td></tr>',
                "dl": f'<dl><dt>{pin}<a href="{href}">{t}</a></dt><dd>{t}摘要。</dd><dd class="time">{ds}</dd></dl>',
                "cards": f'<div class="item"><div class="pic"><a href="{href}"><img src="/p/{i}.jpg" alt="{t}"></a>'
                f'</div><div class="txt"><h3>{pin}<a href="{href}">{t}</a></h3><p>{t}……</p><span>{ds}</span></div></div>',
                "flat": f'{pin}<a href="{href}">{t}</a>&nbsp;{ds}<br/>',
            }[markup]
        )
    inner = "\n".join(out)
    if markup.startswith("ul"):
        return f'<ul class="list">{inner}</ul>'
    if markup == "table":
        return f'<table class="list">{inner}</table>'
    return f'<div class="list">{inner}</div>'


def _page(markup: str, fmt: str, chrome: str, pinned: bool, n: int) -> tuple[str, D, int]:
    rng = random.Random(f"{markup}/{fmt}/{chrome}/{pinned}/{n}")
    # Month-day dates only say which of the last 12 months they mean.
    ages = sorted(rng.sample(range(300 if fmt == "mmdd" else 700), n))
    items = []
    if pinned:
        items.append((TODAY - datetime.timedelta(days=900), "关于印发政务公开工作要点的通知", "/zwgk/tzgg/old/1.html"))
    for k, age in enumerate(ages):
        items.append((TODAY - datetime.timedelta(days=age), f"台江县第{k + 1}项重点工作推进情况的通报", f"/zwgk/tzgg/{2000 + k}.html"))
    side = ""
    if chrome in ("sidebar", "both"):  # a marked sidebar of fresh site-wide news
        side = '<div class="side"><h3>最新信息</h3><ul>' + "".join(
            f'<li><a href="/xwzx/{k}.html">全县各部门最新工作动态第{k}条</a><span>{TODAY}</span></li>' for k in range(6)
        ) + "</ul></div>"
    if chrome in ("box", "both"):  # an unmarked box of another column, bigger than a short list
        side += '<div class="box"><h3>热点新闻</h3><ul>' + "".join(
            f'<li><a href="/rdxw/{k}.html">热点新闻第{k}条关于全县工作的报道</a><span>{TODAY}</span></li>' for k in range(4)
        ) + "</ul></div>"
    html = f"""<html><head><title>通知公告_台江县人民政府</title></head><body>
<div class="top">今天是：{TODAY.year}年{TODAY.month}月{TODAY.day}日</div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/xwzx/">新闻中心</a></li></ul></div>
<div class="main"><div class="location">当前位置：<a href="/">首页</a> &gt; 通知公告</div>{side}
<div class="content"><div class="tit">通知公告</div>{_rows(markup, fmt, items, pinned)}</div></div>
<div class="footer">版权所有 更新时间：{TODAY}</div></body></html>"""
    return html, TODAY - datetime.timedelta(days=ages[0]), len(items)


@pytest.mark.parametrize("markup", MARKUPS)
def test_generated_pages(markup: str) -> None:
    failures = []
    for fmt, chrome, pinned, n in itertools.product(FORMATS, CHROME, (False, True), (1, 12)):
        if fmt == "box" and markup in ("flat", "table"):
            continue  # a day/month box is a block, not inline text
        if fmt == "mmdd" and pinned:
            continue  # a 900-day-old pinned 【MM-DD】 cannot say its year
        html, newest, count = _page(markup, fmt, chrome, pinned, n)
        result = extract(html, URL, today=TODAY)
        got = (result.newest(as_of=TODAY), len(result.items))
        if got != (newest, count):
            failures.append(f"{fmt}/{chrome}/pinned={pinned}/n={n}: got {got}, want {(newest, count)}")
    assert not failures, "\n".join(failures)


EMPTY_AREAS = {
    "empty_ul": '<ul class="list"></ul>',
    "zanwu": '<div class="list">暂无信息</div>',
    "header_only_table": '<table class="list"><tr><th>标题</th><th>发布日期</th></tr></table>',
    "nothing": "",
    "jianshe": "<p>本栏目正在建设中</p>",
    "zero": '<ul></ul><div class="page">共0条记录</div>',
}
BOXES = {
    "sidebar": '<div class="sidebar"><h3>最新信息</h3><ul>'
    + "".join(f'<li><a href="/xwzx/{k}.html">全县最新工作动态第{k}条信息</a><span>2021-09-2{k}</span></li>' for k in range(6))
    + "</ul></div>",
    "box": '<div class="box"><h3>热点新闻</h3><ul>'
    + "".join(f'<li><a href="/rdxw/{k}.html">热点新闻第{k}条关于全县工作的报道</a><span>2021-09-2{k}</span></li>' for k in range(5))
    + "</ul></div>",
    "menu": '<div class="leftmenu"><ul>'
    + "".join(f'<li><a href="/zwgk/c{k}/index.html">子栏目名称第{k}个栏目</a></li>' for k in range(12))
    + "</ul></div>",
    "links": '<div class="links"><h3>相关链接</h3><ul>'
    + "".join(f'<li><a href="http://www.gov{k}.cn/">省直部门网站第{k}个链接名称</a></li>' for k in range(8))
    + "</ul></div>",
}


@pytest.mark.parametrize("boxes_first", [True, False])
def test_an_empty_column_is_blank_whatever_boxes_sit_beside_it(boxes_first: bool) -> None:
    failures = []
    for area, boxes in itertools.product(
        EMPTY_AREAS, [(), ("sidebar",), ("box",), ("menu",), ("links",), ("menu", "box"), ("menu", "sidebar", "links")]
    ):
        if not boxes_first and area == "nothing":
            continue  # a bare heading followed by another box: nothing says where the list would be
        side = "".join(BOXES[b] for b in boxes)
        content = f'<div class="content"><div class="tit">统计数据</div>{EMPTY_AREAS[area]}</div>'
        html = (
            "<html><head><title>统计数据_台江县人民政府</title></head><body>"
            '<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div>'
            + (side + content if boxes_first else content + side)
            + '<div class="footer">版权所有</div></body></html>'
        )
        result = extract(html, "http://www.taijiang.gov.cn/zwgk/tjsj/", today=TODAY)
        if not result.blank:
            failures.append(f"{area} with {boxes}: {len(result.items)} items, newest {result.newest()}")
    assert not failures, "\n".join(failures)


def test_a_list_under_another_heading_is_kept_beside_a_menu_titled_like_the_column() -> None:
    rows = "".join(
        f'<li><a href="/art/2021/9/{20 - k}/art_77_{k}.html">台江县第{k}项重点工作推进情况</a><span>2021-09-{20 - k:02d}</span></li>'
        for k in range(5)
    )
    html = (
        "<html><head><title>通知公告_台江县人民政府</title></head><body>"
        '<div class="left"><div class="left-tit">通知公告</div><ul class="menu2">'
        '<li><a href="/col/col77/">县级通知</a></li><li><a href="/col/col78/">乡镇通知</a></li></ul></div>'
        f'<div class="right"><div class="r-tit">信息列表</div><ul class="list">{rows}</ul></div></body></html>'
    )
    result = extract(html, "http://www.taijiang.gov.cn/col/col76/index.html", today=TODAY)
    assert len(result.items) == 5 and result.newest() == D(2021, 9, 20)

"""Message boards (领导信箱, 咨询投诉 ...): asked date, reply state, reply date and type of each message."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from crawler.extract import REGISTRY, decode_html, extract
from crawler.extract.messages import message_state

HERE = Path(__file__).parent
BOARDS = HERE / "corpus_messages"
TODAY = datetime.date(2021, 11, 30)
URL = "http://www.taijiang.gov.cn/hdjl/ldxx/index.jsp"


def _read(name: str, extractor: str = "auto"):
    text, _ = decode_html((BOARDS / name).read_bytes(), None)
    return extract(text, URL, extractor=extractor, today=TODAY)


def _rows(result) -> list[tuple]:
    return [
        (it.title, it.date.isoformat() if it.date else None, it.extra["asked"], it.extra["replied"], it.extra["state"],
         it.extra["type"])
        for it in result.items
    ]


def test_table_with_a_state_column_and_a_type_column():
    result = _read("table_state_column.html")
    assert result.extractor == "messages"
    assert _rows(result) == [
        ("关于县城区停车难问题的建议", "2021-11-20", "2021-11-20", None, "replied", "建议"),
        ("咨询城乡居民医保缴费时间", "2021-10-12", "2021-10-12", None, "replied", "咨询"),
        ("反映某小区物业乱收费", "2021-08-02", "2021-08-02", None, "processing", "投诉"),
        ("对某村干部违纪问题的举报", "2021-06-15", "2021-06-15", None, "unanswered", "举报"),
        ("咨询新生儿落户需要的材料", "2021-05-03", "2021-05-03", None, "unanswered", "咨询"),
        ("老旧小区改造进度咨询", "2021-03-08", "2021-03-08", None, "replied", "咨询"),
    ]
    assert result.items[0].url == "http://www.taijiang.gov.cn/hdjl/ldxx/content.jsp?id=900"
    assert all(it.extra["kind"] == "message" and it.date_source == "list" for it in result.items)
    assert result.next_pages == ["http://www.taijiang.gov.cn/hdjl/ldxx/index.jsp?page=2"]


def test_list_with_state_markers_in_the_title():
    result = _read("list_state_markers.html")
    assert result.extractor == "messages"
    rows = _rows(result)
    assert [r[0] for r in rows][:2] == ["关于台江县第二中学招生范围的咨询", "施洞镇到县城班车时间调整的建议"]  # marker gone
    assert [r[4] for r in rows] == ["replied", "unanswered", "replied", "processing", "replied"]
    assert [r[2] for r in rows] == ["2021-11-25", "2021-11-22", "2021-09-30", "2021-07-18", "2021-04-09"]


def test_table_with_both_dates_an_empty_reply_date_is_unanswered():
    result = _read("table_both_dates.html")
    assert result.extractor == "messages"
    assert [(r[2], r[3], r[4]) for r in _rows(result)] == [
        ("2021-11-01", "2021-11-05", "replied"),
        ("2021-09-10", "2021-12-20", "replied"),
        ("2021-07-01", None, "unanswered"),
        ("2021-02-11", "2021-02-12", "replied"),
    ]
    # rows that open by script without an address get a stable address of their own on the page
    urls = [it.url for it in result.items]
    assert len(set(urls)) == 4 and all(u.startswith(URL + "#msg-") for u in urls)
    assert urls == [it.url for it in _read("table_both_dates.html").items]


def test_gbk_board_with_labelled_dates_and_state_icons():
    result = _read("gbk_labelled_icons.html")
    assert result.extractor == "messages"
    assert [(r[0], r[2], r[3], r[4]) for r in _rows(result)] == [
        ("关于台拱街道农贸市场占道经营的投诉", "2021-10-08", "2021-10-15", "replied"),
        ("咨询残疾人两项补贴发放时间", "2021-08-19", None, "unanswered"),
        ("革一镇饮水工程何时完工", "2021-03-02", "2021-07-30", "replied"),
    ]


def test_a_news_list_is_not_a_message_board():
    rows = "".join(
        f'<li><a href="/xwzx/t202109{d:02d}_{d}.html">台江县召开第{d}次工作推进会议</a><span>2021-09-{d:02d}</span></li>'
        for d in range(1, 9)
    )
    html = f"<html><head><title>工作动态</title></head><body><ul class='list'>{rows}</ul></body></html>"
    result = extract(html, "http://www.taijiang.gov.cn/xwzx/", today=TODAY)
    assert result.extractor != "messages"
    assert "留言时间" in REGISTRY["messages"].help()
    forced = extract(html, "http://www.taijiang.gov.cn/xwzx/", extractor="messages", today=TODAY)
    assert forced.extractor == "messages" and forced.items == []


def test_forced_on_a_board_the_configured_extractor_reads_it():
    text, _ = decode_html((BOARDS / "list_state_markers.html").read_bytes(), None)
    result = extract(text, URL, extractor="messages", today=TODAY)
    assert len(result.items) == 5


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("已回复", "replied"),
        ("已办结", "replied"),
        ("未办结", "unanswered"),
        ("待处理", "unanswered"),
        ("未回复", "unanswered"),
        ("已受理", "processing"),
        ("办理中", "processing"),
        ("查看", None),
    ],
)
def test_state_words(text, state):
    assert message_state(text) == state

"""Lists the browser would build from data the page already holds: JSON records in an inline script,
and server-side list markup left in an HTML comment."""

from __future__ import annotations

import datetime as dt
import json

from crawler.extract import extract

TODAY = dt.date(2025, 12, 1)
URL = "http://sthjt.example.gov.cn/col/col42150/index.html"


def _records() -> list[dict]:
    return [
        {"title": f"关于第{i}批生态环境执法检查情况的通报", "pubDate": f"2025-07-{29 - i:02d} 16:59", "topStatus": 0,
         "urls": json.dumps({"pc": f"/col/col42150/content/content_{100 + i}.html"}), "sortNum": 17537795400025028,
         "images": [{"cover": f"/img/{i}.png"}]}
        for i in range(5)
    ]


def test_records_in_an_inline_script_are_read_without_a_browser():
    channels = [{"name": "政务公开", "urls": {"pc": "/col/col1/index.html"}, "releaseTime": 1764547200000}]
    page = f"""<html><head><title>政策解读</title></head><body><div class="list" id="list"></div>
    <script>var channels = {json.dumps(channels, ensure_ascii=False)};
    var listData = {{ articleList: {json.dumps(_records(), ensure_ascii=False)}, total: 5 }};
    render(listData);</script></body></html>"""
    r = extract(page, URL, today=TODAY)
    assert r.extractor == "script_data" and not r.script_built
    assert [it.date for it in r.items] == [dt.date(2025, 7, 29 - i) for i in range(5)]
    assert r.items[0].url == "http://sthjt.example.gov.cn/col/col42150/content/content_100.html"
    assert r.items[0].title == "关于第0批生态环境执法检查情况的通报"
    assert r.reading.confidence == "high"


def test_unix_times_and_other_field_names_are_understood():
    recs = [{"docTitle": f"县政府第{i}次常务会议研究部署重点工作", "docUrl": f"/art/{i}.html", "releaseTime": 1700000000000 - i * 86400000}
            for i in range(3)]
    page = f"<html><body><ul id='newsList'></ul><script type='application/json'>{json.dumps(recs, ensure_ascii=False)}</script></body></html>"
    r = extract(page, URL, today=TODAY)
    assert r.newest(TODAY) == dt.date(2023, 11, 15)  # 1700000000 s is 2023-11-15 06:13 in Beijing


def test_a_shown_list_wins_over_script_data():
    rows = "".join(f"<li><a href='/a/{i}.html'>县里召开第{i}次重点项目调度推进会议</a><span>2025-11-0{i + 1}</span></li>"
                   for i in range(4))
    page = f"""<html><body><ul class="list">{rows}</ul>
    <script>var hot = {json.dumps(_records(), ensure_ascii=False)};</script></body></html>"""
    r = extract(page, URL, today=TODAY)
    assert r.extractor == "generic" and r.newest(TODAY) == dt.date(2025, 11, 4)


def test_list_markup_left_in_a_comment_is_read_with_less_confidence():
    rows = "".join(f"<li><a href='/jyt/202511/{i}.shtml' title='通知{i}'>关于开展第{i}批专项研究课题结项工作的通知</a>"
                   f"<b>2025-11-{17 - i}</b></li>" for i in range(5))
    page = f"""<html><head><title>文件通知</title></head><body><div class="main"><ul class="xxgklist"><!--
    {rows}
    <script>createPageHTML('page_div',10, 1,'zwgklist','shtml',200);</script>--></ul></div></body></html>"""
    r = extract(page, URL, today=TODAY)
    assert r.newest(TODAY) == dt.date(2025, 11, 17) and len(r.items) == 5
    assert r.reading.confidence == "medium" and r.reading.reasons == ["commented_list"]

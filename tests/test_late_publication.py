"""Late publication end to end: a 政府信息公开 table's 成文日期 is extracted, stored, loaded and judged."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

from sqlalchemy import select

from checks import run_checks
from config import load_catalogue, parse_config
from crawler.extract import decode_html, extract
from notifier.evidence import describe_evidence
from storage import (
    ColumnRow,
    Database,
    ItemRecord,
    PageRecord,
    apply_outcomes,
    list_findings,
    load_check_input,
    record_page,
    sync_roster,
)

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
FIXTURE = Path(__file__).parent / "extract" / "corpus" / "xxgk_written_publish_table.html"
URL = "http://www.leishan.gov.cn/xxgk/zfxxgk/fdzdgknr/gfxwj/"
CFG = {
    "county": "雷山县",
    "units": [{"id": "zfb", "name": "县政府办", "kind": "department",
               "sites": [{"url": "http://www.leishan.gov.cn/", "columns": [{"name": "规范性文件", "url": URL}]}]}],
}


def test_a_document_published_long_after_its_date_is_found_and_told_in_chinese(db_url):
    text, _ = decode_html(FIXTURE.read_bytes())
    result = extract(text, URL)
    items = [ItemRecord(i.title, i.url, i.date, i.pinned, dict(i.extra or {})) for i in result.items]  # as the spider
    db = Database(db_url)
    with db.session() as s:
        sync_roster(s, parse_config(CFG, "t.yaml").config)
        col_id = s.scalar(select(ColumnRow.id).where(ColumnRow.name == "规范性文件"))
        record_page(s, PageRecord(col_id, "ok", fetched_at=dt.datetime(2021, 9, 29, 10, tzinfo=TZ), items=items))
    with db.session() as s:
        inp = load_check_input(s, dt.date(2021, 9, 30), TZ)
    docs = inp.documents[col_id]
    assert len(docs) == 9  # one row shows no 成文日期 ("—")
    outs = run_checks(inp, load_catalogue(), ["content.late"])
    late = [o for o in outs if not o.passed]
    assert len(outs) == 9 and len(late) == 1
    (o,) = late
    assert o.evidence["written"] == "2021-07-05" and o.evidence["published"] == "2021-09-28"
    assert o.evidence["working_days"] > 20 and o.points == 0.5
    with db.session() as s:
        assert apply_outcomes(s, outs, dt.date(2021, 9, 30)).opened == 1
    with db.session() as s:
        (f,) = list_findings(s, status="open")
        assert f.rule == "content.late" and f.target == o.target
        sentence = describe_evidence(f.rule, f.evidence)
    assert "成文日期 2021-07-05" in sentence and "2021-09-28 才公开" in sentence and "超过 20 个工作日" in sentence
    # a year later the document is no longer looked at
    with db.session() as s:
        assert load_check_input(s, dt.date(2022, 10, 30), TZ).documents == {}
    db.dispose()

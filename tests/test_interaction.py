"""Message boards through storage (SQLite and PostgreSQL): stored messages are read back and judged."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from checks.interaction import unanswered_messages
from config import parse_config
from config.loader import load_catalogue
from storage import Database, ItemRecord, PageRecord, load_check_input, record_page, sync_roster

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
AS_OF = dt.date(2021, 11, 30)
CFG = {
    "county": "测试县",
    "units": [{"id": "fgj", "name": "发展改革局", "kind": "department", "sites": [{
        "url": "http://127.0.0.1:9/fgj/", "columns": [
            {"name": "局长信箱", "url": "http://127.0.0.1:9/fgj/jzxx/", "category": "interaction", "extractor": "messages"},
            {"name": "工作动态", "url": "http://127.0.0.1:9/fgj/gzdt/"},
        ]}]}],
}


def _msg(n: int, asked: str, state: str, replied: str | None = None, kind: str | None = "咨询") -> ItemRecord:
    extra = {"kind": "message", "asked": asked, "replied": replied, "state": state, "type": kind}
    return ItemRecord(f"留言{n}", f"http://127.0.0.1:9/fgj/jzxx/{n}.html", dt.date.fromisoformat(asked), False, extra)


def _at(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(9), TZ)


def test_stored_messages_are_judged_with_their_latest_state(db_url):
    db = Database(db_url)
    cfg = parse_config(CFG, "t.yaml").config
    catalogue = load_catalogue()
    with db.session() as s:
        sync_roster(s, cfg)
        inp = load_check_input(s, AS_OF, TZ)
        board = next(c for c in inp.columns if c.name == "局长信箱")
        news = next(c for c in inp.columns if c.name == "工作动态")
        first = [
            _msg(1, "2021-06-01", "unanswered"),                 # overdue since 2021-09-01
            _msg(2, "2021-07-01", "unanswered"),                 # answered in time later on
            _msg(3, "2021-05-01", "unanswered", kind="信访"),    # a petition: not a consultation
            _msg(4, "2019-05-01", "unanswered"),                 # long before the year judged
        ]
        record_page(s, PageRecord(board.id, "ok", fetched_at=_at("2021-08-01"), items=first))
        second = [_msg(2, "2021-07-01", "replied", "2021-08-20")]
        record_page(s, PageRecord(board.id, "ok", fetched_at=_at("2021-11-30"), items=second))
        # a news item never counts as a message, even with the same fields
        record_page(s, PageRecord(news.id, "ok", fetched_at=_at("2021-11-30"), items=[
            ItemRecord("工作动态1", "http://127.0.0.1:9/fgj/gzdt/1.html", dt.date(2021, 11, 29))]))

    with db.session() as s:
        inp = load_check_input(s, AS_OF, TZ)
        msgs = {m.title: m for m in inp.messages[board.id]}
        assert set(msgs) == {"留言1", "留言2", "留言3"} and news.id not in inp.messages
        assert (msgs["留言2"].state, msgs["留言2"].replied) == ("replied", dt.date(2021, 8, 20))
        assert msgs["留言1"].first_seen.tzinfo is not None
        (out,) = list(unanswered_messages(inp, catalogue))
    assert (out.rule, out.unit_id, out.target, out.passed, out.severity) == (
        "interaction.unanswered", "fgj", "http://127.0.0.1:9/fgj/jzxx/", False, "veto")
    assert out.evidence["limit"] == "3个月"
    assert out.evidence["messages"] == [{
        "title": "留言1", "url": "http://127.0.0.1:9/fgj/jzxx/1.html", "asked": "2021-06-01", "replied": None,
        "state": "unanswered", "type": "咨询", "waited_days": 182,
    }]

    # the board cannot be read now: it is not judged at all (no finding, no rectification)
    with db.session() as s:
        record_page(s, PageRecord(board.id, "timeout", fetched_at=_at("2021-11-30"), error="timeout"))
    with db.session() as s:
        assert list(unanswered_messages(load_check_input(s, AS_OF, TZ), catalogue)) == []
    db.dispose()

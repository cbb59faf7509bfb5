"""Storage on SQLite and PostgreSQL: migrations, roster sync, observations, finding lifecycle."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from sqlalchemy import func, select

from checks.base import Outcome
from config import parse_config
from storage import (
    ColumnItem,
    ColumnRow,
    Database,
    Finding,
    FindingEvent,
    ItemRecord,
    PageRecord,
    apply_outcomes,
    crawl_memory,
    finding_to_dict,
    list_findings,
    load_check_input,
    record_page,
    sync_roster,
)

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
CFG = {
    "county": "测试县",
    "units": [
        {"id": "fgj", "name": "发展改革局", "kind": "department",
         "sites": [{"url": "http://127.0.0.1:9/fgj/", "columns": [
             {"name": "工作动态", "url": "http://127.0.0.1:9/fgj/gzdt/"},
             {"name": "通知公告", "url": "http://127.0.0.1:9/fgj/tzgg/", "top_level": True}]}],
         "accounts": [{"platform": "rss", "url": "http://127.0.0.1:9/feed.xml", "name": "发改发布"}]},
        {"id": "czj", "name": "财政局", "kind": "department"},
    ],
}


def test_migrations_are_idempotent_and_roster_sync(db_url):
    db = Database(db_url)
    Database(db_url)  # a second open upgrades nothing and breaks nothing
    cfg = parse_config(CFG, "t.yaml").config
    with db.session() as s:
        stats = sync_roster(s, cfg)
        assert (stats.units, stats.sites, stats.columns, stats.accounts) == (2, 1, 2, 1)
    with db.session() as s:
        roles = sorted(r for (r,) in s.execute(select(ColumnRow.role)))
        assert roles == ["column", "column", "homepage"]
    # drop a column from the config: it is deactivated, not deleted
    cfg2 = parse_config({**CFG, "units": [{**CFG["units"][0], "sites": [{**CFG["units"][0]["sites"][0],
                         "columns": CFG["units"][0]["sites"][0]["columns"][:1]}]}, CFG["units"][1]]}, "t.yaml").config
    with db.session() as s:
        assert sync_roster(s, cfg2).deactivated == 1
        assert s.scalar(select(func.count(ColumnRow.id))) == 3
        assert s.scalar(select(func.count(ColumnRow.id)).where(ColumnRow.active.is_(True))) == 2
    db.dispose()


def test_observations_keep_first_seen_and_timezones(db_url):
    db = Database(db_url)
    cfg = parse_config(CFG, "t.yaml").config
    with db.session() as s:
        sync_roster(s, cfg)
        col = s.scalar(select(ColumnRow).where(ColumnRow.name == "工作动态"))
        col_id = col.id
    t1 = dt.datetime(2021, 11, 1, 9, 30, tzinfo=TZ)
    t2 = dt.datetime(2021, 11, 2, 9, 30, tzinfo=TZ)
    items = [ItemRecord("县发改局召开会议", "http://127.0.0.1:9/fgj/gzdt/a1.html", dt.date(2021, 10, 30)),
             ItemRecord("无日期信息", "http://127.0.0.1:9/fgj/gzdt/a2.html", None)]
    with db.session() as s:
        record_page(s, PageRecord(col_id, "ok", fetched_at=t1, items=items, pages=1))
    with db.session() as s:
        record_page(s, PageRecord(col_id, "ok", fetched_at=t2, items=items[:1]
                                  + [ItemRecord("新信息", "http://127.0.0.1:9/fgj/gzdt/a3.html", dt.date(2021, 11, 2))]))
    with db.session() as s:
        rows = {r.url.rsplit("/", 1)[1]: r for r in s.scalars(select(ColumnItem))}
        assert rows["a1.html"].first_seen == t1 and rows["a1.html"].last_seen == t2
        assert rows["a1.html"].first_seen.tzinfo is not None
        assert rows["a3.html"].first_seen == t2
        inp = load_check_input(s, dt.date(2021, 11, 30), TZ)
        page = inp.pages[col_id]
        assert page.item_count == 2 and page.newest(dt.date(2021, 11, 30)) == dt.date(2021, 11, 2)
        assert page.newest(dt.date(2021, 11, 1)) == dt.date(2021, 10, 30)
        assert page.ever_had_items
    db.dispose()


def test_crawl_memory_gives_the_last_read_lists_further_items_and_known_article_dates(db_url):
    db = Database(db_url)
    with db.session() as s:
        sync_roster(s, parse_config(CFG, "t.yaml").config)
        gzdt, tzgg = (s.scalar(select(ColumnRow.id).where(ColumnRow.name == n)) for n in ("工作动态", "通知公告"))
    base = "http://127.0.0.1:9/fgj/"
    t1, t2 = (dt.datetime(2021, 11, d, 9, 30, tzinfo=TZ) for d in (1, 2))
    pinned = ItemRecord("置顶公告", f"{base}tzgg/p.html", dt.date(2019, 5, 1), pinned=True)
    deep = ItemRecord("通知", f"{base}tzgg/n.html", dt.date(2021, 10, 30), extra={"written": "2021-10-28"})
    head = {"fingerprint": "f1", "walked": "2021-11-01", "further": [deep.url]}
    with db.session() as s:
        record_page(s, PageRecord(tzgg, "ok", fetched_at=t1, items=[pinned, deep], info={"list_head": head}))
        record_page(s, PageRecord(gzdt, "ok", fetched_at=t1, info={"articles_opened": 1}, items=[
            ItemRecord("动态", f"{base}gzdt/a.html", dt.date(2021, 10, 31)), ItemRecord("旧", f"{base}gzdt/b.html")]))
        # a failed read later on does not hide what the last good one said
        record_page(s, PageRecord(tzgg, "timeout", fetched_at=t2))
    with db.session() as s:
        memory = crawl_memory(s, [gzdt, tzgg])
    db.dispose()
    assert memory[tzgg] == {"list_head": {**head, "further": [
        {"title": "通知", "url": deep.url, "date": "2021-10-30", "pinned": False, "extra": {"written": "2021-10-28"}}]}}
    assert memory[gzdt] == {"known_dates": {f"{base}gzdt/a.html": ["2021-10-31", None]}}


def test_finding_lifecycle_dedup_and_rectify(db_url):
    db = Database(db_url)
    with db.session() as s:
        sync_roster(s, parse_config(CFG, "t.yaml").config)
    target = "http://127.0.0.1:9/fgj/gzdt/"
    bad = Outcome("column.stale", "fgj", target, False, "deduction", 1.0,
                  {"column": "工作动态", "category": "news", "last_update": "2021-10-01", "limit_days": 14})
    with db.session() as s:
        assert apply_outcomes(s, [bad], dt.date(2021, 11, 2)).opened == 1
    with db.session() as s:
        st = apply_outcomes(s, [bad], dt.date(2021, 11, 3))
        assert (st.opened, st.seen) == (0, 1)
        apply_outcomes(s, [bad], dt.date(2021, 11, 3))  # same day again: no new sighting
    with db.session() as s:
        (f,) = list_findings(s)
        assert (f.first_seen, f.last_seen, f.seen_count, f.status) == (dt.date(2021, 11, 2), dt.date(2021, 11, 3), 2, "open")
        d = finding_to_dict(f)
        assert d["evidence"]["column"] == "工作动态" and d["unit"] == "fgj" and d["points"] == 1.0
    good = Outcome("column.stale", "fgj", target, True)
    with db.session() as s:
        assert apply_outcomes(s, [good], dt.date(2021, 11, 4)).rectified == 1
    with db.session() as s:
        (f,) = list_findings(s)
        assert f.status == "rectified" and f.rectified_on == dt.date(2021, 11, 4)
        assert s.scalar(select(func.count(Finding.id))) == 1
        actions = [e.action for e in s.scalars(select(FindingEvent).order_by(FindingEvent.id))]
        assert actions == ["opened", "rectified"]
    with db.session() as s:
        assert apply_outcomes(s, [bad], dt.date(2021, 11, 20)).reopened == 1
        (f,) = list_findings(s, status="open")
        assert f.first_seen == dt.date(2021, 11, 20)
    db.dispose()


def test_naive_datetimes_are_refused(db_url):
    db = Database(db_url)
    with db.session() as s:
        sync_roster(s, parse_config(CFG, "t.yaml").config)
        col_id = s.scalar(select(ColumnRow.id).limit(1))
    with pytest.raises(Exception, match="naive datetime"), db.session() as s:
        record_page(s, PageRecord(col_id, "ok", fetched_at=dt.datetime(2021, 1, 1)))
    db.dispose()


def test_items_appearing_after_monitoring_began_feed_the_back_dating_check(db_url):
    from checks import run_checks
    from config import load_catalogue

    db = Database(db_url)
    with db.session() as s:
        sync_roster(s, parse_config(CFG, "t.yaml").config)
        col_id = s.scalar(select(ColumnRow.id).where(ColumnRow.name == "工作动态"))
    base = "http://127.0.0.1:9/fgj/gzdt/"
    old = ItemRecord("监测开始时已有", base + "a0.html", dt.date(2021, 8, 30))
    with db.session() as s:
        record_page(s, PageRecord(col_id, "ok", fetched_at=dt.datetime(2021, 9, 1, 10, tzinfo=TZ), items=[old]))
    late = ItemRecord("补发的会议信息", base + "a1.html", dt.date(2021, 10, 1))
    timely = ItemRecord("及时发布", base + "a2.html", dt.date(2021, 11, 19))
    with db.session() as s:
        record_page(s, PageRecord(col_id, "ok", fetched_at=dt.datetime(2021, 11, 20, 10, tzinfo=TZ),
                                  items=[old, late, timely]))
    with db.session() as s:
        inp = load_check_input(s, dt.date(2021, 11, 30), TZ)
    assert sorted(i.url for i in inp.new_items[col_id]) == [late.url, timely.url]
    outs = run_checks(inp, load_catalogue(), ["content.backdated"])
    assert [(o.target, o.evidence["lag_days"]) for o in outs] == [(late.url, 50)]
    db.dispose()

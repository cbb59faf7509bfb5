"""Rendering: hostile page titles, template overrides, working-day deadlines, digest and monthly contents, dry run."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import select

from checks.base import Outcome
from govwatch.cli import main
from notifier.channels import build_email
from notifier.delivery import notify
from notifier.notices import build_duty_digest, build_monthly, deadline_after, due_notices
from storage.findings import apply_outcomes
from storage.models import Notice
from tests.notify.conftest import AS_OF


def test_hostile_titles_are_rendered_safely_in_every_notice(county):
    make, db = county
    loaded = make(hostile=True)
    with db.session() as s:
        notices = due_notices(s, loaded.config, loaded.catalogue, AS_OF, ("digest", "rectification", "monthly"))
    assert sorted((n.kind, n.unit_id) for n in notices) == [
        ("digest", "*"), ("monthly", "*"), ("rectification", "czj"), ("rectification", "fgj")]
    for n in notices:
        for body in (n.html, n.markdown, n.subject):
            assert "<script>" not in body and "<img src=x" not in body  # plain text may show them as text
        for body in (n.html, n.text, n.markdown, n.subject):
            assert "\x00" not in body and "\x1b" not in body
            body.encode("utf-8")  # no lone surrogates left
        assert "\n" not in n.subject
        assert len(n.html) < 60_000 and len(n.text) < 30_000
        assert "](javascript" not in n.markdown and "# 注入" not in n.markdown
        bytes(build_email(n, "gov@sample.gov.cn", ["x@sample.gov.cn"]))  # and it makes a valid e-mail
    fgj = next(n for n in notices if n.unit_id == "fgj")
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in fgj.html  # shown, escaped, not dropped
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;.pdf" in fgj.html
    assert "(1) <script>alert('x')</script>很长的标题" in fgj.text  # plain text shows the title as text, on one line
    line = next(x for x in fgj.text.splitlines() if "(1) <script>" in x)
    assert line.endswith("…") and len(line.strip()) <= 125
    digest = next(n for n in notices if n.kind == "digest")
    assert "&lt;script&gt;" in digest.html


def test_county_templates_override_the_bundled_ones(county, tmp_path):
    make, db = county
    override = tmp_path / "templates"
    override.mkdir()
    (override / "rectification.txt.j2").write_text("{{ unit }}请于{{ deadline | cn_date }}前整改（县模板）\n", encoding="utf-8")
    loaded = make({"templates": "templates"})
    assert main(["notify", "--dry-run", "--out", str(tmp_path / "preview"), "--as-of", AS_OF.isoformat(),
                 "--config", str(_write_config(loaded, tmp_path)), "--db", str(db.url)]) == 0
    text = (tmp_path / "preview" / "rectification-2021-W48-fgj.txt").read_text(encoding="utf-8")
    assert text.strip() == "发展改革局请于2021年12月7日前整改（县模板）"
    assert "栏目不更新" in (tmp_path / "preview" / "rectification-2021-W48-fgj.html").read_text(encoding="utf-8")
    with db.session() as s:
        assert s.scalars(select(Notice)).all() == []  # a dry run records nothing


def _write_config(loaded, tmp_path):
    import yaml

    data = loaded.config.model_dump(mode="json", exclude_none=True)
    path = tmp_path / "county.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_dry_run_previews_every_notice_and_sends_nothing(county, tmp_path, capsys):
    make, db = county
    loaded = make({"smtp": {"host": "127.0.0.1", "port": 9, "security": "none", "sender": "gov@sample.gov.cn"}})
    cfg = _write_config(loaded, tmp_path)
    out = tmp_path / "preview"
    assert main(["notify", "--dry-run", "--out", str(out), "--as-of", AS_OF.isoformat(), "--kind", "digest",
                 "--kind", "rectification", "--kind", "monthly", "--config", str(cfg), "--db", str(db.url)]) == 0
    printed = capsys.readouterr().out
    assert "预览" in printed and "整改通知 发展改革局" in printed
    assert sorted(p.name for p in out.glob("*.html")) == [
        "digest-2021-11-30-all.html", "monthly-2021-11-all.html",
        "rectification-2021-W48-czj.html", "rectification-2021-W48-fgj.html"]
    meta = json.loads((out / "rectification-2021-W48-fgj.json").read_text(encoding="utf-8"))
    assert meta["recipients"] == ["fgj@sample.gov.cn", "fgj2@sample.gov.cn"]
    with db.session() as s:
        assert s.scalars(select(Notice)).all() == []


def test_deadline_counts_chinese_working_days():
    # National Day 2021: 1-7 October off, Saturday 9 October is a working day (调休)
    assert deadline_after(dt.date(2021, 9, 30), 5) == dt.date(2021, 10, 13)
    assert deadline_after(dt.date(2021, 11, 26), 1) == dt.date(2021, 11, 29)  # Friday -> Monday
    assert deadline_after(dt.date(2031, 1, 3), 1) == dt.date(2031, 1, 6)  # beyond the calendar: weekdays


def test_digest_shows_what_changed_since_the_last_digest(county):
    make, db = county
    loaded = make({"outbox": "outbox", "warn_within_days": 7})
    notify(db, loaded.config, loaded.catalogue, AS_OF, output_dir=loaded.base_dir / "out", kinds=("digest",))
    day2 = AS_OF + dt.timedelta(days=1)
    base = "http://127.0.0.1:9"
    with db.session() as s:
        apply_outcomes(s, [
            Outcome("column.blank", "czj", f"{base}/bm/czj/tjsj/", True),  # fixed
            Outcome("column.stale", "gyz", f"{base}/xz/gyz/xzdt/", False, "deduction", 1.0,
                    {"column": "乡镇动态", "category": "news", "last_update": "2021-11-10", "limit_days": 14}),
        ], day2)
    with db.session() as s:
        data = build_duty_digest(s, loaded.config, loaded.catalogue, day2)
    assert data["since"] == AS_OF
    assert [(r["unit_id"], r["name"]) for r in data["new"]] == [("gyz", "乡镇动态")]
    assert [(r["unit_id"], r["name"]) for r in data["rectified"]] == [("czj", "统计数据")]
    assert [(r["unit_id"], r["due"]) for r in data["due_soon"]] == [("fgj", dt.date(2021, 12, 5))]
    counts = {u["id"]: (u["problems"], u["warnings"], u["new"], u["rectified"]) for u in data["unit_counts"]}
    assert counts == {"fgj": (2, 1, 0, 0), "czj": (1, 0, 0, 1), "gyz": (1, 0, 1, 0)}
    assert [o["target"] for o in data["operator"]] == ["微博 123"]  # the platform by its name, not the key weibo:123


def test_monthly_report_ranks_units_and_compares_with_last_month(county):
    make, db = county
    loaded = make(seeded=False)
    from tests.notify.conftest import seed, standard_outcomes

    oct_day = dt.date(2021, 10, 20)
    seed(db, loaded, [o for o in standard_outcomes() if o.unit_id == "czj"], oct_day)
    seed(db, loaded, [o for o in standard_outcomes() if o.unit_id == "fgj"], AS_OF)
    with db.session() as s:
        apply_outcomes(s, [Outcome("homepage.stale", "czj", "http://127.0.0.1:9/bm/czj/", True)], dt.date(2021, 11, 5))
        data = build_monthly(s, loaded.config, loaded.catalogue, AS_OF)
    rows = {r["id"]: r for r in data["units"]}
    assert [r["id"] for r in data["units"]] == ["fgj", "czj", "gyz"]
    assert (rows["fgj"]["rank"], rows["fgj"]["open"], rows["fgj"]["change"], rows["fgj"]["warnings"]) == (1, 2, 2, 1)
    assert (rows["czj"]["open"], rows["czj"]["open_prev"], rows["czj"]["change"], rows["czj"]["rectified"]) == (1, 2, -1, 1)
    assert rows["fgj"]["points"] == 1.1
    assert rows["gyz"]["open"] == 0  # the operator problem is not the unit's


def _veto_finding():
    from storage.models import Finding

    cols = [{"column": "工作动态", "url": "http://127.0.0.1:9/gzdt/", "last_update": "2021-10-01"},
            {"column": "通知公告", "url": "http://127.0.0.1:9/tzgg/", "last_update": None}]
    ev = {"page": "http://127.0.0.1:9/", "counts": {"stale_news_top_notice": 2, "stale_should_update": 0, "blank": 0},
          "thresholds": {"stale_news_top_notice": 2}, "triggered": ["stale_news_top_notice"],
          "stale_news_top_notice": cols, "stale_should_update": [], "blank": []}
    return Finding(id="v1", rule="columns.veto", unit_id="fgj", target="http://127.0.0.1:9/", severity="veto",
                   status="open", points=0.0, evidence=ev, first_seen=AS_OF, last_seen=AS_OF)


def test_a_veto_notice_lists_its_columns_and_counts_in_chinese():
    from config.loader import load_catalogue
    from notifier.notices import finding_row

    row = finding_row(_veto_finding(), load_catalogue(), {"fgj": "发展改革局"}, AS_OF)
    details = dict(row["details"])
    assert details["动态要闻类2周未更新与一级通知公告、政策文件类6个月未更新栏目"] == (
        "2 个：工作动态（最近更新 2021-10-01）、通知公告（最近更新 无）")
    assert "2 个（标准 ≥2）（达到否决标准）" in row["evidence"]


def test_no_notice_shows_an_english_evidence_key():
    from config.loader import load_catalogue
    from notifier.notices import finding_row
    from storage.models import Finding

    odd = Finding(id="x1", rule="some.future_rule", unit_id="fgj", target="http://127.0.0.1:9/", severity="deduction",
                  status="open", points=1.0, evidence={"column": "工作动态", "internal_score": 3, "last_update": "2021-10-01"},
                  first_seen=AS_OF, last_seen=AS_OF)
    for f in (odd, _veto_finding()):
        row = finding_row(f, load_catalogue(), {"fgj": "发展改革局"}, AS_OF)
        shown = row["evidence"] + "".join(k + v for k, v in row["details"])
        assert not re.search(r"[a-z]+_[a-z_]+", re.sub(r"https?://\S+", "", shown)), shown
    assert dict(finding_row(odd, load_catalogue(), {}, AS_OF)["details"]) == {"栏目": "工作动态", "最近更新": "2021-10-01"}

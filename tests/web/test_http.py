"""The workbench over HTTP (ASGI test client): logins, roles, CSRF, filters, paging and the finding's actions."""

from __future__ import annotations

import datetime as dt
import io
import json

from openpyxl import load_workbook
from parsel import Selector

from govwatch.cli import main
from storage.appeals import record_publication
from storage.findings import finding_events, get_finding
from storage.models import Appeal
from tests.web.conftest import BROKEN_LINKS, PASSWORD, csrf_of, login

PAGES = ["/", "/today", "/findings", "/findings/whatever", "/units", "/units/fgj", "/scores", "/scores/2021.xlsx",
         "/appeals", "/status", "/no-such-page"]


def _rows(html: str) -> list[dict[str, str]]:
    sel = Selector(text=html)
    heads = [h.xpath("string()").get().strip() for h in sel.css("table#findings thead th")]
    out = []
    for tr in sel.css("table#findings tbody tr[data-id]"):
        cells = [td.xpath("string()").get().strip() for td in tr.css("td")]
        out.append(dict(zip(heads, cells, strict=True)))
    return out


def test_nothing_is_shown_before_logging_in_and_the_login_form_has_its_fields(bench):
    c = bench.client()
    for path in PAGES:
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
        assert "发展改革局" not in r.text
    form = Selector(text=c.get("/login").text).css("form[action='/login']")
    assert form.attrib["method"] == "post"
    assert form.css("input[name=username]") and form.css("input[name=password][type=password]")
    assert form.css("input[type=hidden][name=csrf_token]").attrib["value"]


def test_login_sets_the_session_and_findings_show_unit_names_and_rule_labels(bench_any):
    c = bench_any.client()
    r = login(c, "duty1", "wrong password")
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    assert c.get("/findings", follow_redirects=False).status_code == 303
    r = login(c, "duty1")
    cookie = r.headers["set-cookie"].lower()
    assert r.status_code == 303 and "govwatch_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    r = c.get("/findings")
    assert r.status_code == 200 and f"共 {BROKEN_LINKS + 5} 个" in r.text
    rows = _rows(r.text)  # the first 50, by unit id: czj, then fgj
    assert {row["单位"] for row in rows} == {"财政局", "发展改革局"}
    assert {row["指标"] for row in rows} == {"首页不更新", "栏目不更新", "空白栏目", "链接不可用"}
    assert {row["指标"] for row in _rows(c.get("/findings?unit=czj").text)} == {"首页不更新"}
    fid = bench_any.ids[("column.stale", "fgj")]
    page = c.get(f"/findings/{fid}").text
    assert "栏目不更新" in page and "发展改革局" in page and "2021-10-16、2021-11-30" in page


def test_filters_and_pages(bench):
    c = bench.client("duty1")
    first = c.get("/findings?rule=link.broken")
    assert f"共 {BROKEN_LINKS} 个" in first.text and "第 1 / 2 页" in first.text
    second = c.get("/findings?rule=link.broken&page=2")
    one, two = _rows(first.text), _rows(second.text)
    assert len(one) == 50 and len(two) == BROKEN_LINKS - 50
    assert not {r["编号"] for r in one} & {r["编号"] for r in two}
    assert {r["指标"] for r in one + two} == {"链接不可用"}
    # the links keep the filters
    assert Selector(text=first.text).css("a[rel=next]").attrib["href"] == "/findings?rule=link.broken&page=2"
    assert [r["单位"] for r in _rows(c.get("/findings?severity=veto").text)] == ["财政局"]
    assert [r["单位"] for r in _rows(c.get("/findings?status=warning").text)] == ["革一镇"]
    # open on 2021-10-20: only the stale column had been seen by then
    assert [r["指标"] for r in _rows(c.get("/findings?date=2021-10-20").text)] == ["栏目不更新"]
    assert "日期格式应为" in c.get("/findings?date=2021-13-01").text
    assert c.get("/findings?page=abc").status_code == 400


def test_a_unit_user_sees_only_its_own_unit(bench_any):
    c = bench_any.client("fgjuser")
    assert c.get("/", follow_redirects=False).headers["location"] == "/units/fgj"
    rows = _rows(c.get("/findings?unit=czj").text)
    assert rows and {r["单位"] for r in rows} == {"发展改革局"}
    other = bench_any.ids[("homepage.stale", "czj")]
    r = c.get(f"/findings/{other}")
    assert r.status_code == 403 and "首页不更新" not in r.text
    assert c.get("/units/czj").status_code == 403
    assert c.get("/status").status_code == 403
    # nor the suspected findings of its own unit before the duty staff confirm them
    gyz = bench_any.client("gyzuser")
    assert [r["状态"] for r in _rows(gyz.get("/findings").text)] == ["预警"]
    assert _rows(gyz.get("/findings?status=suspected").text) == []
    assert gyz.get(f"/findings/{bench_any.ids[('suspected', 'gyz')]}").status_code == 404
    own = bench_any.ids[("column.stale", "fgj")]
    page = c.get(f"/findings/{own}")
    assert page.status_code == 200 and "dismiss-form" not in page.text
    # a unit user cannot dismiss, even with a valid token
    r = c.post(f"/findings/{own}/dismiss", data={"reason": "不是问题", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 403
    with bench_any.ctx.db.session() as s:
        assert get_finding(s, own).status == "open"
    # the scores page and the workbook are the unit's own
    assert "财政局" not in c.get("/scores?year=2021").text
    wb = load_workbook(io.BytesIO(c.get("/scores/2021.xlsx").content))
    assert "自查自评" in wb.sheetnames


def test_forms_without_their_csrf_token_are_refused(bench):
    c = bench.client()
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": "duty1", "password": PASSWORD})
    assert r.status_code == 403 and "CSRF" in r.text
    c = bench.client("duty1")
    fid = bench.ids[("column.blank", "fgj")]
    for data in ({"reason": "误报"}, {"reason": "误报", "csrf_token": token}, {"reason": "误报", "csrf_token": ""}):
        r = c.post(f"/findings/{fid}/dismiss", data=data)
        assert r.status_code == 403, data
    with bench.ctx.db.session() as s:
        assert get_finding(s, fid).status == "open"
    assert c.post("/logout", data={}).status_code == 403


def test_duty_dismisses_and_reopens_and_the_history_names_them(bench_any, capsys):
    c = bench_any.client("duty1")
    fid = bench_any.ids[("column.blank", "fgj")]
    page = c.get(f"/findings/{fid}").text
    assert "dismiss-form" in page and "reopen-form" not in page
    r = c.post(f"/findings/{fid}/dismiss", data={"reason": "   ", "csrf_token": csrf_of(page)})
    assert "须说明理由" in r.text
    r = c.post(f"/findings/{fid}/dismiss", data={"reason": "该栏目已按规定撤并", "csrf_token": csrf_of(page)})
    assert r.status_code == 200 and "问题已排除" in r.text
    history = Selector(text=r.text).css("table#history tbody tr")
    last = [td.xpath("string()").get().strip() for td in history[-1].css("td")]
    assert last[2:] == ["排除", "待整改 → 已排除", "duty1", "该栏目已按规定撤并"]
    assert "reopen-form" in r.text and "dismiss-form" not in r.text
    # the CLI sees the same history
    assert main(["finding", "show", fid, *bench_any.args]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "dismissed" and shown["events"][-1]["actor"] == "duty1"
    r = c.post(f"/findings/{fid}/reopen", data={"reason": "复查仍为空白", "csrf_token": csrf_of(r.text)})
    assert "问题已恢复" in r.text
    with bench_any.ctx.db.session() as s:
        assert [(e.action, e.actor) for e in finding_events(s, fid)][-2:] == [("dismissed", "duty1"), ("reopened", "duty1")]
        assert get_finding(s, fid).status == "open"


def test_duty_confirms_a_suspected_finding_listed_on_today(bench):
    c = bench.client("duty1")
    fid = bench.ids[("suspected", "gyz")]
    today = Selector(text=c.get("/today").text)
    row = today.css(f"table#suspected a[href='/findings/{fid}']")
    assert row and "列表日期只有月日" in today.css("table#suspected").xpath("string()").get()
    page = c.get(f"/findings/{fid}").text
    assert "confirm-form" in page and "dismiss-form" in page and "待确认" in page
    r = c.post(f"/findings/{fid}/confirm", data={"reason": "人工核对确认未更新", "csrf_token": csrf_of(page)})
    assert "问题已确认" in r.text and "confirm-form" not in r.text
    with bench.ctx.db.session() as s:
        assert get_finding(s, fid).status == "open"
        assert [(e.action, e.actor) for e in finding_events(s, fid)][-1] == ("confirmed", "duty1")
    unit = bench.client("fgjuser")
    assert unit.post(f"/findings/{fid}/confirm", data={"csrf_token": csrf_of(unit.get("/findings").text)}).status_code == 403


def test_login_attempts_are_limited(bench):
    c = bench.client()
    for _ in range(5):
        assert login(c, "duty1", "guess").status_code == 401
    r = login(c, "duty1")
    assert r.status_code == 429 and "登录失败次数过多" in r.text
    assert login(c, "eval1").status_code == 303  # another name is not locked out


def test_a_disabled_user_is_logged_out_and_cannot_log_in(bench, capsys):
    c = bench.client("eval1")
    assert c.get("/appeals").status_code == 200
    assert main(["user", "disable", "eval1", *bench.args]) == 0
    assert c.get("/appeals", follow_redirects=False).status_code == 303
    assert login(c, "eval1").status_code == 401


def test_redirect_after_login_stays_on_the_site(bench):
    c = bench.client()
    token = csrf_of(c.get("/login?next=//evil.example/x").text)
    r = c.post("/login", data={"username": "duty1", "password": PASSWORD, "csrf_token": token,
                               "next": "//evil.example/x"}, follow_redirects=False)
    assert r.headers["location"] == "/"
    c = bench.client()
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": "duty1", "password": PASSWORD, "csrf_token": token,
                               "next": "/findings?rule=column.stale"}, follow_redirects=False)
    assert r.headers["location"] == "/findings?rule=column.stale"


def test_a_unit_appeals_and_the_office_decides(bench_any):
    with bench_any.ctx.db.session() as s:
        record_publication(s, year=2021, published_on=dt.date(2021, 11, 30), deadline=dt.date(2021, 12, 3),
                           working_days=3)
    fid = bench_any.ids[("column.stale", "fgj")]
    unit = bench_any.client("fgjuser")
    page = unit.get(f"/findings/{fid}").text
    r = unit.post(f"/findings/{fid}/appeal", data={"reason": "栏目 10 月 20 日已更新", "csrf_token": csrf_of(page)})
    assert "复核申请已受理" in r.text
    other = bench_any.ids[("homepage.stale", "czj")]
    assert unit.post(f"/findings/{other}/appeal", data={"reason": "x", "csrf_token": csrf_of(r.text)}).status_code == 403
    duty = bench_any.client("duty1")
    appeals = duty.get("/appeals").text
    assert "2021-12-03" in appeals and "栏目 10 月 20 日已更新" in appeals
    with bench_any.ctx.db.session() as s:
        aid = s.query(Appeal).one().id
    assert duty.post(f"/appeals/{aid}/decide", data={"decision": "overturn", "reason": "x",
                                                      "csrf_token": csrf_of(appeals)}).status_code == 403
    office = bench_any.client("eval1")
    page = office.get("/appeals").text
    r = office.post(f"/appeals/{aid}/decide", data={"decision": "overturn", "reason": "核实已更新",
                                                     "csrf_token": csrf_of(page)})
    assert "已决定：撤销" in r.text
    with bench_any.ctx.db.session() as s:
        f = get_finding(s, fid)
        assert f.status == "overturned"
        assert [(e.action, e.actor) for e in finding_events(s, fid)][-2:] == [("appealed", "fgjuser"),
                                                                              ("overturned", "eval1")]


def test_today_units_scores_and_status_pages(bench):
    c = bench.client("admin")
    today = c.get("/today").text
    assert "新发现问题" in today and "首页不更新" in today and "革一镇" in today
    units = c.get("/units").text
    assert all(name in units for name in ("发展改革局", "财政局", "革一镇"))
    unit = c.get("/units/fgj").text
    assert "年度目前得分" in unit and "栏目不更新" in unit
    assert f"2021-11-30：{BROKEN_LINKS + 2} 个" in unit and "2021-11-29：0 个" in unit  # problems per day
    scores = Selector(text=c.get("/scores?year=2021").text)
    ranked = [tr.css("td")[1].xpath("string()").get().strip() for tr in scores.css("table#scores tbody tr")]
    assert ranked[-1] == "财政局"  # the veto unit is last
    wb = load_workbook(io.BytesIO(c.get("/scores/2021.xlsx").content))
    assert wb.sheetnames[0] == "汇总"
    status = c.get("/status")
    assert status.status_code == 200 and "定时任务" in status.text


def test_user_command(bench, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["user", "add", "zhang", "--role", "duty", "--display-name", "张三", *bench.args]) == 0
    for argv, text in (
        (["user", "add", "li", "--role", "unit"], "须指定所属单位"),
        (["user", "add", "li", "--role", "unit", "--unit", "nope"], "没有编号为 nope 的单位"),
        (["user", "add", "li", "--role", "duty", "--unit", "fgj"], "不能指定 --unit"),
        (["user", "add", "zhang", "--role", "duty"], "已存在"),
    ):
        monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
        capsys.readouterr()
        assert main([*argv, *bench.args]) == 2, argv
        assert text in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "li", "--role", "duty", *bench.args]) == 2
    capsys.readouterr()
    assert main(["user", "list", *bench.args]) == 0
    out = capsys.readouterr().out
    assert "zhang\t值班人员\t—\t张三\t启用" in out and "li\t" not in out
    c = bench.client()
    assert login(c, "zhang", "a-long-password").status_code == 303


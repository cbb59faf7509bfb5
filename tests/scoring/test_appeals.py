"""Publication (公示) and appeals (复核): deadlines in Chinese working days, late appeals, overturned findings."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import load_workbook

from config.workdays import CalendarRangeError, add_working_days, is_workday
from govwatch.cli import main


@pytest.mark.parametrize(
    ("published", "deadline"),
    [
        (dt.date(2021, 12, 24), dt.date(2021, 12, 29)),  # Friday: the weekend does not count
        (dt.date(2021, 12, 27), dt.date(2021, 12, 30)),  # Monday: three plain working days
        (dt.date(2021, 9, 30), dt.date(2021, 10, 11)),   # 国庆节 1-7 Oct are holidays; Sat 10-09 is a working day
        (dt.date(2021, 10, 1), dt.date(2021, 10, 11)),   # published on the holiday itself
        (dt.date(2021, 9, 24), dt.date(2021, 9, 28)),    # Sun 09-26 is an adjusted working day (调休)
        (dt.date(2021, 9, 17), dt.date(2021, 9, 23)),    # 中秋节 09-19..21 are holidays, Sat 09-18 is a working day
    ],
)
def test_appeal_deadline_in_working_days(published, deadline):
    assert add_working_days(published, 3) == deadline


def test_the_calendar_knows_adjusted_working_days_and_refuses_unknown_years():
    assert is_workday(dt.date(2021, 10, 9)) and is_workday(dt.date(2021, 9, 26))
    assert not is_workday(dt.date(2021, 10, 4)) and not is_workday(dt.date(2021, 12, 25))
    with pytest.raises(CalendarRangeError, match="2099"):
        add_working_days(dt.date(2099, 12, 20), 3)


def _ids(county, capsys, *extra):
    capsys.readouterr()
    assert main(["findings", "--format", "jsonl", *county.args, *extra]) == 0
    return {(f["unit"], f["rule"]): f for f in map(json.loads, capsys.readouterr().out.splitlines())}


def test_publish_appeal_in_time_overturn_and_the_export_shows_the_change(county_any, tmp_path, capsys):
    county = county_any
    assert main(["publish", "--year", "2021", "--date", "2021-09-30", "--actor", "评估办", *county.args]) == 0
    out = capsys.readouterr().out
    assert "复核申请截止：2021-10-11" in out
    html = (county.out / "publication-2021.html").read_text(encoding="utf-8")
    assert "测试县2021年度政府网站与政务新媒体监测结果公示" in html and "2021年10月11日" in html
    assert "发展改革局" in html and "不合格" in html
    ws = load_workbook(county.out / "publication-2021.xlsx")["汇总"]
    assert ws["A1"].value == "测试县2021年度政府网站与政务新媒体监测结果公示"
    assert "复核申请截止：2021-10-11" in ws["A2"].value

    found = _ids(county, capsys)
    stale = found[("fgj", "column.stale")]["id"]
    home = found[("czj", "homepage.stale")]["id"]
    # not the unit's finding
    assert main(["appeal", "file", stale, "--unit", "czj", "--reason", "不是我们的", "--date", "2021-10-08", *county.args]) == 1
    assert "不属于单位 czj" in capsys.readouterr().err
    # late: 10-12 is after the third working day (10-08, Sat 10-09, 10-11)
    assert main(["appeal", "file", home, "--unit", "czj", "--reason", "首页已更新", "--date", "2021-10-12", *county.args]) == 1
    err = capsys.readouterr().err
    assert "已逾期" in err and "2021-10-11" in err and "3 个工作日" in err
    # in time, on the adjusted working day
    assert main(["appeal", "file", stale, "--unit", "fgj", "--reason", "栏目已迁移，原地址停用", "--date", "2021-10-09",
                 *county.args]) == 0
    out = capsys.readouterr().out
    appeal_id = out.split("编号 ")[1].split("）")[0]
    assert "申请截止 2021-10-11" in out
    assert _ids(county, capsys)[("fgj", "column.stale")]["status"] == "appealed"
    # twice is refused
    assert main(["appeal", "file", stale, "--unit", "fgj", "--reason", "再次", "--date", "2021-10-09", *county.args]) == 1
    assert "已在复核中" in capsys.readouterr().err

    assert main(["appeal", "decide", appeal_id, "--overturn", "--reason", "核实栏目已迁移至新地址并正常更新",
                 "--actor", "评估办", "--date", "2021-10-15", *county.args]) == 0
    assert "撤销" in capsys.readouterr().out
    assert main(["appeal", "decide", appeal_id, "--uphold", "--reason", "again", *county.args]) == 1
    assert _ids(county, capsys)[("fgj", "column.stale")]["status"] == "overturned"
    assert main(["appeal", "list", *county.args]) == 0
    assert "撤销" in capsys.readouterr().out

    out_file = tmp_path / "after.xlsx"
    assert main(["export", "--year", "2021", "--out", str(out_file), *county.args]) == 0
    wb = load_workbook(out_file)
    ws = wb["汇总"]
    assert ws["B4"].value == "发展改革局" and ws["E4"].value == 99
    assert ws.cell(4, ws.max_column).value == "98 → 99"
    ch = wb["复核变更"]
    assert [c.value for c in ch[4]] == [1, "发展改革局", "栏目不更新", "http://fgj.example/gzdt/", 1, "撤销（不再计分）",
                                        "核实栏目已迁移至新地址并正常更新", "评估办", dt.datetime(2021, 10, 15), 98, 99]
    assert [ws_row[3].value for ws_row in wb["扣分明细"].iter_rows(min_row=4)] == ["column.blank", "homepage.stale"]

    # the whole history is kept: opened, seen, appealed, overturned
    capsys.readouterr()
    assert main(["finding", "show", stale, *county.args]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["seen_on"] == ["2021-10-16", "2021-11-30"]
    assert [(e["action"], e["to"], e["actor"]) for e in shown["events"]] == [
        ("opened", "open", "system"), ("appealed", "appealed", "fgj"), ("overturned", "overturned", "评估办"),
    ]
    assert shown["events"][-1]["reason"] == "核实栏目已迁移至新地址并正常更新"


def test_appeal_before_publication_and_upheld_keeps_the_points(county, capsys):
    found = _ids(county, capsys)
    blank = found[("fgj", "column.blank")]["id"]
    assert main(["appeal", "file", blank, "--unit", "fgj", "--reason", "r", "--date", "2021-12-01", *county.args]) == 1
    assert "尚未公示" in capsys.readouterr().err
    assert main(["publish", "--year", "2021", "--date", "2021-12-24", *county.args]) == 0
    assert "2021-12-29" in capsys.readouterr().out
    assert main(["appeal", "file", blank, "--unit", "fgj", "--reason", "栏目无需更新", "--date", "2021-12-29", *county.args]) == 0
    appeal_id = capsys.readouterr().out.split("编号 ")[1].split("）")[0]
    assert main(["appeal", "decide", appeal_id, "--uphold", "--reason", "统计数据栏目应按年更新", "--date", "2021-12-31",
                 *county.args]) == 0
    capsys.readouterr()
    assert _ids(county, capsys)[("fgj", "column.blank")]["status"] == "upheld"
    assert main(["export", "--year", "2021", "--format", "json", "--out", str(county.out / "y.json"), *county.args]) == 0
    data = json.loads((county.out / "y.json").read_text(encoding="utf-8"))
    assert {u["unit"]: u["score"] for u in data["units"]}["fgj"] == 98


def test_publishing_a_year_the_calendar_does_not_know_is_a_clear_error(county, capsys):
    assert main(["publish", "--year", "2099", "--date", "2099-12-20", *county.args]) == 1
    err = capsys.readouterr().err
    assert "2099" in err and "chinesecalendar" in err

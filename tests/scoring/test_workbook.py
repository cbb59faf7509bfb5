"""The year-end workbook opened with openpyxl and checked cell by cell; CSV, JSON and the unit's own sheet."""

from __future__ import annotations

import csv
import datetime as dt
import json

from openpyxl import load_workbook

from govwatch.cli import main


def _col(ws, header: str, row: int = 3) -> int:
    for cell in ws[row]:
        if cell.value == header:
            return cell.column
    raise AssertionError(f"no column {header!r} in {[c.value for c in ws[row]]}")


def test_workbook_cell_by_cell(county, tmp_path, capsys):
    out = tmp_path / "2021.xlsx"
    assert main(["export", "--year", "2021", "--out", str(out), "--made-on", "2021-12-10", *county.args]) == 0
    printed = capsys.readouterr().out
    assert "发展改革局" in printed and "得分 98" in printed and str(out) in printed
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "扣分明细", "单项否决", "复核变更", "评分设置"]

    ws = wb["汇总"]
    assert ws["A1"].value == "测试县2021年度政府网站与政务新媒体监测评分汇总表"
    assert ws["A2"].value == "监测时段：2021-01-01 至 2021-11-30　满分 100 分，低于 60 分或存在单项否决为不合格"
    assert [c.value for c in ws[3]][:8] == ["序号", "单位名称", "单位编号", "单位类型", "得分", "等次", "单项否决", "否决事项"]
    assert [c.value for c in ws[3]][-2:] == ["扣分合计", "复核调整"]
    stale, blank, total = _col(ws, "栏目不更新"), _col(ws, "空白栏目"), _col(ws, "扣分合计")
    assert [c.value for c in ws[4]][:8] == [1, "发展改革局", "fgj", "县直部门", 98, "合格", "否", None]
    assert ws.cell(4, stale).value == 1 and ws.cell(4, blank).value == 1 and ws.cell(4, total).value == 2
    assert [c.value for c in ws[5]][:8] == [2, "财政局", "czj", "县直部门", 0, "不合格", "是", "首页不更新"]
    assert ws.cell(5, total).value == 0
    # a warning is never deducted: the township keeps 100
    assert [c.value for c in ws[6]][:8] == [3, "革一镇", "gyz", "乡镇", 100, "合格", "否", None]
    assert ws.max_row == 6
    # print-ready: frozen header, header repeated on every page, landscape, widths for Chinese text
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws["B3"].font.b is True
    assert ws.column_dimensions["B"].width >= 12  # 发展改革局 = 5 wide characters

    ws = wb["扣分明细"]
    assert [c.value for c in ws[3]] == [
        "序号", "单位名称", "指标", "规则编号", "性质", "对象", "网址", "问题情况",
        "首次发现", "最近发现", "持续天数", "发现次数", "状态", "扣分", "说明",
    ]
    row = [c.value for c in ws[4]]
    assert row[:7] == [1, "发展改革局", "栏目不更新", "column.stale", "扣分", "工作动态", "http://fgj.example/gzdt/"]
    assert "2021-10-01" in row[7]
    assert row[8:] == [dt.datetime(2021, 10, 16), dt.datetime(2021, 11, 30), 46, 2, "待整改", 1, None]
    assert ws["I4"].number_format == "yyyy-mm-dd"
    row = [c.value for c in ws[5]]
    assert row[:7] == [2, "发展改革局", "空白栏目", "column.blank", "扣分", "统计数据", "http://fgj.example/tjsj/"]
    assert row[8:] == [dt.datetime(2021, 11, 30), dt.datetime(2021, 11, 30), 1, 1, "待整改", 1, None]
    row = [c.value for c in ws[6]]
    assert row[:5] == [3, "财政局", "首页不更新", "homepage.stale", "单项否决"]
    assert row[13:] == ["否决", "单项否决"]
    assert ws.max_row == 6  # the warning is not on the sheet
    assert ws.freeze_panes == "A4" and ws.page_setup.orientation == "landscape"
    assert ws.column_dimensions["G"].width >= 20

    ws = wb["单项否决"]
    assert [c.value for c in ws[4]][:4] == [1, "财政局", "首页不更新", "http://czj.example/"]
    assert ws.max_row == 4
    ws = wb["复核变更"]
    assert ws.max_row == 3  # no change yet
    ws = wb["评分设置"]
    settings = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(4, ws.max_row + 1)}
    assert settings["县（区）"] == "测试县"
    assert settings["监测时段"] == "2021-01-01 至 2021-11-30"
    assert settings["满分（扣分部分）"] == 100
    assert settings["合格线"] == 60
    assert settings["复核申请期限"] == "公示之日起 3 个工作日"
    assert settings["编制日期"] == dt.datetime(2021, 12, 10)
    assert settings["column.stale"] == "栏目不更新"


def test_unit_self_assessment_csv_and_json(county, tmp_path, capsys):
    out = tmp_path / "fgj.xlsx"
    assert main(["export", "--year", "2021", "--unit", "fgj", "--out", str(out), *county.args]) == 0
    wb = load_workbook(out)
    ws = wb["自查自评"]
    assert ws["A1"].value == "测试县2021年度政府网站与政务新媒体自查自评表（发展改革局）"
    assert ws.max_row == 4 and ws["B4"].value == "发展改革局"
    assert {ws.cell(r, 2).value for r in range(4, wb["扣分明细"].max_row + 1) for ws in [wb["扣分明细"]]} == {"发展改革局"}

    assert main(["export", "--year", "2021", "--out", str(tmp_path / "y.csv"), *county.args]) == 0
    with (tmp_path / "y.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:5] == ["序号", "单位名称", "单位编号", "单位类型", "得分"]
    assert [r[2] for r in rows[1:]] == ["fgj", "czj", "gyz"]
    with (tmp_path / "y-明细.csv").open(encoding="utf-8-sig") as fh:
        detail = list(csv.reader(fh))
    assert len(detail) == 4 and detail[1][8] == "2021-10-16"

    assert main(["export", "--year", "2021", "--format", "json", "--out", str(tmp_path / "y.json"), *county.args]) == 0
    data = json.loads((tmp_path / "y.json").read_text(encoding="utf-8"))
    assert data["window"] == {"start": "2021-01-01", "end": "2021-11-30"}
    by_unit = {u["unit"]: u for u in data["units"]}
    assert by_unit["fgj"]["score"] == 98 and by_unit["fgj"]["deductions"] == {"column.stale": 1.0, "column.blank": 1.0}
    assert by_unit["czj"]["veto"] is True and by_unit["czj"]["passed"] is False
    assert by_unit["fgj"]["lines"][0]["days_open"] == 46

    assert main(["export", "--year", "2021", "--unit", "nope", "--out", str(tmp_path / "n.xlsx"), *county.args]) == 2
    assert "nope" in capsys.readouterr().err


def test_a_year_outside_the_findings_scores_everyone_full(county, tmp_path):
    out = tmp_path / "2020.xlsx"
    assert main(["export", "--year", "2020", "--out", str(out), *county.args]) == 0
    ws = load_workbook(out)["汇总"]
    assert "2020-01-01 至 2020-11-30" in ws["A2"].value  # the catalogue's default window for another year
    assert [ws.cell(r, 5).value for r in range(4, 7)] == [100, 100, 100]


def test_text_from_the_sites_with_control_characters_is_written(tmp_path):
    from config.loader import load_catalogue
    from reports.scoring import FindingView, UnitInfo, score_units
    from reports.workbook import write_workbook

    f = FindingView("x", "column.stale", "u", "http://u.example/a/", "deduction", 1.0, "open",
                    dt.date(2021, 5, 1), dt.date(2021, 5, 3), {"column": "工作\x08动态\x1f", "last_update": "2021-04-01",
                                                              "limit_days": 14})
    sheet = score_units([f], [UnitInfo("u", "单位\x0b", "department", 1)], load_catalogue(), 2021)
    path = write_workbook(sheet, tmp_path / "x.xlsx", county="测试县")
    ws = load_workbook(path)["扣分明细"]
    assert ws["B4"].value == "单位" and ws["F4"].value == "工作动态" and ws["K4"].value == 3


def test_names_that_look_like_formulas_are_written_as_text(tmp_path):
    from config.loader import load_catalogue
    from reports.scoring import FindingView, UnitInfo, score_units
    from reports.workbook import write_csv, write_workbook

    evil = '=HYPERLINK("http://x","y")'
    f = FindingView("x", "column.stale", "u", "http://u.example/a/", "deduction", 1.0, "open",
                    dt.date(2021, 5, 1), dt.date(2021, 5, 3), {"column": "@SUM(1)", "last_update": "2021-04-01",
                                                              "limit_days": 14})
    sheet = score_units([f], [UnitInfo("u", evil, "department", 1)], load_catalogue(), 2021)
    for kw in ({}, {"publication": {"published_on": "2021-12-20", "deadline": "2021-12-23"}}, {"unit": "u"}):
        path = write_workbook(sheet, tmp_path / "x.xlsx", county="=cmd|' /C calc'!A0", **kw)
        wb = load_workbook(path)
        cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        assert any(c.value == evil for c in cells)  # shown as typed, stored as text
    summary, detail = write_csv(sheet, tmp_path / "x.csv")
    text = summary.read_text(encoding="utf-8-sig") + detail.read_text(encoding="utf-8-sig")
    cells = [c for p in (summary, detail) for row in csv.reader(p.open(encoding="utf-8-sig")) for c in row]
    assert "'" + evil in cells and not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert "@SUM(1)" in text

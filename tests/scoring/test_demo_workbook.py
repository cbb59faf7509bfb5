"""``govwatch demo`` writes the year-end workbook of the year of as_of beside the digest."""

from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook

from govwatch.cli import main
from tests.conftest import AS_OF


def test_demo_writes_the_year_end_workbook(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--as-of", AS_OF.isoformat(), "--out", str(tmp_path / "demo")]) == 0
    path = tmp_path / "demo" / "deductions-2021.xlsx"
    assert f"年度扣分表：{path}" in capsys.readouterr().out
    wb = load_workbook(path)
    ws = wb["汇总"]
    assert ws["A1"].value == "示范县2021年度政府网站与政务新媒体监测评分汇总表"
    rows = {ws.cell(r, 3).value: [c.value for c in ws[r]] for r in range(4, ws.max_row + 1)}
    assert list(rows) == ["fgj", "czj", "gyz", "kfq", "tjj"]
    headers = [c.value for c in ws[3]]
    stale = headers.index("栏目不更新")
    assert rows["fgj"][stale] == 1  # 规划计划 is stale; 统计数据 is only a warning
    assert rows["kfq"][6] == "是" and "首页不更新" in rows["kfq"][7]
    assert rows["tjj"][4] == 100  # no site, nothing found
    assert wb["扣分明细"].max_row > 4


def test_the_demo_runs_inside_the_monitoring_window():
    from config.loader import load_catalogue
    from govwatch.commands.demo import demo_date

    cat = load_catalogue()  # January to November
    assert demo_date(dt.date(2026, 6, 15), cat) == dt.date(2026, 6, 15)
    assert demo_date(dt.date(2026, 12, 7), cat) == dt.date(2026, 11, 30)
    assert demo_date(dt.date(2026, 11, 30), cat) == dt.date(2026, 11, 30)

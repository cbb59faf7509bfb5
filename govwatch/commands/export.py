"""The ``export`` command: the year-end deductions as a print-ready workbook, CSV or JSON (or a unit's own)."""

from __future__ import annotations

import argparse
from pathlib import Path

from govwatch.cli import parse_date_arg, parse_year_arg
from govwatch.context import open_context
from govwatch.errors import UsageError
from reports.load import load_scoresheet
from reports.workbook import write_csv, write_json, write_workbook

__all__ = ["register"]


def _export(args: argparse.Namespace) -> int:
    ctx = open_context(args.config, args.db)
    out = Path(args.out)
    fmt = args.format or {".csv": "csv", ".json": "json"}.get(out.suffix.lower(), "xlsx")
    if args.unit and ctx.config.unit(args.unit) is None:
        with ctx.db.session() as s:
            from storage.models import Unit

            if s.get(Unit, args.unit) is None:
                raise UsageError(f"unknown unit {args.unit!r}")
    with ctx.db.session() as s:
        sheet = load_scoresheet(s, ctx.config, ctx.catalogue, args.year, unit=args.unit)
    county = ctx.config.county
    if fmt == "xlsx":
        files = [write_workbook(sheet, out, county=county, made_on=args.made_on or ctx.today(), unit=args.unit)]
    elif fmt == "csv":
        files = write_csv(sheet, out)
    else:
        files = [write_json(sheet, out, county=county)]
    title = "自查自评" if args.unit else "年度评分"
    print(f"{county}{args.year}年度{title}（监测时段 {sheet.start} 至 {sheet.end}）：")
    for u in sheet.units:
        veto = "，单项否决：" + "、".join(dict.fromkeys(v.rule.indicator for v in u.vetoes)) if u.veto else ""
        print(f"  {u.unit.name:12} 得分 {u.score:g}（{u.grade}）扣分 {u.total_deduction:g}{veto}")
    for f in files:
        print(f"  已写入：{f}")
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the export command."""
    p = sub.add_parser("export", parents=[common], help="year-end deductions (xlsx, csv or json)")
    p.add_argument("--year", type=parse_year_arg, required=True, metavar="YYYY", help="the year to score")
    p.add_argument("--out", required=True, metavar="FILE", help="output file (e.g. 2021.xlsx)")
    p.add_argument("--format", choices=("xlsx", "csv", "json"), help="default: from the file's extension, else xlsx")
    p.add_argument("--unit", metavar="ID", help="only this unit: its self-assessment sheet (自查自评)")
    p.add_argument("--made-on", type=parse_date_arg, metavar="DATE", help="the date printed on the sheet (default today)")
    p.set_defaults(func=_export)

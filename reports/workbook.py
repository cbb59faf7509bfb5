"""The year-end deduction workbook (xlsx, Chinese, print-ready), and the same data as CSV and JSON."""

from __future__ import annotations

import csv
import datetime as dt
import json
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from config.labels import SEVERITY_LABELS, STATUS_LABELS, UNIT_KIND_LABELS, VETO_GROUP_LABELS
from reports.scoring import Line, Scoresheet, UnitScore

__all__ = [
    "DETAIL_HEADERS",
    "SUMMARY_FIXED",
    "csv_safe",
    "VETO_HEADERS",
    "describe",
    "object_name",
    "detail_rows",
    "sheet_to_dict",
    "summary_headers",
    "summary_rows",
    "write_csv",
    "write_json",
    "write_workbook",
]


SUMMARY_FIXED = ("序号", "单位名称", "单位编号", "单位类型", "得分", "等次", "单项否决", "否决事项")
SUMMARY_TAIL = ("扣分合计", "复核调整")
DETAIL_HEADERS = (
    "序号", "单位名称", "指标", "规则编号", "性质", "对象", "网址", "问题情况",
    "首次发现", "最近发现", "持续天数", "发现次数", "状态", "扣分", "说明",
)
VETO_HEADERS = ("序号", "单位名称", "指标", "网址", "问题情况", "明细", "首次发现", "最近发现", "状态")
CHANGE_HEADERS = (
    "序号", "单位名称", "指标", "网址", "原扣分", "复核结果", "复核理由", "决定人", "决定日期", "复核前得分", "复核后得分",
)
HEADER_ROW = 3

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_FONT = "宋体"
#: short columns printed centred
_CENTERED = frozenset({"序号", "单位编号", "单位类型", "等次", "单项否决", "性质", "状态", "首次发现", "最近发现",
                       "持续天数", "发现次数", "决定日期", "复核结果"})


def describe(line_or_finding: Any) -> str:
    """A short Chinese description of a finding's evidence."""
    f = getattr(line_or_finding, "finding", line_or_finding)
    from notifier.evidence import describe_evidence

    return describe_evidence(f.rule, f.evidence or {})


def _veto_detail(line: Line) -> str:
    ev = line.finding.evidence or {}
    out = []
    for key, label in VETO_GROUP_LABELS.items():
        items = ev.get(key) or []
        if not items:
            continue
        out.append(f"{label}：")
        for i, item in enumerate(items, 1):
            last = item.get("last_update") or "无"
            out.append(f"  {i}. {item.get('column', '')} {item.get('url', '')}（最近更新 {last}）")
    return "\n".join(out)


def object_name(line: Line) -> str:
    """What the finding is about, in words: the column, the account, or the site (its URL is beside it)."""
    ev = line.finding.evidence or {}
    name = ev.get("column") or ev.get("account") or ev.get("name")
    if name:
        return str(name)
    if line.finding.rule == "homepage.stale":
        return "首页"
    return {"site": "网站", "link": "链接", "account": "账号"}.get(line.rule.object, "")


def summary_headers(sheet: Scoresheet) -> list[str]:
    """The summary sheet's header row."""
    return [*SUMMARY_FIXED, *(r.indicator for _, r in sheet.deduction_rules), *SUMMARY_TAIL]


def _review(u: UnitScore) -> str:
    if u.score_before_review is None or u.score_before_review == u.score:
        return "" if not u.changes else f"撤销 {len(u.changes)} 项"
    return f"{u.score_before_review:g} → {u.score:g}"


def summary_rows(sheet: Scoresheet) -> list[list[Any]]:
    """One row per unit: kind, score, veto yes/no, deductions per indicator."""
    rows = []
    for i, u in enumerate(sheet.units, 1):
        veto_items = "、".join(dict.fromkeys(v.rule.indicator for v in u.vetoes))
        rows.append([
            i, u.unit.name, u.unit.id, UNIT_KIND_LABELS.get(u.unit.kind, u.unit.kind), u.score, u.grade,
            "是" if u.veto else "否", veto_items,
            *(u.deductions.get(rid, 0.0) for rid, _ in sheet.deduction_rules),
            u.total_deduction, _review(u),
        ])
    return rows


def detail_rows(sheet: Scoresheet) -> list[list[Any]]:
    """Every counted finding: unit, indicator, target, evidence, dates seen, days open, points."""
    rows = []
    n = 0
    for u in sheet.units:
        for line in u.lines:
            n += 1
            f = line.finding
            rows.append([
                n, u.unit.name, line.rule.indicator, f.rule, SEVERITY_LABELS.get(f.severity, f.severity),
                object_name(line), f.target, describe(line), line.first_seen, line.last_seen, line.days_open,
                len(f.sightings) or f.seen_count, STATUS_LABELS.get(f.status, f.status),
                "否决" if line.is_veto else line.applied, line.note,
            ])
    return rows


def _veto_rows(sheet: Scoresheet) -> list[list[Any]]:
    rows = []
    n = 0
    for u in sheet.units:
        for line in u.vetoes:
            n += 1
            f = line.finding
            rows.append([
                n, u.unit.name, line.rule.indicator, f.target, describe(line), _veto_detail(line),
                line.first_seen, line.last_seen, STATUS_LABELS.get(f.status, f.status),
            ])
    return rows


def _change_rows(sheet: Scoresheet) -> list[list[Any]]:
    rows = []
    n = 0
    for u in sheet.units:
        for c in u.changes:
            n += 1
            a = c.appeal
            rows.append([
                n, u.unit.name, c.rule.indicator, c.finding.target, "否决" if c.was_veto else c.points,
                "撤销（不再计分）", (a.decision_reason if a else "") or "", (a.decided_by if a else "") or "",
                a.decided_on if a and a.decided_on else None,
                u.score_before_review if u.score_before_review is not None else u.score, u.score,
            ])
    return rows


def _settings_rows(sheet: Scoresheet, county: str, made_on: dt.date | None) -> list[list[Any]]:
    sc = sheet.catalogue.scoring
    rows: list[list[Any]] = [
        ["县（区）", county],
        ["年度", sheet.year],
        ["监测时段", f"{sheet.start.isoformat()} 至 {sheet.end.isoformat()}"],
        ["满分（扣分部分）", sc.base],
        ["合格线", sc.pass_line],
        ["网站单项否决得分", sc.veto_score.get("site")],
        ["新媒体账号单项否决得分", sc.veto_score.get("account")],
        ["网站与新媒体权重", f"网站 {sc.weights['site']:g} / 新媒体 {sc.weights['account']:g}" if sc.weights else "不加权"],
        ["复核申请期限", f"公示之日起 {sc.appeal_working_days} 个工作日"],
        ["计分规则", "只计监测时段内发现的问题；单项否决优先；各指标扣分不超过上限；已计入一项指标的问题不重复扣分；预警、运维事项不扣分；排除和复核撤销的问题不计分"],
    ]
    if made_on:
        rows.append(["编制日期", made_on])
    rows.append([])
    rows.append(["规则编号", "指标", "性质", "每处扣分", "扣分上限", "不重复扣分", "适用单位"])
    for rid, r in sheet.catalogue.rules.items():
        if not r.enabled:
            continue
        rows.append([
            rid, r.indicator, SEVERITY_LABELS.get(r.severity, r.severity),
            r.points if r.severity == "deduction" else None, r.cap,
            "、".join(sheet.catalogue.rules[o].indicator for o in r.not_after),
            "、".join(UNIT_KIND_LABELS.get(k, k) for k in r.applies_to) or "全部",
        ])
    return rows


def _width(value: Any) -> int:
    if value is None:
        return 0
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    longest = max((sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in text.splitlines()), default=0)
    return longest


#: a text cell starting with one of these is a formula to Excel and LibreOffice (OWASP: CSV injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """A text value that would start a formula, prefixed with an apostrophe (OWASP CSV-injection advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _text_cell(ws: Worksheet, row: int, column: int, value: Any) -> Any:
    """Set a cell; text is always stored as text (never a formula), shown as typed (Excel's quote prefix)."""
    if not isinstance(value, str):
        return ws.cell(row=row, column=column, value=value)
    value = ILLEGAL_CHARACTERS_RE.sub("", value)  # text from the sites may hold control characters
    cell = ws.cell(row=row, column=column)
    cell._value = value  # bypass openpyxl's "starts with '=' means formula"
    cell.data_type = "s"
    if value.startswith(_FORMULA_START):
        cell.quotePrefix = True
    return cell


def _sheet(
    ws: Worksheet,
    title: str,
    note: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    wrap: Sequence[str] = (),
    max_width: int = 50,
) -> None:
    """Title, note, header row (frozen, repeated on every printed page), data, widths, landscape A4."""
    ncols = max(len(headers), 1)
    _text_cell(ws, 1, 1, title).font = Font(name=_FONT, bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 26
    _text_cell(ws, 2, 1, note).font = Font(name=_FONT, size=10)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)
    for c, h in enumerate(headers, 1):
        cell = _text_cell(ws, HEADER_ROW, c, h)
        cell.font = Font(name=_FONT, bold=True)
        cell.fill = _HEAD_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap_cols = {headers.index(w) + 1 for w in wrap if w in headers}
    for r, row in enumerate(rows, HEADER_ROW + 1):
        for c, value in enumerate(row, 1):
            cell = _text_cell(ws, r, c, value)
            cell.font = Font(name=_FONT)
            cell.border = _BORDER
            centered = headers[c - 1] in _CENTERED if c - 1 < len(headers) else False
            cell.alignment = Alignment(vertical="top", wrap_text=c in wrap_cols,
                                       horizontal="center" if centered else None)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, float):
                cell.number_format = "0.00"
    for c, h in enumerate(headers, 1):
        longest = max([_width(h), *(_width(row[c - 1]) for row in rows if c - 1 < len(row))])
        ws.column_dimensions[get_column_letter(c)].width = min(max(longest + 2, 6), max_width)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if rows:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(ncols)}{HEADER_ROW + len(rows)}"


def write_workbook(
    sheet: Scoresheet,
    path: Path,
    *,
    county: str,
    made_on: dt.date | None = None,
    unit: str | None = None,
    publication: dict[str, Any] | None = None,
) -> Path:
    """Write the workbook: 汇总, 扣分明细, 单项否决, 复核变更, 评分设置 (or a unit's 自查自评 sheets)."""
    wb = Workbook()
    period = f"监测时段：{sheet.start.isoformat()} 至 {sheet.end.isoformat()}"
    sc = sheet.catalogue.scoring
    rule_note = f"满分 {sc.base:g} 分，低于 {sc.pass_line:g} 分或存在单项否决为不合格"
    if unit is not None:
        u = sheet.unit(unit)
        head = f"{county}{sheet.year}年度政府网站与政务新媒体自查自评表（{u.unit.name}）"
    elif publication:
        head = f"{county}{sheet.year}年度政府网站与政务新媒体监测结果公示"
    else:
        head = f"{county}{sheet.year}年度政府网站与政务新媒体监测评分汇总表"
    note = f"{period}　{rule_note}"
    if publication:
        note += f"　公示日期：{publication['published_on']}　复核申请截止：{publication['deadline']}"
    ws = wb.active
    ws.title = "自查自评" if unit is not None else "汇总"
    _sheet(ws, head, note, summary_headers(sheet), summary_rows(sheet), wrap=("否决事项",), max_width=24)
    _sheet(
        wb.create_sheet("扣分明细"), f"{county}{sheet.year}年度扣分明细", period, DETAIL_HEADERS, detail_rows(sheet),
        wrap=("网址", "问题情况", "说明"), max_width=40,
    )
    _sheet(
        wb.create_sheet("单项否决"), f"{county}{sheet.year}年度单项否决事项", period, VETO_HEADERS, _veto_rows(sheet),
        wrap=("网址", "问题情况", "明细"), max_width=60,
    )
    _sheet(
        wb.create_sheet("复核变更"), f"{county}{sheet.year}年度复核变更", "复核撤销的问题不再计分，下表列出变更及理由",
        CHANGE_HEADERS, _change_rows(sheet), wrap=("网址", "复核理由"), max_width=40,
    )
    settings = _settings_rows(sheet, county, made_on)
    _sheet(wb.create_sheet("评分设置"), "评分设置", "本表所用规则与分值（来自规则目录）", ("项目", "值"), settings, max_width=60)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def sheet_to_dict(sheet: Scoresheet, *, county: str) -> dict[str, Any]:
    """The scoresheet as plain JSON-ready data."""
    sc = sheet.catalogue.scoring
    units = []
    for u in sheet.units:
        units.append({
            "unit": u.unit.id, "name": u.unit.name, "kind": u.unit.kind, "score": u.score, "passed": u.passed,
            "veto": u.veto, "site_score": u.site_score, "account_score": u.account_score,
            "score_before_review": u.score_before_review, "deductions": u.deductions,
            "vetoes": [{"finding": v.finding.id, "rule": v.finding.rule, "target": v.finding.target} for v in u.vetoes],
            "lines": [
                {
                    "finding": ln.finding.id, "rule": ln.finding.rule, "indicator": ln.rule.indicator,
                    "severity": ln.finding.severity, "target": ln.finding.target, "status": ln.finding.status,
                    "first_seen": ln.first_seen.isoformat(), "last_seen": ln.last_seen.isoformat(),
                    "days_open": ln.days_open, "points": ln.points, "applied": ln.applied, "note": ln.note,
                    "evidence": ln.finding.evidence,
                }
                for ln in u.lines
            ],
            "changes": [
                {
                    "finding": c.finding.id, "rule": c.finding.rule, "target": c.finding.target, "points": c.points,
                    "veto": c.was_veto, "result": "overturned",
                    "reason": c.appeal.decision_reason if c.appeal else None,
                    "decided_by": c.appeal.decided_by if c.appeal else None,
                    "decided_on": _jsonable(c.appeal.decided_on) if c.appeal else None,
                }
                for c in u.changes
            ],
        })
    return {
        "county": county, "year": sheet.year, "window": {"start": sheet.start.isoformat(), "end": sheet.end.isoformat()},
        "settings": sc.model_dump(mode="json"), "units": units,
    }


def write_json(sheet: Scoresheet, path: Path, *, county: str) -> Path:
    """The scoresheet as one JSON document."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(sheet_to_dict(sheet, county=county), ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def write_csv(sheet: Scoresheet, path: Path) -> list[Path]:
    """The summary as ``path`` and the detail as ``<stem>-明细.csv`` beside it (UTF-8 with BOM for Excel)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    detail = path.with_name(f"{path.stem}-明细{path.suffix or '.csv'}")
    for target, headers, rows in (
        (path, summary_headers(sheet), summary_rows(sheet)),
        (detail, list(DETAIL_HEADERS), detail_rows(sheet)),
    ):
        with target.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([csv_safe(h) for h in headers])
            for row in rows:
                w.writerow([csv_safe(_jsonable(v)) for v in row])
    return [path, detail]

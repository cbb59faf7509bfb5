"""The duty digest (值班读网日报): open problems by unit, warnings, and what the operator must fix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.catalogue import Catalogue
from config.labels import (
    EVIDENCE_LABELS,
    FETCH_LABELS,
    LINK_ERROR_LABELS,
    PLATFORM_LABELS,
    SEVERITY_LABELS,
    VETO_GROUP_LABELS,
    label,
)
from config.schema import Config
from notifier.render import render
from storage.findings import list_findings
from storage.models import AccountRow, AccountSnapshot, ColumnRow, LinkScan, PageSnapshot, SiteRow, Unit

__all__ = ["build_digest", "describe_evidence", "write_digest"]



def describe_evidence(rule: str, ev: dict[str, Any]) -> str:
    """A short Chinese sentence of a finding's evidence."""
    if rule in ("column.stale", "homepage.stale", "account.stale"):
        last = ev.get("last_update") or ev.get("last_post")
        limit = ev.get("limit_days")
        if last:
            text = f"最近更新 {last}，超过 {limit} 天未更新" if limit else f"最近更新 {last}"
        else:
            text = "无注明发布日期的信息，视为不更新"
        if ev.get("due"):
            text = f"最近更新 {last}，将于 {ev['due']} 后超期"
        return text
    if rule == "content.backdated":
        return (f"《{ev.get('title')}》标注日期 {ev.get('date')}，{ev.get('first_seen')} 才首次出现在栏目中"
                f"（晚 {ev.get('lag_days')} 天），疑似补发或伪造发稿日期，请核实")
    if rule == "interaction.unanswered":
        msgs = ev.get("messages") or []
        shown = "；".join(
            f"《{m.get('title')}》{m.get('asked')} 留言，"
            + (f"{m.get('replied')} 才回复（{m.get('waited_days')} 天）" if m.get("replied")
               else f"至今未回复（已 {m.get('waited_days')} 天）")
            for m in msgs[:3]
        )
        more = f"等 {len(msgs)} 条" if len(msgs) > 3 else f"共 {len(msgs)} 条"
        return f"超过{ev.get('limit') or '3个月'}未回应的有效留言{more}：{shown}"
    if rule == "content.late":
        text = (f"《{ev.get('title')}》成文日期 {ev.get('written')}，{ev.get('published')} 才公开，"
                f"相隔 {ev.get('working_days')} 个工作日，超过 {ev.get('limit_days')} 个工作日的公开时限")
        if ev.get("calendar") == "weekdays":
            text += "（工作日历缺少该年份数据，按周一至周五计算）"
        return text
    if rule == "content.privacy":
        where = f"附件《{ev.get('attachment')}》" if ev.get("attachment") else f"《{ev.get('title') or ev.get('url')}》"
        counts = "、".join(f"{k} {n} 处" for k, n in (ev.get("counts") or {}).items())
        first = (ev.get("hits") or [{}])[0]
        sample = f"，如 {first.get('where')}：{first.get('number')}" if first else ""
        return f"{where}含疑似未脱敏的个人信息：{counts}{sample}（号码已脱敏显示）"
    if rule == "content.error":
        hits = ev.get("hits") or []
        shown = "；".join(f"“{h.get('found')}”应为“{h.get('right')}”（{h.get('sentence')}）" for h in hits[:3])
        more = f"等 {ev.get('count')} 处" if (ev.get("count") or 0) > 3 else ""
        where = f"附件《{ev.get('attachment')}》" if ev.get("attachment") else f"《{ev.get('title') or ev.get('url')}》"
        return f"{where}疑似严重表述错误{more}：{shown}"
    if rule == "column.blank":
        return "栏目自开设以来无任何信息"
    if rule == "site.unavailable":
        return f"探测 {ev.get('probes')} 次，失败 {ev.get('failures')} 次（{ev.get('ratio', 0):.1%}）"
    if rule == "link.broken":
        return f"{ev.get('url')}（{LINK_ERROR_LABELS.get(ev.get('error') or '', ev.get('error'))}）"
    if rule == "columns.veto":
        return _describe_veto(ev)
    if rule == "account.unmonitorable":
        statuses = "、".join(label(FETCH_LABELS, s) for s in ev.get("statuses") or [])
        return (f"{label(PLATFORM_LABELS, ev.get('platform'))}账号“{ev.get('account')}”连续 {ev.get('failures')} 次"
                f"未能读取（{statuses}），需运维人员处理")
    return "；".join(f"{EVIDENCE_LABELS[k]}：{v}" for k, v in ev.items()
                    if k in EVIDENCE_LABELS and v is not None and not isinstance(v, list | dict))


def _describe_veto(ev: dict[str, Any]) -> str:
    counts, limits, parts = ev.get("counts", {}), ev.get("thresholds", {}), []
    for key, name in VETO_GROUP_LABELS.items():
        mark = "（达到否决标准）" if key in ev.get("triggered", ()) else ""
        limit = limits.get(key)
        parts.append(f"{name} {counts.get(key, 0)} 个" + (f"（标准 ≥{limit:g}）" if limit else "") + mark)
    return "；".join(parts)


def _unit_name(units: dict[str, Unit], unit_id: str) -> str:
    return units[unit_id].name if unit_id in units else unit_id


def _digest_row(f: Any, catalogue: Catalogue) -> dict[str, Any]:
    rule = catalogue.rules.get(f.rule)
    return {
        "id": f.id,
        "rule": f.rule,
        "indicator": rule.indicator if rule else f.rule,
        "severity": SEVERITY_LABELS.get(f.severity, f.severity),
        "target": f.target,
        "name": f.evidence.get("column") or f.evidence.get("account") or f.evidence.get("page") or "",
        "evidence": describe_evidence(f.rule, f.evidence),
        "first_seen": f.first_seen,
        "last_seen": f.last_seen,
        "days": (f.last_seen - f.first_seen).days + 1,
    }


def _unit_rows(findings: list[Any], units: dict[str, Unit], config: Config, catalogue: Catalogue) -> list[dict[str, Any]]:
    """The units' problems and warnings (operator findings apart), in the roster's order."""
    by_unit: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for f in findings:
        if f.severity != "operator":
            bucket = by_unit.setdefault(f.unit_id, {"problems": [], "warnings": []})
            bucket["warnings" if f.status == "warning" else "problems"].append(_digest_row(f, catalogue))
    order = {u.id: i for i, u in enumerate(config.units)}
    return [
        {"id": uid, "name": _unit_name(units, uid), **data}
        for uid, data in sorted(by_unit.items(), key=lambda kv: order.get(kv[0], 10_000))
    ]


def _fetch_failures(session: Session, units: dict[str, Unit], config: Config) -> list[dict[str, Any]]:
    """The pages and accounts whose latest fetch could not be read (for the operator)."""
    def row(unit_id: str, name: str, url: str, snap: Any) -> dict[str, Any]:
        return {"unit": _unit_name(units, unit_id), "name": name, "url": url,
                "status": FETCH_LABELS.get(snap.status, snap.status), "error": snap.error or "",
                "at": snap.fetched_at.astimezone(config.tz).strftime("%Y-%m-%d %H:%M")}

    latest = select(func.max(PageSnapshot.id)).group_by(PageSnapshot.column_id).scalar_subquery()
    failures = [row(col.unit_id, col.name, col.url, snap) for snap, col in session.execute(
        select(PageSnapshot, ColumnRow)
        .join(ColumnRow, ColumnRow.id == PageSnapshot.column_id)
        .where(PageSnapshot.id.in_(latest), ColumnRow.active.is_(True),
               PageSnapshot.status.not_in(("ok", "empty", "not_modified")))
        .order_by(ColumnRow.unit_id, ColumnRow.id)
    )]
    latest_acc = select(func.max(AccountSnapshot.id)).group_by(AccountSnapshot.account_id).scalar_subquery()
    failures += [
        row(acc.unit_id, f"{PLATFORM_LABELS.get(acc.platform, acc.platform)}：{acc.name or acc.key}",
            acc.url or f"{acc.platform}:{acc.key}", snap)
        for snap, acc in session.execute(
            select(AccountSnapshot, AccountRow)
            .join(AccountRow, AccountRow.id == AccountSnapshot.account_id)
            .where(AccountSnapshot.id.in_(latest_acc), AccountRow.active.is_(True),
                   AccountSnapshot.status.not_in(("ok", "empty")))
            .order_by(AccountRow.unit_id, AccountRow.id)
        )
    ]
    return failures


def _deferred_links(session: Session, units: dict[str, Unit], config: Config) -> list[dict[str, Any]]:
    """Sites whose latest link check left links unchecked (a budget or the run's deadline): they come first in the
    next runs; until then they are neither problems nor fine."""
    latest = select(func.max(LinkScan.id)).where(LinkScan.status == "ok").group_by(LinkScan.site_id).scalar_subquery()
    return [
        {"unit": _unit_name(units, site.unit_id), "site": site.url, "deferred": int((scan.info or {})["deferred"]),
         "links": scan.links, "at": (scan.finished_at or scan.started_at).astimezone(config.tz).strftime("%Y-%m-%d %H:%M")}
        for scan, site in session.execute(
            select(LinkScan, SiteRow).join(SiteRow, SiteRow.id == LinkScan.site_id)
            .where(LinkScan.id.in_(latest), SiteRow.active.is_(True)).order_by(SiteRow.unit_id, SiteRow.id))
        if (scan.info or {}).get("deferred")
    ]


def _suspected(session: Session, units: dict[str, Unit], catalogue: Catalogue) -> list[dict[str, Any]]:
    out = []
    for f in list_findings(session, status="suspected"):
        rule = catalogue.rules.get(f.rule)
        ev = f.evidence or {}
        out.append({
            "id": f.id, "unit": _unit_name(units, f.unit_id),
            "indicator": rule.indicator if rule else f.rule, "target": f.target,
            "name": ev.get("column") or ev.get("page") or ev.get("title") or "",
            "evidence": describe_evidence(f.rule, ev), "doubt": ev.get("doubt") or "读取结果不确定",
            "first_seen": f.first_seen,
        })
    return out


def build_digest(session: Session, config: Config, catalogue: Catalogue, as_of: dt.date) -> dict[str, Any]:
    """The digest's data: open findings and warnings per unit, plus fetch failures of the last crawl."""
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.id))}
    findings = list_findings(session, status=("open", "warning"))
    unit_rows = _unit_rows(findings, units, config, catalogue)
    operator = [
        {"unit": _unit_name(units, f.unit_id),
         "indicator": catalogue.rules[f.rule].indicator if f.rule in catalogue.rules else f.rule,
         "target": f.target, "evidence": describe_evidence(f.rule, f.evidence)}
        for f in findings if f.severity == "operator"
    ]
    return {
        "county": config.county,
        "as_of": as_of,
        "generated_at": dt.datetime.now(config.tz).strftime("%Y-%m-%d %H:%M"),
        "units": unit_rows,
        "problem_count": sum(len(u["problems"]) for u in unit_rows),
        "warning_count": sum(len(u["warnings"]) for u in unit_rows),
        "fetch_failures": _fetch_failures(session, units, config),
        "links_deferred": _deferred_links(session, units, config),
        "operator": operator,
        "suspected": _suspected(session, units, catalogue),
        "no_site": [{"id": u.id, "name": u.name} for u in config.units if not u.sites],
    }


def write_digest(data: dict[str, Any], path: Path) -> Path:
    """Render the digest to an HTML file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render("digest.html.j2", data), encoding="utf-8")
    return path

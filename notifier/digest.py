"""The duty digest (值班读网日报): open problems by unit, warnings, and what the operator must fix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.catalogue import Catalogue
from config.labels import (
    FETCH_LABELS,
    PLATFORM_LABELS,
    SEVERITY_LABELS,
)
from config.schema import Config
from config.statuses import USABLE_ACCOUNT_STATUSES, USABLE_FETCH_STATUSES
from notifier.evidence import describe_evidence, shown_target
from notifier.render import render
from storage.findings import list_findings
from storage.models import AccountRow, AccountSnapshot, ColumnRow, LinkScan, PageSnapshot, SiteRow, Unit

__all__ = ["build_digest", "describe_evidence", "write_digest"]


def _unit_name(units: dict[str, Unit], unit_id: str) -> str:
    return units[unit_id].name if unit_id in units else unit_id


def _digest_row(f: Any, catalogue: Catalogue) -> dict[str, Any]:
    rule = catalogue.rules.get(f.rule)
    return {
        "id": f.id,
        "rule": f.rule,
        "indicator": rule.indicator if rule else f.rule,
        "severity": SEVERITY_LABELS.get(f.severity, f.severity),
        "target": shown_target(f.target),
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
               PageSnapshot.status.not_in(sorted(USABLE_FETCH_STATUSES)))
        .order_by(ColumnRow.unit_id, ColumnRow.id)
    )]
    latest_acc = select(func.max(AccountSnapshot.id)).group_by(AccountSnapshot.account_id).scalar_subquery()
    failures += [
        row(acc.unit_id, f"{PLATFORM_LABELS.get(acc.platform, acc.platform)}：{acc.name or acc.key}",
            acc.url or shown_target(f"{acc.platform}:{acc.key}"), snap)
        for snap, acc in session.execute(
            select(AccountSnapshot, AccountRow)
            .join(AccountRow, AccountRow.id == AccountSnapshot.account_id)
            .where(AccountSnapshot.id.in_(latest_acc), AccountRow.active.is_(True),
                   AccountSnapshot.status.not_in(USABLE_ACCOUNT_STATUSES))
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
            "indicator": rule.indicator if rule else f.rule, "target": shown_target(f.target),
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
         "target": shown_target(f.target), "evidence": describe_evidence(f.rule, f.evidence)}
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

"""Notices: 整改通知 per unit, the full 值班读网日报 and the 月度通报 — their data, periods and rendering."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from config.catalogue import Catalogue
from config.labels import (
    NOTICE_KIND_LABELS,
    SEVERITY_LABELS,
)
from config.schema import Config
from config.workdays import add_working_days
from notifier.digest import build_digest
from notifier.evidence import describe_evidence, evidence_details, shown_target
from notifier.render import clean_text, oneline, render
from storage.findings import list_findings
from storage.models import CrawlRun, Finding, FindingEvent, JobRun, Notice, NoticeAttempt, Unit

__all__ = [
    "KINDS",
    "RenderedNotice",
    "build_duty_digest",
    "build_monthly",
    "build_rectification",
    "deadline_after",
    "due_notices",
    "in_doubt_notices",
    "period_of",
    "render_notice",
]

KINDS = ("rectification", "digest", "monthly")
#: statuses of a problem the unit still has to fix
TO_FIX = ("open", "upheld")


@dataclass
class RenderedNotice:
    """One notice, rendered: what is sent on every channel, and to whom by e-mail."""

    kind: str
    unit_id: str
    period: str
    subject: str
    html: str
    text: str
    markdown: str
    recipients: list[str] = field(default_factory=list)
    unit_name: str = ""

    @property
    def stem(self) -> str:
        """The file name (without extension) of this notice in an outbox or preview directory."""
        return f"{self.kind}-{self.period}-{'all' if self.unit_id == '*' else self.unit_id}"

    def write(self, directory: Path) -> Path:
        """Write ``.html``, ``.txt``, ``.md`` and ``.json`` (everything needed to send it again); returns the json."""
        directory.mkdir(parents=True, exist_ok=True)
        for ext, body in (("html", self.html), ("txt", self.text), ("md", self.markdown)):
            (directory / f"{self.stem}.{ext}").write_text(body, encoding="utf-8")
        meta = directory / f"{self.stem}.json"
        tmp = meta.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(meta)
        return meta

    @classmethod
    def read(cls, path: Path) -> RenderedNotice:
        """A notice written by :meth:`write`."""
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


# --- periods and deadlines -------------------------------------------------------------------


def period_of(kind: str, as_of: dt.date, cadence: str = "weekly") -> str:
    """The period a notice belongs to: one per unit per week (or day/month), one digest a day, one report a month."""
    if kind == "digest" or (kind == "rectification" and cadence == "daily"):
        return as_of.isoformat()
    if kind == "monthly" or cadence == "monthly":
        return f"{as_of.year}-{as_of.month:02d}"
    year, week, _ = as_of.isocalendar()
    return f"{year}-W{week:02d}"


def deadline_after(day: dt.date, working_days: int) -> dt.date:
    """The N-th working day after ``day`` (Chinese calendar: holidays off, adjusted weekend workdays on; Monday to
    Friday beyond the calendar's years)."""
    return add_working_days(day, working_days, lenient=True)


# --- finding rows ----------------------------------------------------------------------------


def finding_row(f: Finding, catalogue: Catalogue, unit_names: dict[str, str], as_of: dt.date) -> dict[str, Any]:
    """A finding as the templates show it."""
    ev = f.evidence or {}
    rule = catalogue.rules.get(f.rule)
    pages = ev.get("pages") if isinstance(ev.get("pages"), list) else []
    return {
        "id": f.id,
        "rule": f.rule,
        "indicator": rule.indicator if rule else f.rule,
        "severity": SEVERITY_LABELS.get(f.severity, f.severity),
        "veto": f.severity == "veto",
        "unit_id": f.unit_id,
        "unit": unit_names.get(f.unit_id, f.unit_id),
        "name": ev.get("column") or ev.get("account") or ev.get("text") or ev.get("page") or "",
        "target": shown_target(f.target),
        "evidence": describe_evidence(f.rule, ev),
        "details": evidence_details(f.rule, ev, catalogue),
        "pages": [str(p) for p in pages[:5]],
        "more_pages": max(0, len(pages) - 5),
        "first_seen": f.first_seen,
        "last_seen": f.last_seen,
        "days_open": (as_of - f.first_seen).days + 1,
        "due": ev.get("due"),
        "points": f.points,
    }


def _unit_names(session: Session, config: Config) -> dict[str, str]:
    names = {u.id: u.name for u in session.scalars(select(Unit))}
    names.update({u.id: u.name for u in config.units})
    return names


def _group(rows: Iterable[dict[str, Any]], catalogue: Catalogue) -> list[dict[str, Any]]:
    order = {rid: i for i, rid in enumerate(catalogue.rules)}
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[r["rule"]].append(r)
    return [
        {"rule": rid, "indicator": items[0]["indicator"], "severity": items[0]["severity"], "rows": items}
        for rid, items in sorted(groups.items(), key=lambda kv: order.get(kv[0], 10_000))
    ]


# --- 整改通知 ---------------------------------------------------------------------------------


def build_rectification(
    session: Session, config: Config, catalogue: Catalogue, unit_id: str, as_of: dt.date, *, period: str | None = None
) -> dict[str, Any] | None:
    """A unit's rectification notice: its open problems by indicator, warnings apart; None when it has none."""
    names = _unit_names(session, config)
    findings = [f for f in list_findings(session, unit=unit_id, status=(*TO_FIX, "warning")) if f.severity != "operator"]
    if not findings:
        return None
    rows = [finding_row(f, catalogue, names, as_of) for f in findings]
    problems = [r for f, r in zip(findings, rows, strict=True) if f.status in TO_FIX]
    warnings = [r for f, r in zip(findings, rows, strict=True) if f.status == "warning"]
    days = config.notify.deadline_working_days
    return {
        "county": config.county,
        "unit_id": unit_id,
        "unit": names.get(unit_id, unit_id),
        "as_of": as_of,
        "period": period or period_of("rectification", as_of, config.notify.unit_cadence),
        "deadline": deadline_after(as_of, days),
        "deadline_days": days,
        "groups": _group(problems, catalogue),
        "problem_count": len(problems),
        "veto_count": sum(1 for r in problems if r["veto"]),
        "warnings": sorted(warnings, key=lambda r: str(r["due"] or "")),
        "warning_count": len(warnings),
    }


# --- 值班读网日报 -----------------------------------------------------------------------------


def _event_day(e: FindingEvent, tz: dt.tzinfo) -> dt.date:
    return e.as_of or e.at.astimezone(tz).date()


def last_digest_day(session: Session, before: dt.date) -> dt.date | None:
    """The monitoring date of the last digest recorded before ``before``."""
    periods = session.scalars(
        select(Notice.period).where(Notice.kind == "digest", Notice.period < before.isoformat())
    ).all()
    days = []
    for p in periods:
        try:
            days.append(dt.date.fromisoformat(p))
        except ValueError:
            continue
    return max(days) if days else None


def _changes(session: Session, catalogue: Catalogue, names: dict[str, str], since: dt.date, as_of: dt.date,
             tz: dt.tzinfo) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The unit problems opened (or reopened) and the ones rectified after ``since`` up to ``as_of``."""
    events = session.execute(
        select(FindingEvent, Finding)
        .join(Finding, Finding.id == FindingEvent.finding_id)
        .where(FindingEvent.action.in_(("opened", "reopened", "confirmed", "rectified")),
               or_(FindingEvent.as_of.is_(None), and_(FindingEvent.as_of > since, FindingEvent.as_of <= as_of)))
        .order_by(FindingEvent.id)
    ).all()
    new, fixed, seen_new, seen_fixed = [], [], set(), set()
    for e, f in events:
        day = _event_day(e, tz)
        if not (since < day <= as_of) or f.severity == "operator":
            continue
        if e.action in ("opened", "reopened", "confirmed") and f.id not in seen_new and e.to_status in TO_FIX:
            seen_new.add(f.id)
            new.append(finding_row(f, catalogue, names, as_of))
        elif e.action == "rectified" and f.id not in seen_fixed:
            seen_fixed.add(f.id)
            row = finding_row(f, catalogue, names, as_of)
            row["rectified_on"] = f.rectified_on or day
            fixed.append(row)
    return new, fixed


def _due_soon(session: Session, catalogue: Catalogue, names: dict[str, str], as_of: dt.date,
              horizon: dt.date) -> list[dict[str, Any]]:
    """Warnings that become problems by ``horizon`` (or whose day is unknown), soonest first."""
    due_soon = []
    for f in list_findings(session, status="warning"):
        if f.severity == "operator":
            continue
        due = (f.evidence or {}).get("due")
        try:
            due_day = dt.date.fromisoformat(str(due)) if due else None
        except ValueError:
            due_day = None
        if due_day is None or due_day <= horizon:
            row = finding_row(f, catalogue, names, as_of)
            row["due"] = due_day
            due_soon.append(row)
    due_soon.sort(key=lambda r: (r["due"] or dt.date.max, r["unit_id"]))
    return due_soon


def _unit_counts(units: list[dict[str, Any]], new: list[dict[str, Any]], fixed: list[dict[str, Any]],
                 names: dict[str, str], config: Config) -> list[dict[str, Any]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for u in units:
        counts[u["id"]]["problems"] += len(u["problems"])
        counts[u["id"]]["warnings"] += len(u["warnings"])
    for r in new:
        counts[r["unit_id"]]["new"] += 1
    for r in fixed:
        counts[r["unit_id"]]["rectified"] += 1
    order = {u.id: i for i, u in enumerate(config.units)}
    return [
        {"id": uid, "name": names.get(uid, uid), "problems": c["problems"], "warnings": c["warnings"],
         "new": c["new"], "rectified": c["rectified"]}
        for uid, c in sorted(counts.items(), key=lambda kv: order.get(kv[0], 10_000))
    ]


def _failed_runs(session: Session, since: dt.date, tz: dt.tzinfo) -> list[dict[str, Any]]:
    since_at = dt.datetime.combine(since + dt.timedelta(days=1), dt.time(), tz)
    crawl_errors = [
        {"kind": r.kind, "at": r.started_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), "error": r.error or r.status}
        for r in session.scalars(
            select(CrawlRun).where(CrawlRun.status == "failed", CrawlRun.started_at >= since_at).order_by(CrawlRun.id)
        )
    ]
    return crawl_errors + [
        {"kind": f"job:{r.job_id}", "at": r.started_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), "error": r.error or r.status}
        for r in session.scalars(
            select(JobRun).where(JobRun.status == "failed", JobRun.started_at >= since_at).order_by(JobRun.id)
        )
    ]


def in_doubt_notices(session: Session, config: Config, names: dict[str, str]) -> list[dict[str, Any]]:
    """Notices left ``sending`` (投递状态不明): a send that started and never finished — the process was killed, or
    it is sending right now. Whether the recipient got it is unknown; listed until a later send settles it
    (notifier/delivery.py takes such a send up again once its lease has passed)."""
    last = (select(NoticeAttempt.notice_id, func.max(NoticeAttempt.at).label("at"))
            .group_by(NoticeAttempt.notice_id).subquery())
    rows = session.execute(
        select(Notice, last.c.at).outerjoin(last, last.c.notice_id == Notice.id)
        .where(Notice.status == "sending").order_by(Notice.created_at, Notice.id)
    ).all()
    return [
        {"kind": NOTICE_KIND_LABELS.get(n.kind, n.kind), "unit": names.get(n.unit_id, n.unit_id), "period": n.period,
         "channel": n.channel, "attempts": n.attempts,
         "since": at.astimezone(config.tz).strftime("%Y-%m-%d %H:%M") if at else ""}
        for n, at in rows
    ]


def build_duty_digest(
    session: Session, config: Config, catalogue: Catalogue, as_of: dt.date, *, since: dt.date | None = None
) -> dict[str, Any]:
    """The duty digest: the basic one plus what is new and rectified since the last digest, warnings due soon,
    counts per unit, failed crawls, undelivered notices and notices whose delivery is in doubt (left sending)."""
    data = build_digest(session, config, catalogue, as_of)
    since = since or last_digest_day(session, as_of) or (as_of - dt.timedelta(days=1))
    names = _unit_names(session, config)
    new, fixed = _changes(session, catalogue, names, since, as_of, config.tz)
    undelivered = [
        {"kind": NOTICE_KIND_LABELS.get(n.kind, n.kind), "unit": names.get(n.unit_id, n.unit_id), "period": n.period,
         "channel": n.channel, "attempts": n.attempts, "error": oneline(n.error or "", 300)}
        for n in session.scalars(select(Notice).where(Notice.status == "failed").order_by(Notice.created_at))
    ]
    data.update({
        "in_doubt": in_doubt_notices(session, config, names),
        "since": since,
        "new": new,
        "rectified": fixed,
        "due_soon": _due_soon(session, catalogue, names, as_of,
                              as_of + dt.timedelta(days=config.notify.warn_within_days)),
        "warn_within_days": config.notify.warn_within_days,
        "unit_counts": _unit_counts(data["units"], new, fixed, names, config),
        "crawl_errors": _failed_runs(session, since, config.tz),
        "undelivered": undelivered,
        "digest_url": config.notify.digest_url,
    })
    return data


# --- 月度通报 ---------------------------------------------------------------------------------


def _status_at(events: Sequence[FindingEvent], day: dt.date, tz: dt.tzinfo) -> str | None:
    status = None
    for e in events:
        if _event_day(e, tz) <= day:
            status = e.to_status
    return status


def build_monthly(session: Session, config: Config, catalogue: Catalogue, as_of: dt.date) -> dict[str, Any]:
    """Units ranked by open problems and deductions so far this year, with the change since last month."""
    tz = config.tz
    names = _unit_names(session, config)
    month_start = as_of.replace(day=1)
    prev_end = month_start - dt.timedelta(days=1)
    year_start = as_of.replace(month=1, day=1)
    if config.monitoring and config.monitoring.start.year == as_of.year:
        year_start = config.monitoring.start
    findings = list(session.scalars(select(Finding).where(Finding.severity != "operator")))
    events: dict[str, list[FindingEvent]] = defaultdict(list)
    for e in session.scalars(select(FindingEvent).order_by(FindingEvent.id)):
        events[e.finding_id].append(e)
    stats: dict[str, Counter[str]] = defaultdict(Counter)
    points: dict[str, float] = defaultdict(float)
    for f in findings:
        s = stats[f.unit_id]
        now_status = _status_at(events[f.id], as_of, tz) or f.status
        before = _status_at(events[f.id], prev_end, tz)
        if now_status in TO_FIX:
            s["open"] += 1
            if f.severity == "veto":
                s["veto"] += 1
        elif now_status == "warning":
            s["warnings"] += 1
        if before in TO_FIX:
            s["open_prev"] += 1
        if month_start <= f.first_seen <= as_of:
            s["new"] += 1
        if f.rectified_on and month_start <= f.rectified_on <= as_of:
            s["rectified"] += 1
        if f.status not in ("dismissed", "overturned") and year_start <= f.first_seen <= as_of:
            points[f.unit_id] += f.points or 0.0
    unit_ids = [u.id for u in config.units] + sorted(set(stats) - {u.id for u in config.units})
    rows = []
    for uid in unit_ids:
        s = stats.get(uid, Counter())
        rows.append({
            "id": uid, "name": names.get(uid, uid), "open": s["open"], "veto": s["veto"], "warnings": s["warnings"],
            "points": round(points.get(uid, 0.0), 2), "open_prev": s["open_prev"], "change": s["open"] - s["open_prev"],
            "new": s["new"], "rectified": s["rectified"],
        })
    rows.sort(key=lambda r: (-r["open"], -r["points"], r["id"]))
    rank, last_key = 0, None
    for i, r in enumerate(rows, 1):
        key = (r["open"], r["points"])
        if key != last_key:
            rank, last_key = i, key
        r["rank"] = rank
    return {
        "county": config.county,
        "as_of": as_of,
        "period": period_of("monthly", as_of),
        "year": as_of.year,
        "month": as_of.month,
        "year_start": year_start,
        "prev_end": prev_end,
        "units": rows,
        "total_open": sum(r["open"] for r in rows),
        "total_open_prev": sum(r["open_prev"] for r in rows),
        "total_new": sum(r["new"] for r in rows),
        "total_rectified": sum(r["rectified"] for r in rows),
        "clean_units": sum(1 for r in rows if r["open"] == 0),
        "digest_url": config.notify.digest_url,
    }


# --- rendering -------------------------------------------------------------------------------


def _subject(kind: str, data: dict[str, Any]) -> str:
    as_of: dt.date = data["as_of"]
    day = f"{as_of.year}年{as_of.month}月{as_of.day}日"
    if kind == "rectification":
        text = f"【整改通知】{data['county']}政府网站与政务新媒体监测：{data['unit']}（{data['problem_count']}个问题，{day}）"
    elif kind == "digest":
        text = (f"【值班读网日报】{data['county']} {day}：待整改{data['problem_count']}个，"
                f"新发现{len(data.get('new', []))}个，已整改{len(data.get('rectified', []))}个")
    else:
        text = f"【月度通报】{data['county']}{data['year']}年{data['month']}月政府网站与政务新媒体监测情况"
    return oneline(text, 180)


def render_notice(kind: str, data: dict[str, Any], override_dir: str | None = None) -> tuple[str, str, str, str]:
    """(subject, html, text, markdown) of one notice; templates ``{kind}.html.j2``/``.txt.j2``/``.md.j2``."""
    subject = _subject(kind, data)
    payload = {**data, "subject": subject}
    html = render(f"{kind}.html.j2", payload, override_dir)
    text = render(f"{kind}.txt.j2", payload, override_dir)
    markdown = render(f"{kind}.md.j2", payload, override_dir)
    return subject, html, text, markdown


def _emails(contacts: Iterable[Any]) -> list[str]:
    out = []
    for c in contacts:
        email = c.get("email") if isinstance(c, dict) else getattr(c, "email", None)
        if email and email not in out:
            out.append(email)
    return out


def due_notices(
    session: Session,
    config: Config,
    catalogue: Catalogue,
    as_of: dt.date,
    kinds: Sequence[str] = ("digest", "rectification"),
    *,
    override_dir: str | None = None,
    units: set[str] | None = None,
) -> list[RenderedNotice]:
    """Render every notice of these kinds due at ``as_of`` (units without problems get none)."""
    out: list[RenderedNotice] = []
    duty = _emails(config.notify.duty)
    if "digest" in kinds:
        data = build_duty_digest(session, config, catalogue, as_of)
        out.append(RenderedNotice("digest", "*", period_of("digest", as_of), *render_notice("digest", data, override_dir),
                                  recipients=duty, unit_name="值班人员"))
    if "rectification" in kinds:
        db_units = {u.id: u for u in session.scalars(select(Unit).where(Unit.active.is_(True)))}
        ids = [u.id for u in config.units] + sorted(set(db_units) - {u.id for u in config.units})
        for uid in ids:
            if units and uid not in units:
                continue
            data = build_rectification(session, config, catalogue, uid, as_of)
            if data is None:
                continue
            cfg_unit = config.unit(uid)
            contacts = cfg_unit.contacts if cfg_unit else (db_units[uid].contacts if uid in db_units else [])
            out.append(RenderedNotice("rectification", uid, data["period"],
                                      *render_notice("rectification", data, override_dir),
                                      recipients=_emails(contacts), unit_name=str(clean_text(data["unit"]))))
    if "monthly" in kinds:
        data = build_monthly(session, config, catalogue, as_of)
        out.append(RenderedNotice("monthly", "*", data["period"], *render_notice("monthly", data, override_dir),
                                  recipients=duty, unit_name="值班人员"))
    return out

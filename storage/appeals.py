"""Publications of the preliminary results (公示) and the units' appeals (复核) against findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.errors import AppealRefused, UsageError
from storage.findings import get_finding, transition
from storage.models import Appeal, Publication, utcnow

__all__ = [
    "APPEALABLE",
    "AppealRefused",
    "decide_appeal",
    "file_appeal",
    "get_appeal",
    "latest_publication",
    "list_appeals",
    "record_publication",
]

#: finding statuses a unit may appeal against (the ones that count on the sheet)
APPEALABLE = ("open", "rectified", "upheld")


def record_publication(
    session: Session,
    *,
    year: int,
    published_on: dt.date,
    deadline: dt.date,
    working_days: int,
    actor: str = "system",
    html_path: str | None = None,
    xlsx_path: str | None = None,
    scores: dict[str, Any] | None = None,
) -> Publication:
    """Keep a publication: it opens the appeal period that ends on ``deadline``."""
    pub = Publication(
        year=year, published_on=published_on, deadline=deadline, working_days=working_days, actor=actor,
        html_path=html_path, xlsx_path=xlsx_path, scores=scores or {},
    )
    session.add(pub)
    session.flush()
    return pub


def latest_publication(session: Session, year: int | None = None) -> Publication | None:
    """The most recent publication (of ``year`` when given)."""
    q = select(Publication)
    if year is not None:
        q = q.where(Publication.year == year)
    return session.scalars(q.order_by(Publication.published_on.desc(), Publication.created_at.desc()).limit(1)).first()


def get_appeal(session: Session, appeal_id: str) -> Appeal:
    """The appeal with this id; UsageError when there is none."""
    a = session.get(Appeal, appeal_id)
    if a is None:
        raise UsageError(f"没有编号为 {appeal_id} 的复核申请 (no appeal {appeal_id!r})")
    return a


def file_appeal(
    session: Session,
    finding_id: str,
    *,
    unit: str,
    reason: str,
    filed_on: dt.date,
    actor: str | None = None,
    year: int | None = None,
) -> Appeal:
    """A unit asks for a review of one of its findings, within the working days after publication."""
    f = get_finding(session, finding_id)
    if f.unit_id != unit:
        raise AppealRefused(f"问题 {f.id} 不属于单位 {unit}，不能由该单位申请复核")
    if not reason.strip():
        raise UsageError("申请复核须说明理由 (--reason)")
    pub = None
    if year is not None:
        pub = latest_publication(session, year)
    else:
        for y in range(f.last_seen.year, f.first_seen.year - 1, -1):
            pub = latest_publication(session, y)
            if pub is not None:
                break
    if pub is None:
        raise AppealRefused(f"问题 {f.id} 所在年度的监测结果尚未公示，暂不受理复核申请")
    if filed_on < pub.published_on:
        raise AppealRefused(f"{pub.year}年度监测结果于 {pub.published_on.isoformat()} 公示，公示前不受理复核申请")
    if filed_on > pub.deadline:
        raise AppealRefused(
            f"复核申请已逾期：{pub.year}年度监测结果于 {pub.published_on.isoformat()} 公示，"
            f"应在 {pub.working_days} 个工作日内（{pub.deadline.isoformat()} 前，含当日）提出，"
            f"申请日期为 {filed_on.isoformat()}"
        )
    if f.status == "appealed":
        raise AppealRefused(f"问题 {f.id} 已在复核中")
    if f.status not in APPEALABLE or f.severity in ("warning", "operator"):
        raise AppealRefused(f"问题 {f.id} 当前状态为 {f.status}，不计分，无需申请复核")
    who = actor or unit
    appeal = Appeal(
        finding_id=f.id, unit_id=unit, publication_id=pub.id, filed_on=filed_on, filed_by=who, reason=reason,
        previous_status=f.status, status="pending",
    )
    session.add(appeal)
    session.flush()
    transition(session, f, "appealed", action="appealed", as_of=filed_on, actor=who, reason=reason)
    session.flush()
    return appeal


def decide_appeal(
    session: Session,
    appeal_id: str,
    *,
    uphold: bool,
    reason: str,
    actor: str,
    decided_on: dt.date,
) -> Appeal:
    """The evaluation office decides: upheld (the finding stays) or overturned (it leaves the score)."""
    a = get_appeal(session, appeal_id)
    if a.status != "pending":
        raise AppealRefused(f"复核申请 {a.id} 已于 {a.decided_on} 作出决定（{a.status}）")
    if not reason.strip():
        raise UsageError("复核决定须说明理由 (--reason)")
    f = get_finding(session, a.finding_id)
    result = "upheld" if uphold else "overturned"
    a.status, a.decided_on, a.decided_at, a.decided_by, a.decision_reason = result, decided_on, utcnow(), actor, reason
    transition(session, f, result, action=result, as_of=decided_on, actor=actor, reason=reason)
    session.flush()
    return a


def list_appeals(session: Session, *, status: str | None = None, unit: str | None = None) -> list[Appeal]:
    """Appeals, oldest first."""
    q = select(Appeal)
    if status:
        q = q.where(Appeal.status == status)
    if unit:
        q = q.where(Appeal.unit_id == unit)
    return list(session.scalars(q.order_by(Appeal.filed_at)))

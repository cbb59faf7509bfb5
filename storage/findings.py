"""Finding lifecycle: outcomes of the checks become findings that are kept, updated and rectified."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from checks.base import Outcome
from storage.models import Finding, FindingEvent, utcnow

__all__ = ["ACTIVE", "ApplyStats", "apply_outcomes", "finding_to_dict", "list_findings", "transition"]

#: statuses in which a finding is a live problem that later checks may rectify
ACTIVE = ("open", "warning", "upheld")
#: statuses that a person decided: checks update the sightings but never the status
DECIDED = ("dismissed", "appealed", "overturned")


@dataclass
class ApplyStats:
    """What applying one round of outcomes changed."""

    opened: int = 0
    seen: int = 0
    rectified: int = 0
    reopened: int = 0


def transition(
    session: Session,
    f: Finding,
    to_status: str,
    *,
    action: str,
    as_of: dt.date | None = None,
    actor: str = "system",
    reason: str | None = None,
) -> None:
    """Change a finding's status and record who, when and why."""
    session.add(
        FindingEvent(
            finding_id=f.id, as_of=as_of, actor=actor, action=action,
            from_status=f.status, to_status=to_status, reason=reason,
        )
    )
    f.status = to_status
    f.updated_at = utcnow()


def apply_outcomes(session: Session, outcomes: Iterable[Outcome], as_of: dt.date, actor: str = "system") -> ApplyStats:
    """Merge check outcomes into the stored findings (same rule, unit and target = same finding)."""
    outcomes = list(outcomes)
    stats = ApplyStats()
    keys = {(o.rule, o.unit_id, o.target) for o in outcomes}
    existing: dict[tuple[str, str, str], Finding] = {}
    key_list = list(keys)
    for i in range(0, len(key_list), 300):
        chunk = key_list[i : i + 300]
        for f in session.scalars(
            select(Finding).where(tuple_(Finding.rule, Finding.unit_id, Finding.target).in_(chunk))
        ):
            existing[(f.rule, f.unit_id, f.target)] = f
    for o in outcomes:
        key = (o.rule, o.unit_id, o.target)
        f = existing.get(key)
        if o.passed:
            if f is not None and f.status in ACTIVE and as_of >= f.last_seen:
                f.rectified_on = as_of
                transition(session, f, "rectified", action="rectified", as_of=as_of, actor=actor,
                           reason="a later check passed")
                stats.rectified += 1
            continue
        status = "warning" if o.severity == "warning" else "open"
        if f is None:
            f = Finding(
                rule=o.rule, unit_id=o.unit_id, target=o.target, severity=o.severity, points=o.points,
                status=status, evidence=o.evidence, first_seen=as_of, last_seen=as_of, seen_count=1,
            )
            session.add(f)
            session.flush()
            session.add(FindingEvent(finding_id=f.id, as_of=as_of, actor=actor, action="opened",
                                     from_status=None, to_status=status))
            existing[key] = f
            stats.opened += 1
            continue
        if as_of < f.first_seen:
            f.first_seen = as_of
        if as_of < f.last_seen:
            continue  # an older time point: it adds a sighting date, it does not change the present
        if as_of > f.last_seen:
            f.seen_count += 1
        f.last_seen = as_of
        f.evidence, f.severity, f.points = o.evidence, o.severity, o.points
        f.updated_at = utcnow()
        if f.status == "rectified":
            previous = f.first_seen
            f.first_seen, f.rectified_on, f.seen_count = as_of, None, 1
            transition(session, f, status, action="reopened", as_of=as_of, actor=actor,
                       reason=f"the problem is back (last episode from {previous})")
            stats.reopened += 1
        elif f.status in ("open", "warning") and f.status != status:
            transition(session, f, status, action="escalated" if status == "open" else "eased", as_of=as_of,
                       actor=actor)
            stats.seen += 1
        else:
            stats.seen += 1
    session.flush()
    return stats


def finding_to_dict(f: Finding) -> dict[str, Any]:
    """A finding in the documented JSON form (DESIGN.md)."""
    return {
        "id": f.id,
        "rule": f.rule,
        "unit": f.unit_id,
        "target": f.target,
        "severity": f.severity,
        "points": f.points,
        "status": f.status,
        "first_seen": f.first_seen.isoformat(),
        "last_seen": f.last_seen.isoformat(),
        "evidence": f.evidence,
    }


def list_findings(
    session: Session,
    *,
    status: str | Sequence[str] | None = None,
    unit: str | None = None,
    rule: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[Finding]:
    """Findings filtered by status, unit, rule and the dates they were seen."""
    q = select(Finding)
    if status:
        q = q.where(Finding.status.in_([status] if isinstance(status, str) else list(status)))
    if unit:
        q = q.where(Finding.unit_id == unit)
    if rule:
        q = q.where(Finding.rule == rule)
    if since:
        q = q.where(Finding.last_seen >= since)
    if until:
        q = q.where(Finding.first_seen <= until)
    return list(session.scalars(q.order_by(Finding.unit_id, Finding.rule, Finding.target)))

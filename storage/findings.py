"""Finding lifecycle: outcomes of the checks become findings that are kept, updated and rectified."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import Session

from checks.base import Outcome
from config.errors import LifecycleError, UsageError
from storage.models import Finding, FindingEvent, FindingSighting, utcnow

__all__ = [
    "ACTIVE",
    "COUNTED",
    "DECIDED",
    "STATES",
    "ApplyStats",
    "LifecycleError",
    "allowed_actions",
    "apply_outcomes",
    "confirm",
    "count_findings",
    "days_open",
    "dismiss",
    "finding_events",
    "finding_to_dict",
    "get_finding",
    "list_findings",
    "reopen",
    "sighting_dates",
    "transition",
]

#: every state a finding can be in. ``suspected`` rests on a read the crawler is not sure of (a
#: low-confidence newest date, a content hit): shown to duty staff, never sent to the unit nor
#: counted until a person confirms it; ``cleared`` is a suspected finding that went away unconfirmed.
STATES = ("suspected", "cleared", "warning", "open", "rectified", "dismissed", "appealed", "upheld", "overturned")

#: statuses in which a finding is a live problem that later checks may rectify
ACTIVE = ("open", "warning", "upheld")
#: statuses that a person decided: checks update the sightings but never the status
DECIDED = ("dismissed", "appealed", "overturned")
#: statuses that count toward the year-end sheet (a rectified problem still existed while it was seen)
COUNTED = ("open", "rectified", "appealed", "upheld")
#: statuses duty staff may dismiss, and the ones they may reopen
_DISMISSABLE = ("suspected", "warning", "open", "upheld", "rectified")
_REOPENABLE = ("dismissed", "rectified", "overturned", "cleared")


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
    merge = _Merge(session, as_of, actor, {(o.rule, o.unit_id, o.target) for o in outcomes})
    for o in outcomes:
        merge.add(o)
    session.flush()
    return merge.stats


def _in_chunks(values: Sequence[Any], size: int = 300) -> Iterable[Sequence[Any]]:
    """``values`` in slices of at most ``size`` (an IN list the databases accept)."""
    for i in range(0, len(values), size):
        yield values[i : i + size]


class _Merge:
    """One merge of a day's outcomes into the stored findings: the findings they concern, the sightings of the day."""

    def __init__(self, session: Session, as_of: dt.date, actor: str, keys: set[tuple[str, str, str]]) -> None:
        self.session, self.as_of, self.actor = session, as_of, actor
        self.stats = ApplyStats()
        self.existing: dict[tuple[str, str, str], Finding] = {}
        for chunk in _in_chunks(list(keys)):
            for f in session.scalars(
                select(Finding).where(tuple_(Finding.rule, Finding.unit_id, Finding.target).in_(chunk))
            ):
                self.existing[(f.rule, f.unit_id, f.target)] = f
        self.seen_today: set[str] = set()
        for chunk in _in_chunks([f.id for f in self.existing.values()]):
            self.seen_today.update(session.scalars(
                select(FindingSighting.finding_id).where(
                    FindingSighting.as_of == as_of, FindingSighting.finding_id.in_(chunk)
                )
            ))

    def _transition(self, f: Finding, to: str, action: str, reason: str | None = None) -> None:
        transition(self.session, f, to, action=action, as_of=self.as_of, actor=self.actor, reason=reason)

    def _sighted(self, f: Finding, severity: str) -> None:
        if f.id not in self.seen_today:
            self.session.add(FindingSighting(finding_id=f.id, as_of=self.as_of, severity=severity))
            self.seen_today.add(f.id)

    def add(self, o: Outcome) -> None:
        """One outcome: a pass may rectify or clear; a failure opens a finding or is one more sighting of it."""
        key = (o.rule, o.unit_id, o.target)
        f = self.existing.get(key)
        if o.passed:
            if f is not None and self.as_of >= f.last_seen:
                self._passed(f)
        elif f is None:
            self.existing[key] = self._open(o)
        else:
            self._seen_again(f, o)

    def _passed(self, f: Finding) -> None:
        if f.status in ACTIVE:
            f.rectified_on = self.as_of
            self._transition(f, "rectified", "rectified", "a later check passed")
            self.stats.rectified += 1
        elif f.status == "suspected":
            self._transition(f, "cleared", "cleared", "a later check passed before anyone confirmed the suspicion")
            self.stats.rectified += 1

    def _open(self, o: Outcome) -> Finding:
        status = _status_for(o)
        f = Finding(
            rule=o.rule, unit_id=o.unit_id, target=o.target, severity=o.severity, points=o.points,
            status=status, evidence=o.evidence, first_seen=self.as_of, last_seen=self.as_of, seen_count=1,
        )
        self.session.add(f)
        self.session.flush()
        self.session.add(FindingEvent(finding_id=f.id, as_of=self.as_of, actor=self.actor, action="opened",
                                      from_status=None, to_status=status))
        self._sighted(f, o.severity)
        self.stats.opened += 1
        return f

    def _seen_again(self, f: Finding, o: Outcome) -> None:
        as_of = self.as_of
        self._sighted(f, o.severity)
        if as_of < f.first_seen:
            f.first_seen = as_of
        if as_of < f.last_seen:
            return  # an older time point: it adds a sighting date, it does not change the present
        if as_of > f.last_seen:
            f.seen_count += 1
        f.last_seen = as_of
        old_key = (f.evidence or {}).get("text_key")
        f.evidence, f.severity, f.points = o.evidence, o.severity, o.points
        f.updated_at = utcnow()
        self._restate(f, o, _status_for(o), old_key)

    def _restate(self, f: Finding, o: Outcome, status: str, old_key: Any) -> None:
        """The status change a new sighting brings, counted as reopened or seen."""
        if f.status == "dismissed" and o.suspected and o.evidence.get("text_key") not in (None, old_key):
            # a dismissed content hit stays dismissed while its text is the same; a different text is raised again
            self._transition(f, "suspected", "reopened", "the text differs from the one dismissed")
            self.stats.reopened += 1
        elif f.status == "suspected" and status != "suspected":
            self._transition(f, status, "escalated", "a confident read shows the problem")
            self.stats.seen += 1
        elif f.status == "cleared":
            self._transition(f, status, "reopened", "the suspicion is back")
            self.stats.reopened += 1
        elif f.status == "rectified":
            previous = f.first_seen
            f.first_seen, f.rectified_on, f.seen_count = self.as_of, None, 1
            self._transition(f, status, "reopened", f"the problem is back (last episode from {previous})")
            self.stats.reopened += 1
        elif f.status in ("open", "warning") and f.status != status and not (f.status == "open" and status == "suspected"):
            # (confirmed earlier, by a person or a confident read: an unsure read does not undo it)
            self._transition(f, status, "escalated" if status == "open" else "eased")
            self.stats.seen += 1
        else:
            self.stats.seen += 1


def _status_for(o: Outcome) -> str:
    """The status a failing outcome gives a new finding: a warning stays a warning; a problem that
    rests on an unsure read is ``suspected``; else ``open``."""
    if o.severity == "warning":
        return "warning"
    return "suspected" if o.suspected else "open"


def get_finding(session: Session, finding_id: str) -> Finding:
    """The finding with this id; UsageError when there is none."""
    f = session.get(Finding, finding_id)
    if f is None:
        raise UsageError(f"没有编号为 {finding_id} 的问题 (no finding {finding_id!r})")
    return f


def dismiss(session: Session, finding_id: str, *, reason: str, actor: str, as_of: dt.date | None = None) -> Finding:
    """Duty staff dismiss a suspected problem (排除): it is kept, with who and why, and never counted."""
    f = get_finding(session, finding_id)
    if not reason.strip():
        raise UsageError("排除问题须说明理由 (--reason)")
    if f.status not in _DISMISSABLE:
        raise LifecycleError(f"问题 {f.id} 当前状态为 {f.status}，不能排除（可排除：{', '.join(_DISMISSABLE)}）")
    transition(session, f, "dismissed", action="dismissed", as_of=as_of, actor=actor, reason=reason)
    session.flush()
    return f


def confirm(session: Session, finding_id: str, *, actor: str, reason: str = "", as_of: dt.date | None = None) -> Finding:
    """A person confirms a suspected problem (确认): it becomes open (sent to the unit, counted)."""
    f = get_finding(session, finding_id)
    if f.status != "suspected":
        raise LifecycleError(f"问题 {f.id} 当前状态为 {f.status}，不是待确认问题，无需确认")
    to = "warning" if f.severity == "warning" else "open"
    transition(session, f, to, action="confirmed", as_of=as_of, actor=actor, reason=reason or None)
    session.flush()
    return f


def reopen(session: Session, finding_id: str, *, reason: str, actor: str, as_of: dt.date | None = None) -> Finding:
    """Undo a dismissal (or a rectification, or an overturn): the finding is open again (or a warning)."""
    f = get_finding(session, finding_id)
    if not reason.strip():
        raise UsageError("恢复问题须说明理由 (--reason)")
    if f.status not in _REOPENABLE:
        raise LifecycleError(f"问题 {f.id} 当前状态为 {f.status}，不能恢复（可恢复：{', '.join(_REOPENABLE)}）")
    to = "warning" if f.severity == "warning" else "open"
    if f.status == "cleared":
        to = "suspected"
    if f.status == "rectified":
        f.rectified_on = None
    transition(session, f, to, action="reopened", as_of=as_of, actor=actor, reason=reason)
    session.flush()
    return f


def allowed_actions(f: Finding) -> tuple[str, ...]:
    """What duty staff may do to this finding in its present state: ``confirm``, ``dismiss``, ``reopen``."""
    rules = (("confirm", ("suspected",)), ("dismiss", _DISMISSABLE), ("reopen", _REOPENABLE))
    return tuple(a for a, states in rules if f.status in states)


def sighting_dates(session: Session, finding_ids: Sequence[str]) -> dict[str, list[dt.date]]:
    """The monitoring time points at which each finding was seen, oldest first."""
    out: dict[str, list[dt.date]] = {fid: [] for fid in finding_ids}
    ids = list(finding_ids)
    for i in range(0, len(ids), 300):
        for fid, day in session.execute(
            select(FindingSighting.finding_id, FindingSighting.as_of)
            .where(FindingSighting.finding_id.in_(ids[i : i + 300]))
            .order_by(FindingSighting.as_of)
        ):
            out[fid].append(day)
    return out


def finding_events(session: Session, finding_id: str) -> list[FindingEvent]:
    """Every transition of a finding, oldest first."""
    return list(session.scalars(
        select(FindingEvent).where(FindingEvent.finding_id == finding_id).order_by(FindingEvent.id)
    ))


def days_open(f: Finding, until: dt.date | None = None) -> int:
    """How many days the problem lasted: from first seen to the day before rectification (or to last seen)."""
    end = f.rectified_on - dt.timedelta(days=1) if f.rectified_on and f.rectified_on > f.last_seen else f.last_seen
    if until is not None and end > until:
        end = until
    return max((end - f.first_seen).days + 1, 1)


def finding_to_dict(f: Finding) -> dict[str, Any]:
    """A finding in the documented JSON form (../shared/DESIGN.md)."""
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


def _filtered(
    q: Select[Any],
    *,
    status: str | Sequence[str] | None,
    unit: str | None,
    rule: str | None,
    since: dt.date | None,
    until: dt.date | None,
    severity: str | Sequence[str] | None,
) -> Select[Any]:
    if severity:
        q = q.where(Finding.severity.in_([severity] if isinstance(severity, str) else list(severity)))
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
    return q


def list_findings(
    session: Session,
    *,
    status: str | Sequence[str] | None = None,
    unit: str | None = None,
    rule: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    severity: str | Sequence[str] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Finding]:
    """Findings filtered by status, unit, rule, severity and the dates they were seen (``limit``/``offset``: a page)."""
    q = _filtered(select(Finding), status=status, unit=unit, rule=rule, since=since, until=until, severity=severity)
    q = q.order_by(Finding.unit_id, Finding.rule, Finding.target, Finding.id)
    if limit is not None:
        q = q.limit(limit).offset(offset)
    return list(session.scalars(q))


def count_findings(
    session: Session,
    *,
    status: str | Sequence[str] | None = None,
    unit: str | None = None,
    rule: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    severity: str | Sequence[str] | None = None,
) -> int:
    """How many findings :func:`list_findings` returns with the same filters."""
    q = _filtered(select(func.count()).select_from(Finding), status=status, unit=unit, rule=rule, since=since,
                  until=until, severity=severity)
    return int(session.scalar(q) or 0)

"""Reading the scoring input from storage: findings with their sightings and appeals, and the units."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.catalogue import Catalogue
from config.schema import Config
from reports.scoring import AppealView, FindingView, Scoresheet, UnitInfo, score_units, scoring_window
from storage.findings import sighting_dates
from storage.models import Appeal, Finding, Unit

__all__ = ["finding_views", "load_scoresheet", "unit_infos"]


def unit_infos(session: Session, config: Config, only: str | None = None) -> list[UnitInfo]:
    """The configured units in roster order (units only in the database come after them)."""
    out: list[UnitInfo] = []
    seen: set[str] = set()
    for u in config.units:
        seen.add(u.id)
        out.append(UnitInfo(u.id, u.name, u.kind, len(u.sites), tuple(a.key for a in u.accounts)))
    for row in session.scalars(select(Unit).order_by(Unit.id)):
        if row.id not in seen:
            out.append(UnitInfo(row.id, row.name, row.kind, len(row.sites), ()))
    if only is not None:
        out = [u for u in out if u.id == only]
    return out


def finding_views(session: Session, findings: Sequence[Finding]) -> list[FindingView]:
    """Plain views of stored findings, with the dates they were seen and their latest appeal."""
    ids = [f.id for f in findings]
    seen = sighting_dates(session, ids)
    appeals: dict[str, Appeal] = {}
    for i in range(0, len(ids), 300):
        for a in session.scalars(
            select(Appeal).where(Appeal.finding_id.in_(ids[i : i + 300])).order_by(Appeal.filed_at)
        ):
            appeals[a.finding_id] = a  # the latest wins
    out = []
    for f in findings:
        a = appeals.get(f.id)
        view = None
        if a is not None:
            view = AppealView(a.id, a.status, a.filed_on, a.reason, a.decided_on, a.decided_by, a.decision_reason)
        out.append(
            FindingView(
                id=f.id, rule=f.rule, unit_id=f.unit_id, target=f.target, severity=f.severity, points=f.points,
                status=f.status, first_seen=f.first_seen, last_seen=f.last_seen, evidence=dict(f.evidence or {}),
                rectified_on=f.rectified_on, sightings=tuple(seen.get(f.id, ())), seen_count=f.seen_count,
                appeal=view,
            )
        )
    return out


def load_scoresheet(
    session: Session, config: Config, catalogue: Catalogue, year: int, *, unit: str | None = None
) -> Scoresheet:
    """Score every unit (or one) for ``year`` from the stored findings."""
    start, end = scoring_window(catalogue, year, config.monitoring)
    q = select(Finding)
    if unit is not None:
        q = q.where(Finding.unit_id == unit)
    rows = list(session.scalars(q.order_by(Finding.unit_id, Finding.rule, Finding.target)))
    views = [v for v in finding_views(session, rows) if v.span[1] >= start and v.span[0] <= end]
    return score_units(views, unit_infos(session, config, unit), catalogue, year, window=(start, end))

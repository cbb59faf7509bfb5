"""The public notice of the preliminary year-end results (公示): HTML and xlsx, with the appeal deadline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from config.catalogue import Catalogue
from config.labels import UNIT_KIND_LABELS
from config.schema import Config
from config.workdays import add_working_days
from notifier.render import render
from reports.load import load_scoresheet
from reports.scoring import Scoresheet
from reports.workbook import describe, object_name, write_workbook
from storage.appeals import record_publication

__all__ = ["PublishResult", "publication_html", "publish_results"]


@dataclass
class PublishResult:
    """What a publication wrote and the appeal period it opened."""

    publication_id: str
    year: int
    published_on: dt.date
    deadline: dt.date
    working_days: int
    html: Path
    xlsx: Path
    sheet: Scoresheet


def _fmt(value: float) -> str:
    return f"{value:g}"


def publication_html(
    sheet: Scoresheet, *, county: str, published_on: dt.date, deadline: dt.date, working_days: int,
    template_dir: str | None = None,
) -> str:
    """The 公示 page: results per unit, the deducted problems, review changes and the appeal deadline."""
    rules = sheet.deduction_rules
    units, lines, changes = [], [], []
    for u in sheet.units:
        units.append({
            "name": u.unit.name, "kind": UNIT_KIND_LABELS.get(u.unit.kind, u.unit.kind), "score": _fmt(u.score),
            "grade": u.grade, "passed": u.passed, "veto": u.veto,
            "veto_text": "、".join(dict.fromkeys(v.rule.indicator for v in u.vetoes)) or "否",
            "deductions": [_fmt(u.deductions.get(rid, 0.0)) for rid, _ in rules], "total": _fmt(u.total_deduction),
        })
        for ln in u.lines:
            lines.append({
                "unit": u.unit.name, "indicator": ln.rule.indicator, "name": object_name(ln), "target": ln.finding.target,
                "evidence": describe(ln), "note": ln.note, "first_seen": ln.first_seen, "last_seen": ln.last_seen,
                "points": "否决" if ln.is_veto else _fmt(ln.applied),
            })
        for c in u.changes:
            changes.append({
                "unit": u.unit.name, "indicator": c.rule.indicator, "target": c.finding.target,
                "reason": (c.appeal.decision_reason if c.appeal else "") or "",
            })
    sc = sheet.catalogue.scoring
    data: dict[str, Any] = {
        "county": county, "year": sheet.year, "start": sheet.start, "end": sheet.end, "base": _fmt(sc.base),
        "pass_line": _fmt(sc.pass_line), "published_on": published_on, "deadline": deadline,
        "working_days": working_days, "indicators": [r.indicator for _, r in rules], "units": units,
        "lines": lines, "changes": changes,
    }
    return render("publication.html.j2", data, template_dir)


def publish_results(
    session: Session,
    config: Config,
    catalogue: Catalogue,
    year: int,
    *,
    published_on: dt.date,
    out_dir: Path,
    actor: str = "system",
    template_dir: str | None = None,
) -> PublishResult:
    """Score the year, write the 公示 HTML and xlsx, and record the publication with its appeal deadline."""
    days = catalogue.scoring.appeal_working_days
    deadline = add_working_days(published_on, days)
    sheet = load_scoresheet(session, config, catalogue, year)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"publication-{year}.html"
    xlsx_path = out_dir / f"publication-{year}.xlsx"
    html_path.write_text(
        publication_html(sheet, county=config.county, published_on=published_on, deadline=deadline,
                         working_days=days, template_dir=template_dir),
        encoding="utf-8",
    )
    write_workbook(
        sheet, xlsx_path, county=config.county, made_on=published_on,
        publication={"published_on": published_on.isoformat(), "deadline": deadline.isoformat()},
    )
    pub = record_publication(
        session, year=year, published_on=published_on, deadline=deadline, working_days=days, actor=actor,
        html_path=str(html_path), xlsx_path=str(xlsx_path),
        scores={u.unit.id: {"score": u.score, "veto": u.veto, "passed": u.passed} for u in sheet.units},
    )
    return PublishResult(pub.id, year, published_on, deadline, days, html_path, xlsx_path, sheet)

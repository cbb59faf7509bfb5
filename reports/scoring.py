"""Year-end scoring per unit: veto items first, then capped deductions per indicator, no double counting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from config.catalogue import Catalogue, RuleDef

__all__ = [
    "COUNTED",
    "AppealView",
    "Change",
    "FindingView",
    "Line",
    "Scoresheet",
    "UnitInfo",
    "UnitScore",
    "covered_targets",
    "score_units",
    "scoring_window",
]

#: finding statuses that count toward the year-end sheet
COUNTED = frozenset({"open", "rectified", "appealed", "upheld"})
#: severities never deducted, and never shown to a unit as a deduction
NOT_SCORED = frozenset({"warning", "operator"})


@dataclass(frozen=True)
class AppealView:
    """The latest appeal of a finding as the sheet shows it."""

    id: str
    status: str  # pending | upheld | overturned
    filed_on: dt.date
    reason: str
    decided_on: dt.date | None = None
    decided_by: str | None = None
    decision_reason: str | None = None


@dataclass(frozen=True)
class FindingView:
    """A stored finding as scoring reads it (plain data; built from storage or from a test case)."""

    id: str
    rule: str
    unit_id: str
    target: str
    severity: str
    points: float
    status: str
    first_seen: dt.date
    last_seen: dt.date
    evidence: dict[str, Any] = field(default_factory=dict)
    rectified_on: dt.date | None = None
    sightings: tuple[dt.date, ...] = ()
    seen_count: int = 1
    appeal: AppealView | None = None

    @property
    def span(self) -> tuple[dt.date, dt.date]:
        """The first and last day the problem was seen (over every episode)."""
        lo = min((self.first_seen, *self.sightings))
        hi = max((self.last_seen, *self.sightings))
        return lo, hi


@dataclass(frozen=True)
class UnitInfo:
    """A unit as the sheet shows it: id, name, kind, and what it has to monitor."""

    id: str
    name: str
    kind: str
    sites: int = 0
    accounts: tuple[str, ...] = ()


@dataclass
class Line:
    """One counted finding on the sheet, with the points actually deducted and why."""

    finding: FindingView
    rule: RuleDef
    points: float
    applied: float
    note: str
    first_seen: dt.date
    last_seen: dt.date
    days_open: int

    @property
    def is_veto(self) -> bool:
        """Whether the finding is a single-veto item."""
        return self.finding.severity == "veto"


@dataclass
class Change:
    """A result changed by review (复核): the finding, what it weighed, and the decision."""

    finding: FindingView
    rule: RuleDef
    points: float
    was_veto: bool
    appeal: AppealView | None


@dataclass
class UnitScore:
    """The year-end result of one unit."""

    unit: UnitInfo
    score: float
    passed: bool
    vetoes: list[Line]
    deductions: dict[str, float]
    lines: list[Line]
    changes: list[Change]
    site_score: float | None = None
    account_score: float | None = None
    score_before_review: float | None = None

    @property
    def veto(self) -> bool:
        """Whether a single-veto item failed the unit's website or an account."""
        return bool(self.vetoes)

    @property
    def total_deduction(self) -> float:
        """Points deducted over every indicator."""
        return float(round(sum(self.deductions.values()), 2))

    @property
    def monitored(self) -> bool:
        """Whether the unit had anything to monitor (a site or an account) in the roster."""
        return bool(self.unit.sites or self.unit.accounts or self.lines)

    @property
    def grade(self) -> str:
        """合格, 不合格, or 未监测 for a unit with neither a site nor an account configured."""
        if not self.monitored:
            return "未监测"
        return "合格" if self.passed else "不合格"


@dataclass
class Scoresheet:
    """Every unit's result for one year, with the settings that made it."""

    year: int
    start: dt.date
    end: dt.date
    catalogue: Catalogue
    units: list[UnitScore]

    @property
    def deduction_rules(self) -> list[tuple[str, RuleDef]]:
        """The deduction indicators (the summary's columns), in catalogue order."""
        return [(rid, r) for rid, r in self.catalogue.rules.items() if r.severity == "deduction" and r.enabled]

    def unit(self, unit_id: str) -> UnitScore:
        """The result of one unit (KeyError names it)."""
        for u in self.units:
            if u.unit.id == unit_id:
                return u
        raise KeyError(f"unit {unit_id!r} is not on the sheet")


def scoring_window(catalogue: Catalogue, year: int, monitoring: Any = None) -> tuple[dt.date, dt.date]:
    """The monitoring window of ``year``: the config's ``monitoring`` when it is in that year, else the catalogue's."""
    if monitoring is not None and monitoring.start.year == year:
        return monitoring.start, monitoring.end
    return catalogue.scoring.monitoring.for_year(year)


def covered_targets(f: FindingView) -> set[str]:
    """The objects a finding stands for: its target, and every object its evidence lists (e.g. the columns of a veto)."""
    out = {f.target}
    triggered = f.evidence.get("triggered")
    for key, value in f.evidence.items():
        if isinstance(triggered, list) and key not in triggered:
            continue  # a veto stands only for the groups that reached their threshold
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and isinstance(item.get("url"), str):
                    out.add(item["url"])
    return out


def _clip(f: FindingView, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date, int] | None:
    """First and last day seen inside the window, and the days the problem lasted there (None: outside)."""
    lo, hi = f.span
    if lo > end or hi < start:
        return None
    first, last = max(lo, start), min(hi, end)
    if f.rectified_on is not None and f.rectified_on > hi:
        stop = min(f.rectified_on - dt.timedelta(days=1), end)  # fixed on rectified_on: it lasted until the day before
    else:
        stop = last
    return first, last, (max(stop, first) - first).days + 1


def _cap_of(rule: RuleDef, f: FindingView) -> tuple[str, float | None]:
    """The cap that bounds a finding's points: the indicator's, or its homepage cap (links on the homepage)."""
    if f.evidence.get("on_homepage") and "homepage_cap" in rule.thresholds:
        return "homepage", rule.thresholds["homepage_cap"]
    return "", rule.cap


def _points_of(rule: RuleDef, f: FindingView) -> float:
    """Points of one occurrence under the effective catalogue, so that a county's change re-prices every finding."""
    if f.severity != "deduction":
        return 0.0
    if f.evidence.get("on_homepage") and "homepage_points" in rule.thresholds:
        return rule.thresholds["homepage_points"]
    return rule.points


Counted = list[tuple[FindingView, RuleDef, tuple[dt.date, dt.date, int]]]


def _counted(unit: UnitInfo, findings: Sequence[FindingView], catalogue: Catalogue, start: dt.date, end: dt.date,
             review: bool) -> tuple[Counted, list[Change]]:
    """The findings that count for the unit inside the window (in the order they are priced), and the changes
    made by review (an overturned finding counts as open when ``review`` is False)."""
    counted: Counted = []
    changes: list[Change] = []
    for f in findings:
        rule = catalogue.rules.get(f.rule)
        if rule is None or not rule.enabled or not rule.applies(unit.kind) or f.severity in NOT_SCORED:
            continue
        span = _clip(f, start, end)
        if span is None:
            continue
        status = f.status
        if status == "overturned":
            points = _points_of(rule, f)
            changes.append(Change(f, rule, points if f.severity == "deduction" else 0.0, f.severity == "veto", f.appeal))
            if review:
                continue
            status = "open"
        if status in COUNTED:
            counted.append((f, rule, span))
    counted.sort(key=lambda x: (x[2][0], x[0].rule, x[0].target))
    return counted, changes


@dataclass
class _Priced:
    """The lines of a unit's sheet and what they add up to."""

    lines: list[Line] = field(default_factory=list)
    vetoes: list[Line] = field(default_factory=list)
    used: dict[str, float] = field(default_factory=dict)
    used_group: dict[tuple[str, str], float] = field(default_factory=dict)
    vetoed_parts: set[str] = field(default_factory=set)
    vetoed_accounts: set[str] = field(default_factory=set)


def _deduction(f: FindingView, rule: RuleDef, catalogue: Catalogue, covered: dict[str, set[str]],
               priced: _Priced) -> tuple[float, float, str]:
    """(points, points applied, note) of one deduction: not again where another indicator counted the target,
    and within the indicator's cap."""
    points = _points_of(rule, f)
    applied, note = points, ""
    group, cap = _cap_of(rule, f)
    dup = next((r for r in rule.not_after if f.target in covered.get(r, ())), None)
    if dup is not None:
        applied, note = 0.0, f"已计入「{catalogue.rules[dup].indicator}」，不重复扣分"
    elif cap is not None:
        room = max(cap - priced.used_group.get((f.rule, group), 0.0), 0.0)
        if points > room + 1e-9:
            applied = room
            note = "已达该指标扣分上限" if room <= 1e-9 else f"该指标扣分上限 {cap:g} 分，仅扣 {room:g} 分"
    if f.evidence.get("capped") and not note:
        note = "已达该指标扣分上限"
    applied = round(applied, 4)
    priced.used_group[(f.rule, group)] = priced.used_group.get((f.rule, group), 0.0) + applied
    priced.used[f.rule] = priced.used.get(f.rule, 0.0) + applied
    return points, applied, note


def _price(counted: Counted, catalogue: Catalogue) -> _Priced:
    covered: dict[str, set[str]] = {}
    for f, _rule, _span in counted:
        covered.setdefault(f.rule, set()).update(covered_targets(f))
    priced = _Priced()
    for f, rule, (first, last, days) in counted:
        pending = f.status == "appealed"
        if f.severity == "veto":
            line = Line(f, rule, 0.0, 0.0, "单项否决" + ("（复核中）" if pending else ""), first, last, days)
            priced.vetoes.append(line)
            priced.lines.append(line)
            priced.vetoed_parts.add(rule.score_part)
            if rule.score_part == "account":
                priced.vetoed_accounts.add(f.target)
            continue
        points, applied, note = _deduction(f, rule, catalogue, covered, priced)
        if pending:
            note = (note + "；" if note else "") + "复核中"
        priced.lines.append(Line(f, rule, points, applied, note, first, last, days))
    return priced


def _part_scores(unit: UnitInfo, counted: Counted, priced: _Priced, catalogue: Catalogue
                 ) -> tuple[float | None, float | None]:
    """The website's and the accounts' scores (None where the unit has none)."""
    sc = catalogue.scoring
    site_ded = sum(v for rid, v in priced.used.items() if catalogue.rules[rid].score_part == "site")
    acct_ded = sum(v for rid, v in priced.used.items() if catalogue.rules[rid].score_part == "account")
    account_targets = set(unit.accounts) | {f.target for f, r, _ in counted if r.score_part == "account"}
    has_site = unit.sites > 0 or any(r.score_part == "site" for _, r, _ in counted)
    site_score = max(sc.base - site_ded, 0.0) if has_site else None
    if site_score is not None and "site" in priced.vetoed_parts:
        site_score = min(site_score, sc.veto_score["site"])
    account_score = None
    if account_targets:
        vetoed = priced.vetoed_accounts
        per = [min(sc.base, sc.veto_score["account"]) if a in vetoed else sc.base for a in account_targets]
        account_score = max(sum(per) / len(account_targets) - acct_ded, 0.0)
        if vetoed and len(vetoed) == len(account_targets):
            account_score = min(account_score, sc.veto_score["account"])
    return site_score, account_score


def _total(site_score: float | None, account_score: float | None, priced: _Priced, catalogue: Catalogue) -> float:
    sc = catalogue.scoring
    if sc.weights:
        parts = {k: v for k, v in (("site", site_score), ("account", account_score)) if v is not None}
        weight = sum(sc.weights[k] for k in parts)
        if parts and weight > 0:
            return round(sum(v * sc.weights[k] for k, v in parts.items()) / weight, 2)
        return round(next(iter(parts.values()), sc.base), 2)
    score = max(sc.base - sum(v for rid, v in priced.used.items()
                              if catalogue.rules[rid].score_part in ("site", "account")), 0.0)
    for part in priced.vetoed_parts:
        score = min(score, sc.veto_score[part])
    return round(score, 2)


def _score_unit(
    unit: UnitInfo,
    findings: Sequence[FindingView],
    catalogue: Catalogue,
    start: dt.date,
    end: dt.date,
    *,
    review: bool,
) -> UnitScore:
    """``review=False`` scores as if no appeal had been decided (the result before review)."""
    counted, changes = _counted(unit, findings, catalogue, start, end, review)
    priced = _price(counted, catalogue)
    site_score, account_score = _part_scores(unit, counted, priced, catalogue)
    score = _total(site_score, account_score, priced, catalogue)
    return UnitScore(
        unit=unit,
        score=score,
        passed=not priced.vetoes and score >= catalogue.scoring.pass_line,
        vetoes=priced.vetoes,
        deductions={rid: round(v, 2) for rid, v in priced.used.items() if v},
        lines=priced.lines,
        changes=changes,
        site_score=None if site_score is None else round(site_score, 2),
        account_score=None if account_score is None else round(account_score, 2),
    )


def score_units(
    findings: Iterable[FindingView],
    units: Iterable[UnitInfo],
    catalogue: Catalogue,
    year: int,
    *,
    window: tuple[dt.date, dt.date] | None = None,
) -> Scoresheet:
    """Score every unit over the monitoring window of ``year`` (only findings seen inside it count)."""
    start, end = window or catalogue.scoring.monitoring.for_year(year)
    by_unit: dict[str, list[FindingView]] = {}
    for f in findings:
        by_unit.setdefault(f.unit_id, []).append(f)
    results = []
    for unit in units:
        mine = by_unit.get(unit.id, [])
        result = _score_unit(unit, mine, catalogue, start, end, review=True)
        if result.changes:
            before = _score_unit(unit, mine, catalogue, start, end, review=False)
            result.score_before_review = before.score
        results.append(result)
    return Scoresheet(year, start, end, catalogue, results)

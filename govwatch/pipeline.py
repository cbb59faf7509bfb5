"""The monitoring cycle as plain functions: sync, crawl, check, render; the CLI and the scheduler call these."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from checks import run_checks
from crawler.redirects import RedirectPolicy, unit_redirect_hosts
from crawler.runner import crawl_in_child
from govwatch.context import Context
from govwatch.errors import ConfigError
from govwatch.linkstage import LinkReport, ProbeReport, run_link_check, run_probes
from govwatch.roster import discover_missing_columns, ensure_synced, sync
from notifier.digest import write_digest
from notifier.notices import build_duty_digest
from storage import (
    AccountRow,
    ColumnRow,
    CrawlRun,
    PageSnapshot,
    SiteRow,
    apply_outcomes,
    finding_to_dict,
    list_findings,
    load_check_input,
    record_account,
    utcnow,
)

__all__ = [
    "AccountReport",
    "CheckReport",
    "CrawlReport",
    "CycleReport",
    "StageProgress",
    "StagesReport",
    "check",
    "crawl",
    "discover_missing_columns",
    "export_findings",
    "observe_accounts",
    "run_cycle",
    "run_deadline",
    "run_stages",
    "sync",
    "write_year_workbook",
]

log = logging.getLogger("govwatch.pipeline")

#: rules judged on what the link and content stages read: the checks after the crawl leave them for the final check
#: (yesterday's links and texts are not seen again today)
LATE_RULES = frozenset({"link.broken", "content.error", "content.privacy"})

StageProgress = Callable[[str, int, int], None]
"""Progress of a cycle: (stage, done, total); stage ``crawl`` (pages), ``links`` (links) or ``run`` (stages)."""


@dataclass
class CrawlReport:
    """What one crawl did."""

    run_id: int
    targets: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    failed: bool = False
    skipped_units: list[str] = field(default_factory=list)
    stored: int = 0
    deadline_hit: bool = False

    @property
    def fetch_failures(self) -> int:
        """Pages whose fetch did not succeed (the operator's business, not the unit's)."""
        return sum(n for s, n in self.statuses.items() if s not in ("ok", "empty", "not_modified"))


@dataclass
class AccountReport:
    """What one round of new-media observations did."""

    run_id: int
    accounts: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def unusable(self) -> int:
        """Accounts whose platform could not be read this time (the operator's business)."""
        return sum(n for s, n in self.statuses.items() if s not in ("ok", "empty"))


@dataclass
class CheckReport:
    """What one check round did."""

    as_of: dt.date
    outcomes: int = 0
    opened: int = 0
    rectified: int = 0
    open_by_rule: dict[str, int] = field(default_factory=dict)


@dataclass
class StagesReport:
    """The stages of one daily cycle (crawl, probe, accounts, links, content), each one's findings written when
    it finished; ``not_done``: the stages the deadline kept from starting."""

    crawl: CrawlReport
    check: CheckReport
    first_check: CheckReport | None = None
    probe: ProbeReport | None = None
    accounts: AccountReport | None = None
    links: LinkReport | None = None
    content: Any = None
    deadline: dt.datetime | None = None
    not_done: list[str] = field(default_factory=list)

    @property
    def deadline_hit(self) -> bool:
        """Whether the deadline stopped some work (a stage not started, pages or links left)."""
        return bool(self.not_done) or self.crawl.deadline_hit or bool(self.links and self.links.deadline_hit)


@dataclass
class CycleReport:
    """One full monitoring cycle."""

    as_of: dt.date
    units: int
    columns: int
    stages: StagesReport
    digest: Path | None = None
    findings_file: Path | None = None
    workbook: Path | None = None

    @property
    def crawl(self) -> CrawlReport:
        """The crawl stage's report."""
        return self.stages.crawl

    @property
    def check(self) -> CheckReport:
        """The final check's report."""
        return self.stages.check

    @property
    def accounts(self) -> AccountReport | None:
        """The accounts stage's report (None when it did not run)."""
        return self.stages.accounts

    @property
    def ok(self) -> bool:
        """Whether every stage completed (the crawl read every page, the deadline left nothing undone)."""
        return not self.crawl.failed and not self.stages.deadline_hit


def _targets(ctx: Context, unit_ids: set[str] | None) -> list[dict[str, Any]]:
    with ctx.db.session() as s:
        rows = s.execute(
            select(ColumnRow)
            .join(SiteRow, SiteRow.id == ColumnRow.site_id)
            .where(ColumnRow.active.is_(True), SiteRow.active.is_(True))
            .order_by(ColumnRow.id)
        ).scalars()
        obey = {site.url: site.obey_robots for u in ctx.config.units for site in u.sites}
        hosts = unit_redirect_hosts(ctx.config)
        out = []
        for c in rows:
            if unit_ids and c.unit_id not in unit_ids:
                continue
            out.append({
                "column_id": c.id, "url": c.url, "role": c.role, "extractor": c.extractor, "render": c.render,
                "selectors": (c.options or {}).get("selectors"), "max_pages": (c.options or {}).get("max_pages"),
                "obey_robots": obey.get(c.site.url),
                "redirect_hosts": hosts.get(c.unit_id, RedirectPolicy.of_urls([c.url, c.site.url],
                                                                               ctx.config.crawl.redirect_hosts)
                                            .entries()),
            })
        return out


def crawl(ctx: Context, *, units: set[str] | None = None, progress: Callable[[int, int], None] | None = None,
          deadline: dt.datetime | None = None) -> CrawlReport:
    """Fetch every watched page of the active roster (in a child process) and store the observations; at the
    ``deadline`` the crawl is stopped and the pages read so far are kept."""
    skipped = ensure_synced(ctx)
    targets = _targets(ctx, units)
    with ctx.db.session() as s:
        run = CrawlRun(kind="crawl", stats={"targets": len(targets)})
        s.add(run)
        s.flush()
        run_id = run.id
    report = CrawlReport(run_id=run_id, targets=len(targets), skipped_units=skipped)

    def tick() -> None:
        if progress:
            with ctx.db.session() as s:
                done = s.scalar(select(func.count(PageSnapshot.id)).where(PageSnapshot.run_id == run_id)) or 0
            progress(done, len(targets))

    left = _seconds_left(deadline)
    code = crawl_in_child(
        targets, crawl=ctx.config.crawl, db_url=ctx.db.url, run_id=run_id, today=ctx.today().isoformat(),
        progress=tick, cache_dir=str(ctx.output_dir / "http-cache"),
        timeout=max(left, 1.0) if left is not None else None,
    )
    with ctx.db.session() as s:
        counts = dict(
            s.execute(
                select(PageSnapshot.status, func.count(PageSnapshot.id))
                .where(PageSnapshot.run_id == run_id)
                .group_by(PageSnapshot.status)
            ).all()
        )
        stored = sum(counts.values())
        run = s.get(CrawlRun, run_id)
        report.statuses = counts
        report.stored = stored
        report.failed = code != 0 or stored < len(targets)
        report.deadline_hit = report.failed and deadline is not None and utcnow() >= deadline
        run.finished_at = utcnow()
        run.status = "failed" if report.failed else "ok"
        run.stats = {"targets": len(targets), "statuses": counts, "exit_code": code}
        if report.failed:
            run.error = f"crawler exited with {code}; {stored} of {len(targets)} pages recorded"
            log.error("crawl incomplete: %s", run.error)
    if progress:
        progress(stored, len(targets))
    return report


def observe_accounts(ctx: Context, *, units: set[str] | None = None) -> AccountReport:
    """Read every active new-media account through its platform adapter and store the observations."""
    import asyncio

    from crawler.accounts import AccountRef, fetch_accounts, get_adapter

    ensure_synced(ctx)
    with ctx.db.session() as s:
        rows = [a for a in s.scalars(select(AccountRow).where(AccountRow.active.is_(True)).order_by(AccountRow.id))
                if not units or a.unit_id in units]
        run = CrawlRun(kind="accounts", stats={"accounts": len(rows)})
        s.add(run)
        s.flush()
        run_id = run.id
    refs = [
        AccountRef(platform=a.platform, id=None if a.key == a.url else a.key, name=a.name, url=a.url,
                   base_url=a.base_url)
        for a in rows
    ]
    from crawler.accounts import FeedCache

    cache_file = ctx.output_dir / "cache" / "feeds.json"
    try:
        feed_cache = FeedCache.from_dict(json.loads(cache_file.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        feed_cache = FeedCache()  # no cache yet, or a broken one: the next requests are unconditional
    adapters = {}
    platforms = dict(ctx.config.platforms)
    for platform in {r.platform for r in refs} | set(platforms):
        pc = platforms.get(platform)
        options: dict[str, Any] = {"timeout": (pc.timeout if pc else None) or ctx.config.crawl.timeout}
        if pc:
            options.update(pc.options)
            options.update(base_url=pc.base_url, headers=pc.headers, cookies=pc.cookies)
        if platform == "rss":
            options["cache"] = feed_cache
        try:
            adapters[platform] = get_adapter(platform, **options)
        except KeyError as exc:
            log.error("platforms.%s: %s", platform, exc.args[0])
        except TypeError as exc:
            raise ConfigError(str(ctx.loaded.path or "config"), f"platforms.{platform}.options", str(exc)) from None
    observations = asyncio.run(
        fetch_accounts(refs, now=utcnow(), per_host_concurrency=ctx.config.crawl.concurrency_per_host,
                       timeout=ctx.config.crawl.timeout, adapters=adapters)
    ) if refs else []
    if refs:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(json.dumps(feed_cache.to_dict(), ensure_ascii=False), encoding="utf-8")
    report = AccountReport(run_id=run_id, accounts=len(rows))
    with ctx.db.session() as s:
        for row, obs in zip(rows, observations, strict=True):
            record_account(s, row.id, obs, run_id)
            report.statuses[obs.status] = report.statuses.get(obs.status, 0) + 1
            if obs.status not in ("ok", "empty"):
                log.warning("account %s:%s of %s could not be read: %s %s", row.platform, row.key, row.unit_id,
                            obs.status, obs.error or "")
        run = s.get(CrawlRun, run_id)
        run.finished_at, run.status, run.stats = utcnow(), "ok", {"accounts": len(rows), "statuses": report.statuses}
    return report


def probe(ctx: Context, *, units: set[str] | None = None) -> ProbeReport:
    """One availability probe of every active site's homepage, stored."""
    return run_probes(ctx, units=units)


def check_links(ctx: Context, *, whole_site: bool | None = None, units: set[str] | None = None,
                deadline: dt.datetime | None = None) -> LinkReport:
    """Check the links of every active site (homepage and the pages the crawl read, whole site, or whole site
    when due) within the budgets and the deadline, store the results."""
    return run_link_check(ctx, whole_site=whole_site, units=units, deadline=deadline)


def run_deadline(ctx: Context, minutes: float | None = None, *, start: dt.datetime | None = None) -> dt.datetime | None:
    """When a run started now must stop starting new work: ``minutes`` (``--deadline``), else
    ``run.deadline_minutes``; None when neither sets one."""
    minutes = minutes if minutes is not None else (ctx.config.run.deadline_minutes or None)
    return (start or utcnow()) + dt.timedelta(minutes=minutes) if minutes else None


def _seconds_left(deadline: dt.datetime | None) -> float | None:
    return None if deadline is None else (deadline - utcnow()).total_seconds()


def _past(deadline: dt.datetime | None) -> bool:
    left = _seconds_left(deadline)
    return left is not None and left <= 0


def _probe_days(ctx: Context, as_of: dt.date) -> int:
    rule = ctx.catalogue.rules.get("site.unavailable")
    return rule.window.days_hint(as_of) if rule is not None and rule.window is not None else 7


def check(ctx: Context, as_of: dt.date, *, rules: Iterable[str] | None = None) -> CheckReport:
    """Run the checks (``rules``: only these) on the stored observations at the monitoring time point and update
    the findings."""
    with ctx.db.session() as s:
        run = CrawlRun(kind="check", as_of=as_of)
        s.add(run)
        s.flush()
        inp = load_check_input(s, as_of, ctx.tz, probe_days=_probe_days(ctx, as_of))
        from govwatch.contentstage import word_lists

        inp.content_lists = word_lists(ctx)
        outcomes = run_checks(inp, ctx.catalogue, rules)
        stats = apply_outcomes(s, outcomes, as_of)
        active = list_findings(s, status=("open", "warning", "suspected"))
        by_rule = Counter(f.rule if f.status == "open" else f"{f.rule}:{f.status}" for f in active)
        run.finished_at, run.status = utcnow(), "ok"
        run.stats = {"outcomes": len(outcomes), "opened": stats.opened, "rectified": stats.rectified,
                     **({"rules": sorted(rules)} if rules is not None else {})}
    return CheckReport(as_of, len(outcomes), stats.opened, stats.rectified, dict(sorted(by_rule.items())))


def export_findings(ctx: Context, path: Path, **filters: Any) -> int:
    """Write findings as JSON lines (../shared/DESIGN.md format); returns how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with ctx.db.session() as s:
        rows = [finding_to_dict(f) for f in list_findings(s, **filters)]
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


def run_stages(ctx: Context, as_of: dt.date, *, deadline: dt.datetime | None = None,
               progress: StageProgress | None = None, probes: bool = True, content: bool = True,
               whole_site: bool | None = None, between: Callable[[], None] | None = None) -> StagesReport:
    """The daily stages, each one's findings written as soon as it can be judged: crawl, probe and accounts,
    then the checks (freshness, availability and accounts findings stored before the link stage starts), then
    the links and the content, then the checks again. After ``deadline`` no stage starts (the checks always
    run: what was read is judged and kept); ``between`` runs between two stages (the service's stop check);
    ``whole_site`` as check_links'."""
    names = ["crawl", *(["probe"] if probes else []), "accounts", "check", "links", *(["content"] if content else []),
             "check"]
    step = [0]

    def done_one() -> None:
        step[0] += 1
        if progress:
            progress("run", step[0], len(names))
        if between:
            between()

    def stage_bar(stage: str) -> Callable[[int, int], None] | None:
        return (lambda d, t: progress(stage, d, t)) if progress else None

    crawl_report = crawl(ctx, progress=stage_bar("crawl"), deadline=deadline)
    report = StagesReport(crawl=crawl_report, check=CheckReport(as_of), deadline=deadline)
    done_one()

    def maybe(stage: str, fn: Callable[[], Any]) -> Any:
        if _past(deadline):
            report.not_done.append(stage)
            log.warning("the run's deadline has passed: %s not started", stage)
            result = None
        else:
            result = fn()
        done_one()
        return result

    if probes:
        report.probe = maybe("probe", lambda: probe(ctx))
    report.accounts = maybe("accounts", lambda: observe_accounts(ctx))
    # freshness first: a slow link stage never holds these findings back
    report.first_check = check(ctx, as_of, rules=[r for r in ctx.catalogue.rules if r not in LATE_RULES])
    done_one()
    report.links = maybe("links", lambda: run_link_check(ctx, whole_site=whole_site, deadline=deadline,
                                                        progress=stage_bar("links")))
    if content:
        from govwatch.contentstage import read_content

        # new articles and their attachments, read once, for content.error / content.privacy
        report.content = maybe("content", lambda: read_content(ctx))
    report.check = check(ctx, as_of)
    done_one()
    return report


def run_cycle(ctx: Context, as_of: dt.date, *, progress: StageProgress | None = None,
              deadline: dt.datetime | None = None) -> CycleReport:
    """One full monitoring cycle: the daily stages (run_stages), the duty digest, the findings file, the workbook."""
    stages = run_stages(ctx, as_of, deadline=deadline if deadline is not None else run_deadline(ctx),
                        progress=progress)
    out = ctx.output_dir
    with ctx.db.session() as s:
        data = build_duty_digest(s, ctx.config, ctx.catalogue, as_of)  # the full 值班读网日报
    digest = write_digest(data, out / f"digest-{as_of.isoformat()}.html")
    findings_file = out / "findings.jsonl"
    export_findings(ctx, findings_file, status=("open", "warning", "suspected"))
    workbook = write_year_workbook(ctx, as_of.year, out / f"deductions-{as_of.year}.xlsx", made_on=as_of)
    columns = sum(len(site.columns) for u in ctx.config.units for site in u.sites)
    return CycleReport(as_of, len(ctx.config.units), columns, stages, digest, findings_file, workbook=workbook)


def write_year_workbook(ctx: Context, year: int, path: Path, *, made_on: dt.date | None = None) -> Path:
    """The year-end deduction workbook of ``year`` as the findings stand now (reports/workbook.py)."""
    from reports.load import load_scoresheet
    from reports.workbook import write_workbook

    with ctx.db.session() as s:
        sheet = load_scoresheet(s, ctx.config, ctx.catalogue, year)
    return write_workbook(sheet, path, county=ctx.config.county, made_on=made_on)


__all__ += ["check_links", "probe"]

"""The scheduled service (``govwatch serve``): APScheduler with its job store in the monitoring database.

Every job calls the same functions as the CLI. Runs are recorded in ``job_runs``; a lease in ``job_locks``
keeps two ``serve`` processes on one database from running the same job (or the same scheduled slot)
twice; missed runs are coalesced into one; SIGTERM lets the running job finish its current step.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import inspect, select

from config.schema import _EVERY_RE
from govwatch import pipeline
from govwatch.context import Context
from govwatch.errors import ConfigError
from storage.locks import CRAWL_LOCK, acquire_lease, keep_renewed, lease_holder, release_lease
from storage.models import JobLock, JobRun, utcnow

__all__ = [
    "JOBS",
    "JOB_LABELS",
    "JOBSTORE_TABLE",
    "MIN_PROBES_PER_DAY",
    "JobStatus",
    "Service",
    "Stopped",
    "fire",
    "job_status",
    "make_trigger",
]

log = logging.getLogger("govwatch.scheduler")

JOBS = ("crawl", "probe", "links", "digest", "notices", "monthly", "retry")
JOB_LABELS = {
    "crawl": "抓取与判定（每日）", "probe": "可用性探测", "links": "全站链接检查（每周）", "digest": "值班读网日报",
    "notices": "整改通知", "monthly": "月度通报", "retry": "重发未送达的通知",
}
JOBSTORE_TABLE = "apscheduler_jobs"
MIN_PROBES_PER_DAY = 20

_SERVICE: Service | None = None


class Stopped(Exception):
    """The service is stopping: the job ends after the step it was doing."""


def make_trigger(spec: str, tz: dt.tzinfo, *, jitter: int | None = None) -> BaseTrigger | None:
    """``every 20m`` → interval trigger, a crontab line → cron trigger (both in the county's zone), ``off`` → None."""
    if spec == "off":
        return None
    m = _EVERY_RE.match(spec)
    if m:
        seconds = int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
        return IntervalTrigger(seconds=seconds, timezone=tz, jitter=jitter if jitter and jitter < seconds else None)
    return CronTrigger.from_crontab(spec, timezone=tz)


def _fires(trigger: BaseTrigger, start: dt.datetime, end: dt.datetime, limit: int = 100_000) -> list[dt.datetime]:
    out: list[dt.datetime] = []
    prev = None
    now = start
    while len(out) < limit:
        nxt = trigger.get_next_fire_time(prev, now)
        if nxt is None or nxt >= end:
            break
        out.append(nxt)
        prev, now = nxt, nxt + dt.timedelta(microseconds=1)
    return out


def runs_per_day(spec: str, tz: dt.tzinfo) -> int:
    """How many times a schedule fires on an ordinary day (used to check the ≥ 20 probes a day rule)."""
    m = _EVERY_RE.match(spec)
    if m:
        seconds = int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
        return 86400 // seconds
    trigger = make_trigger(spec, tz)
    if trigger is None:
        return 0
    day = dt.datetime(2021, 6, 16, tzinfo=tz)
    return len(_fires(trigger, day, day + dt.timedelta(days=1), limit=2000))


def min_gap(spec: str, tz: dt.tzinfo) -> dt.timedelta:
    """Half the shortest time between two runs: a second start inside it is the same scheduled run."""
    m = _EVERY_RE.match(spec)
    if m:
        seconds = int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
        return dt.timedelta(seconds=seconds / 2)
    trigger = make_trigger(spec, tz)
    assert trigger is not None
    start = dt.datetime(2021, 1, 1, tzinfo=tz)
    fires = _fires(trigger, start, start + dt.timedelta(days=400), limit=400)
    gaps = [b - a for a, b in zip(fires, fires[1:], strict=False)]
    return min(gaps) / 2 if gaps else dt.timedelta(hours=12)


def _jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        obj = dataclasses.asdict(obj)
    try:
        return json.loads(json.dumps(obj, ensure_ascii=False, default=str))
    except (TypeError, ValueError):
        return {"result": repr(obj)[:2000]}


class Service:
    """One ``serve`` process: its context, identity, stop flag, locks and job functions."""

    def __init__(self, ctx: Context, *, owner: str | None = None) -> None:
        self.ctx = ctx
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stop_event = threading.Event()
        self.schedule = ctx.config.schedule
        self.lease = dt.timedelta(seconds=self.schedule.lease_seconds)
        self.scheduler: BackgroundScheduler | None = None
        self.steps: dict[str, Callable[[], dict[str, Any]]] = {
            "crawl": self.job_crawl, "probe": self.job_probe, "links": self.job_links, "digest": self.job_digest,
            "notices": self.job_notices, "monthly": self.job_monthly, "retry": self.job_retry,
        }

    # --- configuration -------------------------------------------------------------------

    def specs(self) -> dict[str, str]:
        """Job id → schedule spec (``off`` ones included)."""
        return {job: getattr(self.schedule, job) for job in JOBS}

    def validate(self) -> None:
        """The probe schedule must give at least 20 probes a day (../shared/RULES.md: site.unavailable)."""
        spec = self.schedule.probe
        if spec != "off" and runs_per_day(spec, self.ctx.tz) < MIN_PROBES_PER_DAY:
            raise ConfigError(str(self.ctx.loaded.path or "config"), "schedule.probe",
                              f"{spec!r} probes fewer than {MIN_PROBES_PER_DAY} times a day")

    # --- stopping --------------------------------------------------------------------------

    def should_stop(self) -> bool:
        """Whether SIGTERM (or stop()) was received."""
        return self.stop_event.is_set()

    def checkpoint(self) -> None:
        """Between two steps of a job: stop here if asked to."""
        if self.should_stop():
            raise Stopped()

    def stop(self, *_: Any) -> None:
        """Ask the service to stop after the running job's current step."""
        if not self.stop_event.is_set():
            log.warning("stopping: the running job finishes its current step, no new job starts")
        self.stop_event.set()

    # --- locks -----------------------------------------------------------------------------

    def acquire(self, job_id: str, gap: dt.timedelta) -> bool:
        """Take the job's lease unless another process (or a CLI run, for ``crawl``) holds it or started this
        scheduled run already (storage/locks.py)."""
        return acquire_lease(self.ctx.db, job_id, self.owner, self.lease, gap=gap)

    def release(self, job_id: str) -> None:
        """Give the lease back."""
        release_lease(self.ctx.db, job_id, self.owner)

    def recover(self) -> int:
        """Runs left ``running`` by a process that died (its lease expired) are marked ``abandoned``."""
        now = utcnow()
        n = 0
        with self.ctx.db.session() as s:
            held = {lk.job_id: lk for lk in s.scalars(select(JobLock))}
            for run in s.scalars(select(JobRun).where(JobRun.status == "running")):
                lock = held.get(run.job_id)
                alive = lock is not None and lock.owner == run.owner and lock.lease_until and lock.lease_until > now
                if not alive:
                    run.status, run.finished_at = "abandoned", now
                    run.error = "the process running this job stopped without finishing it"
                    n += 1
        return n

    # --- running a job ---------------------------------------------------------------------

    def run_job(self, job_id: str) -> str:
        """Run one job now, under its lock, recorded in job_runs; returns the run's status."""
        if self.should_stop():
            return "not_started"
        gap = min_gap(self.specs()[job_id], self.ctx.tz) if self.specs()[job_id] != "off" else dt.timedelta(0)
        if not self.acquire(job_id, gap):
            holder = lease_holder(self.ctx.db, job_id)
            if job_id == CRAWL_LOCK and holder is not None:
                log.warning("job crawl: the database is being crawled by %s (lease until %s); skipped",
                            holder.owner, holder.lease_until)
            else:
                log.info("job %s: already running or just run by another process; skipped", job_id)
            return "locked"
        with self.ctx.db.session() as s:
            run = JobRun(job_id=job_id, owner=self.owner, status="running")
            s.add(run)
            s.flush()
            run_id = run.id
        status, result, error = "ok", {}, None
        try:
            with keep_renewed(self.ctx.db, job_id, self.owner, self.lease):
                result = self.steps[job_id]()
            if result.pop("_status", None) == "skipped":
                status, error = "skipped", result.get("reason")
        except Stopped:
            status, error = "stopped", "stopped by SIGTERM before its next step"
        except Exception as exc:  # noqa: BLE001 - recorded, and the service goes on
            status, error = "failed", f"{type(exc).__name__}: {exc}"
            log.exception("job %s failed", job_id)
        finally:
            with self.ctx.db.session() as s:
                run = s.get(JobRun, run_id)
                assert run is not None
                run.status, run.finished_at, run.result, run.error = status, utcnow(), _jsonable(result), error
            self.release(job_id)
        log.info("job %s: %s", job_id, status)
        return status

    # --- the jobs --------------------------------------------------------------------------

    def job_crawl(self) -> dict[str, Any]:
        """Nightly: crawl the sites, read the accounts, run the checks, write the findings file."""
        ctx = self.ctx
        if hasattr(ctx, "roster_missing"):
            ctx.roster_missing = None  # sync the roster again on every nightly run
        out: dict[str, Any] = {}
        as_of = ctx.today()
        # the same stages as `govwatch run` (probes are a job of their own here; the service reads no article
        # content yet); the homepage's and the crawled pages' links every night, the whole site is the weekly
        # job's (or "when due" without it)
        stages = pipeline.run_stages(ctx, as_of, deadline=pipeline.run_deadline(ctx), probes=False, content=False,
                                     whole_site=False if self.schedule.links != "off" else None,
                                     between=self.checkpoint)
        rep, chk = stages.crawl, stages.check
        out["crawl"] = {"run_id": rep.run_id, "targets": rep.targets, "statuses": rep.statuses, "failed": rep.failed}
        out["links"] = _jsonable(stages.links)
        out["accounts"] = _jsonable(stages.accounts)
        out["check"] = {"as_of": as_of.isoformat(), "outcomes": chk.outcomes, "opened": chk.opened,
                        "rectified": chk.rectified}
        if stages.not_done:
            out["not_done"] = stages.not_done
        out["findings"] = pipeline.export_findings(ctx, ctx.output_dir / "findings.jsonl",
                                                   status=("open", "warning", "suspected"))
        if rep.failed:
            raise RuntimeError(f"crawl incomplete ({rep.statuses}); checks ran on what was fetched")
        return out

    def job_probe(self) -> dict[str, Any]:
        """Availability probes of every site's homepage (govwatch.pipeline.probe)."""
        return {"probe": _jsonable(pipeline.probe(self.ctx))}

    def job_links(self) -> dict[str, Any]:
        """The weekly whole-site link check (govwatch.pipeline.check_links(ctx, whole_site=True))."""
        return {"links": _jsonable(pipeline.check_links(self.ctx, whole_site=True))}

    def _notify(self, kinds: tuple[str, ...]) -> dict[str, Any]:
        from govwatch.commands.notify import run_notify
        from notifier.delivery import describe

        rep = run_notify(self.ctx, self.ctx.today(), kinds, stop=self.should_stop)
        result = describe(rep)
        if rep.stopped:
            raise Stopped()
        if rep.failed:
            result["errors"] = [f"{k}/{u}/{p}/{c}: {e}" for k, u, p, c, e in rep.failed][:20]
        return result

    def job_digest(self) -> dict[str, Any]:
        """Morning: the duty digest."""
        return self._notify(("digest",))

    def job_notices(self) -> dict[str, Any]:
        """Unit rectification notices (weekly or as configured)."""
        return self._notify(("rectification",))

    def job_monthly(self) -> dict[str, Any]:
        """The monthly report."""
        return self._notify(("monthly",))

    def job_retry(self) -> dict[str, Any]:
        """Send again what failed, after its backoff."""
        from notifier.delivery import build_channels, deliver_pending, describe

        rep = deliver_pending(self.ctx.db, self.ctx.config, build_channels(self.ctx.config, self.ctx.output_dir),
                              stop=self.should_stop)
        return describe(rep)

    # --- the scheduler ---------------------------------------------------------------------

    def build_scheduler(self) -> BackgroundScheduler:
        """A scheduler whose jobs live in the database (table apscheduler_jobs), one thread per job."""
        store = SQLAlchemyJobStore(engine=self.ctx.db.engine, tablename=JOBSTORE_TABLE)
        return BackgroundScheduler(
            jobstores={"default": store},
            executors={"default": ThreadPoolExecutor(max_workers=len(JOBS))},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=self.ctx.tz,
        )

    def install_jobs(self, scheduler: BackgroundScheduler) -> None:
        """Add or update the configured jobs; an unchanged job keeps its stored next run (missed runs coalesce)."""
        tz = self.ctx.tz
        for job_id, spec in self.specs().items():
            existing = scheduler.get_job(job_id)
            trigger = make_trigger(spec, tz, jitter=self.schedule.probe_jitter if job_id == "probe" else None)
            if trigger is None:
                if existing is not None:
                    scheduler.remove_job(job_id)
                continue
            fingerprint = f"{spec}|{tz}|{self.schedule.probe_jitter if job_id == 'probe' else ''}"
            if existing is not None and existing.kwargs.get("fingerprint") == fingerprint:
                continue
            scheduler.add_job(
                "govwatch.scheduler:fire", trigger=trigger, id=job_id, name=JOB_LABELS[job_id], args=[job_id],
                kwargs={"fingerprint": fingerprint}, replace_existing=True,
            )
        for job in scheduler.get_jobs():
            if job.id not in JOBS:
                scheduler.remove_job(job.id)

    def start(self) -> BackgroundScheduler:
        """Validate, recover abandoned runs, start the scheduler with the configured jobs (not blocking)."""
        global _SERVICE
        self.validate()
        _SERVICE = self
        abandoned = self.recover()
        if abandoned:
            log.warning("%d job run(s) of a stopped process marked abandoned", abandoned)
        scheduler = self.scheduler = self.build_scheduler()
        scheduler.start(paused=True)
        self.install_jobs(scheduler)
        scheduler.resume()
        log.info("govwatch serve %s: %s", self.owner,
                 ", ".join(f"{j.id} next {j.next_run_time}" for j in scheduler.get_jobs()))
        return scheduler

    def shutdown(self) -> None:
        """Stop starting jobs, let the running ones finish their current step, stop the scheduler."""
        global _SERVICE
        self.stop_event.set()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.pause()
            self.scheduler.shutdown(wait=True)
        if _SERVICE is self:
            _SERVICE = None

    def serve(self, *, install_signals: bool = True) -> int:
        """Run until SIGTERM/SIGINT; returns the exit code."""
        if install_signals:
            signal.signal(signal.SIGTERM, self.stop)
            signal.signal(signal.SIGINT, self.stop)
        self.start()
        print(f"govwatch serve 已启动（{self.owner}），按 Ctrl+C 或发送 SIGTERM 停止", flush=True)
        while not self.stop_event.wait(1.0):
            pass
        self.shutdown()
        print("govwatch serve 已停止", flush=True)
        return 0


def fire(job_id: str, fingerprint: str | None = None) -> None:
    """The function every stored job calls (by reference ``govwatch.scheduler:fire``)."""
    if _SERVICE is None:
        log.error("job %s fired outside govwatch serve; ignored", job_id)
        return
    _SERVICE.run_job(job_id)


# --- status --------------------------------------------------------------------------------


@dataclasses.dataclass
class JobStatus:
    """What ``govwatch status`` shows for one job."""

    job_id: str
    label: str
    spec: str
    next_run: dt.datetime | None
    last_status: str | None = None
    last_started: dt.datetime | None = None
    last_duration: float | None = None
    last_error: str | None = None
    last_error_at: dt.datetime | None = None
    running: bool = False


def job_status(ctx: Context, now: dt.datetime | None = None) -> list[JobStatus]:
    """Next run per job (from the job store when ``serve`` has run, else from the config), last run, last error."""
    now = now or dt.datetime.now(ctx.tz)
    stored: dict[str, dt.datetime | None] = {}
    if inspect(ctx.db.engine).has_table(JOBSTORE_TABLE):
        store = SQLAlchemyJobStore(engine=ctx.db.engine, tablename=JOBSTORE_TABLE)
        try:
            for job in store.get_all_jobs():
                stored[job.id] = job.next_run_time
        except Exception as exc:  # noqa: BLE001 - status must always answer
            log.warning("cannot read the job store: %s", exc)
    out = []
    with ctx.db.session() as s:
        for job_id in JOBS:
            spec = getattr(ctx.config.schedule, job_id)
            if job_id in stored:
                nxt = stored[job_id]
            else:
                trig = make_trigger(spec, ctx.tz)
                nxt = trig.get_next_fire_time(None, now) if trig else None
            st = JobStatus(job_id, JOB_LABELS[job_id], spec, nxt)
            last = s.scalars(select(JobRun).where(JobRun.job_id == job_id, JobRun.status != "running")
                             .order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1)).first()
            if last:
                st.last_status, st.last_started = last.status, last.started_at
                if last.finished_at:
                    st.last_duration = (last.finished_at - last.started_at).total_seconds()
            err = s.scalars(select(JobRun).where(JobRun.job_id == job_id, JobRun.error.is_not(None),
                                                 JobRun.status.in_(("failed", "abandoned", "skipped")))
                            .order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1)).first()
            if err:
                st.last_error, st.last_error_at = err.error, err.started_at
            st.running = s.scalars(select(JobRun.id).where(JobRun.job_id == job_id, JobRun.status == "running")).first() is not None
            out.append(st)
    return out


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.2) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds passed (tests and tools)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()

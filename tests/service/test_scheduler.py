"""The scheduler: job store on SQLite and PostgreSQL, locks between processes, coalesced missed runs, stopping."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import select

from config.loader import parse_config
from govwatch.cli import main
from govwatch.context import Context
from govwatch.errors import ConfigError
from govwatch.scheduler import JOBSTORE_TABLE, Service, job_status, runs_per_day, wait_until
from storage.db import Database
from storage.models import JobLock, JobRun

OFF = {"crawl": "off", "probe": "off", "links": "off", "digest": "off", "notices": "off", "monthly": "off", "retry": "off"}


def _ctx(db: Database, tmp_path, **schedule: str) -> Context:
    data = {"county": "示范县", "output_dir": str(tmp_path / "out"), "schedule": {**OFF, **schedule}}
    return Context(parse_config(data, str(tmp_path / "county.yaml"), base_dir=tmp_path), db)


@pytest.fixture
def database(db_url):
    db = Database(db_url)
    yield db
    db.dispose()


def test_two_services_on_one_database_never_run_a_job_twice(database, tmp_path):
    one = Service(_ctx(database, tmp_path, digest="every 1h"), owner="host-a:1")
    two = Service(_ctx(database, tmp_path, digest="every 1h"), owner="host-b:2")
    inside, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow() -> dict:
        calls.append("one")
        inside.set()
        release.wait(60)
        return {"done": True}

    one.steps["digest"] = slow
    two.steps["digest"] = lambda: calls.append("two") or {}
    result: list[str] = []
    t = threading.Thread(target=lambda: result.append(one.run_job("digest")))
    t.start()
    assert inside.wait(60)
    assert two.run_job("digest") == "locked"  # running elsewhere
    release.set()
    t.join(60)
    assert result == ["ok"]
    assert two.run_job("digest") == "locked"  # the same scheduled run, already done by the other process
    assert calls == ["one"]
    with database.session() as s:
        runs = s.scalars(select(JobRun)).all()
        assert [(r.job_id, r.owner, r.status, r.result) for r in runs] == [("digest", "host-a:1", "ok", {"done": True})]
        assert s.get(JobLock, "digest").owner is None


def test_missed_runs_after_a_restart_run_once(database, tmp_path):
    ctx = _ctx(database, tmp_path, digest="0 7 * * *")
    first = Service(ctx, owner="first")
    first.start()
    job = first.scheduler.get_job("digest")
    assert job.next_run_time > dt.datetime.now(dt.UTC)
    assert job.next_run_time.astimezone(ctx.tz).hour == 7
    assert first.scheduler.get_job("crawl") is None  # "off"
    first.shutdown()
    # the service was down for three days: three 07:00 runs were missed
    store = SQLAlchemyJobStore(engine=database.engine, tablename=JOBSTORE_TABLE)
    stored = store.lookup_job("digest")
    stored.next_run_time = dt.datetime.now(ctx.tz) - dt.timedelta(days=3)
    store.update_job(stored)

    second = Service(_ctx(database, tmp_path, digest="0 7 * * *"), owner="second")
    calls: list[int] = []
    second.steps["digest"] = lambda: calls.append(1) or {}
    second.start()
    try:
        assert wait_until(lambda: calls, 60)
        assert wait_until(lambda: second.scheduler.get_job("digest").next_run_time > dt.datetime.now(dt.UTC), 60)
    finally:
        second.shutdown()
    assert calls == [1]
    with database.session() as s:
        assert [r.status for r in s.scalars(select(JobRun))] == ["ok"]
    nxt = {st.job_id: st.next_run for st in job_status(second.ctx)}
    assert nxt["digest"] > dt.datetime.now(dt.UTC) and nxt["crawl"] is None


def test_sigterm_stops_a_job_between_two_steps(database, tmp_path):
    svc = Service(_ctx(database, tmp_path, crawl="every 1h"), owner="me")
    steps: list[str] = []

    def two_steps() -> dict:
        steps.append("crawl")
        svc.stop()  # SIGTERM arrives during the first step
        svc.checkpoint()
        steps.append("check")
        return {}

    svc.steps["crawl"] = two_steps
    assert svc.run_job("crawl") == "stopped"
    assert steps == ["crawl"]
    assert svc.run_job("crawl") == "not_started"
    with database.session() as s:
        run = s.scalars(select(JobRun)).one()
        assert run.status == "stopped" and run.finished_at is not None
        assert s.get(JobLock, "crawl").owner is None


def test_runs_of_a_dead_process_are_marked_abandoned_and_shown(tmp_path, capsys):
    db = Database(f"sqlite:///{tmp_path / 'gw.db'}")
    ctx = _ctx(db, tmp_path, crawl="30 1 * * *")
    with db.session() as s:
        s.add(JobRun(job_id="crawl", owner="dead-host:99", status="running"))
        s.add(JobRun(job_id="digest", owner="x", status="failed", error="smtp 127.0.0.1:25: ConnectionRefusedError",
                     started_at=dt.datetime(2021, 11, 30, 0, 0, tzinfo=dt.UTC),
                     finished_at=dt.datetime(2021, 11, 30, 0, 0, 3, tzinfo=dt.UTC)))
    assert Service(ctx, owner="alive").recover() == 1
    rows = {st.job_id: st for st in job_status(ctx)}
    assert rows["crawl"].last_status == "abandoned" and "stopped without finishing" in rows["crawl"].last_error
    assert rows["digest"].last_duration == 3.0
    assert rows["crawl"].next_run.astimezone(ctx.tz).strftime("%H:%M") == "01:30"
    cfg = tmp_path / "county.yaml"
    cfg.write_text("county: 示范县\nschedule: {crawl: '30 1 * * *', digest: 'off'}\n", encoding="utf-8")
    assert main(["status", "--config", str(cfg), "--db", db.url]) == 0
    out = capsys.readouterr().out
    assert "抓取与判定" in out and "中断" in out and "ConnectionRefusedError" in out and "已停用" in out
    db.dispose()


def test_probes_must_be_taken_at_least_20_times_a_day(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'gw.db'}")
    tz = dt.timezone(dt.timedelta(hours=8))
    assert runs_per_day("every 60m", tz) == 24
    assert runs_per_day("*/30 * * * *", tz) == 48
    assert runs_per_day("0 8-17 * * *", tz) == 10
    Service(_ctx(db, tmp_path, probe="every 72m")).validate()
    for spec in ("every 2h", "0 8-17 * * *"):
        with pytest.raises(ConfigError, match="schedule.probe"):
            Service(_ctx(db, tmp_path, probe=spec)).validate()
    with pytest.raises(ConfigError, match="schedule.digest"):
        _ctx(db, tmp_path, digest="every day at 7")
    db.dispose()

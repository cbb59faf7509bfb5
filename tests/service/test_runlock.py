"""Two runs at once on one database: the crawl lock (a lease in job_locks) shared by the CLI and the service."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from config.loader import load_config
from govwatch.cli import main
from govwatch.context import Context
from govwatch.errors import RunLocked
from govwatch.runlock import crawl_lock
from govwatch.scheduler import Service, wait_until
from storage.db import Database
from storage.locks import CRAWL_LOCK, acquire_lease, lease_holder, release_lease
from storage.models import JobLock, utcnow

OFF = "\n".join(f"  {j}: 'off'" for j in ("crawl", "probe", "links", "digest", "notices", "monthly", "retry"))


def _config(tmp_path: Path) -> Path:
    p = tmp_path / "county.yaml"
    p.write_text(f"county: 示范县\noutput_dir: {tmp_path / 'out'}\nschedule:\n{OFF}\n  lease_seconds: 5\n",
                 encoding="utf-8")
    return p


@pytest.fixture
def database(db_url):
    db = Database(db_url)
    yield db
    db.dispose()


def _ctx(db: Database, tmp_path: Path) -> Context:
    return Context(load_config(_config(tmp_path)), db)


@pytest.mark.parametrize("command", ["run", "crawl"])
def test_a_second_run_refuses_while_the_lock_is_held(database, db_url, tmp_path, capsys, command):
    assert acquire_lease(database, CRAWL_LOCK, "other-host:4242", dt.timedelta(minutes=5))
    code = main([command, "--config", str(_config(tmp_path)), "--db", db_url])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "另一次抓取正在运行" in err and "other-host:4242" in err
    assert lease_holder(database, CRAWL_LOCK).owner == "other-host:4242"  # untouched


def test_wait_gives_up_after_its_time(database, tmp_path):
    acquire_lease(database, CRAWL_LOCK, "other", dt.timedelta(minutes=5))
    started = time.monotonic()
    with pytest.raises(RunLocked), crawl_lock(_ctx(database, tmp_path), "run", wait=1.0, poll=0.2):
        pass
    assert 0.9 <= time.monotonic() - started < 10


def test_wait_gets_the_lock_once_it_is_released(database, tmp_path):
    acquire_lease(database, CRAWL_LOCK, "other", dt.timedelta(minutes=5))
    threading.Timer(0.5, release_lease, (database, CRAWL_LOCK, "other")).start()
    with crawl_lock(_ctx(database, tmp_path), "run", wait=20, poll=0.1) as owner:
        assert lease_holder(database, CRAWL_LOCK).owner == owner


def test_the_expired_lease_of_a_dead_holder_is_taken_over(database, tmp_path):
    with database.session() as s:
        s.add(JobLock(job_id=CRAWL_LOCK, owner="dead-host:1", lease_until=utcnow() - dt.timedelta(seconds=1)))
    with crawl_lock(_ctx(database, tmp_path), "crawl") as owner:
        assert owner.startswith("cli-crawl@")
        assert lease_holder(database, CRAWL_LOCK).owner == owner
    with database.session() as s:
        assert s.get(JobLock, CRAWL_LOCK).owner is None


def test_the_heartbeat_keeps_the_lease_alive(database, tmp_path):
    with crawl_lock(_ctx(database, tmp_path), "run") as owner:
        first = lease_holder(database, CRAWL_LOCK).lease_until
        assert wait_until(lambda: lease_holder(database, CRAWL_LOCK).lease_until > first, 10, 0.2)
        assert lease_holder(database, CRAWL_LOCK).owner == owner


def test_the_service_crawl_job_and_the_cli_share_the_lock(database, db_url, tmp_path, capsys):
    ctx = _ctx(database, tmp_path)
    service = Service(ctx, owner="serve-a:1")
    ran: list[str] = []
    service.steps["crawl"] = lambda: ran.append("crawl") or {}
    with crawl_lock(ctx, "run"):
        assert service.run_job("crawl") == "locked"
    assert ran == []
    inside, release = threading.Event(), threading.Event()
    service.steps["crawl"] = lambda: (inside.set(), release.wait(60), {})[2]
    t = threading.Thread(target=service.run_job, args=("crawl",))
    t.start()
    try:
        assert inside.wait(30)
        assert main(["crawl", "--config", str(_config(tmp_path)), "--db", db_url]) == 2
        assert "serve-a:1" in capsys.readouterr().err
    finally:
        release.set()
        t.join(60)


def test_a_killed_holder_process_loses_the_lock_when_its_lease_expires(database, db_url, tmp_path):
    cfg = _config(tmp_path)
    ready = tmp_path / "ready"
    script = textwrap.dedent(f"""
        import time, pathlib
        from config.loader import load_config
        from govwatch.context import Context
        from govwatch.runlock import crawl_lock
        from storage.db import Database
        ctx = Context(load_config({str(cfg)!r}), Database({db_url!r}))
        with crawl_lock(ctx, "crawl"):
            pathlib.Path({str(ready)!r}).write_text("x")
            time.sleep(600)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], cwd=str(tmp_path))
    try:
        assert wait_until(ready.exists, 60, 0.1), "the child never took the lock"
        holder = lease_holder(database, CRAWL_LOCK)
        assert holder is not None and f":{child.pid}:" in holder.owner
        with pytest.raises(RunLocked):
            with crawl_lock(_ctx(database, tmp_path), "run"):
                pass
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
    assert wait_until(lambda: lease_holder(database, CRAWL_LOCK) is None, 15, 0.2)
    with crawl_lock(_ctx(database, tmp_path), "run", wait=5) as owner:
        assert lease_holder(database, CRAWL_LOCK).owner == owner

"""``govwatch serve`` as a real process against the sample county: jobs run, SIGTERM stops it cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys

import yaml
from sqlalchemy import func, select

from govwatch.cli import main
from govwatch.scheduler import wait_until
from storage.db import Database
from storage.models import CrawlRun, JobLock, JobRun, Notice


def _runs(db: Database) -> list[tuple[str, str]]:
    with db.session() as s:
        return [(r.job_id, r.status) for r in s.scalars(select(JobRun).order_by(JobRun.id))]


def test_serve_runs_the_jobs_and_stops_cleanly_on_sigterm(sample_server, tmp_path, capsys):
    data = sample_server.config_data()
    data["output_dir"] = str(tmp_path / "out")
    data["schedule"] = {"crawl": "every 3s", "probe": "every 2s", "links": "off", "digest": "every 2s",
                        "notices": "every 5s", "monthly": "off", "retry": "every 5s", "probe_jitter": 0}
    data["notify"] = {"duty": [{"name": "值班员", "email": "duty@sample.gov.cn"}]}
    cfg = tmp_path / "county.yaml"
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'gw.db'}"
    db = Database(url)
    proc = subprocess.Popen([sys.executable, "-m", "govwatch", "serve", "--config", str(cfg), "--db", url],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        def ran(job: str, statuses: tuple[str, ...] = ("ok",)) -> bool:
            return any(j == job and s in statuses for j, s in _runs(db))

        assert wait_until(lambda: ran("crawl") and ran("digest") and ran("probe", ("ok", "skipped")), 180, 0.5), _runs(db)
        # stop it while a crawl is under way: the crawl finishes its current step and the process exits
        assert wait_until(lambda: ("crawl", "running") in _runs(db), 120, 0.1), _runs(db)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, out
    assert "govwatch serve 已停止" in out
    runs = _runs(db)
    assert all(status in ("ok", "skipped", "stopped") for _, status in runs), runs
    assert [st for j, st in runs if j == "crawl"][-1] in ("ok", "stopped")  # the interrupted crawl ended cleanly
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CrawlRun).where(CrawlRun.status == "running")) == 0
        assert s.scalar(select(func.count()).select_from(CrawlRun).where(CrawlRun.finished_at.is_(None))) == 0
        assert s.scalar(select(func.count()).select_from(Notice).where(Notice.status == "sending")) == 0
        assert all(lock.owner is None for lock in s.scalars(select(JobLock)))
        digests = s.scalars(select(Notice).where(Notice.kind == "digest")).all()
        assert len(digests) == 1 and digests[0].status == "sent" and digests[0].channel == "outbox"  # once, not every 2 s
    assert list((tmp_path / "out").glob("digest-*.html"))
    capsys.readouterr()
    assert main(["status", "--config", str(cfg), "--db", url]) == 0
    status = capsys.readouterr().out
    assert "抓取与判定" in status and "成功" in status
    db.dispose()


def test_two_serve_processes_on_one_database_share_the_work(tmp_path):
    data = {"county": "示范县", "output_dir": str(tmp_path / "out"),
            "units": [{"id": "fgj", "name": "发展改革局", "kind": "department",
                       "contacts": [{"name": "王五", "email": "fgj@sample.gov.cn"}]}],
            "schedule": {"crawl": "off", "probe": "off", "links": "off", "digest": "every 2s", "notices": "every 2s",
                         "monthly": "off", "retry": "every 1s"}}
    cfg = tmp_path / "county.yaml"
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'gw.db'}"
    db = Database(url)
    procs = [subprocess.Popen([sys.executable, "-m", "govwatch", "serve", "--config", str(cfg), "--db", url],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    try:
        assert wait_until(lambda: sum(1 for j, s in _runs(db) if j == "retry" and s == "ok") >= 8, 180, 0.5), _runs(db)
        for p in procs:
            p.send_signal(signal.SIGTERM)
        outs = [p.communicate(timeout=120)[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
    assert [p.returncode for p in procs] == [0, 0], outs
    with db.session() as s:
        runs = s.scalars(select(JobRun).order_by(JobRun.started_at)).all()
        assert runs and all(r.status == "ok" and r.finished_at is not None for r in runs)
        for job in ("digest", "retry"):
            mine = [r for r in runs if r.job_id == job]
            for a, b in zip(mine, mine[1:], strict=False):
                assert a.finished_at <= b.started_at, f"{job} ran twice at once: {a.owner} and {b.owner}"
        digests = s.scalars(select(Notice).where(Notice.kind == "digest")).all()
        assert len(digests) == 1 and digests[0].status == "sent"  # one digest a day, whoever sent it
    db.dispose()

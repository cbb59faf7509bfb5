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

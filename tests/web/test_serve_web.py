"""``govwatch serve`` with ``web:`` in the config serves the workbench beside the scheduler, on the same database."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

import httpx
import yaml

from govwatch.scheduler import wait_until


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_serve_runs_the_workbench_when_the_config_has_web(tmp_path):
    port = _free_port()
    data = {"county": "示范县", "output_dir": str(tmp_path / "out"), "web": {"host": "127.0.0.1", "port": port},
            "units": [{"id": "fgj", "name": "发展改革局", "kind": "department"}],
            "schedule": {job: "off" for job in ("crawl", "probe", "links", "digest", "notices", "monthly", "retry")}}
    cfg = tmp_path / "county.yaml"
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'gw.db'}"
    proc = subprocess.Popen([sys.executable, "-m", "govwatch", "serve", "--config", str(cfg), "--db", url],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        login = f"http://127.0.0.1:{port}/login"
        assert wait_until(lambda: _answers(login), 60, 0.3)
        page = httpx.get(login).text
        assert 'name="csrf_token"' in page and "示范县" in page
        r = httpx.get(f"http://127.0.0.1:{port}/findings", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=60)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, out
    assert f"值班工作台：http://127.0.0.1:{port}/" in out
    assert (tmp_path / "out" / "web-secret").stat().st_mode & 0o077 == 0  # the cookie key is the owner's only

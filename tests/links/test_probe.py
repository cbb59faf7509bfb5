"""Availability probes and site.unavailable: a local host failing a known share of requests."""

from __future__ import annotations

import asyncio

from config.loader import parse_config
from crawler.probe import probe_sites
from govwatch.cli import main
from govwatch.context import open_context
from govwatch.linkstage import run_probes
from govwatch.pipeline import check
from storage import Probe, list_findings

from ._server import LocalServer, Route, closed_port

HOME = "<html><head><title>首页</title></head><body><p>示范县人民政府</p></body></html>"


def _ctx(srv: LocalServer, db_url: str, tmp_path, **thresholds):
    data = {
        "county": "示范县",
        "crawl": {"delay": 0, "concurrency_per_host": 4},
        "units": [
            {"id": f"u{x}", "name": f"单位{x}", "kind": "department", "sites": [{"url": srv.url(f"/{x}/")}]}
            for x in "abc"
        ],
    }
    if thresholds:
        (tmp_path / "rules.yaml").write_text(
            "rules:\n  site.unavailable:\n    thresholds: {" + ", ".join(f"{k}: {v}" for k, v in thresholds.items()) + "}\n",
            encoding="utf-8")
        data["rules"] = "rules.yaml"
    return open_context(loaded=parse_config(data, str(tmp_path / "c.yaml"), base_dir=tmp_path), db_url=db_url)


def _state(ctx) -> dict[str, tuple[str, str, dict]]:
    with ctx.db.session() as s:
        return {f.unit_id: (f.status, f.severity, f.evidence) for f in list_findings(s, rule="site.unavailable")}


def test_site_unavailable_fires_exactly_at_the_threshold(db_url, tmp_path):
    with LocalServer() as srv:
        # a fails every 20th request (5 %), b every 30th (3 %: the warning stage), c every 50th (2 %)
        srv.routes.update({"/a/": Route(body=HOME, fail_every=20), "/b/": Route(body=HOME, fail_every=30),
                           "/c/": Route(body=HOME, fail_every=50)})
        ctx = _ctx(srv, db_url, tmp_path)  # the bundled catalogue: ≥ 100 probes, 5 % fails, 3 % warns
        for _ in range(99):
            run_probes(ctx)
        check(ctx, ctx.today())
        assert _state(ctx) == {}  # fewer probes than the minimum: not judged yet
        run_probes(ctx)
        check(ctx, ctx.today())
    state = _state(ctx)
    assert set(state) == {"ua", "ub"}
    status, severity, ev = state["ua"]
    assert (status, severity) == ("open", "veto")
    assert (ev["probes"], ev["failures"], ev["ratio"]) == (100, 5, 0.05)
    assert [w["status"] for w in ev["worst"][:5]] == ["http_error"] * 5 and ev["worst"][0]["at"]
    assert state["ub"][:2] == ("warning", "warning") and state["ub"][2]["failures"] == 3
    with ctx.db.session() as s:
        probes = s.query(Probe).all()
    assert len(probes) == 300 and all(p.duration_ms is not None and p.at.tzinfo for p in probes)


def test_probe_failure_classes_and_the_threshold_from_the_catalogue():
    with LocalServer() as srv:
        srv.routes.update({"/ok/": Route(body=HOME), "/slow/": Route(body=HOME, delay=1.0),
                           "/err/": Route(status=502), "/denied/": Route(status=403),
                           "/moved/": Route(status=302, headers={"Location": "/ok/"})})
        dead = closed_port()
        sites = [(1, srv.url("/ok/")), (2, srv.url("/slow/")), (3, srv.url("/err/")), (4, srv.url("/denied/")),
                 (5, srv.url("/moved/")), (6, f"http://127.0.0.1:{dead}/"), (7, "http://nowhere.invalid/")]
        results = asyncio.run(probe_sites(sites, threshold=0.3))
    got = {r.site_id: (r.ok, r.status) for r in results}
    assert got == {1: (True, "ok"), 2: (False, "timeout"), 3: (False, "http_error"), 4: (False, "blocked"),
                   5: (True, "ok"), 6: (False, "refused"), 7: (False, "dns")}
    assert results[2].http_status == 502 and results[1].error == "0.3 秒内未打开"


def test_probe_command(tmp_path, capsys):
    import yaml

    with LocalServer() as srv:
        srv.routes.update({"/a/": Route(body=HOME), "/b/": Route(status=500), "/c/": Route(body=HOME)})
        data = {"county": "示范县", "units": [
            {"id": f"u{x}", "name": f"单位{x}", "kind": "department", "sites": [{"url": srv.url(f"/{x}/")}]}
            for x in "abc"]}
        cfg = tmp_path / "c.yaml"
        cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        assert main(["probe", "--config", str(cfg), "--db", f"sqlite:///{tmp_path / 'gw.db'}"]) == 0
    out = capsys.readouterr().out
    assert "探测首页 3 个，失败 1 个" in out and "HTTP 错误 1" in out

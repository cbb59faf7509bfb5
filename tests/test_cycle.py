"""End to end on loopback: the sample county through run/findings/demo, dedup, rectification, failed fetches."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from govwatch.cli import main
from tests.conftest import AS_OF


def _config(server, tmp_path: Path) -> Path:
    data = server.config_data()
    data["output_dir"] = str(tmp_path / "out")
    p = tmp_path / "county.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def _findings(capsys, *args: str) -> list[dict]:
    capsys.readouterr()
    assert main(["findings", "--format", "jsonl", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def _key(f: dict) -> tuple[str, str, str, str]:
    target = f["target"]
    return (f["rule"], f["severity"], f["unit"], urlsplit(target).path if target.startswith("http") else target)


def test_run_twice_no_duplicates_then_rectify(sample_server, tmp_path, capsys):
    cfg = _config(sample_server, tmp_path)
    db = f"sqlite:///{tmp_path / 'gw.db'}"
    common = ["--config", str(cfg), "--db", db]
    assert main(["run", "--as-of", AS_OF.isoformat(), *common]) == 0
    first = _findings(capsys, *common)
    assert {_key(f) for f in first} == sample_server.county.expected_findings()
    for f in first:
        assert set(f) == {"id", "rule", "unit", "target", "severity", "points", "status", "first_seen", "last_seen", "evidence"}
        assert f["first_seen"] == f["last_seen"] == "2021-11-30"
    stale = next(f for f in first if f["rule"] == "column.stale" and f["unit"] == "czj")
    assert stale["evidence"] == {"column": "工作动态", "category": "news", "last_update": "2021-11-10", "limit_days": 14,
                                 "window": "14d", "items": 3, "top_level": False}

    assert main(["run", "--as-of", AS_OF.isoformat(), *common]) == 0
    again = _findings(capsys, *common)
    assert sorted(f["id"] for f in again) == sorted(f["id"] for f in first)

    # the unit publishes in the stale column: the next cycle marks the finding rectified
    sample_server.county.column("czj", "gzdt").ages.insert(0, 0)
    assert main(["run", "--as-of", AS_OF.isoformat(), *common]) == 0
    fixed = {f["id"]: f for f in _findings(capsys, *common, "--status", "rectified")}
    assert list(fixed) == [stale["id"]]
    still_open = _findings(capsys, *common, "--status", "open")
    # three cycles in a row could not read the blocked Weibo account: an operator finding, nobody's deduction
    (blocked,) = [f for f in still_open if f["rule"] == "account.unmonitorable"]
    assert (blocked["unit"], blocked["severity"], blocked["points"]) == ("kfq", "operator", 0.0)
    still_open = [f for f in still_open if f is not blocked]
    assert stale["id"] not in {f["id"] for f in still_open}
    assert sorted(f["id"] for f in still_open) == sorted(f["id"] for f in first if f["status"] == "open" and f["id"] != stale["id"])


def test_failed_fetch_is_never_a_unit_problem(sample_server, tmp_path, capsys):
    cfg = _config(sample_server, tmp_path)
    db = f"sqlite:///{tmp_path / 'gw.db'}"
    common = ["--config", str(cfg), "--db", db]
    assert main(["run", "--as-of", AS_OF.isoformat(), *common]) == 0
    stale_ids = {f["id"] for f in _findings(capsys, *common, "--unit", "czj", "--rule", "column.stale")}
    assert len(stale_ids) == 1
    # the stale column now answers 500 and the whole standalone site is down: nothing is judged, nothing rectified
    sample_server.county.column("czj", "gzdt").status = 500
    for c in sample_server.county.units[3].sites[0].columns:
        c.status = 503
    assert main(["run", "--as-of", AS_OF.isoformat(), *common]) == 0
    now = _findings(capsys, *common)
    assert {f["id"] for f in now if f["unit"] == "czj" and f["rule"] == "column.stale"} == stale_ids
    assert all(f["status"] != "rectified" for f in now)
    # the failing pages are listed for the operator in the digest, with their status
    digest = (tmp_path / "out" / f"digest-{AS_OF.isoformat()}.html").read_text(encoding="utf-8")
    assert "运维事项" in digest and "HTTP 500" in digest and "HTTP 503" in digest
    assert sample_server.url("czj", "gzdt") in digest


def test_demo_finds_exactly_the_built_in_problems(tmp_path, monkeypatch, capsys):
    from govwatch.sample import sample_county

    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--as-of", AS_OF.isoformat(), "--out", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    assert "示范县 监测周期完成" in out and "统计局" in out
    assert "govwatch web --db sqlite:///" in out and "http://127.0.0.1:8700/" in out  # how to open the workbench
    assert str(tmp_path / "demo" / f"digest-{AS_OF.isoformat()}.html") in out
    lines = (tmp_path / "demo" / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    found = {_key(json.loads(line)) for line in lines}
    assert found == sample_county(AS_OF).expected_findings()
    digest = (tmp_path / "demo" / f"digest-{AS_OF.isoformat()}.html").read_text(encoding="utf-8")
    assert "财政局" in digest and "空白栏目" in digest and "首页不更新" in digest and "预警" in digest
    # the blocked Weibo account is the operator's business, listed as such
    assert "微博：示范开发区" in digest and "被拦截" in digest
    # one rectification notice preview per unit with problems, none for the unit without any site
    notices = sorted(p.name for p in (tmp_path / "demo" / "notices").glob("rectification-*.html"))
    units_with_problems = {u for (_, sev, u, _) in sample_county(AS_OF).expected_findings() if sev != "operator"}
    assert [n.rsplit("-", 1)[1].removesuffix(".html") for n in notices] == sorted(units_with_problems)
    kfq = (tmp_path / "demo" / "notices" / notices[-1]).read_text(encoding="utf-8")
    assert "整改通知" in kfq and "首页不更新" in kfq and "服务器错误（5xx）" in kfq

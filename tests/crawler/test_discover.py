"""Column discovery on a local multi-level site: navigation, the 政府信息公开 directory and its index pages."""

from __future__ import annotations

import json

import pytest
import yaml

from benchmarks.crawl_farm import FarmServer, build_farm
from config.loader import load_catalogue
from config.schema import CrawlConfig
from crawler.discover import discover_site
from govwatch.cli import main
from tests.crawler._harness import AS_OF


@pytest.fixture
def site_server():
    farm = build_farm(units=2, columns_per_unit=12, as_of=AS_OF)
    with FarmServer(farm) as server:
        yield server


EXPECTED = {
    "工作动态": "news", "通知公告": "notice", "政策文件": "policy", "政策解读": "interpretation",
    "人事信息": "personnel", "规划计划": "planning", "财政预决算": "finance", "统计数据": "statistics",
    "办事指南": "service", "领导信箱": "interaction", "专题专栏": "topic", "政务信息": "news",
}


def test_discovery_finds_and_classifies_every_column(site_server):
    unit = site_server.farm.units[0]
    found = discover_site(site_server.site_url(unit), load_catalogue(), today=AS_OF, crawl=CrawlConfig(delay=0))
    by_url = {c.url: c for c in found}
    assert set(by_url) == {site_server.column_url(unit, c) for c in unit.site.columns}
    for col in unit.site.columns:
        d = by_url[site_server.column_url(unit, col)]
        assert d.name == col.name
        assert d.category == EXPECTED[col.name]
        assert d.top_level == col.top_level, d
        assert d.found_on == ("nav" if col.top_level else "xxgk")
    fam = {site_server.column_url(unit, c): c.family for c in unit.site.columns}
    for url, d in by_url.items():
        if fam[url] == "hanweb":
            assert d.extractor == "hanweb"
        if fam[url] == "js":
            assert d.extractor == "script_built" and d.as_config()["render"] == "browser"
        if fam[url].startswith("generic_") and d.items:
            assert d.newest is not None
    # the other unit on the same portal host is not part of this site
    other = site_server.farm.units[1]
    assert not any(c.url.startswith(site_server.site_url(other)) for c in found)


def test_discover_command_shows_and_writes_the_columns(site_server, tmp_path, capsys):
    unit = site_server.farm.units[0]
    data = site_server.config_data(with_columns=False)
    cfg = tmp_path / "county.yaml"
    text = "# 农场县监测配置\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    text = text.replace("units:\n", "units:  # 被监测单位\n", 1)
    cfg.write_text(text, encoding="utf-8")
    site = site_server.site_url(unit)
    assert main(["discover", "--config", str(cfg), "--site", site, "--write", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "发现栏目 12 个" in out and "工作动态" in out and "通知公告" in out and "新增栏目 12 个" in out
    written = cfg.read_text(encoding="utf-8")
    assert written.startswith("# 农场县监测配置") and "# 被监测单位" in written and "govwatch discover" in written
    again = yaml.safe_load(written)
    cols = again["units"][0]["sites"][0]["columns"]
    assert {c["name"]: c.get("category") for c in cols} == EXPECTED
    assert {c["name"] for c in cols if c.get("top_level")} == {"工作动态", "通知公告", "政策文件"}
    # accepted columns are not added twice
    assert main(["discover", "--config", str(cfg), "--site", site, "--write", str(cfg), "--json"]) == 0
    out = capsys.readouterr().out
    assert "新增栏目 0 个" in out
    assert len(json.loads(out[: out.rindex("]") + 1])) == 12
    assert len(yaml.safe_load(cfg.read_text(encoding="utf-8"))["units"][0]["sites"][0]["columns"]) == 12

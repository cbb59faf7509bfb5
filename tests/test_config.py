"""Configuration loading: valid files, ${ENV} expansion, and one-line errors naming file and path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from config import load_catalogue, load_config
from govwatch.cli import main
from govwatch.errors import ConfigError

GOOD = """\
county: 测试县
database: ${GW_TEST_DB:-sqlite:///x.db}
units:
  - id: fgj
    name: 发展改革局
    kind: department
    contacts: [{name: 王五, email: fgj@example.org}]
    sites:
      - url: http://127.0.0.1:9/bm/fgj/
        columns:
          - {name: 工作动态, url: http://127.0.0.1:9/bm/fgj/gzdt/}
          - {name: 通知公告, url: http://127.0.0.1:9/bm/fgj/tzgg/, top_level: true}
          - {name: 领导信箱, url: http://127.0.0.1:9/bm/fgj/ldxx/, category: interaction, render: browser}
  - id: czj
    name: 财政局
    kind: department
    accounts:
      - {platform: weibo, id: 1234567890, name: 台江财政}
"""


def write(tmp_path: Path, text: str, name: str = "govwatch.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_good_config_infers_categories_and_expands_env(tmp_path, monkeypatch):
    monkeypatch.setenv("GW_TEST_DB", "postgresql+psycopg://u@h/db")
    lc = load_config(write(tmp_path, GOOD))
    cols = lc.config.units[0].sites[0].columns
    assert [c.category for c in cols] == ["news", "notice", "interaction"]
    assert lc.config.database == "postgresql+psycopg://u@h/db"
    assert lc.config.units[1].accounts[0].id == "1234567890"


def test_env_default_used_when_unset(tmp_path, monkeypatch):
    monkeypatch.delenv("GW_TEST_DB", raising=False)
    assert load_config(write(tmp_path, GOOD)).config.database == "sqlite:///x.db"


def test_missing_env_var_names_path(tmp_path, monkeypatch):
    monkeypatch.delenv("GW_NOPE", raising=False)
    p = write(tmp_path, "county: x\ndatabase: ${GW_NOPE}\n")
    with pytest.raises(ConfigError, match=r"govwatch.yaml:2: database: environment variable GW_NOPE is not set"):
        load_config(p)


BAD_CASES = {
    "bad_yaml": ("county: x\nunits: [\n  - id: a\n", r"line \d+, column \d+: invalid YAML"),
    "unknown_category": (
        GOOD.replace("category: interaction", "category: gossip"),
        r"units\[0\]\.sites\[0\]\.columns\[2\]\.category: .*'gossip'",
    ),
    "missing_url": (
        GOOD.replace("{name: 通知公告, url: http://127.0.0.1:9/bm/fgj/tzgg/, top_level: true}", "{name: 通知公告}"),
        r"units\[0\]\.sites\[0\]\.columns\[1\]\.url: required key is missing",
    ),
    "duplicate_unit": (GOOD.replace("id: czj", "id: fgj"), r"units\[1\]\.id: duplicate unit id 'fgj' \(also units\[0\]\)"),
    "bad_url": (GOOD.replace("http://127.0.0.1:9/bm/fgj/gzdt/", "ftp:/nope"), r"columns\[0\]\.url: not an http\(s\) URL"),
    "unknown_key": (GOOD.replace("kind: department\n    contacts", "kind: department\n    colour: red\n    contacts"),
                    r"units\[0\]\.colour: unknown key"),
    "bad_kind": (GOOD.replace("kind: department", "kind: ministry", 1), r"units\[0\]\.kind: "),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_config_is_one_line_error_with_path(tmp_path, case):
    text, pattern = BAD_CASES[case]
    p = write(tmp_path, text)
    with pytest.raises(ConfigError, match=pattern) as info:
        load_config(p)
    assert str(p) in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_cli_bad_config_exits_2_and_writes_nothing(tmp_path, monkeypatch, capsys, case):
    text, pattern = BAD_CASES[case]
    p = write(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    code = main(["run", "--config", str(p), "--db", f"sqlite:///{tmp_path / 'out.db'}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("govwatch: error: ")
    assert not (tmp_path / "out.db").exists()
    assert sorted(x.name for x in tmp_path.iterdir()) == ["govwatch.yaml"]


def test_taijiang_roster_has_the_40_units_of_the_plan():
    lc = load_config(Path(__file__).resolve().parent.parent / "config" / "taijiang.yaml")
    units = lc.config.units
    assert len(units) == 40
    kinds = [u.kind for u in units]
    assert kinds.count("devzone") == 1 and kinds.count("township") == 9
    assert kinds.count("department") == 28 and kinds.count("vertical") == 2
    names = [u.name for u in units]
    assert names[0] == "贵州台江经济开发区"
    assert names[1:10] == ["革一镇", "台盘乡", "排羊乡", "方召镇", "南宫镇", "施洞镇", "老屯乡", "台拱街道", "萃文街道"]
    assert names[10] == "发展改革局" and names[37] == "退役军人事务局"
    assert names[38:] == ["国家税务总局台江县税务局", "黔东南州生态环境局台江分局"]
    assert len({u.id for u in units}) == 40


def test_catalogue_override_changes_values_and_rejects_unknown(tmp_path):
    override = write(tmp_path, "categories:\n  news: {window: 7d}\nrules:\n  column.stale: {points: 2}\n", "r.yaml")
    cat = load_catalogue(override)
    assert str(cat.categories["news"].window) == "7d" and cat.rules["column.stale"].points == 2
    bad = write(tmp_path, "rules:\n  column.stael: {points: 2}\n", "bad.yaml")
    with pytest.raises(ConfigError, match=r"bad.yaml:2: rules.column.stael: unknown rule"):
        load_catalogue(bad)
    bad2 = write(tmp_path, "categories:\n  news: {window: fortnight}\n", "bad2.yaml")
    with pytest.raises(ConfigError, match=r"categories.news.window: not a window"):
        load_catalogue(bad2)


@pytest.mark.parametrize(
    ("name", "category"),
    [("工作动态", "news"), ("乡镇动态", "news"), ("本地要闻", "news"), ("图片新闻", "news"), ("通知公告", "notice"),
     ("公示公告", "notice"), ("政策文件", "policy"), ("规范性文件", "policy"), ("人事任免", "personnel"),
     ("发展规划", "planning"), ("财政预决算", "finance"), ("政策解读", "interpretation"), ("统计数据", "statistics"),
     ("县长信箱", "interaction"), ("办事指南", "service"), ("扶贫专题", "topic")],
)
def test_category_from_column_name(name, category):
    assert load_catalogue().category_for(name) == category


def test_every_problem_is_listed_with_file_and_line(tmp_path, capsys):
    text = GOOD.replace("kind: department\n    contacts", "kind: department\n    colour: red\n    contacts")
    text = text.replace("ftp", "").replace("http://127.0.0.1:9/bm/fgj/gzdt/", "gzdt/")
    text = text.replace("    name: 财政局\n", "")
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(p)
    lines = str(info.value).splitlines()
    assert lines[0] == f"{p}: 3 problems"
    assert sorted(lines[1:]) == sorted([
        f"  {p}:7: units[0].colour: unknown key",
        f"  {p}:12: units[0].sites[0].columns[0].url: not an http(s) URL: 'gzdt/'",
        f"  {p}:15: units[1].name: required key is missing",  # the unit that lacks it
    ])
    assert main(["findings", "--config", str(p), "--db", f"sqlite:///{tmp_path / 'x.db'}"]) == 2
    assert "and 1 more problem" not in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_an_impossible_date_is_a_config_error_at_its_line(tmp_path):
    p = write(tmp_path, "county: x\nmonitoring: {start: 2021-13-01, end: 2021-11-30}\n")
    with pytest.raises(ConfigError, match=rf"^{p}:2: monitoring.start: .*month") as info:
        load_config(p)
    assert "\n" not in str(info.value)


def test_an_unknown_platform_is_rejected_when_the_config_loads(tmp_path):
    p = write(tmp_path, GOOD.replace("platform: weibo", "platform: myspace"))
    with pytest.raises(ConfigError, match=r"units\[1\]\.accounts\[0\]\.platform: .*'rss', 'weibo'.*'myspace'"):
        load_config(p)


def test_the_known_platforms_are_the_adapters():
    from config.schema import PLATFORMS
    from crawler.accounts import ADAPTERS

    assert set(PLATFORMS) == set(ADAPTERS)


def test_a_closed_pipe_ends_the_output_quietly(capfd):
    import io
    import os
    import sys

    read, write_end = os.pipe()
    os.close(read)
    saved_fd, saved = os.dup(1), sys.stdout
    os.dup2(write_end, 1)
    os.close(write_end)
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
    try:
        code = main(["rules", "--format", "json"])
    finally:
        sys.stdout = saved
        os.dup2(saved_fd, 1)
        os.close(saved_fd)
    assert code == 1
    assert capfd.readouterr().err == ""

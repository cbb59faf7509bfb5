"""The rules catalogue: schema extensions, county overrides with clear errors, ``govwatch rules``."""

from __future__ import annotations

import inspect
import json

import pytest
import yaml

from config.loader import load_catalogue
from govwatch.cli import main
from govwatch.errors import ConfigError


def _override(tmp_path, data) -> str:
    p = tmp_path / "my-rules.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(p)


def test_bundled_catalogue_has_scoring_and_no_double_counting():
    cat = load_catalogue()
    assert cat.scoring.base == 100 and cat.scoring.pass_line == 60 and cat.scoring.appeal_working_days == 3
    assert cat.scoring.weights is None
    assert cat.scoring.monitoring.for_year(2021)[1].isoformat() == "2021-11-30"
    assert cat.rules["column.stale"].not_after == ["column.blank", "columns.veto"]
    assert cat.rules["columns.veto"].thresholds == {"stale_news_top_notice": 5, "stale_should_update": 10, "blank": 5}
    for rid, rule in cat.rules.items():
        assert rule.indicator, rid
        assert rule.severity in ("veto", "deduction", "warning", "operator")


def test_county_override_changes_any_value(tmp_path):
    cat = load_catalogue(_override(tmp_path, {
        "scoring": {"weights": {"site": 30, "account": 70}, "monitoring": {"end": "11-15"}},
        "rules": {"column.stale": {"points": 2, "applies_to": ["department", "township"]}},
        "categories": {"news": {"window": "7d"}},
    }))
    assert cat.scoring.weights == {"site": 30, "account": 70}
    assert cat.scoring.monitoring.for_year(2021)[1].isoformat() == "2021-11-15"
    assert cat.rules["column.stale"].points == 2 and cat.rules["column.stale"].cap == 20
    assert cat.rules["column.stale"].applies("township") and not cat.rules["column.stale"].applies("vertical")
    assert str(cat.categories["news"].window) == "7d"


@pytest.mark.parametrize(
    ("data", "path", "problem"),
    [
        ({"scoring": {"bonus": 5}}, "scoring.bonus", "unknown key"),
        ({"rules": {"column.stale": {"pointz": 1}}}, "rules.column.stale.pointz", "unknown key"),
        ({"rules": {"column.nope": {"points": 1}}}, "rules.column.nope", "unknown rule"),
        ({"rules": {"column.stale": {"points": -1}}}, "rules.column.stale.points", "greater than or equal to 0"),
        ({"rules": {"column.stale": {"not_after": ["column.nope"]}}}, "", "unknown rule 'column.nope'"),
        ({"rules": {"column.stale": {"applies_to": ["village"]}}}, "rules.column.stale.applies_to[0]", "village"),
        ({"scoring": {"veto_score": {"site": 70}}}, "scoring", "below pass_line"),
        ({"scoring": {"weights": {"site": 30}}}, "scoring.weights", "both site and account"),
        ({"scoring": {"monitoring": {"end": "13-01"}}}, "scoring.monitoring.end", "not a day of the year"),
        ({"scoring": {"appeal_working_days": 0}}, "scoring.appeal_working_days", "greater than or equal to 1"),
    ],
)
def test_bad_overrides_are_clear_errors(tmp_path, data, path, problem):
    with pytest.raises(ConfigError) as err:
        load_catalogue(_override(tmp_path, data))
    assert "my-rules.yaml" in str(err.value)
    if path:
        assert err.value.path == path
    assert problem in err.value.problem


def test_govwatch_rules_prints_the_effective_catalogue(tmp_path, capsys):
    rules = _override(tmp_path, {"rules": {"column.stale": {"cap": 7}}, "scoring": {"weights": {"site": 30, "account": 70}}})
    cfg = tmp_path / "county.yaml"
    cfg.write_text(yaml.safe_dump({"county": "测试县", "rules": rules, "units": []}, allow_unicode=True), encoding="utf-8")
    assert main(["rules", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "测试县 监测规则目录" in out and "columns.veto" in out and "网站 30 / 新媒体 70" in out
    assert main(["rules", "--config", str(cfg), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rules"]["column.stale"]["cap"] == 7 and data["rules"]["column.blank"]["cap"] == 20
    assert data["scoring"]["monitoring"] == {"start": "01-01", "end": "11-30"}
    assert data["scoring"]["weights"] == {"site": 30, "account": 70}
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"county": "测试县", "rules": _override(tmp_path, {"nope": 1})}), encoding="utf-8")
    assert main(["rules", "--config", str(bad)]) == 2
    assert "my-rules.yaml:1: nope: unknown key" in capsys.readouterr().err


def test_govwatch_rules_shows_each_rules_check_and_its_docstring(capsys):
    from checks.freshness import stale_columns

    assert main(["rules", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["checks"]["column.stale"] == {"function": "checks.freshness.stale_columns",
                                              "doc": inspect.getdoc(stale_columns)}
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "checks.freshness.stale_columns" in out and "checks.links.broken_links" in out
    assert "栏目不更新: a column whose newest dated item" in " ".join(out.split())

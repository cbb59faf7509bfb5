"""Hostile configuration files: alias bombs, recursive aliases, deep nesting and huge files are refused."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import config.loader as loader
from config import load_catalogue, load_config
from govwatch.cli import main
from govwatch.errors import ConfigError

BOMB = "county: x\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True))


def write(tmp_path: Path, text: str, name: str = "govwatch.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_billion_laughs_is_refused_quickly_naming_the_file(tmp_path):
    p = write(tmp_path, BOMB)
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"govwatch.yaml: refused: more than 200000 values once its aliases"):
        load_config(p)
    assert time.monotonic() - started < 5


def test_too_many_aliases_are_refused(tmp_path):
    text = "county: x\nx: &x 1\nl: [" + ", ".join(["*x"] * (loader.MAX_ALIASES + 1)) + "]\n"
    with pytest.raises(ConfigError, match=r"refused: more than 100 aliases"):
        load_config(write(tmp_path, text))


def test_a_few_aliases_are_allowed(tmp_path):
    text = """\
county: 测试县
units:
  - id: a
    name: 甲
    kind: department
    contacts: &who [{name: 王五, email: w@example.org}]
  - id: b
    name: 乙
    kind: department
    contacts: *who
"""
    lc = load_config(write(tmp_path, text))
    assert [u.contacts[0].email for u in lc.config.units] == ["w@example.org"] * 2


def test_recursive_alias_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"recursive alias"):
        load_config(write(tmp_path, "county: x\na: &a [1, *a]\n"))


def test_deep_nesting_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"nested more than 64 levels"):
        load_config(write(tmp_path, "county: x\na: " + "[" * 5000 + "]" * 5000 + "\n"))


def test_a_file_past_the_size_limit_is_refused_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 1024)
    p = write(tmp_path, "county: x\n" + "# padding\n" * 200)
    with pytest.raises(ConfigError, match=r"govwatch.yaml: file larger than"):
        load_config(p)


def test_a_rules_override_bomb_is_refused_too(tmp_path):
    p = write(tmp_path, BOMB.replace("county: x\n", ""), "rules.yaml")
    with pytest.raises(ConfigError, match=r"rules.yaml: refused"):
        load_catalogue(p)


def test_a_directory_or_binary_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"is a directory"):
        load_config(tmp_path)
    with pytest.raises(ConfigError, match=r"not a text file"):
        load_config(write(tmp_path, "county: x\x00\n"))


def test_the_bundled_configs_use_no_aliases():
    for name in ("sample.yaml", "taijiang.yaml", "rules.yaml"):
        text = loader.bundled_path(name).read_text(encoding="utf-8")
        lines = [ln.split("#", 1)[0] for ln in text.splitlines()]
        assert not any(" &" in ln or " *" in ln for ln in lines), name


def test_cli_refuses_the_bomb_with_exit_2_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    p = write(tmp_path, BOMB)
    assert main(["check", "--config", str(p), "--db", f"sqlite:///{tmp_path / 'x.db'}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "govwatch.yaml: refused" in err
    assert sorted(x.name for x in tmp_path.iterdir()) == ["govwatch.yaml"]

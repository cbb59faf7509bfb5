"""A small county in a database with findings seen over 2021, for the export, publication and appeal tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from checks.base import Outcome
from config.loader import load_config
from storage import Database, apply_outcomes, sync_roster
from tests.conftest import SMALL_COUNTY as COUNTY

STALE_EV = {"column": "工作动态", "category": "news", "last_update": "2021-10-01", "limit_days": 14,
            "window": "14d", "items": 3, "top_level": False}
BLANK_EV = {"column": "统计数据", "category": "statistics", "last_update": None, "limit_days": None}
HOME_EV = {"page": "http://czj.example/", "last_update": "2021-11-01", "limit_days": 14, "source": "homepage"}


@dataclass
class County:
    """The config file, database URL and the CLI arguments that point at them."""

    config: Path
    db_url: str
    out: Path

    @property
    def args(self) -> list[str]:
        return ["--config", str(self.config), "--db", self.db_url]

    def db(self) -> Database:
        return Database(self.db_url)


def seed(db: Database, config_path: Path) -> None:
    """Findings of the small scenario: a stale column seen twice, a blank column, a stale homepage, a warning."""
    loaded = load_config(config_path)
    with db.session() as s:
        sync_roster(s, loaded.config)
    stale = Outcome("column.stale", "fgj", "http://fgj.example/gzdt/", False, "deduction", 1.0, STALE_EV)
    blank = Outcome("column.blank", "fgj", "http://fgj.example/tjsj/", False, "deduction", 1.0, BLANK_EV)
    home = Outcome("homepage.stale", "czj", "http://czj.example/", False, "veto", 0.0, HOME_EV)
    warn = Outcome("homepage.stale", "gyz", "http://gyz.example/", False, "warning", 0.0,
                   {"page": "http://gyz.example/", "last_update": "2021-11-19", "limit_days": 14})
    with db.session() as s:
        apply_outcomes(s, [stale], dt.date(2021, 10, 16))
    with db.session() as s:
        apply_outcomes(s, [stale, blank, home, warn], dt.date(2021, 11, 30))


@pytest.fixture
def county(tmp_path, sqlite_url) -> County:
    """The small county on SQLite, seeded."""
    return _county(tmp_path, sqlite_url)


@pytest.fixture
def county_any(tmp_path, db_url) -> County:
    """The small county on SQLite and on PostgreSQL, seeded."""
    return _county(tmp_path, db_url)


def _county(tmp_path: Path, url: str) -> County:
    out = tmp_path / "out"
    data = dict(COUNTY, output_dir=str(out))
    cfg = tmp_path / "county.yaml"
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    db = Database(url)
    seed(db, cfg)
    db.dispose()
    return County(cfg, url, out)

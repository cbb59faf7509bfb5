"""A small county with findings seeded directly (no crawl): units, contacts, problems, warnings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from checks.base import Outcome
from config.loader import LoadedConfig, parse_config
from storage.db import Database
from storage.findings import apply_outcomes
from storage.roster import sync_roster

AS_OF = dt.date(2021, 11, 30)


def county_data(notify: dict[str, Any] | None = None, out: Path | None = None) -> dict[str, Any]:
    """Three units with sites and contacts, one without contacts."""
    base = "http://127.0.0.1:9"
    data: dict[str, Any] = {
        "county": "示范县",
        "units": [
            {"id": "fgj", "name": "发展改革局", "kind": "department",
             "contacts": [{"name": "王五", "email": "fgj@sample.gov.cn"}, {"name": "赵六", "email": "fgj2@sample.gov.cn"}],
             "sites": [{"url": f"{base}/bm/fgj/", "columns": [{"name": "工作动态", "url": f"{base}/bm/fgj/gzdt/"}]}]},
            {"id": "czj", "name": "财政局", "kind": "department",
             "contacts": [{"name": "李四", "email": "czj@sample.gov.cn"}],
             "sites": [{"url": f"{base}/bm/czj/"}]},
            {"id": "gyz", "name": "革一镇", "kind": "township",
             "contacts": [{"name": "张三", "email": "gyz@sample.gov.cn"}],
             "sites": [{"url": f"{base}/xz/gyz/"}]},
        ],
        "notify": notify or {},
    }
    if out is not None:
        data["output_dir"] = str(out)
    return data


def load(data: dict[str, Any], base_dir: Path) -> LoadedConfig:
    """Validate the data as a config file living in ``base_dir``."""
    return parse_config(data, str(base_dir / "county.yaml"), base_dir=base_dir)


def standard_outcomes(hostile: bool = False) -> list[Outcome]:
    """Problems for fgj and czj, a warning for fgj, an operator problem for gyz."""
    base = "http://127.0.0.1:9"
    column = "工作动态"
    link_url = f"{base}/bm/fgj/old.pdf"
    if hostile:
        column = "<script>alert('x')</script>" + "很长的标题" * 400 + "\udcff\x00\x1b[31m 鍙戝竷 ]](javascript:alert(1))\n# 注入"
        link_url = f"{base}/bm/fgj/\"><img src=x onerror=alert(1)>.pdf"
    return [
        Outcome("column.stale", "fgj", f"{base}/bm/fgj/gzdt/", False, "deduction", 1.0,
                {"column": column, "category": "news", "last_update": "2021-11-01", "limit_days": 14, "window": "14d"}),
        Outcome("link.broken", "fgj", link_url, False, "deduction", 0.1,
                {"url": link_url, "pages": [f"{base}/bm/fgj/", f"{base}/bm/fgj/gzdt/art_1.html"], "on_homepage": True,
                 "kind": "attachment", "error": "http_404", "text": column if hostile else "2021年预算公开"}),
        Outcome("column.stale", "fgj", f"{base}/bm/fgj/tjsj/", False, "warning", 0.0,
                {"column": "统计数据", "category": "statistics", "last_update": "2020-12-05", "limit_days": 365,
                 "due": "2021-12-05"}),
        Outcome("column.blank", "czj", f"{base}/bm/czj/tjsj/", False, "deduction", 1.0,
                {"column": "统计数据", "category": "statistics", "last_update": None, "limit_days": None}),
        Outcome("homepage.stale", "czj", f"{base}/bm/czj/", False, "veto", 0.0,
                {"last_update": "2021-10-01", "limit_days": 14}),
        Outcome("account.unmonitorable", "gyz", "weibo:123", False, "operator", 0.0,
                {"platform": "weibo", "account": "革一镇发布", "status": "blocked"}),
    ]


def seed(db: Database, loaded: LoadedConfig, outcomes: list[Outcome], as_of: dt.date = AS_OF) -> None:
    """Roster and findings into the database."""
    with db.session() as s:
        sync_roster(s, loaded.config)
    with db.session() as s:
        apply_outcomes(s, outcomes, as_of)


@pytest.fixture
def county(tmp_path):
    """A seeded county on SQLite: (loaded config factory, database)."""
    db = Database(f"sqlite:///{tmp_path / 'gw.db'}")

    def make(notify: dict[str, Any] | None = None, *, hostile: bool = False, seeded: bool = True) -> LoadedConfig:
        loaded = load(county_data(notify, tmp_path / "out"), tmp_path)
        if seeded:
            seed(db, loaded, standard_outcomes(hostile))
        return loaded

    yield make, db
    db.dispose()

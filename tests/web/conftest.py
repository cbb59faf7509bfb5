"""A small county with findings and one user of each role, and the workbench application on it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from checks.base import Outcome
from govwatch.context import Context, open_context
from storage import apply_outcomes, sync_roster
from storage.users import add_user
from tests.conftest import SMALL_COUNTY as COUNTY
from web.app import create_app
from web.security import LoginLimiter

AS_OF = dt.date(2021, 11, 30)
PASSWORD = "correct-horse-42"
#: login name -> (role, unit)
USERS = {"admin": ("admin", None), "duty1": ("duty", None), "eval1": ("evaluation", None),
         "fgjuser": ("unit", "fgj"), "czjuser": ("unit", "czj"), "gyzuser": ("unit", "gyz")}
BROKEN_LINKS = 60


@dataclass
class Bench:
    """The county's context, the app on it and the ids of its findings by (rule, unit)."""

    ctx: Context
    config: Path
    db_url: str
    ids: dict[tuple[str, str], str]

    def app(self, **kwargs):
        return create_app(self.ctx, secret_key="test-secret-" + "x" * 32, today=lambda: AS_OF,
                          limiter=kwargs.pop("limiter", LoginLimiter()), **kwargs)

    def client(self, user: str | None = None, **kwargs) -> TestClient:
        c = TestClient(self.app(**kwargs))
        if user:
            r = login(c, user)
            assert r.status_code == 303, r.text
        return c

    @property
    def args(self) -> list[str]:
        return ["--config", str(self.config), "--db", self.db_url]


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no csrf_token on the page"
    return m.group(1)


def login(c: TestClient, user: str, password: str = PASSWORD):
    token = csrf_of(c.get("/login").text)
    return c.post("/login", data={"username": user, "password": password, "csrf_token": token},
                  follow_redirects=False)


def seed(ctx: Context) -> dict[tuple[str, str], str]:
    """A stale and a blank column and 60 broken links (fgj), a stale homepage (czj, veto), a warning and a
    suspected stale column (gyz)."""
    with ctx.db.session() as s:
        sync_roster(s, ctx.config)
    stale = Outcome("column.stale", "fgj", "http://fgj.example/gzdt/", False, "deduction", 1.0,
                    {"column": "工作动态", "category": "news", "last_update": "2021-10-01", "limit_days": 14})
    blank = Outcome("column.blank", "fgj", "http://fgj.example/tjsj/", False, "deduction", 1.0,
                    {"column": "统计数据", "category": "statistics", "last_update": None, "limit_days": None})
    home = Outcome("homepage.stale", "czj", "http://czj.example/", False, "veto", 0.0,
                   {"page": "http://czj.example/", "last_update": "2021-11-01", "limit_days": 14})
    warn = Outcome("homepage.stale", "gyz", "http://gyz.example/", False, "warning", 0.0,
                   {"page": "http://gyz.example/", "last_update": "2021-11-19", "limit_days": 14,
                    "due": "2021-12-03"})
    unsure = Outcome("column.stale", "gyz", "http://gyz.example/gzdt/", False, "deduction", 1.0,
                     {"column": "工作动态", "category": "news", "last_update": "2021-09-01", "limit_days": 14,
                      "doubt": "列表日期只有月日，年份为推断"}, suspected=True)
    links = [Outcome("link.broken", "fgj", f"http://fgj.example/a/{i:03d}.html", False, "deduction", 0.1,
                     {"url": f"http://fgj.example/a/{i:03d}.html", "kind": "page", "error": "http_404",
                      "on_homepage": False, "pages": ["http://fgj.example/"]}) for i in range(BROKEN_LINKS)]
    with ctx.db.session() as s:
        apply_outcomes(s, [stale], dt.date(2021, 10, 16))
    with ctx.db.session() as s:
        apply_outcomes(s, [stale, blank, home, warn, unsure, *links], AS_OF)
    from storage.models import Finding

    with ctx.db.session() as s:
        ids = {}
        for f in s.query(Finding):
            ids.setdefault((f.rule, f.unit_id), f.id)
            if f.status == "suspected":
                ids[("suspected", f.unit_id)] = f.id
        for name, (role, unit) in USERS.items():
            add_user(s, name, PASSWORD, role=role, unit_id=unit, display_name=None)
    return ids


def make_bench(tmp_path: Path, url: str) -> Bench:
    data = dict(COUNTY, output_dir=str(tmp_path / "out"))
    cfg = tmp_path / "county.yaml"
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    ctx = open_context(str(cfg), url)
    return Bench(ctx, cfg, url, seed(ctx))


@pytest.fixture
def bench(tmp_path, sqlite_url):
    """The county on SQLite."""
    b = make_bench(tmp_path, sqlite_url)
    yield b
    b.ctx.db.dispose()


@pytest.fixture
def bench_any(tmp_path, db_url):
    """The county on SQLite and on PostgreSQL."""
    b = make_bench(tmp_path, db_url)
    yield b
    b.ctx.db.dispose()

"""Shared fixtures: databases on SQLite and PostgreSQL, the sample county server."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

PG_ENV = "GOVWATCH_TEST_PG_URL"
REQUIRE_PG_ENV = "GOVWATCH_REQUIRE_PG"
AS_OF = dt.date(2021, 11, 30)
ROOT = Path(__file__).resolve().parents[1]
#: a small county of three units (scoring, publication, appeal and workbench tests seed findings on it)
SMALL_COUNTY = {
    "county": "测试县",
    "monitoring": {"start": "2021-01-01", "end": "2021-11-30"},
    "units": [
        {"id": "fgj", "name": "发展改革局", "kind": "department",
         "sites": [{"url": "http://fgj.example/", "columns": [
             {"name": "工作动态", "url": "http://fgj.example/gzdt/"},
             {"name": "统计数据", "url": "http://fgj.example/tjsj/"}]}]},
        {"id": "czj", "name": "财政局", "kind": "department", "sites": [{"url": "http://czj.example/"}]},
        {"id": "gyz", "name": "革一镇", "kind": "township", "sites": [{"url": "http://gyz.example/"}]},
    ],
}

#: the project's packages (the app shell govwatch/ and the workbench web/ last)
PACKAGES = ("config", "checks", "storage", "crawler", "notifier", "reports", "web", "govwatch")


def python_sources(folders: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(path from the repository's root, text) of every Python file below ``folders``, in order."""
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def _pg_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get(REQUIRE_PG_ENV) == "1":
            pytest.fail(f"{PG_ENV} is not set but {REQUIRE_PG_ENV}=1: the PostgreSQL storage tests are required")
        pytest.skip(f"{PG_ENV} not set")
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    from sqlalchemy import create_engine, text

    base = _pg_url()
    assert base is not None
    schema = f"gw_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - reported as the reason
        if os.environ.get(REQUIRE_PG_ENV) == "1":
            pytest.fail(f"PostgreSQL at {base} is required but unusable: {exc}")
        pytest.skip(f"PostgreSQL unusable: {exc}")
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A fresh SQLite database file."""
    return f"sqlite:///{tmp_path / 'govwatch.db'}"


@pytest.fixture
def sample_server():
    """The sample county, dated relative to 2021-11-30, served on loopback."""
    from govwatch.sample import SampleServer, sample_county

    with SampleServer(sample_county(AS_OF)) as server:
        yield server

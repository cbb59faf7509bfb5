"""The crawl stage through the CLI: a site without configured columns is crawled from what discovery finds."""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy import select

from benchmarks.crawl_farm import FarmServer, build_farm
from govwatch.cli import main
from storage import ColumnRow, PageSnapshot
from storage.db import Database
from tests.crawler._harness import AS_OF


@pytest.fixture
def farm_server():
    farm = build_farm(units=2, columns_per_unit=6, as_of=AS_OF, families=("trs", "hanweb", "generic_cn"))
    with FarmServer(farm) as server:
        yield server


def test_crawl_of_a_site_without_columns_uses_discovery(farm_server, tmp_path, capsys):
    data = farm_server.config_data()
    bare = farm_server.farm.units[1]
    data["units"][1]["sites"][0].pop("columns")
    data["output_dir"] = str(tmp_path / "out")
    cfg = tmp_path / "county.yaml"
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'gw.db'}"
    assert main(["crawl", "--config", str(cfg), "--db", db]) == 0
    assert (tmp_path / "out" / "discovered-columns.json").exists()
    assert (tmp_path / "out" / "http-cache").is_dir()
    database = Database(db)
    with database.session() as s:
        cols = {c.url: c for c in s.scalars(select(ColumnRow).where(ColumnRow.unit_id == bare.id,
                                                                     ColumnRow.role == "column"))}
        assert set(cols) == {farm_server.column_url(bare, c) for c in bare.site.columns}
        for col in bare.site.columns:
            row = cols[farm_server.column_url(bare, col)]
            assert row.name == col.name and row.top_level == col.top_level and row.category is not None
            snap = s.scalars(select(PageSnapshot).where(PageSnapshot.column_id == row.id)).one()
            assert snap.newest_date == col.newest(AS_OF) and snap.status == "ok"
    database.dispose()
    # the next run reuses what was found (no second walk of the site) and the columns stay active
    farm_server.clear_log()
    assert main(["crawl", "--config", str(cfg), "--db", db]) == 0
    walked = [r for r in farm_server.log if "/zfxxgk/" in r.path and r.path.startswith(bare.site.prefix)]
    assert walked == []

"""The migrations are one linear chain, and a database made when they were branches from 0001 still upgrades."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from storage.db import Database, alembic_config

HEAD = "0015_link_checks_checked_at"
#: the versions a database recorded, at each state main has been in while the migrations were branches
OLD_STATES = {
    "scoring only": ("0003_scoring", ["0003_scoring"]),
    "scoring and links": ("0002_links", ["0003_scoring", "0002_links"]),
    "all four branches": ("0006_item_extra", ["0002_links", "0003_scoring", "0004_service", "0006_item_extra"]),
}


def test_the_migrations_are_one_chain() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_heads() == [HEAD]
    assert script.get_bases() == ["0001_initial"]
    revisions = list(script.walk_revisions())
    assert all(not isinstance(r.down_revision, tuple) for r in revisions)
    assert len({r.down_revision for r in revisions}) == len(revisions)  # nobody shares a parent


@pytest.mark.parametrize("state", sorted(OLD_STATES))
def test_a_database_of_the_branched_migrations_upgrades(db_url: str, state: str) -> None:
    schema_at, recorded = OLD_STATES[state]
    db = Database(db_url, migrate=False)
    cfg = alembic_config(db.url)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, schema_at)  # the tables such a database had
        conn.execute(text("DELETE FROM alembic_version"))
        for version in recorded:  # and the versions the branched migrations recorded
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": version})
    db.dispose()

    db = Database(db_url)  # opening upgrades
    with db.engine.connect() as conn:
        assert [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))] == [HEAD]
        tables = set(inspect(conn).get_table_names())
        columns = {c["name"] for c in inspect(conn).get_columns("column_items")}
    assert {"link_scans", "finding_sightings", "job_runs"} <= tables and "extra" in columns
    db.dispose()
    Database(db_url).dispose()  # and again: nothing left to do

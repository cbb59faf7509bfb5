"""Engine and session handling; the schema is upgraded with Alembic every time a database is opened."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from config.errors import DatabaseUnavailable, StorageError

__all__ = ["DEFAULT_URL", "Database", "alembic_config", "normalize_url"]

DEFAULT_URL = "sqlite:///govwatch.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _linearize(conn: Connection, cfg: AlembicConfig) -> None:
    """A database made when the migrations were branches from 0001 records one version per branch; they are one
    chain now, in the order they were written (0001, 0003, 0002, 0004, 0006): keep the newest it has."""
    if not inspect(conn).has_table("alembic_version"):
        return
    versions = [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
    if len(versions) < 2:
        return
    chain = [rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()]  # newest first
    newest = min(versions, key=lambda v: chain.index(v) if v in chain else len(chain))
    conn.execute(text("DELETE FROM alembic_version WHERE version_num <> :v"), {"v": newest})


def _sqlite_file(database: str) -> Path | None:
    """The SQLite file of a URL, checked: its directory must exist (it is never created). The path when the
    file does not exist yet (this process creates it), else None."""
    path = Path(database).expanduser()
    parent = path.resolve().parent
    if not parent.is_dir():
        raise DatabaseUnavailable(f"cannot open database sqlite:///{database}: the directory {parent} does not exist")
    if path.is_dir():
        raise DatabaseUnavailable(f"cannot open database sqlite:///{database}: it is a directory")
    return None if path.exists() else path


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def alembic_config(url: str) -> AlembicConfig:
    """An Alembic configuration pointing at the bundled migrations."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class Database:
    """One database: engine, session factory, migrations.

    A database that cannot be opened (bad URL, unknown driver, a SQLite file whose directory does not exist, a
    server that does not answer) is :class:`DatabaseUnavailable`; no directory is ever created. ``created_file``
    is the SQLite file this object created (None when it existed before, or for a server).
    """

    def __init__(self, url: str = DEFAULT_URL, *, migrate: bool = True, echo: bool = False) -> None:
        self.url = normalize_url(url)
        try:
            parsed = make_url(self.url)
        except (ArgumentError, ValueError) as exc:
            raise DatabaseUnavailable(f"bad database URL {url!r}: {exc}") from None
        self.dialect = parsed.get_backend_name()
        self.created_file: Path | None = None
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
                self.created_file = _sqlite_file(parsed.database)
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
        try:
            self.engine: Engine = create_engine(self.url, **kwargs)
        except (SQLAlchemyError, ImportError, ValueError, TypeError) as exc:
            where = parsed.render_as_string(hide_password=True)
            problem = f"no such database driver ({exc})" if isinstance(exc, NoSuchModuleError | ImportError) else str(exc)
            raise DatabaseUnavailable(f"cannot use database {where}: {problem}") from None
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            self.upgrade()

    def upgrade(self) -> None:
        """Bring the schema to the newest revision."""
        cfg = alembic_config(self.url)
        try:
            with self.engine.begin() as conn:
                _linearize(conn, cfg)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except (OperationalError, InterfaceError) as exc:
            where = make_url(self.url).render_as_string(hide_password=True)
            reason = " ".join(str(exc.orig).split())
            raise DatabaseUnavailable(f"cannot open database {where}: {reason}") from None
        except SQLAlchemyError as exc:
            where = make_url(self.url).render_as_string(hide_password=True)
            raise StorageError(f"cannot upgrade the schema of {where}: {' '.join(str(exc).split())[:300]}") from None

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on error."""
        s = self._sessions()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def discard_created(self) -> bool:
        """Close and delete the SQLite file this object created (and its -wal/-shm), as if never opened."""
        self.engine.dispose()
        if self.created_file is None:
            return False
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.created_file}{suffix}").unlink(missing_ok=True)
        self.created_file = None
        return True

"""The application context: the loaded configuration, the database and the county's clock."""

from __future__ import annotations

import datetime as dt
import logging
import os
import weakref
from dataclasses import dataclass
from pathlib import Path

from config.catalogue import Catalogue
from config.loader import BUNDLED_SAMPLE, LoadedConfig, bundled_path, load_config
from config.schema import Config
from storage.db import DEFAULT_URL, Database

__all__ = ["Context", "discard_created_databases", "forget_opened", "open_context", "resolve_config_path",
           "resolve_db_url"]

log = logging.getLogger("govwatch")

#: SQLite databases open_context created in this process, weakly held (the CLI deletes them after a usage error)
_OPENED: list[weakref.ref[Database]] = []


def resolve_config_path(path: str | None) -> Path:
    """``--config`` if given, else ``./govwatch.yaml`` when present, else the bundled sample county."""
    if path:
        return Path(path)
    local = Path("govwatch.yaml")
    if local.exists():
        return local
    return bundled_path(BUNDLED_SAMPLE)


def resolve_db_url(cli_url: str | None, config: Config) -> str:
    """``--db`` if given, else ``GOVWATCH_DB``, else the config's database, else ``sqlite:///govwatch.db``."""
    return cli_url or os.environ.get("GOVWATCH_DB") or config.database or DEFAULT_URL


@dataclass
class Context:
    """Everything a stage needs: config, catalogue, database."""

    loaded: LoadedConfig
    db: Database
    roster_missing: list[str] | None = None
    """Ids of units without a site, once the roster has been synced on this context."""

    @property
    def config(self) -> Config:
        """The validated configuration."""
        return self.loaded.config

    @property
    def catalogue(self) -> Catalogue:
        """The effective rules catalogue."""
        return self.loaded.catalogue

    @property
    def tz(self) -> dt.tzinfo:
        """The county's time zone."""
        return self.config.tz

    def now(self) -> dt.datetime:
        """Now, in the county's time zone."""
        return dt.datetime.now(self.tz)

    def today(self) -> dt.date:
        """Today's date in the county."""
        return self.now().date()

    @property
    def output_dir(self) -> Path:
        """Where digests, notices and exports are written."""
        out = Path(self.config.output_dir)
        return out if out.is_absolute() else Path.cwd() / out


def open_context(config_path: str | None = None, db_url: str | None = None, *, loaded: LoadedConfig | None = None) -> Context:
    """Load the configuration (or use ``loaded``) and open (and upgrade) the database."""
    if loaded is None:
        loaded = load_config(resolve_config_path(config_path))
    url = resolve_db_url(db_url, loaded.config)
    db = Database(url)
    if db.created_file is not None:
        _OPENED.append(weakref.ref(db))
    return Context(loaded, db)


def discard_created_databases() -> int:
    """Delete the SQLite files that open_context created in this process (a usage error writes nothing)."""
    n = sum(db.discard_created() for ref in _OPENED if (db := ref()) is not None)
    _OPENED.clear()
    return n


def forget_opened() -> None:
    """Forget the databases opened so far (the command ended well: they stay)."""
    _OPENED.clear()

"""The one exception hierarchy of govwatch, at the bottom of the layers so that every layer can raise it.

Every error govwatch raises on purpose derives from :class:`GovwatchError`; the CLI prints it on one line and
exits with its ``exit_code``::

    GovwatchError (exit 1)
    ├── UsageError (exit 2)         the command line was wrong
    ├── LifecycleError              a finding's state change its lifecycle does not allow
    ├── ConfigError (exit 2)        a configuration or rules file is unreadable or invalid
    ├── StorageError                the database could not be migrated or written
    │   └── DatabaseUnavailable (exit 2)  the --db / config database cannot be opened (bad URL, no such
    │                                     directory, server unreachable); nothing is created
    ├── RunLocked (exit 2)          another run or crawl holds this database's crawl lock
    ├── CalendarRangeError          the working-day calendar has no data for a year
    ├── AppealRefused               an appeal that cannot be accepted
    ├── FeedError                   a body that is not a feed (the adapter turns it into a status)
    └── ChannelError                a notice was not delivered (it stays queued and is retried)

Three join it where they are raised: ``DocError`` (crawler/doctext.py, a document whose text cannot be read; it
becomes the document's status), ``OffsiteRedirectError`` (crawler/redirects.py, also an ``httpx.RequestError``) and
``OffsiteRedirect`` (crawler/middlewares.py, also Scrapy's ``IgnoreRequest``).

A page that could not be fetched is not an error: it is an observation with a status (crawler/status.py).
"""

from __future__ import annotations

__all__ = [
    "AppealRefused",
    "CalendarRangeError",
    "ChannelError",
    "ConfigError",
    "DatabaseUnavailable",
    "FeedError",
    "GovwatchError",
    "LifecycleError",
    "RunLocked",
    "StorageError",
    "UsageError",
]


class GovwatchError(Exception):
    """Base of every error govwatch raises on purpose; the CLI prints it on one line."""

    exit_code: int = 1


class UsageError(GovwatchError):
    """The command line was wrong (unknown unit, bad date...). Exit code 2."""

    exit_code = 2


class LifecycleError(GovwatchError):
    """A state change that the finding's lifecycle does not allow (exit code 1)."""


class ConfigError(GovwatchError):
    """A configuration or rules file is unreadable or invalid. Exit code 2.

    The message names the file, the line (when known), the path inside it (``units[3].sites[0].url``) and the
    problem: ``govwatch.yaml:12: units[3].sites[0].url: required key is missing``. A file with several problems
    lists every one, a line each (``problems`` holds them as (line, path, problem)).
    """

    exit_code = 2

    def __init__(self, file: str, path: str, problem: str, *, line: int | None = None,
                 more: tuple[tuple[int | None, str, str], ...] = ()) -> None:
        self.file = file
        self.path = path
        self.problem = problem
        self.line = line
        self.problems = [(line, path, problem), *more]
        lines = [self._one(file, *p) for p in self.problems]
        text = lines[0] if len(lines) == 1 else f"{file}: {len(lines)} problems\n" + "\n".join(f"  {x}" for x in lines)
        super().__init__(text)

    @staticmethod
    def _one(file: str, line: int | None, path: str, problem: str) -> str:
        where = f"{file}:{line}" if line else file
        return f"{where}: {path}: {problem}" if path else f"{where}: {problem}"


class StorageError(GovwatchError):
    """The database could not be opened, migrated or written."""


class DatabaseUnavailable(StorageError):
    """The database named by ``--db``, ``GOVWATCH_DB`` or the config cannot be opened: a bad URL, a SQLite file in
    a directory that does not exist, a server that does not answer. Exit code 2; no file or directory is made."""

    exit_code = 2


class RunLocked(GovwatchError):
    """Another ``run``/``crawl`` (CLI or the service's crawl job) holds the crawl lock of this database.

    The message names the holder and when its lease ends; a holder that died loses the lock when its lease
    expires. Exit code 2.
    """

    exit_code = 2

    def __init__(self, holder: str, until: str) -> None:
        self.holder = holder
        self.until = until
        super().__init__(f"另一次抓取正在运行，本次未启动 / another run or crawl is using this database "
                         f"(holder {holder}, lease until {until})")


class CalendarRangeError(GovwatchError):
    """The working-day calendar has no data for a year (chinesecalendar ships a fixed range of years)."""


class AppealRefused(GovwatchError):
    """An appeal that cannot be accepted (late, not published yet, not the unit's finding...). Exit code 1."""


class FeedError(GovwatchError, ValueError):
    """The body is not a feed that can be read."""


class ChannelError(GovwatchError):
    """A send failed; the notice stays queued and is retried later."""

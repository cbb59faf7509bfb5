"""The one exception hierarchy of govwatch; every error a user can see derives from GovwatchError."""

from __future__ import annotations

__all__ = ["ConfigError", "FetchError", "GovwatchError", "StorageError", "UsageError"]


class GovwatchError(Exception):
    """Base of every error govwatch raises on purpose; the CLI prints it on one line."""

    exit_code: int = 1


class UsageError(GovwatchError):
    """The command line was wrong (unknown unit, bad date...). Exit code 2."""

    exit_code = 2


class ConfigError(GovwatchError):
    """A configuration or rules file is unreadable or invalid. Exit code 2.

    The message always names the file, the path inside it (``units[3].sites[0].url``) and the problem.
    """

    exit_code = 2

    def __init__(self, file: str, path: str, problem: str) -> None:
        self.file = file
        self.path = path
        self.problem = problem
        where = f"{file}: {path}: " if path else f"{file}: "
        super().__init__(f"{where}{problem}")


class StorageError(GovwatchError):
    """The database could not be opened, migrated or written."""


class FetchError(GovwatchError):
    """A fetch could not be made at all (not a failed page: those are observations with a status)."""

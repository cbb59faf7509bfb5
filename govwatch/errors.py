"""The error hierarchy, re-exported for the app shell; it is defined at the bottom, in config/errors.py."""

from __future__ import annotations

from config.errors import (
    AppealRefused,
    CalendarRangeError,
    ChannelError,
    ConfigError,
    DatabaseUnavailable,
    FeedError,
    GovwatchError,
    LifecycleError,
    RunLocked,
    StorageError,
    UsageError,
)

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

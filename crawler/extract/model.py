"""Value types produced by the list extractors: items, results and per-column selector overrides."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .reading import Reading

__all__ = ["DATE_SOURCES", "ExtractResult", "ListItem", "Selectors"]

#: Allowed values of :attr:`ListItem.date_source` (besides ``None``).
DATE_SOURCES = ("list", "url", "article")


@dataclass(frozen=True)
class ListItem:
    """One entry of a column list page."""

    title: str
    url: str
    date: datetime.date | None
    date_source: str | None
    pinned: bool = False
    extra: dict[str, Any] | None = field(default=None, hash=False, compare=False)
    """Further fields some lists show beside the date (e.g. ``written`` 成文日期, a message's reply state)."""


@dataclass
class ExtractResult:
    """What an extractor read from one list page."""

    extractor: str
    items: list[ListItem]
    next_pages: list[str] = field(default_factory=list)
    total_pages: int | None = None
    script_built: bool = False
    #: Absolute URLs of same-site ``<iframe>``/``<frame>`` pages that may hold the list, reported
    #: when this page itself shows no item (fetch them as list pages of the same column).
    frames: list[str] = field(default_factory=list)
    #: How the newest date was read and how sure the read is (set by :func:`crawler.extract.extract`).
    reading: Reading | None = None

    def newest(self, as_of: datetime.date | None = None) -> datetime.date | None:
        """Newest item date over all items (pinned ones included), ignoring dates after ``as_of``."""
        dates = [it.date for it in self.items if it.date is not None]
        if as_of is not None:
            dates = [d for d in dates if d <= as_of]
        return max(dates, default=None)

    @property
    def blank(self) -> bool:
        """True when the page holds no item, is not built by a script and points nowhere else
        (no embedded frame, no further page) that could hold the list."""
        return not self.items and not self.script_built and not self.frames and not self.next_pages


@dataclass(frozen=True)
class Selectors:
    """Per-column override of the list markup, from the configuration.

    ``item`` selects one element per list entry; ``link`` and ``date`` are relative to it.
    A selector is XPath when it starts with ``/`` or ``(`` (or ``./``/``../`` for the relative
    ones); otherwise CSS.
    """

    item: str
    link: str | None = None
    date: str | None = None
    date_format: str | None = None

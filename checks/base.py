"""Plain data the checks read (observations as stored) and write (outcomes); no I/O here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from config.statuses import USABLE_FETCH_STATUSES

__all__ = [
    "AccountObs",
    "AccountView",
    "CheckInput",
    "DocumentObs",
    "LinkObs",
    "ColumnView",
    "ContentDocObs",
    "ItemObs",
    "MessageObs",
    "Outcome",
    "PageObs",
    "ProbeObs",
    "SiteView",
    "UnitView",
    "USABLE_STATUSES",
]

USABLE_STATUSES = USABLE_FETCH_STATUSES  # (config/statuses.py)


@dataclass(frozen=True)
class UnitView:
    """A unit as the checks see it."""

    id: str
    name: str
    kind: str


@dataclass(frozen=True)
class SiteView:
    """A site as the checks see it."""

    id: int
    unit_id: str
    url: str
    homepage_is_nav: bool = False


@dataclass(frozen=True)
class ColumnView:
    """A watched page: a column (role='column') or a site's homepage (role='homepage')."""

    id: int
    unit_id: str
    site_id: int
    name: str
    url: str
    category: str | None
    top_level: bool = False
    role: str = "column"


@dataclass(frozen=True)
class PageObs:
    """The latest observation of a watched page."""

    column_id: int
    fetched_at: dt.datetime
    status: str
    item_count: int = 0
    item_dates: tuple[dt.date, ...] = ()
    ever_had_items: bool = False
    error: str | None = None
    extractor: str | None = None
    confidence: str = "high"
    """How sure the crawler is of the read: high, medium or low (crawler/extract/reading.py)."""
    doubt: str | None = None
    """Why the read is unsure, in Chinese (shown to duty staff with a suspected finding)."""

    @property
    def unsure(self) -> bool:
        """A finding resting on this read is only suspected until a person confirms it."""
        return self.confidence == "low"

    @property
    def usable(self) -> bool:
        """Whether the fetch succeeded, so that the page's content can be judged."""
        return self.status in USABLE_STATUSES

    def newest(self, as_of: dt.date) -> dt.date | None:
        """The newest item date not after ``as_of`` (dates after it are typos, not updates)."""
        valid = [d for d in self.item_dates if d <= as_of]
        return max(valid) if valid else None

    def future_dates(self, as_of: dt.date) -> list[dt.date]:
        """Item dates after the monitoring time point (suspect)."""
        return sorted(d for d in self.item_dates if d > as_of)


@dataclass(frozen=True)
class ProbeObs:
    """One availability probe of a site's homepage."""

    site_id: int
    at: dt.datetime
    ok: bool
    status: str
    duration_ms: int | None = None


@dataclass(frozen=True)
class LinkObs:
    """The latest confirmed result of one link of a site (state ok | broken | suspected | blocked | gone)."""

    site_id: int
    url: str
    kind: str  # page | image | attachment | external
    on_homepage: bool
    state: str
    error: str | None = None
    http_status: int | None = None
    refs: tuple[dict[str, str], ...] = ()  # referring pages with anchor text: {"page": url, "text": ...}
    ref_count: int = 0
    first_failed: dt.datetime | None = None
    checked_at: dt.datetime | None = None
    final_url: str | None = None


@dataclass(frozen=True)
class AccountView:
    """A new-media account as the checks see it."""

    id: int
    unit_id: str
    platform: str
    key: str
    name: str | None = None


@dataclass(frozen=True)
class AccountObs:
    """One observation of an account: fetch status and the times of its posts."""

    account_id: int
    fetched_at: dt.datetime
    status: str
    posts: tuple[dict[str, Any], ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class ItemObs:
    """A list item that appeared in a column after monitoring of the column began."""

    column_id: int
    title: str
    url: str
    date: dt.date
    first_seen: dt.datetime


@dataclass(frozen=True)
class MessageObs:
    """A message of a message board (留言), as last seen: when it was asked and whether and when it was replied."""

    column_id: int
    title: str
    url: str
    asked: dt.date
    replied: dt.date | None
    state: str  # replied | unanswered | processing | unknown
    type: str | None
    first_seen: dt.datetime
    last_seen: dt.datetime | None = None


@dataclass(frozen=True)
class DocumentObs:
    """A listed document showing both its own date (成文日期) and its publication date."""

    column_id: int
    title: str
    url: str
    written: dt.date
    published: dt.date
    first_seen: dt.datetime


@dataclass(frozen=True)
class ContentDocObs:
    """The text of an article or of one of its attachments, as read once (the latest readable copy)."""

    unit_id: str
    url: str
    kind: str  # article | attachment
    text: str
    title: str | None = None
    column: str | None = None
    parent_url: str | None = None
    """For an attachment: the article that links to it."""


@dataclass
class CheckInput:
    """Everything the checks may look at, read from storage at one monitoring time point."""

    as_of: dt.date
    tz: dt.tzinfo
    units: dict[str, UnitView] = field(default_factory=dict)
    sites: list[SiteView] = field(default_factory=list)
    columns: list[ColumnView] = field(default_factory=list)
    pages: dict[int, PageObs] = field(default_factory=dict)
    probes: dict[int, list[ProbeObs]] = field(default_factory=dict)
    accounts: list[AccountView] = field(default_factory=list)
    account_history: dict[int, list[AccountObs]] = field(default_factory=dict)
    links: list[LinkObs] = field(default_factory=list)
    watch_start: dict[int, dt.datetime] = field(default_factory=dict)
    """When each watched page was first read successfully."""
    new_items: dict[int, list[ItemObs]] = field(default_factory=dict)
    """Dated items first seen after ``watch_start`` (within the year before as_of), per page."""
    documents: dict[int, list[DocumentObs]] = field(default_factory=dict)
    """Items with a document date (成文日期) published within the year before as_of, per page."""
    messages: dict[int, list[MessageObs]] = field(default_factory=dict)
    """Messages of the interaction columns' boards asked in the two years before as_of, per column."""
    content_docs: list[ContentDocObs] = field(default_factory=list)
    """The stored text of the articles (and attachments) read in the year before as_of."""
    content_lists: Any = None
    """The county's word lists for content.error (checks.wording.WordLists), built from the config."""

    def site_columns(self, site_id: int, role: str = "column") -> list[ColumnView]:
        """The watched pages of one site with the given role."""
        return [c for c in self.columns if c.site_id == site_id and c.role == role]


@dataclass(frozen=True)
class Outcome:
    """The verdict of a check on one target.

    ``passed=False`` is a finding (with its severity: veto, deduction, warning or operator);
    ``passed=True`` says the target was judged and is fine, which rectifies an open finding.
    Targets that could not be judged (failed fetch) produce no outcome at all.
    """

    rule: str
    unit_id: str
    target: str
    passed: bool
    severity: str = "deduction"
    points: float = 0.0
    evidence: dict[str, Any] = field(default_factory=dict)
    suspected: bool = False
    """The verdict rests on a read the crawler is not sure of (``evidence["confidence"]`` says why), or is an
    automatic content hit (content.error, content.privacy): the finding waits for a person's confirmation
    (``govwatch finding confirm``) and is never deducted before."""

"""SQLAlchemy 2.0 models: roster, crawl runs, observations, findings and their history, sent notices."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "NoticeAttempt",
    "JobRun",
    "JobLock",
    "AccountRow",
    "ContentDoc",
    "AccountSnapshot",
    "Appeal",
    "Base",
    "ColumnItem",
    "ColumnRow",
    "CrawlRun",
    "Finding",
    "FindingEvent",
    "LinkCheck",
    "LinkOkCache",
    "LinkScan",
    "FindingSighting",
    "Notice",
    "PageSnapshot",
    "Probe",
    "Publication",
    "SiteRow",
    "UTCDateTime",
    "Unit",
    "User",
    "new_id",
    "utcnow",
]


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    """A new opaque id for findings and notices."""
    return uuid.uuid4().hex[:16]


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware datetimes stored as UTC on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: govwatch stores timezone-aware datetimes only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a stable constraint naming convention (for migrations)."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Unit(Base):
    """A monitored unit of the county."""

    __tablename__ = "units"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    contacts: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sites: Mapped[list[SiteRow]] = relationship(back_populates="unit")


class SiteRow(Base):
    """A unit's website or its section of the portal."""

    __tablename__ = "sites"
    __table_args__ = (UniqueConstraint("unit_id", "url"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    name: Mapped[str | None] = mapped_column(String(200))
    homepage_is_nav: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    unit: Mapped[Unit] = relationship(back_populates="sites")
    columns: Mapped[list[ColumnRow]] = relationship(back_populates="site")


class ColumnRow(Base):
    """A watched page of a site: a column list page, or the site's homepage (role='homepage')."""

    __tablename__ = "columns"
    __table_args__ = (UniqueConstraint("site_id", "url"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="column")
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    category: Mapped[str | None] = mapped_column(String(30))
    top_level: Mapped[bool] = mapped_column(Boolean, default=False)
    render: Mapped[str] = mapped_column(String(20), default="static")
    extractor: Mapped[str] = mapped_column(String(40), default="auto")
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    site: Mapped[SiteRow] = relationship(back_populates="columns")


class AccountRow(Base):
    """A new-media account of a unit."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("unit_id", "platform", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    platform: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(500))
    name: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2000))
    base_url: Mapped[str | None] = mapped_column(String(2000))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CrawlRun(Base):
    """One execution of a stage (crawl, probe, check, run...)."""

    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="running")
    as_of: Mapped[dt.date | None] = mapped_column(Date)
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)


class _Fetched:
    """What every snapshot records: its run, when it was fetched, the fetch status (crawler/status.py)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    fetched_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)


class PageSnapshot(_Fetched, Base):
    """An observation of a column or homepage: fetch status and a summary of the items read."""

    __tablename__ = "page_snapshots"
    __table_args__ = (Index("ix_page_snapshots_column_fetched", "column_id", "fetched_at"),)
    column_id: Mapped[int] = mapped_column(ForeignKey("columns.id"))
    final_url: Mapped[str | None] = mapped_column(String(2000))
    extractor: Mapped[str | None] = mapped_column(String(40))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    dated_count: Mapped[int] = mapped_column(Integer, default=0)
    item_dates: Mapped[list[Any]] = mapped_column(default=list)
    newest_date: Mapped[dt.date | None] = mapped_column(Date)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    info: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ColumnItem(Base):
    """An item (article link) ever seen in a column, with when the crawler first and last saw it."""

    __tablename__ = "column_items"
    __table_args__ = (UniqueConstraint("column_id", "url"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    column_id: Mapped[int] = mapped_column(ForeignKey("columns.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(Text)
    date: Mapped[dt.date | None] = mapped_column(Date)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    first_seen: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(default=utcnow)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """What some lists show beside the date (成文日期, a message's reply status and reply date ...)."""


class Probe(Base):
    """An availability probe of a site's homepage."""

    __tablename__ = "probes"
    __table_args__ = (Index("ix_probes_site_at", "site_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20))
    http_status: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


class AccountSnapshot(_Fetched, Base):
    """An observation of a new-media account: status and its latest posts."""

    __tablename__ = "account_snapshots"
    __table_args__ = (Index("ix_account_snapshots_account_fetched", "account_id", "fetched_at"),)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    posts: Mapped[list[Any]] = mapped_column(default=list)


class Finding(Base):
    """A problem found by a check, kept across runs; nothing is ever deleted."""

    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("rule", "unit_id", "target"), Index("ix_findings_status", "status"))
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    rule: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    target: Mapped[str] = mapped_column(String(2000))
    severity: Mapped[str] = mapped_column(String(20))
    points: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(20), default="open")
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    first_seen: Mapped[dt.date] = mapped_column(Date)
    last_seen: Mapped[dt.date] = mapped_column(Date)
    seen_count: Mapped[int] = mapped_column(Integer, default=1)
    rectified_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    events: Mapped[list[FindingEvent]] = relationship(back_populates="finding", order_by="FindingEvent.id")


class FindingEvent(Base):
    """One transition or sighting of a finding: who, when, why."""

    __tablename__ = "finding_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[str] = mapped_column(ForeignKey("findings.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    as_of: Mapped[dt.date | None] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(100), default="system")
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    finding: Mapped[Finding] = relationship(back_populates="events")


class Notice(Base):
    """A rendered notice or digest and its delivery; (unit, kind, period, channel) is sent once."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("unit_id", "kind", "period", "channel"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    unit_id: Mapped[str] = mapped_column(String(64), default="*")
    kind: Mapped[str] = mapped_column(String(30))
    period: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(30))
    recipients: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column()


class JobRun(Base):
    """One run of a scheduled job of ``govwatch serve`` (or of a command run by hand): result and duration."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_started", "job_id", "started_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(40))
    owner: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="running")
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)


class JobLock(Base):
    """A lease on a job so that two ``serve`` processes on one database never run it at the same time."""

    __tablename__ = "job_locks"
    job_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[dt.datetime | None] = mapped_column()
    last_started_at: Mapped[dt.datetime | None] = mapped_column()


class NoticeAttempt(Base):
    """One delivery attempt of a notice on its channel (the retry backoff counts from the last one)."""

    __tablename__ = "notice_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)


class FindingSighting(Base):
    """One monitoring time point at which a finding's problem was seen (the dates it was seen)."""

    __tablename__ = "finding_sightings"
    __table_args__ = (UniqueConstraint("finding_id", "as_of"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[str] = mapped_column(ForeignKey("findings.id"), index=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    severity: Mapped[str] = mapped_column(String(20))


class Publication(Base):
    """A public notice of the preliminary year-end results (公示), which opens the appeal period."""

    __tablename__ = "publications"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    year: Mapped[int] = mapped_column(Integer, index=True)
    published_on: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(100), default="system")
    html_path: Mapped[str | None] = mapped_column(String(2000))
    xlsx_path: Mapped[str | None] = mapped_column(String(2000))
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Appeal(Base):
    """A unit's request for review (复核) of one finding, and its decision."""

    __tablename__ = "appeals"
    __table_args__ = (Index("ix_appeals_status", "status"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    finding_id: Mapped[str] = mapped_column(ForeignKey("findings.id"), index=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    publication_id: Mapped[str | None] = mapped_column(ForeignKey("publications.id"))
    filed_on: Mapped[dt.date] = mapped_column(Date)
    filed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    filed_by: Mapped[str] = mapped_column(String(100), default="unit")
    reason: Mapped[str] = mapped_column(Text)
    previous_status: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_at: Mapped[dt.datetime | None] = mapped_column()
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decision_reason: Mapped[str | None] = mapped_column(Text)


class LinkScan(Base):
    """One link check of one site: the homepage's links (scope='homepage') or the whole site (scope='site')."""

    __tablename__ = "link_scans"
    __table_args__ = (Index("ix_link_scans_site_scope", "site_id", "scope", "finished_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    scope: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="running")
    error: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    links: Mapped[int] = mapped_column(Integer, default=0)
    broken: Mapped[int] = mapped_column(Integer, default=0)
    info: Mapped[dict[str, Any]] = mapped_column(default=dict)


class LinkCheck(Base):
    """The result of one unique link of a site in one scan, with the pages that refer to it and their anchor text."""

    __tablename__ = "link_checks"
    __table_args__ = (Index("ix_link_checks_site_url", "site_id", "url"), Index("ix_link_checks_checked_at", "checked_at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("link_scans.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    url: Mapped[str] = mapped_column(String(2000))
    kind: Mapped[str] = mapped_column(String(20))  # page | image | attachment | external
    on_homepage: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(20))  # ok | broken (confirmed) | suspected | blocked
    error: Mapped[str | None] = mapped_column(String(40))
    first_error: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    final_url: Mapped[str | None] = mapped_column(String(2000))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    cached: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    first_failed_at: Mapped[dt.datetime | None] = mapped_column()
    ref_count: Mapped[int] = mapped_column(Integer, default=0)
    refs: Mapped[list[Any]] = mapped_column(default=list)  # [{"page": url, "text": anchor text}, ...]


class LinkOkCache(Base):
    """The last time an external URL answered fine, so that it is not fetched again within the TTL."""

    __tablename__ = "link_ok_cache"
    url_hash: Mapped[str] = mapped_column(String(40), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    ok_at: Mapped[dt.datetime] = mapped_column()
    http_status: Mapped[int | None] = mapped_column(Integer)


class User(Base):
    """A person who logs in to the web workbench: a role, and for the ``unit`` role the one unit they see."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column()


class ContentDoc(Base):
    """An article or attachment read for the content checks: read once (the URL and the content's hash are
    remembered), its text kept for the checks; a document that could not be read has a status, never a finding."""

    __tablename__ = "content_docs"
    __table_args__ = (UniqueConstraint("url_hash"), Index("ix_content_docs_unit_read", "unit_id", "read_at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url_hash: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(Text)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    column_id: Mapped[int | None] = mapped_column(ForeignKey("columns.id"))
    kind: Mapped[str] = mapped_column(String(20))  # article | attachment
    parent_url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # ok | empty | too_large | unreadable | unsupported | http_error ...
    error: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    chars: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    first_read: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    info: Mapped[dict[str, Any]] = mapped_column(default=dict)

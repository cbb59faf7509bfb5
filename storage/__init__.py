"""Storage: SQLAlchemy models, sessions, Alembic migrations and the repository functions."""

from storage.db import DEFAULT_URL, Database, normalize_url
from storage.findings import ACTIVE, apply_outcomes, finding_to_dict, list_findings, transition
from storage.models import (
    AccountRow,
    AccountSnapshot,
    Base,
    ColumnItem,
    ColumnRow,
    CrawlRun,
    Finding,
    FindingEvent,
    Notice,
    PageSnapshot,
    Probe,
    SiteRow,
    Unit,
    utcnow,
)
from storage.observations import (
    ItemRecord,
    PageRecord,
    crawl_memory,
    load_check_input,
    record_account,
    record_page,
)
from storage.roster import sync_roster

__all__ = [
    "ACTIVE",
    "DEFAULT_URL",
    "AccountRow",
    "AccountSnapshot",
    "Base",
    "ColumnItem",
    "ColumnRow",
    "CrawlRun",
    "Database",
    "Finding",
    "FindingEvent",
    "ItemRecord",
    "Notice",
    "PageRecord",
    "PageSnapshot",
    "Probe",
    "SiteRow",
    "Unit",
    "apply_outcomes",
    "crawl_memory",
    "finding_to_dict",
    "list_findings",
    "load_check_input",
    "normalize_url",
    "record_account",
    "record_page",
    "sync_roster",
    "transition",
    "utcnow",
]

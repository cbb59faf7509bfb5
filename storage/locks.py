"""Leases in ``job_locks``: one holder at a time per name, renewed by a heartbeat, taken over once expired.

The service's jobs (govwatch/scheduler.py) and the CLI's ``run``/``crawl`` share these rows: the crawl lock is
the row ``crawl``, so a CLI run and the service's crawl job never crawl one database at the same time. A holder
that dies stops renewing; its lease expires and the next one takes the lock over.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import JobLock, utcnow

__all__ = ["CRAWL_LOCK", "Holder", "acquire_lease", "keep_renewed", "lease_holder", "release_lease", "renew_lease"]

log = logging.getLogger("govwatch.locks")

#: the lock a ``run``/``crawl`` of the CLI and the service's crawl job hold while they crawl
CRAWL_LOCK = "crawl"


@dataclass(frozen=True)
class Holder:
    """Who holds a lease and until when (UTC)."""

    owner: str
    lease_until: dt.datetime


def _ensure_row(db: Database, name: str) -> None:
    try:
        with db.session() as s:
            if s.get(JobLock, name) is None:
                s.add(JobLock(job_id=name))
    except IntegrityError:
        pass  # created by another process at the same moment


def acquire_lease(db: Database, name: str, owner: str, lease: dt.timedelta, *,
                  gap: dt.timedelta | None = None) -> bool:
    """Take the lease ``name`` for ``owner`` unless a live lease is held by someone else.

    With ``gap`` (the scheduler's scheduled runs), the lease is also refused when a run started less than
    ``gap`` ago, and the start is recorded; without it (the CLI) the start of scheduled runs is left alone.
    """
    _ensure_row(db, name)
    now = utcnow()
    free = or_(JobLock.owner.is_(None), JobLock.lease_until.is_(None), JobLock.lease_until < now)
    values: dict[str, object] = {"owner": owner, "lease_until": now + lease}
    conditions = [JobLock.job_id == name, free]
    if gap is not None:
        conditions.append(or_(JobLock.last_started_at.is_(None), JobLock.last_started_at <= now - gap))
        values["last_started_at"] = now
    with db.session() as s:
        got = s.execute(update(JobLock).where(*conditions).values(**values)).rowcount
    return got == 1


def renew_lease(db: Database, name: str, owner: str, lease: dt.timedelta) -> bool:
    """Extend a lease ``owner`` holds; False when it is not (or no longer) theirs."""
    with db.session() as s:
        n = s.execute(update(JobLock).where(JobLock.job_id == name, JobLock.owner == owner)
                      .values(lease_until=utcnow() + lease)).rowcount
    return n == 1


@contextlib.contextmanager
def keep_renewed(db: Database, name: str, owner: str, lease: dt.timedelta) -> Iterator[None]:
    """Renew a lease ``owner`` holds every third of its length while the block runs (a heartbeat thread)."""
    done = threading.Event()

    def heartbeat() -> None:
        while not done.wait(max(1.0, lease.total_seconds() / 3)):
            try:
                if not renew_lease(db, name, owner, lease):
                    log.warning("the lease %s was taken over by another process (it had expired)", name)
            except Exception:  # noqa: BLE001 - a missed renewal is retried
                log.exception("renewing the lease %s failed", name)

    beat = threading.Thread(target=heartbeat, name=f"lease-{name}", daemon=True)
    beat.start()
    try:
        yield
    finally:
        done.set()
        beat.join()


def release_lease(db: Database, name: str, owner: str) -> None:
    """Give a lease back (nothing happens when ``owner`` does not hold it)."""
    with db.session() as s:
        s.execute(update(JobLock).where(JobLock.job_id == name, JobLock.owner == owner)
                  .values(owner=None, lease_until=None))


def lease_holder(db: Database, name: str) -> Holder | None:
    """The live holder of ``name``, None when it is free or its lease expired."""
    with db.session() as s:
        row = s.get(JobLock, name)
        if row is None or row.owner is None or row.lease_until is None or row.lease_until < utcnow():
            return None
        return Holder(row.owner, row.lease_until)

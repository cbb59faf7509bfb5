"""The crawl lock of the CLI's ``run`` and ``crawl``: a lease in ``job_locks`` shared with the service's crawl job."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import time
import uuid
from collections.abc import Iterator

from govwatch.context import Context
from govwatch.errors import RunLocked
from storage.locks import CRAWL_LOCK, acquire_lease, keep_renewed, lease_holder, release_lease

__all__ = ["crawl_lock"]


def _owner(command: str) -> str:
    return f"cli-{command}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@contextlib.contextmanager
def crawl_lock(ctx: Context, command: str, *, wait: float = 0.0, poll: float = 2.0) -> Iterator[str]:
    """Hold the database's crawl lock for the block (renewed every third of ``schedule.lease_seconds``).

    When another run, crawl or the service's crawl job holds it, wait up to ``wait`` seconds, then raise
    :class:`RunLocked` naming the holder. A holder that died loses the lock once its lease expired.
    """
    db = ctx.db
    lease = dt.timedelta(seconds=ctx.config.schedule.lease_seconds)
    owner = _owner(command)
    deadline = time.monotonic() + max(wait, 0.0)
    while not acquire_lease(db, CRAWL_LOCK, owner, lease):
        if time.monotonic() >= deadline:
            holder = lease_holder(db, CRAWL_LOCK)
            until = holder.lease_until.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M:%S") if holder else "?"
            raise RunLocked(holder.owner if holder else "?", until)
        time.sleep(min(poll, max(deadline - time.monotonic(), 0.05)))
    try:
        with keep_renewed(db, CRAWL_LOCK, owner, lease):
            yield owner
    finally:
        release_lease(db, CRAWL_LOCK, owner)

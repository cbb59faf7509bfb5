"""Delivery: every send recorded in ``notices`` (unit, kind, period, channel) — sent once, retried with backoff.

A notice is rendered once per period and stored on disk before its rows are queued, so a channel outage
(or a crash) never loses it: the rows stay ``pending``/``failed`` and a later run sends exactly what is missing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from config.catalogue import Catalogue
from config.schema import Config
from notifier.channels import Channel, ChannelError, OutboxChannel, SmtpChannel, WebhookChannel
from notifier.notices import RenderedNotice, due_notices
from notifier.render import oneline
from storage.db import Database
from storage.models import Notice, NoticeAttempt, utcnow

__all__ = [
    "DeliveryReport",
    "backoff_seconds",
    "build_channels",
    "channels_for",
    "deliver_pending",
    "describe",
    "enqueue",
    "notify",
]

log = logging.getLogger("govwatch.notify")

#: a send that started this long ago without finishing (the process died) is tried again
SENDING_LEASE = dt.timedelta(minutes=15)


@dataclass
class DeliveryReport:
    """What one notify run did."""

    rendered: list[RenderedNotice] = field(default_factory=list)
    queued: int = 0
    already: int = 0
    sent: list[tuple[str, str, str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    waiting: int = 0
    stopped: bool = False
    files: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether nothing failed in this run."""
        return not self.failed


def backoff_seconds(attempts: int, base: int, cap: int) -> int:
    """Seconds to wait after the ``attempts``-th failed attempt: base, 2×base, 4×base … at most ``cap``."""
    return int(min(cap, base * 2 ** max(0, attempts - 1)))


def build_channels(config: Config, output_dir: Path) -> dict[str, Channel]:
    """The configured channels by name."""
    n = config.notify
    out: dict[str, Channel] = {}
    if n.smtp:
        out["email"] = SmtpChannel(n.smtp)
    for hook in n.webhooks:
        out[hook.channel] = WebhookChannel(hook)
    if n.outbox:
        box = Path(n.outbox)
        out["outbox"] = OutboxChannel(box if box.is_absolute() else output_dir / box,
                                      sender=n.smtp.sender if n.smtp else "govwatch@localhost")
    return out


def channels_for(config: Config, notice: RenderedNotice) -> list[str]:
    """The channels a notice goes out on: e-mail to its recipients, subscribed robots; else the outbox."""
    n = config.notify
    names: list[str] = []
    if n.smtp and notice.recipients:
        names.append("email")
    names += [h.channel for h in n.webhooks if notice.kind in h.kinds]
    if n.outbox and (n.outbox_always or not names):
        names.append("outbox")
    return names


def store_path(store: Path, notice: RenderedNotice) -> Path:
    """Where the rendered notice of this period is kept (the content every channel sends)."""
    return store / notice.kind / notice.period / f"{notice.stem}.json"


def enqueue(db: Database, config: Config, notices: Sequence[RenderedNotice], store: Path, channels: dict[str, Channel]) -> tuple[int, int]:
    """Store each notice (first rendering of a period wins) and queue one row per channel; (queued, already)."""
    queued = already = 0
    for notice in notices:
        names = [c for c in channels_for(config, notice) if c in channels]
        if not names:
            log.warning("no channel for %s %s %s: configure notify.smtp, notify.webhooks or notify.outbox",
                        notice.kind, notice.unit_id, notice.period)
            continue
        with db.session() as s:
            existing = set(s.scalars(select(Notice.channel).where(
                Notice.unit_id == notice.unit_id, Notice.kind == notice.kind, Notice.period == notice.period)))
        missing = [c for c in names if c not in existing]
        already += len(names) - len(missing)
        if not missing:
            continue
        path = store_path(store, notice)
        if not path.exists():
            notice.write(path.parent)
        stored = RenderedNotice.read(path)
        for name in missing:
            try:
                with db.session() as s:
                    s.add(Notice(unit_id=notice.unit_id, kind=notice.kind, period=notice.period, channel=name,
                                 recipients=channels[name].recipients(stored), status="pending", path=str(path)))
                queued += 1
            except IntegrityError:  # another process queued it at the same moment
                already += 1
    return queued, already


def _last_attempt(db: Database, notice_id: str) -> dt.datetime | None:
    with db.session() as s:
        return s.scalar(select(func.max(NoticeAttempt.at)).where(NoticeAttempt.notice_id == notice_id))


def deliver_pending(
    db: Database,
    config: Config,
    channels: dict[str, Channel],
    *,
    now: dt.datetime | None = None,
    force: bool = False,
    stop: Callable[[], bool] | None = None,
    kinds: Sequence[str] | None = None,
    report: DeliveryReport | None = None,
) -> DeliveryReport:
    """Send every queued notice that is due (failed ones after their backoff, or all with ``force``)."""
    report = report or DeliveryReport()
    now = now or utcnow()
    n = config.notify
    with db.session() as s:
        q = select(Notice).where(Notice.status.in_(("pending", "failed", "sending")))
        if kinds:
            q = q.where(Notice.kind.in_(list(kinds)))
        rows = [(r.id, r.status, r.attempts) for r in s.scalars(q.order_by(Notice.created_at, Notice.id))]
    for notice_id, status, attempts in rows:
        if stop and stop():
            report.stopped = True
            break
        last = _last_attempt(db, notice_id)
        if status == "sending":
            if last is not None and now - last < SENDING_LEASE:
                report.waiting += 1
                continue  # another process is sending it right now
        elif status == "failed" and not force and last is not None:
            if now < last + dt.timedelta(seconds=backoff_seconds(attempts, n.retry_base_seconds, n.retry_max_seconds)):
                report.waiting += 1
                continue
        _send_one(db, notice_id, status, channels, report, now)
    return report


def _send_one(db: Database, notice_id: str, status: str, channels: dict[str, Channel], report: DeliveryReport,
              now: dt.datetime) -> None:
    with db.session() as s:
        claimed = s.execute(
            update(Notice).where(Notice.id == notice_id, Notice.status == status)
            .values(status="sending", attempts=Notice.attempts + 1)
        ).rowcount
        if claimed != 1:
            return  # someone else took it
        row = s.get(Notice, notice_id)
        assert row is not None
        attempt = NoticeAttempt(notice_id=notice_id, at=utcnow(), ok=False, error="sending")
        s.add(attempt)
        s.flush()
        attempt_id = attempt.id
        key = (row.kind, row.unit_id, row.period, row.channel)
        recipients, path = list(row.recipients or []), row.path
    error: str | None = None
    try:
        channel = channels.get(key[3])
        if channel is None:
            raise ChannelError(f"channel {key[3]!r} is no longer configured")
        if not path or not Path(path).exists():
            raise ChannelError(f"the stored notice {path} is missing")
        channel.send(RenderedNotice.read(Path(path)), recipients)
    except ChannelError as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - a bug in a channel must not stop the other notices
        error = f"{type(exc).__name__}: {exc}"
        log.exception("sending %s failed", key)
    except BaseException:
        _finish(db, notice_id, attempt_id, "interrupted (the process was stopped during the send)")
        raise
    _finish(db, notice_id, attempt_id, error)
    if error is None:
        report.sent.append(key)
    else:
        log.warning("notice %s not delivered: %s", key, error)
        report.failed.append((*key, oneline(error, 500)))


def _finish(db: Database, notice_id: str, attempt_id: int, error: str | None) -> None:
    with db.session() as s:
        row = s.get(Notice, notice_id)
        attempt = s.get(NoticeAttempt, attempt_id)
        if row is None or attempt is None:
            return
        attempt.ok, attempt.error = error is None, error
        row.status = "sent" if error is None else "failed"
        row.error = error
        if error is None:
            row.sent_at = utcnow()


def notify(
    db: Database,
    config: Config,
    catalogue: Catalogue,
    as_of: dt.date,
    *,
    output_dir: Path,
    kinds: Sequence[str] = ("digest", "rectification"),
    override_dir: str | None = None,
    dry_run: bool = False,
    preview_dir: Path | None = None,
    force_retry: bool = False,
    units: set[str] | None = None,
    stop: Callable[[], bool] | None = None,
    channels: dict[str, Channel] | None = None,
    now: dt.datetime | None = None,
) -> DeliveryReport:
    """Render the notices due at ``as_of``, queue them once per period and channel, and send what is due.

    With ``dry_run`` nothing is recorded or sent: the notices are written to ``preview_dir``.
    """
    with db.session() as s:
        rendered = due_notices(s, config, catalogue, as_of, kinds, override_dir=override_dir, units=units)
    report = DeliveryReport(rendered=rendered)
    if dry_run:
        target = preview_dir or output_dir / "preview"
        for notice in rendered:
            notice.write(target)
            report.files.append(target / f"{notice.stem}.html")
        return report
    channels = channels if channels is not None else build_channels(config, output_dir)
    report.queued, report.already = enqueue(db, config, rendered, output_dir / "notices", channels)
    if kinds and "digest" in kinds:
        for notice in rendered:
            if notice.kind == "digest":
                path = output_dir / f"digest-{notice.period}.html"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(notice.html, encoding="utf-8")
                report.files.append(path)
    return deliver_pending(db, config, channels, now=now, force=force_retry, stop=stop, report=report)


def describe(report: DeliveryReport) -> dict[str, Any]:
    """A JSON-able summary (job results, logs)."""
    return {"rendered": len(report.rendered), "queued": report.queued, "already_sent_or_queued": report.already,
            "sent": len(report.sent), "failed": len(report.failed), "waiting": report.waiting,
            "stopped": report.stopped}

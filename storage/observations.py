"""Writing observations (page snapshots and their items) and reading them back for the checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checks.base import (
    AccountObs,
    AccountView,
    CheckInput,
    ColumnView,
    DocumentObs,
    ItemObs,
    MessageObs,
    PageObs,
    ProbeObs,
    SiteView,
    UnitView,
)
from storage.models import (
    AccountRow,
    AccountSnapshot,
    ColumnItem,
    ColumnRow,
    PageSnapshot,
    Probe,
    SiteRow,
    Unit,
    utcnow,
)

__all__ = ["ItemRecord", "PageRecord", "crawl_memory", "load_check_input", "record_account", "record_page"]

#: statuses of a page observation whose items were read (what a later crawl may build on)
READ_STATUSES = ("ok", "empty", "not_modified")


@dataclass(frozen=True)
class ItemRecord:
    """One list item as the crawler read it."""

    title: str
    url: str
    date: dt.date | None = None
    pinned: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    """Further fields of the row, JSON-ready (ISO dates)."""


@dataclass
class PageRecord:
    """What the crawler observed on one watched page (column or homepage)."""

    column_id: int
    status: str
    fetched_at: dt.datetime = field(default_factory=utcnow)
    http_status: int | None = None
    error: str | None = None
    final_url: str | None = None
    extractor: str | None = None
    pages: int = 0
    items: list[ItemRecord] = field(default_factory=list)
    duration_ms: int | None = None
    info: dict[str, Any] = field(default_factory=dict)


def record_page(session: Session, rec: PageRecord, run_id: int | None = None) -> PageSnapshot:
    """Store one page observation; its items update the column's item history (first/last seen)."""
    unique: dict[str, ItemRecord] = {}
    for item in rec.items:
        unique.setdefault(item.url, item)
    dates = sorted({i.date for i in unique.values() if i.date is not None})
    snap = PageSnapshot(
        run_id=run_id,
        column_id=rec.column_id,
        fetched_at=rec.fetched_at,
        status=rec.status,
        error=rec.error,
        http_status=rec.http_status,
        final_url=rec.final_url,
        extractor=rec.extractor,
        pages=rec.pages,
        item_count=len(unique),
        dated_count=sum(1 for i in unique.values() if i.date is not None),
        item_dates=[d.isoformat() for d in dates],
        newest_date=dates[-1] if dates else None,
        duration_ms=rec.duration_ms,
        info=rec.info,
    )
    session.add(snap)
    if unique:
        existing = {
            ci.url: ci
            for ci in session.scalars(
                select(ColumnItem).where(ColumnItem.column_id == rec.column_id, ColumnItem.url.in_(list(unique)))
            )
        }
        for url, item in unique.items():
            row = existing.get(url)
            if row is None:
                session.add(
                    ColumnItem(
                        column_id=rec.column_id,
                        url=url,
                        title=item.title,
                        date=item.date,
                        pinned=item.pinned,
                        extra=dict(item.extra),
                        first_seen=rec.fetched_at,
                        last_seen=rec.fetched_at,
                    )
                )
            else:
                row.title, row.date, row.pinned, row.last_seen = item.title, item.date, item.pinned, rec.fetched_at
                if item.extra and item.extra != row.extra:
                    row.extra = dict(item.extra)
    session.flush()
    return snap


def crawl_memory(session: Session, column_ids: list[int]) -> dict[int, dict[str, Any]]:
    """What the last read of each column lets the next crawl skip, JSON-ready, by column id.

    ``list_head``: the fingerprint of the list's first page with the items read on its further pages then
    (``further``: title, url, date, pinned, extra, from the column's item history) and the day those pages
    were fetched (``walked``); ``known_dates``: for a column whose articles were opened for their dates, the
    dates (and 成文日期) already read, by article URL; ``script_built``: the list was last read only through the
    browser.
    """
    if not column_ids:
        return {}
    latest = (select(func.max(PageSnapshot.id)).where(PageSnapshot.status.in_(READ_STATUSES),
                                                      PageSnapshot.column_id.in_(column_ids))
              .group_by(PageSnapshot.column_id).scalar_subquery())
    out: dict[int, dict[str, Any]] = {}
    dated_by_article: list[int] = []
    further_urls: dict[int, list[str]] = {}
    for snap in session.scalars(select(PageSnapshot).where(PageSnapshot.id.in_(latest))):
        info = snap.info or {}
        head = info.get("list_head")
        if isinstance(head, dict) and head.get("fingerprint"):
            out.setdefault(snap.column_id, {})["list_head"] = dict(head)
            further_urls[snap.column_id] = [str(u) for u in head.get("further") or []]
        if info.get("articles_opened") or (info.get("date_sources") or {}).get("known"):
            dated_by_article.append(snap.column_id)
        if info.get("rendered") == "fallback" and info.get("script_built") and not info.get("browser_error"):
            out.setdefault(snap.column_id, {})["script_built"] = True
    wanted = set(dated_by_article) | set(further_urls)
    if not wanted:
        return out
    rows: dict[int, dict[str, ColumnItem]] = {}
    for it in session.scalars(select(ColumnItem).where(ColumnItem.column_id.in_(wanted))):
        rows.setdefault(it.column_id, {})[it.url] = it
    for cid, urls in further_urls.items():
        items = [rows.get(cid, {}).get(u) for u in urls]
        if any(it is None for it in items):  # the history lost an item: walk the pages again
            del out[cid]["list_head"]
            continue
        out[cid]["list_head"]["further"] = [
            {"title": it.title, "url": it.url, "date": it.date.isoformat() if it.date else None,
             "pinned": it.pinned, "extra": dict(it.extra or {})} for it in items if it is not None]
    for cid in dated_by_article:
        known = {u: [it.date.isoformat(), (it.extra or {}).get("written")]
                 for u, it in rows.get(cid, {}).items() if it.date is not None}
        if known:
            out.setdefault(cid, {})["known_dates"] = known
    return out


def record_account(session: Session, account_id: int, obs: Any, run_id: int | None = None) -> AccountSnapshot:
    """Store one account observation (a crawler.accounts.AccountObservation: status, posts, error)."""
    posts = [p.to_dict() if hasattr(p, "to_dict") else dict(p) for p in obs.posts]
    snap = AccountSnapshot(
        run_id=run_id,
        account_id=account_id,
        fetched_at=obs.fetched_at or utcnow(),
        status=obs.status,
        error=obs.error,
        http_status=obs.http_status,
        post_count=len(posts),
        posts=posts,
    )
    session.add(snap)
    session.flush()
    return snap


def _load_new_items(session: Session, inp: CheckInput, col_ids: set[int]) -> None:
    """Items that appeared after a page was first read (back-dating needs them), the year before as_of."""
    starts = dict(
        session.execute(
            select(PageSnapshot.column_id, func.min(PageSnapshot.fetched_at))
            .where(PageSnapshot.status.in_(READ_STATUSES))
            .group_by(PageSnapshot.column_id)
        ).all()
    )
    for cid, start in starts.items():
        if cid in col_ids:
            inp.watch_start[cid] = start if start.tzinfo else start.replace(tzinfo=dt.UTC)
    end = dt.datetime.combine(inp.as_of + dt.timedelta(days=1), dt.time(), inp.tz)
    begin = end - dt.timedelta(days=366)
    rows = session.scalars(
        select(ColumnItem)
        .where(ColumnItem.first_seen >= begin, ColumnItem.first_seen < end, ColumnItem.date.is_not(None))
        .order_by(ColumnItem.id)
    )
    for it in rows:
        start = inp.watch_start.get(it.column_id)
        if start is not None and it.first_seen > start:
            inp.new_items.setdefault(it.column_id, []).append(
                ItemObs(it.column_id, it.title, it.url, it.date, it.first_seen)
            )


def _iso_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _load_messages(session: Session, inp: CheckInput, days: int) -> None:
    """Messages (items with ``extra.kind == "message"``) of the interaction columns, asked in the ``days``
    before as_of; their reply state is the one last seen."""
    board_ids = [c.id for c in inp.columns if c.category == "interaction" and c.role == "column"]
    if not board_ids:
        return
    since = inp.as_of - dt.timedelta(days=days)
    rows = session.scalars(
        select(ColumnItem)
        .where(ColumnItem.column_id.in_(board_ids), ColumnItem.date.is_not(None), ColumnItem.date >= since)
        .order_by(ColumnItem.id)
    )
    for it in rows:
        extra = it.extra or {}
        if extra.get("kind") != "message":
            continue
        asked = _iso_date(extra.get("asked")) or it.date
        inp.messages.setdefault(it.column_id, []).append(MessageObs(
            column_id=it.column_id, title=it.title, url=it.url, asked=asked, replied=_iso_date(extra.get("replied")),
            state=str(extra.get("state") or "unknown"), type=extra.get("type") or None, first_seen=_aware(it.first_seen),
            last_seen=_aware(it.last_seen),
        ))


def _load_documents(session: Session, inp: CheckInput, col_ids: set[int]) -> None:
    """Items showing a document date (``extra.written``, 成文日期) beside their publication date (the item
    date), published in the year before as_of (late publication needs them)."""
    since = inp.as_of - dt.timedelta(days=365)
    rows = session.scalars(
        select(ColumnItem)
        .where(ColumnItem.date.is_not(None), ColumnItem.date >= since, ColumnItem.date <= inp.as_of)
        .order_by(ColumnItem.id)
    )
    for it in rows:
        if it.column_id not in col_ids:
            continue
        try:
            written = dt.date.fromisoformat(str((it.extra or {}).get("written") or ""))
        except ValueError:
            continue  # no (or no valid) document date
        seen = it.first_seen if it.first_seen.tzinfo else it.first_seen.replace(tzinfo=dt.UTC)
        inp.documents.setdefault(it.column_id, []).append(
            DocumentObs(it.column_id, it.title, it.url, written, it.date, seen)
        )


def _latest_ids(session: Session, model: Any, key: Any) -> Any:
    return select(func.max(model.id)).group_by(key).scalar_subquery()


def load_check_input(
    session: Session,
    as_of: dt.date,
    tz: dt.tzinfo,
    *,
    probe_days: int = 7,
    account_history: int = 10,
    message_days: int = 732,
) -> CheckInput:
    """Read the active roster and its latest observations into plain data for the checks."""
    inp = CheckInput(as_of=as_of, tz=tz)
    for u in session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.id)):
        inp.units[u.id] = UnitView(u.id, u.name, u.kind)
    for s in session.scalars(select(SiteRow).where(SiteRow.active.is_(True)).order_by(SiteRow.id)):
        if s.unit_id in inp.units:
            inp.sites.append(SiteView(s.id, s.unit_id, s.url, s.homepage_is_nav))
    site_ids = {s.id for s in inp.sites}
    for c in session.scalars(select(ColumnRow).where(ColumnRow.active.is_(True)).order_by(ColumnRow.id)):
        if c.site_id in site_ids:
            inp.columns.append(ColumnView(c.id, c.unit_id, c.site_id, c.name, c.url, c.category, c.top_level, c.role))
    col_ids = {c.id for c in inp.columns}
    had_items = set(session.scalars(select(ColumnItem.column_id).distinct()))
    latest = session.scalars(
        select(PageSnapshot).where(PageSnapshot.id.in_(_latest_ids(session, PageSnapshot, PageSnapshot.column_id)))
    )
    for snap in latest:
        if snap.column_id not in col_ids:
            continue
        read = (snap.info or {}).get("read") or {}
        inp.pages[snap.column_id] = PageObs(
            column_id=snap.column_id,
            fetched_at=snap.fetched_at,
            status=snap.status,
            item_count=snap.item_count,
            item_dates=tuple(dt.date.fromisoformat(d) for d in snap.item_dates),
            ever_had_items=snap.item_count > 0 or snap.column_id in had_items,
            error=snap.error,
            extractor=snap.extractor,
            confidence=read.get("confidence") or "high",
            doubt=read.get("doubt"),
        )
    _load_new_items(session, inp, col_ids)
    _load_documents(session, inp, col_ids)
    _load_messages(session, inp, message_days)
    from storage.content import load_content_docs

    load_content_docs(session, inp)
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tz)
    start = end - dt.timedelta(days=probe_days)
    for p in session.scalars(
        select(Probe).where(Probe.at >= start, Probe.at < end, Probe.site_id.in_(site_ids)).order_by(Probe.at)
    ):
        inp.probes.setdefault(p.site_id, []).append(ProbeObs(p.site_id, p.at, p.ok, p.status, p.duration_ms))
    from storage.links import load_link_obs

    inp.links = load_link_obs(session, site_ids)
    for a in session.scalars(select(AccountRow).where(AccountRow.active.is_(True)).order_by(AccountRow.id)):
        if a.unit_id in inp.units:
            inp.accounts.append(AccountView(a.id, a.unit_id, a.platform, a.key, a.name))
    for acc in inp.accounts:
        rows = session.scalars(
            select(AccountSnapshot)
            .where(AccountSnapshot.account_id == acc.id)
            .order_by(AccountSnapshot.id.desc())
            .limit(account_history)
        ).all()
        inp.account_history[acc.id] = [
            AccountObs(r.account_id, r.fetched_at, r.status, tuple(r.posts), r.error) for r in reversed(rows)
        ]
    return inp

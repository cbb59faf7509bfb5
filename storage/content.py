"""Documents read for the content checks: which to read (each once), storing what was read, loading it back."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from checks.base import CheckInput, ContentDocObs
from storage.models import ColumnItem, ColumnRow, ContentDoc, Finding, SiteRow, utcnow

__all__ = ["CONTENT_RULES", "DocRecord", "DocTask", "docs_to_read", "known_attachments", "load_content_docs", "record_doc", "url_hash"]

#: the rules judged on the documents' text; a document with a confirmed finding of these is read again each cycle
CONTENT_RULES = ("content.error", "content.privacy")
#: statuses worth another try on a later cycle (our fetch failed); the rest are final for that content
_RETRY = frozenset({"timeout", "dns", "refused", "tls", "network_error", "http_5xx", "blocked", "rate_limited"})
_MAX_ATTEMPTS = 3
#: column categories whose items are not articles of the unit (message boards are judged elsewhere)
_NOT_READ = ("exempt",)


def url_hash(url: str) -> str:
    """The key of a document: sha1 of its URL."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DocTask:
    """An article to read (with its attachments)."""

    url: str
    unit_id: str
    column_id: int | None
    column: str | None
    title: str | None
    recheck: bool = False


@dataclass
class DocRecord:
    """What reading one document gave: status, the bytes' hash and size, the text (when readable)."""

    url: str
    unit_id: str
    kind: str
    status: str
    column_id: int | None = None
    parent_url: str | None = None
    title: str | None = None
    error: str | None = None
    content_hash: str | None = None
    size: int | None = None
    text: str | None = None
    info: dict[str, Any] = field(default_factory=dict)


def docs_to_read(session: Session, *, since: dt.datetime, limit: int) -> list[DocTask]:
    """Articles to read this cycle: the ones with a confirmed content finding (to see whether it was fixed), then
    items first seen since ``since`` that were never read (or whose fetch failed fewer than 3 times), newest first.
    Suspected findings wait for a person: their documents are not read again."""
    known: dict[str, ContentDoc] = {d.url_hash: d for d in session.scalars(
        select(ContentDoc).where(ContentDoc.kind == "article"))}
    live = set(session.scalars(select(Finding.target).where(
        Finding.rule.in_(CONTENT_RULES), Finding.status.in_(("open", "upheld")))))
    tasks: list[DocTask] = []
    rows = session.execute(
        select(ColumnItem, ColumnRow)
        .join(ColumnRow, ColumnRow.id == ColumnItem.column_id)
        .join(SiteRow, SiteRow.id == ColumnRow.site_id)
        .where(ColumnRow.active.is_(True), SiteRow.active.is_(True), ColumnRow.role == "column",
               ColumnItem.first_seen >= since)
        .order_by(ColumnItem.first_seen.desc(), ColumnItem.id.desc())
    ).all()
    fresh: list[DocTask] = []
    seen: set[str] = set()
    for item, col in rows:
        if (col.category or "") in _NOT_READ or item.url in seen or (item.extra or {}).get("kind") == "message":
            continue
        seen.add(item.url)
        doc = known.get(url_hash(item.url))
        task = DocTask(item.url, col.unit_id, col.id, col.name, item.title)
        if doc is None or (doc.status in _RETRY and doc.attempts < _MAX_ATTEMPTS):
            fresh.append(task)
    # live findings on articles (attachments are re-read with their article)
    parents = {d.url: d for d in known.values()}
    for target in sorted(live):
        doc = parents.get(target)
        if doc is not None:
            tasks.append(DocTask(doc.url, doc.unit_id, doc.column_id, None, doc.title, recheck=True))
    for d in session.scalars(select(ContentDoc).where(ContentDoc.kind == "attachment")):
        if d.url in live and d.parent_url and d.parent_url in parents and d.parent_url not in {t.url for t in tasks}:
            p = parents[d.parent_url]
            tasks.append(DocTask(p.url, p.unit_id, p.column_id, None, p.title, recheck=True))
    return tasks + fresh[: max(0, limit - len(tasks))]


def known_attachments(session: Session, urls: Sequence[str]) -> dict[str, ContentDoc]:
    """The attachments among ``urls`` that were already read (each is read once, whoever links to it)."""
    wanted = {url_hash(u): u for u in urls}
    out: dict[str, ContentDoc] = {}
    keys = list(wanted)
    for i in range(0, len(keys), 300):
        for d in session.scalars(select(ContentDoc).where(ContentDoc.url_hash.in_(keys[i : i + 300]))):
            out[d.url] = d
    return out


def record_doc(session: Session, rec: DocRecord, *, max_chars: int) -> ContentDoc:
    """Store (or update) what reading a document gave; an unchanged content (same hash) keeps its stored text."""
    key = url_hash(rec.url)
    doc = session.scalar(select(ContentDoc).where(ContentDoc.url_hash == key))
    now = utcnow()
    text = rec.text[:max_chars] if rec.text is not None else None
    if doc is None:
        doc = ContentDoc(url_hash=key, url=rec.url, unit_id=rec.unit_id, column_id=rec.column_id, kind=rec.kind,
                         parent_url=rec.parent_url, title=rec.title, status=rec.status, error=rec.error,
                         content_hash=rec.content_hash, size=rec.size, text=text, chars=len(text or ""),
                         attempts=1, first_read=now, read_at=now, info=dict(rec.info))
        session.add(doc)
    else:
        doc.attempts += 1
        doc.read_at = now
        if rec.status in _RETRY and doc.status == "ok":
            doc.info = {**(doc.info or {}), "last_error": rec.error or rec.status}  # keep the text read before
        else:
            doc.status, doc.error, doc.size, doc.info = rec.status, rec.error, rec.size, dict(rec.info)
            if rec.content_hash != doc.content_hash or text is not None:
                doc.content_hash, doc.text, doc.chars = rec.content_hash, text, len(text or "")
        if rec.title:
            doc.title = rec.title
    session.flush()
    return doc


def load_content_docs(session: Session, inp: CheckInput) -> None:
    """The readable documents of the active units into the check input (their latest text)."""
    columns = {c.id: c.name for c in inp.columns}
    for d in session.scalars(select(ContentDoc).where(ContentDoc.status == "ok").order_by(ContentDoc.id)):
        if d.unit_id not in inp.units or not d.text:
            continue
        inp.content_docs.append(ContentDocObs(
            unit_id=d.unit_id, url=d.url, kind=d.kind, text=d.text, title=d.title,
            column=columns.get(d.column_id) if d.column_id else None, parent_url=d.parent_url,
        ))

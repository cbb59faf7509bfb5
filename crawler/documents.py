"""Reading articles and their attachments for the content checks, politely and within size and time limits.

Each host is read by one worker at a time with the crawl delay between requests; hosts run side by side. A
download larger than ``max_bytes`` is stopped (too_large); a fetch that fails is a status (http_error, timeout,
…); a file whose text cannot be read is a status too (unreadable, unsupported). Nothing here raises for a page.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from crawler.doctext import DocError, attachment_ext, file_text, html_text
from crawler.extract.encoding import decode_html
from crawler.outlinks import note_outlinks
from crawler.redirects import RedirectPolicy, httpx_guard
from crawler.status import exception_status, is_blocked
from storage.content import DocRecord, DocTask

__all__ = ["ReadLimits", "read_documents"]


@dataclass(frozen=True)
class ReadLimits:
    """How much is read: bytes per document, PDF pages, characters kept, attachments per article, timeout."""

    max_bytes: int = 20 * 1024 * 1024
    max_pages: int = 200
    max_chars: int = 500_000
    max_attachments: int = 10
    timeout: float = 15.0
    max_seconds: float = 120.0  # one document's download and text extraction together
    delay: float = 1.0
    user_agent: str = "Mozilla/5.0 (compatible; govwatch/0.1)"
    attachments: bool = True
    #: where a redirect may lead besides the document's own host (crawler/redirects.py entries); None: anywhere
    redirect_hosts: tuple[str, ...] | None = None


class _TooLarge(Exception):
    pass


def _get(client: httpx.Client, url: str, limits: ReadLimits) -> tuple[int, str, bytes]:
    started = time.monotonic()
    with client.stream("GET", url) as resp:
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limits.max_bytes:
            raise _TooLarge(int(declared))
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > limits.max_bytes:
                raise _TooLarge(size)
            if time.monotonic() - started > limits.max_seconds:  # a server dripping bytes
                raise httpx.ReadTimeout(f"not complete after {limits.max_seconds:g} s")
            chunks.append(chunk)
        return resp.status_code, resp.headers.get("content-type", ""), b"".join(chunks)


def _fetch(client: httpx.Client, url: str, limits: ReadLimits, rec: DocRecord) -> tuple[str, bytes] | None:
    """The content type and body, or None with the record's status and error set."""
    try:
        status, ctype, body = _get(client, url, limits)
    except _TooLarge as exc:
        rec.status, rec.error, rec.size = "too_large", f"超过 {limits.max_bytes // (1024 * 1024)} MB，未读取", exc.args[0]
        return None
    except httpx.HTTPError as exc:
        rec.status, rec.error = exception_status(exc), f"{type(exc).__name__}: {exc}"[:500]
        return None
    if status >= 400:
        rec.status = "http_5xx" if status >= 500 else "blocked" if is_blocked(status) else "http_error"
        rec.error = f"HTTP {status}"
        return None
    rec.size, rec.content_hash = len(body), hashlib.sha256(body).hexdigest()
    return ctype, body


def _read_attachment(client: httpx.Client, url: str, name: str, parent: DocTask, limits: ReadLimits) -> DocRecord:
    rec = DocRecord(url=url, unit_id=parent.unit_id, kind="attachment", status="ok", column_id=parent.column_id,
                    parent_url=parent.url, title=name)
    got = _fetch(client, url, limits, rec)
    if got is None:
        return rec
    _, body = got
    try:
        text = file_text(body, attachment_ext(url) or "", max_pages=limits.max_pages, max_chars=limits.max_chars,
                              max_seconds=limits.max_seconds)
    except DocError as exc:
        rec.status, rec.error = exc.status, str(exc)[:500]
        return rec
    rec.text = text
    rec.status = "ok" if text.strip() else "empty"
    return rec


def _note_links(rec: DocRecord, body: bytes, ctype: str, url: str) -> None:
    """The article's links, for the next daily link check (crawler/outlinks.py); an undecodable page has none."""
    try:
        html, _ = decode_html(body, ctype)
    except (LookupError, ValueError):
        return
    note_outlinks(rec.info, url, html, cached=False)


def _read_host(tasks: list[DocTask], limits: ReadLimits, skip_attachment: Callable[[str], bool],
               out: list[DocRecord]) -> None:
    headers = {"User-Agent": limits.user_agent}
    hooks: dict[str, list[Callable[[httpx.Response], None]]] = {}
    if limits.redirect_hosts is not None:
        policy = RedirectPolicy(limits.redirect_hosts).with_urls(*(t.url for t in tasks[:1]))
        hooks["response"] = [httpx_guard(policy)]
    with httpx.Client(timeout=limits.timeout, headers=headers, follow_redirects=True, max_redirects=5,
                      event_hooks=hooks) as client:
        first = True
        for task in tasks:
            if not first and limits.delay:
                time.sleep(limits.delay)
            first = False
            rec = DocRecord(url=task.url, unit_id=task.unit_id, kind="article", status="ok", column_id=task.column_id,
                            title=task.title)
            got = _fetch(client, task.url, limits, rec)
            out.append(rec)
            if got is None:
                continue
            ctype, body = got
            ext = attachment_ext(task.url)
            if ext:  # the list links straight to a file
                try:
                    rec.text = file_text(body, ext, max_pages=limits.max_pages, max_chars=limits.max_chars,
                              max_seconds=limits.max_seconds)
                except DocError as exc:
                    rec.status, rec.error = exc.status, str(exc)[:500]
                continue
            try:
                doc = html_text(body, ctype, task.url)
            except DocError as exc:
                rec.status, rec.error = exc.status, str(exc)[:500]
                continue
            rec.text = doc.text
            rec.title = task.title or doc.title
            rec.status = "ok" if doc.text.strip() else "empty"
            _note_links(rec, body, ctype, task.url)
            if not limits.attachments:
                continue
            wanted = [(u, n) for u, n in doc.attachments if task.recheck or not skip_attachment(u)]
            rec.info["attachments"] = len(doc.attachments)
            for url, name in wanted[: limits.max_attachments]:
                if limits.delay:
                    time.sleep(limits.delay)
                out.append(_read_attachment(client, url, name, task, limits))


def read_documents(tasks: Iterable[DocTask], limits: ReadLimits, *, skip_attachment: Callable[[str], bool],
                   workers: int = 4) -> list[DocRecord]:
    """Read every article (and its attachments not read before): one worker per host, hosts side by side."""
    by_host: dict[str, list[DocTask]] = defaultdict(list)
    for t in tasks:
        by_host[urlsplit(t.url).netloc].append(t)
    results: dict[str, list[DocRecord]] = {h: [] for h in by_host}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(by_host) or 1))) as pool:
        futures = [pool.submit(_read_host, ts, limits, skip_attachment, results[h]) for h, ts in by_host.items()]
        for f in futures:
            f.result()
    return [r for h in by_host for r in results[h]]

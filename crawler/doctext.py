"""Text of articles and attachments for the content checks: HTML body, PDF, Word, Excel, plain text and CSV.

One line of text per paragraph or table row (cells separated by tabs); a line starting with LOCATION_MARK names
the part that follows (a PDF page, a worksheet). Limits bound the work: pages and rows read, characters kept.
A document that cannot be read raises DocError with a status (unreadable, unsupported, encrypted).
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html

from checks.privacy import LOCATION_MARK
from config.errors import GovwatchError
from crawler.extract import decode_html

__all__ = ["ATTACHMENT_EXTS", "DocError", "HtmlDoc", "attachment_ext", "file_text", "html_text"]

#: attachment types whose text is read
ATTACHMENT_EXTS = (".pdf", ".docx", ".doc", ".wps", ".xlsx", ".xls", ".et", ".txt", ".csv")
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table",
          "dd", "dt", "blockquote", "pre"}
_CHROME = re.compile(r"(?:^|[\s_-])(?:nav|menu|header|footer|foot|crumb|breadcrumb|banner|sidebar|share|copyright)"
                     r"(?:$|[\s_-])", re.I)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 container: Word 97-2003, Excel 97-2003, WPS
# runs of UTF-16LE text in a Word 97-2003 / WPS binary: ASCII, CJK, CJK punctuation, full-width forms, cell marks
_UTF16_RUN = re.compile(rb"(?:[\x20-\x7e\t\r\x07]\x00|[\x00-\xff][\x4e-\x9f]|[\x00-\x3f]\x30|[\x00-\xef]\xff){4,}")
_SKIP = {"script", "style", "noscript", "template", "head", "select", "option", "nav", "header", "footer"}


class DocError(GovwatchError):
    """A document whose text cannot be read; ``status`` says why (unreadable, unsupported, encrypted)."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class HtmlDoc:
    """An article page's text, title and the attachments it links to (absolute URL, anchor text)."""

    text: str
    title: str | None
    attachments: list[tuple[str, str]]


def attachment_ext(url: str) -> str | None:
    """The attachment type of a URL (by its path, or a file name in its query), or None."""
    parts = urlsplit(url)
    for candidate in (parts.path, unquote(parts.query)):
        low = candidate.lower()
        for ext in ATTACHMENT_EXTS:
            if low.endswith(ext) or f"{ext}&" in low:
                return ext
    return None


def _lines_of(el: lxml.html.HtmlElement, out: list[str]) -> None:
    buf: list[str] = []

    def flush() -> None:
        line = re.sub(r"[ \t\r\f\v\u3000\xa0]+", " ", "".join(buf)).strip()
        if line:
            out.append(line)
        buf.clear()

    def walk(node: lxml.html.HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _SKIP or (tag and _CHROME.search(f"{node.get('class', '')} {node.get('id', '')}")):
            if node.tail:
                buf.append(node.tail)
            return
        if tag == "tr":
            flush()
            cells = [re.sub(r"\s+", " ", c.text_content()).strip() for c in node if c.tag in ("td", "th")]
            if any(cells):
                out.append("\t".join(cells))
            if node.tail:
                buf.append(node.tail)
            return
        if tag in _BLOCK:
            flush()
        if node.text and tag:
            buf.append(node.text)
        for child in node:
            walk(child)
        if tag in _BLOCK:
            flush()
        if node.tail:
            buf.append(node.tail)

    walk(el)
    flush()


def html_text(body: bytes, content_type: str, url: str) -> HtmlDoc:
    """The readable text of an article page (navigation, header and footer left out), and its attachment links."""
    text, _ = decode_html(body, content_type)
    try:
        root = lxml.html.document_fromstring(text or "<html></html>")
    except (ValueError, lxml.etree.ParserError) as exc:
        raise DocError("unreadable", f"HTML: {exc}") from None
    title_el = root.find(".//title")
    h1 = root.find(".//h1")
    title = (h1.text_content() if h1 is not None else title_el.text_content() if title_el is not None else "") or None
    attachments: list[tuple[str, str]] = []
    seen: set[str] = set()
    body_el = root.find("body") if root.find("body") is not None else root
    for a in body_el.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        full = urljoin(url, href)
        if attachment_ext(full) and full not in seen:
            seen.add(full)
            name = re.sub(r"\s+", " ", a.text_content()).strip() or unquote(urlsplit(full).path.rsplit("/", 1)[-1])
            attachments.append((full, name))
    lines: list[str] = []
    _lines_of(body_el, lines)
    return HtmlDoc("\n".join(lines), title.strip() if title else None, attachments)


def file_text(data: bytes, ext: str, *, max_pages: int = 200, max_chars: int = 500_000,
              max_seconds: float = 120.0) -> str:
    """The text of an attachment; ``ext`` as ATTACHMENT_EXTS. Raises DocError when it cannot be read."""
    ext = ext.lower()
    if data[:4] == b"PK\x03\x04":  # a zip container whatever its name says (.wps/.et are often docx/xlsx)
        ext = ".xlsx" if ext in (".xls", ".et", ".xlsx") else ".docx" if ext in (".doc", ".wps", ".docx") else ext
    elif data[:8] == _OLE and ext in (".xlsx", ".et"):
        ext = ".xls"
    try:
        if ext == ".pdf":
            return _pdf(data, max_pages, max_chars, time.monotonic() + max_seconds)
        if ext == ".docx":
            return _docx(data, max_chars)
        if ext == ".xlsx":
            return _xlsx(data, max_pages * 1000, max_chars)
        if ext == ".xls":
            return _xls(data, max_pages * 1000, max_chars)
        if ext in (".txt", ".csv"):
            return _plain(data)[:max_chars]
        if ext in (".doc", ".wps") and data[:8] == _OLE:
            return _ole_word(data, max_chars)
    except DocError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken file is a status, never a crashed cycle
        raise DocError("unreadable", f"{type(exc).__name__}: {exc}"[:500]) from None
    raise DocError("unsupported", f"{ext} 格式暂不能读取")


def _ole_word(data: bytes, max_chars: int) -> str:
    """The text of a Word 97-2003 or WPS binary document, read from its UTF-16 text runs (Chinese documents store
    their text as UTF-16); paragraph and cell marks become line breaks and tabs."""
    out: list[str] = []
    size = 0
    for m in _UTF16_RUN.finditer(data):
        run = m.group(0)
        text = run[: len(run) // 2 * 2].decode("utf-16-le", "ignore")
        if not re.search(r"[\u4e00-\u9fff0-9]", text):
            continue
        text = text.replace("\x07\x07", "\n").replace("\x07", "\t").replace("\r", "\n")
        out.append(text)
        size += len(text)
        if size >= max_chars:
            break
    if not out:
        raise DocError("unsupported", "未能从该 Word/WPS 文档中读出文字")
    return "\n".join(out)


def _plain(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def _pdf(data: bytes, max_pages: int, max_chars: int, deadline: float) -> str:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception:  # noqa: BLE001
            raise DocError("encrypted", "PDF 已加密") from None
    out: list[str] = []
    size = 0
    for i, page in enumerate(reader.pages):
        if i >= max_pages or size >= max_chars or time.monotonic() > deadline:
            break  # what was read so far is judged
        text = page.extract_text() or ""
        out.append(f"{LOCATION_MARK}第{i + 1}页")
        out.append(text)
        size += len(text)
    return "\n".join(out)


def _docx(data: bytes, max_chars: int) -> str:
    import docx
    from docx.document import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        d: Document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocError("unreadable", f"Word: {exc}") from None
    out: list[str] = []
    size = 0
    for block in d.iter_inner_content():
        if size >= max_chars:
            break
        if isinstance(block, Paragraph):
            out.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for c in row.cells:
                    t = c.text.replace("\n", " ").strip()
                    if not cells or cells[-1] != t:  # merged cells repeat their text
                        cells.append(t)
                out.append("\t".join(cells))
        size += len(out[-1]) if out else 0
    return "\n".join(out)


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).replace("\n", " ").strip()


def _xlsx(data: bytes, max_rows: int, max_chars: int) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    out: list[str] = []
    size = 0
    try:
        for ws in wb.worksheets:
            out.append(f"{LOCATION_MARK}工作表“{ws.title}”")
            for n, row in enumerate(ws.iter_rows(values_only=True)):
                if n >= max_rows or size >= max_chars:
                    break
                line = "\t".join(_cell(v) for v in row).rstrip("\t")
                out.append(line)
                size += len(line)
    finally:
        wb.close()
    return "\n".join(out)


def _xls(data: bytes, max_rows: int, max_chars: int) -> str:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True)
    out: list[str] = []
    size = 0
    for sheet in book.sheets():
        out.append(f"{LOCATION_MARK}工作表“{sheet.name}”")
        for r in range(min(sheet.nrows, max_rows)):
            if size >= max_chars:
                break
            line = "\t".join(_cell(v) for v in sheet.row_values(r)).rstrip("\t")
            out.append(line)
            size += len(line)
    return "\n".join(out)

"""Decoding of fetched page bodies: BOM, HTTP charset, <meta> charset, validated against the bytes."""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_html", "normalize_encoding"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_META_TAG = re.compile(rb"<meta\b[^>]*>", re.I)
_META_CHARSET = re.compile(rb"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.I)
_SNIFF_BYTES = 8192

_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gb2312-80": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "gb18030": "gb18030",
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
}
# Single-byte western charsets are declared by careless templates far more often than they are
# true on a Chinese government site: never trust them over the bytes.
_WEAK = {"ascii", "iso8859-1", "cp1252", "latin-1"}


def normalize_encoding(name: str | None) -> str | None:
    """Canonical codec name for a declared charset (GB2312/GBK → gb18030), or None if unknown."""
    if not name:
        return None
    key = name.strip().strip("\"'").lower()
    for candidate in (key, key.replace("_", "-")):
        if candidate in _ALIASES:
            return _ALIASES[candidate]
    try:
        canonical = codecs.lookup(key).name
    except LookupError:
        return None
    return _ALIASES.get(canonical, canonical)


def _declared(body: bytes, content_type: str | bytes | None) -> list[str]:
    names: list[str | None] = []
    if content_type:
        if isinstance(content_type, bytes):
            content_type = content_type.decode("latin-1")
        m = _HTTP_CHARSET.search(content_type)
        if m:
            names.append(m.group(1))
    head = body[:_SNIFF_BYTES]
    m = _XML_DECL.match(head)
    if m:
        names.append(m.group(1).decode("ascii", "replace"))
    for tag in _META_TAG.finditer(head):
        m = _META_CHARSET.search(tag.group(0))
        if m:
            names.append(m.group(1).decode("ascii", "replace"))
    out: list[str] = []
    for name in names:
        enc = normalize_encoding(name)
        if enc and enc not in out:
            out.append(enc)
    return out


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_utf8(body: bytes) -> str | None:
    """UTF-8 text of a body holding a handful of stray invalid bytes among many valid characters."""
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    multibyte = sum(1 for c in text if ord(c) > 0x7F) - bad
    if multibyte >= 50 and bad <= max(2, multibyte // 500):
        return text
    return None


def decode_html(body: bytes, content_type: str | bytes | None = None) -> tuple[str, str]:
    """Decode a page body; return ``(text, encoding used)``.

    Order: byte-order mark, then the HTTP ``charset``, then ``<meta charset>`` /
    ``http-equiv`` (and an XML declaration), each validated against the bytes: a declaration that
    does not decode cleanly (a page saying utf-8 whose bytes are GBK) is skipped, and bytes that are
    valid UTF-8 win over a GB declaration. GB2312/GBK are read as GB18030. Falls back to UTF-8,
    then GB18030, then GB18030 with replacement characters.
    """
    for bom, enc in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(enc, errors="replace"), enc
    has_non_ascii = any(b > 0x7F for b in body)
    if not has_non_ascii:
        return body.decode("ascii"), "utf-8"
    utf8 = _strict(body, "utf-8")
    for enc in _declared(body, content_type):
        if enc in _WEAK:
            continue
        if enc == "gb18030" and utf8 is not None:
            # Multi-byte text that is valid UTF-8 is practically never GBK: the declaration lies.
            return utf8, "utf-8"
        text = _strict(body, enc)
        if text is not None:
            return text, enc
    if utf8 is not None:
        return utf8, "utf-8"
    almost = _mostly_utf8(body)
    if almost is not None:
        return almost, "utf-8"
    text = _strict(body, "gb18030")
    if text is not None:
        return text, "gb18030"
    return body.decode("gb18030", errors="replace"), "gb18030"

"""Date parsing for Chinese government pages: visible list/article dates and dates carried by URLs."""

from __future__ import annotations

import datetime
import re
import unicodedata
from urllib.parse import unquote, urlsplit

__all__ = [
    "collapse_whitespace",
    "date_from_url",
    "find_date",
    "full_date_text",
    "infer_year",
    "normalize_map",
    "normalize_text",
    "parse_date",
    "url_year_month",
]

_MIN_YEAR = 1900
_MAX_YEAR = 2099
_URL_MIN_YEAR = 1990

# 2021-09-06, 2021/9/6, 2021.09.06 (same separator twice), 2021年9月6日, 2021 年 09 月 06 日
_FULL = re.compile(
    r"(?<![\d.])((?:19|20)\d{2})"
    r"(?:(?P<sep>[-/.])(\d{1,2})(?P=sep)(\d{1,2})(?!\d)"
    r"|\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})(?!\d)\s*[日号]?)"
)
# 20210906 when it is the whole text
_COMPACT = re.compile(r"^\s*[\[【(（]?\s*((?:19|20)\d{2})(\d{2})(\d{2})\s*[\]】)）]?\s*$")
# 二〇二一年九月六日 (成文日期 of official documents)
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "O": 0, "0": 0}
_CN_FULL = re.compile(
    r"([〇零○O0一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)
# 09-06, 9/6 (year inferred); not "1-9月", not part of a longer number or a time
_MONTH_DAY = re.compile(r"(?<![\d.:/-])(\d{1,2})([-/])(\d{1,2})(?![\d:/-]|\s*[月日号期年])")
_MONTH_DAY_CN = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
# 21-09-06: a two-digit year (20yy), all parts two digits, same separator twice
_SHORT_YEAR = re.compile(r"(?<![\d.:/-])(\d{2})([-/.])(\d{2})\2(\d{2})(?![\d:/-])")
# 今天 10:30, 昨天, 3小时前 (relative to ``today``), only as the whole text
_RELATIVE = re.compile(
    r"^\s*[\[【(（]?\s*(今天|今日|昨天|昨日|前天|刚刚|(\d+)\s*(分钟|小时|天)前)\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*[\]】)）]?\s*$"
)
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "刚刚": 0, "昨天": 1, "昨日": 1, "前天": 2}
# 09.06 (two digits each) only when it is the whole text; otherwise it is a decimal number
_MONTH_DAY_DOT = re.compile(r"^\s*[\[【(（]?\s*(\d{2})\.(\d{2})\s*[\]】)）]?\s*$")


def collapse_whitespace(text: str) -> str:
    """Collapse runs of whitespace (including ideographic and no-break spaces) to one space."""
    return " ".join(text.replace("\u3000", " ").split())


def normalize_text(text: str) -> str:
    """NFKC-normalise (full-width digits and punctuation) and collapse whitespace."""
    text = unicodedata.normalize("NFKC", text).replace("\u3000", " ")
    return " ".join(text.split())


def normalize_map(text: str) -> tuple[str, list[int]]:
    """NFKC-normalise ``text`` character by character: the result and, for each of its characters,
    the index of the original character it came from (to cut the original at a found position)."""
    whole = unicodedata.normalize("NFKC", text)
    if len(whole) == len(text):
        return whole, list(range(len(text)))
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        norm = unicodedata.normalize("NFKC", ch) if ord(ch) > 0x7F else ch
        out.append(norm)
        index.extend([i] * len(norm))
    return "".join(out), index


def full_date_text(text: str) -> str | None:
    """The first complete date with a four-digit year in ``text`` (2021-09-06, 2021年9月6日 ...),
    as it is written, or None. Used on script sources, where month-day forms would be noise."""
    for m in _FULL.finditer(text):
        if m.group("sep"):
            y, mo, d = m.group(1), m.group(3), m.group(4)
        else:
            y, mo, d = m.group(1), m.group(5), m.group(6)
        if _make(int(y), int(mo), int(d)) is not None:
            return m.group(0)
    return None


def _make(year: int, month: int, day: int, min_year: int = _MIN_YEAR) -> datetime.date | None:
    if not (min_year <= year <= _MAX_YEAR):
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def infer_year(month: int, day: int, today: datetime.date | None) -> datetime.date | None:
    """The latest date with this month and day that is not after ``today`` (None without ``today``)."""
    if today is None:
        return None
    for year in range(today.year, today.year - 9, -1):
        d = _make(year, month, day)
        if d is not None and d <= today:
            return d
    return None


def _cn_number(s: str) -> int:
    if "十" in s:
        head, _, tail = s.partition("十")
        tens = _CN_DIGITS[head] if head else 1
        ones = _CN_DIGITS[tail] if tail else 0
        return tens * 10 + ones
    return int("".join(str(_CN_DIGITS[c]) for c in s))


def find_date(text: str, *, today: datetime.date | None = None) -> tuple[datetime.date, int, int] | None:
    """The first valid date in ``text`` with its (start, end) span in the NFKC-normalised text."""
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text)
    masked = list(text)
    for m in _FULL.finditer(text):
        if m.group("sep"):
            y, mo, d = m.group(1), m.group(3), m.group(4)
        else:
            y, mo, d = m.group(1), m.group(5), m.group(6)
        found = _make(int(y), int(mo), int(d))
        if found is not None:
            return found, m.start(), m.end()
        masked[m.start() : m.end()] = "#" * (m.end() - m.start())
    m = _COMPACT.match(text)
    if m:
        found = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return (found, m.start(1), m.end(3)) if found else None
    for m in _CN_FULL.finditer(text):
        try:
            found = _make(_cn_number(m.group(1)), _cn_number(m.group(2)), _cn_number(m.group(3)))
        except KeyError:
            found = None
        if found is not None:
            return found, m.start(), m.end()
    rest = "".join(masked)
    for m in _SHORT_YEAR.finditer(rest):
        found = _make(2000 + int(m.group(1)), int(m.group(3)), int(m.group(4)))
        if found is not None:
            return found, m.start(), m.end()
    if today is not None:
        m = _RELATIVE.match(text)
        if m:
            if m.group(2):
                days = int(m.group(2)) if m.group(3) == "天" else 0
            else:
                days = _RELATIVE_DAYS[m.group(1)]
            return today - datetime.timedelta(days=days), m.start(1), m.end(1)
    candidates: list[tuple[int, int, int, int]] = []
    for m in _MONTH_DAY.finditer(rest):
        candidates.append((m.start(), m.end(), int(m.group(1)), int(m.group(3))))
    for m in _MONTH_DAY_CN.finditer(rest):
        candidates.append((m.start(), m.end(), int(m.group(1)), int(m.group(2))))
    m = _MONTH_DAY_DOT.match(rest)
    if m:
        candidates.append((m.start(1), m.end(2), int(m.group(1)), int(m.group(2))))
    for start, end, month, day in sorted(candidates):
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        found = infer_year(month, day, today)
        if found is not None:
            return found, start, end
    return None


def parse_date(text: str, *, today: datetime.date | None = None) -> datetime.date | None:
    """The first valid date in ``text``.

    Understands 2021-09-06, 2021/9/6, 2021.09.06, 2021年9月6日, 二〇二一年九月六日, 20210906 (alone),
    21-09-06, bracketed forms such as [2021-09-06] or 【09-06】, dates followed by a time, and, using
    ``today``, month-day forms (09-06, 9/6, 9月6日, 09.06 alone; the year is that of the latest such
    date not after ``today``) and relative ones (今天, 昨天, 3天前, 2小时前). Without ``today`` those
    give None. Impossible dates give None.
    """
    found = find_date(text, today=today)
    return found[0] if found else None


# --- dates carried by URLs -------------------------------------------------------------------

_URL_PATTERNS: tuple[re.Pattern[str], ...] = (
    # TRS WCM: ./202109/t20210906_1234567.html, /t20210906_1234567.shtml
    re.compile(r"(?:^|/)t((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),
    # Hanweb JCMS: /art/2021/9/6/art_1234_567890.html
    re.compile(r"/art/(\d{4})/(\d{1,2})/(\d{1,2})/"),
    # /2021-09/06/c_123.htm (Xinhua-style)
    re.compile(r"/(\d{4})-(\d{1,2})/(\d{1,2})/"),
    # /2021-09-06/...
    re.compile(r"/(\d{4})-(\d{1,2})-(\d{1,2})/"),
    # /2021/09/06/... and /2021/0906/...
    re.compile(r"/(\d{4})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/(\d{4})/(\d{2})(\d{2})/"),
    # /202109/06/...
    re.compile(r"/(\d{4})(\d{2})/(\d{2})/"),
    # /20210906/...
    re.compile(r"/(\d{4})(\d{2})(\d{2})/"),
    # file name that is a date or a date-time stamp: /20210906.html, /20210906103000123.html,
    # /20210906_1234.html
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})(?:\d{6}\d*)?(?:_\d+)?\.[a-z]+$"),
)


def date_from_url(url: str) -> datetime.date | None:
    """The publication date carried by an article URL, or None.

    Recognises TRS ``t20210906_123.html``, Hanweb ``/art/2021/9/6/art_...``, ``/2021-09/06/``,
    ``/2021/09/06/``, ``/2021/0906/``, ``/202109/06/``, ``/20210906/`` and date-stamped file names.
    Impossible dates (2021-13-45) and implausible years are rejected.
    """
    if not url:
        return None
    try:
        path = unquote(urlsplit(url.strip()).path)
    except ValueError:
        return None
    path = path.lower()
    for pattern in _URL_PATTERNS:
        for m in pattern.finditer(path):
            found = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), min_year=_URL_MIN_YEAR)
            if found is not None:
                return found
    return None


# A year-month directory of an article URL: ./201710/t20171019_x.html, /2017-10/x.html, /2017/10/x.html
_URL_YEAR_MONTH = (
    re.compile(r"/((?:19|20)\d{2})(0[1-9]|1[0-2])/"),
    re.compile(r"/((?:19|20)\d{2})[-_/](0?[1-9]|1[0-2])/"),
)


def url_year_month(url: str) -> tuple[int, int] | None:
    """(year, month) carried by an article URL: its full date, else a year-month directory, else None."""
    full = date_from_url(url)
    if full is not None:
        return full.year, full.month
    try:
        path = unquote(urlsplit(url.strip()).path)
    except ValueError:
        return None
    for pattern in _URL_YEAR_MONTH:
        m = pattern.search(path)
        if m and _URL_MIN_YEAR <= int(m.group(1)) <= _MAX_YEAR:
            return int(m.group(1)), int(m.group(2))
    return None

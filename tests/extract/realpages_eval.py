"""Accuracy of the newest-date read on the real-page corpus (tests/extract/realpages/), with the naive
"largest date on the page" reader as the baseline. Used by the corpus test and benchmarks/realpages.py."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
import yaml

from crawler.extract import decode_html, extract

__all__ = ["CORPUS", "Case", "Score", "evaluate", "load_cases", "naive_newest"]

CORPUS = Path(__file__).parent / "realpages"
_FULL = re.compile(r"((?:19|20)\d{2})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)")


@dataclass
class Case:
    """One saved page and the answer determined by hand."""

    file: str
    cms: str
    url: str
    saved: dt.date
    newest: dt.date | None
    meta: dict[str, Any]

    def text(self) -> str:
        return decode_html((CORPUS / self.file).read_bytes())[0]


@dataclass
class Score:
    """The reads of one case by govwatch and by the naive reader."""

    case: Case
    ours: dt.date | None
    naive: dt.date | None
    confidence: str | None

    @property
    def right(self) -> bool:
        return self.ours == self.case.newest

    @property
    def naive_right(self) -> bool:
        return self.naive == self.case.newest


def load_cases() -> list[Case]:
    """Every entry of the manifest."""
    data = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8")) or []
    out = []
    for e in data:
        out.append(Case(e["file"], e["cms"], e["url"], _date(e["saved"]), _date(e.get("newest")), e))
    return out


def _date(v: Any) -> dt.date | None:
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v))


def naive_newest(html: str, today: dt.date) -> dt.date | None:
    """The largest complete date in the page's visible text that is not after ``today``."""
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    best = None
    for m in _FULL.finditer(root.text_content()):
        y, mo, d = int(m.group(1)), int(m.group(2) or m.group(4)), int(m.group(3) or m.group(5))
        try:
            day = dt.date(y, mo, d)
        except ValueError:
            continue
        if day <= today and (best is None or day > best):
            best = day
    return best


def evaluate(cases: list[Case]) -> list[Score]:
    """govwatch's and the naive reader's newest date for every case (the crawl day is the day it was saved)."""
    out = []
    for c in cases:
        text = c.text()
        result = extract(text, c.url, today=c.saved)
        ours = result.newest(c.saved)
        out.append(Score(c, ours, naive_newest(text, c.saved), result.reading.confidence if result.reading else None))
    return out


def by_family(scores: list[Score]) -> dict[str, tuple[int, int, int]]:
    """cms family -> (pages, right, naive right)."""
    fam: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for s in scores:
        f = fam[s.case.cms]
        f[0] += 1
        f[1] += s.right
        f[2] += s.naive_right
    return {k: tuple(v) for k, v in sorted(fam.items())}

"""The ``extract`` entry point: run a named list extractor, or pick the best one for the page."""

from __future__ import annotations

import datetime
import html
import re

from . import extractors as _extractors  # noqa: F401  (registers the built-in extractors)
from . import hanweb as _hanweb  # noqa: F401
from . import messages as _messages  # noqa: F401
from . import scriptdata as _scriptdata  # noqa: F401
from .extractors import has_blank_marker, has_empty_list
from .model import ExtractResult, Selectors
from .page import Page
from .reading import assess
from .registry import REGISTRY

__all__ = ["choose_extractor", "extract"]


def choose_extractor(page: Page) -> str:
    """Name of the registered extractor with the highest score for ``page`` (earlier wins ties)."""
    best_name = "generic"
    best_score = -1.0
    for name, extractor in REGISTRY.items():
        score = extractor.score(page)
        if score > best_score:
            best_name, best_score = name, score
    return best_name


def extract(
    html: str,
    url: str,
    *,
    extractor: str = "auto",
    selectors: Selectors | None = None,
    today: datetime.date | None = None,
) -> ExtractResult:
    """Run the named extractor, or the best one for this page when 'auto'.

    ``selectors`` (a per-column override) makes "auto" use the ``selectors`` extractor. ``today``
    is only used to give a year to dates shown without one (【09-06】); the clock is never read.
    """
    page = Page(html or "", url, today=today, selectors=selectors)
    if extractor == "auto":
        name = "selectors" if selectors is not None else choose_extractor(page)
    else:
        if extractor not in REGISTRY:
            known = ", ".join(sorted(REGISTRY))
            raise ValueError(f"unknown extractor {extractor!r} (known: {known})")
        name = extractor
    result = REGISTRY[name].extract(page)
    commented = False
    if not result.items and not result.script_built and extractor == "auto" and selectors is None:
        found = _commented_list(page)
        if found is not None:
            page, result, commented = found[0], found[1], True
    if not result.items and not result.frames:
        result.frames = list(page.frames)  # the list may live in an embedded frame
    if not result.script_built and not result.frames:
        result.reading = assess(page, result.items, page._cache.get("chosen_block"), result.extractor,
                                blank_marker=has_blank_marker(page), empty_container=has_empty_list(page))
        if commented:
            result.reading.add("commented_list")
    return result


_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_COMMENT_LINK = re.compile(r"<a\s[^>]*href", re.I)


def _commented_list(page: Page) -> tuple[Page, ExtractResult] | None:
    """The list of a page that shows none, when its markup sits in an HTML comment (a template that
    switched to loading the list by script often leaves the server-side list there, commented out)."""
    title = page.root.find(".//title")
    head = f"<head><title>{html.escape(title.text_content()) if title is not None else ''}</title></head>"
    for m in _COMMENT.finditer(page.html):
        text = m.group(1)
        if len(text) < 200 or len(_COMMENT_LINK.findall(text)) < 3:
            continue
        lowered = text.lower()
        if "<li" in lowered and "<ul" not in lowered:
            text = f"<ul>{text}</ul>"
        elif "<tr" in lowered and "<table" not in lowered:
            text = f"<table>{text}</table>"
        sub = Page(f"<html>{head}<body><div>{text}</div></body></html>", page.url, today=page.today)
        result = REGISTRY["generic"].extract(sub)
        if sum(1 for it in result.items if it.date is not None) >= 3:
            return sub, result
    return None

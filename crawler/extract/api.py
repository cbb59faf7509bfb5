"""The ``extract`` entry point: run a named list extractor, or pick the best one for the page."""

from __future__ import annotations

import datetime

from . import extractors as _extractors  # noqa: F401  (registers the built-in extractors)
from . import hanweb as _hanweb  # noqa: F401
from . import messages as _messages  # noqa: F401
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
    if not result.items and not result.frames:
        result.frames = list(page.frames)  # the list may live in an embedded frame
    if not result.script_built and not result.frames:
        result.reading = assess(page, result.items, page._cache.get("chosen_block"), result.extractor,
                                blank_marker=has_blank_marker(page), empty_container=has_empty_list(page))
    return result

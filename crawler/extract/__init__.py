"""List-page extraction: items, dates and further pages of a column, and article publish dates."""

from .api import choose_extractor, extract
from .article import article_date, article_written_date
from .dates import date_from_url, parse_date
from .encoding import decode_html
from .model import ExtractResult, ListItem, Selectors
from .registry import REGISTRY, Extractor, register

__all__ = [
    "REGISTRY",
    "ExtractResult",
    "Extractor",
    "ListItem",
    "Selectors",
    "article_date",
    "article_written_date",
    "choose_extractor",
    "date_from_url",
    "decode_html",
    "extract",
    "parse_date",
    "register",
]

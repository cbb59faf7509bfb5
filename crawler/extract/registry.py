"""Registry of list extractors by name, and the base class every extractor derives from."""

from __future__ import annotations

from collections.abc import Callable

from .model import ExtractResult
from .page import Page

__all__ = ["REGISTRY", "Extractor", "register"]


class Extractor:
    """Base class: ``score`` says how well the extractor fits a page, ``extract`` reads it."""

    name: str = ""

    def score(self, page: Page) -> float:
        """Confidence in [0, 1] that this extractor is the right one for ``page``."""
        raise NotImplementedError

    def extract(self, page: Page) -> ExtractResult:
        """Read the items and further pages of ``page``."""
        raise NotImplementedError

    def help(self) -> str:
        """User help: the class docstring."""
        return (type(self).__doc__ or "").strip()


#: name -> extractor instance, in registration order (earlier wins a tie in "auto").
REGISTRY: dict[str, Extractor] = {}


def register(name: str) -> Callable[[type[Extractor]], type[Extractor]]:
    """Class decorator: register an extractor class under ``name``."""

    def deco(cls: type[Extractor]) -> type[Extractor]:
        if name in REGISTRY:
            raise ValueError(f"extractor {name!r} is already registered")
        cls.name = name
        REGISTRY[name] = cls()
        return cls

    return deco

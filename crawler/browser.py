"""The browser of a crawl (scrapy-playwright): a provider that starts nothing until a page needs the browser,
and the requests a rendered page need not make."""

from __future__ import annotations

from typing import Any

from scrapy_playwright.provider import PlaywrightBrowserProvider

__all__ = ["LazyBrowserProvider", "skip_resource"]

#: what a list never needs to show its items (fewer requests, less memory per page)
SKIPPED_RESOURCES = frozenset({"image", "media", "font"})


def skip_resource(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, media and fonts are not fetched by a rendered page."""
    return request.resource_type in SKIPPED_RESOURCES


class LazyBrowserProvider(PlaywrightBrowserProvider):
    """scrapy-playwright's provider, but the Playwright driver (a Node process) and Chromium start only when
    the first page needs them: a crawl that renders nothing starts no browser process at all."""

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        self._started = False

    async def start(self) -> None:
        """Nothing yet (scrapy-playwright awaits this when the engine starts)."""

    async def launch_browser(self) -> Any:
        """Start the driver (once), then launch the browser."""
        if not self._started:
            await super().start()
            self._started = True
        return await super().launch_browser()

    async def close(self) -> None:
        """Stop the driver when it was started."""
        if self._started:
            await super().close()

"""Scrapy settings built from the crawl section of the config: per-host politeness, timeouts, limits."""

from __future__ import annotations

from typing import Any

from config.schema import CrawlConfig

__all__ = ["scrapy_settings"]


def scrapy_settings(crawl: CrawlConfig, *, db_url: str, run_id: int | None, browser: bool = False) -> dict[str, Any]:
    """The Scrapy settings of one crawl. Politeness is per host: many units share the portal's host."""
    settings: dict[str, Any] = {
        "BOT_NAME": "govwatch",
        "USER_AGENT": crawl.user_agent,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_host,
        "DOWNLOAD_DELAY": crawl.delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if crawl.delay > 0 else 0,
        "DOWNLOAD_TIMEOUT": crawl.timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_body_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": crawl.retries > 0,
        "RETRY_TIMES": crawl.retries,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408],
        "REDIRECT_MAX_TIMES": 10,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle and crawl.delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(crawl.delay, 0.1),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(crawl.concurrency_per_host),
        "HTTPERROR_ALLOW_ALL": True,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "ITEM_PIPELINES": {"crawler.pipelines.StoragePipeline": 300},
        "GOVWATCH_DB_URL": db_url,
        "GOVWATCH_RUN_ID": run_id,
    }
    if browser:
        settings["DOWNLOAD_HANDLERS"] = {
            "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
            "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
        }
        settings["PLAYWRIGHT_BROWSER_TYPE"] = "chromium"
        settings["PLAYWRIGHT_LAUNCH_OPTIONS"] = {
            "executable_path": crawl.chromium_path,
            "headless": True,
            "args": [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync",
            ],
        }
        settings["PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT"] = crawl.timeout * 1000
    return settings

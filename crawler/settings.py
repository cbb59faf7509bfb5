"""Scrapy settings built from the crawl section of the config: per-host politeness, timeouts, limits, cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from config.schema import CrawlConfig

__all__ = ["BROWSER_ARGS", "BROWSER_PAGES", "HANDLED_STATUSES", "HEADLESS_SHELLS", "chromium_executable",
           "scrapy_settings"]

#: lean Chromium: no sandbox, GPU, background services, extensions, audio; no renderer process per site
#: (site isolation off: the pages are read, never trusted with anything)
BROWSER_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
    "--disable-extensions", "--mute-audio", "--disable-dev-shm-usage",
    "--disable-site-isolation-trials", "--disable-features=site-per-process,IsolateOrigins,Translate,MediaRouter",
]
#: pages open at once in the crawl's one browser context (the rest wait)
BROWSER_PAGES = 4
#: Debian's ``chromium-headless-shell`` (Chromium without its UI, lighter), preferred to the default
#: ``crawl.chromium_path`` when installed (``make chromium``)
HEADLESS_SHELLS = ("/usr/bin/chromium-headless-shell", "/usr/lib/chromium/chromium-headless-shell")
#: Every answer the spider reads itself (redirects are left to the redirect middleware).
HANDLED_STATUSES = [304] + list(range(400, 600))


def chromium_executable(crawl: CrawlConfig) -> str | None:
    """The Chromium to drive: the configured one, or for the default path the headless shell when it is
    installed; None when neither exists (no rendering)."""
    default = CrawlConfig.model_fields["chromium_path"].default
    candidates = [*HEADLESS_SHELLS, crawl.chromium_path] if crawl.chromium_path == default else [crawl.chromium_path]
    return next((c for c in candidates if Path(c).exists()), None)


def scrapy_settings(
    crawl: CrawlConfig,
    *,
    db_url: str,
    run_id: int | None,
    browser: str | None = None,
    cache_dir: str | None = None,
    obey_robots: bool | None = None,
) -> dict[str, Any]:
    """The Scrapy settings of one crawl.

    Politeness is per host: Scrapy's download slots are keyed by host name, so 127.0.0.1 and 127.0.0.2 are
    two slots while every unit on the county portal shares the portal's one slot (``CONCURRENT_REQUESTS_PER_IP``
    stays 0 so that the key is the host, not the address). ``delay`` 0 switches politeness off.
    ``browser``: the Chromium executable rendering pages (None: none); it starts with the first rendered page.
    """
    polite = crawl.delay > 0
    settings: dict[str, Any] = {
        "BOT_NAME": "govwatch",
        "USER_AGENT": crawl.user_agent,
        "ROBOTSTXT_OBEY": crawl.obey_robots if obey_robots is None else obey_robots,
        "CONCURRENT_REQUESTS": max(crawl.concurrent_requests, crawl.concurrency_per_host),
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_host,
        "CONCURRENT_REQUESTS_PER_IP": 0,
        # Scrapy 2.19 hands a slot's whole queue to the handlers at once when the delay is 0 (the transfer is
        # counted only when its task starts), which would ignore the per-host concurrency: keep a 1 ms floor.
        "DOWNLOAD_DELAY": crawl.delay if polite else 0.001,
        "DOWNLOAD_DELAY_JITTER": 0.5 if polite else 0,
        "DOWNLOAD_TIMEOUT": crawl.timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_body_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": crawl.retries > 0,
        "RETRY_TIMES": crawl.retries,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408],
        "RETRY_BACKOFF_BASE": crawl.retry_backoff,
        "RETRY_BACKOFF_MAX": max(crawl.retry_backoff * 8, crawl.retry_backoff),
        "REDIRECT_MAX_TIMES": 10,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle and polite,
        "AUTOTHROTTLE_START_DELAY": max(crawl.delay, 0.1),
        "AUTOTHROTTLE_MAX_DELAY": max(crawl.delay * 10, 10.0),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(crawl.concurrency_per_host),
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.middlewares.BackoffRetryMiddleware": 550,
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "crawler.middlewares.SharedRobotsTxtMiddleware": 100,
            "crawler.middlewares.RedirectGuardMiddleware": 50,
        },
        "EXTENSIONS": {"scrapy.extensions.throttle.AutoThrottle": None,
                       "crawler.middlewares.NotModifiedAutoThrottle": 0},
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "ITEM_PIPELINES": {"crawler.pipelines.StoragePipeline": 300},
        "GOVWATCH_DB_URL": db_url,
        "GOVWATCH_RUN_ID": run_id,
    }
    if cache_dir and crawl.http_cache:
        settings.update({
            "HTTPCACHE_ENABLED": True,
            "HTTPCACHE_DIR": str(Path(cache_dir).expanduser().resolve()),
            "HTTPCACHE_POLICY": "crawler.middlewares.RevalidatePolicy",
            "HTTPCACHE_STORAGE": "scrapy.extensions.httpcache.FilesystemCacheStorage",
            "HTTPCACHE_EXPIRATION_SECS": 0,
            "HTTPCACHE_GZIP": True,
        })
    if browser:
        settings["DOWNLOAD_HANDLERS"] = {
            "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
            "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
        }
        settings["PLAYWRIGHT_BROWSER_TYPE"] = "chromium"
        settings["PLAYWRIGHT_BROWSER_PROVIDER"] = "crawler.browser.LazyBrowserProvider"
        settings["PLAYWRIGHT_LAUNCH_OPTIONS"] = {"executable_path": browser, "headless": True,
                                                 "args": list(BROWSER_ARGS)}
        settings["PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT"] = crawl.timeout * 1000
        settings["PLAYWRIGHT_MAX_CONTEXTS"] = 1
        settings["PLAYWRIGHT_MAX_PAGES_PER_CONTEXT"] = BROWSER_PAGES
        settings["PLAYWRIGHT_ABORT_REQUEST"] = "crawler.browser.skip_resource"
    return settings

"""Base of the adapters that render a profile page in Chromium (Playwright) and read the page's own post-list XHR."""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from crawler.status import account_status

from .base import AccountObservation, AccountRef, Adapter, Post, join_url

__all__ = ["DEFAULT_BROWSER_ARGS", "BrowserAdapter", "Capture", "find_chromium", "truthy"]

DEFAULT_BROWSER_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)
_SKIPPED_RESOURCES = {"image", "media", "font"}
_HOP_HEADERS = {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"}
_CAPTCHA_WORDS = ("captcha", "验证码", "安全验证", "verifycenter", "verify.snssdk.com", "滑块")
_LOGIN_WORDS = ("请登录", "登录后查看", "扫码登录", "login-guide", "passport/web/login")
_NOT_FOUND_WORDS = ("用户不存在", "账号已注销", "该账号已注销", "页面不存在", "内容不存在", "账号不存在")


def find_chromium() -> str | None:
    """The Chromium to launch: ``$GOVWATCH_CHROMIUM``, else ``/usr/bin/chromium`` when present, else None
    (Playwright's own browser)."""
    path = os.environ.get("GOVWATCH_CHROMIUM")
    if path:
        return path
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(candidate):
            return candidate
    return None


@dataclass
class Capture:
    """What one rendering saw: the post-list XHR answer (or None), the page, and a note."""

    xhr: httpx.Response | None
    page: httpx.Response | None
    note: str | None = None
    status: str | None = None  # set when the rendering itself failed (timeout, network_error, parse_error)


def _strip_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() not in _HOP_HEADERS}


def truthy(value: Any) -> bool:
    """A platform's flag: true, except empty, 0, "0" and "false"."""
    return bool(value) and value not in ("0", "false", "False")


def json_body(response: httpx.Response | None) -> Any:
    """The decoded JSON body of ``response`` (None when empty or not JSON)."""
    if response is None or not response.content.strip():
        return None
    try:
        return json.loads(response.content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None


class BrowserAdapter(Adapter):
    """Renders the profile page in Chromium and captures the page's own post-list response.

    Options: ``executable_path`` (default: ``$GOVWATCH_CHROMIUM``, ``/usr/bin/chromium``, else
    Playwright's browser), ``browser_args`` (default: no sandbox, no GPU, no background traffic),
    ``headless`` (default True), ``wait`` (seconds to wait for the post list after the page loaded;
    default: ``timeout``), ``max_pages`` (pages rendered at once, default 2), and
    ``route_through_client`` (default False): when true every request of the page is sent through
    the injected ``httpx`` client, so that the same transport, proxy or mock serves the browser.
    """

    xhr_pattern: ClassVar[re.Pattern[str]] = re.compile(r"$^")

    def __init__(
        self,
        *,
        executable_path: str | None = None,
        browser_args: Sequence[str] | None = None,
        headless: bool = True,
        wait: float | None = None,
        max_pages: int = 2,
        route_through_client: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.executable_path = executable_path or find_chromium()
        self.browser_args = list(browser_args if browser_args is not None else DEFAULT_BROWSER_ARGS)
        self.headless = headless
        self.wait = wait
        self.route_through_client = route_through_client
        self._max_pages = max(1, max_pages)
        self._pages: asyncio.Semaphore | None = None
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._playwright: Any = None
        self._browser: Any = None

    # -- to be given by each platform -------------------------------------------------------------
    def profile_path(self, ref: AccountRef) -> str:
        """The profile page's path for an account id."""
        raise NotImplementedError

    def usable_xhr(self, data: Any) -> bool:
        """Whether a decoded post-list answer is final (posts, or a definite error from the platform)."""
        raise NotImplementedError

    # -- URLs -----------------------------------------------------------------------------------
    def profile_url(self, ref: AccountRef) -> str:
        """The profile page URL: built from ``id`` on the base URL, else ``url`` (a path goes on the base)."""
        if ref.id:
            return self.url_for(ref, self.profile_path(ref))
        target = ref.url or ""
        if urlsplit(target).scheme in ("http", "https"):
            return target
        return join_url(self.base_url_for(ref), target.lstrip("/"))

    def host_key(self, ref: AccountRef) -> str:
        return urlsplit(self.profile_url(ref)).netloc or self.name

    def deadline(self, timeout: float) -> float:
        return 3 * timeout + (self.wait or timeout) + 30

    # -- browser lifecycle ------------------------------------------------------------------------
    async def _ensure_browser(self) -> Any:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop: whatever was started before is gone
            self._loop = loop
            self._lock = asyncio.Lock()
            self._pages = asyncio.Semaphore(self._max_pages)
            self._playwright = None
            self._browser = None
        assert self._lock is not None
        async with self._lock:
            if self._browser is None or not self._browser.is_connected():
                from playwright.async_api import async_playwright

                if self._playwright is None:
                    self._playwright = await async_playwright().start()
                self._browser = await self._playwright.chromium.launch(
                    executable_path=self.executable_path,
                    args=self.browser_args,
                    headless=self.headless,
                    timeout=max(30_000, (self.timeout or 15.0) * 2000),
                )
        return self._browser

    async def aclose(self) -> None:
        """Close the browser and stop Playwright."""
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        if browser is not None:
            try:
                await browser.close()
            except Exception:
                pass
        if playwright is not None:
            try:
                await playwright.stop()
            except Exception:
                pass

    # -- rendering --------------------------------------------------------------------------------
    def _cookie_list(self, url: str) -> list[dict[str, str]]:
        cookies = []
        for pair in (self.cookies or "").split(";"):
            name, sep, value = pair.strip().partition("=")
            if sep and name:
                cookies.append({"name": name, "value": value, "url": url})
        return cookies

    async def _route_via_client(self, client: httpx.AsyncClient, route: Any) -> None:
        request = route.request
        try:
            headers = await request.all_headers()
            headers = {k: v for k, v in headers.items() if not k.startswith(":")}
            response = await client.request(
                request.method,
                request.url,
                headers=headers,
                content=request.post_data_buffer,
                follow_redirects=False,
                timeout=self.timeout,
            )
            await route.fulfill(
                status=response.status_code,
                headers=_strip_headers(dict(response.headers)),
                body=response.content,
            )
        except Exception:
            try:
                await route.abort("failed")
            except Exception:
                pass

    async def _route_plain(self, route: Any) -> None:
        try:
            if route.request.resource_type in _SKIPPED_RESOURCES:
                await route.abort()
            else:
                await route.continue_()
        except Exception:
            pass

    async def render(self, client: httpx.AsyncClient, ref: AccountRef) -> Capture:
        """Open the profile page and capture its post-list response (never raises)."""
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        try:
            browser = await self._ensure_browser()
        except Exception as exc:
            return Capture(None, None, note=f"Chromium could not start: {exc}", status="parse_error")
        assert self._pages is not None
        url = self.profile_url(ref)
        timeout = self.timeout or 15.0
        wait = self.wait if self.wait is not None else timeout
        async with self._pages:
            context = await browser.new_context(
                user_agent=self.user_agent,
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
                viewport={"width": 1366, "height": 900},
                extra_http_headers=self.headers or None,
            )
            try:
                cookies = self._cookie_list(url)
                if cookies:
                    await context.add_cookies(cookies)
                page = await context.new_page()
                if self.route_through_client:
                    await page.route("**/*", lambda route: self._route_via_client(client, route))
                else:
                    await page.route("**/*", self._route_plain)
                seen: list[Any] = []
                arrived = asyncio.Event()

                def on_response(response: Any) -> None:
                    if self.xhr_pattern.search(response.url):
                        seen.append(response)
                        arrived.set()

                page.on("response", on_response)
                navigation = None
                note = None
                try:
                    navigation = await page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
                except PlaywrightTimeout:
                    if not seen:
                        return Capture(
                            None, None, note=f"the page did not load within {timeout:g} s", status="timeout"
                        )
                except PlaywrightError as exc:
                    if not seen:
                        return Capture(
                            None,
                            None,
                            note=f"the page could not be opened: {exc.message}",
                            status="network_error",
                        )
                xhr = await self._await_xhr(seen, arrived, page, wait)
                if xhr is None:
                    note = f"no post-list response within {wait:g} s"
                try:
                    html = await page.content()
                except PlaywrightError:
                    html = ""
                page_response = httpx.Response(
                    navigation.status if navigation is not None else 200,
                    headers={"content-type": "text/html; charset=utf-8"},
                    content=html.encode("utf-8"),
                    request=httpx.Request("GET", page.url or url),
                )
                return Capture(xhr, page_response, note=note)
            finally:
                try:
                    await context.close()
                except Exception:
                    pass

    async def _await_xhr(
        self, seen: list[Any], arrived: asyncio.Event, page: Any, wait: float
    ) -> httpx.Response | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        examined = 0
        last: httpx.Response | None = None
        scrolled = False
        while True:
            while examined < len(seen):
                candidate = await self._to_httpx(seen[examined])
                examined += 1
                if candidate is None:
                    continue
                last = candidate
                if self.usable_xhr(json_body(candidate)):
                    return candidate
            remaining = deadline - loop.time()
            if remaining <= 0:
                return last
            arrived.clear()
            if not scrolled and remaining < wait / 2:
                scrolled = True  # some profiles load their list only when scrolled into view
                try:
                    await page.mouse.wheel(0, 1600)
                except Exception:
                    pass
            try:
                await asyncio.wait_for(arrived.wait(), min(remaining, max(0.05, wait / 2)))
            except TimeoutError:
                pass

    @staticmethod
    async def _to_httpx(response: Any) -> httpx.Response | None:
        try:
            body = await response.body()
        except Exception:
            body = b""
        try:
            headers = await response.all_headers()
        except Exception:
            headers = {}
        return httpx.Response(
            response.status,
            headers=_strip_headers(headers),
            content=body,
            request=httpx.Request(response.request.method, response.url),
        )

    async def _fetch(
        self, client: httpx.AsyncClient, ref: AccountRef, *, now: datetime
    ) -> AccountObservation:
        if not (ref.id or ref.url):
            return self.observation(
                ref, "not_found", now=now, error=f"a {self.name} account needs an id or a url"
            )
        capture = await self.render(client, ref)
        if capture.status is not None:
            return self.observation(ref, capture.status, now=now, error=capture.note)
        observation = self.parse(ref, capture.xhr, page=capture.page, now=now)
        if capture.note and observation.error and capture.xhr is None:
            observation.error = f"{observation.error} ({capture.note})"
        return observation

    # -- the post list (a platform says how to read its answer) ----------------------------------
    #: the key of the post list in the platform's answer
    items_key: ClassVar[str] = "data"

    def answer_failure(self, data: dict[str, Any]) -> tuple[str, str] | None:
        """(status, error) when the platform's answer says it refused us or the account is gone, else None."""
        return None

    def post_of(self, ref: AccountRef, item: dict[str, Any]) -> tuple[Post | None, str | None]:
        """One post of the list (None when it has no time) and the account's display name, if it says."""
        raise NotImplementedError

    def parse(
        self,
        ref: AccountRef,
        xhr: httpx.Response | None,
        *,
        now: datetime,
        page: httpx.Response | None = None,
    ) -> AccountObservation:
        """The observation from the captured post-list answer (``page`` explains a missing one)."""
        if xhr is None:
            return self.classify_page(ref, page, now=now)
        failure = self.xhr_failure(ref, xhr, now=now)
        if failure is not None:
            return failure
        data, code = json_body(xhr), xhr.status_code
        refused = self.answer_failure(data)
        if refused is not None:
            return self.observation(ref, refused[0], now=now, http_status=code, error=refused[1])
        items = data.get(self.items_key)
        if not isinstance(items if items is not None else [], list):
            return self.observation(ref, "parse_error", now=now, http_status=code,
                                    error=f"{self.items_key} is not a list")
        posts: list[Post] = []
        display_name, undated = None, 0
        for item in (i for i in items or [] if isinstance(i, dict)):
            post, name = self.post_of(ref, item)
            display_name = display_name or name
            if post is None:
                undated += 1
            else:
                posts.append(post)
        if not posts and undated:
            return self.observation(ref, "parse_error", now=now, http_status=code,
                                    error=f"{undated} posts without a time")
        if not posts and truthy(data.get("has_more")):
            return self.observation(ref, "blocked", now=now, http_status=code,
                                    error=f"an empty {self.items_key} that says has_more (withheld)")
        return self.observation(ref, "ok", posts, now=now, http_status=code, display_name=display_name)

    # -- shared classification ------------------------------------------------------------------
    def classify_page(
        self, ref: AccountRef, page: httpx.Response | None, *, now: datetime
    ) -> AccountObservation:
        """The observation when no post-list response was captured: why, judged from the page."""
        if page is None:
            return self.observation(ref, "parse_error", now=now, error="no page and no post-list response")
        text = page.text
        code = page.status_code
        if code in (404, 410) or any(w in text for w in _NOT_FOUND_WORDS):
            return self.observation(
                ref, "not_found", now=now, http_status=code, error="the profile page says not found"
            )
        if any(w in text for w in _CAPTCHA_WORDS):
            return self.observation(
                ref, "blocked", now=now, http_status=code, error="a verification (captcha) page"
            )
        if any(w in text for w in _LOGIN_WORDS):
            status = "auth_expired" if self.cookies else "blocked"
            return self.observation(ref, status, now=now, http_status=code, error="a login wall")
        status = account_status(code)
        if status is not None:
            return self.observation(
                ref, status, now=now, http_status=code, error=f"HTTP {code} for the profile page"
            )
        return self.observation(
            ref,
            "parse_error",
            now=now,
            http_status=code,
            error="the page loaded but no post-list response was seen",
        )

    def xhr_failure(
        self, ref: AccountRef, xhr: httpx.Response, *, now: datetime
    ) -> AccountObservation | None:
        """The observation for an unusable post-list answer (HTTP error, empty or non-JSON body)."""
        failure = self.http_failure(ref, xhr, now=now, what="the post list")
        if failure is not None:
            return failure
        if not xhr.content.strip():
            return self.observation(
                ref,
                "blocked",
                now=now,
                http_status=xhr.status_code,
                error="the post list came back empty (the platform refused the request signature)",
            )
        if not isinstance(json_body(xhr), dict):
            return self.observation(
                ref, "parse_error", now=now, http_status=xhr.status_code, error="the post list is not JSON"
            )
        return None

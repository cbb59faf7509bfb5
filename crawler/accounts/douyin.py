"""The ``douyin`` adapter: the profile page rendered in Chromium, read from its ``aweme/post`` response."""

from __future__ import annotations

import re
from typing import Any

from .base import AccountRef, Post, register
from .browser import BrowserAdapter
from .timefmt import from_epoch

__all__ = ["DouyinAdapter"]

_RATE_WORDS = ("频繁", "too many", "稍后再试")
_LOGIN_CODES = {8}
_NOT_FOUND_CODES = {2053, 2096}


@register("douyin")
class DouyinAdapter(BrowserAdapter):
    """Reads a Douyin (抖音) account by rendering its profile page in Chromium.

    ``id`` is the account's ``sec_uid`` (the part after ``/user/`` in ``https://www.douyin.com/user/…``).
    The page is opened with Playwright and the page's own post-list request
    (``/aweme/v1/web/aweme/post/``) is captured: ``aweme_list`` with unix-second ``create_time``
    and ``is_top`` for pinned videos. When no usable answer arrives in time the account is
    unmonitorable (``blocked`` for a captcha, login wall or an empty signed answer, ``parse_error``
    otherwise), never stale. HTTP 418/429 or ``status_msg`` 频繁 is ``rate_limited``; ``status_code``
    8 (not logged in) is ``auth_expired`` when ``cookies`` were configured.

    ``base_url`` replaces ``https://www.douyin.com`` (a local stand-in in tests). RSSHub's
    ``/douyin/user/SEC_UID`` read with the ``rss`` adapter is the lighter alternative.
    Browser options: see :class:`~crawler.accounts.browser.BrowserAdapter`.
    """

    default_base_url = "https://www.douyin.com"
    xhr_pattern = re.compile(r"/aweme/v\d+/web/aweme/post/?")

    def profile_path(self, ref: AccountRef) -> str:
        return f"/user/{ref.id}"

    def usable_xhr(self, data: Any) -> bool:
        return isinstance(data, dict) and ("aweme_list" in data or data.get("status_code") not in (0, None))

    items_key = "aweme_list"

    def answer_failure(self, data: dict[str, Any]) -> tuple[str, str] | None:
        status_code = data.get("status_code")
        if status_code in (0, None):
            return None
        msg = str(data.get("status_msg") or "")
        if any(w in msg for w in _RATE_WORDS):
            status = "rate_limited"
        elif status_code in _LOGIN_CODES or "登录" in msg:
            status = "auth_expired" if self.cookies else "blocked"
        elif status_code in _NOT_FOUND_CODES or "不存在" in msg:
            status = "not_found"
        else:
            status = "blocked"
        return status, f"status_code={status_code} {msg}".strip()

    def post_of(self, ref: AccountRef, item: dict[str, Any]) -> tuple[Post | None, str | None]:
        author = item.get("author") if isinstance(item.get("author"), dict) else {}
        published = from_epoch(item.get("create_time") or 0)
        if published is None:
            return None, None
        state = item.get("status") if isinstance(item.get("status"), dict) else {}
        aweme_id = str(item.get("aweme_id") or "")
        return Post(
            id=aweme_id or str(item.get("create_time")),
            title=str(item.get("desc") or item.get("preview_title") or "")[:200],
            published=published,
            pinned=bool(item.get("is_top")),
            deleted=bool(state.get("is_delete")),
            url=f"{self.base_url_for(ref)}/video/{aweme_id}" if aweme_id else None,
        ), author.get("nickname")

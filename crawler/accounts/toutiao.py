"""The ``toutiao`` adapter: the profile page rendered in Chromium, read from its user-feed response."""

from __future__ import annotations

import re
from typing import Any

from .base import AccountRef, Post, register
from .browser import BrowserAdapter, truthy
from .timefmt import from_epoch

__all__ = ["ToutiaoAdapter"]

_RATE_WORDS = ("频繁", "too many", "稍后再试")
_LOGIN_WORDS = ("登录", "login")
_NOT_FOUND_WORDS = ("不存在", "已注销", "not exist")
_TAGS = re.compile(r"<[^>]+>")


@register("toutiao")
class ToutiaoAdapter(BrowserAdapter):
    """Reads a Toutiao (今日头条) account by rendering its profile page in Chromium.

    ``id`` is the account's user token (the part after ``/c/user/token/`` in its profile URL).
    The page's own feed request (``/api/pc/list/user/feed``) is captured: ``data`` items with
    unix-second ``publish_time`` (else ``behot_time``); pinned items (``is_top``/``is_stick``/
    ``stick_label``) are flagged, 微头条 reposts (``origin_group``/``origin_thread``) marked as
    reposts. When no usable answer arrives in time the account is unmonitorable (``blocked`` or
    ``parse_error``), never stale. ``message`` other than ``success`` is ``rate_limited``
    (频繁), ``auth_expired`` (登录, with ``cookies``), ``not_found`` (不存在) or ``blocked``.

    ``base_url`` replaces ``https://www.toutiao.com``; RSSHub's ``/toutiao/user/token/TOKEN`` read
    with the ``rss`` adapter is the lighter alternative. Browser options: see
    :class:`~crawler.accounts.browser.BrowserAdapter`.
    """

    default_base_url = "https://www.toutiao.com"
    xhr_pattern = re.compile(r"/api/pc/(?:list/user/feed|feed/)")

    def profile_path(self, ref: AccountRef) -> str:
        return f"/c/user/token/{ref.id}/"

    def usable_xhr(self, data: Any) -> bool:
        return isinstance(data, dict) and ("data" in data or "message" in data)

    def answer_failure(self, data: dict[str, Any]) -> tuple[str, str] | None:
        message = str(data.get("message") or "success")
        if message == "success":
            return None
        detail = data.get("data") if isinstance(data.get("data"), dict) else {}
        text = f"{message} {detail.get('description') or ''}".strip()
        if any(w in text for w in _RATE_WORDS):
            status = "rate_limited"
        elif any(w in text.lower() for w in _LOGIN_WORDS):
            status = "auth_expired" if self.cookies else "blocked"
        elif any(w in text for w in _NOT_FOUND_WORDS):
            status = "not_found"
        else:
            status = "blocked"
        return status, f"message={text}"

    def post_of(self, ref: AccountRef, item: dict[str, Any]) -> tuple[Post | None, str | None]:
        published = from_epoch(item.get("publish_time") or item.get("behot_time") or 0)
        if published is None:
            return None, None
        user = item.get("user_info") or item.get("user") or {}
        name = (user.get("name") or user.get("screen_name") if isinstance(user, dict) else None) or item.get("source")
        post_id = str(item.get("id") or item.get("item_id") or item.get("group_id") or item.get("thread_id") or "")
        title = str(item.get("title") or "") or _TAGS.sub("", str(item.get("content") or item.get("abstract") or ""))
        url = item.get("article_url") or item.get("display_url") or item.get("share_url") or item.get("url")
        return Post(
            id=post_id or str(published.timestamp()),
            title=title.strip()[:200],
            published=published,
            pinned=truthy(item.get("is_top")) or truthy(item.get("is_stick")) or bool(item.get("stick_label")),
            repost=bool(item.get("origin_group") or item.get("origin_thread") or truthy(item.get("is_repost"))),
            deleted=truthy(item.get("is_deleted")),
            url=url if isinstance(url, str) and url else None,
        ), name

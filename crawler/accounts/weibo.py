"""The ``weibo`` adapter: the m.weibo.cn container API, with visitor-cookie renewal."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import httpx

from .base import AccountObservation, AccountRef, Adapter, Post, register
from .timefmt import parse_cn_time

__all__ = ["WeiboAdapter", "weibo_text"]

_REDIRECTS = (301, 302, 303, 307, 308)
_JSONP = re.compile(r"^[\w.$]*\s*(?:&&\s*[\w.$]+\s*)?\((.*)\)\s*;?\s*$", re.S)
_RATE_WORDS = ("频繁", "too many", "稍后再试", "歇歇")
_EMPTY_WORDS = ("还没有内容", "暂无", "没有发过", "no content")
_NOT_FOUND_WORDS = ("不存在", "已注销", "已被封", "not exist", "找不到")
_TAGS = re.compile(r"<[^>]+>")


def weibo_text(html_text: str, limit: int = 120) -> str:
    """Plain text of a post's HTML ``text`` field, cut to ``limit`` characters."""
    text = _TAGS.sub("", html_text or "")
    text = re.sub(r"\s+", " ", text).strip()
    return text[:limit]


def _json(response: httpx.Response | None) -> Any:
    if response is None:
        return None
    try:
        return json.loads(response.content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None


def _mblogs(cards: Any) -> list[dict[str, Any]]:
    """The posts in a list of cards (card_type 9), including those nested in card groups."""
    found: list[dict[str, Any]] = []
    for card in cards if isinstance(cards, list) else []:
        if not isinstance(card, dict):
            continue
        if isinstance(card.get("mblog"), dict):
            found.append(card["mblog"])
        if isinstance(card.get("card_group"), list):
            found.extend(_mblogs(card["card_group"]))
    return found


def _is_visitor_redirect(response: httpx.Response) -> bool:
    if response.status_code not in _REDIRECTS:
        return False
    location = response.headers.get("location", "")
    return "/visitor/" in location or "passport.weibo" in location and "visitor" in location


def _is_login_redirect(response: httpx.Response) -> bool:
    if response.status_code not in _REDIRECTS:
        return False
    location = response.headers.get("location", "").lower()
    return "signin" in location or "login" in location


@register("weibo")
class WeiboAdapter(Adapter):
    """Reads a Weibo account through the mobile web API (``m.weibo.cn``).

    ``id`` is the numeric uid (the number in ``https://weibo.com/u/1234567890``). The adapter asks
    ``/api/container/getIndex?type=uid&value=UID`` for the profile, takes the containerid of its
    微博 tab from ``tabsInfo`` and asks for that container's first page of posts. Pinned posts
    (``isTop``/``mblogtype == 2``) and reposts (``retweeted_status``) are flagged.

    The platform wants a visitor cookie: when it redirects to ``passport.weibo.com/visitor`` or
    answers ``ok: -100`` the adapter asks the passport for a new visitor cookie once
    (``/visitor/genvisitor2``) and retries; if that fails the account is ``blocked``. HTTP 432 and
    a second ``ok: -100`` are ``blocked``; HTTP 418/429 and ``请求过于频繁`` are ``rate_limited``.

    Pointing it elsewhere: ``base_url`` (per account or per platform) replaces
    ``https://m.weibo.cn`` — for a proxy or a local stand-in; the visitor passport is then asked on
    the same base URL unless ``passport_url`` is given (default ``https://passport.weibo.com``).
    ``cookies`` may carry a logged-in session (``SUB=…``): a login wall then means ``auth_expired``.
    Without cookies a county can also read Weibo through RSSHub's ``/weibo/user/UID`` with the
    ``rss`` adapter.
    """

    default_base_url = "https://m.weibo.cn"
    default_passport_url = "https://passport.weibo.com"
    user_agent = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1"
    )

    def __init__(self, *, passport_url: str | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.passport_url = passport_url
        self.visitor_cookies: dict[str, dict[str, str]] = {}  # per base URL

    # -- requests ---------------------------------------------------------------------------
    def passport_for(self, ref: AccountRef) -> str:
        """Where visitor cookies are asked for."""
        if self.passport_url:
            return self.passport_url.rstrip("/")
        if ref.base_url or self.base_url:
            return self.base_url_for(ref)
        return self.default_passport_url

    def _headers(self, ref: AccountRef) -> dict[str, str]:
        headers = {
            "Accept": "application/json, text/plain, */*",
            "MWeibo-Pwa": "1",
            "X-Requested-With": "XMLHttpRequest",
            "Referer": f"{self.base_url_for(ref)}/u/{ref.id}",
        }
        visitor = self.visitor_cookies.get(self.base_url_for(ref))
        if visitor:
            pairs = "; ".join(f"{k}={v}" for k, v in visitor.items())
            headers["Cookie"] = f"{self.cookies}; {pairs}" if self.cookies else pairs
        return headers

    async def _get(self, client: httpx.AsyncClient, ref: AccountRef, query: str) -> httpx.Response:
        url = self.url_for(ref, f"/api/container/getIndex?{query}")
        return await self.request(client, "GET", url, ref, headers=self._headers(ref))

    async def renew_visitor(self, client: httpx.AsyncClient, ref: AccountRef) -> bool:
        """Ask the passport for a visitor cookie (SUB, SUBP); True when one was given."""
        url = f"{self.passport_for(ref)}/visitor/genvisitor2"
        response = await self.request(
            client,
            "POST",
            url,
            ref,
            data={"cb": "visitor_gray_callback", "tid": "", "from": "weibo"},
            headers={"Referer": f"{self.passport_for(ref)}/visitor/visitor?entry=miniblog&a=enter"},
        )
        cookies: dict[str, str] = {}
        match = _JSONP.match(response.text.strip())
        if match:
            try:
                data = json.loads(match.group(1))
            except ValueError:
                data = {}
            payload = data.get("data") if isinstance(data, dict) else None
            if isinstance(payload, dict):
                for key in ("sub", "subp"):
                    if payload.get(key):
                        cookies[key.upper()] = str(payload[key])
        for name, value in response.cookies.items():
            if name in ("SUB", "SUBP"):
                cookies.setdefault(name, value)
        if "SUB" not in cookies:
            return False
        self.visitor_cookies[self.base_url_for(ref)] = cookies
        return True

    async def _get_with_visitor(
        self, client: httpx.AsyncClient, ref: AccountRef, query: str, renewed: list[bool]
    ) -> httpx.Response:
        response = await self._get(client, ref, query)
        if renewed[0] or not self._wants_visitor(response):
            return response
        renewed[0] = True
        if await self.renew_visitor(client, ref):
            response = await self._get(client, ref, query)
        return response

    @staticmethod
    def _wants_visitor(response: httpx.Response) -> bool:
        if _is_visitor_redirect(response):
            return True
        data = _json(response) if response.status_code == 200 else None
        return isinstance(data, dict) and data.get("ok") == -100

    async def _fetch(
        self, client: httpx.AsyncClient, ref: AccountRef, *, now: datetime
    ) -> AccountObservation:
        if not ref.id:
            return self.observation(
                ref, "not_found", now=now, error="a weibo account needs its numeric uid as id"
            )
        renewed = [False]
        profile = await self._get_with_visitor(client, ref, f"type=uid&value={ref.id}", renewed)
        checked = self.check_profile(ref, profile, now=now, renewed=renewed[0])
        if isinstance(checked, AccountObservation):
            return checked
        containerid = self.posts_containerid(ref, _json(profile))
        posts = await self._get_with_visitor(
            client, ref, f"type=uid&value={ref.id}&containerid={containerid}", renewed
        )
        return self.parse(ref, profile, posts, now=now, renewed=renewed[0])

    # -- parsing ----------------------------------------------------------------------------
    @staticmethod
    def posts_containerid(ref: AccountRef, profile: Any) -> str:
        """The containerid of the profile's 微博 tab (``107603`` + uid when the profile does not say)."""
        data = profile.get("data") if isinstance(profile, dict) else None
        tabs_info = data.get("tabsInfo") if isinstance(data, dict) else None
        tabs = tabs_info.get("tabs") if isinstance(tabs_info, dict) else None
        if isinstance(tabs, dict):  # some answers give the tabs as an object keyed by index
            tabs = list(tabs.values())
        for tab in tabs if isinstance(tabs, list) else []:
            if isinstance(tab, dict) and (tab.get("tabKey") == "weibo" or tab.get("tab_type") == "weibo"):
                if tab.get("containerid"):
                    return str(tab["containerid"])
        return f"107603{ref.id}"

    def _answer_failure(
        self, ref: AccountRef, response: httpx.Response, *, now: datetime, what: str, renewed: bool
    ) -> AccountObservation | None:
        code = response.status_code
        if code in _REDIRECTS:
            if _is_visitor_redirect(response):
                return self.observation(
                    ref,
                    "blocked",
                    now=now,
                    http_status=code,
                    error=f"{what}: visitor-cookie wall"
                    + (" after one renewal" if renewed else "")
                    + f" ({response.headers.get('location')})",
                )
            if _is_login_redirect(response):
                status = "auth_expired" if self.cookies else "blocked"
                return self.observation(
                    ref,
                    status,
                    now=now,
                    http_status=code,
                    error=f"{what}: redirected to the login page ({response.headers.get('location')})",
                )
            return self.observation(
                ref,
                "http_error",
                now=now,
                http_status=code,
                error=f"{what}: unexpected redirect to {response.headers.get('location')}",
            )
        failure = self.http_failure(ref, response, now=now, what=what)
        if failure is not None:
            return failure
        data = _json(response)
        if not isinstance(data, dict):
            text = response.text
            if "验证码" in text or "captcha" in text.lower() or "visitor" in text:
                return self.observation(
                    ref, "blocked", now=now, http_status=code, error=f"{what}: a verification page"
                )
            return self.observation(ref, "parse_error", now=now, http_status=code, error=f"{what}: not JSON")
        ok = data.get("ok")
        msg = str(data.get("msg") or data.get("message") or "")
        if ok == -100:
            status = "auth_expired" if self.cookies else "blocked"
            detail = " after one visitor-cookie renewal" if renewed else ""
            return self.observation(
                ref, status, now=now, http_status=code, error=f"{what}: ok=-100 (login required){detail}"
            )
        if ok == 1:
            return None
        if any(w in msg for w in _RATE_WORDS):
            return self.observation(ref, "rate_limited", now=now, http_status=code, error=f"{what}: {msg}")
        if any(w in msg for w in _NOT_FOUND_WORDS):
            return self.observation(ref, "not_found", now=now, http_status=code, error=f"{what}: {msg}")
        if any(w in msg for w in _EMPTY_WORDS):
            return None  # handled by the caller: the posts container answered that there are none
        return self.observation(
            ref, "parse_error", now=now, http_status=code, error=f"{what}: ok={ok!r} {msg}".strip()
        )

    def check_profile(
        self, ref: AccountRef, profile: httpx.Response, *, now: datetime, renewed: bool = False
    ) -> AccountObservation | dict[str, Any]:
        """The profile's ``userInfo`` when the profile answer is usable, else the failed observation."""
        failure = self._answer_failure(ref, profile, now=now, what="profile", renewed=renewed)
        if failure is not None:
            return failure
        pdata = _json(profile)
        data = pdata.get("data") if pdata.get("ok") == 1 else None
        user = data.get("userInfo") if isinstance(data, dict) else None
        if not isinstance(user, dict):
            msg = str(pdata.get("msg") or "profile without userInfo")
            return self.observation(ref, "not_found", now=now, http_status=profile.status_code, error=msg)
        return user

    def _post(self, ref: AccountRef, mblog: dict[str, Any], now: datetime) -> Post | None:
        """One 微博 of the list (None when its time cannot be read)."""
        published = parse_cn_time(str(mblog.get("created_at") or ""), now=now)
        if published is None:
            return None
        post_id = str(mblog.get("id") or mblog.get("mid") or mblog.get("bid") or "")
        title_info = mblog.get("title") if isinstance(mblog.get("title"), dict) else {}
        pinned = (
            bool(mblog.get("isTop")) or str(mblog.get("mblogtype")) == "2" or "置顶" in str(title_info.get("text") or "")
        )
        return Post(
            id=post_id,
            title=weibo_text(str(mblog.get("raw_text") or mblog.get("text") or "")),
            published=published,
            pinned=pinned,
            repost=isinstance(mblog.get("retweeted_status"), dict),
            deleted=str(mblog.get("deleted") or "") == "1",
            url=f"{self.base_url_for(ref)}/status/{mblog.get('bid') or post_id}" if post_id else None,
        )

    def parse(
        self,
        ref: AccountRef,
        profile: httpx.Response,
        posts: httpx.Response,
        *,
        now: datetime,
        renewed: bool = False,
    ) -> AccountObservation:
        """The observation from the profile answer and the posts-container answer.

        ``renewed`` says whether a visitor cookie was already renewed (for the error text).
        """
        checked = self.check_profile(ref, profile, now=now, renewed=renewed)
        if isinstance(checked, AccountObservation):
            return checked
        display_name = checked.get("screen_name")
        failure = self._answer_failure(ref, posts, now=now, what="posts", renewed=renewed)
        if failure is not None:
            failure.display_name = display_name
            return failure
        data = _json(posts)
        if data.get("ok") != 1:
            return self.observation(
                ref, "empty", now=now, http_status=posts.status_code, display_name=display_name
            )
        cards = (data.get("data") or {}).get("cards") if isinstance(data.get("data"), dict) else None
        if not isinstance(cards, list):
            return self.observation(
                ref,
                "parse_error",
                now=now,
                http_status=posts.status_code,
                display_name=display_name,
                error="posts: no cards list",
            )
        result: list[Post] = []
        undated = 0
        for mblog in _mblogs(cards):
            post = self._post(ref, mblog, now)
            if post is None:
                undated += 1
            else:
                result.append(post)
        info = (data.get("data") or {}).get("cardlistInfo") or {}
        total = info.get("total") if isinstance(info, dict) else None
        if not result and isinstance(total, int) and total > 0 and not undated:
            return self.observation(
                ref,
                "parse_error",
                now=now,
                http_status=posts.status_code,
                display_name=display_name,
                error=f"posts: the profile counts {total} posts but none were listed",
            )
        if not result and undated:
            return self.observation(
                ref,
                "parse_error",
                now=now,
                http_status=posts.status_code,
                display_name=display_name,
                error=f"posts: {undated} posts without a readable created_at",
            )
        return self.observation(
            ref, "ok", result, now=now, http_status=posts.status_code, display_name=display_name
        )

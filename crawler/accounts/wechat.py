"""The ``wechat`` adapter: Sogou's official-account search (最近文章) or the official-account backend list."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from .base import AccountObservation, AccountRef, Adapter, Post, join_url, register, response_url
from .timefmt import from_epoch

__all__ = ["SogouAccount", "WechatAdapter", "sogou_accounts"]

_REDIRECTS = (301, 302, 303, 307, 308)
_BOX = re.compile(r'<li\b[^>]*id="sogou_vr_11002301_box_\d+"[^>]*>(.*?)</li>', re.S)
_WXID = re.compile(r'<label[^>]*name="em_weixinhao"[^>]*>(.*?)</label>', re.S)
_NAME = re.compile(r'<a[^>]*uigs="account_name_\d+"[^>]*>(.*?)</a>', re.S)
_RECENT = re.compile(r"<dt>\s*最近文章\s*[:：]?\s*</dt>\s*<dd>(.*?)</dd>", re.S)
_ARTICLE = re.compile(r"<a[^>]*href=\"([^\"]*)\"[^>]*>(.*?)</a>", re.S)
_TIMECONVERT = re.compile(r"timeConvert\(\s*['\"]?(\d{9,13})['\"]?\s*\)")
_TAGS = re.compile(r"<!--.*?-->|<[^>]+>", re.S)
_ANTISPIDER_WORDS = (
    "/antispider/",
    "antispider",
    "异常访问请求",
    "用于确认这些请求是您的正常行为",
    "seccodeInput",
)
_NO_RESULT_WORDS = ("noresult_part1_container", "暂无与", "没有找到相关的微信公众号")
# Backend (mp.weixin.qq.com) base_resp.ret codes.
_SESSION_EXPIRED = {200003, 200040, -1}
_FREQ_CONTROL = {200013}


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(_TAGS.sub("", fragment))).strip()


class SogouAccount(dict[str, Any]):
    """One account box of Sogou's search results: ``wechat_id``, ``name``, ``title``, ``url``, ``time``."""


def sogou_accounts(page: str) -> list[SogouAccount]:
    """The account boxes of a Sogou official-account search page (``time`` is the 最近文章 epoch or None)."""
    found: list[SogouAccount] = []
    for box in _BOX.findall(page):
        wxid = _WXID.search(box)
        name = _NAME.search(box)
        recent = _RECENT.search(box)
        item = SogouAccount(
            wechat_id=_text(wxid.group(1)) if wxid else "",
            name=_text(name.group(1)) if name else "",
            title=None,
            url=None,
            time=None,
        )
        if recent:
            article = _ARTICLE.search(recent.group(1))
            if article:
                item["url"] = html.unescape(article.group(1))
                item["title"] = _text(article.group(2))
            stamp = _TIMECONVERT.search(recent.group(1))
            if stamp:
                item["time"] = int(stamp.group(1))
        found.append(item)
    return found


def _json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None


@register("wechat")
class WechatAdapter(Adapter):
    """Reads a WeChat official account (微信公众号).

    ``id`` is the account's WeChat id (微信号, e.g. ``tjfb2019``); ``name`` its display name. By
    default the adapter searches Sogou (``https://weixin.sogou.com/weixin?type=1&query=ID``), takes
    the result box whose 微信号 equals ``id`` (or, without an id, whose name equals ``name``) and
    reads the time of its 最近文章 (the ``timeConvert('…')`` script): a single post, the latest.
    Sogou's antispider redirect (``/antispider/``) means ``blocked``; no matching box means
    ``not_found``; a box without 最近文章 means ``empty``. Sogou shows 最近文章 for fewer accounts than
    it used to, so a self-hosted bridge (WeWe RSS, Wechat2RSS) read with the ``rss`` adapter is
    the more robust choice.

    With a session of the county's own official-account backend (options ``mp_token=`` and
    ``cookies=``, copied from a logged-in ``mp.weixin.qq.com`` page) the adapter instead looks the
    account up with ``/cgi-bin/searchbiz`` and lists its articles with ``/cgi-bin/appmsg``;
    ``invalid session`` means ``auth_expired`` and ``freq control`` means ``rate_limited``.

    ``base_url`` replaces ``https://weixin.sogou.com`` (and ``https://mp.weixin.qq.com`` in the
    backend mode; give ``mp_base_url=`` to point the backend elsewhere).
    """

    default_base_url = "https://weixin.sogou.com"
    default_mp_base_url = "https://mp.weixin.qq.com"

    def __init__(
        self, *, mp_token: str | None = None, mp_base_url: str | None = None, **options: Any
    ) -> None:
        super().__init__(**options)
        self.mp_token = mp_token
        self.mp_base_url = mp_base_url

    @property
    def backend(self) -> bool:
        """True when the official-account backend is used (a session was configured)."""
        return bool(self.mp_token and self.cookies)

    def mp_base_for(self, ref: AccountRef) -> str:
        """The backend's base URL for ``ref``."""
        if self.mp_base_url:
            return self.mp_base_url.rstrip("/")
        if ref.base_url or self.base_url:
            return self.base_url_for(ref)
        return self.default_mp_base_url

    def host_key(self, ref: AccountRef) -> str:
        base = self.mp_base_for(ref) if self.backend else self.base_url_for(ref)
        return urlsplit(base).netloc or self.name

    def search_url(self, ref: AccountRef) -> str:
        """The Sogou account-search URL for ``ref``."""
        query = quote(ref.id or ref.name or "")
        return self.url_for(ref, f"/weixin?type=1&s_from=input&query={query}&ie=utf8&_sug_=n&_sug_type_=")

    async def _fetch(
        self, client: httpx.AsyncClient, ref: AccountRef, *, now: datetime
    ) -> AccountObservation:
        if not (ref.id or ref.name):
            return self.observation(ref, "not_found", now=now, error="a wechat account needs its WeChat id")
        if self.backend:
            return await self._fetch_backend(client, ref, now=now)
        url = self.search_url(ref)
        response = await self.request(
            client, "GET", url, ref, headers={"Referer": self.base_url_for(ref) + "/", "Accept": "text/html"}
        )
        return self.parse(ref, response, now=now)

    def parse(self, ref: AccountRef, response: httpx.Response, *, now: datetime) -> AccountObservation:
        """The observation from a Sogou search page, or from a backend article list (JSON with base_resp)."""
        code = response.status_code
        location = response.headers.get("location", "")
        final = response_url(response)
        history = " ".join(str(r.headers.get("location", "")) for r in response.history)
        if "/antispider" in location or "/antispider" in final or "/antispider" in history:
            return self.observation(
                ref, "blocked", now=now, http_status=code, error=f"Sogou antispider: {location or final}"
            )
        if code in _REDIRECTS:
            return self.observation(
                ref, "http_error", now=now, http_status=code, error=f"unexpected redirect to {location}"
            )
        failure = self.http_failure(ref, response, now=now)
        if failure is not None:
            return failure
        data = _json(response) if response.content.lstrip()[:1] == b"{" else None
        if isinstance(data, dict) and "base_resp" in data:
            return self.parse_backend(ref, data, now=now, http_status=code)
        text = response.text
        accounts = sogou_accounts(text)
        if not accounts:
            if any(w in text for w in _ANTISPIDER_WORDS):
                return self.observation(
                    ref, "blocked", now=now, http_status=code, error="Sogou antispider page"
                )
            if any(w in text for w in _NO_RESULT_WORDS):
                return self.observation(
                    ref,
                    "not_found",
                    now=now,
                    http_status=code,
                    error=f"Sogou found no account for {ref.id or ref.name!r}",
                )
            return self.observation(
                ref, "parse_error", now=now, http_status=code, error="no account boxes on the page"
            )
        match = self.match(ref, accounts)
        if match is None:
            seen = ", ".join(f"{a['name']}({a['wechat_id']})" for a in accounts[:5])
            return self.observation(
                ref,
                "not_found",
                now=now,
                http_status=code,
                error=f"no result with WeChat id {ref.id or ref.name!r}; seen: {seen}",
            )
        if match["time"] is None:
            if match["title"]:
                return self.observation(
                    ref,
                    "parse_error",
                    now=now,
                    http_status=code,
                    display_name=match["name"],
                    error="最近文章 without a readable time",
                )
            return self.observation(ref, "empty", now=now, http_status=code, display_name=match["name"])
        published = from_epoch(match["time"])
        if published is None:
            return self.observation(
                ref,
                "parse_error",
                now=now,
                http_status=code,
                display_name=match["name"],
                error="bad timeConvert",
            )
        page_url = final or self.base_url_for(ref)
        url = join_url(page_url, match["url"]) if match["url"] else None
        post = Post(id=str(match["time"]), title=match["title"] or "", published=published, url=url)
        return self.observation(ref, "ok", [post], now=now, http_status=code, display_name=match["name"])

    @staticmethod
    def match(ref: AccountRef, accounts: list[SogouAccount]) -> SogouAccount | None:
        """The result box of ``ref``: same WeChat id (case-insensitive), else (no id) the same name."""
        if ref.id:
            wanted = ref.id.strip().lower()
            return next((a for a in accounts if a["wechat_id"].strip().lower() == wanted), None)
        return next((a for a in accounts if a["name"] == ref.name), None)

    # -- the official-account backend -------------------------------------------------------
    def _backend_failure(
        self, ref: AccountRef, data: Any, *, now: datetime, http_status: int | None
    ) -> AccountObservation | None:
        if not isinstance(data, dict) or not isinstance(data.get("base_resp"), dict):
            return self.observation(
                ref,
                "parse_error",
                now=now,
                http_status=http_status,
                error="backend: answer without base_resp",
            )
        ret = data["base_resp"].get("ret")
        msg = str(data["base_resp"].get("err_msg") or "")
        if ret == 0:
            return None
        if ret in _FREQ_CONTROL or "freq" in msg:
            status = "rate_limited"
        elif ret in _SESSION_EXPIRED or "session" in msg or "login" in msg:
            status = "auth_expired"
        else:
            status = "blocked"
        return self.observation(
            ref, status, now=now, http_status=http_status, error=f"backend: ret={ret} {msg}"
        )

    def parse_backend(
        self, ref: AccountRef, data: Any, *, now: datetime, http_status: int | None = None
    ) -> AccountObservation:
        """The observation from a backend ``/cgi-bin/appmsg?action=list_ex`` answer (decoded JSON)."""
        failure = self._backend_failure(ref, data, now=now, http_status=http_status)
        if failure is not None:
            return failure
        items = data.get("app_msg_list")
        if not isinstance(items, list):
            return self.observation(
                ref, "parse_error", now=now, http_status=http_status, error="backend: no app_msg_list"
            )
        posts: list[Post] = []
        for item in items:
            if not isinstance(item, dict):
                continue
            published = from_epoch(item.get("create_time") or item.get("update_time") or 0)
            if published is None:
                continue
            posts.append(
                Post(
                    id=str(
                        item.get("aid") or item.get("appmsgid") or item.get("link") or published.timestamp()
                    ),
                    title=str(item.get("title") or ""),
                    published=published,
                    deleted=bool(item.get("is_deleted")),
                    url=item.get("link"),
                )
            )
        if items and not posts:
            return self.observation(
                ref,
                "parse_error",
                now=now,
                http_status=http_status,
                error="backend: articles without create_time",
            )
        return self.observation(ref, "ok", posts, now=now, http_status=http_status)

    def backend_fakeid(self, ref: AccountRef, data: Any) -> tuple[str | None, str | None]:
        """The fakeid and nickname of ``ref`` in a ``/cgi-bin/searchbiz`` answer (alias = WeChat id)."""
        entries = data.get("list") if isinstance(data, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            if ref.id and str(entry.get("alias") or "").lower() == ref.id.lower():
                return str(entry.get("fakeid")), entry.get("nickname")
            if not ref.id and entry.get("nickname") == ref.name:
                return str(entry.get("fakeid")), entry.get("nickname")
        return None, None

    async def _backend_get(self, client: httpx.AsyncClient, ref: AccountRef, path: str) -> httpx.Response:
        base = self.mp_base_for(ref)
        return await self.request(
            client,
            "GET",
            f"{base}{path}",
            ref,
            headers={
                "Referer": f"{base}/cgi-bin/appmsg?t=media/appmsg_edit&token={self.mp_token}",
                "Accept": "application/json",
            },
        )

    async def _fetch_backend(
        self, client: httpx.AsyncClient, ref: AccountRef, *, now: datetime
    ) -> AccountObservation:
        token = quote(self.mp_token or "")
        query = quote(ref.id or ref.name or "")
        search = await self._backend_get(
            client,
            ref,
            f"/cgi-bin/searchbiz?action=search_biz&begin=0&count=5&query={query}&token={token}&lang=zh_CN&f=json&ajax=1",
        )
        failure = self._backend_http(ref, search, now=now)
        if failure is not None:
            return failure
        data = _json(search)
        failure = self._backend_failure(ref, data, now=now, http_status=search.status_code)
        if failure is not None:
            return failure
        fakeid, nickname = self.backend_fakeid(ref, data)
        if fakeid is None:
            return self.observation(
                ref,
                "not_found",
                now=now,
                http_status=search.status_code,
                error="backend: searchbiz found no such account",
            )
        listing = await self._backend_get(
            client,
            ref,
            f"/cgi-bin/appmsg?action=list_ex&begin=0&count=5&fakeid={quote(fakeid)}&type=9&query=&token={token}"
            "&lang=zh_CN&f=json&ajax=1",
        )
        failure = self._backend_http(ref, listing, now=now)
        if failure is not None:
            return failure
        observation = self.parse_backend(ref, _json(listing), now=now, http_status=listing.status_code)
        observation.display_name = nickname
        return observation

    def _backend_http(
        self, ref: AccountRef, response: httpx.Response, *, now: datetime
    ) -> AccountObservation | None:
        if response.status_code in _REDIRECTS:
            return self.observation(
                ref,
                "auth_expired",
                now=now,
                http_status=response.status_code,
                error=f"backend: redirected to {response.headers.get('location')} (session expired)",
            )
        return self.http_failure(ref, response, now=now, what="the backend")

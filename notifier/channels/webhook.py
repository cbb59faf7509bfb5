"""Chat robots (WeCom 企业微信, DingTalk 钉钉: markdown messages) and a generic JSON webhook, via httpx."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
from typing import TYPE_CHECKING, Any

import httpx

from config.schema import WebhookConfig
from notifier.channels.base import ChannelError

if TYPE_CHECKING:
    from notifier.notices import RenderedNotice

__all__ = ["WebhookChannel"]

WECOM_MAX_BYTES = 4096
DINGTALK_MAX_BYTES = 18000


def _cut_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 6].decode("utf-8", "ignore") + "\n……"


def _redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class WebhookChannel:
    """Posts each notice to one robot or endpoint."""

    def __init__(self, cfg: WebhookConfig, *, timeout: float = 15.0, transport: httpx.BaseTransport | None = None) -> None:
        self.cfg = cfg
        self.name = cfg.channel
        self.timeout = timeout
        self.transport = transport

    def recipients(self, notice: RenderedNotice) -> list[str]:
        """The endpoint (without its key) stands for the recipients."""
        return [f"{self.cfg.type}:{_redact(self.cfg.url)}"]

    def payload(self, notice: RenderedNotice) -> dict[str, Any]:
        """The JSON body for this robot type."""
        if self.cfg.type == "wecom":
            return {"msgtype": "markdown", "markdown": {"content": _cut_bytes(notice.markdown, WECOM_MAX_BYTES)}}
        if self.cfg.type == "dingtalk":
            return {"msgtype": "markdown",
                    "markdown": {"title": notice.subject[:60], "text": _cut_bytes(notice.markdown, DINGTALK_MAX_BYTES)}}
        return {"kind": notice.kind, "unit": notice.unit_id, "unit_name": notice.unit_name, "period": notice.period,
                "subject": notice.subject, "text": notice.text, "html": notice.html, "markdown": notice.markdown}

    def url(self) -> str:
        """The URL to post to (DingTalk: signed with the secret when one is configured)."""
        if self.cfg.type != "dingtalk" or not self.cfg.secret:
            return self.cfg.url
        ts = str(int(time.time() * 1000))
        digest = hmac.new(self.cfg.secret.encode(), f"{ts}\n{self.cfg.secret}".encode(), hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
        sep = "&" if "?" in self.cfg.url else "?"
        return f"{self.cfg.url}{sep}timestamp={ts}&sign={sign}"

    def send(self, notice: RenderedNotice, recipients: list[str]) -> None:
        """POST; a non-2xx answer, or a robot's errcode other than 0, is a ChannelError."""
        where = _redact(self.cfg.url)
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport, trust_env=False) as client:
                resp = client.post(self.url(), json=self.payload(notice))
        except httpx.HTTPError as exc:
            raise ChannelError(f"{self.cfg.type} {where}: {type(exc).__name__}: {exc}") from exc
        if resp.status_code // 100 != 2:
            raise ChannelError(f"{self.cfg.type} {where}: HTTP {resp.status_code}: {resp.text[:200]}")
        if self.cfg.type in ("wecom", "dingtalk"):
            try:
                body = resp.json()
            except ValueError:
                raise ChannelError(f"{self.cfg.type} {where}: not a JSON answer: {resp.text[:200]}") from None
            if body.get("errcode", 0) != 0:
                raise ChannelError(f"{self.cfg.type} {where}: errcode {body.get('errcode')}: {body.get('errmsg')}")

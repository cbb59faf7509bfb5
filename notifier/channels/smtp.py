"""SMTP e-mail with STARTTLS or SSL: a text and an HTML part, Chinese subject and sender name."""

from __future__ import annotations

import base64
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING

from config.schema import SmtpConfig
from notifier.channels.base import ChannelError

if TYPE_CHECKING:
    from notifier.notices import RenderedNotice

__all__ = ["SmtpChannel", "build_email"]


def _address(addr: str, name: str | None = None) -> Address:
    local, _, domain = addr.partition("@")
    return Address(display_name=name or "", username=local, domain=domain)


def build_email(notice: RenderedNotice, sender: str, recipients: list[str], sender_name: str | None = None) -> EmailMessage:
    """The message: multipart/alternative with the plain text first and the HTML second."""
    msg = EmailMessage()
    msg["Subject"] = notice.subject
    msg["From"] = _address(sender, sender_name)
    msg["To"] = [_address(r) for r in recipients]
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.partition("@")[2] or None)
    msg["X-Govwatch-Notice"] = f"{notice.kind}/{notice.unit_id}/{notice.period}"
    msg.set_content(notice.text, charset="utf-8")
    msg.add_alternative(notice.html, subtype="html", charset="utf-8")
    return msg


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """LOGIN/PLAIN/CRAM-MD5 as smtplib does; UTF-8 credentials (smtplib only sends ASCII) by AUTH PLAIN."""
    if (user + password).isascii():
        smtp.login(user, password)
        return
    smtp.ehlo_or_helo_if_needed()
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, resp = smtp.docmd("AUTH", f"PLAIN {token}")
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, resp)


class SmtpChannel:
    """Sends each notice as one e-mail to the unit's contacts (or the duty staff)."""

    name = "email"

    def __init__(self, cfg: SmtpConfig) -> None:
        self.cfg = cfg

    def recipients(self, notice: RenderedNotice) -> list[str]:
        """The notice's e-mail recipients."""
        return list(notice.recipients)

    def _context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.cfg.ca_file) if self.cfg.ca_file else ssl.create_default_context()
        return ctx

    def _connect(self) -> smtplib.SMTP:
        cfg = self.cfg
        if cfg.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.effective_port, timeout=cfg.timeout, context=self._context())
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.effective_port, timeout=cfg.timeout)
            if cfg.security == "starttls":
                smtp.starttls(context=self._context())
        if cfg.user:
            _login(smtp, cfg.user, cfg.password or "")
        return smtp

    def send(self, notice: RenderedNotice, recipients: list[str]) -> None:
        """One SMTP transaction; any refusal or connection problem is a ChannelError."""
        if not recipients:
            raise ChannelError("no e-mail recipients")
        msg = build_email(notice, self.cfg.sender, recipients, self.cfg.sender_name)
        try:
            with self._connect() as smtp:
                refused = smtp.send_message(msg, from_addr=self.cfg.sender, to_addrs=recipients)
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelError(f"smtp {self.cfg.host}:{self.cfg.effective_port}: {type(exc).__name__}: {exc}") from exc
        if refused:
            raise ChannelError(f"smtp refused recipients: {', '.join(sorted(refused))}")

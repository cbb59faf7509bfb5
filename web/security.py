"""Logins and their protection: the session's user, roles, CSRF tokens, login rate limits, the cookie secret."""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from storage.models import User

__all__ = [
    "SECRET_ENV",
    "CsrfRefused",
    "Forbidden",
    "LoginLimiter",
    "LoginRequired",
    "Viewer",
    "csrf_token",
    "load_secret",
    "verify_csrf",
]

SECRET_ENV = "GOVWATCH_WEB_SECRET"
#: which roles may do what (a ``unit`` user only ever on its own unit)
DECIDE_FINDINGS = ("admin", "duty")
DECIDE_APPEALS = ("admin", "evaluation")
FILE_APPEALS = ("admin", "unit")


class LoginRequired(Exception):
    """No valid session: the page redirects to /login."""


class Forbidden(Exception):
    """The user may not see or do this (403)."""

    def __init__(self, message: str = "您没有权限查看或操作此内容") -> None:
        super().__init__(message)
        self.message = message


class CsrfRefused(Exception):
    """A form posted without the session's CSRF token (403)."""


@dataclass(frozen=True)
class Viewer:
    """The logged-in user as the pages need them."""

    id: int
    username: str
    name: str
    role: str
    unit_id: str | None

    @classmethod
    def of(cls, user: User) -> Viewer:
        """The viewer of a stored user."""
        return cls(user.id, user.username, user.display_name or user.username, user.role, user.unit_id)

    @property
    def sees_all(self) -> bool:
        """Whether the user sees every unit (everyone but a unit user)."""
        return self.role != "unit"

    def may_see_unit(self, unit_id: str) -> bool:
        """Whether the user may see this unit's findings, notices and score."""
        return self.sees_all or unit_id == self.unit_id

    def check_unit(self, unit_id: str) -> None:
        """Forbidden unless the user may see this unit."""
        if not self.may_see_unit(unit_id):
            raise Forbidden("该问题不属于您的单位，无权查看")

    @property
    def decides_findings(self) -> bool:
        """Duty staff (and admins) dismiss and reopen findings."""
        return self.role in DECIDE_FINDINGS

    @property
    def decides_appeals(self) -> bool:
        """The evaluation office (and admins) decide appeals."""
        return self.role in DECIDE_APPEALS

    def files_appeal_for(self, unit_id: str) -> bool:
        """A unit user files appeals for its own unit; an admin for any."""
        return self.role == "admin" or (self.role == "unit" and unit_id == self.unit_id)


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use); every form carries it in the ``csrf_token`` field."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Refuse every unsafe request whose form does not carry the session's CSRF token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = request.session.get("csrf")
    form = await request.form()
    sent = form.get("csrf_token")
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfRefused()


class LoginLimiter:
    """Failed logins per user name and per client address in a moving window; past the limit login is refused."""

    def __init__(self, per_user: str = "5/15minute", per_client: str = "30/15minute") -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._user, self._client = parse(per_user), parse(per_client)

    def allowed(self, username: str, client: str) -> bool:
        """Whether another attempt may be made now."""
        return self._limiter.test(self._user, "user", username.lower()) and self._limiter.test(
            self._client, "client", client
        )

    def failed(self, username: str, client: str) -> None:
        """Count a failed attempt."""
        self._limiter.hit(self._user, "user", username.lower())
        self._limiter.hit(self._client, "client", client)

    def succeeded(self, username: str) -> None:
        """A good password clears the user name's failures."""
        self._limiter.clear(self._user, "user", username.lower())


def load_secret(output_dir: Path) -> str:
    """The key that signs session cookies: ``GOVWATCH_WEB_SECRET``, else one kept in ``<output_dir>/web-secret``."""
    env = os.environ.get(SECRET_ENV)
    if env:
        return env
    path = output_dir / "web-secret"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    output_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key

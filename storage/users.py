"""Users of the web workbench: roles, the unit a unit user belongs to, argon2 password hashes."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.errors import UsageError
from storage.models import Unit, User, utcnow

__all__ = [
    "MIN_PASSWORD",
    "ROLES",
    "add_user",
    "authenticate",
    "disable_user",
    "get_user",
    "list_users",
]

#: admin: everything; duty: 值班 (decide on findings); evaluation: 考评 (appeals, scores); unit: one unit's own
ROLES = ("admin", "duty", "evaluation", "unit")
MIN_PASSWORD = 8
_NAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("govwatch-no-such-user")


def get_user(session: Session, username: str) -> User | None:
    """The user with this login name, or None."""
    return session.scalars(select(User).where(User.username == username)).first()


def add_user(
    session: Session,
    username: str,
    password: str,
    *,
    role: str,
    unit_id: str | None = None,
    display_name: str | None = None,
) -> User:
    """A new user; a ``unit`` user must name an existing unit, the other roles none."""
    if not _NAME_RE.match(username):
        raise UsageError(f"用户名 {username!r} 无效：2–64 个字母、数字或 _ . @ -")
    if role not in ROLES:
        raise UsageError(f"角色 {role!r} 无效（可选：{', '.join(ROLES)}）")
    if role == "unit":
        if not unit_id:
            raise UsageError("单位用户须指定所属单位 (--unit ID)")
        if session.get(Unit, unit_id) is None:
            raise UsageError(f"没有编号为 {unit_id} 的单位（先运行一次监测或检查配置的 units:）")
    elif unit_id:
        raise UsageError(f"只有单位用户（unit）才属于某个单位，角色 {role} 不能指定 --unit")
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"密码至少 {MIN_PASSWORD} 个字符")
    if get_user(session, username) is not None:
        raise UsageError(f"用户 {username} 已存在")
    user = User(username=username, display_name=display_name or None, role=role, unit_id=unit_id,
                password_hash=_hasher.hash(password), active=True)
    session.add(user)
    session.flush()
    return user


def list_users(session: Session) -> list[User]:
    """Every user, by login name."""
    return list(session.scalars(select(User).order_by(User.username)))


def disable_user(session: Session, username: str) -> User:
    """Disable a user: they can no longer log in, and a session they hold stops working."""
    user = get_user(session, username)
    if user is None:
        raise UsageError(f"没有用户 {username}")
    user.active = False
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user whose password this is, else None (the same work is done for an unknown name)."""
    user = get_user(session, username)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    session.flush()
    return user

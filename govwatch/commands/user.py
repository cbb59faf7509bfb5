"""The ``user`` command: accounts of the web workbench (add with a role, list, disable)."""

from __future__ import annotations

import argparse
import getpass
import sys

from config.labels import ROLE_LABELS
from govwatch.context import open_context
from govwatch.errors import UsageError
from storage.users import ROLES, add_user, disable_user, list_users

__all__ = ["register"]


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise UsageError("标准输入中没有密码")
        return line.rstrip("\r\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != first:
        raise UsageError("两次输入的密码不一致")
    return first


def _add(args: argparse.Namespace) -> int:
    ctx = open_context(args.config, args.db)
    password = _password(args)
    with ctx.db.session() as s:
        from storage.roster import sync_roster

        sync_roster(s, ctx.config)  # the units of the config exist before a unit user names one
        u = add_user(s, args.name, password, role=args.role, unit_id=args.unit, display_name=args.display_name)
        where = f"，单位 {u.unit_id}" if u.unit_id else ""
        print(f"已添加用户 {u.username}（{ROLE_LABELS[u.role]}{where}）")
    return 0


def _list(args: argparse.Namespace) -> int:
    ctx = open_context(args.config, args.db)
    with ctx.db.session() as s:
        users = list_users(s)
        if not users:
            print("没有用户（govwatch user add NAME --role admin 添加）")
        for u in users:
            last = u.last_login_at.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M") if u.last_login_at else "从未登录"
            state = "启用" if u.active else "已停用"
            print(f"{u.username}\t{ROLE_LABELS.get(u.role, u.role)}\t{u.unit_id or '—'}\t{u.display_name or '—'}\t{state}\t{last}")
    return 0


def _disable(args: argparse.Namespace) -> int:
    ctx = open_context(args.config, args.db)
    with ctx.db.session() as s:
        u = disable_user(s, args.name)
        print(f"用户 {u.username} 已停用（不能再登录，已登录的会话随即失效）")
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``user add|list|disable``."""
    p = sub.add_parser("user", help="accounts of the web workbench (add, list, disable)")
    usub = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    q = usub.add_parser("add", parents=[common], help="add a user; the password is read from stdin or a prompt")
    q.add_argument("name", metavar="NAME", help="login name")
    q.add_argument("--role", required=True, choices=ROLES,
                   help="admin | duty (值班) | evaluation (考评办) | unit (one unit's own problems)")
    q.add_argument("--unit", metavar="ID", help="the unit of a unit user")
    q.add_argument("--display-name", metavar="NAME", help="the name shown in the workbench (e.g. 张三)")
    q.add_argument("--password-stdin", action="store_true", help="read the password from stdin (one line)")
    q.set_defaults(func=_add)
    q = usub.add_parser("list", parents=[common], help="every user with role, unit and last login")
    q.set_defaults(func=_list)
    q = usub.add_parser("disable", parents=[common], help="disable a user")
    q.add_argument("name", metavar="NAME")
    q.set_defaults(func=_disable)

"""The ``finding`` command: duty staff confirm, dismiss or reopen one finding; ``show`` its history."""

from __future__ import annotations

import argparse
import getpass
import json

from govwatch.context import open_context
from storage.findings import (
    confirm,
    dismiss,
    finding_events,
    finding_to_dict,
    get_finding,
    reopen,
    sighting_dates,
)

__all__ = ["default_actor", "register"]


def default_actor() -> str:
    """The login name of whoever runs the command (recorded with every transition)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


def _change(args: argparse.Namespace) -> int:
    ctx = open_context(args.config, args.db)
    actor = args.actor or default_actor()
    with ctx.db.session() as s:
        fn = {"dismiss": dismiss, "reopen": reopen, "confirm": confirm}[args.action]
        f = fn(s, args.id, reason=args.reason or "", actor=actor, as_of=ctx.today())
        label = {"dismiss": "已排除", "reopen": "已恢复", "confirm": "已确认"}[args.action]
        why = f"，理由：{args.reason}" if args.reason else ""
        print(f"问题 {f.id}（{f.unit_id} {f.rule}）{label}，当前状态 {f.status}；操作人 {actor}{why}")
    return 0


def _show(args: argparse.Namespace) -> int:
    ctx = open_context(args.config, args.db)
    with ctx.db.session() as s:
        f = get_finding(s, args.id)
        data = finding_to_dict(f)
        data["seen_on"] = [d.isoformat() for d in sighting_dates(s, [f.id])[f.id]]
        data["rectified_on"] = f.rectified_on.isoformat() if f.rectified_on else None
        data["events"] = [
            {"at": e.at.astimezone(ctx.tz).isoformat(timespec="seconds"), "as_of": e.as_of.isoformat() if e.as_of else None,
             "actor": e.actor, "action": e.action, "from": e.from_status, "to": e.to_status, "reason": e.reason}
            for e in finding_events(s, f.id)
        ]
    print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``finding confirm|dismiss|reopen|show``."""
    p = sub.add_parser("finding", help="change or show one finding (confirm, dismiss, reopen, show)")
    fsub = p.add_subparsers(dest="finding_command", metavar="ACTION", required=True)
    for action, text in (("dismiss", "dismiss a suspected problem (排除), with a reason"),
                         ("reopen", "reopen a dismissed, rectified or overturned finding, with a reason")):
        q = fsub.add_parser(action, parents=[common], help=text)
        q.add_argument("id", metavar="ID", help="the finding id")
        q.add_argument("--reason", required=True, help="why (kept with the transition)")
        q.add_argument("--actor", help="who (default: the login name)")
        q.set_defaults(func=_change, action=action)
    q = fsub.add_parser("confirm", parents=[common],
                        help="confirm a suspected problem (确认): it goes to the unit and is counted")
    q.add_argument("id", metavar="ID", help="the finding id")
    q.add_argument("--reason", default="", help="optional note kept with the transition")
    q.add_argument("--actor", help="who (default: the login name)")
    q.set_defaults(func=_change, action="confirm")
    q = fsub.add_parser("show", parents=[common], help="a finding with the dates it was seen and every transition")
    q.add_argument("id", metavar="ID")
    q.set_defaults(func=_show)

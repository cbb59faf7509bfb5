"""The ``appeal`` command: a unit files a review request (复核) against a finding; the office decides it."""

from __future__ import annotations

import argparse
import sys

from config.labels import APPEAL_LABELS
from govwatch.cli import parse_date_arg, parse_year_arg
from govwatch.commands.finding import default_actor
from govwatch.context import open_context
from storage.appeals import decide_appeal, file_appeal, list_appeals

__all__ = ["register"]



def _file(args: argparse.Namespace) -> int:
    ctx = open_context(args.config, args.db)
    filed_on = args.date or ctx.today()
    with ctx.db.session() as s:
        a = file_appeal(s, args.finding_id, unit=args.unit, reason=args.reason, filed_on=filed_on,
                        actor=args.actor, year=args.year)
        from storage.models import Publication

        pub = s.get(Publication, a.publication_id) if a.publication_id else None
        print(f"复核申请已受理（编号 {a.id}）：问题 {a.finding_id}，单位 {a.unit_id}，申请日期 {a.filed_on.isoformat()}"
              + (f"，申请截止 {pub.deadline.isoformat()}" if pub else ""))
    return 0


def _decide(args: argparse.Namespace) -> int:
    ctx = open_context(args.config, args.db)
    actor = args.actor or default_actor()
    with ctx.db.session() as s:
        a = decide_appeal(s, args.appeal_id, uphold=args.uphold, reason=args.reason, actor=actor,
                          decided_on=args.date or ctx.today())
        effect = "问题维持，照常计分" if a.status == "upheld" else "问题撤销，不再计分"
        print(f"复核申请 {a.id} 已决定：{APPEAL_LABELS[a.status]}（{effect}）；决定人 {actor}，理由：{args.reason}")
    return 0


def _list(args: argparse.Namespace) -> int:
    ctx = open_context(args.config, args.db)
    with ctx.db.session() as s:
        rows = list_appeals(s, status=args.status, unit=args.unit)
        if not rows:
            print("没有复核申请")
        for a in rows:
            sys.stdout.write(
                f"{a.id}  {a.unit_id:10} 问题 {a.finding_id}  {a.filed_on.isoformat()}  {APPEAL_LABELS.get(a.status, a.status)}"
                f"  理由：{a.reason}" + (f"  决定：{a.decision_reason}（{a.decided_by}）" if a.decided_on else "") + "\n"
            )
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``appeal file|decide|list``."""
    p = sub.add_parser("appeal", help="review requests (复核): file, decide, list")
    asub = p.add_subparsers(dest="appeal_command", metavar="ACTION", required=True)
    q = asub.add_parser("file", parents=[common], help="a unit asks for a review of a finding")
    q.add_argument("finding_id", metavar="FINDING_ID")
    q.add_argument("--unit", required=True, metavar="ID", help="the unit filing (must own the finding)")
    q.add_argument("--reason", required=True)
    q.add_argument("--date", type=parse_date_arg, metavar="DATE", help="date of the request (default today)")
    q.add_argument("--year", type=parse_year_arg, metavar="YYYY", help="the publication year (default: the finding's)")
    q.add_argument("--actor", help="who files (default: the unit id)")
    q.set_defaults(func=_file)
    q = asub.add_parser("decide", parents=[common], help="decide a review: --uphold or --overturn")
    q.add_argument("appeal_id", metavar="APPEAL_ID")
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("--uphold", action="store_true", help="the finding stands")
    g.add_argument("--overturn", action="store_true", help="the finding leaves the score")
    q.add_argument("--reason", required=True)
    q.add_argument("--date", type=parse_date_arg, metavar="DATE", help="date of the decision (default today)")
    q.add_argument("--actor", help="who decides (default: the login name)")
    q.set_defaults(func=_decide)
    q = asub.add_parser("list", parents=[common], help="list review requests")
    q.add_argument("--status", choices=tuple(APPEAL_LABELS))
    q.add_argument("--unit", metavar="ID")
    q.set_defaults(func=_list)

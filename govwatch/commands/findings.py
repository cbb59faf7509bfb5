"""The ``findings`` command: list stored findings as JSON lines or a table."""

from __future__ import annotations

import argparse
import json
import sys

from config.labels import SEVERITY_LABELS, STATUS_LABELS
from govwatch.cli import parse_date_arg
from govwatch.context import open_context
from notifier.evidence import describe_evidence, shown_target
from storage import finding_to_dict, list_findings
from storage.findings import STATES, days_open

__all__ = ["register"]

STATUSES = STATES


def _findings(args: argparse.Namespace) -> int:
    ctx = open_context(args.config, args.db)
    with ctx.db.session() as s:
        since, until = args.since, args.until
        if args.date:
            since, until = max(filter(None, (since, args.date))), min(filter(None, (until, args.date)))
        rows = list_findings(s, status=args.status, unit=args.unit, rule=args.rule, since=since, until=until,
                             severity=args.severity)
        if args.format == "jsonl":
            out = sys.stdout
            for f in rows:
                out.write(json.dumps(finding_to_dict(f), ensure_ascii=False) + "\n")
            return 0
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{ctx.config.county} 监测问题（{len(rows)} 个）")
        for col in ("编号", "单位", "指标", "性质", "状态", "对象", "情况", "首次发现", "最近发现", "持续天数"):
            table.add_column(col, overflow="fold")
        for f in rows:
            rule = ctx.catalogue.rules.get(f.rule)
            table.add_row(
                f.id, f.unit_id, rule.indicator if rule else f.rule, SEVERITY_LABELS.get(f.severity, f.severity),
                STATUS_LABELS.get(f.status, f.status), shown_target(f.target), describe_evidence(f.rule, f.evidence),
                f.first_seen.isoformat(), f.last_seen.isoformat(), str(days_open(f)),
            )
        Console(width=max(160, Console().width)).print(table)
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the findings command."""
    p = sub.add_parser("findings", parents=[common], help="list findings (jsonl or table)")
    p.add_argument("--format", choices=("jsonl", "table"), default="table")
    p.add_argument("--status", "--state", dest="status", choices=STATUSES, action="append",
                   help="only findings in this state (repeatable)")
    p.add_argument("--severity", choices=("veto", "deduction", "warning", "operator"), action="append",
                   help="only findings of this severity (repeatable)")
    p.add_argument("--date", type=parse_date_arg, metavar="DATE", help="only findings open on this date (seen on or around it)")
    p.add_argument("--unit", metavar="ID", help="only this unit")
    p.add_argument("--rule", metavar="ID", help="only this rule id (e.g. column.stale)")
    p.add_argument("--since", type=parse_date_arg, metavar="DATE", help="seen on or after this date")
    p.add_argument("--until", type=parse_date_arg, metavar="DATE", help="first seen on or before this date")
    p.set_defaults(func=_findings)

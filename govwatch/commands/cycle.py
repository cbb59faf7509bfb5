"""Commands of the monitoring cycle: run, crawl, check."""

from __future__ import annotations

import argparse
import sys

from govwatch.cli import bounded_arg, parse_date_arg, parse_minutes_arg
from govwatch.console import as_of_of, cycle_progress, progress_bar
from govwatch.context import open_context
from govwatch.pipeline import CycleReport, check, crawl, run_cycle, run_deadline
from govwatch.runlock import crawl_lock
from govwatch.summary import print_cycle

__all__ = ["register"]


def _run(args: argparse.Namespace) -> int:
    ctx = open_context(args.config, args.db)
    as_of = as_of_of(args, ctx)
    with crawl_lock(ctx, "run", wait=args.wait), cycle_progress() as bars:
        deadline = run_deadline(ctx, args.deadline)  # counted from when the run holds the lock
        report: CycleReport = run_cycle(ctx, as_of, progress=bars, deadline=deadline)
    print_cycle(ctx, report)
    if report.stages.deadline_hit:
        print("govwatch: error: the run's deadline passed before all its work was done; what was done is kept "
              "(see the summary)", file=sys.stderr)
    return 0 if report.ok else 1


def _crawl(args: argparse.Namespace) -> int:
    ctx = open_context(args.config, args.db)
    with crawl_lock(ctx, "crawl", wait=args.wait), progress_bar("抓取") as bar:
        report = crawl(ctx, units=set(args.unit) if args.unit else None, progress=bar)
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(report.statuses.items()))
    print(f"抓取页面 {report.targets} 个：{statuses or '无'}")
    if report.failed:
        print("govwatch: error: the crawl did not complete (see the log above)", file=sys.stderr)
    return 1 if report.failed else 0


def _check(args: argparse.Namespace) -> int:
    ctx = open_context(args.config, args.db)
    as_of = as_of_of(args, ctx)
    rep = check(ctx, as_of)
    print(f"监测时间点 {as_of}：判定 {rep.outcomes} 项，新发现 {rep.opened} 个问题，已整改 {rep.rectified} 个")
    for rule, n in rep.open_by_rule.items():
        print(f"  {rule:28} {n}")
    return 0


_seconds = bounded_arg(float, 0, 86400, "number of seconds")


def _wait_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--wait", type=_seconds, default=0.0, metavar="SECONDS",
                   help="when another run or crawl holds this database's crawl lock, wait this long for it "
                        "(default 0: refuse at once, exit 2)")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add run, crawl and check."""
    p = sub.add_parser("run", parents=[common], help="one full monitoring cycle: crawl, check, store, digest")
    p.add_argument("--as-of", type=parse_date_arg, metavar="DATE", help="monitoring time point (YYYY-MM-DD, default today)")
    p.add_argument("--deadline", type=parse_minutes_arg, metavar="DURATION",
                   help="stop starting new work after this long (90m, 2h, 1h30m; default run.deadline_minutes, "
                        "0 = none): what is done is kept and judged, the rest is reported and the exit code is 1")
    _wait_option(p)
    p.set_defaults(func=_run)
    p = sub.add_parser("crawl", parents=[common], help="fetch every watched page and store the observations")
    p.add_argument("--unit", action="append", metavar="ID", help="only this unit (repeatable)")
    _wait_option(p)
    p.set_defaults(func=_crawl)
    p = sub.add_parser("check", parents=[common], help="run the checks on stored observations")
    p.add_argument("--as-of", type=parse_date_arg, metavar="DATE", help="monitoring time point (YYYY-MM-DD, default today)")
    p.set_defaults(func=_check)

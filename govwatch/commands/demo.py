"""The ``demo`` command: serve the bundled sample county on loopback and run one full cycle against it."""

from __future__ import annotations

import argparse
import datetime as dt
import zoneinfo
from pathlib import Path

from config.catalogue import Catalogue
from config.loader import load_catalogue, parse_config
from govwatch.cli import parse_date_arg
from govwatch.commands.notify import run_notify
from govwatch.console import cycle_progress
from govwatch.context import open_context
from govwatch.pipeline import run_cycle
from govwatch.sample import SampleServer, sample_county
from govwatch.summary import print_cycle

__all__ = ["DEMO_PORT", "demo_date", "register", "run_demo"]

DEMO_PORT = 8380


def demo_date(today: dt.date, catalogue: Catalogue) -> dt.date:
    """The demo's monitoring time point: today when it is inside this year's monitoring window, else the last day
    of the latest window (in December the sample county is judged as of 30 November, so its problems count)."""
    start, end = catalogue.scoring.monitoring.for_year(today.year)
    if start <= today <= end:
        return today
    return end if today > end else catalogue.scoring.monitoring.for_year(today.year - 1)[1]


def run_demo(args: argparse.Namespace) -> int:
    """Start the sample county, run one cycle on it, print the summary and the files written."""
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    db_url = args.db
    if not db_url:
        db_file = out / "govwatch.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)  # the demo starts from scratch every time
        db_url = f"sqlite:///{db_file}"
    as_of = args.as_of or demo_date(dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date(), load_catalogue())
    with SampleServer(sample_county(as_of), port=DEMO_PORT) as server:
        data = server.config_data()
        data["output_dir"] = str(out)
        loaded = parse_config(data, "<sample county>")
        ctx = open_context(loaded=loaded, db_url=db_url)
        print(f"示范县已在本机启动：{server.base('portal')}/（门户）、{server.base('standalone')}/（开发区网站）")
        with cycle_progress() as bars:
            report = run_cycle(ctx, as_of, progress=bars)
        notices = run_notify(ctx, as_of, ("rectification",), dry_run=True, preview_dir=out / "notices")
    print_cycle(ctx, report)
    print(f"  整改通知（预览，未发送）：{len(notices.rendered)} 份，在 {out / 'notices'}")
    print(f"  数据库：{db_url}")
    print(f"  查看问题：govwatch findings --db {db_url}")
    print(f"  值班工作台：govwatch user add admin --role admin --db {db_url}（输入密码），"
          f"再运行 govwatch web --db {db_url}，浏览器打开 http://127.0.0.1:8700/")
    return 0 if report.ok else 1


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the demo command."""
    p = sub.add_parser("demo", parents=[common], help="run one full cycle against the bundled sample county (offline)")
    p.add_argument("--as-of", type=parse_date_arg, metavar="DATE", help="monitoring time point (default today, or the last day of the monitoring window when today is outside it)")
    p.add_argument("--out", default="govwatch-demo", metavar="DIR", help="where the demo writes its files")
    p.set_defaults(func=run_demo)

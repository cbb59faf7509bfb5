"""The ``status`` command: next run of each scheduled job, its last run (result, duration) and last error."""

from __future__ import annotations

import argparse
import datetime as dt

from govwatch.context import open_context

__all__ = ["register"]

STATUS_LABELS = {
    "ok": "成功", "failed": "失败", "skipped": "未执行", "stopped": "已中止", "abandoned": "中断",
    "locked": "他处运行", None: "从未运行",
}


def _fmt(value: dt.datetime | None, tz: dt.tzinfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} 秒"
    if seconds < 3600:
        return f"{seconds / 60:.1f} 分钟"
    return f"{seconds / 3600:.1f} 小时"


def _status(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from govwatch.scheduler import job_status

    ctx = open_context(args.config, args.db)
    tz = ctx.tz
    rows = job_status(ctx)
    table = Table(title=f"{ctx.config.county} govwatch 定时任务（{ctx.config.timezone}）")
    for col in ("任务", "计划", "下次运行", "上次运行", "结果", "耗时", "最近错误"):
        table.add_column(col, overflow="fold")
    for r in rows:
        result = STATUS_LABELS.get(r.last_status, r.last_status or "")
        if r.running:
            result = f"{result}（正在运行）"
        error = f"{_fmt(r.last_error_at, tz)} {r.last_error}" if r.last_error else "—"
        nxt = "已停用" if r.spec == "off" else _fmt(r.next_run, tz)
        table.add_row(f"{r.label}\n{r.job_id}", r.spec, nxt, _fmt(r.last_started, tz), result,
                      _duration(r.last_duration), error)
    Console(width=max(140, Console().width)).print(table)
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the status command."""
    p = sub.add_parser("status", parents=[common], help="scheduled jobs: next run, last run and result, last error")
    p.set_defaults(func=_status)

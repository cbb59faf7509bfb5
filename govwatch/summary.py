"""Printing the summary of a cycle for the operator (Chinese)."""

from __future__ import annotations

from govwatch.context import Context
from govwatch.pipeline import CycleReport

__all__ = ["print_cycle"]


def print_cycle(ctx: Context, report: CycleReport) -> None:
    """Units, pages, findings by rule, and the files written."""
    cfg = ctx.config
    no_site = [u for u in cfg.units if not u.sites]
    print(f"{cfg.county} 监测周期完成（监测时间点 {report.as_of.isoformat()}）")
    line = f"  单位 {report.units} 个"
    if no_site:
        line += f"（{len(no_site)} 个未配置网站：{'、'.join(u.name for u in no_site)}）"
    print(line + f"，栏目 {report.columns} 个")
    failures = report.crawl.fetch_failures
    print(f"  抓取页面 {report.crawl.targets} 个，未能抓取 {failures} 个" + ("（见日报运维事项）" if failures else ""))
    if report.accounts is not None and report.accounts.accounts:
        acc = report.accounts
        print(f"  新媒体账号 {acc.accounts} 个，无法读取 {acc.unusable} 个" + ("（见日报运维事项）" if acc.unusable else ""))
    if report.check.open_by_rule:
        print("  发现问题：")
        for key, n in report.check.open_by_rule.items():
            rule, _, stage = key.partition(":")
            name = ctx.catalogue.rules[rule].indicator if rule in ctx.catalogue.rules else rule
            label = {"warning": "（预警）", "suspected": "（疑似，待值班人员确认）"}.get(stage, "")
            print(f"    {rule:24} {name}{label}：{n}")
    else:
        print("  未发现问题")
    if report.digest:
        print(f"  日报：{report.digest}")
    if report.findings_file:
        print(f"  问题清单：{report.findings_file}")
    if getattr(report, "workbook", None):
        print(f"  年度扣分表：{report.workbook}")
    if not report.ok:
        print("  注意：抓取未全部完成，详见上方日志")

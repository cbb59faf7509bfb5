"""Printing the summary of a cycle for the operator (Chinese)."""

from __future__ import annotations

from govwatch.context import Context
from govwatch.linkstage import LinkReport
from govwatch.pipeline import CycleReport

__all__ = ["link_lines", "print_cycle"]

#: the stages a deadline can keep from starting, as the operator reads them
_STAGE_NAMES = {"probe": "可用性探测", "accounts": "新媒体账号读取", "links": "链接检查", "content": "正文读取"}


def link_lines(rep: LinkReport, head: str = "链接检查：") -> list[str]:
    """What a link check did, for the operator: pages, links checked, requests, deferred links."""
    lines = [f"{head}页面 {rep.pages + rep.crawled_pages} 个（其中抓取时已读 {rep.crawled_pages} 个），"
             f"链接 {rep.links} 个，已检查 {rep.checked} 个（近期检查正常、本次免检 {rep.cached} 个），请求 {rep.requests} 次"]
    if rep.deferred:
        hosts = "、".join(f"{h} {n} 个" for h, n in list(rep.deferred_hosts.items())[:3])
        why = "运行期限已到或超出检查预算" if rep.deadline_hit else "超出本次检查预算"
        lines.append(f"  {why}、顺延到以后几天检查的链接 {rep.deferred} 个（{hosts}），未检查的不判定")
    return lines


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
    stages = report.stages
    if stages.probe is not None:
        print(f"  可用性探测 {stages.probe.probes} 次，打不开 {stages.probe.failed} 次")
    if stages.links is not None:
        for line in link_lines(stages.links):
            print("  " + line)
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
    if stages.deadline_hit:
        left = [_STAGE_NAMES.get(n, n) for n in stages.not_done]
        parts = []
        if stages.crawl.deadline_hit:
            parts.append(f"未抓取页面 {max(stages.crawl.targets - stages.crawl.stored, 0)} 个")
        if left:
            parts.append("未开始：" + "、".join(left))
        print("  注意：运行期限已到，已完成的结果已保存并判定；" + ("；".join(parts) or "部分链接顺延"))
    elif not report.ok:
        print("  注意：抓取未全部完成，详见上方日志")

"""The ``rules`` command: print the effective rules catalogue (defaults merged with the county's overrides)."""

from __future__ import annotations

import argparse
import json

from checks import describe_checks
from config.labels import OBJECT_LABELS, SEVERITY_LABELS, UNIT_KIND_LABELS
from config.loader import load_config
from govwatch.context import resolve_config_path

__all__ = ["register"]


def _reflowed(doc: str) -> str:
    """A docstring's paragraphs each on one line, so that the table wraps them at its own width."""
    return "\n\n".join(" ".join(par.split()) for par in doc.split("\n\n"))


def _rules(args: argparse.Namespace) -> int:
    loaded = load_config(resolve_config_path(args.config))
    cat = loaded.catalogue
    checks = describe_checks()
    if args.format == "json":
        data = cat.model_dump(mode="json")
        data["checks"] = {rid: {"function": fn, "doc": doc} for rid, (fn, doc) in checks.items()}
        for rid, rule in data.get("rules", {}).items():  # a rule without a check is never shown as enabled
            rule["enabled"] = bool(rule.get("enabled", True)) and rid in checks
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(160, Console().width))
    t = Table(title=f"{loaded.config.county} 监测规则目录（有效值）")
    for col in ("规则编号", "指标", "性质", "对象", "窗口", "预警提前", "每处扣分", "扣分上限", "不重复扣分", "适用单位", "阈值", "启用"):
        t.add_column(col, overflow="fold")
    for rid, r in cat.rules.items():
        t.add_row(
            rid, r.indicator, SEVERITY_LABELS.get(r.severity, r.severity), OBJECT_LABELS.get(r.object, r.object),
            str(r.window or ""), "" if r.warn_lead_days is None else f"{r.warn_lead_days} 天",
            f"{r.points:g}" if r.severity == "deduction" else "", "" if r.cap is None else f"{r.cap:g}",
            "、".join(r.not_after), "、".join(UNIT_KIND_LABELS.get(k, k) for k in r.applies_to) or "全部",
            "，".join(f"{k}={v:g}" for k, v in r.thresholds.items()),
            ("是" if rid in checks else "否（无检查）") if r.enabled else "否",
        )
    console.print(t)
    c = Table(title="栏目分类与更新时限")
    for col in ("分类", "名称", "时限", "预警提前", "单项否决分组", "仅一级栏目"):
        c.add_column(col)
    for key, cr in cat.categories.items():
        c.add_row(key, cr.label, str(cr.window or "不判定"), f"{cr.warn_lead_days} 天" if cr.warn_lead_days else "",
                  cr.veto_group or "", "是" if cr.veto_top_level_only else "")
    console.print(c)
    h = Table(title="各项检查（规则编号、检查函数及其说明）", show_lines=True)
    for col in ("规则编号", "检查函数", "说明"):
        h.add_column(col, overflow="fold")
    for rid in cat.rules:
        fn, doc = checks.get(rid, ("—", "尚无自动检查"))
        h.add_row(rid, fn, _reflowed(doc))
    console.print(h)
    sc = cat.scoring
    weights = f"网站 {sc.weights['site']:g} / 新媒体 {sc.weights['account']:g}" if sc.weights else "不加权"
    console.print(
        f"评分：满分 {sc.base:g}，合格线 {sc.pass_line:g}，单项否决得分 网站 {sc.veto_score.get('site', 0):g} / "
        f"账号 {sc.veto_score.get('account', 0):g}，权重 {weights}，默认监测时段 "
        f"{sc.monitoring.start[0]:02d}-{sc.monitoring.start[1]:02d} 至 {sc.monitoring.end[0]:02d}-{sc.monitoring.end[1]:02d}，"
        f"复核期限 {sc.appeal_working_days} 个工作日"
    )
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the rules command."""
    p = sub.add_parser("rules", parents=[common], help="print the effective rules catalogue")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=_rules)


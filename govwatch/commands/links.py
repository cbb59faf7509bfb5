"""The ``links`` command: check the links of every site's homepage, or of the whole site (链接可用性检查)."""

from __future__ import annotations

import argparse

from config.labels import LINK_ERROR_LABELS
from govwatch.context import open_context
from govwatch.pipeline import check_links
from govwatch.summary import link_lines

__all__ = ["register"]


def _links(args: argparse.Namespace) -> int:
    ctx = open_context(args.config, args.db)
    rep = check_links(ctx, whole_site=True if args.whole_site else False, units=set(args.unit) if args.unit else None)
    scope = "全站" if args.whole_site else "首页及已抓取页面"
    first, *rest = link_lines(rep, f"{scope}链接检查：站点 {rep.sites} 个，")
    print(f"{first}，用时 {rep.seconds:.1f} 秒")
    for line in rest:
        print(line)
    total = sum(rep.broken.values())
    print(f"  确认不可用链接 {total} 个" + ("：" if total else ""))
    for err, n in rep.broken.items():
        print(f"    {LINK_ERROR_LABELS.get(err, err)}：{n}")
    if rep.transient:
        print(f"  复测恢复（不报告）：{rep.transient} 个")
    if rep.failed_sites:
        print(f"  首页无法打开、未检查的站点 {len(rep.failed_sites)} 个：" + "、".join(rep.failed_sites))
    print("  运行 govwatch check 生成问题（link.broken）")
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the links command."""
    p = sub.add_parser("links", parents=[common], help="check the links of every site's homepage (or whole site)")
    p.add_argument("--whole-site", action="store_true",
                   help="crawl each site within its page budget and depth and check every link found")
    p.add_argument("--unit", action="append", metavar="ID", help="only this unit (repeatable)")
    p.set_defaults(func=_links)

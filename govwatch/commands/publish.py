"""The ``publish`` command: post the preliminary year-end results (公示) as HTML and xlsx, opening the appeal period."""

from __future__ import annotations

import argparse
from pathlib import Path

from govwatch.cli import parse_date_arg, parse_year_arg
from govwatch.commands.finding import default_actor
from govwatch.context import open_context
from reports.publish import publish_results

__all__ = ["register"]


def _publish(args: argparse.Namespace) -> int:
    ctx = open_context(args.config, args.db)
    published_on = args.date or ctx.today()
    out = Path(args.out) if args.out else ctx.output_dir
    templates = getattr(getattr(ctx.config, "notify", None), "templates", None)  # the county's own templates
    if templates and not Path(templates).is_absolute():
        templates = str(ctx.loaded.base_dir / templates)
    with ctx.db.session() as s:
        res = publish_results(
            s, ctx.config, ctx.catalogue, args.year, published_on=published_on, out_dir=out,
            actor=args.actor or default_actor(), template_dir=templates,
        )
    failed = [u for u in res.sheet.units if not u.passed]
    print(f"{ctx.config.county}{res.year}年度监测结果公示（编号 {res.publication_id}）")
    print(f"  公示日期：{res.published_on.isoformat()}，复核申请截止：{res.deadline.isoformat()}（{res.working_days} 个工作日）")
    print(f"  单位 {len(res.sheet.units)} 个，不合格 {len(failed)} 个" + (f"：{'、'.join(u.unit.name for u in failed)}" if failed else ""))
    print(f"  公示页面：{res.html}")
    print(f"  公示表格：{res.xlsx}")
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the publish command."""
    p = sub.add_parser("publish", parents=[common], help="publish the preliminary year-end results (公示)")
    p.add_argument("--year", type=parse_year_arg, required=True, metavar="YYYY")
    p.add_argument("--date", type=parse_date_arg, metavar="DATE", help="publication date (default today)")
    p.add_argument("--out", metavar="DIR", help="where to write the files (default: the config's output_dir)")
    p.add_argument("--actor", help="who publishes (default: the login name)")
    p.set_defaults(func=_publish)

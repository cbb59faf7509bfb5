"""The ``notify`` command: render the due notices and digests, preview them (--dry-run) or send them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from config.labels import NOTICE_KIND_LABELS
from govwatch.cli import parse_date_arg
from govwatch.console import as_of_of
from govwatch.context import Context, open_context
from notifier.delivery import DeliveryReport, notify
from notifier.notices import KINDS

__all__ = ["register", "run_notify", "template_dir"]


def template_dir(ctx: Context) -> str | None:
    """The county's template override directory (``notify.templates``, relative to the config file)."""
    t = ctx.config.notify.templates
    if not t:
        return None
    p = Path(t)
    return str(p if p.is_absolute() else ctx.loaded.base_dir / p)


def run_notify(ctx: Context, as_of, kinds, **kwargs) -> DeliveryReport:  # type: ignore[no-untyped-def]
    """The same call the scheduler makes: render, queue once per period and channel, send what is due."""
    return notify(ctx.db, ctx.config, ctx.catalogue, as_of, output_dir=ctx.output_dir, kinds=kinds,
                  override_dir=template_dir(ctx), **kwargs)


def _notify(args: argparse.Namespace) -> int:
    ctx = open_context(args.config, args.db)
    as_of = as_of_of(args, ctx)
    kinds = tuple(args.kind) if args.kind else ("digest", "rectification")
    units = set(args.unit) if args.unit else None
    out = Path(args.out) if args.out else None
    if args.dry_run:
        rep = run_notify(ctx, as_of, kinds, dry_run=True, preview_dir=out or ctx.output_dir / "preview", units=units)
        print(f"预览（未发送、未记录）：{len(rep.rendered)} 份通知")
        for notice, path in zip(rep.rendered, rep.files, strict=True):
            print(f"  {NOTICE_KIND_LABELS[notice.kind]} {notice.unit_name}（{notice.period}）→ {path}")
        return 0
    rep = run_notify(ctx, as_of, kinds, force_retry=True, units=units)
    print(f"通知 {len(rep.rendered)} 份：新排队 {rep.queued} 个发送，此前已排队或已发送 {rep.already} 个；"
          f"本次发送成功 {len(rep.sent)} 个，失败 {len(rep.failed)} 个")
    for kind, unit, period, channel in rep.sent:
        print(f"  已发送 {NOTICE_KIND_LABELS.get(kind, kind)} {unit} {period} 经 {channel}")
    for kind, unit, period, channel, error in rep.failed:
        print(f"  未发送 {NOTICE_KIND_LABELS.get(kind, kind)} {unit} {period} 经 {channel}：{error}")
    for path in rep.files:
        print(f"  日报：{path}")
    if rep.failed:
        print(f"govwatch: error: {len(rep.failed)} send(s) failed; they stay queued and are retried", file=sys.stderr)
        return 1
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the notify command."""
    p = sub.add_parser("notify", parents=[common], help="render and send due notices and digests")
    p.add_argument("--dry-run", action="store_true", help="render only: write the notices to --out, send and record nothing")
    p.add_argument("--out", metavar="DIR", help="where --dry-run writes the previews (default OUTPUT_DIR/preview)")
    p.add_argument("--as-of", type=parse_date_arg, metavar="DATE", help="monitoring time point (YYYY-MM-DD, default today)")
    p.add_argument("--kind", action="append", choices=KINDS,
                   help="digest, rectification (unit notices) or monthly (repeatable; default digest and rectification)")
    p.add_argument("--unit", action="append", metavar="ID", help="unit notices only for this unit (repeatable)")
    p.set_defaults(func=_notify)

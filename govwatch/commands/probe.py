"""The ``probe`` command: one availability probe of every site's homepage (站点可用性探测)."""

from __future__ import annotations

import argparse

from config.labels import FETCH_LABELS
from govwatch.context import open_context
from govwatch.pipeline import probe

__all__ = ["register"]



def _probe(args: argparse.Namespace) -> int:
    ctx = open_context(args.config, args.db)
    rep = probe(ctx, units=set(args.unit) if args.unit else None)
    statuses = "，".join(f"{FETCH_LABELS.get(k, k)} {v}" for k, v in sorted(rep.statuses.items()))
    print(f"探测首页 {rep.probes} 个，失败 {rep.failed} 个" + (f"（{statuses}）" if statuses else ""))
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the probe command."""
    p = sub.add_parser("probe", parents=[common],
                       help="probe every site's homepage once (opens within 15 s?) and store the result")
    p.add_argument("--unit", action="append", metavar="ID", help="only this unit (repeatable)")
    p.set_defaults(func=_probe)

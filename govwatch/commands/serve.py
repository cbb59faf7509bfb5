"""The ``serve`` command: the scheduler daemon (crawl, probes, link check, digest, notices, monthly report)."""

from __future__ import annotations

import argparse

from govwatch.context import open_context

__all__ = ["register"]


def _serve(args: argparse.Namespace) -> int:
    from govwatch.scheduler import Service

    ctx = open_context(args.config, args.db)
    return Service(ctx).serve()


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the serve command."""
    p = sub.add_parser("serve", parents=[common],
                       help="run the scheduler daemon (jobs and times from the config's schedule: section)")
    p.set_defaults(func=_serve)

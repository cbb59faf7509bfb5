"""The ``serve`` command: the scheduler daemon (crawl, probes, link check, digest, notices, monthly report)."""

from __future__ import annotations

import argparse
import contextlib

from govwatch.context import open_context

__all__ = ["register"]


def _serve(args: argparse.Namespace) -> int:
    from govwatch.scheduler import Service

    ctx = open_context(args.config, args.db)
    with contextlib.ExitStack() as stack:
        web = ctx.config.web
        if web is not None:  # the workbench beside the jobs, same database
            from govwatch.commands.web import build_app
            from web.server import WebServer

            server = stack.enter_context(WebServer(build_app(ctx, web), web.host, web.port))
            print(f"值班工作台：{server.url}/", flush=True)
        return Service(ctx).serve()


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the serve command."""
    p = sub.add_parser("serve", parents=[common],
                       help="run the scheduler daemon (jobs and times from the config's schedule: section; "
                            "the web workbench too with web: in the config)")
    p.set_defaults(func=_serve)

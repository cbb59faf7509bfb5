"""The ``web`` command: serve the workbench (值班工作台) on the same database as every other command."""

from __future__ import annotations

import argparse
from typing import Any

from config.schema import WebConfig
from govwatch.cli import port_arg
from govwatch.context import Context, open_context

__all__ = ["build_app", "register"]


def build_app(ctx: Context, web: WebConfig) -> Any:
    """The workbench application of this context, its cookies signed with the county's web secret."""
    from web.app import create_app
    from web.security import load_secret

    return create_app(ctx, secret_key=load_secret(ctx.output_dir), https_only=web.https_only)


def _web(args: argparse.Namespace) -> int:
    from web.server import serve

    ctx = open_context(args.config, args.db)
    web = ctx.config.web or WebConfig()
    host, port = args.host or web.host, args.port or web.port
    app = build_app(ctx, web.model_copy(update={"https_only": web.https_only or args.https_only}))
    print(f"值班工作台：http://{host}:{port}/（Ctrl+C 停止；账号用 govwatch user add 创建）", flush=True)
    serve(app, host, port)
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the web command."""
    p = sub.add_parser("web", parents=[common], help="serve the web workbench (值班工作台)")
    p.add_argument("--host", help="address to listen on (default: the config's web.host, else 127.0.0.1)")
    p.add_argument("--port", type=port_arg, help="port (default: the config's web.port, else 8700)")
    p.add_argument("--https-only", action="store_true",
                   help="send the session cookie over HTTPS only (behind a TLS proxy)")
    p.set_defaults(func=_web)

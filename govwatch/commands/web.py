"""The ``web`` command: serve the workbench (值班工作台) on the same database as every other command."""

from __future__ import annotations

import argparse

from govwatch.context import open_context

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "register"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8700


def _web(args: argparse.Namespace) -> int:
    from web.app import create_app
    from web.security import load_secret
    from web.server import serve

    ctx = open_context(args.config, args.db)
    app = create_app(ctx, secret_key=load_secret(ctx.output_dir), https_only=args.https_only)
    print(f"值班工作台：http://{args.host}:{args.port}/（Ctrl+C 停止；账号用 govwatch user add 创建）", flush=True)
    serve(app, args.host, args.port)
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the web command."""
    p = sub.add_parser("web", parents=[common], help="serve the web workbench (值班工作台)")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument("--https-only", action="store_true",
                   help="session cookie only over HTTPS (behind a TLS proxy)")
    p.set_defaults(func=_web)

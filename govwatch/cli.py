"""The single command-line entry point ``govwatch``; each subcommand lives in govwatch/commands/."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import logging
import os
import pkgutil
import sys
from collections.abc import Sequence

from govwatch import commands
from govwatch.errors import GovwatchError

__all__ = ["build_parser", "main", "parse_date_arg"]


def parse_date_arg(text: str) -> dt.date:
    """``YYYY-MM-DD`` for --as-of and similar options."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _common() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--config", metavar="FILE", help="configuration file (default ./govwatch.yaml, else the bundled sample county)")
    p.add_argument("--db", metavar="URL", help="database URL (default from the config, else sqlite:///govwatch.db)")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output on stderr")
    return p


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="govwatch",
        description="政府网站与政务新媒体监测 — monitoring of government websites and new-media accounts.",
    )
    from govwatch import __version__

    parser.add_argument("--version", action="version", version=f"govwatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = _common()
    for mod in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{mod.name}")
        register = getattr(module, "register", None)
        if register:
            register(sub, common)
    return parser


def _logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush does not fail on the closed pipe again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 the cycle ran but something failed, 2 bad usage/config)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    _logging(getattr(args, "verbose", 0))
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()
        return code
    except BrokenPipeError:  # the reader went away (``govwatch findings | head``): quiet, exit 1 as Python and rich do
        _silence_stdout()
        return 1
    except GovwatchError as exc:
        print(f"govwatch: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("govwatch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

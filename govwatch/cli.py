"""The single command-line entry point ``govwatch``; each subcommand lives in govwatch/commands/."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import logging
import os
import pkgutil
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from govwatch import commands
from govwatch.context import discard_created_databases, forget_opened
from govwatch.errors import GovwatchError

__all__ = ["MAX_YEAR", "MIN_YEAR", "Parser", "bounded_arg", "build_parser", "main", "parse_date_arg", "parse_year_arg", "port_arg"]

#: the years a ``--year`` or a date may name (the working-day calendar and the monitoring plan live here)
MIN_YEAR, MAX_YEAR = 2000, 2100


class Parser(argparse.ArgumentParser):
    """argparse with one line on stderr for a usage error (``govwatch export: error: …``), exit code 2."""

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        """Print the problem on one line (and where the help is), exit 2."""
        line = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {line} (see {self.prog} --help)\n")


def parse_date_arg(text: str) -> dt.date:
    """``YYYY-MM-DD`` for --as-of and similar options (a year from MIN_YEAR to MAX_YEAR)."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise argparse.ArgumentTypeError(f"the year of {text!r} is outside {MIN_YEAR}–{MAX_YEAR}")
    return day


def bounded_arg(cast: type[int] | type[float], low: float, high: float, what: str) -> Callable[[str], Any]:
    """An argparse ``type`` reading a number of ``what`` from ``low`` to ``high``, with a one-line error."""

    def parse(text: str) -> Any:
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a {what}: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is outside {low:g}–{high:g} ({what})")
        return value

    return parse


_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?:in)?)?", re.I)


def parse_minutes_arg(text: str) -> float:
    """A duration in minutes for --deadline: ``90m``, ``2h``, ``1h30m`` or a plain number of minutes (up to 24 h)."""
    raw = text.strip()
    m = _DURATION.fullmatch(raw)
    try:
        minutes = float(raw) if raw.replace(".", "", 1).isdigit() else (
            float(m.group(1) or 0) * 60 + float(m.group(2) or 0) if m and (m.group(1) or m.group(2)) else None)
    except ValueError:
        minutes = None
    if minutes is None:
        raise argparse.ArgumentTypeError(f"not a duration (such as 90m, 2h, 1h30m): {text!r}")
    if not 0 < minutes <= 24 * 60:
        raise argparse.ArgumentTypeError(f"{text} is outside 1 minute–24 hours")
    return minutes


parse_year_arg = bounded_arg(int, MIN_YEAR, MAX_YEAR, "year")
port_arg = bounded_arg(int, 1, 65535, "port number")


def _common() -> argparse.ArgumentParser:
    p = Parser(add_help=False)
    p.add_argument("--config", metavar="FILE", help="configuration file (default ./govwatch.yaml, else the bundled sample county)")
    p.add_argument("--db", metavar="URL", help="database URL (default from the config, else sqlite:///govwatch.db)")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output on stderr")
    return p


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = Parser(
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
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) or a usage error (2, said on one line)
        return exc.code if isinstance(exc.code, int) else 2
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    _logging(getattr(args, "verbose", 0))
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()
        forget_opened()
        return code
    except BrokenPipeError:  # the reader went away (``govwatch findings | head``): quiet, exit 1 as Python and rich do
        _silence_stdout()
        return 1
    except GovwatchError as exc:
        print(f"govwatch: error: {exc}", file=sys.stderr)
        if exc.exit_code == 2:  # bad usage or config: leave nothing behind, not even a new empty database
            discard_created_databases()
        return exc.exit_code
    except KeyboardInterrupt:
        print("govwatch: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a file that cannot be written or read (--out is a directory, no such folder...)
        logging.getLogger("govwatch").debug("I/O error", exc_info=True)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"govwatch: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

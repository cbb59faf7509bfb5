"""Terminal helpers shared by the commands: progress display and the as-of default."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from govwatch.context import Context

__all__ = ["as_of_of", "progress_bar"]


def as_of_of(args: argparse.Namespace, ctx: Context) -> dt.date:
    """The monitoring time point: --as-of, else today in the county."""
    return getattr(args, "as_of", None) or ctx.today()


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True) as p:
        task = p.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            p.update(task, completed=done, total=total)

        yield update

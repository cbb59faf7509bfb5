"""Terminal helpers shared by the commands: progress display and the as-of default."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from govwatch.context import Context

__all__ = ["as_of_of", "cycle_progress", "progress_bar"]

#: the label of each stage's bar in a cycle
STAGE_LABELS = {"run": "运行", "crawl": "抓取", "links": "链接"}


def as_of_of(args: argparse.Namespace, ctx: Context) -> dt.date:
    """The monitoring time point: --as-of, else today in the county."""
    return getattr(args, "as_of", None) or ctx.today()


def _interactive() -> bool:
    """Bars only for a person at a terminal: quiet when the output goes to a file, a pipe or a log."""
    return sys.stdout.isatty() and sys.stderr.isatty()


def _progress() -> object:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    transient=True, console=Console(stderr=True))


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr when at a terminal; nothing otherwise."""
    if not _interactive():
        yield None
        return
    with _progress() as p:  # type: ignore[attr-defined]
        task = p.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            p.update(task, completed=done, total=total)

        yield update


@contextmanager
def cycle_progress() -> Iterator[Callable[[str, int, int], None] | None]:
    """Bars for a whole cycle (运行: stages; 抓取: pages; 链接: links) on stderr when at a terminal."""
    if not _interactive():
        yield None
        return
    with _progress() as p:  # type: ignore[attr-defined]
        tasks: dict[str, object] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = p.add_task(STAGE_LABELS.get(stage, stage), total=None)
            p.update(tasks[stage], completed=done, total=total)

        yield update

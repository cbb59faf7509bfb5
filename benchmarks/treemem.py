"""Peak memory of a process tree (a crawl's Python child, Playwright's driver, Chromium's processes), sampled
from /proc: the sum of the processes' PSS (shared pages split between their users), RSS when PSS is unreadable."""

from __future__ import annotations

import os
import threading
from pathlib import Path

__all__ = ["TreeMemory", "tree_kib"]


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def _kib(pid: int) -> int:
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1])
        except OSError:
            continue
    return 0


def tree_kib(root: int, *, include_root: bool = False) -> int:
    """Memory (KiB) of the descendants of ``root`` (and ``root`` itself when asked)."""
    kids = _children()
    todo, total = list(kids.get(root, [])), _kib(root) if include_root else 0
    while todo:
        pid = todo.pop()
        total += _kib(pid)
        todo.extend(kids.get(pid, []))
    return total


class TreeMemory:
    """Samples the memory of this process's descendants every ``interval`` seconds; ``peak_mib`` after."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self.interval):
            self.peak_kib = max(self.peak_kib, tree_kib(me))

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float:
        """The highest sample, MiB."""
        return round(self.peak_kib / 1024, 1)

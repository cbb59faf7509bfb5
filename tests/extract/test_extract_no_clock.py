"""The extractors never read the clock: 'today' only ever comes from the caller."""

from __future__ import annotations

import ast
from pathlib import Path

import crawler.extract

PACKAGE = Path(crawler.extract.__file__).parent
# Calls that read the wall clock (attribute names, whatever module they hang off).
CLOCK_CALLS = {"today", "now", "utcnow", "time", "time_ns", "localtime", "gmtime", "monotonic", "perf_counter"}


def test_no_module_reads_the_clock() -> None:
    offenders = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in CLOCK_CALLS:
                    offenders.append(f"{path.name}:{node.lineno} .{node.func.attr}()")
            if isinstance(node, ast.ImportFrom) and node.module in ("time", "datetime"):
                names = {a.name for a in node.names}
                if node.module == "time" or names & CLOCK_CALLS:
                    offenders.append(f"{path.name}:{node.lineno} from {node.module} import {sorted(names)}")
    assert not offenders, "the clock is read in: " + ", ".join(offenders)

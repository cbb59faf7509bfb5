"""Crawl benchmark on local farms: a county (40 units, ~500 columns, a shared portal host) and a province (10x).

Reports wall time, pages/s, requests per watched page on the first and on a second (unchanged) day, full
downloads on the second day, accuracy of the newest dates, and peak memory (the crawler's Python process, and the
whole process tree with Playwright's driver and Chromium), under the default politeness and with politeness off. Not part of the
test suite; run ``python benchmarks/crawl_bench.py [--only county|province] [--skip-polite]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from benchmarks.crawl_farm import FarmServer, build_farm  # noqa: E402
from benchmarks.treemem import TreeMemory  # noqa: E402
from config.schema import Config, CrawlConfig  # noqa: E402
from crawler.runner import crawl_in_child  # noqa: E402
from storage import ColumnRow, CrawlRun, PageSnapshot, sync_roster  # noqa: E402
from storage.db import Database  # noqa: E402

SIZES = {"county": 1, "province": 10}


def _crawl_once(server: FarmServer, crawl: CrawlConfig, db_url: str,
                cache_dir: str) -> tuple[float, dict[int, Any], dict[str, int], float]:
    data = server.config_data(crawl=crawl.model_dump())
    cfg = Config.model_validate(data)
    db = Database(db_url)
    with db.session() as s:
        sync_roster(s, cfg)
        run = CrawlRun(kind="crawl")
        s.add(run)
        s.flush()
        run_id = run.id
        targets = [{"column_id": c.id, "url": c.url, "role": c.role, "extractor": c.extractor, "render": c.render,
                    "selectors": None, "max_pages": None}
                   for c in s.scalars(select(ColumnRow).order_by(ColumnRow.id))]
    server.clear_log()
    started = time.perf_counter()
    with TreeMemory() as mem:
        code = crawl_in_child(targets, crawl=crawl, db_url=db_url, run_id=run_id,
                              today=server.farm.as_of.isoformat(), cache_dir=cache_dir)
    wall = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"crawler exited with {code}")
    with db.session() as s:
        snaps = {p.column_id: (p.newest_date, p.status) for p in
                 s.scalars(select(PageSnapshot).where(PageSnapshot.run_id == run_id))}
        urls = {c.id: c.url for c in s.scalars(select(ColumnRow))}
    db.dispose()
    by_url = {urls[k]: v for k, v in snaps.items()}
    statuses: dict[str, int] = {}
    for _, st in snaps.values():
        statuses[st] = statuses.get(st, 0) + 1
    return wall, by_url, statuses, mem.peak_mib


def scenario(size: str, polite: bool, second_run: bool) -> dict[str, Any]:
    """One farm size under one politeness setting; runs in its own process (peak memory is its children's)."""
    farm = build_farm(units=40, columns_per_unit=12, counties=SIZES[size])
    crawl = CrawlConfig() if polite else CrawlConfig(delay=0, concurrency_per_host=16, concurrent_requests=64,
                                                     autothrottle=False)
    columns = len(farm.columns())
    with tempfile.TemporaryDirectory() as tmp, FarmServer(farm) as server:
        db_url = f"sqlite:///{tmp}/bench.db"
        wall, seen, statuses, tree = _crawl_once(server, crawl, db_url, f"{tmp}/cache")
        requests = len(server.log)
        full = server.full_downloads()
        right = sum(1 for u, c in farm.columns() if seen.get(server.column_url(u, c), (None,))[0] == c.newest(farm.as_of))
        out: dict[str, Any] = {
            "farm": size, "politeness": "default" if polite else "off", "units": len(farm.units),
            "hosts": len(farm.hosts()), "columns": columns, "targets": len(seen), "wall_s": round(wall, 1),
            "requests": requests, "pages_per_s": round(requests / wall, 1), "requests_per_column": round(requests / len(seen), 2),
            "full_downloads": full, "newest_right": f"{right}/{columns}", "statuses": statuses,
            "tree_peak_mb": tree,
        }
        if second_run:
            wall2, _, statuses2, tree2 = _crawl_once(server, crawl, db_url, f"{tmp}/cache")
            out.update({"second_wall_s": round(wall2, 1), "second_requests": len(server.log),
                        "second_requests_per_column": round(len(server.log) / len(seen), 2),
                        "second_full_downloads": server.full_downloads(), "second_statuses": statuses2,
                        "tree_peak_mb": max(tree, tree2)})
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    return out


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios (each in a fresh process) and print a Markdown table."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--only", choices=sorted(SIZES))
    p.add_argument("--skip-polite", action="store_true", help="only politeness off (the polite runs take minutes)")
    p.add_argument("--scenario", nargs=2, metavar=("SIZE", "POLITE"), help=argparse.SUPPRESS)
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = p.parse_args(argv)
    if args.scenario:
        size, polite = args.scenario[0], args.scenario[1] == "1"
        print(json.dumps(scenario(size, polite, second_run=True)))
        return 0
    results = []
    for size in ([args.only] if args.only else list(SIZES)):
        for polite in ((False,) if args.skip_polite else (False, True)):
            proc = subprocess.run([sys.executable, __file__, "--scenario", size, "1" if polite else "0"],
                                  capture_output=True, text=True, cwd=ROOT)
            if proc.returncode != 0:
                print(proc.stderr[-3000:], file=sys.stderr)
                return proc.returncode
            res = json.loads(proc.stdout.strip().splitlines()[-1])
            results.append(res)
            print(json.dumps(res, ensure_ascii=False), file=sys.stderr)
    print(f"Machine: {_machine()}\n")
    print("| farm | politeness | units / hosts | columns | wall s | pages/s | requests/watched page | newest right | "
          "peak MB: crawler / tree | 2nd day: requests (per watched page) / full downloads / wall s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        second = (f"{r['second_requests']} ({r['second_requests_per_column']}) / {r['second_full_downloads']} / "
                  f"{r['second_wall_s']}" if "second_requests" in r else "—")
        print(f"| {r['farm']} | {r['politeness']} | {r['units']} / {r['hosts']} | {r['columns']} | {r['wall_s']} | "
              f"{r['pages_per_s']} | {r['requests_per_column']} | {r['newest_right']} | "
              f"{r['peak_rss_mb']} / {r['tree_peak_mb']} | {second} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

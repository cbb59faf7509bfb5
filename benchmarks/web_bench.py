"""How fast the workbench's pages open with 10 000 findings in the database (not a test; numbers in the README).

    .venv/bin/python benchmarks/web_bench.py [--findings 10000] [--db URL] [--runs 5]

A county of 40 units with ``--findings`` findings (stale columns, broken links, warnings, a few dismissed),
each seen on two dates, one admin user; the app is served by uvicorn on loopback and every page is fetched
``--runs`` times over HTTP with a logged-in session; the median and the slowest are printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from checks.base import Outcome  # noqa: E402
from config.loader import parse_config  # noqa: E402
from govwatch.context import open_context  # noqa: E402
from storage import apply_outcomes, sync_roster  # noqa: E402
from storage.findings import dismiss  # noqa: E402
from storage.models import Finding  # noqa: E402
from storage.users import add_user  # noqa: E402
from web.app import create_app  # noqa: E402
from web.server import WebServer  # noqa: E402

AS_OF = dt.date(2021, 11, 30)
UNITS = 40


def county(out: Path) -> dict:
    units = []
    for i in range(UNITS):
        units.append({"id": f"u{i:02d}", "name": f"第{i + 1}单位", "kind": "department",
                      "sites": [{"url": f"http://u{i:02d}.example/"}]})
    return {"county": "基准县", "monitoring": {"start": "2021-01-01", "end": "2021-11-30"}, "units": units,
            "output_dir": str(out)}


def outcomes(n: int) -> list[Outcome]:
    out = []
    for k in range(n):
        unit = f"u{k % UNITS:02d}"
        if k % 10 == 0:
            out.append(Outcome("column.stale", unit, f"http://{unit}.example/c{k}/", False,
                               "warning" if k % 20 == 0 else "deduction", 1.0,
                               {"column": f"栏目{k}", "category": "news", "last_update": "2021-10-01", "limit_days": 14}))
        else:
            url = f"http://{unit}.example/a/{k}.html"
            out.append(Outcome("link.broken", unit, url, False, "deduction", 0.1,
                               {"url": url, "kind": "page", "error": "http_404", "on_homepage": False,
                                "pages": [f"http://{unit}.example/"]}))
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--findings", type=int, default=10_000)
    p.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="govwatch-web-bench-"))
    loaded = parse_config(county(tmp / "out"), "<bench county>")
    ctx = open_context(loaded=loaded, db_url=args.db or f"sqlite:///{tmp / 'bench.db'}")
    t0 = time.perf_counter()
    with ctx.db.session() as s:
        sync_roster(s, ctx.config)
    found = outcomes(args.findings)
    with ctx.db.session() as s:
        apply_outcomes(s, found, AS_OF - dt.timedelta(days=7))
    with ctx.db.session() as s:
        apply_outcomes(s, found, AS_OF)
    with ctx.db.session() as s:
        for f in s.query(Finding).filter(Finding.rule == "link.broken").limit(args.findings // 50):
            dismiss(s, f.id, reason="基准", actor="bench")
        add_user(s, "admin", "bench-password", role="admin")
        total = s.query(Finding).count()
    print(f"{total} findings stored in {time.perf_counter() - t0:.1f} s ({ctx.db.dialect})")
    app = create_app(ctx, secret_key="bench-" + "x" * 40, today=lambda: AS_OF)
    pages = ["/findings", "/findings?page=100", "/findings?unit=u07&rule=link.broken", "/findings?status=dismissed",
             "/findings/{fid}", "/today", "/units", "/units/u07", "/scores?year=2021", "/appeals", "/status"]
    with ctx.db.session() as s:
        fid = s.query(Finding.id).filter(Finding.unit_id == "u07").first()[0]
    with WebServer(app) as server, httpx.Client(base_url=server.url) as c:
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
        r = c.post("/login", data={"username": "admin", "password": "bench-password", "csrf_token": token})
        assert r.status_code == 303, r.text
        print(f"{'page':45} {'median':>9} {'slowest':>9} {'size':>9}")
        for path in pages:
            path = path.format(fid=fid)
            times = []
            for _ in range(args.runs):
                t = time.perf_counter()
                r = c.get(path)
                times.append(time.perf_counter() - t)
                assert r.status_code == 200, (path, r.status_code)
            print(f"{path:45} {statistics.median(times) * 1000:7.0f} ms {max(times) * 1000:7.0f} ms "
                  f"{len(r.content) / 1024:7.0f} KiB")
    ctx.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

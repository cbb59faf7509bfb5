"""Content benchmark: reading articles and attachments once, and what the next day costs.

Serves a county section on loopback (10 columns, ``--articles`` articles, every 10th with an .xlsx list and every
25th with a PDF), lets the content stage read everything (day 1), adds ``--new`` articles and reads again (day 2),
then runs the two content checks over all stored text. Not part of the test suite; run
``python benchmarks/content_bench.py [--articles 2000] [--new 50]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import resource
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from checks.privacy import leaked_personal_data  # noqa: E402
from checks.wording import wording_errors  # noqa: E402
from govwatch.contentstage import read_content, word_lists  # noqa: E402
from govwatch.context import open_context  # noqa: E402
from govwatch.samplefiles import pdf_bytes, xlsx_bytes  # noqa: E402
from storage import ColumnRow, load_check_input, record_page, sync_roster  # noqa: E402
from storage.observations import ItemRecord, PageRecord  # noqa: E402

W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id(n: int) -> str:
    s17 = f"522636{1960 + n % 40}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return s17 + "10X98765432"[sum(int(d) * w for d, w in zip(s17, W, strict=True)) % 11]


XLSX = xlsx_bytes({"名单": [["序号", "姓名", "身份证号"]] + [[i, f"张{i}", _id(i)] for i in range(1, 50)]})
PDF = pdf_bytes([[f"第{p}页 会议纪要 县委书记龙国华讲话。"] * 30 for p in range(1, 6)])


class _Handler(BaseHTTPRequestHandler):
    requests = 0

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        type(self).requests += 1
        path = self.path
        if path.endswith(".xlsx"):
            body, ctype = XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        elif path.endswith(".pdf"):
            body, ctype = PDF, "application/pdf"
        else:
            n = int(path.rsplit("_", 1)[1].split(".")[0])
            rows = "".join(f"<tr><td>{i}</td><td>王{i}</td><td>522636********{i:04d}</td></tr>" for i in range(20))
            att = ""
            if n % 10 == 0:
                att += f'<a href="files/md{n}.xlsx">名单{n}.xlsx</a>'
            if n % 25 == 0:
                att += f'<a href="files/jy{n}.pdf">纪要{n}.pdf</a>'
            text = "<p>" + "县委书记龙国华主持召开会议，深入学习贯彻习近平总书记重要讲话精神。" * 20 + "</p>"
            if n % 100 == 7:
                text += "<p>习近平总书计</p>"
            html = (f"<html><head><title>信息{n}</title></head><body><div class='nav'>首页</div><h1>信息{n}</h1>{text}"
                    f"<table>{rows}</table>{att}<div class='footer'>主办</div></body></html>")
            body, ctype = html.encode(), "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _add_items(ctx, base: str, start: int, count: int) -> None:
    with ctx.db.session() as s:
        cols = list(s.query(ColumnRow).filter(ColumnRow.role == "column").order_by(ColumnRow.id))
        for c in cols:
            k = cols.index(c)
            items = [ItemRecord(f"信息{n}", f"{base}/c{k}/art_{n}.html", dt.date(2021, 11, 1))
                     for n in range(start, start + count) if n % len(cols) == k]
            record_page(s, PageRecord(column_id=c.id, status="ok", items=items))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--new", type=int, default=50)
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        cfg = {"county": "基准县", "output_dir": tmp, "crawl": {"delay": 0},
               "content": {"max_docs_per_run": 100_000, "leaders": [{"name": "龙国华", "titles": ["县委书记"]}]},
               "units": [{"id": "u1", "name": "单位", "kind": "department", "sites": [{"url": f"{base}/", "columns": [
                   {"name": f"通知公告{k}", "url": f"{base}/c{k}/"} for k in range(10)]}]}]}
        path = Path(tmp) / "c.yaml"
        path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
        ctx = open_context(str(path), f"sqlite:///{tmp}/b.db")
        with ctx.db.session() as s:
            sync_roster(s, ctx.config)
        ctx.roster_missing = []
        _add_items(ctx, base, 0, args.articles)
        rows = []
        for day, (start, count) in enumerate(((0, 0), (args.articles, args.new)), 1):
            if count:
                _add_items(ctx, base, start, count)
            _Handler.requests = 0
            t = time.perf_counter()
            rep = read_content(ctx)
            rows.append((day, rep.articles, rep.attachments, _Handler.requests, time.perf_counter() - t))
        t = time.perf_counter()
        with ctx.db.session() as s:
            inp = load_check_input(s, dt.date(2021, 11, 30), ctx.tz)
        inp.content_lists = word_lists(ctx)
        load = time.perf_counter() - t
        t = time.perf_counter()
        outcomes = [*leaked_personal_data(inp, ctx.catalogue), *wording_errors(inp, ctx.catalogue)]
        judge = time.perf_counter() - t
        chars = sum(len(d.text) for d in inp.content_docs)
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print("| day | articles read | attachments read | requests | wall time |")
    print("|---:|---:|---:|---:|---:|")
    for day, a, b, r, w in rows:
        print(f"| {day} | {a} | {b} | {r} | {w:.1f} s |")
    found = sum(1 for o in outcomes if not o.passed)
    print(f"checks over {len(inp.content_docs)} documents ({chars / 1e6:.1f} M characters): load {load:.1f} s, "
          f"judge {judge:.1f} s, {found} suspected findings; peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()

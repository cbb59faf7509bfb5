"""Whole-site link check, side by side: govwatch vs LinkChecker on the same local farm at the same politeness.

    /work/venv/bin/python benchmarks/links_bench.py [--small] [--rate 100] [--json out.json]

Serves ``benchmarks/link_farm.py`` on loopback (a portal host with unit sections, standalone hosts,
a host of external "friend" pages; thousands of links, a known set broken in every error class,
and transient links that fail once), then runs each tool in its own child process with the same
per-host limits (at most ``--rate`` requests per second per host, the same timeout) and reports wall
time, requests the farm served, broken links found / missed / wrongly reported, and peak memory
(the child's max RSS). LinkChecker is not a govwatch dependency: install it with
``pip install linkchecker`` (or ``apt-get install linkchecker``); without it the benchmark says so
and reports govwatch alone. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.link_farm import LinkFarm, summary  # noqa: E402

TIMEOUT = 2.0


# ----------------------------------------------------------------------------------------- children


def _child_govwatch(spec_path: str, out_path: str) -> None:
    """Child: govwatch's whole-site link check of the farm's sites; writes what it reports as broken."""
    from crawler.links import CheckerSettings, SiteSpec, check_sites

    spec = json.loads(Path(spec_path).read_text())
    settings = CheckerSettings(concurrency_per_host=spec["concurrency"], delay=1.0 / spec["rate"],
                               timeout=spec["timeout"], retest_delay=spec["retest_delay"])
    sites = [SiteSpec(i, url, max_pages=100_000, max_depth=50) for i, url in enumerate(spec["sites"])]
    _, results, checker = asyncio.run(check_sites(sites, settings, scope="site"))
    broken = {u: r.error for u, r in results.items() if r.error and r.error != "blocked" and r.attempts > 1}
    Path(out_path).write_text(json.dumps({"broken": broken, "requests": checker.requests, "checked": len(results)}))


def _run_child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, int, str, str]:
    """Run a child; returns (wall seconds, exit code, max RSS in KiB, stdout, stderr)."""
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    err.seek(0)
    return wall, proc.returncode, usage.ru_maxrss, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")


def run_govwatch(farm: LinkFarm, *, rate: float, concurrency: int, retest_delay: float) -> dict:
    """govwatch in a child process."""
    with tempfile.TemporaryDirectory() as tmp:
        spec, out = Path(tmp) / "spec.json", Path(tmp) / "out.json"
        spec.write_text(json.dumps({"sites": farm.sites, "rate": rate, "concurrency": concurrency, "timeout": TIMEOUT,
                                    "retest_delay": retest_delay}))
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        farm.reset()
        wall, code, rss, _, err = _run_child([sys.executable, __file__, "--child-govwatch", str(spec), str(out)], env)
        if code != 0:
            raise SystemExit(f"govwatch child failed ({code}):\n{err}")
        data = json.loads(out.read_text())
    return {"tool": "govwatch", "wall": wall, "requests": farm.requests(), "rss_kib": rss, "broken": data["broken"]}


def linkchecker_path() -> str | None:
    """The linkchecker executable beside this Python, or on PATH."""
    local = Path(sys.executable).parent / "linkchecker"
    return str(local) if local.exists() else shutil.which("linkchecker")


def run_linkchecker(farm: LinkFarm, exe: str, *, rate: float, threads: int) -> dict:
    """LinkChecker in a child process: recursive, external links checked, same per-host rate and timeout."""
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)  # LinkChecker run as root drops to nobody: it must read its config
        rc = Path(tmp) / "linkcheckerrc"
        rc.write_text(f"[checking]\nthreads={threads}\ntimeout={TIMEOUT:g}\nmaxrequestspersecond={rate:g}\n"
                      "[filtering]\ncheckextern=1\n")
        os.chmod(rc, 0o644)
        farm.reset()
        wall, code, rss, out, err = _run_child([exe, "-f", str(rc), "--no-status", "--no-robots", "--check-extern",
                                                "-o", "csv/utf-8", *farm.sites])
    if code not in (0, 1):
        raise SystemExit(f"linkchecker failed ({code}):\n{err[-2000:]}")
    lines = [ln for ln in out.splitlines(keepends=True) if not ln.startswith("#")]
    broken: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO("".join(lines)), delimiter=";"):
        if row.get("valid") == "False":
            broken[row["url"] or row["urlname"]] = (row.get("result") or "")[:60]
    return {"tool": "LinkChecker", "wall": wall, "requests": farm.requests(), "rss_kib": rss, "broken": broken}


# ------------------------------------------------------------------------------------------- report


def score(result: dict, farm: LinkFarm) -> dict:
    """Found / missed / wrongly reported, overall and per error class."""
    reported = set(result["broken"])
    expected = set(farm.expected)
    per_class: dict[str, list[int]] = {}
    for url, cls in farm.expected.items():
        per_class.setdefault(cls, [0, 0])[0 if url in reported else 1] += 1
    wrong = reported - expected
    return {**result, "found": len(reported & expected), "missed": len(expected - reported),
            "false": len(wrong), "false_transient": len(wrong & farm.transient), "per_class": per_class,
            "missed_urls": sorted(expected - reported)}


def machine() -> str:
    """``nproc`` and the CPU model."""
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model or 'unknown CPU'}), Python {platform.python_version()}"


def table(rows: list[dict], farm: LinkFarm) -> str:
    """The Markdown table for the README."""
    out = ["| tool | wall time | requests | broken found | missed | wrongly reported (transient) | peak memory |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['tool']} | {r['wall']:.1f} s | {r['requests']} | {r['found']} / {len(farm.expected)} | "
                   f"{r['missed']} | {r['false']} ({r['false_transient']}) | {r['rss_kib'] / 1024:.0f} MiB |")
    classes = sorted({c for r in rows for c in r["per_class"]})
    out += ["", "| error class | " + " | ".join(r["tool"] for r in rows) + " |",
            "|---|" + "---:|" * len(rows)]
    for c in classes:
        cells = [f"{r['per_class'][c][0]}/{sum(r['per_class'][c])}" for r in rows]
        out.append(f"| `{c}` | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the tables."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--small", action="store_true", help="a small farm (a quick look, not the README numbers)")
    p.add_argument("--rate", type=float, default=100.0, help="max requests per second per host, both tools")
    p.add_argument("--concurrency", type=int, default=4, help="govwatch: requests in flight per host")
    p.add_argument("--threads", type=int, default=20, help="LinkChecker: checker threads (all hosts)")
    p.add_argument("--retest-delay", type=float, default=5.0, help="govwatch: seconds before re-testing failures")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    p.add_argument("--child-govwatch", nargs=2, metavar=("SPEC", "OUT"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child_govwatch:
        _child_govwatch(*args.child_govwatch)
        return 0
    size = dict(sections=2, standalone=1, columns=2, articles=5, per_class=2, transient=3) if args.small else {}
    rows = []
    with LinkFarm(**size) as farm:
        info = summary(farm)
        print(f"farm: {info['sites']} sites on {info['hosts']} hosts, {info['unique_links']} unique links "
              f"({info['link_references']} references), {len(farm.expected)} broken, {info['transient']} transient")
        print(f"politeness (both): ≤ {args.rate:g} requests/s per host, timeout {TIMEOUT:g} s; machine: {machine()}")
        rows.append(score(run_govwatch(farm, rate=args.rate, concurrency=args.concurrency,
                                       retest_delay=args.retest_delay), farm))
        exe = linkchecker_path()
        if exe is None:
            print("LinkChecker is NOT installed (pip install linkchecker): only govwatch is measured.")
        else:
            rows.append(score(run_linkchecker(farm, exe, rate=args.rate, threads=args.threads), farm))
    print()
    print(table(rows, farm))
    for r in rows:
        if r["missed_urls"]:
            print(f"\n{r['tool']} missed: " + ", ".join(f"{u} ({farm.expected[u]})" for u in r["missed_urls"][:20]))
    if args.json:
        Path(args.json).write_text(json.dumps({"farm": info, "machine": machine(), "rate": args.rate, "rows": [
            {k: v for k, v in r.items() if k != "broken"} for r in rows]}, ensure_ascii=False, indent=1))
    gw = rows[0]
    ok = gw["missed"] == 0 and gw["false"] == 0
    print(f"\ngovwatch {'found every injected broken link and reported nothing else' if ok else 'DID NOT match the farm'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

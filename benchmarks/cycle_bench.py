"""Daily-cycle benchmark: ``govwatch run`` on a fresh synthetic county, day 1 and day 2 with nothing changed.

Serves ``benchmarks/cycle_farm.py`` on loopback (12 units, 4 hosts, 132 columns, 6 RSS accounts, 16 injected
broken links on homepages, column pages and opened articles), runs the real CLI in a child process (its own
config file and SQLite database in a temporary directory), and reports for each day: the requests the farm
served per watched page, by kind (list page one, further list pages, articles, link checks, probes, accounts,
content reads; conditional ones and 304s), the wall time against the politeness floor (requests to the
busiest host x delay / requests in flight per host), the peak memory of the whole process tree (govwatch,
the crawler child, Chromium), the broken links found, missed and wrongly reported, and the freshness and
account verdicts against the truth. ``--hostile N`` puts N links on one unit's homepage and reports when the
other units' findings were written. Not part of the tests::

    .venv/bin/python benchmarks/cycle_bench.py [--small] [--delay S] [--hostile 10000 --deadline 900] [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from benchmarks.cycle_farm import AS_OF, CycleFarm  # noqa: E402
from config.schema import CrawlConfig, LinksConfig  # noqa: E402

STAGE_LABELS = {"probe": "probes", "links": "link checks", "accounts": "accounts",
                "content": "content reads (new articles, attachments)"}
CRAWL_LABELS = {"homepage": "homepages (crawl)", "list_page1": "list page 1", "list_more": "further list pages",
                "article": "articles opened for dates", "script_data": "script-built list data"}
ACTIVE = ("open", "suspected")


# -- memory of a process tree --------------------------------------------------------------------
class TreeSampler:
    """Samples the resident memory of a process and all its descendants (from /proc) until stopped."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid, self.every = pid, every
        self.peak_rss = self.peak_pss = self.peak_browser_rss = 0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._page = os.sysconf("SC_PAGE_SIZE")

    def start(self) -> TreeSampler:
        """Begin sampling in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join(timeout=5)

    def _tree(self) -> list[tuple[int, str]]:
        children: dict[int, list[int]] = defaultdict(list)
        names: dict[int, str] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            name = stat[stat.find("(") + 1: stat.rfind(")")]
            ppid = int(stat[stat.rfind(")") + 2:].split()[1])
            children[ppid].append(int(entry))
            names[int(entry)] = name
        out, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            out.append((p, names.get(p, "?")))
            todo.extend(children.get(p, ()))
        return out

    def _sample(self) -> None:
        rss = pss = browser = 0
        procs = self._tree()
        for pid, name in procs:
            try:
                r = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * self._page
            except (OSError, IndexError, ValueError):
                continue
            rss += r
            if "chrom" in name.lower():
                browser += r
            try:
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
                        break
            except (OSError, ValueError):
                pass
        if rss > self.peak_rss:
            self.peak_rss, self.peak_browser_rss = rss, browser
        self.peak_pss = max(self.peak_pss, pss)
        self.peak_processes = max(self.peak_processes, len(procs))

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.every)


# -- reading the database ------------------------------------------------------------------------
def _ts(value: Any) -> float | None:
    """A stored datetime (naive = UTC) as a unix time."""
    if value is None:
        return None
    d = dt.datetime.fromisoformat(str(value))
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.UTC)
    return d.timestamp()


def _read_db(path: Path, since: float) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The stage runs started after ``since`` and every finding (with its creation time)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        runs = [dict(r) for r in con.execute("SELECT kind, started_at, finished_at, status, stats FROM crawl_runs "
                                             "ORDER BY id")]
        findings = [dict(r) for r in con.execute("SELECT rule, unit_id, target, status, evidence, created_at, updated_at "
                                                 "FROM findings")]
    finally:
        con.close()
    out_runs = []
    for r in runs:
        start = _ts(r["started_at"])
        if start is None or start < since - 1:
            continue
        stats = r["stats"]
        out_runs.append({"kind": r["kind"], "start": start, "end": _ts(r["finished_at"]), "status": r["status"],
                         "stats": json.loads(stats) if isinstance(stats, str) else stats})
    for f in findings:
        f["evidence"] = json.loads(f["evidence"]) if isinstance(f["evidence"], str) else (f["evidence"] or {})
        f["created"] = _ts(f["created_at"])
        f["updated"] = _ts(f["updated_at"])
    return out_runs, findings


def _written(f: dict[str, Any], since: float) -> float | None:
    """When a run that started at ``since`` wrote a finding: created then (exact), else last updated then."""
    for t in (f["created"], f["updated"]):
        if t is not None and t >= since:
            return t
    return None


# -- one day -------------------------------------------------------------------------------------
def _attribute(t: float, method: str, kind: str, runs: list[dict[str, Any]], end: float) -> str:
    """The stage a request belongs to: the stage run whose time window holds it (ties by what the URL is)."""
    hits = [r["kind"] for r in runs if r["start"] - 0.05 <= t <= (r["end"] or end) + 0.05]
    if len(hits) > 1:  # stages running side by side: the stage this kind of request most likely comes from
        if kind == "feed" and "accounts" in hits:
            return "accounts"
        if (method == "HEAD" or kind in ("broken_target", "external", "attachment", "hostile_link")) and "links" in hits:
            return "links"
        if kind in ("list_page1", "list_more", "script_data") and "crawl" in hits:
            return "crawl"
    return hits[0] if hits else "unattributed"


def _requests(farm: CycleFarm, log: list[tuple[float, Any]], runs: list[dict[str, Any]], end: float,
              crawl: CrawlConfig) -> dict[str, Any]:
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    link_targets: Counter[str] = Counter()
    hosts: Counter[str] = Counter()
    for t, e in log:
        kind = farm.kind_of(e.host, e.path)
        stage = _attribute(t, e.method, kind, runs, end)
        if stage == "crawl":
            label = CRAWL_LABELS.get(kind, f"crawl: {kind}")
        else:
            label = STAGE_LABELS.get(stage, f"{stage}: {kind}")
        if stage == "links":
            link_targets[f"{kind} {e.method}" + (" conditional" if e.conditional else "")] += 1
        c = by_kind[label]
        c["requests"] += 1
        c["conditional"] += int(e.conditional)
        c["not_modified"] += int(e.status == 304)
        c["full_200"] += int(e.status == 200)
        hosts[e.host] += 1
    total = len(log)
    watched = farm.watched_pages()
    busiest_host, busiest = hosts.most_common(1)[0] if hosts else ("", 0)
    return {
        "total": total, "watched_pages": watched, "per_watched_page": round(total / watched, 2),
        "conditional": sum(c["conditional"] for c in by_kind.values()),
        "not_modified": sum(c["not_modified"] for c in by_kind.values()),
        "by_kind": {k: {**dict(v), "per_watched_page": round(v["requests"] / watched, 3)}
                    for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1]["requests"])},
        "link_checks_by_target": dict(link_targets.most_common()),
        "by_host": dict(hosts.most_common()),
        "busiest_host": busiest_host,
        "floor_s": round(busiest * crawl.delay / crawl.concurrency_per_host, 1),
    }


def _score_links(farm: CycleFarm, active: list[dict[str, Any]]) -> dict[str, Any]:
    """The broken links reported against the injected ones: found, missed, wrong, by place."""
    reported = {f["evidence"].get("url"): f["evidence"].get("error") for f in active if f["rule"] == "link.broken"}
    expected = farm.broken
    found = [u for u in expected if u in reported]
    wrong = sorted(u for u in reported if u not in expected)
    missed = sorted(u for u in expected if u not in reported)
    by_place: dict[str, Counter[str]] = defaultdict(Counter)
    for u, b in expected.items():
        by_place[b.on]["expected"] += 1
        by_place[b.on]["found"] += int(u in reported)
    return {
        "expected": len(expected), "found": len(found), "missed": len(missed), "wrong": len(wrong),
        "precision": round(len(found) / len(reported), 3) if reported else None,
        "recall": round(len(found) / len(expected), 3) if expected else None,
        "class_mismatch": sorted(u for u in found if reported[u] != expected[u].error),
        "by_place": {k: dict(v) for k, v in sorted(by_place.items())},
        "missed_urls": [f"{expected[u].on} {expected[u].error} {u}" for u in missed],
        "wrong_urls": wrong,
    }


def _score_freshness(farm: CycleFarm, active: list[dict[str, Any]], as_of: dt.date) -> dict[str, Any]:
    """Each watched page's stale / blank / fresh verdict against the farm's truth."""
    said: dict[str, str] = {}
    for f in active:
        if f["rule"] == "column.blank":
            said[f["target"]] = "blank"
        elif f["rule"] in ("column.stale", "homepage.stale") and said.get(f["target"]) != "blank":
            said[f["target"]] = "stale"
    truth = farm.verdicts(as_of)
    wrong_fresh = sorted(f"{url}: {v} read as {said.get(url, 'fresh')}" for url, v in truth.items()
                         if said.get(url, "fresh") != v)
    return {"pages": len(truth), "right": len(truth) - len(wrong_fresh),
            "accuracy": round((len(truth) - len(wrong_fresh)) / len(truth), 3),
            "stale": sum(1 for v in truth.values() if v == "stale"),
            "blank": sum(1 for v in truth.values() if v == "blank"), "wrong": wrong_fresh}


def _score(farm: CycleFarm, findings: list[dict[str, Any]], as_of: dt.date) -> dict[str, Any]:
    active = [f for f in findings if f["status"] in ACTIVE]
    acc_truth = farm.account_truth(as_of)
    acc_said = {f["unit_id"] for f in active if f["rule"] == "account.stale"}
    acc_right = sum(1 for uid, v in acc_truth.items() if (uid in acc_said) == (v == "stale"))
    return {
        "links": _score_links(farm, active),
        "freshness": _score_freshness(farm, active, as_of),
        "accounts": {"accounts": len(acc_truth), "right": acc_right,
                     "accuracy": round(acc_right / len(acc_truth), 3) if acc_truth else None},
    }


def _timing(runs: list[dict[str, Any]], findings: list[dict[str, Any]], started: float) -> dict[str, Any]:
    """When findings were written (seconds after the run started; a finding already known: its last update),
    against the end of the link stage."""
    links_end = [r["end"] for r in runs if r["kind"] == "links"]
    written = [(f, t) for f in findings if (t := _written(f, started)) is not None]
    fresh = [t for f, t in written if f["rule"] in ("column.stale", "column.blank", "homepage.stale")]
    first_by_unit: dict[str, float] = {}
    for f, t in written:
        first_by_unit[f["unit_id"]] = min(first_by_unit.get(f["unit_id"], t), t)
    rel = {k: round(v - started, 1) for k, v in sorted(first_by_unit.items())}
    return {
        "stages": [{"stage": r["kind"], "start_s": round(r["start"] - started, 1),
                    "end_s": round(r["end"] - started, 1) if r["end"] else None} for r in runs],
        "links_stage_end_s": round(links_end[-1] - started, 1) if links_end and links_end[-1] else None,
        "first_freshness_finding_s": round(min(fresh) - started, 1) if fresh else None,
        "first_finding_by_unit_s": rel,
    }


def run_day(farm: CycleFarm, work: Path, as_of: dt.date, crawl: CrawlConfig, *, deadline: float | None,
            extra_args: list[str]) -> dict[str, Any]:
    """One ``govwatch run --as-of`` in a child process, measured."""
    db = work / "govwatch.db"
    cmd = [sys.executable, "-m", "govwatch", "run", "--config", str(work / "govwatch.yaml"), "--db",
           f"sqlite:///{db}", "--as-of", as_of.isoformat(), *extra_args]
    farm.clear_log()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = (work / f"run-{as_of}.out").open("w")
    started = time.time()
    proc = subprocess.Popen(cmd, cwd=work, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    sampler = TreeSampler(proc.pid).start()
    killed = False
    try:
        proc.wait(timeout=deadline)
    except subprocess.TimeoutExpired:
        killed = True
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    wall = time.time() - started
    sampler.stop()
    out.close()
    log = farm.timed_log()
    runs, findings = _read_db(db, started)
    result: dict[str, Any] = {
        "as_of": as_of.isoformat(), "exit_code": proc.returncode, "killed_at_deadline": killed,
        "wall_s": round(wall, 1),
        "memory": {"peak_tree_rss_mb": round(sampler.peak_rss / 2**20, 1),
                   "browser_rss_at_peak_mb": round(sampler.peak_browser_rss / 2**20, 1),
                   "peak_tree_pss_mb": round(sampler.peak_pss / 2**20, 1),
                   "peak_processes": sampler.peak_processes},
        "requests": _requests(farm, log, runs, started + wall, crawl),
    }
    result["wall_over_floor"] = (round(wall / result["requests"]["floor_s"], 2)
                                 if result["requests"]["floor_s"] else None)
    result.update(_score(farm, findings, as_of))
    result["timing"] = _timing(runs, findings, started)
    result["summary_tail"] = (work / f"run-{as_of}.out").read_text(encoding="utf-8", errors="replace")[-1500:]
    link_runs = [r for r in runs if r["kind"] == "links"]
    result["link_stage_stats"] = link_runs[-1]["stats"] if link_runs else None
    return result


def _setup(farm: CycleFarm, work: Path, crawl: CrawlConfig, links: dict[str, Any], content_budget: int | None) -> None:
    data = farm.config_data(output_dir=str(work / "out"), crawl=crawl.model_dump(exclude_defaults=True) or None,
                            links=links or None)
    if content_budget is not None:  # the first day reads the whole backlog of articles, as a county's first week does
        data["content"] = {"max_docs_per_run": content_budget}
    (work / "govwatch.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def scenario(args: argparse.Namespace) -> dict[str, Any]:
    """Day 1 and day 2 (or the hostile day) on a fresh county; returns the numbers."""
    crawl = CrawlConfig(delay=args.delay) if args.delay is not None else CrawlConfig()
    units, columns = (4, 5) if args.small else (12, 11)
    farm = CycleFarm.build(units, columns, standalone=1 if args.small else 2, hostile=args.hostile,
                           slow_seconds=(LinksConfig().timeout or crawl.timeout) + 5)
    extra = list(args.run_arg or [])
    with tempfile.TemporaryDirectory(prefix="cycle-bench-") as tmp, farm:
        work = Path(args.keep) if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        _setup(farm, work, crawl, {}, args.content_budget)
        out: dict[str, Any] = {
            "county": {"units": len(farm.farm.units), "hosts": 4, "columns": len(farm.farm.columns()),
                       "watched_pages": farm.watched_pages(), "accounts": farm.n_accounts,
                       "broken_links": len(farm.broken),
                       "broken_by_place": dict(Counter(b.on for b in farm.broken.values())),
                       "render_browser": sum(1 for _u, c in farm.farm.columns() if c.family == "js"),
                       "hostile_links": args.hostile},
            "content_budget": args.content_budget, "politeness": {"delay": crawl.delay, "concurrency_per_host": crawl.concurrency_per_host,
                           "timeout": crawl.timeout, "retest_delay": LinksConfig().retest_delay},
            "machine": _machine(), "days": [],
        }
        if args.hostile:
            day = run_day(farm, work, AS_OF, crawl, deadline=args.deadline, extra_args=extra)
            hostile_unit = farm.farm.units[-1].id
            firsts = {u: t for u, t in day["timing"]["first_finding_by_unit_s"].items() if u != hostile_unit}
            ends = day["timing"]["links_stage_end_s"]
            day["hostile"] = {
                "unit": hostile_unit, "other_units": len(farm.farm.units) - 1, "other_units_with_findings": len(firsts),
                "other_units_first_finding_s": min(firsts.values()) if firsts else None,
                "other_units_last_first_finding_s": max(firsts.values()) if firsts else None,
                "written_before_links_finished": (bool(firsts) and (ends is None or max(firsts.values()) < ends)),
                "links_stage_finished": ends is not None,
                "hostile_link_requests": sum(1 for _t, e in farm.timed_log() if "/h/" in e.path),
            }
            out["days"].append(day)
        else:
            for n in range(2):
                day = run_day(farm, work, AS_OF + dt.timedelta(days=n), crawl, deadline=args.deadline,
                              extra_args=extra)
                day["day"] = n + 1
                out["days"].append(day)
    return out


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {platform.system()} {platform.release()}"


def report(res: dict[str, Any]) -> str:
    """The results as Markdown tables."""
    c, p = res["county"], res["politeness"]
    lines = [f"County: {c['units']} units, {c['hosts']} hosts, {c['columns']} columns ({c['render_browser']} "
             f"`render: browser`), {c['watched_pages']} watched pages, {c['accounts']} accounts, "
             f"{c['broken_links']} broken links {c['broken_by_place']}"
             + (f", a homepage of {c['hostile_links']} links" if c["hostile_links"] else "") + ".",
             f"Politeness: delay {p['delay']} s, {p['concurrency_per_host']} in flight per host, timeout "
             f"{p['timeout']} s, re-test after {p['retest_delay']} s. Machine: {res['machine']}.", "",
             "| day | requests / watched page | 304 / conditional | wall time | floor | wall / floor | peak tree RSS "
             "(browser) | tree PSS | broken found / missed / wrong | precision | recall | freshness | accounts |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for d in res["days"]:
        r, m, lk = d["requests"], d["memory"], d["links"]
        lines.append(
            f"| {d.get('day', 'hostile')} ({d['as_of']}) | {r['total']} / {r['watched_pages']} = {r['per_watched_page']} | "
            f"{r['not_modified']} / {r['conditional']} | {d['wall_s']} s{' (killed)' if d['killed_at_deadline'] else ''} | "
            f"{r['floor_s']} s | {d['wall_over_floor']} | {m['peak_tree_rss_mb']} MB ({m['browser_rss_at_peak_mb']}) | "
            f"{m['peak_tree_pss_mb']} MB | {lk['found']} / {lk['missed']} / {lk['wrong']} | {lk['precision']} | "
            f"{lk['recall']} | {d['freshness']['right']}/{d['freshness']['pages']} | "
            f"{d['accounts']['right']}/{d['accounts']['accounts']} |")
    kinds: list[str] = []
    for d in res["days"]:
        kinds += [k for k in d["requests"]["by_kind"] if k not in kinds]
    heads = " | ".join(f"day {d.get('day', 'hostile')}" for d in res["days"])
    lines += ["", f"| requests by kind (per watched page; 304 of conditional) | {heads} |",
              "|---|" + "---:|" * len(res["days"])]
    for k in kinds:
        cells = []
        for d in res["days"]:
            v = d["requests"]["by_kind"].get(k)
            cells.append(f"{v['requests']} ({v['per_watched_page']}; {v.get('not_modified', 0)} of "
                         f"{v.get('conditional', 0)})" if v else "0")
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    for d in res["days"]:
        lk, t = d["links"], d["timing"]
        lines += ["", f"Day {d.get('day', 'hostile')}: link checks by target {d['requests'].get('link_checks_by_target')}; "
                      f"requests by host {d['requests']['by_host']}; broken links found by place {lk['by_place']}; "
                      f"first freshness finding at {t['first_freshness_finding_s']} s, link stage ended at "
                      f"{t['links_stage_end_s']} s; stages {[(s['stage'], s['start_s'], s['end_s']) for s in t['stages']]}."]
        if lk["missed_urls"]:
            lines.append("Missed: " + "; ".join(lk["missed_urls"]))
        if lk["wrong_urls"]:
            lines.append("Wrongly reported: " + "; ".join(lk["wrong_urls"]))
        if d["freshness"]["wrong"]:
            lines.append("Freshness wrong: " + "; ".join(d["freshness"]["wrong"]))
        if "hostile" in d:
            lines.append(f"Hostile: {json.dumps(d['hostile'], ensure_ascii=False)}; link stage stats: "
                         f"{json.dumps(d['link_stage_stats'], ensure_ascii=False)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Build the county, run the days, print Markdown (and JSON with ``--json``)."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--small", action="store_true", help="a quick run: 4 units of 5 columns")
    p.add_argument("--delay", type=float, help="crawl.delay in seconds (default: the config's default)")
    p.add_argument("--hostile", type=int, default=0, metavar="N", help="one unit's homepage carries N links")
    p.add_argument("--deadline", type=float, metavar="S", help="stop a run after S seconds (default: none; "
                   "900 with --hostile)")
    p.add_argument("--content-budget", type=int, default=5000, metavar="N",
                   help="content.max_docs_per_run (default 5000: day 1 reads the county's whole backlog of articles, "
                        "so that day 2 is a quiet day of a county in its steady state; 500 is the config's default)")
    p.add_argument("--run-arg", action="append", metavar="ARG", help="an extra argument for `govwatch run`")
    p.add_argument("--keep", metavar="DIR", help="work in DIR (config, database, output) and keep it")
    p.add_argument("--json", metavar="FILE", help="also write the numbers as JSON")
    args = p.parse_args(argv)
    if args.hostile and args.deadline is None:
        args.deadline = 900.0
    res = scenario(args)
    print(report(res))
    if args.json:
        Path(args.json).write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

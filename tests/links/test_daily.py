"""The daily link check: links of every page the crawl read, each URL once, TTLs per class, budgets, deadline."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, update

from config.loader import parse_config
from govwatch import pipeline
from govwatch.cli import main, parse_minutes_arg
from govwatch.context import open_context
from govwatch.linkstage import run_link_check
from govwatch.pipeline import check, crawl, run_cycle
from govwatch.roster import ensure_synced
from notifier.digest import build_digest
from storage import list_findings
from storage.models import LinkCheck, LinkOkCache, utcnow

from ._server import LocalServer, Route

AS_OF = dt.date(2021, 11, 30)


def _page(*parts: str) -> str:
    return "<html><head><meta charset='utf-8'><title>示范局</title></head><body>" + " ".join(parts) + "</body></html>"


def _list(*rows: tuple[str, str, str]) -> str:
    """A column list page: (title, href, date or '')."""
    lis = "".join(f'<li><a href="{u}" title="{t}">{t}</a><span class="date">{d}</span></li>' for t, u, d in rows)
    return f'<div class="list"><ul>{lis}</ul></div>'


def _ctx(tmp_path: Path, db_url: str, sites: list[dict], units: list[str] | None = None, *,
         servers: tuple[LocalServer, ...] = (), **links):
    """A county of one site per unit; the roster is synced first (discovering the columns of a site without any
    reads the site) and the servers' counts start after it."""
    ids = units or [f"u{i}" for i in range(len(sites))]
    data = {
        "county": "示范县",
        "output_dir": str(tmp_path / "out"),
        "crawl": {"delay": 0, "concurrency_per_host": 4, "timeout": 3},
        "links": {"retest_delay": 0, **links},
        "units": [{"id": uid, "name": f"单位{uid}", "kind": "department", "sites": [site]}
                  for uid, site in zip(ids, sites, strict=True)],
    }
    ctx = open_context(loaded=parse_config(data, "<test>"), db_url=db_url)
    ensure_synced(ctx)
    for srv in servers:
        srv.hits.clear()
        for route in srv.routes.values():
            route.served = 0
    return ctx


def _findings(ctx, rule: str = "link.broken") -> dict[str, dict]:
    with ctx.db.session() as s:
        return {f.target: f.evidence for f in list_findings(s, rule=rule, status=("open",))}


def _hits(srv: LocalServer, path: str) -> int:
    return srv.hits[("GET", path)] + srv.hits[("HEAD", path)]


def _county(srv: LocalServer) -> dict:
    """A unit site: homepage with fine links, a dated column whose page links to a missing attachment, an undated
    column whose articles are opened (one links to a missing page)."""
    srv.routes.update({
        "/bm/fgj/": Route(body=_page('<a href="gzdt/">工作动态</a>', '<a href="tzgg/">通知公告</a>',
                                     '<a href="files/ok.pdf">正常附件</a>')),
        "/bm/fgj/files/ok.pdf": Route(body=b"%PDF-1.4 ok", ctype="application/pdf"),
        "/bm/fgj/gzdt/": Route(body=_page(_list(("第一条", "art_1.html", "2021-11-25"),
                                                ("第二条", "art_2.html", "2021-11-20")),
                                          '<a href="../files/plan2019.pdf">2019年计划（附件）</a>',
                                          '<a href="../files/ok.pdf">正常附件</a>')),
        "/bm/fgj/gzdt/art_1.html": Route(body=_page("<p>正文</p>")),
        "/bm/fgj/gzdt/art_2.html": Route(body=_page("<p>正文</p>")),
        "/bm/fgj/tzgg/": Route(body=_page(_list(*((f"关于做好2021年第{i}季度工作的通知", f"n_{i}.html", "")
                                                  for i in range(1, 7))))),
        "/bm/fgj/tzgg/n_1.html": Route(body=_page("<p>发布时间：2021-11-26</p>", '<a href="/bm/fgj/old/gone.html">'
                                                  "相关链接</a>", '<a href="../files/ok.pdf">正常附件</a>')),
        **{f"/bm/fgj/tzgg/n_{i}.html": Route(body=_page(f"<p>发布时间：2021-11-{20 - i}</p>")) for i in range(2, 7)},
    })
    return {"url": srv.url("/bm/fgj/"), "columns": [
        {"name": "工作动态", "url": srv.url("/bm/fgj/gzdt/"), "category": "news"},
        {"name": "通知公告", "url": srv.url("/bm/fgj/tzgg/"), "category": "notice"},
    ]}


def test_broken_links_of_column_pages_and_opened_articles_are_found_the_first_day(tmp_path, db_url):
    with LocalServer() as srv:
        ctx = _ctx(tmp_path, db_url, [_county(srv)], servers=(srv,))
        report = run_cycle(ctx, AS_OF)
        assert report.ok
        assert srv.hits[("GET", "/bm/fgj/")] == 2  # the crawl's and the probe's: the link stage uses the crawl's read
        found = _findings(ctx)
        assert set(found) == {srv.url("/bm/fgj/files/plan2019.pdf"), srv.url("/bm/fgj/old/gone.html")}  # nothing else
        on_column = found[srv.url("/bm/fgj/files/plan2019.pdf")]
        assert on_column["pages"] == [srv.url("/bm/fgj/gzdt/")] and on_column["on_homepage"] is False
        assert on_column["text"] == "2019年计划（附件）" and on_column["kind"] == "attachment"
        assert found[srv.url("/bm/fgj/old/gone.html")]["pages"] == [srv.url("/bm/fgj/tzgg/n_1.html")]
        # each URL once: the attachment is on the homepage, a column page and an article, checked once (the
        # content stage reads it once more, for its text)
        assert srv.hits[("HEAD", "/bm/fgj/files/ok.pdf")] == 1
        assert srv.hits[("HEAD", "/bm/fgj/files/plan2019.pdf")] == 1  # checked, then re-tested (GET) before reported
        assert report.stages.links.crawled_pages >= 4  # two list pages, the homepage, the opened articles


def test_quiet_day_uses_the_last_snapshot_with_links_and_ttls_spare_the_requests(tmp_path, sqlite_url):
    with LocalServer() as srv:
        ctx = _ctx(tmp_path, sqlite_url, [_county(srv)])
        run_cycle(ctx, AS_OF)
        srv.hits.clear()
        report = run_cycle(ctx, AS_OF)  # nothing changed: pages from the HTTP cache, links within their TTLs
        found = _findings(ctx)
        assert srv.url("/bm/fgj/files/plan2019.pdf") in found and srv.url("/bm/fgj/old/gone.html") in found
        assert _hits(srv, "/bm/fgj/files/ok.pdf") == 0  # fine the run before, attachment TTL 168 h
        assert srv.hits[("HEAD", "/bm/fgj/files/plan2019.pdf")] == 1  # broken links are checked again every day
        assert report.stages.links.cached >= 1
        # broken the run before with the same error: the day's one check confirms it, no same-day re-test
        assert srv.hits[("GET", "/bm/fgj/old/gone.html")] == 1
        # the article's date is known: it is not opened again, and its broken link stays found, day after day
        assert _hits(srv, "/bm/fgj/tzgg/n_1.html") == 0
        run_cycle(ctx, AS_OF)
        assert srv.url("/bm/fgj/old/gone.html") in _findings(ctx)
        assert _hits(srv, "/bm/fgj/tzgg/n_1.html") == 0


def test_ttls_per_class(tmp_path, sqlite_url):
    with LocalServer() as srv, LocalServer("127.0.0.2") as other:
        srv.routes.update({
            "/bm/fgj/": Route(body=_page('<a href="page.html">内页</a>', '<a href="f.pdf">附件</a>',
                                         f'<a href="{other.url("/ext.html")}">外部网站</a>')),
            "/bm/fgj/page.html": Route(body=_page("<p>内页</p>")),
            "/bm/fgj/f.pdf": Route(body=b"%PDF-1.4", ctype="application/pdf"),
        })
        other.routes["/ext.html"] = Route(body=_page("<p>外部</p>"))
        site = {"url": srv.url("/bm/fgj/")}
        ctx = _ctx(tmp_path, sqlite_url, [site], servers=(srv, other), page_ok_ttl_hours=72, attachment_ok_ttl_hours=0,
                   external_ok_ttl_hours=24)
        run_link_check(ctx)
        assert (_hits(srv, "/bm/fgj/page.html"), _hits(srv, "/bm/fgj/f.pdf"), _hits(other, "/ext.html")) == (1, 1, 1)
        run_link_check(ctx)  # the attachment's TTL is 0: asked again; the others are trusted
        assert (_hits(srv, "/bm/fgj/page.html"), _hits(srv, "/bm/fgj/f.pdf"), _hits(other, "/ext.html")) == (1, 2, 1)
        with ctx.db.session() as s:  # two days later: past the external TTL (24 h), within the page TTL (72 h)
            s.execute(update(LinkOkCache).values(ok_at=utcnow() - dt.timedelta(hours=48)))
        run_link_check(ctx)
        assert (_hits(srv, "/bm/fgj/page.html"), _hits(srv, "/bm/fgj/f.pdf"), _hits(other, "/ext.html")) == (1, 3, 2)


def test_budgets_defer_links_to_the_next_runs_never_judging_them(tmp_path, sqlite_url, capsys):
    with LocalServer() as srv:
        links = [f'<a href="p{i}.html">第{i}页</a>' for i in range(10)]
        srv.routes["/bm/fgj/"] = Route(body=_page(*links))
        for i in range(10):
            if i != 7:  # p7 is missing
                srv.routes[f"/bm/fgj/p{i}.html"] = Route(body=_page(f"<p>{i}</p>"))
        ctx = _ctx(tmp_path, sqlite_url, [{"url": srv.url("/bm/fgj/")}], servers=(srv,), max_links_per_page=4)
        checked: set[str] = set()
        for day in range(3):
            rep = run_link_check(ctx)
            asked = {f"p{i}" for i in range(10) if _hits(srv, f"/bm/fgj/p{i}.html")}
            assert len(asked - checked) <= 4 or day == 2  # at most four new links a day
            checked = asked
            check(ctx, AS_OF + dt.timedelta(days=day))
            if day == 0:
                assert rep.deferred == 6 and rep.checked == 4
                with ctx.db.session() as s:
                    states = dict(s.execute(select(LinkCheck.url, LinkCheck.state)).all())
                assert sorted(states.values()).count("deferred") == 6
                with ctx.db.session() as s:
                    shown = build_digest(s, ctx.config, ctx.catalogue, AS_OF)["links_deferred"]
                assert [(d["deferred"], d["links"]) for d in shown] == [(6, 10)]
        assert checked == {f"p{i}" for i in range(10)}  # carried over: all ten checked within three days
        assert list(_findings(ctx)) == [srv.url("/bm/fgj/p7.html")]  # found once its turn came, and only it

        capsys.readouterr()
        srv.routes["/bm/fgj/"] = Route(body=_page(*links, *(f'<a href="q{i}.html">新{i}</a>' for i in range(6))))
        for i in range(6):
            srv.routes[f"/bm/fgj/q{i}.html"] = Route(body=_page("<p>新</p>"))
        cfg = tmp_path / "c.yaml"
        import yaml

        cfg.write_text(yaml.safe_dump({"county": "示范县", "crawl": {"delay": 0}, "links": {
            "retest_delay": 0, "max_links_per_page": 4, "page_ok_ttl_hours": 72},
            "units": [{"id": "u0", "name": "单位u0", "kind": "department",
                       "sites": [{"url": srv.url("/bm/fgj/")}]}]}, allow_unicode=True), encoding="utf-8")
        assert main(["links", "--config", str(cfg), "--db", sqlite_url]) == 0
        out = capsys.readouterr().out
        assert "顺延到以后几天检查的链接 3 个" in out  # the broken p7 (checked again every day) and three new ones
        assert srv.url("/bm/fgj/p7.html") in _findings(ctx)  # not checked today is not "fine"


def test_budget_per_host(tmp_path, sqlite_url):
    with LocalServer() as srv, LocalServer("127.0.0.2") as other:
        srv.routes["/bm/fgj/"] = Route(body=_page(*(f'<a href="{other.url(f"/x{i}.html")}">外{i}</a>'
                                                    for i in range(5)), '<a href="a.html">内</a>'))
        srv.routes["/bm/fgj/a.html"] = Route(body=_page("<p>a</p>"))
        for i in range(5):
            other.routes[f"/x{i}.html"] = Route(body=_page("<p>x</p>"))
        ctx = _ctx(tmp_path, sqlite_url, [{"url": srv.url("/bm/fgj/")}], servers=(srv, other), max_links_per_host=2)
        rep = run_link_check(ctx)
        assert sum(_hits(other, f"/x{i}.html") for i in range(5)) == 2 and _hits(srv, "/bm/fgj/a.html") == 1
        assert rep.deferred == 3 and rep.deferred_hosts == {other.url("/")[7:-1]: 3}


def test_a_hostile_homepage_is_budgeted_and_other_units_findings_come_first(tmp_path, sqlite_url, monkeypatch):
    with LocalServer() as srv, LocalServer("127.0.0.2") as hostile:
        normal = _county(srv)
        srv.routes["/bm/fgj/gzdt/"] = Route(body=_page(_list(("旧闻", "art_1.html", "2021-09-01")),
                                                       '<a href="../files/plan2019.pdf">2019年计划（附件）</a>'))
        hostile.routes["/"] = Route(body=_page(*(f'<a href="/p/{i}.html">链接{i}</a>' for i in range(10_000))))
        for i in range(10_000):
            hostile.routes[f"/p/{i}.html"] = Route(body="<html><body>ok</body></html>")
        ctx = _ctx(tmp_path, sqlite_url, [normal, {"url": hostile.url("/")}], units=["fgj", "bad"],
                   servers=(srv, hostile), max_links_per_page=300)
        seen_before_links: dict[str, set[str]] = {}
        real = pipeline.run_link_check

        def spy(*args, **kwargs):
            with ctx.db.session() as s:
                seen_before_links["rules"] = {f.rule for f in list_findings(s, unit="fgj")}
            return real(*args, **kwargs)

        monkeypatch.setattr(pipeline, "run_link_check", spy)
        report = run_cycle(ctx, AS_OF)
        assert "column.stale" in seen_before_links["rules"]  # freshness stored before the link stage began
        served = sum(r.served for path, r in hostile.routes.items() if path.startswith("/p/"))
        assert served <= 300
        assert report.stages.links.deferred >= 9_700
        assert srv.url("/bm/fgj/files/plan2019.pdf") in _findings(ctx)  # the other unit's broken link is found
        assert not [t for t in _findings(ctx) if t.startswith(hostile.url("/"))]


def test_a_deadline_keeps_what_was_done_and_reports_the_rest(tmp_path, sqlite_url, capsys):
    with LocalServer() as srv:
        ctx = _ctx(tmp_path, sqlite_url, [_county(srv)])
        run_cycle(ctx, AS_OF)
        before = _findings(ctx)
        srv.hits.clear()
        report = run_cycle(ctx, AS_OF + dt.timedelta(days=1), deadline=utcnow() - dt.timedelta(seconds=1))
        assert not report.ok and report.stages.deadline_hit
        assert {"probe", "accounts", "links", "content"} <= set(report.stages.not_done)
        assert not any(path.startswith("/bm/fgj/files") for _, path in srv.hits)  # no link checked after it
        assert _findings(ctx) == before  # nothing found before is lost
        from govwatch.summary import print_cycle

        print_cycle(ctx, report)
        assert "运行期限已到" in capsys.readouterr().out
        rep = run_link_check(ctx, deadline=utcnow() - dt.timedelta(seconds=1))
        assert rep.requests == 0 and rep.deferred == 2  # the broken links (never fine) wait; nothing is judged
        check(ctx, AS_OF + dt.timedelta(days=1))
        assert _findings(ctx) == before


@pytest.mark.parametrize(("text", "minutes"), [("90m", 90), ("2h", 120), ("1h30m", 90), ("45", 45), ("90min", 90)])
def test_deadline_option(text, minutes):
    assert parse_minutes_arg(text) == minutes


@pytest.mark.parametrize("text", ["", "soon", "0m", "25h", "-5m", "h"])
def test_deadline_option_refuses_nonsense(text):
    import argparse

    with pytest.raises(argparse.ArgumentTypeError):
        parse_minutes_arg(text)


def test_crawl_stores_bounded_outlinks(tmp_path, sqlite_url):
    with LocalServer() as srv:
        srv.routes["/bm/fgj/"] = Route(body=_page(*(f'<a href="p{i}.html">第{i}页</a>' for i in range(700))))
        ctx = _ctx(tmp_path, sqlite_url, [{"url": srv.url("/bm/fgj/")}])
        crawl(ctx)
        from storage.models import PageSnapshot

        with ctx.db.session() as s:
            info = s.scalars(select(PageSnapshot.info)).one()
        page = srv.url("/bm/fgj/")
        assert len(info["outlinks"][page]) == 500 and info["outlinks_cut"] == {page: 700}


def test_links_of_articles_the_content_stage_read_are_checked_in_the_next_run(tmp_path, sqlite_url):
    with LocalServer() as srv:
        srv.routes.update({
            "/zx/": Route(body=_page('<a href="xwdt/">新闻动态</a>')),
            "/zx/xwdt/": Route(body=_page(_list(*((f"全县第{i}次工作会议召开", f"t_{i}.html", f"2021-11-{28 - i}")
                                                  for i in range(1, 4))))),
            **{f"/zx/xwdt/t_{i}.html": Route(body=_page(f"<p>会议内容{i}</p>")) for i in range(1, 4)},
        })
        # an article of a dated list (the crawl does not open it), read by the content stage
        srv.routes["/zx/xwdt/t_2.html"] = Route(body=_page("<p>会议内容</p>", '<a href="/zx/old/removed.html">原文链接</a>'))
        site = {"url": srv.url("/zx/"), "columns": [{"name": "新闻动态", "url": srv.url("/zx/xwdt/"), "category": "news"}]}
        ctx = _ctx(tmp_path, sqlite_url, [site])
        ctx.config.content.lookback_days = 3660  # the county's articles of 2021 are new to the content stage
        run_cycle(ctx, AS_OF)  # the content stage runs after the link stage
        missing = srv.url("/zx/old/removed.html")
        assert missing not in _findings(ctx)
        read = srv.hits[("GET", "/zx/xwdt/t_2.html")]
        run_cycle(ctx, AS_OF)
        found = _findings(ctx)
        assert found[missing]["pages"] == [srv.url("/zx/xwdt/t_2.html")]
        assert found[missing]["text"] == "原文链接"
        assert srv.hits[("GET", "/zx/xwdt/t_2.html")] == read  # not fetched again: its links come from that read

"""From stored link checks to link.broken findings: evidence, confirmed only, homepage vs other pages, rectify."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from checks.base import CheckInput, LinkObs, SiteView, UnitView
from checks.links import broken_links
from config.loader import load_catalogue, parse_config
from govwatch.context import open_context
from govwatch.linkstage import run_link_check
from govwatch.pipeline import check
from govwatch.roster import ensure_synced
from storage import list_findings

from ._server import LocalServer, Route

AS_OF = dt.date(2021, 11, 30)
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def _page(*links: str) -> str:
    return "<html><head><meta charset='utf-8'><title>示范局</title></head><body>" + " ".join(links) + "</body></html>"


def _ctx(server: LocalServer, db_url: str, **links):
    data = {
        "county": "示范县",
        "crawl": {"delay": 0, "concurrency_per_host": 4, "timeout": 2},
        "links": {"retest_delay": 0, **links},
        "units": [{"id": "fgj", "name": "发展改革局", "kind": "department", "sites": [{"url": server.url("/bm/fgj/")}]}],
    }
    return open_context(loaded=parse_config(data, "<test>"), db_url=db_url)


def _open(ctx) -> dict[str, dict]:
    with ctx.db.session() as s:
        return {f.target: {"status": f.status, "points": f.points, "evidence": f.evidence, "first_seen": f.first_seen,
                           "last_seen": f.last_seen}
                for f in list_findings(s, rule="link.broken")}


def test_whole_site_findings_evidence_and_rectification(db_url):
    with LocalServer() as srv:
        srv.routes.update({
            "/bm/fgj/": Route(body=_page('<a href="gzdt/">工作动态</a>', '<a href="files/plan.pdf">年度计划</a>',
                                         '<img src="images/banner.jpg" alt="宣传图">')),
            "/bm/fgj/gzdt/": Route(body=_page('<a href="art_1.html">第一条</a>', '<a href="art_2.html">第二条</a>',
                                              '<a href="../files/plan.pdf">计划下载</a>')),
            "/bm/fgj/gzdt/art_1.html": Route(body=_page("<p>正文</p>", '<a href="/bm/fgj/files/old.doc">旧附件</a>')),
            "/bm/fgj/gzdt/art_2.html": Route(body=_page("<p>正文</p>"), fail_first=1),  # transient
        })
        ctx = _ctx(srv, db_url)
        ensure_synced(ctx)  # the roster sync may read the site itself (column discovery): let it happen first
        srv.routes["/bm/fgj/gzdt/art_2.html"].served = 0
        rep = run_link_check(ctx, whole_site=True)
        assert rep.broken == {"http_404": 3} and rep.transient == 1
        check(ctx, AS_OF)
        found = _open(ctx)
        plan, banner, old = (srv.url(p) for p in ("/bm/fgj/files/plan.pdf", "/bm/fgj/images/banner.jpg",
                                                   "/bm/fgj/files/old.doc"))
        assert set(found) == {plan, banner, old}  # the transient failure is not reported
        ev = found[plan]["evidence"]
        assert ev["url"] == plan and ev["kind"] == "attachment" and ev["error"] == "http_404" and ev["on_homepage"]
        assert ev["pages"] == [srv.url("/bm/fgj/"), srv.url("/bm/fgj/gzdt/")] and ev["text"] == "年度计划"
        assert ev["anchors"] == [{"page": srv.url("/bm/fgj/"), "text": "年度计划"},
                                 {"page": srv.url("/bm/fgj/gzdt/"), "text": "计划下载"}]
        assert ev["first_failed"] and ev["last_checked"] and ev["page_count"] == 2
        assert found[banner]["evidence"]["kind"] == "image" and found[banner]["evidence"]["text"] == "宣传图"
        assert not found[old]["evidence"]["on_homepage"]
        assert found[old]["evidence"]["anchors"] == [{"page": srv.url("/bm/fgj/gzdt/art_1.html"), "text": "旧附件"}]
        # homepage links and other pages' links are deducted separately (catalogue: 0.5 and 0.1 a link)
        assert (found[plan]["points"], found[banner]["points"], found[old]["points"]) == (0.5, 0.5, 0.1)

        # next day: the homepage check only; the attachment is uploaded, the banner still missing
        srv.routes["/bm/fgj/files/plan.pdf"] = Route(body=b"%PDF-1.4", ctype="application/pdf")
        run_link_check(ctx, whole_site=False)
        check(ctx, AS_OF + dt.timedelta(days=1))
        found = _open(ctx)
        assert found[plan]["status"] == "rectified"
        assert found[banner]["status"] == "open" and found[banner]["last_seen"] == AS_OF + dt.timedelta(days=1)
        assert found[old]["status"] == "open"  # still broken as far as the last whole-site check knows

        # the unit removes the old article's link: the next whole-site check finds it gone
        srv.routes["/bm/fgj/gzdt/art_1.html"] = Route(body=_page("<p>正文</p>"))
        run_link_check(ctx, whole_site=True)
        check(ctx, AS_OF + dt.timedelta(days=2))
        found = _open(ctx)
        assert found[old]["status"] == "rectified" and found[banner]["status"] == "open"


def test_run_cycle_style_scheduling_whole_site_when_due(sqlite_url):
    with LocalServer() as srv:
        srv.routes.update({
            "/bm/fgj/": Route(body=_page('<a href="gzdt/">工作动态</a>')),
            "/bm/fgj/gzdt/": Route(body=_page('<a href="gone.html">旧通知</a>')),
        })
        ctx = _ctx(srv, sqlite_url)
        assert run_link_check(ctx).whole_site == 0  # by default `run` checks the homepage's links only
        ctx = _ctx(srv, sqlite_url, whole_site_every_days=7)
        first = run_link_check(ctx)  # never checked as a whole: due
        second = run_link_check(ctx)  # checked as a whole a moment ago: homepage only
        assert (first.whole_site, first.broken) == (1, {"http_404": 1})
        assert (second.whole_site, second.broken) == (0, {})
        check(ctx, AS_OF)
        assert list(_open(ctx)) == [srv.url("/bm/fgj/gzdt/gone.html")]  # the whole-site result still counts


def test_unreachable_homepage_judges_nothing(sqlite_url):
    with LocalServer() as srv:
        srv.routes["/bm/fgj/"] = Route(body=_page('<a href="x.pdf">附件</a>'))
        ctx = _ctx(srv, sqlite_url)
        run_link_check(ctx, whole_site=False)
        check(ctx, AS_OF)
        assert set(_open(ctx)) == {srv.url("/bm/fgj/x.pdf")}
        srv.routes["/bm/fgj/"] = Route(status=503)
        rep = run_link_check(ctx, whole_site=False)
        assert rep.failed_sites == [srv.url("/bm/fgj/")]
        check(ctx, AS_OF + dt.timedelta(days=1))
        assert _open(ctx)[srv.url("/bm/fgj/x.pdf")]["status"] == "open"  # not rectified by a failed fetch


def _obs(url: str, on_homepage: bool, state: str = "broken") -> LinkObs:
    return LinkObs(1, url, "page", on_homepage, state, "http_404" if state == "broken" else None,
                   refs=({"page": "http://x/", "text": "链接"},), ref_count=1)


def test_points_per_location_and_caps_from_the_catalogue():
    cat = load_catalogue()
    rule = cat.rules["link.broken"]
    rule.points, rule.cap = 0.1, 0.25
    rule.thresholds = {"homepage_points": 0.5, "homepage_cap": 1.0}
    inp = CheckInput(as_of=AS_OF, tz=TZ, units={"fgj": UnitView("fgj", "发展改革局", "department")},
                     sites=[SiteView(1, "fgj", "http://x/")])
    inp.links = [_obs(f"http://x/h{i}", True) for i in range(3)] + [_obs(f"http://x/o{i}", False) for i in range(4)]
    inp.links += [_obs("http://x/fine", False, "ok"), _obs("http://x/maybe", False, "suspected"),
                  _obs("http://x/removed", False, "gone")]
    out = {o.target.rsplit("/", 1)[1]: o for o in broken_links(inp, cat)}
    assert [out[f"h{i}"].points for i in range(3)] == [0.5, 0.5, 0.0]
    assert [out[f"o{i}"].points for i in range(4)] == [0.1, 0.1, 0.05, 0.0]
    assert out["h2"].evidence["capped"] and not out["fine"].evidence.get("capped")
    assert out["fine"].passed and out["removed"].passed and "maybe" not in out  # a suspected link is not judged
    assert not out["h0"].passed and out["h0"].evidence["location"] == "首页"


def test_links_command_then_check(tmp_path, capsys):
    import yaml

    from govwatch.cli import main

    with LocalServer() as srv:
        srv.routes.update({
            "/bm/fgj/": Route(body=_page('<a href="gzdt/">工作动态</a>', '<a href="a.pdf">附件</a>')),
            "/bm/fgj/gzdt/": Route(body=_page('<a href="gone.html">旧通知</a>')),
            "/bm/fgj/a.pdf": Route(body=b"%PDF", ctype="application/pdf"),
        })
        data = {"county": "示范县", "crawl": {"delay": 0}, "links": {"retest_delay": 0},
                "units": [{"id": "fgj", "name": "发展改革局", "kind": "department", "sites": [{"url": srv.url("/bm/fgj/")}]}]}
        cfg = tmp_path / "c.yaml"
        cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        common = ["--config", str(cfg), "--db", f"sqlite:///{tmp_path / 'gw.db'}"]
        assert main(["links", *common]) == 0
        out = capsys.readouterr().out
        assert "首页及已抓取页面链接检查：站点 1 个，页面 1 个（其中抓取时已读 0 个），链接 2 个" in out and "确认不可用链接 0 个" in out
        assert main(["links", "--whole-site", *common]) == 0
        out = capsys.readouterr().out
        assert "全站链接检查：站点 1 个，页面 2 个" in out and "页面不存在（404）：1" in out
        assert main(["check", "--as-of", "2021-11-30", *common]) == 0
        assert "link.broken" in capsys.readouterr().out


def test_external_ok_results_are_reused_within_the_ttl(sqlite_url):
    with LocalServer() as srv, LocalServer("127.0.0.3") as ext:
        ext.routes["/friend.html"] = Route(body=_page("友站"))
        srv.routes["/bm/fgj/"] = Route(body=_page(f'<a href="{ext.url("/friend.html")}">友情链接</a>'))
        ctx = _ctx(srv, sqlite_url)
        for _ in range(3):
            run_link_check(ctx, whole_site=False)
        assert ext.hits[("HEAD", "/friend.html")] == 1  # the first run's OK is reused by the next ones

        ctx = _ctx(srv, sqlite_url, external_ok_ttl_hours=0)
        run_link_check(ctx, whole_site=False)
        assert ext.hits[("HEAD", "/friend.html")] == 2


def test_per_site_budget_and_switch(sqlite_url):
    with LocalServer() as srv:
        srv.routes.update({
            "/bm/fgj/": Route(body=_page('<a href="a.html">甲</a>', '<a href="b.html">乙</a>')),
            "/bm/fgj/a.html": Route(body=_page('<a href="a2.html">甲二</a>')),
            "/bm/fgj/b.html": Route(body=_page('<a href="b2.html">乙二</a>')),
            "/bm/fgj/a2.html": Route(body=_page("正文")),
        })
        data = {
            "county": "示范县", "crawl": {"delay": 0}, "links": {"retest_delay": 0, "max_pages": 100},
            "units": [
                {"id": "fgj", "name": "发展改革局", "kind": "department",
                 "sites": [{"url": srv.url("/bm/fgj/"), "links": {"max_pages": 2}}]},
                {"id": "czj", "name": "财政局", "kind": "department",
                 "sites": [{"url": srv.url("/bm/czj/"), "links": {"enabled": False}}]},
            ],
        }
        ctx = open_context(loaded=parse_config(data, "<test>"), db_url=sqlite_url)
        rep = run_link_check(ctx, whole_site=True)
    # the homepage and one more page were read (budget 2): the rest of the links are only checked
    assert (rep.sites, rep.pages) == (1, 2)
    assert (rep.links, rep.broken) == (3, {})  # a.html was read (found first); b.html only checked, so b2 unseen

"""Redirects to elsewhere: the crawl, the link checker and the probes follow a redirect only to the unit's own hosts
and to crawl.redirect_hosts; anywhere else is the status redirect_offsite, never followed, never a unit finding."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from config.loader import parse_config
from crawler.redirects import RedirectPolicy, host_key
from govwatch.context import open_context
from govwatch.linkstage import run_probes
from govwatch.loopback import LoopbackServer, Reply, Request
from govwatch.pipeline import check, check_links, crawl
from storage import list_findings
from storage.models import ColumnRow, LinkCheck, PageSnapshot, Probe


def _list(day: dt.date, prefix: str) -> str:
    items = "".join(f'<li><a href="/{prefix}/a{i}.html">第{i}条通知公告标题文字</a><span>{day - dt.timedelta(days=i)}</span></li>'
                    for i in range(1, 6))
    return f"<html><head><title>列表</title></head><body><ul class='list'>{items}</ul></body></html>"


@pytest.fixture
def servers():
    hits: list[str] = []
    today = dt.date.today()

    def redis(req: Request) -> Reply:  # an unlisted service that would answer anything as a fresh page
        hits.append(req.path)
        return Reply(body=_list(today, "x"))

    def partner(req: Request) -> Reply:
        return Reply(body=_list(today, "p"))

    with LoopbackServer(redis) as evil, LoopbackServer(partner, hosts=("127.0.0.3",)) as other:
        def portal(req: Request) -> Reply:
            home = ('<html><head><title>首页</title></head><body><a href="/u/gzdt/">工作动态</a>'
                    '<a href="/u/evil-link">坏链接</a><a href="/u/moved-link">搬家</a>'
                    '<a href="/u/partner-link">合作</a></body></html>')
            routes = {
                "/u/": Reply(body=home),
                "/u/gzdt/": Reply(302, headers={"Location": f"{evil.base()}/"}),
                "/u/evil-link": Reply(302, headers={"Location": f"{evil.base()}/flushall"}),
                "/u/moved-link": Reply(301, headers={"Location": "/u/tzgg2/"}),
                "/u/partner-link": Reply(302, headers={"Location": f"{other.base()}/ok"}),
                "/u/tzgg/": Reply(302, headers={"Location": "/u/tzgg2/"}),
                "/u/tzgg2/": Reply(body=_list(today, "u")),
                "/u/zcwj/": Reply(302, headers={"Location": f"{other.base()}/list/"}),
                "/v/": Reply(302, headers={"Location": f"{evil.base()}/"}),
            }
            return routes.get(req.path, Reply(404, body="<html><title>404</title></html>"))

        with LoopbackServer(portal) as site:
            yield site, evil, other, hits


def _ctx(site: LoopbackServer, other: LoopbackServer, db_url: str, tmp_path):
    base = site.base()
    data = {
        "county": "示范县", "output_dir": str(tmp_path / "out"),
        "crawl": {"delay": 0, "retries": 0, "timeout": 5, "autothrottle": False, "http_cache": False,
                  "redirect_hosts": [host_key(other.base())]},
        "links": {"retest_delay": 0},
        "units": [
            {"id": "u", "name": "甲局", "kind": "department", "sites": [{"url": f"{base}/u/", "columns": [
                {"name": "工作动态", "url": f"{base}/u/gzdt/"},
                {"name": "通知公告", "url": f"{base}/u/tzgg/"},
                {"name": "政策文件", "url": f"{base}/u/zcwj/"},
            ]}]},
            {"id": "v", "name": "乙局", "kind": "department", "sites": [{"url": f"{base}/v/", "columns": []}]},
        ],
    }
    return open_context(loaded=parse_config(data, str(tmp_path / "c.yaml"), base_dir=tmp_path), db_url=db_url)


def test_redirects_elsewhere_are_not_followed_anywhere_and_never_a_finding(servers, db_url, tmp_path):
    site, evil, other, hits = servers
    ctx = _ctx(site, other, db_url, tmp_path)
    base = site.base()
    rep = crawl(ctx)
    assert not rep.failed
    with ctx.db.session() as s:
        snaps = {c.url: snap for snap, c in s.execute(
            select(PageSnapshot, ColumnRow).join(ColumnRow, ColumnRow.id == PageSnapshot.column_id))}
    offsite = snaps[f"{base}/u/gzdt/"]
    assert offsite.status == "redirect_offsite" and offsite.item_count == 0
    assert evil.base() in (offsite.error or "")
    assert snaps[f"{base}/u/tzgg/"].status == "ok"  # its own host
    assert snaps[f"{base}/u/tzgg/"].newest_date == dt.date.today() - dt.timedelta(days=1)
    assert snaps[f"{base}/u/zcwj/"].status == "ok"  # an allowed host (crawl.redirect_hosts)

    check_links(ctx, whole_site=False)
    with ctx.db.session() as s:
        links = {lc.url: lc for lc in s.scalars(select(LinkCheck))}
    assert links[f"{base}/u/evil-link"].state == "offsite"
    assert links[f"{base}/u/evil-link"].error == "redirect_offsite"
    assert links[f"{base}/u/moved-link"].state == "ok"
    assert links[f"{base}/u/partner-link"].state == "ok"

    run_probes(ctx)
    with ctx.db.session() as s:
        probes = {p.site_id: p for p in s.scalars(select(Probe))}
    assert sorted(p.status for p in probes.values()) == ["ok", "redirect_offsite"]

    assert hits == []  # nothing, not even robots.txt, was asked of the unlisted service
    check(ctx, dt.date.today())
    with ctx.db.session() as s:
        findings = list_findings(s)
    assert not [f for f in findings if "gzdt" in f.target or "evil" in f.target or f.unit_id == "v"]


def test_the_policy_reads_hosts_ports_and_wildcards():
    policy = RedirectPolicy.of_urls(["http://www.a.gov.cn/x/", "http://127.0.0.1:8080/"], ["*.gov.cn", "b.org:81"])
    assert policy.allows("https://www.a.gov.cn/y")  # http → https on the same host
    assert policy.allows("http://www.a.gov.cn:80/")
    assert policy.allows("http://127.0.0.1:8080/z")
    assert not policy.allows("http://127.0.0.1:6379/")
    assert not policy.allows("http://127.0.0.1/")
    assert policy.allows("http://sub.other.gov.cn/")
    assert not policy.allows("http://gov.cn.evil.com/")
    assert not policy.allows("http://x.gov.cn:6379/")
    assert policy.allows("http://b.org:81/") and not policy.allows("http://b.org/")
    assert not policy.allows("gopher://")
    assert not policy.allows("http://[::1/")
    assert host_key("HTTP://WWW.A.GOV.CN.:80/") == "www.a.gov.cn"


@pytest.mark.parametrize("bad", ["", "http://a/b/c", "a b"])
def test_a_bad_redirect_host_is_a_config_error(tmp_path, bad):
    from govwatch.errors import ConfigError

    with pytest.raises(ConfigError, match=r"crawl.redirect_hosts"):
        parse_config({"county": "x", "crawl": {"redirect_hosts": [bad]}}, str(tmp_path / "c.yaml"))


def test_articles_and_attachments_are_not_read_from_elsewhere(servers):
    from crawler.documents import ReadLimits, read_documents
    from storage.content import DocTask

    site, evil, other, hits = servers
    base = site.base()
    tasks = [DocTask(url=f"{base}/u/gzdt/", unit_id="u", column_id=1, column="c", title="t"),
             DocTask(url=f"{base}/u/tzgg/", unit_id="u", column_id=1, column="c", title="t")]
    limits = ReadLimits(delay=0, timeout=5, redirect_hosts=())
    got = {r.url: r for r in read_documents(tasks, limits, skip_attachment=lambda u: False)}
    assert got[f"{base}/u/gzdt/"].status == "redirect_offsite"
    assert got[f"{base}/u/tzgg/"].status == "ok"
    assert hits == []

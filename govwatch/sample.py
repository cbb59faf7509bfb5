"""The bundled sample county (示范县): a few units' sites served on loopback, with known problems built in."""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass, field
from email.utils import format_datetime
from typing import Any

from govwatch.loopback import LoopbackServer, Reply, Request

__all__ = ["SampleAccount", "SampleArticle", "SampleAttachment", "SampleColumn", "SampleCounty", "SampleLink", "SampleServer", "SampleSite", "SampleUnit", "sample_county"]


@dataclass
class SampleAttachment:
    """A file linked from a sample article: ``kind`` pdf (``content``: pages of lines), docx (paragraphs, table),
    xlsx (sheets of rows) or broken (a truncated PDF, which must not stop the cycle). ``expect`` as for columns."""

    name: str
    text: str
    kind: str
    content: Any = None
    expect: tuple[str, ...] = ()

    def body(self) -> tuple[str, bytes]:
        """Content type and bytes of the file."""
        from govwatch.samplefiles import docx_bytes, pdf_bytes, xlsx_bytes

        if self.kind == "pdf":
            return "application/pdf", pdf_bytes(self.content)
        if self.kind == "broken":
            return "application/pdf", pdf_bytes([["扫描件"]])[:200]
        if self.kind == "docx":
            paragraphs, table = self.content
            return ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    docx_bytes(paragraphs, table))
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx_bytes(self.content)


@dataclass
class SampleArticle:
    """The body (HTML) of one article of a sample column, with its attachments; ``expect`` as for columns (the
    target is the article's URL)."""

    body: str
    attachments: list[SampleAttachment] = field(default_factory=list)
    expect: tuple[str, ...] = ()


@dataclass
class SampleColumn:
    """A column of the sample county; ``ages`` are the item dates in days before as_of (None: undated)."""

    slug: str
    name: str
    ages: list[int | None]
    top_level: bool = False
    pinned_age: int | None = None
    status: int = 200
    expect: tuple[str, ...] = ()
    """The findings this column is built to produce, as ``rule`` or ``rule:severity``."""
    board: list[tuple[int, int | None]] | None = None
    """A message board instead of a list: per message (days before as_of it was asked, days before as_of it
    was replied or None when it is unanswered), shown as a table with 留言时间, 回复时间 and 状态."""
    articles: dict[int, SampleArticle] = field(default_factory=dict)
    """Bodies of some of the column's articles, by item number (1 = ``art_1.html``); the others say 正文。"""


@dataclass
class SampleLink:
    """A link the sample county puts on a page: on the site's homepage (``where="homepage"``) or on a column page
    (``where`` = the column's slug). ``path`` is absolute on ``host`` (None: the page's own host; a host role makes
    it an external link). Paths the server does not know answer 404. ``expect`` as for columns (target: the link).
    """

    where: str
    path: str
    text: str
    tag: str = "a"  # a | img
    host: str | None = None
    expect: tuple[str, ...] = ()


@dataclass
class SampleSite:
    """A site (or portal section) of a sample unit."""

    host: str  # "portal" or "standalone"
    prefix: str  # path of the site's homepage, ending with "/"
    columns: list[SampleColumn]
    homepage_ages: list[int] | None = None  # None: the homepage lists the columns' newest items
    encoding: str = "utf-8"
    date_style: str = "dash"  # dash | cn | slash | bracket | cell
    expect: tuple[str, ...] = ()
    links: list[SampleLink] = field(default_factory=list)


@dataclass
class SampleAccount:
    """A new-media account of the sample county, served by a stand-in platform on the portal host.

    ``rss`` accounts are feeds of a self-hosted bridge (like RSSHub) at ``/bridge/<key>.xml``;
    ``weibo`` accounts answer the mobile container API under ``/weibo``. ``ages`` are post dates
    in days before as_of; ``pinned_age`` adds a pinned post listed first; ``status`` other than 200
    makes the platform refuse (432 = Weibo's anti-crawler answer).
    """

    platform: str
    key: str
    name: str
    ages: list[int]
    pinned_age: int | None = None
    status: int = 200
    expect: tuple[str, ...] = ()


@dataclass
class SampleUnit:
    """A unit of the sample county."""

    id: str
    name: str
    kind: str
    sites: list[SampleSite] = field(default_factory=list)
    accounts: list[SampleAccount] = field(default_factory=list)


@dataclass
class SampleCounty:
    """The whole sample county; pages are generated from it on every request, so tests can change it."""

    name: str
    units: list[SampleUnit]
    as_of: dt.date

    def column(self, unit_id: str, slug: str) -> SampleColumn:
        """One column by unit id and slug."""
        for u in self.units:
            for s in u.sites:
                for c in s.columns:
                    if u.id == unit_id and c.slug == slug:
                        return c
        raise KeyError(f"{unit_id}/{slug}")

    def expected_findings(self) -> set[tuple[str, str, str, str]]:
        """(rule, severity, unit id, target path) of every problem the county was built with."""
        out = set()
        for u in self.units:
            for s in u.sites:
                for rule in s.expect:
                    r, _, sev = rule.partition(":")
                    out.add((r, sev or "veto", u.id, s.prefix))
                for c in s.columns:
                    for rule in c.expect:
                        r, _, sev = rule.partition(":")
                        out.add((r, sev or "deduction", u.id, f"{s.prefix}{c.slug}/"))
                    for n, art in c.articles.items():
                        for rule in art.expect:
                            r, _, sev = rule.partition(":")
                            out.add((r, sev or "deduction", u.id, f"{s.prefix}{c.slug}/art_{n}.html"))
                        for att in art.attachments:
                            for rule in att.expect:
                                r, _, sev = rule.partition(":")
                                out.add((r, sev or "deduction", u.id, f"{s.prefix}{c.slug}/files/{att.name}"))
                for link in s.links:
                    for rule in link.expect:
                        r, _, sev = rule.partition(":")
                        out.add((r, sev or "deduction", u.id, link.path))
            for a in u.accounts:
                for rule in a.expect:
                    r, _, sev = rule.partition(":")
                    out.add((r, sev or "veto", u.id, f"{a.platform}:{a.key}"))
        return out

    def account(self, unit_id: str, key: str) -> SampleAccount:
        """One account by unit id and key."""
        for u in self.units:
            for a in u.accounts:
                if u.id == unit_id and a.key == key:
                    return a
        raise KeyError(f"{unit_id}/{key}")


#: the sample county's own leaders (the ``content.leaders`` of its config): names and titles checked in articles
SAMPLE_LEADERS = [{"name": "龙国华", "titles": ["县委书记"]}, {"name": "杨光明", "titles": ["县委副书记", "县长"]}]

_A, _F = SampleArticle, SampleAttachment
# fictitious people; the numbers pass their checks (GB 11643 / Luhn) so that they look like real leaks
_RELIEF = _A(
    "<p>索引号：115226360093456789/2021-00031　发布机构：示范县发展改革局</p>"
    "<p>根据有关规定，现将2021年度临时救助对象公示如下：</p>"
    "<table><tr><th>序号</th><th>姓名</th><th>身份证号码</th><th>银行卡号</th><th>金额（元）</th></tr>"
    "<tr><td>1</td><td>龙光明</td><td>522636198503150027</td><td>6228480402564890018</td><td>1500</td></tr>"
    "<tr><td>2</td><td>吴秀英</td><td>522636197809090042</td><td>6217002870000123453</td><td>1200</td></tr></table>"
    "<p>公示期5天。咨询电话：0855-5321234。</p>",
    expect=("content.privacy",),
)
_CLEAN_NOTICE = _A(
    "<p>索引号：11522636MB1734256X/2021-00032　文号：示发改发〔2021〕12号</p>"
    "<p>县委书记龙国华、县委副书记、县长杨光明出席会议，会议传达学习了习近平总书记重要讲话精神。</p>"
    "<table><tr><th>序号</th><th>姓名</th><th>身份证号码</th><th>联系电话</th></tr>"
    "<tr><td>1</td><td>龙光明</td><td>522636********0027</td><td>139****2345</td></tr>"
    "<tr><td>2</td><td>吴秀英</td><td>522636********0042</td><td>150****3456</td></tr></table>"
    "<table><tr><th>单位名称</th><th>统一社会信用代码</th></tr>"
    "<tr><td>示范县某某服务中心</td><td>130521199012123454</td></tr></table>"
    "<p>联系人：张明，联系电话：13985512345；监督电话：0855-12345；邮编：556300。</p>",
)
_SPEECH = _A("<p>会议强调，要深入学习贯彻习近平总书计重要讲话精神，推动各项工作落实。</p>", expect=("content.error:veto",))
_TOWN = _A(
    "<p>镇党委召开会议，学习习近平新时代中国特色社会主义思想。附件为本年度低保名单及说明。</p>",
    attachments=[
        _F("dibao2021.xlsx", "2021年度低保对象名单.xlsx", "xlsx",
           {"名单": [["序号", "户主", "身份证号", "保障人数"], [1, "潘晓红", "510107196001011113", 3],
                     [2, "邰胜利", "130521199012123454", 2]]}, expect=("content.privacy",)),
        _F("shuoming.docx", "公示说明.docx", "docx",
           (["公示名单中身份证号码已作脱敏处理。", "咨询电话：0855-5321234"],
            [["户主", "身份证号"], ["潘晓红", "510107********1113"]])),
        _F("saomiao.pdf", "会议纪要扫描件.pdf", "broken"),
    ],
)
_FLOOD = _A(
    "<p>县长龙国华主持召开防汛工作会议，部署开发区防汛工作。</p>",
    attachments=[
        _F("fxzrr.pdf", "2021年防汛责任人名单.pdf", "pdf",
           [["2021年示范经济开发区防汛责任人名单"],
            ["序号 姓名 职务 手机号码", "1 张明 村支书 13985512345", "2 李红梅 村主任 15085523456",
             "3 欧阳华 监督员 18708551234"]], expect=("content.privacy",)),
    ],
    expect=("content.error:veto",),
)


def sample_county(as_of: dt.date) -> SampleCounty:
    """The sample county: 4 units with sites (3 on a shared portal host, 1 standalone) and 1 without."""
    C = SampleColumn
    return SampleCounty(
        name="示范县",
        as_of=as_of,
        units=[
            SampleUnit("fgj", "发展改革局", "department", [SampleSite("portal", "/bm/fgj/", [
                C("gzdt", "工作动态", [1, 3, 8, 13, 20]),
                C("tzgg", "通知公告", [20, 40, 75], top_level=True, articles={1: _RELIEF, 2: _CLEAN_NOTICE}),
                C("zcwj", "政策文件", [30, 90], top_level=True),
                C("rsxx", "人事信息", [100, 200]),
                C("ghjh", "规划计划", [400, 500], expect=("column.stale",)),
                C("czyjs", "财政预决算", [60, 420]),
                C("zcjd", "政策解读", [10]),
                C("tjsj", "统计数据", [340], expect=("column.stale:warning",)),
                # one message unanswered for 130 days (over 3 months); the others were answered in time
                C("zxts", "咨询投诉", [], board=[(3, 1), (20, 12), (75, 30), (130, None)],
                  expect=("interaction.unanswered:veto",)),
            ], links=[
                # a dead attachment and a dead image on the homepage, and a working link to another site
                SampleLink("homepage", "/bm/fgj/files/gzjh2021.pdf", "2021年度工作计划（附件）", expect=("link.broken",)),
                SampleLink("homepage", "/bm/fgj/images/banner2020.jpg", "发改局宣传图", tag="img", expect=("link.broken",)),
                SampleLink("homepage", "/", "示范经济开发区网站", host="standalone"),
            ])], [SampleAccount("rss", "fgfb", "示范发改（公众号）", [1, 5])]),
            SampleUnit("czj", "财政局", "department", [SampleSite("portal", "/bm/czj/", [
                C("gzdt", "工作动态", [20, 25, 30], expect=("column.stale",), articles={1: _SPEECH}),
                C("tzgg", "通知公告", [10, 70], top_level=True),
                C("czyjs", "财政预决算", [45, 400]),
                C("tjsj", "统计数据", [], expect=("column.blank",)),
                C("rsrm", "人事任免", [30]),
                C("zcwj", "政策文件", [150], top_level=True),
                C("ldxx", "领导信箱", [5]),
            ], encoding="gbk", date_style="cn")],
                [SampleAccount("rss", "czfb", "示范财政（公众号）", [20, 40], expect=("account.stale",))]),
            SampleUnit("gyz", "革一镇", "township", [SampleSite("portal", "/xz/gyz/", [
                C("xzdt", "乡镇动态", [2, 5, None, 9], pinned_age=400, articles={1: _TOWN}),
                C("tzgg", "通知公告", [12], top_level=True),
                C("zcwj", "政策文件", [100]),
                C("rsxx", "人事信息", [50]),
                C("ghjh", "规划计划", [200]),
                C("bszn", "办事指南", [30]),
            ], date_style="cell", links=[
                SampleLink("xzdt", "/xz/gyz/xzdt/2019/old_notice.html", "关于开展2019年春耕工作的通知", expect=("link.broken",)),
            ])], [SampleAccount("weibo", "5000000001", "革一镇发布", [3, 8], pinned_age=300)]),
            SampleUnit("kfq", "贵州示范经济开发区", "devzone", [SampleSite("standalone", "/", [
                C("gzdt", "工作动态", [30, 60], expect=("column.stale",), articles={1: _FLOOD}),
                C("tzgg", "通知公告", [5], top_level=True, status=500, expect=("link.broken",)),  # every page links to it
                C("zcwj", "政策文件", [20], top_level=True),
                C("rsxx", "人事信息", [100]),
                C("ghjh", "规划计划", [90]),
                C("czyjs", "财政预决算", [200]),
            ], homepage_ages=[30, 45], date_style="bracket", expect=("homepage.stale",))],
                [SampleAccount("weibo", "5000000002", "示范开发区", [2], status=432)]),
            SampleUnit("tjj", "统计局", "department", []),
        ],
    )


def _rfc822(day: dt.date) -> str:
    return format_datetime(dt.datetime.combine(day, dt.time(9, 30), dt.timezone(dt.timedelta(hours=8))))


def _fmt(d: dt.date, style: str) -> str:
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "bracket":
        return f"[{d.isoformat()}]"
    return d.isoformat()


def _items(col: SampleColumn, as_of: dt.date) -> list[tuple[str, str, dt.date | None, bool]]:
    rows: list[tuple[str, str, dt.date | None, bool]] = []
    if col.pinned_age is not None:
        rows.append((f"【置顶】{col.name}工作要点", "top.html", as_of - dt.timedelta(days=col.pinned_age), True))
    for i, age in enumerate(col.ages):
        date = None if age is None else as_of - dt.timedelta(days=age)
        rows.append((f"{col.name}信息第{i + 1}条", f"art_{i + 1}.html", date, False))
    return rows


def _board_html(col: SampleColumn, as_of: dt.date, base: str) -> str:
    """A message board table (留言主题, 留言时间, 回复时间, 状态), as county 领导信箱 pages show it."""
    trs = []
    for i, (asked, replied) in enumerate(col.board or []):
        asked_on = as_of - dt.timedelta(days=asked)
        replied_on = None if replied is None else as_of - dt.timedelta(days=replied)
        trs.append(
            f'<tr><td>{i + 1}</td><td><a href="{base}msg_{i + 1}.html">{html.escape(col.name)}留言第{i + 1}条</a></td>'
            f"<td>{asked_on.isoformat()}</td><td>{replied_on.isoformat() if replied_on else ''}</td>"
            f"<td>{'已回复' if replied_on else '未回复'}</td></tr>"
        )
    head = "<tr><th>序号</th><th>留言主题</th><th>留言时间</th><th>回复时间</th><th>状态</th></tr>"
    return f'<table class="board">{head}{"".join(trs)}</table>'


def _page(title: str, nav: list[tuple[str, str]], body: str, encoding: str) -> bytes:
    charset = "gb2312" if encoding == "gbk" else "utf-8"
    links = "".join(f'<a href="{html.escape(u)}">{html.escape(n)}</a> ' for u, n in nav)
    text = (
        f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"<title>{html.escape(title)}</title></head><body>"
        f'<div class="header"><div class="nav">{links}</div></div>'
        f'<div class="main">{body}</div>'
        '<div class="footer">主办：示范县人民政府办公室 备案号：黔ICP备00000000号</div></body></html>'
    )
    return text.encode(encoding)


def _list_html(rows: list[tuple[str, str, dt.date | None, bool]], base: str, style: str) -> str:
    if not rows:
        return '<div class="list"><ul></ul><p class="empty">暂无信息</p></div>'
    if style == "cell":
        trs = "".join(
            f'<tr><td class="title"><a href="{base}{u}" target="_blank">{html.escape(t)}</a></td>'
            f'<td class="date">{_fmt(d, "dash") if d else ""}</td></tr>'
            for t, u, d, _ in rows
        )
        return f'<table class="list">{trs}</table>'
    lis = "".join(
        f'<li>{"<em>置顶</em>" if p else ""}<a href="{base}{u}" title="{html.escape(t)}">{html.escape(t)}</a>'
        f'<span class="date">{_fmt(d, style) if d else ""}</span></li>'
        for t, u, d, p in rows
    )
    return f'<div class="list"><ul>{lis}</ul></div>'


#: the sample county's hosts by role
HOSTS = {"portal": "127.0.0.1", "standalone": "127.0.0.2"}


class SampleServer:
    """Serves the sample county: the portal on 127.0.0.1 and the standalone site on 127.0.0.2."""

    def __init__(self, county: SampleCounty, *, port: int = 0) -> None:
        self.county = county
        self.port = port
        self._roles = {host: role for role, host in HOSTS.items()}
        self._requests: dict[str, list[str]] = {role: [] for role in HOSTS}
        self._server = LoopbackServer(self._answer, HOSTS.values(), port=port)

    def _answer(self, request: Request) -> Reply:
        role = self._roles[request.host]
        self._requests[role].append(request.handler.path)
        query = {k: v[0] for k, v in request.query.items()}
        status, ctype, body = self.render(role, request.path, query)
        return Reply(status, body, {"Content-Type": ctype})

    def start(self) -> SampleServer:
        """Bind both hosts (on ``port`` when free, else any port) and serve in background threads."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()

    def __enter__(self) -> SampleServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def base(self, role: str) -> str:
        """``http://host:port`` of a host role."""
        return self._server.base(HOSTS[role])

    def requests(self, role: str) -> list[str]:
        """Paths requested from a host so far."""
        return list(self._requests[role])

    def url(self, unit_id: str, slug: str | None = None) -> str:
        """URL of a unit's site, or of one of its columns."""
        for u in self.county.units:
            if u.id == unit_id and u.sites:
                s = u.sites[0]
                return f"{self.base(s.host)}{s.prefix}{slug + '/' if slug else ''}"
        raise KeyError(unit_id)

    def config_data(self) -> dict[str, Any]:
        """The configuration (as YAML-shaped data) of the sample county pointing at this server."""
        units = []
        for u in self.county.units:
            sites = []
            for s in u.sites:
                base = self.base(s.host)
                sites.append({
                    "url": f"{base}{s.prefix}",
                    "columns": [
                        {"name": c.name, "url": f"{base}{s.prefix}{c.slug}/", "top_level": c.top_level}
                        for c in s.columns
                    ],
                })
            accounts = []
            for a in u.accounts:
                if a.platform == "rss":
                    accounts.append({"platform": "rss", "id": a.key, "name": a.name,
                                     "url": f"{self.base('portal')}/bridge/{a.key}.xml"})
                else:
                    accounts.append({"platform": a.platform, "id": a.key, "name": a.name,
                                     "base_url": f"{self.base('portal')}/{a.platform}"})
            units.append({
                "id": u.id, "name": u.name, "kind": u.kind, "sites": sites, "accounts": accounts,
                "contacts": [{"name": f"{u.name}网站管理员", "email": f"{u.id}@sample.gov.cn"}],
            })
        return {
            "county": self.county.name,
            "units": units,
            "crawl": {"delay": 0, "concurrency_per_host": 4, "retries": 0, "timeout": 10},
            "links": {"retest_delay": 0, "whole_site_every_days": 7},
            "content": {"leaders": SAMPLE_LEADERS},
        }

    def render_platform(self, path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
        """The stand-in platforms: RSS feeds of a bridge, and Weibo's mobile container API."""
        as_of = self.county.as_of
        accounts = {(a.platform, a.key): a for u in self.county.units for a in u.accounts}
        if path.startswith("/bridge/"):
            acc = accounts.get(("rss", path[len("/bridge/"):].removesuffix(".xml")))
            if acc is None:
                return 404, "text/plain", b"not found"
            if acc.status != 200:
                return acc.status, "text/html; charset=utf-8", "<h1>访问受限</h1>".encode()
            items = "".join(
                f"<item><title>{html.escape(acc.name)}推送{i + 1}</title><link>{self.base('portal')}/bridge/p{i}</link>"
                f"<guid>{acc.key}-{i}</guid><pubDate>{_rfc822(as_of - dt.timedelta(days=age))}</pubDate></item>"
                for i, age in enumerate(acc.ages)
            )
            body = (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{html.escape(acc.name)}'
                    f"</title><link>{self.base('portal')}/</link><description>示范县公众号</description>{items}</channel></rss>")
            return 200, "application/rss+xml; charset=utf-8", body.encode()
        if path == "/weibo/api/container/getIndex":
            uid = query.get("value", "")
            acc = accounts.get(("weibo", uid))
            if acc is None:
                return 200, "application/json", json.dumps({"ok": 0, "msg": "用户不存在"}).encode()
            if acc.status != 200:
                return acc.status, "text/html; charset=utf-8", b"<html><body>432</body></html>"
            if "containerid" not in query:
                tabs = [{"tabKey": "weibo", "title": "微博", "containerid": f"107603{uid}"}]
                data = {"userInfo": {"id": int(uid), "screen_name": acc.name}, "tabsInfo": {"tabs": tabs}}
                return 200, "application/json", json.dumps({"ok": 1, "data": data}, ensure_ascii=False).encode()
            cards = []
            posts = ([(acc.pinned_age, True)] if acc.pinned_age is not None else []) + [(a, False) for a in acc.ages]
            for i, (age, pinned) in enumerate(posts):
                when = dt.datetime.combine(as_of - dt.timedelta(days=age), dt.time(10, 0))
                mblog = {"id": f"{uid}{i:04d}", "bid": f"B{i}", "text": f"{acc.name}微博{i + 1}",
                         "created_at": when.strftime("%a %b %d %H:%M:%S +0800 %Y"), "mblogtype": 2 if pinned else 0,
                         "user": {"id": int(uid), "screen_name": acc.name}}
                if pinned:
                    mblog["isTop"] = 1
                cards.append({"card_type": 9, "mblog": mblog})
            data = {"cardlistInfo": {"containerid": f"107603{uid}"}, "cards": cards}
            return 200, "application/json", json.dumps({"ok": 1, "data": data}, ensure_ascii=False).encode()
        return 404, "text/plain", b"not found"

    def _links_html(self, site: SampleSite, where: str) -> str:
        out = []
        for link in site.links:
            if link.where != where:
                continue
            href = html.escape((self.base(link.host) if link.host else "") + link.path)
            if link.tag == "img":
                out.append(f'<img src="{href}" alt="{html.escape(link.text)}">')
            else:
                out.append(f'<a href="{href}">{html.escape(link.text)}</a>')
        return f'<div class="links">{" ".join(out)}</div>' if out else ""

    def _homepage(self, u: Any, s: Any, nav: list[tuple[str, str]], ctype: str) -> tuple[int, str, bytes]:
        as_of = self.county.as_of
        if s.homepage_ages is not None:
            rows = [(f"{u.name}要闻{i + 1}", f"news/art_{i + 1}.html", as_of - dt.timedelta(days=a), False)
                    for i, a in enumerate(s.homepage_ages)]
        else:
            rows = []
            for c in s.columns:
                dated = [r for r in _items(c, as_of) if r[2] is not None and not r[3]]
                if dated and c.status == 200:
                    t, url, d, p = max(dated, key=lambda r: r[2])
                    rows.append((t, f"{c.slug}/{url}", d, p))
        body = f"<h2>{html.escape(u.name)}</h2>" + _list_html(rows, s.prefix, s.date_style)
        body += self._links_html(s, "homepage")
        return 200, ctype, _page(u.name, nav, body, s.encoding)

    def _column_page(self, u: Any, s: Any, c: Any, leaf: str, nav: list[tuple[str, str]],
                     ctype: str) -> tuple[int, str, bytes] | None:
        as_of = self.county.as_of
        if c.status != 200:
            return c.status, "text/html; charset=utf-8", b"<h1>Internal Server Error</h1>"
        rows = _items(c, as_of)
        if leaf in ("", "index.html"):
            body = f'<div class="crumb">当前位置：首页 &gt; {html.escape(c.name)}</div>'
            if c.board is not None:
                body += _board_html(c, as_of, f"{s.prefix}{c.slug}/")
            else:
                body += _list_html(rows, f"{s.prefix}{c.slug}/", s.date_style)
            body += self._links_html(s, c.slug)
            return 200, ctype, _page(f"{c.name}_{u.name}", nav, body, s.encoding)
        if c.board is not None and leaf.startswith("msg_"):
            body = f"<h1>{html.escape(c.name)}留言</h1><p>留言内容。</p>"
            return 200, ctype, _page(c.name, nav, body, s.encoding)
        if leaf.startswith("files/"):
            for art in c.articles.values():
                for att in art.attachments:
                    if leaf == f"files/{att.name}":
                        return (200, *att.body())
        for t, url, d, _ in rows:
            if url == leaf:
                when = f"发布时间：{d.isoformat()}" if d else ""
                art = c.articles.get(int(url[4:-5])) if url.startswith("art_") else None
                text = art.body if art else "<p>正文。</p>"
                if art and art.attachments:
                    text += "<div class='attachments'>附件：" + "".join(
                        f'<p><a href="files/{html.escape(a.name)}">{html.escape(a.text)}</a></p>'
                        for a in art.attachments) + "</div>"
                body = f"<h1>{html.escape(t)}</h1><div class='info'>{when}</div><div class='content'>{text}</div>"
                return 200, ctype, _page(t, nav, body, s.encoding)
        return None

    def _render_site(self, u: Any, s: Any, rest: str) -> tuple[int, str, bytes] | None:
        """A page of one unit's site (``rest`` is the path below its prefix), or None when it has none there."""
        nav = [(f"{s.prefix}{c.slug}/", c.name) for c in s.columns]
        ctype = f"text/html; charset={'gb2312' if s.encoding == 'gbk' else 'utf-8'}"
        if rest in ("", "index.html"):
            return self._homepage(u, s, nav, ctype)
        slug, _, leaf = rest.partition("/")
        for c in s.columns:
            if c.slug == slug:
                answer = self._column_page(u, s, c, leaf, nav, ctype)
                if answer is not None:
                    return answer
        if rest.startswith("news/"):
            return 200, ctype, _page("要闻", nav, "<p>正文。</p>", s.encoding)
        return None

    def render(self, role: str, path: str, query: dict[str, str] | None = None) -> tuple[int, str, bytes]:
        """The response for one path of one host."""
        query = query or {}
        for u in self.county.units:
            for s in u.sites:
                if s.host == role and path.startswith(s.prefix):
                    answer = self._render_site(u, s, path[len(s.prefix):])
                    if answer is not None:
                        return answer
        if role == "portal" and (path.startswith("/bridge/") or path.startswith("/weibo/")):
            return self.render_platform(path, query)
        if path == "/" and role == "portal":
            links = "".join(
                f'<li><a href="{s.prefix}">{html.escape(u.name)}</a></li>'
                for u in self.county.units for s in u.sites if s.host == "portal"
            )
            body = f"<h1>{self.county.name}人民政府</h1><ul class='units'>{links}</ul>"
            return 200, "text/html; charset=utf-8", _page(self.county.name, [], body, "utf-8")
        return 404, "text/html; charset=utf-8", "<h1>404 页面不存在</h1>".encode()

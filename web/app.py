"""The web workbench (值班工作台): FastAPI pages over the same database and storage functions as the CLI."""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, Form, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from config.errors import GovwatchError
from config.labels import (
    APPEAL_LABELS,
    EVENT_LABELS,
    FETCH_LABELS,
    NOTICE_KIND_LABELS,
    ROLE_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
)
from govwatch.commands.status import STATUS_LABELS as _JOB_LABELS
from govwatch.context import Context
from notifier.evidence import describe_evidence
from notifier.notices import build_duty_digest, deadline_after, finding_row
from reports.load import load_scoresheet
from reports.workbook import write_workbook
from storage.appeals import APPEALABLE, decide_appeal, file_appeal, get_appeal, list_appeals
from storage.findings import (
    STATES,
    allowed_actions,
    confirm,
    count_findings,
    dismiss,
    finding_events,
    get_finding,
    list_findings,
    reopen,
    sighting_dates,
)
from storage.models import CrawlRun, Finding, FindingSighting, Notice, Probe, Publication, SiteRow, Unit, User
from storage.users import authenticate
from web.security import CsrfRefused, Forbidden, LoginLimiter, LoginRequired, Viewer, csrf_token, verify_csrf

__all__ = ["PAGE_SIZE", "create_app"]

PAGE_SIZE = 50
TEMPLATES = Path(__file__).resolve().parent / "templates"
JOB_RESULT_LABELS = {**_JOB_LABELS, "running": "运行中"}
SEVERITIES = ("veto", "deduction", "warning", "operator")
#: states a unit user never sees: the duty staff have not confirmed the problem
UNIT_HIDDEN = ("suspected", "cleared")


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never ``//host`` or a scheme) is followed after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _fmt_time(value: dt.datetime | None, tz: dt.tzinfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else "—"


def viewer(request: Request) -> Viewer:
    """The logged-in user of this request (LoginRequired without a valid session or for a disabled user)."""
    uid = request.session.get("uid")
    if not uid:
        raise LoginRequired()
    ctx: Context = request.app.state.ctx
    with ctx.db.session() as s:
        user = s.get(User, uid)
        if user is None or not user.active:
            request.session.clear()
            raise LoginRequired()
        return Viewer.of(user)


Who = Annotated[Viewer, Depends(viewer)]


def create_app(
    ctx: Context,
    *,
    secret_key: str,
    https_only: bool = False,
    page_size: int = PAGE_SIZE,
    limiter: LoginLimiter | None = None,
    today: Callable[[], dt.date] | None = None,
) -> FastAPI:
    """The workbench application on ``ctx``'s database; ``today`` replaces the county's clock (tests, demos)."""
    app = FastAPI(title="govwatch 值班工作台", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(verify_csrf)])
    app.add_middleware(SessionMiddleware, secret_key=secret_key, session_cookie="govwatch_session",
                       max_age=12 * 3600, same_site="lax", https_only=https_only)
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.globals.update(
        severity_labels=SEVERITY_LABELS, status_labels=STATUS_LABELS, role_labels=ROLE_LABELS,
        appeal_labels=APPEAL_LABELS, action_labels=EVENT_LABELS, county=ctx.config.county,
    )
    app.state.ctx = ctx
    limiter = limiter or LoginLimiter()
    clock = today or ctx.today
    tz = ctx.tz
    rules = ctx.catalogue.rules

    def indicator(rule_id: str) -> str:
        r = rules.get(rule_id)
        return r.indicator if r else rule_id

    templates.env.globals["indicator"] = indicator

    def page(request: Request, template: str, who: Viewer | None, status_code: int = 200, **data: Any) -> HTMLResponse:
        flashes = request.session.pop("flash", []) if who else []
        return templates.TemplateResponse(
            request, template, {"viewer": who, "csrf_token": csrf_token(request), "flashes": flashes, **data},
            status_code=status_code,
        )

    def flash(request: Request, text: str, kind: str = "ok") -> None:
        request.session["flash"] = [*request.session.get("flash", []), [kind, text]]

    def problems_per_day(s: Any, as_of: dt.date, unit: str | None = None) -> tuple[list[tuple[dt.date, int]], int]:
        """Problems (veto and deduction findings) seen on each of the 30 days up to ``as_of``, and the largest."""
        start = as_of - dt.timedelta(days=29)
        q = (select(FindingSighting.as_of, func.count())
             .where(FindingSighting.as_of >= start, FindingSighting.as_of <= as_of,
                    FindingSighting.severity.in_(("veto", "deduction")))
             .group_by(FindingSighting.as_of))
        if unit is not None:
            q = q.join(Finding, Finding.id == FindingSighting.finding_id).where(Finding.unit_id == unit)
        per_day = dict(s.execute(q).all())
        trend = [(d, per_day.get(d, 0)) for d in (start + dt.timedelta(days=i) for i in range(30))]
        return trend, max([n for _, n in trend] + [1])

    def unit_names() -> dict[str, str]:
        with ctx.db.session() as s:
            names = {u.id: u.name for u in s.scalars(select(Unit))}
        names.update({u.id: u.name for u in ctx.config.units})
        return names

    # --- errors ------------------------------------------------------------------------------

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return page(request, "error.html", viewer(request), 403, title="无权访问", message=exc.message)

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, _exc: CsrfRefused) -> Response:
        return templates.TemplateResponse(
            request, "error.html",
            {"viewer": None, "csrf_token": csrf_token(request), "flashes": [], "title": "表单已失效",
             "message": "表单缺少有效的安全令牌（CSRF），操作未执行。请返回上一页刷新后重新提交。"},
            status_code=403,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        try:
            who = viewer(request)
        except LoginRequired:
            return await _login_required(request, LoginRequired())
        title = "页面不存在" if exc.status_code == 404 else f"错误 {exc.status_code}"
        message = str(exc.detail) if exc.status_code == 404 and exc.detail != "Not Found" else "请求无法完成"
        return page(request, "error.html", who, exc.status_code, title=title, message=message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        try:
            who = viewer(request)
        except LoginRequired:
            return await _login_required(request, LoginRequired())
        fields = "、".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors())
        return page(request, "error.html", who, 400, title="请求有误", message=f"参数不正确：{fields}")

    def not_found(what: str) -> StarletteHTTPException:
        return StarletteHTTPException(404, what)

    # --- login ---------------------------------------------------------------------------------

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/") -> Response:
        if request.session.get("uid"):
            return RedirectResponse(_safe_next(next), status_code=303)
        return page(request, "login.html", None, next=_safe_next(next))

    @app.post("/login", response_class=HTMLResponse)
    def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/")) -> Response:
        client = request.client.host if request.client else "?"
        username = username.strip()
        if not limiter.allowed(username, client):
            return page(request, "login.html", None, 429, next=_safe_next(next), username=username,
                        error="登录失败次数过多，请 15 分钟后再试。")
        with ctx.db.session() as s:
            user = authenticate(s, username, password)
            uid = user.id if user else None
        if uid is None:
            limiter.failed(username, client)
            return page(request, "login.html", None, 401, next=_safe_next(next), username=username,
                        error="用户名或密码错误，或账号已停用。")
        limiter.succeeded(username)
        request.session.clear()  # a new session (and a new CSRF token) for the logged-in user
        request.session["uid"] = uid
        csrf_token(request)
        return RedirectResponse(_safe_next(next), status_code=303)

    @app.post("/logout")
    def logout(request: Request) -> Response:
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    @app.get("/")
    def home(who: Who) -> Response:
        return RedirectResponse("/today" if who.sees_all else f"/units/{who.unit_id}", status_code=303)

    # --- today ---------------------------------------------------------------------------------

    @app.get("/today", response_class=HTMLResponse)
    def today_page(request: Request, who: Who) -> Response:
        if not who.sees_all:
            return RedirectResponse(f"/units/{who.unit_id}", status_code=303)
        as_of = clock()
        with ctx.db.session() as s:
            data = build_duty_digest(s, ctx.config, ctx.catalogue, as_of)
            trend, top = problems_per_day(s, as_of)
        most = max([u["problems"] + u["warnings"] for u in data["unit_counts"]] + [1])
        return page(request, "today.html", who, d=data, trend=trend, trend_max=top, unit_max=most)

    # --- findings ------------------------------------------------------------------------------

    @app.get("/findings", response_class=HTMLResponse)
    def findings_page(
        request: Request,
        who: Who,
        unit: str = "",
        rule: str = "",
        status: str = "",
        severity: str = "",
        date: str = "",
        page_no: int = Query(1, alias="page"),
    ) -> Response:
        errors = []
        if not who.sees_all:
            unit = who.unit_id or ""
        day = None
        if date:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError:
                errors.append(f"日期格式应为 YYYY-MM-DD：{date}")
        status = status if status in STATES else ""
        severity = severity if severity in SEVERITIES else ""
        states: str | tuple[str, ...] | None = status or None
        if not who.sees_all:  # a suspected finding is the duty staff's until confirmed
            states = tuple(st for st in STATES if st not in UNIT_HIDDEN and (not status or st == status)) or ("-",)
        filters = dict(status=states, unit=unit or None, rule=rule or None, since=day, until=day,
                       severity=severity or None)
        with ctx.db.session() as s:
            total = count_findings(s, **filters)
            pages = max(1, math.ceil(total / page_size))
            page_no = min(max(page_no, 1), pages)
            rows = list_findings(s, **filters, limit=page_size, offset=(page_no - 1) * page_size)
        names = unit_names()
        items = [
            {"id": f.id, "unit": names.get(f.unit_id, f.unit_id), "unit_id": f.unit_id, "rule": f.rule,
             "indicator": indicator(f.rule), "severity": f.severity, "status": f.status, "target": f.target,
             "evidence": describe_evidence(f.rule, f.evidence or {}), "first_seen": f.first_seen,
             "last_seen": f.last_seen, "points": f.points}
            for f in rows
        ]
        query = {k: v for k, v in (("unit", unit if who.sees_all else ""), ("rule", rule), ("status", status),
                                   ("severity", severity), ("date", date)) if v}

        def link(n: int) -> str:
            return "/findings?" + urlencode({**query, "page": n})

        units = sorted(names.items(), key=lambda kv: kv[0]) if who.sees_all else []
        return page(request, "findings.html", who, items=items, total=total, page_no=page_no, pages=pages,
                    prev_link=link(page_no - 1) if page_no > 1 else None,
                    next_link=link(page_no + 1) if page_no < pages else None,
                    f={"unit": unit, "rule": rule, "status": status, "severity": severity, "date": date},
                    units=units, rules=[(rid, r.indicator) for rid, r in rules.items()],
                    states=STATES if who.sees_all else [st for st in STATES if st not in UNIT_HIDDEN],
                    severities=SEVERITIES, errors=errors)

    def load_finding(fid: str, who: Viewer) -> dict[str, Any]:
        names = unit_names()
        with ctx.db.session() as s:
            f = s.get(Finding, fid)
            if f is None:
                raise not_found(f"没有编号为 {fid} 的问题")
            who.check_unit(f.unit_id)
            if not who.sees_all and f.status in UNIT_HIDDEN:
                raise not_found(f"没有编号为 {fid} 的问题")
            row = finding_row(f, ctx.catalogue, names, clock())
            appeals = [a for a in list_appeals(s, unit=f.unit_id) if a.finding_id == f.id]
            return {
                "f": f, "row": row, "unit": names.get(f.unit_id, f.unit_id),
                "seen": sighting_dates(s, [f.id])[f.id],
                "events": [(_fmt_time(e.at, tz), e) for e in finding_events(s, f.id)],
                "actions": allowed_actions(f) if who.decides_findings else (),
                "may_appeal": who.files_appeal_for(f.unit_id) and f.status in APPEALABLE
                and f.severity not in ("warning", "operator"),
                "appeals": appeals,
            }

    @app.get("/findings/{fid}", response_class=HTMLResponse)
    def finding_page(request: Request, fid: str, who: Who) -> Response:
        return page(request, "finding.html", who, **load_finding(fid, who))

    def finding_action(request: Request, fid: str, who: Viewer, fn: Callable[..., Any], done: str, reason: str) -> Response:
        try:
            with ctx.db.session() as s:
                who.check_unit(get_finding(s, fid).unit_id)
                fn(s, fid, reason=reason, actor=who.username, as_of=clock())
            flash(request, done)
        except GovwatchError as exc:
            flash(request, str(exc), "error")
        return RedirectResponse(f"/findings/{quote(fid)}", status_code=303)

    @app.post("/findings/{fid}/confirm")
    def confirm_finding(request: Request, fid: str, who: Who, reason: str = Form("")) -> Response:
        if not who.decides_findings:
            raise Forbidden("只有值班人员可以确认问题")
        return finding_action(request, fid, who, confirm, "问题已确认，将通知单位整改并计分", reason)

    @app.post("/findings/{fid}/dismiss")
    def dismiss_finding(request: Request, fid: str, who: Who, reason: str = Form("")) -> Response:
        if not who.decides_findings:
            raise Forbidden("只有值班人员可以排除问题")
        return finding_action(request, fid, who, dismiss, "问题已排除", reason)

    @app.post("/findings/{fid}/reopen")
    def reopen_finding(request: Request, fid: str, who: Who, reason: str = Form("")) -> Response:
        if not who.decides_findings:
            raise Forbidden("只有值班人员可以恢复问题")
        return finding_action(request, fid, who, reopen, "问题已恢复", reason)

    @app.post("/findings/{fid}/appeal")
    def appeal_finding(request: Request, fid: str, who: Who, reason: str = Form("")) -> Response:
        try:
            with ctx.db.session() as s:
                f = get_finding(s, fid)
                if not who.files_appeal_for(f.unit_id):
                    raise Forbidden("只有问题所属单位可以申请复核")
                a = file_appeal(s, fid, unit=f.unit_id, reason=reason, filed_on=clock(), actor=who.username)
                flash(request, f"复核申请已受理（编号 {a.id}）")
        except Forbidden:
            raise
        except GovwatchError as exc:
            flash(request, str(exc), "error")
        return RedirectResponse(f"/findings/{quote(fid)}", status_code=303)

    # --- units ---------------------------------------------------------------------------------

    @app.get("/units", response_class=HTMLResponse)
    def units_page(request: Request, who: Who) -> Response:
        if not who.sees_all:
            return RedirectResponse(f"/units/{who.unit_id}", status_code=303)
        with ctx.db.session() as s:
            counts: dict[tuple[str, str], int] = {
                (uid, st): n for uid, st, n in s.execute(
                    select(Finding.unit_id, Finding.status, func.count())
                    .where(Finding.severity != "operator").group_by(Finding.unit_id, Finding.status)
                )
            }
        names = unit_names()
        order = [u.id for u in ctx.config.units] + sorted(set(names) - {u.id for u in ctx.config.units})
        rows = [{"id": uid, "name": names.get(uid, uid),
                 "open": counts.get((uid, "open"), 0) + counts.get((uid, "upheld"), 0),
                 "warning": counts.get((uid, "warning"), 0), "appealed": counts.get((uid, "appealed"), 0),
                 "suspected": counts.get((uid, "suspected"), 0),
                 "rectified": counts.get((uid, "rectified"), 0)} for uid in order]
        return page(request, "units.html", who, rows=rows)

    @app.get("/units/{uid}", response_class=HTMLResponse)
    def unit_page(request: Request, uid: str, who: Who) -> Response:
        if not who.may_see_unit(uid):
            raise Forbidden("这是其他单位的页面，无权查看")
        as_of = clock()
        names = unit_names()
        if uid not in names:
            raise not_found(f"没有编号为 {uid} 的单位")
        days = ctx.config.notify.deadline_working_days
        with ctx.db.session() as s:
            found = list_findings(s, unit=uid, status=("open", "warning", "upheld", "appealed"))
            rows = [finding_row(f, ctx.catalogue, names, as_of) | {"status": f.status}
                    for f in found if f.severity != "operator"]
            notices = [
                {"kind": NOTICE_KIND_LABELS.get(n.kind, n.kind), "period": n.period, "channel": n.channel,
                 "status": n.status, "sent": _fmt_time(n.sent_at or n.created_at, tz),
                 "deadline": deadline_after((n.sent_at or n.created_at).astimezone(tz).date(), days)
                 if n.kind == "rectification" else None}
                for n in s.scalars(select(Notice).where(Notice.unit_id == uid).order_by(Notice.created_at.desc()).limit(50))
            ]
            trend, top = problems_per_day(s, as_of, uid)
            try:
                score = load_scoresheet(s, ctx.config, ctx.catalogue, as_of.year, unit=uid).unit(uid)
            except KeyError:
                score = None
        return page(request, "unit.html", who, uid=uid, name=names[uid], rows=rows, notices=notices, score=score,
                    year=as_of.year, as_of=as_of, trend=trend, trend_max=top)

    # --- scores --------------------------------------------------------------------------------

    def scoresheet(s: Any, year: int, who: Viewer) -> Any:
        return load_scoresheet(s, ctx.config, ctx.catalogue, year, unit=None if who.sees_all else who.unit_id)

    @app.get("/scores", response_class=HTMLResponse)
    def scores_page(request: Request, who: Who, year: int = 0) -> Response:
        year = year or clock().year
        with ctx.db.session() as s:
            sheet = scoresheet(s, year, who)
        ranked = sorted(sheet.units, key=lambda u: (not u.monitored, -u.score, u.unit.id))
        return page(request, "scores.html", who, sheet=sheet, ranked=ranked, year=year,
                    rules=sheet.deduction_rules)

    @app.get("/scores/{year}.xlsx")
    def scores_workbook(year: int, who: Who) -> Response:
        with ctx.db.session() as s:
            sheet = scoresheet(s, year, who)
        with tempfile.TemporaryDirectory() as tmp:
            path = write_workbook(sheet, Path(tmp) / "scores.xlsx", county=ctx.config.county, made_on=clock(),
                                  unit=None if who.sees_all else who.unit_id)
            body = path.read_bytes()
        name = f"deductions-{year}.xlsx" if who.sees_all else f"self-assessment-{who.unit_id}-{year}.xlsx"
        return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    # --- appeals -------------------------------------------------------------------------------

    @app.get("/appeals", response_class=HTMLResponse)
    def appeals_page(request: Request, who: Who) -> Response:
        names = unit_names()
        with ctx.db.session() as s:
            rows = []
            for a in list_appeals(s, unit=None if who.sees_all else who.unit_id):
                pub = s.get(Publication, a.publication_id) if a.publication_id else None
                f = s.get(Finding, a.finding_id)
                rows.append({"a": a, "unit": names.get(a.unit_id, a.unit_id), "deadline": pub.deadline if pub else None,
                             "indicator": indicator(f.rule) if f else "", "target": f.target if f else ""})
            pubs = list(s.scalars(select(Publication).order_by(Publication.published_on.desc()).limit(5)))
        return page(request, "appeals.html", who, rows=rows, pubs=pubs, today=clock())

    @app.post("/appeals/{aid}/decide")
    def decide(request: Request, aid: str, who: Who, decision: str = Form(""), reason: str = Form("")) -> Response:
        if not who.decides_appeals:
            raise Forbidden("只有考评办可以作出复核决定")
        if decision not in ("uphold", "overturn"):
            flash(request, "请选择“维持”或“撤销”", "error")
            return RedirectResponse("/appeals", status_code=303)
        try:
            with ctx.db.session() as s:
                get_appeal(s, aid)
                a = decide_appeal(s, aid, uphold=decision == "uphold", reason=reason, actor=who.username,
                                  decided_on=clock())
                flash(request, f"复核申请 {a.id} 已决定：{APPEAL_LABELS[a.status]}")
        except GovwatchError as exc:
            flash(request, str(exc), "error")
        return RedirectResponse("/appeals", status_code=303)

    # --- runs and jobs -------------------------------------------------------------------------

    @app.get("/status", response_class=HTMLResponse)
    def status_page(request: Request, who: Who) -> Response:
        if not who.sees_all:
            raise Forbidden("运行状态仅供值班和管理人员查看")
        from govwatch.scheduler import job_status

        jobs = job_status(ctx)
        since = dt.datetime.now(dt.UTC) - dt.timedelta(days=7)
        names = unit_names()
        with ctx.db.session() as s:
            runs = list(s.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(20)))
            avail = s.execute(
                select(SiteRow.unit_id, SiteRow.url, func.count(Probe.id),
                       func.sum(func.cast(Probe.ok, type_=Probe.id.type)))
                .join(Probe, Probe.site_id == SiteRow.id).where(Probe.at >= since, SiteRow.active.is_(True))
                .group_by(SiteRow.id, SiteRow.unit_id, SiteRow.url).order_by(SiteRow.unit_id)
            ).all()
        sites = [{"unit": names.get(u, u), "url": url, "probes": n, "ok": int(ok or 0),
                  "ratio": (int(ok or 0) / n) if n else None} for u, url, n, ok in avail]
        return page(request, "status.html", who, jobs=jobs, runs=runs, sites=sites, fmt=lambda v: _fmt_time(v, tz),
                    results=JOB_RESULT_LABELS, fetch_labels=FETCH_LABELS)

    return app

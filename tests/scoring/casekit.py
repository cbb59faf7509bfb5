"""Data-driven scoring cases: YAML observations -> CheckInput -> checks -> findings -> year-end scores."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from pathlib import Path
from typing import Any

import yaml

import checks.base as base
from checks import CheckInput, ColumnView, PageObs, ProbeObs, SiteView, UnitView, run_checks
from config.catalogue import Catalogue
from config.loader import load_catalogue
from reports.scoring import FindingView, Scoresheet, UnitInfo, score_units

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
CASES = Path(__file__).parent / "cases"


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    """Every case of every file under cases/ as (id, case)."""
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            out.append((f"{path.stem}:{case['name']}", case))
    return out


def _date(value: Any, as_of: dt.date) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, int):
        return as_of - dt.timedelta(days=value)
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def catalogue_for(case: dict[str, Any], tmp_path: Path) -> Catalogue:
    """The bundled catalogue, with the case's overrides applied through a county override file."""
    override = case.get("catalogue")
    if not override:
        return load_catalogue()
    path = tmp_path / "rules-override.yaml"
    path.write_text(yaml.safe_dump(override, allow_unicode=True), encoding="utf-8")
    return load_catalogue(path)


def build_input(case: dict[str, Any], catalogue: Catalogue) -> tuple[CheckInput, list[UnitInfo]]:
    """The observations of a case as the checks read them."""
    as_of = _date(case["as_of"], dt.date.today())
    assert as_of is not None
    fetched = dt.datetime.combine(as_of, dt.time(9), TZ)
    inp = CheckInput(as_of=as_of, tz=TZ)
    if "content" in case:  # the county's word lists for content.error
        from checks.wording import WordLists
        from config.content import content_lists
        from config.schema import ContentConfig

        lists = content_lists(ContentConfig.model_validate(case["content"]), CASES)
        inp.content_lists = WordLists.build(lists["leaders"], lists["titles"], lists["expressions"])
    ids = itertools.count(1)
    infos = []
    for u in case["units"]:
        inp.units[u["id"]] = UnitView(u["id"], u.get("name", u["id"]), u.get("kind", "department"))
        for site in u.get("sites", []):
            sid = next(ids)
            inp.sites.append(SiteView(sid, u["id"], site["url"], site.get("homepage_is_nav", False)))
            if "homepage" in site:
                hid = next(ids)
                inp.columns.append(ColumnView(hid, u["id"], sid, "首页", site["url"], None, role="homepage"))
                dates = [_date(v, as_of) for v in site["homepage"]]
                real = tuple(d for d in dates if d is not None)
                inp.pages[hid] = PageObs(hid, fetched, site.get("homepage_status", "ok"), len(dates), real, bool(dates))
            for col in site.get("columns", []):
                for i in range(col.get("repeat", 1)):
                    cid = next(ids)
                    slug = col["slug"] + (str(i + 1) if col.get("repeat", 1) > 1 else "")
                    url = site["url"] + slug + "/"
                    category = col.get("category") or catalogue.category_for(col["name"]) or "exempt"
                    inp.columns.append(ColumnView(cid, u["id"], sid, col["name"], url, category, col.get("top_level", False)))
                    dates = [_date(v, as_of) for v in col.get("dates", [])]
                    real = tuple(d for d in dates if d is not None)
                    ever = col.get("ever", bool(dates))
                    inp.pages[cid] = PageObs(cid, fetched, col.get("status", "ok"), len(dates), real, ever)
                    if "watched_since" in col:  # items that appeared after monitoring began (back-dating)
                        since = _date(col["watched_since"], as_of)
                        inp.watch_start[cid] = dt.datetime.combine(since, dt.time(9), TZ)
                        for k, it in enumerate(col.get("new_items", [])):
                            inp.new_items.setdefault(cid, []).append(base.ItemObs(
                                cid, it.get("title", f"信息{k + 1}"), f"{url}a{k + 1}.html", _date(it["date"], as_of),
                                dt.datetime.combine(_date(it["seen"], as_of), dt.time(9), TZ)))
                    for k, d in enumerate(col.get("documents", [])):  # 成文日期 + 发布日期 (late publication)
                        published = _date(d["published"], as_of)
                        inp.documents.setdefault(cid, []).append(base.DocumentObs(  # type: ignore[arg-type]
                            cid, d.get("title", f"文件{k + 1}"), d.get("url", f"{url}d{k + 1}.html"),
                            _date(d["written"], as_of), published, dt.datetime.combine(published, dt.time(9), TZ)))
                    for k, d in enumerate(col.get("texts", [])):  # article / attachment text (content checks)
                        inp.content_docs.append(base.ContentDocObs(
                            u["id"], d.get("url", f"{url}t{k + 1}.html"), d.get("kind", "article"), d["text"],
                            d.get("title"), col["name"], d.get("page")))
                    for k, m in enumerate(col.get("messages", [])):  # message board (interaction columns)
                        replied = _date(m.get("replied"), as_of)
                        state = m.get("state", "replied" if replied else "unanswered")
                        inp.messages.setdefault(cid, []).append(base.MessageObs(
                            cid, m.get("title", f"留言{k + 1}"), f"{url}m{k + 1}.html", _date(m["asked"], as_of),
                            replied, state, m.get("type"), fetched))
            probes = site.get("probes")
            if probes:
                n_ok, n_failed = probes.get("ok", 0), probes.get("failed", 0)
                start = dt.datetime.combine(as_of - dt.timedelta(days=6), dt.time(0, 30), TZ)
                total = n_ok + n_failed
                step = dt.timedelta(minutes=(7 * 24 * 60 - 60) // max(total, 1))
                for k in range(total):
                    ok = k >= n_failed
                    inp.probes.setdefault(sid, []).append(
                        ProbeObs(sid, start + k * step, ok, "ok" if ok else "timeout", 300 if ok else 15000)
                    )
            for link in site.get("links", []):
                inp.links.append(base.LinkObs(  # type: ignore[attr-defined]
                    site_id=sid, url=link["url"], kind=link.get("kind", "page"), on_homepage=link.get("on_homepage", False),
                    state=link.get("state", "broken"), error=link.get("error", "http_404"),
                    refs=({"page": site["url"], "text": "链接"},), ref_count=1,
                ))
        keys = []
        for acc in u.get("accounts", []):
            aid = next(ids)
            view = base.AccountView(aid, u["id"], acc["platform"], str(acc["key"]), acc.get("name"))
            inp.accounts.append(view)
            keys.append(f"{acc['platform']}:{acc['key']}")
            history = []
            for status in acc.get("history", []):
                history.append(base.AccountObs(aid, fetched, status, ()))
            posts = tuple(
                {"published": dt.datetime.combine(_date(p, as_of), dt.time(10), TZ).isoformat(), "pinned": False}
                for p in acc.get("posts", [])
            )
            history.append(base.AccountObs(aid, fetched, acc.get("status", "ok"), posts))
            inp.account_history[aid] = history
        keys += [str(k) for k in u.get("account_keys", [])]
        infos.append(UnitInfo(u["id"], u.get("name", u["id"]), u.get("kind", "department"), len(u.get("sites", [])), tuple(keys)))
    return inp, infos


def findings_of(case: dict[str, Any], inp: CheckInput, catalogue: Catalogue) -> list[FindingView]:
    """Failing outcomes as fresh findings seen once at as_of, plus the case's stored findings."""
    out = []
    for o in run_checks(inp, catalogue):
        if o.passed:
            continue
        out.append(FindingView(
            id=f"{o.rule}|{o.target}", rule=o.rule, unit_id=o.unit_id, target=o.target, severity=o.severity,
            points=o.points, status="suspected" if o.suspected else "warning" if o.severity == "warning" else "open",
            first_seen=inp.as_of,
            last_seen=inp.as_of, evidence=o.evidence, sightings=(inp.as_of,),
        ))
    for i, f in enumerate(case.get("findings", [])):
        rule = catalogue.rules[f["rule"]]
        sev = f.get("severity", rule.severity)
        out.append(FindingView(
            id=f.get("id", f"stored-{i}"), rule=f["rule"], unit_id=f["unit"], target=f["target"], severity=sev,
            points=f.get("points", rule.points if sev == "deduction" else 0.0), status=f.get("status", "open"),
            first_seen=_date(f["first_seen"], inp.as_of), last_seen=_date(f["last_seen"], inp.as_of),  # type: ignore[arg-type]
            evidence=f.get("evidence", {}), rectified_on=_date(f.get("rectified_on"), inp.as_of),
        ))
    return out


def score_case(case: dict[str, Any], findings: list[FindingView], infos: list[UnitInfo], catalogue: Catalogue,
               as_of: dt.date) -> Scoresheet:
    """The year-end sheet of the case (its ``year``, default the year of as_of)."""
    window = None
    if case.get("window"):
        window = (_date(case["window"]["start"], as_of), _date(case["window"]["end"], as_of))
    return score_units(findings, infos, catalogue, case.get("year", as_of.year), window=window)  # type: ignore[arg-type]

"""What a finding's evidence says, in Chinese: one sentence (digest, findings list, workbook) and the labelled
details of a unit's notice — one function a rule, looked up in a table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from config.catalogue import Catalogue
from config.labels import (
    EVIDENCE_LABELS,
    FETCH_LABELS,
    LINK_ERROR_LABELS,
    LINK_KIND_LABELS,
    PLATFORM_LABELS,
    VETO_GROUP_LABELS,
    label,
)

__all__ = ["describe_evidence", "evidence_details", "shown_target"]

Evidence = dict[str, Any]
Details = list[tuple[str, str]]


def shown_target(target: str) -> str:
    """A finding's target as a person reads it: a URL as it is, an account (``rss:czfb``) as its platform's name
    and its id (``订阅源 czfb``)."""
    platform, sep, ident = target.partition(":")
    return f"{PLATFORM_LABELS[platform]} {ident}" if sep and platform in PLATFORM_LABELS else target


# --- one sentence ----------------------------------------------------------------------------


def _stale(ev: Evidence) -> str:
    last = ev.get("last_update") or ev.get("last_post")
    if ev.get("due"):
        return f"最近更新 {last}，将于 {ev['due']} 后超期"
    if not last:
        return "无注明发布日期的信息，视为不更新"
    limit = ev.get("limit_days")
    return f"最近更新 {last}，超过 {limit} 天未更新" if limit else f"最近更新 {last}"


def _backdated(ev: Evidence) -> str:
    return (f"《{ev.get('title')}》标注日期 {ev.get('date')}，{ev.get('first_seen')} 才首次出现在栏目中"
            f"（晚 {ev.get('lag_days')} 天），疑似补发或伪造发稿日期，请核实")


def _message(m: dict[str, Any]) -> str:
    answer = (f"{m.get('replied')} 才回复（{m.get('waited_days')} 天）" if m.get("replied")
              else f"至今未回复（已 {m.get('waited_days')} 天）")
    return f"《{m.get('title')}》{m.get('asked')} 留言，{answer}"


def _unanswered(ev: Evidence) -> str:
    msgs = ev.get("messages") or []
    shown = "；".join(_message(m) for m in msgs[:3])
    more = f"等 {len(msgs)} 条" if len(msgs) > 3 else f"共 {len(msgs)} 条"
    return f"超过{ev.get('limit') or '3个月'}未回应的有效留言{more}：{shown}"


def _late(ev: Evidence) -> str:
    text = (f"《{ev.get('title')}》成文日期 {ev.get('written')}，{ev.get('published')} 才公开，"
            f"相隔 {ev.get('working_days')} 个工作日，超过 {ev.get('limit_days')} 个工作日的公开时限")
    if ev.get("calendar") == "weekdays":
        text += "（工作日历缺少该年份数据，按周一至周五计算）"
    return text


def _document(ev: Evidence) -> str:
    """Where a content hit is: the attachment, else the article's title or URL."""
    return f"附件《{ev.get('attachment')}》" if ev.get("attachment") else f"《{ev.get('title') or ev.get('url')}》"


def _privacy(ev: Evidence) -> str:
    counts = "、".join(f"{k} {n} 处" for k, n in (ev.get("counts") or {}).items())
    first = (ev.get("hits") or [{}])[0]
    sample = f"，如 {first.get('where')}：{first.get('number')}" if first else ""
    return f"{_document(ev)}含疑似未脱敏的个人信息：{counts}{sample}（号码已脱敏显示）"


def _wording(ev: Evidence) -> str:
    hits = ev.get("hits") or []
    shown = "；".join(f"“{h.get('found')}”应为“{h.get('right')}”（{h.get('sentence')}）" for h in hits[:3])
    more = f"等 {ev.get('count')} 处" if (ev.get("count") or 0) > 3 else ""
    return f"{_document(ev)}疑似严重表述错误{more}：{shown}"


def _veto(ev: Evidence) -> str:
    counts, limits, parts = ev.get("counts", {}), ev.get("thresholds", {}), []
    for key, name in VETO_GROUP_LABELS.items():
        mark = "（达到否决标准）" if key in ev.get("triggered", ()) else ""
        limit = limits.get(key)
        parts.append(f"{name} {counts.get(key, 0)} 个" + (f"（标准 ≥{limit:g}）" if limit else "") + mark)
    return "；".join(parts)


def _unmonitorable(ev: Evidence) -> str:
    statuses = "、".join(label(FETCH_LABELS, s) for s in ev.get("statuses") or [])
    return (f"{label(PLATFORM_LABELS, ev.get('platform'))}账号“{ev.get('account')}”连续 {ev.get('failures')} 次"
            f"未能读取（{statuses}），需运维人员处理")


def _labelled(ev: Evidence) -> list[tuple[str, Any]]:
    """The scalar evidence fields that have a Chinese label, labelled (the fallback of both views)."""
    return [(EVIDENCE_LABELS[k], v) for k, v in ev.items()
            if k in EVIDENCE_LABELS and v is not None and not isinstance(v, list | dict)]


_SENTENCES: dict[str, Callable[[Evidence], str]] = {
    "column.stale": _stale,
    "homepage.stale": _stale,
    "account.stale": _stale,
    "content.backdated": _backdated,
    "interaction.unanswered": _unanswered,
    "content.late": _late,
    "content.privacy": _privacy,
    "content.error": _wording,
    "column.blank": lambda ev: "栏目自开设以来无任何信息",
    "site.unavailable": lambda ev: f"探测 {ev.get('probes')} 次，失败 {ev.get('failures')} 次（{ev.get('ratio', 0):.1%}）",
    "link.broken": lambda ev: f"{ev.get('url')}（{LINK_ERROR_LABELS.get(ev.get('error') or '', ev.get('error'))}）",
    "columns.veto": _veto,
    "account.unmonitorable": _unmonitorable,
}


def describe_evidence(rule: str, ev: Evidence) -> str:
    """A short Chinese sentence of a finding's evidence."""
    sentence = _SENTENCES.get(rule)
    if sentence:
        return sentence(ev)
    return "；".join(f"{name}：{v}" for name, v in _labelled(ev))


# --- labelled details of a unit's notice -----------------------------------------------------


def _column_details(ev: Evidence, catalogue: Catalogue) -> Details:
    out: Details = []
    if ev.get("category"):
        cat = catalogue.categories.get(str(ev["category"]))
        out.append(("栏目类别", cat.label if cat else str(ev["category"])))
    out.append(("最近更新", str(ev.get("last_update") or "无注明日期的信息")))
    if ev.get("limit_days"):
        out.append(("更新时限", f"{ev['limit_days']} 天"))
    if ev.get("due"):
        out.append(("超期日期", str(ev["due"])))
    return out


def _link_details(ev: Evidence, catalogue: Catalogue) -> Details:
    out: Details = [("不可用链接", str(ev.get("url", "")))]
    if ev.get("text"):
        out.append(("链接文字", str(ev["text"])))
    out.append(("类型", LINK_KIND_LABELS.get(str(ev.get("kind")), str(ev.get("kind") or "页面链接"))))
    out.append(("错误", LINK_ERROR_LABELS.get(str(ev.get("error")), str(ev.get("error") or ""))))
    if ev.get("on_homepage"):
        out.append(("位置", "首页"))
    return out


def _privacy_hit(h: dict[str, Any]) -> str:
    # the number is masked: the editor finds it by its place
    return f"{h.get('where', '')}：{h.get('number', '')}（{h.get('line', '')}）"


def _wording_hit(h: dict[str, Any]) -> str:
    return f"“{h.get('found', '')}”应为“{h.get('right', '')}”：{h.get('sentence', '')}（{h.get('where', '')}）"


def _content_details(ev: Evidence, hit: Callable[[dict[str, Any]], str]) -> Details:
    out: Details = []
    if ev.get("attachment"):
        out.append(("附件", str(ev["attachment"])))
        out.append(("所在页面", str(ev.get("page") or "")))
    elif ev.get("title"):
        out.append(("文章", str(ev["title"])))
    out.append(("网址", str(ev.get("url", ""))))
    out.append(("数量", f"{ev.get('count', 0)} 处"))
    out.extend((str(h.get("kind", "")), hit(h)) for h in (ev.get("hits") or [])[:10])
    return out


def _site_details(ev: Evidence, catalogue: Catalogue) -> Details:
    out: Details = [("探测次数", str(ev.get("probes", ""))), ("失败次数", str(ev.get("failures", "")))]
    ratio = ev.get("ratio")
    if isinstance(ratio, int | float):
        out.append(("失败比例", f"{ratio:.1%}"))
    return out


def _veto_details(ev: Evidence, catalogue: Catalogue) -> Details:
    out: Details = []
    for key, name in VETO_GROUP_LABELS.items():
        cols = ev.get(key) or []
        if cols:
            listed = "、".join(f"{c.get('column', '')}（最近更新 {c.get('last_update') or '无'}）" for c in cols)
            out.append((name, f"{len(cols)} 个：{listed}"))
    return out


def _account_details(ev: Evidence, catalogue: Catalogue) -> Details:
    return [("平台", label(PLATFORM_LABELS, ev.get("platform"))), ("账号", str(ev.get("account", ""))),
            ("最近发布", str(ev.get("last_post") or "无"))]


_DETAILS: dict[str, Callable[[Evidence, Catalogue], Details]] = {
    "link.broken": _link_details,
    "content.privacy": lambda ev, catalogue: _content_details(ev, _privacy_hit),
    "content.error": lambda ev, catalogue: _content_details(ev, _wording_hit),
    "site.unavailable": _site_details,
    "columns.veto": _veto_details,
}


def evidence_details(rule: str, ev: Evidence, catalogue: Catalogue) -> Details:
    """The evidence of a finding as (label, value) pairs a unit's editor understands."""
    if rule.startswith("column.") or rule == "homepage.stale":
        return _column_details(ev, catalogue)
    if rule in _DETAILS:
        return _DETAILS[rule](ev, catalogue)
    if rule.startswith("account."):
        return _account_details(ev, catalogue)
    category = catalogue.categories.get(str(ev.get("category")))
    return [(name, category.label if name == EVIDENCE_LABELS["category"] and category else str(v))
            for name, v in _labelled(ev)]

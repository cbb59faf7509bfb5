"""Interaction checks (互动交流): messages of consultation columns left unanswered too long (互动回应差)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checks.base import CheckInput, ColumnView, MessageObs, Outcome
from checks.registry import check
from config.catalogue import Catalogue, Window, add_months

__all__ = ["overdue_messages", "unanswered_messages"]

_DEFAULT_WINDOW = Window(3, "m")
_UNIT_NAMES = {"d": "天", "m": "个月", "y": "年"}


def _excluded(text: str | None, words: list[str]) -> bool:
    return bool(text) and any(w and w in str(text) for w in words)


def overdue_messages(
    messages: list[MessageObs], as_of: Any, window: Window, lookback_months: int, excluded: list[str]
) -> list[dict[str, Any]]:
    """The valid messages asked in the lookback before ``as_of`` that were not replied within ``window``
    (still unanswered after it, or replied after it), as evidence entries."""
    since = add_months(as_of, -lookback_months)
    out = []
    for m in sorted(messages, key=lambda m: (m.asked, m.url)):
        if not (since <= m.asked < as_of) or _excluded(m.type, excluded):
            continue
        deadline = window.deadline(m.asked)
        if m.replied is not None and (m.state == "replied" or m.state == "unknown"):
            late = m.replied > deadline
            answered = m.replied
        elif m.state in ("unanswered", "processing"):
            late = as_of > deadline
            answered = None
        else:
            continue  # replied without a date, or a state we cannot read: not judged
        if not late:
            continue
        waited = ((answered or as_of) - m.asked).days
        out.append({
            "title": m.title,
            "url": m.url,
            "asked": m.asked.isoformat(),
            "replied": answered.isoformat() if answered else None,
            "state": m.state,
            "type": m.type,
            "waited_days": waited,
        })
    return out


@check("interaction.unanswered")
def unanswered_messages(inp: CheckInput, catalogue: Catalogue) -> Iterator[Outcome]:
    """互动回应差: in the year before as_of, a valid message of a consultation column (领导信箱, 咨询投诉 ...)
    not replied within 3 calendar months of being asked (still unanswered, or answered later) → veto.

    One outcome per interaction column that was read successfully (target: the column); messages
    whose type, and columns whose name, hold an excluded word (在线访谈, 调查, 征集, 信访, 纪检, 举报:
    catalogue ``options.excluded_types``) are not consultations. A column whose fetch failed is not
    judged. Not judged here: whether the site offers a working consultation channel at all.
    """
    rule = catalogue.rule("interaction.unanswered")
    window = rule.window or _DEFAULT_WINDOW
    lookback = int(rule.thresholds.get("lookback_months", 12))
    excluded = [str(w) for w in rule.options.get("excluded_types", [])]
    sites = {s.id for s in inp.sites}
    for col in inp.columns:
        if col.role != "column" or col.category != "interaction" or col.site_id not in sites:
            continue
        if _excluded(col.name, excluded):
            continue
        page = inp.pages.get(col.id)
        if page is None or not page.usable:
            continue
        overdue = overdue_messages(inp.messages.get(col.id, []), inp.as_of, window, lookback, excluded)
        yield _outcome(col, overdue, rule.severity, window)


def _outcome(col: ColumnView, overdue: list[dict[str, Any]], severity: str, window: Window) -> Outcome:
    ev: dict[str, Any] = {
        "column": col.name,
        "category": col.category,
        "url": col.url,
        "limit": f"{window.amount}{_UNIT_NAMES[window.unit]}",
        "messages": overdue,
    }
    if not overdue:
        return Outcome("interaction.unanswered", col.unit_id, col.url, True, severity, 0.0, ev)
    return Outcome("interaction.unanswered", col.unit_id, col.url, False, severity, 0.0, ev)

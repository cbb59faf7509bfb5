"""New-media checks: accounts with nothing new (僵尸/睡眠账号) and accounts we could not read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from checks.base import AccountObs, AccountView, CheckInput, Outcome
from checks.freshness import freshness_verdict
from checks.registry import check
from config.catalogue import Catalogue, Window
from config.statuses import USABLE_ACCOUNT_STATUSES

__all__ = ["ACCOUNT_USABLE", "account_target", "stale_accounts", "unmonitorable_accounts"]

ACCOUNT_USABLE = frozenset(USABLE_ACCOUNT_STATUSES)


def account_target(acc: AccountView) -> str:
    """The finding target of an account: ``platform:key``."""
    return f"{acc.platform}:{acc.key}"


def _flag(thresholds: dict[str, float], name: str, default: bool) -> bool:
    return bool(thresholds.get(name, 1.0 if default else 0.0))


def _latest_post(obs: AccountObs, tz: dt.tzinfo, as_of: dt.date, th: dict[str, float]) -> dt.date | None:
    count_reposts = _flag(th, "count_reposts", True)
    count_pinned = _flag(th, "count_pinned", False)
    count_deleted = _flag(th, "count_deleted", False)
    days: list[dt.date] = []
    for p in obs.posts:
        if (p.get("repost") and not count_reposts) or (p.get("pinned") and not count_pinned) or (
            p.get("deleted") and not count_deleted
        ):
            continue
        published = p.get("published")
        if not published:
            continue
        day = dt.datetime.fromisoformat(published).astimezone(tz).date()
        if day <= as_of:
            days.append(day)
    return max(days) if days else None


def _evidence(acc: AccountView, last: dt.date | None, window: Window, as_of: dt.date, obs: AccountObs) -> dict[str, Any]:
    return {
        "platform": acc.platform,
        "account": acc.name or acc.key,
        "last_post": last.isoformat() if last else None,
        "limit_days": window.days_hint(as_of),
        "posts": len(obs.posts),
    }


@check("account.stale")
def stale_accounts(inp: CheckInput, catalogue: Catalogue) -> Iterator[Outcome]:
    """内容不更新: no counted post in the window (2 weeks) before as_of.

    The newest post is the maximum over all posts (a pinned post listed first never hides newer ones,
    and by default a pinned post does not count as new); reposts and deleted posts count according
    to the catalogue (``count_reposts``, ``count_pinned``, ``count_deleted`` thresholds, 1 = yes).
    Decided only from the latest observation when it is usable; otherwise the account is not judged.
    """
    rule = catalogue.rule("account.stale")
    window = rule.window or Window(14, "d")
    for acc in inp.accounts:
        history = inp.account_history.get(acc.id) or []
        if not history or history[-1].status not in ACCOUNT_USABLE:
            continue
        obs = history[-1]
        last = _latest_post(obs, inp.tz, inp.as_of, rule.thresholds)
        ev = _evidence(acc, last, window, inp.as_of, obs)
        verdict = freshness_verdict(last, inp.as_of, window, rule.warn_lead_days or 0)
        target = account_target(acc)
        if verdict == "fresh":
            yield Outcome("account.stale", acc.unit_id, target, True, evidence=ev)
        elif verdict == "warning":
            yield Outcome("account.stale", acc.unit_id, target, False, "warning", 0.0, ev)
        else:
            points = rule.points if rule.severity == "deduction" else 0.0
            yield Outcome("account.stale", acc.unit_id, target, False, rule.severity, points, ev)


@check("account.unmonitorable")
def unmonitorable_accounts(inp: CheckInput, catalogue: Catalogue) -> Iterator[Outcome]:
    """账号无法监测: the last K fetches (catalogue ``consecutive_failures``) could not read the platform.

    For the operator only: never a unit's problem, never deducted. A usable fetch clears it.
    """
    rule = catalogue.rule("account.unmonitorable")
    k = max(1, int(rule.thresholds.get("consecutive_failures", 3)))
    for acc in inp.accounts:
        history = inp.account_history.get(acc.id) or []
        if not history:
            continue
        target = account_target(acc)
        recent = history[-k:]
        ev = {
            "platform": acc.platform,
            "account": acc.name or acc.key,
            "last_post": None,
            "failures": len(recent),
            "statuses": [o.status for o in recent],
            "error": recent[-1].error,
        }
        if history[-1].status in ACCOUNT_USABLE:
            yield Outcome("account.unmonitorable", acc.unit_id, target, True, evidence=ev)
        elif len(recent) >= k and all(o.status not in ACCOUNT_USABLE for o in recent):
            yield Outcome("account.unmonitorable", acc.unit_id, target, False, "operator", 0.0, ev)

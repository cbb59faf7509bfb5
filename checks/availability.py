"""Site availability (站点无法访问): the share of failed homepage probes in the week before the monitoring time point."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from checks.base import CheckInput, Outcome
from checks.registry import check
from config.catalogue import Catalogue
from config.statuses import NOT_JUDGED  # probes that say nothing about the site: left out of the count

__all__ = ["NOT_JUDGED", "site_unavailable"]



@check("site.unavailable")
def site_unavailable(inp: CheckInput, catalogue: Catalogue) -> Iterator[Outcome]:
    """站点无法访问: failed probes (homepage not open within the threshold) ≥ ``fail_ratio`` of the probes in
    the rule's window before as_of, once there are at least ``min_probes``; ``warning`` from ``warn_ratio``.
    Fewer probes than the minimum: not judged.
    """
    rule = catalogue.rule("site.unavailable")
    th = rule.thresholds
    fail_ratio = th.get("fail_ratio", 0.05)
    warn_ratio = th.get("warn_ratio")
    min_probes = int(th.get("min_probes", 1))
    days = rule.window.days_hint(inp.as_of) if rule.window else 7
    end = dt.datetime.combine(inp.as_of + dt.timedelta(days=1), dt.time(), inp.tz)
    start = end - dt.timedelta(days=days)
    for site in inp.sites:
        probes = [p for p in inp.probes.get(site.id, []) if start <= p.at < end and p.status not in NOT_JUDGED]
        if len(probes) < min_probes:
            continue
        failed = [p for p in probes if not p.ok]
        ratio = len(failed) / len(probes)
        worst = sorted(probes, key=lambda p: (p.ok, -(p.duration_ms or 0)))[:10]
        ev = {
            "probes": len(probes),
            "failures": len(failed),
            "ratio": round(ratio, 4),
            "threshold": fail_ratio,
            "window_days": days,
            "worst": [
                {"at": p.at.astimezone(inp.tz).strftime("%Y-%m-%d %H:%M:%S"), "status": p.status,
                 "duration_ms": p.duration_ms}
                for p in worst
            ],
        }
        if ratio >= fail_ratio - 1e-12:
            yield Outcome("site.unavailable", site.unit_id, site.url, False, rule.severity,
                          rule.points if rule.severity == "deduction" else 0.0, ev)
        elif warn_ratio is not None and ratio >= warn_ratio - 1e-12:
            yield Outcome("site.unavailable", site.unit_id, site.url, False, "warning", 0.0, ev)
        else:
            yield Outcome("site.unavailable", site.unit_id, site.url, True, evidence=ev)

"""The roster stage: the configured units, sites and columns written into the database (discovery fills gaps)."""

from __future__ import annotations

import logging

from govwatch.context import Context
from storage import sync_roster

__all__ = ["discover_missing_columns", "ensure_synced", "sync"]

log = logging.getLogger("govwatch.pipeline")


def discover_missing_columns(ctx: Context) -> dict[str, int]:
    """Sites configured without columns get the columns discovery finds (kept a few days in the output dir)."""
    from crawler.discover import fill_missing_columns  # Scrapy and parsel only when discovery is needed

    if not any(not site.columns for u in ctx.config.units for site in u.sites):
        return {}
    found = fill_missing_columns(ctx.config, ctx.catalogue, today=ctx.today(),
                                 cache_file=ctx.output_dir / "discovered-columns.json")
    for url, n in found.items():
        log.info("site %s has no configured columns: %d found by discovery", url, n)
    return found


def sync(ctx: Context) -> list[str]:
    """Write the configured roster into the database; returns the ids of units without any site."""
    discover_missing_columns(ctx)
    with ctx.db.session() as s:
        sync_roster(s, ctx.config)
    missing = [u.id for u in ctx.config.units if not u.sites]
    for uid in missing:
        unit = ctx.config.unit(uid)
        log.warning("unit %s (%s) has no site configured: its website is not monitored", uid, unit.name if unit else "")
    return missing


def ensure_synced(ctx: Context) -> list[str]:
    """Sync the roster once per context (several stages may run on one context)."""
    if ctx.roster_missing is None:
        ctx.roster_missing = sync(ctx)
    return ctx.roster_missing

"""Synchronising the configured roster (units, sites, columns, accounts) into the database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.schema import Config
from storage.models import AccountRow, ColumnRow, SiteRow, Unit

__all__ = ["HOMEPAGE_NAME", "RosterSync", "sync_roster"]

HOMEPAGE_NAME = "首页"


@dataclass
class RosterSync:
    """What a roster sync changed."""

    units: int = 0
    sites: int = 0
    columns: int = 0
    accounts: int = 0
    deactivated: int = 0


def sync_roster(session: Session, config: Config) -> RosterSync:
    """Make the database roster match the config; objects no longer configured are deactivated, never deleted."""
    stats = RosterSync()
    units = {u.id: u for u in session.scalars(select(Unit))}
    sites = {(s.unit_id, s.url): s for s in session.scalars(select(SiteRow))}
    columns = {(c.site_id, c.url): c for c in session.scalars(select(ColumnRow))}
    accounts = {(a.unit_id, a.platform, a.key): a for a in session.scalars(select(AccountRow))}
    live_sites: set[int] = set()
    live_columns: set[int] = set()
    live_accounts: set[int] = set()
    live_units: set[str] = set()

    for ucfg in config.units:
        unit = units.get(ucfg.id)
        if unit is None:
            unit = Unit(id=ucfg.id, name=ucfg.name, kind=ucfg.kind)
            session.add(unit)
            units[ucfg.id] = unit
        unit.name, unit.kind, unit.active = ucfg.name, ucfg.kind, True
        unit.contacts = [c.model_dump(exclude_none=True) for c in ucfg.contacts]
        live_units.add(ucfg.id)
        stats.units += 1
        for scfg in ucfg.sites:
            site = sites.get((ucfg.id, scfg.url))
            if site is None:
                site = SiteRow(unit_id=ucfg.id, url=scfg.url, name=scfg.name, homepage_is_nav=scfg.homepage_is_nav)
                session.add(site)
                session.flush()
                sites[(ucfg.id, scfg.url)] = site
            site.name, site.homepage_is_nav, site.active = scfg.name, scfg.homepage_is_nav, True
            live_sites.add(site.id)
            stats.sites += 1
            wanted = [
                dict(role="homepage", name=scfg.name or HOMEPAGE_NAME, url=scfg.url, category=None,
                     top_level=False, render="static", extractor="auto", options={})
            ]
            for ccfg in scfg.columns:
                if ccfg.url == scfg.url:
                    continue  # the homepage is always watched
                options = {}
                if ccfg.selectors:
                    options["selectors"] = ccfg.selectors.model_dump(exclude_none=True)
                if ccfg.max_pages:
                    options["max_pages"] = ccfg.max_pages
                wanted.append(
                    dict(role="column", name=ccfg.name, url=ccfg.url, category=ccfg.category,
                         top_level=ccfg.top_level, render=ccfg.render, extractor=ccfg.extractor, options=options)
                )
            for spec in wanted:
                col = columns.get((site.id, spec["url"]))
                if col is None:
                    col = ColumnRow(site_id=site.id, unit_id=ucfg.id, **spec)
                    session.add(col)
                    session.flush()
                    columns[(site.id, spec["url"])] = col
                else:
                    for key, value in spec.items():
                        setattr(col, key, value)
                col.active = True
                live_columns.add(col.id)
                stats.columns += spec["role"] == "column"
        for acfg in ucfg.accounts:
            key = (ucfg.id, acfg.platform, acfg.key)
            acc = accounts.get(key)
            if acc is None:
                acc = AccountRow(unit_id=ucfg.id, platform=acfg.platform, key=acfg.key, name=acfg.name,
                                 url=acfg.url, base_url=acfg.base_url)
                session.add(acc)
                session.flush()
                accounts[key] = acc
            acc.name, acc.url, acc.base_url, acc.active = acfg.name, acfg.url, acfg.base_url, True
            live_accounts.add(acc.id)
            stats.accounts += 1

    for unit in units.values():
        if unit.id not in live_units and unit.active:
            unit.active = False
            stats.deactivated += 1
    for objs, live in ((sites.values(), live_sites), (columns.values(), live_columns), (accounts.values(), live_accounts)):
        for obj in objs:
            if obj.id not in live and obj.active:
                obj.active = False
                stats.deactivated += 1
    session.flush()
    return stats

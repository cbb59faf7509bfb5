"""``govwatch discover --site URL [--write CONFIG]``: find a site's columns and offer them for the config."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from config.loader import load_config
from crawler.discover import DiscoveredColumn, discover_site
from govwatch.context import resolve_config_path
from govwatch.errors import UsageError

__all__ = ["register", "write_columns"]


def _norm(url: str) -> str:
    return url.rstrip("/")


def write_columns(path: Path, site_url: str, columns: list[DiscoveredColumn], *, unit_id: str | None = None,
                  today: dt.date | None = None) -> int:
    """Append ``columns`` (those not configured yet) to the site ``site_url`` in the YAML file ``path``.

    Comments and layout of the file are kept (ruamel.yaml round trip). When no unit has the site, ``unit_id``
    names the unit to add it to. Returns how many columns were added.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    data = yaml.load(path.read_text(encoding="utf-8"))
    units = data.get("units") or []
    site = None
    for unit in units:
        for s in unit.get("sites") or []:
            if _norm(str(s.get("url", ""))) == _norm(site_url):
                site = s
    if site is None:
        unit = next((u for u in units if u.get("id") == unit_id), None) if unit_id else None
        if unit is None:
            raise UsageError(f"no unit in {path} has the site {site_url}; name the unit with --unit ID")
        if unit.get("sites") is None:
            unit["sites"] = CommentedSeq()
        site = CommentedMap(url=site_url)
        unit["sites"].append(site)
    if site.get("columns") is None:
        site["columns"] = CommentedSeq()
    existing = {_norm(str(c.get("url", ""))) for c in site["columns"]}
    added = 0
    for col in columns:
        if not col.name or _norm(col.url) in existing or _norm(col.url) == _norm(site_url):
            continue
        entry = CommentedMap(col.as_config())
        site["columns"].append(entry)
        if added == 0:
            day = (today or dt.date.today()).isoformat()
            indent = getattr(getattr(site, "lc", None), "col", None) or 4
            site["columns"].yaml_set_comment_before_after_key(
                len(site["columns"]) - 1, before=f"govwatch discover {day}", indent=indent)
        existing.add(_norm(col.url))
        added += 1
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return added


def _show(columns: list[DiscoveredColumn], labels: dict[str, str]) -> None:
    where = {"nav": "导航", "index": "栏目页", "xxgk": "信息公开目录"}
    print(f"发现栏目 {len(columns)} 个：")
    print(f"  {'名称':<12} {'分类':<8} {'一级':<4} {'识别方式':<12} {'最新日期':<10} {'来源':<6} 地址")
    for c in columns:
        cat = labels.get(c.category or "", c.category or "未分类")
        newest = c.newest.isoformat() if c.newest else "—"
        print(f"  {c.name:<12} {cat:<8} {'是' if c.top_level else '':<4} {c.extractor:<12} {newest:<10} "
              f"{where.get(c.found_on, c.found_on):<6} {c.url}")


def _discover(args: argparse.Namespace) -> int:
    loaded = load_config(resolve_config_path(args.config))
    today = dt.datetime.now(loaded.config.tz).date()
    columns = discover_site(args.site, loaded.catalogue, today=today, crawl=loaded.config.crawl,
                            max_pages=args.max_pages)
    if args.json:
        print(json.dumps([c.as_dict() for c in columns], ensure_ascii=False, indent=1))
    else:
        labels: dict[str, Any] = {k: v.label for k, v in loaded.catalogue.categories.items()}
        _show(columns, labels)
    if args.write:
        n = write_columns(Path(args.write), args.site, columns, unit_id=args.unit, today=today)
        print(f"已写入 {args.write}：新增栏目 {n} 个")
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``discover``."""
    p = sub.add_parser("discover", parents=[common], help="find a site's columns (navigation, index pages, 政府信息公开)")
    p.add_argument("--site", required=True, metavar="URL", help="the site's homepage (or the unit's portal section)")
    p.add_argument("--write", metavar="CONFIG", help="append the columns found to this site in the YAML file")
    p.add_argument("--unit", metavar="ID", help="with --write: the unit to add the site to when no unit has it yet")
    p.add_argument("--max-pages", type=int, default=80, metavar="N", help="page budget of the walk (default 80)")
    p.add_argument("--json", action="store_true", help="print the columns as JSON")
    p.set_defaults(func=_discover)

"""``govwatch explain COLUMN_URL``: show how a column's newest date is read (block, items, years, confidence)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx

from config.loader import load_config
from config.schema import Config
from crawler.extract import decode_html, extract
from crawler.extract.model import ExtractResult, Selectors
from crawler.extract.reading import CONFIDENCE_LABELS, REASONS, YEAR_SOURCES
from govwatch.cli import parse_date_arg
from govwatch.context import resolve_config_path
from govwatch.errors import UsageError

__all__ = ["explain_data", "register"]

_SOURCES = {"list": "列表", "url": "链接", "article": "文章页"}


def _column(config: Config, url: str) -> tuple[Any, Any] | tuple[None, None]:
    want = url.rstrip("/")
    for unit in config.units:
        for site in unit.sites:
            for col in site.columns:
                if str(col.url).rstrip("/") == want:
                    return unit, col
    return None, None


def _fetch(url: str, config: Config) -> tuple[bytes, str, str]:
    try:
        with httpx.Client(follow_redirects=True, max_redirects=5, timeout=config.crawl.timeout,
                          headers={"User-Agent": config.crawl.user_agent}) as client:
            resp = client.get(url)
    except httpx.HTTPError as exc:
        raise UsageError(f"无法打开 {url}：{type(exc).__name__}: {exc}") from exc
    if resp.status_code >= 400:
        raise UsageError(f"无法打开 {url}：HTTP {resp.status_code}")
    return resp.content, resp.headers.get("Content-Type", ""), str(resp.url)


def explain_data(result: ExtractResult, as_of: dt.date) -> dict[str, Any]:
    """The read as plain data: extractor, block, confidence with reasons, newest date and every item."""
    reading = result.reading
    years = reading.item_years if reading is not None else [None] * len(result.items)
    newest = result.newest(as_of)
    return {
        "extractor": result.extractor,
        "block": reading.block if reading else None,
        "heading": reading.heading if reading else None,
        "candidate_blocks": reading.blocks if reading else None,
        "confidence": reading.confidence if reading else None,
        "reasons": [{"code": r, "text": REASONS[r][1]} for r in (reading.reasons if reading else [])],
        "alternative": reading.alternative if reading else None,
        "newest": newest.isoformat() if newest else None,
        "script_built": result.script_built,
        "frames": result.frames,
        "next_pages": result.next_pages,
        "items": [
            {"date": it.date.isoformat() if it.date else None, "date_source": it.date_source, "year_source": y,
             "pinned": it.pinned, "title": it.title, "url": it.url}
            for it, y in zip(result.items, years, strict=True)
        ],
    }


def _print(data: dict[str, Any], url: str, name: str | None) -> None:
    print(f"栏目：{name + ' ' if name else ''}{url}")
    print(f"抽取器：{data['extractor']}")
    if data["script_built"]:
        print("列表由脚本生成：须用浏览器读取（配置 render: browser）")
    if data["frames"]:
        print("列表在内嵌页面中：" + "、".join(data["frames"]))
    dated = sum(1 for it in data["items"] if it["date"])
    if data["block"]:
        heading = f"，标题“{data['heading']}”" if data["heading"] else ""
        print(f"列表区块：{data['block']}{heading}；条目 {len(data['items'])} 个，带日期 {dated} 个"
              f"（页面上候选区块 {data['candidate_blocks']} 个）")
    elif not data["items"]:
        print("列表区块：未找到")
    newest = data["newest"]
    if newest:
        src = next((it for it in data["items"] if it["date"] == newest), None)
        year = YEAR_SOURCES.get(src["year_source"] or "", "—") if src else "—"
        print(f"最新日期：{newest}（年份来源：{year}）")
    else:
        print("最新日期：无")
    if data["confidence"]:
        label = CONFIDENCE_LABELS.get(data["confidence"], data["confidence"])
        print(f"可信度：{label}（{data['confidence']}）")
        for r in data["reasons"]:
            print(f"  - {r['text']}")
        if data["alternative"]:
            alt = data["alternative"]
            print(f"  另一列表：{alt['block']}（{alt.get('heading') or '无标题'}），{alt['items']} 条，最新 {alt['newest']}")
        if data["confidence"] == "low":
            print("  据此得出的“栏目不更新/空白栏目”仅为疑似问题，须人工确认；可为该栏目配置 extractor 或 selectors。")
    if data["items"]:
        print("读到的条目（日期｜日期来源｜年份来源｜标题｜地址）：")
        for it in data["items"]:
            pin = "［置顶］" if it["pinned"] else ""
            print(f"  {it['date'] or '—':<10}｜{_SOURCES.get(it['date_source'] or '', '—')}｜"
                  f"{YEAR_SOURCES.get(it['year_source'] or '', '—')}｜{pin}{it['title']}｜{it['url']}")


def _explain(args: argparse.Namespace) -> int:
    loaded = load_config(resolve_config_path(args.config))
    config = loaded.config
    as_of = args.as_of or dt.datetime.now(config.tz).date()
    unit, col = _column(config, args.url)
    if args.file:
        path = Path(args.file)
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"{path}: {exc.strerror or exc}") from exc
        content_type, url = "", args.url
    else:
        body, content_type, url = _fetch(args.url, config)
    text, _ = decode_html(body, content_type)
    extractor = args.extractor or (col.extractor if col is not None else "auto")
    sel = col.selectors.model_dump() if col is not None and col.selectors is not None else None
    result = extract(text, url, extractor=extractor, selectors=Selectors(**sel) if sel else None, today=as_of)
    data = explain_data(result, as_of)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        name = f"{col.name}（{unit.name}）" if col is not None else None
        _print(data, url, name)
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``explain``."""
    p = sub.add_parser("explain", parents=[common],
                       help="show how a column's newest date is read: the list chosen, items, years, confidence")
    p.add_argument("url", metavar="COLUMN_URL", help="the column's address (its configured extractor is used)")
    p.add_argument("--file", metavar="HTML", help="read this saved page instead of fetching the address")
    p.add_argument("--extractor", help="try another extractor (default: the column's, else auto)")
    p.add_argument("--as-of", type=parse_date_arg, metavar="DATE", help="monitoring day (YYYY-MM-DD, default today)")
    p.add_argument("--json", action="store_true", help="print the read as JSON")
    p.set_defaults(func=_explain)

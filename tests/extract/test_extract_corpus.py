"""Data-driven checks of the list extractors and article dates against the fixture corpus."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from crawler.extract import ExtractResult, article_date, article_written_date, decode_html, extract

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
SPEC: dict[str, Any] = yaml.safe_load((HERE / "corpus.yaml").read_text(encoding="utf-8"))
LISTS: list[dict[str, Any]] = SPEC["lists"]
ARTICLES: list[dict[str, Any]] = SPEC["articles"]
NEWEST_ACCURACY = 0.98


def _run(case: dict[str, Any]) -> ExtractResult:
    text, _encoding = decode_html((CORPUS / case["file"]).read_bytes(), case.get("content_type"))
    return extract(text, case["url"], today=case["today"])


def test_corpus_is_complete() -> None:
    assert len(LISTS) >= 100
    assert len(ARTICLES) >= 15
    listed = {c["file"] for c in LISTS + ARTICLES}
    on_disk = {p.name for p in CORPUS.iterdir()}
    assert listed == on_disk, f"unlisted: {on_disk - listed}, missing: {listed - on_disk}"
    assert len(listed) == len(LISTS) + len(ARTICLES), "a file is listed twice"


@pytest.mark.parametrize("case", LISTS, ids=lambda c: c["file"])
def test_list_page(case: dict[str, Any]) -> None:
    result = _run(case)
    got = {
        "extractor": result.extractor,
        "items": len(result.items),
        "blank": result.blank,
        "next_pages": len(result.next_pages),
        "pinned": sum(1 for it in result.items if it.pinned),
        "script_built": result.script_built,
        "frames": len(result.frames),
        "written": sum(1 for it in result.items if (it.extra or {}).get("written")),
    }
    want = {k: case.get(k, 0) if k in ("frames", "written") else case[k] for k in got}
    assert got == want, case["note"]
    if "first_url" in case:
        assert result.items[0].url == case["first_url"]
    if "first_title" in case:
        assert result.items[0].title == case["first_title"]
    if "next_first" in case:
        assert result.next_pages[0] == case["next_first"]
    if "frame_first" in case:
        assert result.frames[0] == case["frame_first"]
    if "first_written" in case:  # the document date (成文日期) beside the publication date
        assert (result.items[0].extra or {}).get("written") == case["first_written"]
    for item in result.items:
        assert item.title and item.title == " ".join(item.title.split())
        assert item.url.startswith(("http://", "https://"))
        assert (item.date is None) == (item.date_source is None)
        assert item.date_source in (None, "list", "url", "article")
    assert all(u.startswith(("http://", "https://")) for u in result.next_pages + result.frames)
    assert len(set(result.next_pages)) == len(result.next_pages)


def test_newest_date_accuracy() -> None:
    failures = []
    for case in LISTS:
        got = _run(case).newest(as_of=case["today"])
        if got != case["newest"]:
            failures.append(f"{case['file']} (got {got}, want {case['newest']})")
    ratio = 1 - len(failures) / len(LISTS)
    assert ratio >= NEWEST_ACCURACY, f"newest date right on {ratio:.1%} of list pages; wrong: " + "; ".join(
        failures
    )


@pytest.mark.parametrize("case", ARTICLES, ids=lambda c: c["file"])
def test_article_date(case: dict[str, Any]) -> None:
    text, _encoding = decode_html((CORPUS / case["file"]).read_bytes())
    assert article_date(text, case["url"]) == case["date"], case["note"]
    assert article_written_date(text, case["url"]) == case.get("written"), case["note"]


def test_blank_pages_are_not_errors() -> None:
    blanks = [c for c in LISTS if c["blank"]]
    assert len(blanks) >= 3
    for case in blanks:
        result = _run(case)
        assert result.items == [] and result.newest() is None and not result.script_built


def test_year_less_dates_need_today() -> None:
    case = next(c for c in LISTS if c["file"] == "mmdd_year_cross.html")
    text, _ = decode_html((CORPUS / case["file"]).read_bytes())
    result = extract(text, case["url"])  # no today: the clock is never read
    assert result.items and all(it.date is None for it in result.items)
    assert extract(text, case["url"], today=datetime.date(2021, 1, 12)).newest() == datetime.date(2021, 1, 10)

"""Every code a person reads in a digest, notice, workbook or the CLI has its Chinese label, in one table."""

from __future__ import annotations

import re

from config.labels import (
    FETCH_LABELS,
    LINK_ERROR_LABELS,
    LINK_KIND_LABELS,
    PLATFORM_LABELS,
    SEVERITY_LABELS,
    label,
)
from config.loader import load_catalogue
from crawler.accounts import ADAPTERS, STATUSES
from crawler.links import ERROR_CLASSES
from crawler.status import FETCH_STATUSES

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_fetch_and_account_status_reads_in_chinese() -> None:
    for status in (*FETCH_STATUSES, *STATUSES):
        assert CJK.search(label(FETCH_LABELS, status)), status


def test_every_link_error_and_kind_reads_in_chinese() -> None:
    for code in (*ERROR_CLASSES, "blocked"):
        assert CJK.search(label(LINK_ERROR_LABELS, code)), code
    for kind in ("page", "image", "attachment", "external"):
        assert CJK.search(label(LINK_KIND_LABELS, kind)), kind


def test_every_platform_and_severity_reads_in_chinese() -> None:
    for platform in ADAPTERS:
        assert CJK.search(label(PLATFORM_LABELS, platform)), platform
    for rule in load_catalogue().rules.values():
        assert CJK.search(label(SEVERITY_LABELS, rule.severity)), rule.severity


def test_an_unknown_code_is_shown_as_it_is() -> None:
    assert label(FETCH_LABELS, "brand_new") == "brand_new"
    assert label(FETCH_LABELS, None, "—") == "—"

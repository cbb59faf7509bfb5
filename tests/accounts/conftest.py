"""Shared fixtures of the account adapter tests: a fixed clock, recorded responses, local servers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from crawler.accounts.timefmt import SHANGHAI

from ._server import LocalServer

FIXTURES = Path(__file__).parent / "fixtures"
CHROMIUM = "/usr/bin/chromium"
#: The fixed wall clock of every parse test: 2021-06-15 10:00 in Taijiang.
NOW = datetime(2021, 6, 15, 10, 0, tzinfo=SHANGHAI)

needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed")


def fixture_bytes(name: str) -> bytes:
    """The bytes of ``fixtures/<name>``."""
    return (FIXTURES / name).read_bytes()


def recorded(
    name: str | None,
    *,
    status: int = 200,
    url: str = "http://127.0.0.1:9/recorded",
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
) -> httpx.Response:
    """An ``httpx.Response`` built from a fixture file (or ``body``), as if received from ``url``."""
    content = fixture_bytes(name) if name is not None else body or b""
    if isinstance(content, str):
        content = content.encode("utf-8")
    return httpx.Response(status, headers=headers or {}, content=content, request=httpx.Request("GET", url))


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A started local server (``server.base`` is its URL)."""
    srv = LocalServer()
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()

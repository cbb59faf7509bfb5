"""Lists built by script from a JSON endpoint are read through Chromium (scrapy-playwright)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.crawl_farm import FarmServer, build_farm
from tests.crawler._harness import AS_OF, crawl

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _needs_chromium():
    if not Path("/usr/bin/chromium").exists() and os.environ.get("GOVWATCH_REQUIRE_BROWSER") != "1":
        pytest.skip("/usr/bin/chromium is missing")


@pytest.fixture
def js_server():
    farm = build_farm(units=1, columns_per_unit=4, families=("js", "generic_dash"), as_of=AS_OF, deep_pages=False)
    with FarmServer(farm) as server:
        yield server


def _js_columns(server):
    return [(u, c) for u, c in server.farm.columns() if c.family == "js"]


def test_script_built_list_is_rendered_once_with_the_browser(js_server, sqlite_url, tmp_path):
    seen = crawl(js_server.config_data(), sqlite_url, tmp_path)
    cols = _js_columns(js_server)
    assert cols
    for unit, col in cols:
        obs = seen[js_server.column_url(unit, col)]
        assert obs.status == "ok" and obs.newest == col.newest(AS_OF), obs
        assert obs.items == len(col.ages) + (col.pinned_age is not None)
        assert obs.info["script_built"] is True and obs.info["rendered"] == "fallback"
        assert obs.pages == 2  # the static page, then the rendered one
    # the JSON endpoint was asked by the browser, and only for the script-built columns
    data = [r for r in js_server.log if r.path.endswith("/data.json")]
    assert len(data) == len(cols)
    # the static columns were never rendered
    for unit, col in js_server.farm.columns():
        if col.family != "js":
            assert "rendered" not in seen[js_server.column_url(unit, col)].info


def test_render_browser_columns_go_straight_to_the_browser(js_server, sqlite_url, tmp_path):
    data = js_server.config_data()
    for c in data["units"][0]["sites"][0]["columns"]:
        if "/" + next(col.slug for _, col in _js_columns(js_server)) + "/" in c["url"]:
            c["render"] = "browser"
    data["crawl"]["browser_fallback"] = False
    seen = crawl(data, sqlite_url, tmp_path)
    unit, col = _js_columns(js_server)[0]
    obs = seen[js_server.column_url(unit, col)]
    assert obs.status == "ok" and obs.newest == col.newest(AS_OF) and obs.pages == 1
    assert obs.info["rendered"] == "browser"
    # without the fallback, another script-built column is only flagged
    for u, c in _js_columns(js_server)[1:]:
        other = seen[js_server.column_url(u, c)]
        assert other.items == 0 and other.info["script_built"] is True and "rendered" not in other.info


def test_a_list_built_by_script_last_time_goes_straight_to_the_browser(js_server, sqlite_url, tmp_path):
    data = js_server.config_data()
    crawl(data, sqlite_url, tmp_path)
    js_server.clear_log()
    seen = crawl(data, sqlite_url, tmp_path)
    cols = _js_columns(js_server)
    for unit, col in cols:
        obs = seen[js_server.column_url(unit, col)]
        assert obs.status == "ok" and obs.newest == col.newest(AS_OF) and obs.pages == 1, obs
        assert obs.info["script_built"] is True and obs.info["rendered"] == "fallback"
    # each script-built column: its page and its JSON, both asked by the browser; no static copy first
    pages = {js_server.column_url(u, c).split("//", 1)[1].split("/", 1)[1] for u, c in cols}
    asked = [r.path.lstrip("/") for r in js_server.log]
    assert sorted(p for p in asked if p in pages) == sorted(pages)


def _recording_chromium(tmp_path: Path) -> tuple[str, Path]:
    """A Chromium that notes each start in a file before it runs."""
    log = tmp_path / "chromium-starts"
    script = tmp_path / "chromium"
    script.write_text(f'#!/bin/sh\necho start >> "{log}"\nexec /usr/bin/chromium "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return str(script), log


def test_no_browser_starts_when_no_column_needs_one(sqlite_url, tmp_path):
    farm = build_farm(units=1, columns_per_unit=3, families=("generic_dash", "trs"), as_of=AS_OF, deep_pages=False)
    chromium, starts = _recording_chromium(tmp_path)
    with FarmServer(farm) as server:
        data = server.config_data()
        data["crawl"]["chromium_path"] = chromium  # the fallback is on: the browser is there if a page needs it
        seen = crawl(data, sqlite_url, tmp_path)
        assert all(o.status == "ok" for o in seen.values())
    assert not starts.exists()


def test_one_browser_serves_every_rendered_page(js_server, sqlite_url, tmp_path):
    chromium, starts = _recording_chromium(tmp_path)
    data = js_server.config_data()
    data["crawl"]["chromium_path"] = chromium
    seen = crawl(data, sqlite_url, tmp_path)
    rendered = [o for o in seen.values() if o.info.get("rendered")]
    assert len(rendered) == len(_js_columns(js_server)) > 1
    assert starts.read_text().split() == ["start"]

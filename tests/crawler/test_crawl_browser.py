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

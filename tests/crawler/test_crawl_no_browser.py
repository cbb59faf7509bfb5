"""No browser, no verdict: a column that needs Chromium and is read without it is an operator status."""

from __future__ import annotations

import zoneinfo

from benchmarks.crawl_farm import FarmServer, build_farm
from checks import run_checks
from checks.base import USABLE_STATUSES
from config import load_catalogue
from storage import Database, load_check_input
from tests.crawler._harness import AS_OF, crawl


def test_columns_needing_a_browser_are_not_read_as_empty_without_one(sqlite_url, tmp_path):
    farm = build_farm(units=1, columns_per_unit=4, families=("js", "generic_dash"), as_of=AS_OF, deep_pages=False)
    with FarmServer(farm) as server:
        data = server.config_data()
        data["crawl"]["chromium_path"] = str(tmp_path / "no-such-chromium")
        js = [(u, c) for u, c in farm.columns() if c.family == "js"]
        static = [(u, c) for u, c in farm.columns() if c.family != "js"]
        assert js and static
        # one script-built column is configured render: browser, the others are only detected as script-built
        slug = js[0][1].slug
        for c in data["units"][0]["sites"][0]["columns"]:
            if f"/{slug}/" in c["url"]:
                c["render"] = "browser"
        seen = crawl(data, sqlite_url, tmp_path)
    for unit, col in js:
        obs = seen[server.column_url(unit, col)]
        assert obs.status == "no_browser", obs
        assert obs.status not in USABLE_STATUSES  # so no column.blank / column.stale can rest on it
        assert obs.error and "浏览器" in obs.error
    for unit, col in static:  # the plain columns are read as always
        obs = seen[server.column_url(unit, col)]
        assert obs.status == "ok" and obs.newest == col.newest(AS_OF)
    # and no check turns the unread columns into the unit's problems
    db = Database(sqlite_url)
    with db.session() as s:
        inp = load_check_input(s, AS_OF, zoneinfo.ZoneInfo("Asia/Shanghai"))
    db.dispose()
    judged = {o.target for o in run_checks(inp, load_catalogue()) if o.rule in ("column.blank", "column.stale")}
    assert judged and not judged & {server.column_url(u, c) for u, c in js}

"""Broken and hostile pages are recorded with their status and never stop or stall the crawl."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from benchmarks.crawl_farm import FarmServer, build_farm
from tests.crawler._harness import AS_OF, crawl


@pytest.fixture
def hostile_server():
    farm = build_farm(units=1, columns_per_unit=4, families=("trs", "generic_dash"), as_of=AS_OF, deep_pages=False)
    farm.hostile = True
    with FarmServer(farm) as server:
        yield server


def test_hostile_pages_get_their_status_and_the_crawl_goes_on(hostile_server, db_url, tmp_path):
    data = hostile_server.config_data(crawl={
        "delay": 0, "retries": 0, "timeout": 2, "max_body_bytes": 1024 * 1024, "max_pages_per_column": 4,
        "concurrency_per_host": 8, "autothrottle": False,
    })
    hostile = {
        "big": "超大页面", "big-stream": "超大流式页面", "loop": "重定向循环", "endless/1.html": "无尽分页", "slow": "慢速页面",
        "repeat/1.html": "重复分页",
    }
    site = data["units"][0]["sites"][0]
    for name, title in hostile.items():
        site["columns"].append({"name": title, "url": hostile_server.hostile_url(name)})
    seen = crawl(data, db_url, tmp_path)

    assert seen[hostile_server.hostile_url("big")].status == "too_large"
    assert seen[hostile_server.hostile_url("big-stream")].status == "too_large"
    loop = seen[hostile_server.hostile_url("loop")]
    assert loop.status == "redirect_loop" and "redirect" in (loop.error or "")
    slow = seen[hostile_server.hostile_url("slow")]
    assert slow.status == "timeout"
    endless = seen[hostile_server.hostile_url("endless/1.html")]
    assert endless.status == "ok" and endless.pages == 4 and endless.info.get("page_budget_hit") is True
    assert endless.items == 4  # one pinned item per page, read as far as the budget allows
    repeat = seen[hostile_server.hostile_url("repeat/1.html")]
    assert repeat.status == "ok" and repeat.pages == 2 and repeat.info.get("trap") == "repeated_content"
    # the ordinary columns of the same host were read normally
    for unit, col in hostile_server.farm.columns():
        obs = seen[hostile_server.column_url(unit, col)]
        assert obs.newest == col.newest(AS_OF) and obs.status in ("ok", "empty")
    # nothing was downloaded past the size cap
    big = [r for r in hostile_server.log if r.path.startswith("/hostile/big")]
    assert big and all(r.size < 50 * 1024 * 1024 for r in big)


def test_server_errors_are_retried_with_backoff_and_never_hidden_by_the_cache(sqlite_url, tmp_path):
    farm = build_farm(units=1, columns_per_unit=3, families=("generic_dash",), as_of=AS_OF, deep_pages=False)
    with FarmServer(farm) as server:
        data = server.config_data(crawl={"delay": 0, "retries": 2, "retry_backoff": 0.05, "timeout": 5,
                                         "autothrottle": False})
        unit = farm.units[0]
        flaky, down, fine = unit.site.columns

        def path(col):
            return urlsplit(server.column_url(unit, col)).path

        farm.faults[path(flaky)] = [503, 502]
        farm.faults[path(down)] = [500, 500, 500]
        seen = crawl(data, sqlite_url, tmp_path)
        assert seen[server.column_url(unit, flaky)].status == "ok"
        assert seen[server.column_url(unit, flaky)].newest == flaky.newest(AS_OF)
        broken = seen[server.column_url(unit, down)]
        assert broken.status == "http_error" and broken.error == "HTTP 500" and broken.items == 0
        assert sum(1 for r in server.log if r.path == path(down)) == 3  # the first try and two retries
        # next day the page that was read fine fails: the error is recorded, the cached copy is not replayed
        farm.faults[path(fine)] = [500, 500, 500]
        again = crawl(data, sqlite_url, tmp_path)
        assert again[server.column_url(unit, fine)].status == "http_error"
        assert again[server.column_url(unit, flaky)].status == "not_modified"

"""Politeness: one download slot per host (the portal's units share it), robots.txt per site."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from benchmarks.crawl_farm import FarmServer, build_farm
from config.schema import CrawlConfig
from crawler.settings import scrapy_settings
from tests.crawler._harness import AS_OF, crawl


def test_slots_are_per_host_name():
    from scrapy.core.downloader import Downloader

    settings = scrapy_settings(CrawlConfig(), db_url="sqlite://", run_id=None)
    downloader = Downloader(get_crawler(settings_dict=settings))
    key = downloader.get_slot_key
    assert key(Request("http://127.0.0.1:8000/bm/a/gzdt/")) == key(Request("http://127.0.0.1:8000/bm/b/tzgg/"))
    assert key(Request("http://127.0.0.1:8000/x")) != key(Request("http://127.0.0.2:8000/x"))
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2 and settings["DOWNLOAD_DELAY"] == 1.0
    assert settings["AUTOTHROTTLE_ENABLED"] is True and settings["DOWNLOAD_TIMEOUT"] == 15.0
    assert settings["DOWNLOAD_MAXSIZE"] == 10 * 1024 * 1024


def test_a_quick_304_lets_a_slowed_host_speed_up_again_as_a_200_does():
    from scrapy.core.downloader import Slot
    from scrapy.http import Response

    from crawler.middlewares import NotModifiedAutoThrottle

    crawler = get_crawler(settings_dict=scrapy_settings(CrawlConfig(), db_url="sqlite://", run_id=None))
    throttle = NotModifiedAutoThrottle.from_crawler(crawler)
    throttle.mindelay, throttle.maxdelay = 1.0, 10.0
    delays = {}
    for status in (200, 304):
        slot = Slot(concurrency=2, delay=8.0, jitter=0)  # after a slow answer
        throttle._adjust_delay(slot, 0.05, Response("http://127.0.0.1/x", status=status))
        delays[status] = slot.delay
    assert delays[304] == delays[200] < 8.0


@pytest.fixture
def slow_farm():
    farm = build_farm(units=6, columns_per_unit=3, families=("generic_dash",), as_of=AS_OF, portal_share=0.5,
                      deep_pages=False)
    farm.delay = 0.2  # long enough that requests to different hosts overlap even on a loaded machine
    with FarmServer(farm) as server:
        yield server


def test_each_host_gets_at_most_its_concurrency_while_hosts_run_in_parallel(slow_farm, sqlite_url, tmp_path):
    data = slow_farm.config_data(crawl={"delay": 0, "concurrency_per_host": 1, "retries": 0, "autothrottle": False})
    seen = crawl(data, sqlite_url, tmp_path, cache=False)
    assert all(o.status == "ok" for o in seen.values())
    portal = "127.0.1.1"
    assert sum(1 for u in slow_farm.farm.units if u.site.host == portal) == 3  # three units share the portal
    assert set(slow_farm.max_inflight.values()) == {1}
    assert len(slow_farm.max_inflight) == 4
    assert slow_farm.max_total_inflight >= 2


def test_robots_txt_is_obeyed_per_site(slow_farm, sqlite_url, tmp_path):
    portal = "127.0.1.1"
    units = [u for u in slow_farm.farm.units if u.site.host == portal]
    slow_farm.farm.robots[portal] = f"User-agent: *\nDisallow: {units[0].site.prefix}\nDisallow: {units[1].site.prefix}\n"
    data = slow_farm.config_data()
    by_id = {u["id"]: u for u in data["units"]}
    by_id[units[0].id]["sites"][0]["obey_robots"] = True  # this site is crawled as robots.txt says
    seen = crawl(data, sqlite_url, tmp_path, cache=False)
    for col in units[0].site.columns:
        obs = seen[slow_farm.column_url(units[0], col)]
        assert obs.status == "blocked" and "robots" in (obs.error or "").lower()
    for unit in units[1:]:  # the others are not
        for col in unit.site.columns:
            assert seen[slow_farm.column_url(unit, col)].status == "ok"

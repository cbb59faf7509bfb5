"""Whole crawls of a local farm in every CMS family: newest dates, pagination, articles, the HTTP cache."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from benchmarks.crawl_farm import FAMILIES, FarmServer, build_farm
from tests.crawler._harness import AS_OF, crawl

STATIC = tuple(f for f in FAMILIES if f != "js")


@pytest.fixture
def farm_server():
    farm = build_farm(units=4, columns_per_unit=12, families=STATIC, as_of=AS_OF)
    with FarmServer(farm) as server:
        yield server


def test_full_crawl_reports_the_right_newest_date_for_every_column(farm_server, sqlite_url, tmp_path):
    seen = crawl(farm_server.config_data(), sqlite_url, tmp_path)
    wrong = []
    for unit, col in farm_server.farm.columns():
        obs = seen[farm_server.column_url(unit, col)]
        expected = col.newest(AS_OF)
        if obs.newest != expected or obs.status not in ("ok", "empty"):
            wrong.append(f"{col.family} {obs.url}: {obs.status} newest {obs.newest}, expected {expected} {obs.info}")
    assert not wrong, "\n".join(wrong)
    families = {c.family for _, c in farm_server.farm.columns()}
    assert families == set(STATIC)
    by_family = {}
    for unit, col in farm_server.farm.columns():
        by_family.setdefault(col.family, []).append((col, seen[farm_server.column_url(unit, col)]))
    # undated lists: the newest articles were opened and their dates read
    for col, obs in by_family["article"]:
        if col.ages:
            assert obs.info.get("date_sources") == {"article": obs.info["articles_opened"]}
            assert obs.info["articles_opened"] <= 3
    # lists whose first page holds only a pinned item went on to page two, and no further
    deep = [(c, o) for fam in by_family.values() for c, o in fam if c.deep]
    assert deep and all(o.pages == 2 for _, o in deep)
    # every other column cost one page
    assert all(o.pages == 1 for fam in by_family.values() for c, o in fam if not c.deep)
    # each family is read by its own extractor
    assert {o.extractor for _, o in by_family["hanweb"]} == {"hanweb"}
    assert {o.extractor for _, o in by_family["trs"]} == {"trs"}
    # Hanweb's further records came from dataproxy.jsp
    assert any(o.info.get("dataproxy_pages") for c, o in by_family["hanweb"] if c.deep)
    # every observation says how it was read
    for obs in seen.values():
        assert obs.extractor and obs.pages >= 1 and "encoding" in obs.info


def test_second_run_of_an_unchanged_farm_costs_conditional_requests(farm_server, sqlite_url, tmp_path):
    first = crawl(farm_server.config_data(), sqlite_url, tmp_path)
    full_first = farm_server.full_downloads()
    farm_server.clear_log()
    second = crawl(farm_server.config_data(), sqlite_url, tmp_path)
    full_second = farm_server.full_downloads()
    conditional = sum(1 for r in farm_server.log if r.conditional)
    assert full_first >= len(first)
    assert full_second <= full_first // 10, (full_first, full_second)
    assert conditional >= len(second) and all(r.status == 304 for r in farm_server.log if r.conditional)
    # the replayed pages give the same dates, and the observation says it was not modified
    for url, obs in second.items():
        assert obs.newest == first[url].newest
        assert obs.items == first[url].items
        assert obs.status == "not_modified", (url, obs.status)

    # one column publishes: only its page is downloaded again, and the new date is read
    unit, col = next((u, c) for u, c in farm_server.farm.columns() if c.family == "trs" and c.ages and not c.deep)
    col.ages.insert(0, 0)
    farm_server.clear_log()
    third = crawl(farm_server.config_data(), sqlite_url, tmp_path)
    url = farm_server.column_url(unit, col)
    assert third[url].newest == AS_OF and third[url].status == "ok"
    assert [r.path for r in farm_server.log if r.status == 200] == [urlsplit(url).path]

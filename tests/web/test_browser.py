"""The workbench in Debian's Chromium (Playwright) against a server on loopback: log in, filter, dismiss, 403, CSRF."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from crawler.accounts.browser import DEFAULT_BROWSER_ARGS, find_chromium
from storage.findings import finding_events, get_finding
from tests.web.conftest import PASSWORD
from web.server import WebServer

pytestmark = pytest.mark.browser
SHOTS_ENV = "GOVWATCH_SCREENSHOTS"  # a directory: the screenshots for the README are copied there


@pytest.fixture(autouse=True)
def _needs_chromium():
    if not Path("/usr/bin/chromium").exists() and os.environ.get("GOVWATCH_REQUIRE_BROWSER") != "1":
        pytest.skip("/usr/bin/chromium is missing")


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=find_chromium(), args=[*DEFAULT_BROWSER_ARGS, "--lang=zh-CN"])
        yield b
        b.close()


@pytest.fixture
def server(bench):
    with WebServer(bench.app()) as s:
        yield s


def _login(page, server, user: str, then: str = "/findings") -> None:
    page.goto(server.url + then)
    assert "/login" in page.url
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(server.url + then)


def _shot(page, tmp_path: Path, name: str, *, full_page: bool = False) -> None:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 10_000
    if os.environ.get(SHOTS_ENV):
        Path(os.environ[SHOTS_ENV]).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(os.environ[SHOTS_ENV]) / name)


def test_duty_logs_in_filters_dismisses_and_sees_it_in_the_history(bench, server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1360, "height": 860}, locale="zh-CN")
    _login(page, server, "duty1")
    assert page.locator("h1").inner_text().startswith("问题清单")
    _shot(page, tmp_path, "findings.png")
    page.select_option("select[name=unit]", "fgj")
    page.select_option("select[name=rule]", "column.blank")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/findings?unit=fgj&rule=column.blank*")
    rows = page.locator("table#findings tbody tr[data-id]")
    assert rows.count() == 1 and "空白栏目" in rows.inner_text() and "发展改革局" in rows.inner_text()
    rows.locator("a").first.click()
    page.wait_for_url("**/findings/*")
    page.fill("#dismiss-form textarea[name=reason]", "该栏目已于11月撤并，误报")
    page.click("#dismiss-form button[type=submit]")
    page.wait_for_selector("text=问题已排除")
    last = page.locator("table#history tbody tr").last.inner_text()
    assert "排除" in last and "duty1" in last and "该栏目已于11月撤并，误报" in last
    assert page.locator("#reopen-form").count() == 1
    _shot(page, tmp_path, "finding.png", full_page=True)
    fid = bench.ids[("column.blank", "fgj")]
    with bench.ctx.db.session() as s:
        assert get_finding(s, fid).status == "dismissed"
        assert finding_events(s, fid)[-1].actor == "duty1"


def test_a_unit_user_cannot_open_another_units_finding_even_by_url(bench, server, browser):
    page = browser.new_page(locale="zh-CN")
    _login(page, server, "fgjuser", then="/units/fgj")
    assert "发展改革局" in page.locator("h1").inner_text()
    response = page.goto(server.url + f"/findings/{bench.ids[('homepage.stale', 'czj')]}")
    assert response.status == 403
    assert "无权" in page.locator("main").inner_text() and "首页不更新" not in page.content()
    response = page.goto(server.url + "/units/czj")
    assert response.status == 403


def test_a_form_posted_without_its_csrf_token_is_refused(bench, server, browser):
    page = browser.new_page(locale="zh-CN")
    _login(page, server, "duty1")
    fid = bench.ids[("column.stale", "fgj")]
    page.goto(server.url + f"/findings/{fid}")
    page.evaluate("document.querySelector('#dismiss-form input[name=csrf_token]').remove()")
    page.fill("#dismiss-form textarea[name=reason]", "无令牌的提交")
    with page.expect_navigation() as nav:
        page.click("#dismiss-form button[type=submit]")
    assert nav.value.status == 403
    assert "表单已失效" in page.locator("h1").inner_text()
    with bench.ctx.db.session() as s:
        assert get_finding(s, fid).status == "open"

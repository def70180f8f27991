"""The table, the report page and the dashboards at 1024 px and on a phone: no sideways scrolling of
the page, the navigation no more than a fifth of the screen, the table header in view while scrolling."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from xiezuo.web.tests.test_browser import _sync_playwright_runs_an_event_loop, session  # noqa: F401

pytestmark = pytest.mark.browser

PAGES = ["/org/620422/2023/", "/documents/620422/2023/", "/org/620422/2023/dashboard/", "/org/620400/2023/dashboard/"]


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (390, 844)])
def test_pages_fit_the_screen(demo, live_server, browser, artifacts_dir: Path, width: int, height: int):  # type: ignore[no-untyped-def]
    ctx, page = session(browser, live_server.url, "admin", width=width, height=height)
    for n, url in enumerate(PAGES):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(artifacts_dir / f"layout-{width}-{n}.png"))
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (url, width, overflow)
        nav = page.evaluate("document.querySelector('header.top').getBoundingClientRect().height")
        assert nav <= height / 5, (url, width, nav)
    ctx.close()


def test_the_table_header_stays_visible_while_scrolling(demo, live_server, browser):  # type: ignore[no-untyped-def]
    ctx, page = session(browser, live_server.url, "huining-clerk", width=1024, height=768)
    page.goto("/org/620422/2023/")
    head = page.locator("#stat-table thead th").first
    expect(head).to_be_visible()
    page.evaluate("window.scrollTo(0, document.querySelector('#row-funds_used').offsetTop)")
    top = head.evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= top < 768 / 5, top
    ctx.close()

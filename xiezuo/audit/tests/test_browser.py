"""The audit page in Debian's chromium: upload the seed, see the slips marked in the text, filter them."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from xiezuo.accounts.services import demo_password

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True, scope="module")
def _sync_playwright_runs_an_event_loop():  # type: ignore[no-untyped-def]
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def test_upload_and_read_the_findings(demo, live_server, browser, artifacts_dir, seed_text, tmp_path):  # type: ignore[no-untyped-def]
    report = tmp_path / "会宁县2023年度自评报告.txt"
    report.write_text(seed_text, encoding="utf-8")
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1400, "height": 950})
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("用户名").fill("huining-clerk")
    page.get_by_label("密码").fill(demo_password())
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="报告核查").click()
    page.set_input_files("input[type=file]", str(report))
    page.locator(".audit-upload button[type=submit]").click()

    expect(page.locator("#audit-summary")).to_contain_text("发现 7 个问题")
    cards = page.locator("#findings > li")
    expect(cards).to_have_count(7)
    training = page.locator("#report-text mark", has_text="培训农村劳动力人数617人")
    expect(training).to_be_visible()
    training.click()  # the list scrolls to the finding that marks it
    expect(page.locator("#findings > li", has_text="790人次")).to_be_in_viewport()
    page.screenshot(path=str(artifacts_dir / "audit-01-findings.png"))

    page.select_option("#min-confidence", "0.7")
    expect(page.locator("#findings > li:visible")).to_have_count(5)
    expect(page.locator("#report-text mark.dimmed").first).to_be_attached()
    page.screenshot(path=str(artifacts_dir / "audit-02-filtered.png"))
    context.close()

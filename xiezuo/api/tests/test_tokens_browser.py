"""In Debian's chromium: a clerk creates a token on the page, a script submits 会宁县's values with it
over HTTP, the clerk revokes it, and the script is refused (401). The interactive docs load from
the app's own static files under the strict Content-Security-Policy."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from xiezuo.web.tests.test_browser import Shots, _sync_playwright_runs_an_event_loop, session  # noqa: F401

pytestmark = pytest.mark.browser


def _call(base: str, token: str, method: str, path: str, body: object = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + "/api/v1" + path, data=data, method=method, headers={  # noqa: S310
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 — the test's own server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_token_made_on_the_page_submits_values_until_revoked(demo, live_server, browser, artifacts_dir):  # type: ignore[no-untyped-def]
    shot = Shots(artifacts_dir, "tokens")
    base = live_server.url
    ctx, page = session(browser, base, "huining-clerk")
    page.get_by_role("link", name="访问令牌").click()
    expect(page.locator("h1")).to_have_text("访问令牌")
    page.get_by_label("名称（用途）").fill("统计数据同步脚本")
    page.get_by_role("button", name="创建令牌").click()
    expect(page.locator("#token-created")).to_contain_text("离开本页后将无法再次查看")
    secret = page.locator("#token-secret").input_value()
    assert secret.startswith("xz_") and len(secret) > 40
    expect(page.locator("#token-list")).to_contain_text("统计数据同步脚本")
    expect(page.locator("#token-list")).to_contain_text("从未使用")
    shot(page, "created")

    # A script: read 会宁县's table, then submit two of its values with the versions it read.
    status, table = _call(base, secret, "GET", "/orgs/620422/years/2023/table")
    assert status == 200
    seen = {i["code"]: i for i in table["items"]}
    status, written = _call(base, secret, "POST", "/orgs/620422/years/2023/table", {"values": [
        {"code": "labour_east", "value": "238", "version": seen["labour_east"]["version"]},
        {"code": "funds_allocated", "value": "5600", "version": seen["funds_allocated"]["version"]}]})
    assert (status, written) == (200, {"written": 2})
    status, table = _call(base, secret, "GET", "/orgs/620422/years/2023/table")
    values = {i["code"]: i["value"] for i in table["items"]}
    assert values["labour_east"] == "238" and values["funds_allocated"] == "5600"

    # The table page shows what the script stored; the token page its last use.
    page.goto("/org/620422/2023/")
    expect(page.locator("#row-labour_east [name=value]")).to_have_value("238")
    page.goto("/account/tokens/")
    expect(page.locator("#token-list")).not_to_contain_text("从未使用")
    expect(page.locator("#token-secret")).to_have_count(0)  # shown once only

    # Revoked on the page, with a confirmation: the script is refused from now on.
    page.locator("#token-list").get_by_role("link", name="吊销").click()
    expect(page.locator("#token-revoke-form")).to_contain_text("统计数据同步脚本")
    shot(page, "revoke-confirm")
    page.get_by_role("button", name="确认吊销").click()
    expect(page.locator("#token-list")).to_contain_text("已吊销")
    shot(page, "revoked")
    status, body = _call(base, secret, "GET", "/orgs/620422/years/2023/table")
    assert status == 401 and body["code"] == "unauthorized"
    status, body = _call(base, secret, "POST", "/orgs/620422/years/2023/table", {"values": [
        {"code": "labour_east", "value": "1", "version": 99}]})
    assert status == 401

    # The interactive docs: the app's own Swagger UI, under the strict CSP (the fixture watches it).
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .title")).to_contain_text("东西部协作统计接口")
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/orgs/{code}/years/{year}/table")
    shot(page, "docs")
    ctx.close()
